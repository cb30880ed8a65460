// TypeDoc conversion of the API pages: entry points → TypeDoc reflections → the plain-data ApiModel (loaded only on a cache miss).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  Application,
  ConsoleLogger,
  Converter,
  LogLevel,
  ReflectionKind,
  type CommentDisplayPart,
  type CommentTag,
  type DeclarationReflection,
  type ParameterReflection,
  type ProjectReflection,
  type Reflection,
  type SignatureReflection,
  type SomeType,
  type TypeDocOptions,
  type TypeParameterReflection,
} from 'typedoc'
import ts from 'typescript'
import { ApiExtractionError, ApiSlugCollisionError } from './errors.ts'
import { firstSentence, slugify } from './text.ts'
import type {
  ApiDoc,
  ApiHeritage,
  ApiItem,
  ApiItemKind,
  ApiMember,
  ApiModel,
  ApiModule,
  ApiParameter,
  ApiSignature,
  ApiSource,
  ApiTag,
} from './types.ts'

/** What {@link convertWithTypeDoc} needs: the normalized entry points and the extraction options. */
export interface ConvertInput {
  /** Entry points: file relative to `root` (`/`-separated) and module name. */
  readonly entries: readonly NormalEntry[]
  readonly root: string
  readonly tsconfigPath: string | undefined
  readonly sourceBaseUrl: string | undefined
  readonly typedoc: Partial<TypeDocOptions> | undefined
}

interface NormalEntry {
  readonly file: string
  readonly name: string
}

/**
 * Runs TypeDoc over the entry points and turns its reflections into the API model, with the project files the entry
 * points import (`sourceFiles`, the extraction cache's key).
 * @param input Entry points, root, tsconfig, source-link base URL, extra TypeDoc options.
 * @returns The model (without `stats`).
 * @throws ApiExtractionError when TypeDoc cannot convert the entry points (with TypeDoc's messages).
 */
export async function convertWithTypeDoc(input: ConvertInput): Promise<Omit<ApiModel, 'stats'>> {
  const { entries, root, tsconfigPath } = input
  const messages: string[] = []
  const app = await Application.bootstrap({
    excludeInternal: true,
    excludePrivate: true,
    excludeProtected: true,
    skipErrorChecking: true,
    disableGit: true,
    sourceLinkTemplate: 'about:blank',
    readme: 'none',
    name: 'api',
    ...input.typedoc,
    entryPoints: entries.map((e) => path.join(root, e.file)),
    ...(tsconfigPath === undefined ? {} : { tsconfig: tsconfigPath }),
    basePath: root,
    logLevel: 'Warn',
  })
  app.logger = new CollectingLogger(messages)
  let programFiles: string[] = []
  app.converter.on(Converter.EVENT_END, (context) => {
    programFiles = context.programs.flatMap((p) =>
      moduleGraph(
        p,
        entries.map((e) => path.join(root, e.file)),
      ),
    )
  })
  const project = await app.convert()
  if (project === undefined) {
    throw new ApiExtractionError(
      `TypeDoc could not convert ${entries.map((e) => e.file).join(', ')}; fix the errors below (or the entry point paths)`,
      messages,
    )
  }
  const sourceFiles = [
    ...new Set(programFiles.filter((f) => !f.includes('/node_modules/')).map((f) => toPosix(path.relative(root, f)))),
  ].sort(compareText)
  const warnings: string[] = []
  const model: Omit<ApiModel, 'stats'> = {
    modules: buildModules(project, entries, root, input.sourceBaseUrl, warnings),
    typedocVersion: Application.VERSION,
    sourceFiles,
    warnings: [...messages.filter((m) => m.startsWith('warning')), ...warnings],
  }

  return model
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

/**
 * The files the entry points import, directly or through other files (static, dynamic and type-only imports and
 * re-exports, `import('…')` types), entry points included; files below `node_modules` are not followed (the
 * TypeDoc version is part of the cache key instead).
 */
function moduleGraph(program: ts.Program, entries: readonly string[]): string[] {
  const options = program.getCompilerOptions()
  const seen = new Set<string>()
  const queue = entries.map((e) => path.normalize(e))
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    const source = program.getSourceFile(file)
    if (source === undefined) continue
    for (const ref of ts.preProcessFile(source.text, true, true).importedFiles) {
      // The importing file's own format decides how its imports resolve (require() calls aside, which docs rarely hold).
      const resolved = ts.resolveModuleName(
        ref.fileName,
        file,
        options,
        ts.sys,
        undefined,
        undefined,
        source.impliedNodeFormat,
      ).resolvedModule
      if (resolved === undefined || resolved.isExternalLibraryImport === true) continue
      const target = path.normalize(resolved.resolvedFileName)
      if (!target.includes(`${path.sep}node_modules${path.sep}`) && !seen.has(target)) queue.push(target)
    }
  }
  return [...seen]
}

/** TypeDoc's messages go into a list (and not to the console); errors also fail the conversion. */
class CollectingLogger extends ConsoleLogger {
  readonly #messages: string[]
  constructor(messages: string[]) {
    super()
    this.#messages = messages
    this.level = LogLevel.Warn
  }
  override log(message: string, level: Exclude<LogLevel, LogLevel.None>): void {
    if (level < this.level) return
    const text = message.replace(/^\[(warning|error)\]\s*/, '')
    this.#messages.push(`${level === LogLevel.Error ? 'error' : 'warning'}: ${text}`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reflections → modules and items

const KIND_ORDER: Record<ApiItemKind, number> = { function: 0, class: 1, interface: 2, type: 3, variable: 4, dispatcher: 5 }

function itemKind(r: Reflection): ApiItemKind | undefined {
  if (r.kindOf(ReflectionKind.Function)) return 'function'
  if (r.kindOf(ReflectionKind.Class)) return 'class'
  if (r.kindOf(ReflectionKind.Interface)) return 'interface'
  if (r.kindOf(ReflectionKind.TypeAlias) || r.kindOf(ReflectionKind.Enum)) return 'type'
  if (r.kindOf(ReflectionKind.Variable)) return 'variable'
  return undefined
}

/** Resolves re-export references (`export { a as b }` of an item documented elsewhere) to their declarations. */
function resolved(r: Reflection): DeclarationReflection | undefined {
  const target = r.isReference() ? r.getTargetReflectionDeep() : r
  return target.isDeclaration() ? target : undefined
}

function buildModules(
  project: ProjectReflection,
  entries: readonly NormalEntry[],
  root: string,
  base: string | undefined,
  warnings: string[],
): ApiModule[] {
  // With one entry point TypeDoc puts the exports on the project; with several, one Module reflection per entry.
  const containers: [NormalEntry, readonly Reflection[], Reflection | undefined][] = []
  if (entries.length === 1) {
    containers.push([entries[0] as NormalEntry, project.children ?? [], project])
  } else {
    const byFile = new Map(entries.map((e) => [path.join(root, e.file), e]))
    for (const mod of project.children ?? []) {
      const file = mod.sources?.[0]?.fullFileName
      const entry = file === undefined ? undefined : byFile.get(path.normalize(file))
      if (entry === undefined) continue
      containers.push([entry, mod.children ?? [], mod])
    }
    containers.sort((a, b) => entries.indexOf(a[0]) - entries.indexOf(b[0]))
    const missing = entries.filter((e) => !containers.some(([c]) => c === e))
    if (missing.length > 0) {
      throw new ApiExtractionError(
        `extractApi: TypeDoc produced no module for ${missing.map((e) => e.file).join(', ')}; check that each entry point is a module (has exports) and is listed once`,
      )
    }
  }

  // Pass 1: slugs, so that `{@link}` can point at any documented item.
  const slugs = new Map<number, string>()
  const used = new Map<string, string>()
  const claim = (slug: string, what: string) => {
    const prev = used.get(slug)
    if (prev !== undefined) {
      throw new ApiSlugCollisionError(
        `API pages ${prev} and ${what} would both get the slug ${JSON.stringify(slug)}; give the entry points distinct names ({ file, name })`,
      )
    }
    used.set(slug, what)
  }
  const plans = containers.map(([entry, children, container]) => {
    const moduleSlug = entry.name.split('/').map(slugify).join('/')
    claim(moduleSlug, `module ${entry.name}`)
    const members = children
      .map((c) => ({ c, d: resolved(c) }))
      .filter((x): x is { c: Reflection; d: DeclarationReflection } => {
        if (x.d !== undefined && itemKind(x.d) !== undefined) return true
        const where =
          x.c.isDeclaration() && x.c.sources?.[0] !== undefined
            ? ` (${toPosix(path.relative(root, x.c.sources[0].fullFileName))}:${x.c.sources[0].line})`
            : ''
        warnings.push(
          `export ${entry.name}.${x.c.name}${where} is a ${ReflectionKind[x.d?.kind ?? x.c.kind] ?? 'reflection'}: not documented (API pages cover functions, classes, interfaces, types, enums and variables)`,
        )
        return false
      })
    const itemSlugs = uniqueSlugs(members.map(({ c, d }) => ({ name: c.name, kind: itemKind(d) as ApiItemKind })))
    members.forEach(({ c, d }, i) => {
      const slug = `${moduleSlug}/${itemSlugs[i] as string}`
      claim(slug, `item ${entry.name}.${c.name}`)
      slugs.set(c.id, slug)
      if (!slugs.has(d.id)) slugs.set(d.id, slug)
    })
    return { entry, moduleSlug, members, container }
  })

  // Pass 2: the items.
  const ctx: Ctx = { root, base, slugs }
  return plans.map(({ entry, moduleSlug, members, container }) => {
    const items = members.map(({ c, d }) => buildItem(c.name, d, slugs.get(c.id) as string, ctx))
    items.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareText(a.name, b.name))
    const comment = container?.comment
    return {
      name: entry.name,
      slug: moduleSlug,
      file: entry.file,
      absoluteFile: path.join(root, entry.file),
      doc:
        comment === undefined
          ? purposeDoc(path.join(root, entry.file), entry.name)
          : buildDoc(comment.summary, comment.blockTags, [...comment.modifierTags], ctx),
      items,
    }
  })
}

/**
 * A module without a `@module` comment is described by its purpose line: the `// …` comment on the file's first line
 * (after a shebang), as this project's files start, without a leading `<module name>: `. Undefined when there is none.
 */
function purposeDoc(file: string, moduleName: string): ApiDoc | undefined {
  const lines = readFileSync(file, 'utf8').split('\n')
  const first = lines[0]?.startsWith('#!') ? lines[1] : lines[0]
  const m = /^\/\/\s*(?!#|@|eslint|prettier|biome)(\S.*?)\s*$/.exec(first ?? '')
  if (m === null) return undefined
  let text = m[1] as string
  if (text.startsWith(`${moduleName}: `)) {
    const rest = text.slice(moduleName.length + 2)
    text = rest.charAt(0).toUpperCase() + rest.slice(1)
  }
  const summary = /[.!?]$/.test(text) ? text : `${text}.`
  return { summary, firstSentence: firstSentence(summary), examples: [], tags: [], modifiers: [] }
}

/** Item slugs of one module: `slugify(name)`; names sharing a slug get `-<kind>`, then `-2`, `-3`… by name. */
function uniqueSlugs(items: readonly { name: string; kind: ApiItemKind }[]): string[] {
  const base = items.map((i) => slugify(i.name))
  const count = new Map<string, number>()
  for (const b of base) count.set(b, (count.get(b) ?? 0) + 1)
  const withKind = base.map((b, i) => ((count.get(b) ?? 0) > 1 ? `${b}-${(items[i] as { kind: ApiItemKind }).kind}` : b))
  const seen = new Map<string, number>()
  const order = items.map((_, i) => i).sort((a, b) => compareText((items[a] as { name: string }).name, (items[b] as { name: string }).name))
  const out = [...withKind]
  for (const i of order) {
    const s = withKind[i] as string
    const n = (seen.get(s) ?? 0) + 1
    seen.set(s, n)
    if (n > 1) out[i] = `${s}-${n}`
  }
  return out
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

interface Ctx {
  readonly root: string
  readonly base: string | undefined
  readonly slugs: ReadonlyMap<number, string>
}

function buildItem(name: string, d: DeclarationReflection, slug: string, ctx: Ctx): ApiItem {
  const kind = itemKind(d) as ApiItemKind
  const source = sourceOf(d, ctx)
  const withSource = <T extends object>(o: T) => (source === undefined ? o : { ...o, source })
  if (kind === 'function') {
    const signatures = (d.signatures ?? []).map((s) => buildSignature(name, s, ctx))
    const doc = d.comment !== undefined ? docOf(d, ctx) : (signatures[0]?.doc ?? emptyDoc())
    return withSource({
      name,
      kind,
      slug,
      declaration: signatures.map((s) => `function ${s.text}`).join('\n'),
      signatures,
      doc,
      members: [],
      runtime: true,
    })
  }
  if (kind === 'class' || kind === 'interface') {
    const clauses = [
      d.extendedTypes?.length ? ` extends ${d.extendedTypes.map(typeText).join(', ')}` : '',
      d.implementedTypes?.length ? ` implements ${d.implementedTypes.map(typeText).join(', ')}` : '',
    ].join('')
    const abstract = d.flags.isAbstract ? 'abstract ' : ''
    const declaration = `${abstract}${kind} ${name}${typeParams(d.typeParameters)}${clauses}`
    const members = buildMembers(name, d, ctx)
    const ctor = members.find((m) => m.kind === 'constructor')
    const heritage = [
      ...(d.extendedTypes ?? []).map((t) => heritageOf('extends', t, ctx)),
      ...(d.implementedTypes ?? []).map((t) => heritageOf('implements', t, ctx)),
    ]
    return withSource({
      name,
      kind,
      slug,
      declaration,
      signatures: ctor?.signatures ?? [],
      doc: docOf(d, ctx),
      members,
      runtime: kind === 'class',
      heritage,
    })
  }
  if (kind === 'type') {
    const declaration = d.kindOf(ReflectionKind.Enum)
      ? `enum ${name} { ${(d.children ?? []).map((c) => c.name).join(', ')} }`
      : `type ${name}${typeParams(d.typeParameters)} = ${typeText(d.type)}`
    return withSource({
      name,
      kind,
      slug,
      declaration,
      signatures: [],
      doc: docOf(d, ctx),
      members: [],
      runtime: d.kindOf(ReflectionKind.Enum),
    })
  }
  const keyword = d.flags.isConst ? 'const' : 'let'
  return withSource({
    name,
    kind,
    slug,
    declaration: `${keyword} ${name}: ${typeText(d.type)}`,
    signatures: [],
    doc: docOf(d, ctx),
    members: [],
    runtime: true,
  })
}

function heritageOf(relation: 'extends' | 'implements', t: SomeType, ctx: Ctx): ApiHeritage {
  const target = t.type === 'reference' ? t.reflection : undefined
  const slug = target === undefined ? undefined : ctx.slugs.get(target.id)
  return slug === undefined ? { relation, type: typeText(t) } : { relation, type: typeText(t), slug }
}

function buildMembers(owner: string, d: DeclarationReflection, ctx: Ctx): ApiMember[] {
  const out: ApiMember[] = []
  const children = [...(d.children ?? [])].sort((a, b) => memberRank(a) - memberRank(b))
  for (const c of children) {
    if (c.flags.isPrivate || c.flags.isProtected || c.name.startsWith('#')) continue
    // Inherited members are documented on the base class (autosummary's default); `heritage` links to it.
    if (c.inheritedFrom !== undefined) continue
    const flags = { static: c.flags.isStatic, readonly: c.flags.isReadonly, optional: c.flags.isOptional }
    const source = sourceOf(c, ctx)
    const base = source === undefined ? {} : { source }
    if (c.kindOf(ReflectionKind.Constructor)) {
      const signatures = (c.signatures ?? []).map((s) => buildSignature(owner, s, ctx))
      out.push({
        ...base,
        name: 'constructor',
        kind: 'constructor',
        ...flags,
        text: signatures.map((s) => `new ${s.text}`).join('\n'),
        signatures,
        doc: signatures[0]?.doc ?? emptyDoc(),
      })
    } else if (c.kindOf(ReflectionKind.Method)) {
      const signatures = (c.signatures ?? []).map((s) => buildSignature(c.name, s, ctx))
      const prefix = flags.static ? 'static ' : ''
      out.push({
        ...base,
        name: c.name,
        kind: 'method',
        ...flags,
        text: signatures.map((s) => prefix + s.text).join('\n'),
        signatures,
        doc: signatures[0]?.doc ?? docOf(c, ctx),
      })
    } else if (c.kindOf(ReflectionKind.Accessor)) {
      const get = c.getSignature
      const set = c.setSignature
      const type = typeText(get?.type ?? set?.parameters?.[0]?.type)
      const comment = get?.comment ?? set?.comment ?? c.comment
      const doc = comment === undefined ? emptyDoc() : buildDoc(comment.summary, comment.blockTags, [...comment.modifierTags], ctx)
      const prefix = flags.static ? 'static ' : ''
      const text = [get ? `${prefix}get ${c.name}(): ${type}` : '', set ? `${prefix}set ${c.name}(value: ${type})` : '']
        .filter(Boolean)
        .join('\n')
      out.push({ ...base, name: c.name, kind: 'accessor', ...flags, readonly: set === undefined, text, signatures: [], doc })
    } else if (c.kindOf(ReflectionKind.Property)) {
      const prefix = `${flags.static ? 'static ' : ''}${flags.readonly ? 'readonly ' : ''}`
      out.push({
        ...base,
        name: c.name,
        kind: 'property',
        ...flags,
        text: `${prefix}${c.name}${flags.optional ? '?' : ''}: ${typeText(c.type)}`,
        signatures: [],
        doc: docOf(c, ctx),
      })
    }
  }
  return out
}

function memberRank(c: DeclarationReflection): number {
  if (c.kindOf(ReflectionKind.Constructor)) return 0
  if (c.kindOf(ReflectionKind.Property)) return 1
  if (c.kindOf(ReflectionKind.Accessor)) return 2
  return 3
}

function buildSignature(name: string, s: SignatureReflection, ctx: Ctx): ApiSignature {
  const parameters = (s.parameters ?? []).map((p) => buildParameter(p, ctx))
  const params = parameters.map((p) => {
    const rest = p.rest ? '...' : ''
    const opt = p.optional || p.defaultValue !== undefined ? '?' : ''
    return p.type === '' ? `${rest}${p.name}${opt}` : `${rest}${p.name}${opt}: ${p.type}`
  })
  const constructor = s.kindOf(ReflectionKind.ConstructorSignature)
  const returnType = constructor ? '' : typeText(s.type)
  const text = `${name}${typeParams(s.typeParameters)}(${params.join(', ')})${returnType === '' ? '' : `: ${returnType}`}`
  const comment = s.comment
  const doc = comment === undefined ? emptyDoc() : buildDoc(comment.summary, comment.blockTags, [...comment.modifierTags], ctx)
  return { text, parameters, returnType, doc }
}

function buildParameter(p: ParameterReflection, ctx: Ctx): ApiParameter {
  const doc = p.comment === undefined ? '' : partsToMarkdown(p.comment.summary, ctx).trim()
  const out: ApiParameter = { name: p.name, type: typeText(p.type), optional: p.flags.isOptional, rest: p.flags.isRest, doc }
  return p.defaultValue === undefined ? out : { ...out, defaultValue: p.defaultValue }
}

function typeParams(list: readonly TypeParameterReflection[] | undefined): string {
  if (list === undefined || list.length === 0) return ''
  return `<${list.map((t) => `${t.name}${t.type ? ` extends ${typeText(t.type)}` : ''}${t.default ? ` = ${typeText(t.default)}` : ''}`).join(', ')}>`
}

function typeText(t: SomeType | undefined): string {
  if (t === undefined) return ''
  // A function type: TypeDoc's text drops the `...` of rest parameters, so print its signatures here.
  const sigs = t.type === 'reflection' && (t.declaration.children ?? []).length === 0 ? t.declaration.signatures : undefined
  if (sigs !== undefined && sigs.length > 0) {
    const one = (s: SignatureReflection) => {
      const params = (s.parameters ?? []).map(
        (p) => `${p.flags.isRest ? '...' : ''}${p.name}${p.flags.isOptional ? '?' : ''}: ${typeText(p.type)}`,
      )
      return `${typeParams(s.typeParameters)}(${params.join(', ')}) => ${typeText(s.type)}`
    }
    return sigs.length === 1 ? one(sigs[0] as SignatureReflection) : sigs.map((x) => `(${one(x)})`).join(' & ')
  }
  return t.toString()
}

function sourceOf(r: DeclarationReflection, ctx: Ctx): ApiSource | undefined {
  const s = r.sources?.[0]
  if (s === undefined) return undefined
  const file = toPosix(path.relative(ctx.root, s.fullFileName))
  return ctx.base === undefined ? { file, line: s.line } : { file, line: s.line, url: `${ctx.base}${file}#L${s.line}` }
}

// ---------------------------------------------------------------------------------------------------------------
// Comments → Markdown

function emptyDoc(): ApiDoc {
  return { summary: '', firstSentence: '', examples: [], tags: [], modifiers: [] }
}

function docOf(r: DeclarationReflection, ctx: Ctx): ApiDoc {
  const c = r.comment ?? r.signatures?.[0]?.comment
  return c === undefined ? emptyDoc() : buildDoc(c.summary, c.blockTags, [...c.modifierTags], ctx)
}

function buildDoc(
  summaryParts: readonly CommentDisplayPart[],
  blockTags: readonly CommentTag[],
  modifiers: readonly string[],
  ctx: Ctx,
): ApiDoc {
  const summary = partsToMarkdown(summaryParts, ctx).trim()
  let returns: string | undefined
  let deprecated: string | undefined
  const examples: string[] = []
  const tags: ApiTag[] = []
  for (const t of blockTags) {
    const md = partsToMarkdown(t.content, ctx).trim()
    if (t.tag === '@returns' || t.tag === '@return') returns = md
    else if (t.tag === '@example') examples.push(md)
    else if (t.tag === '@deprecated') deprecated = md
    else if (t.tag !== '@param' && t.tag !== '@typeParam' && t.tag !== '@template') tags.push({ tag: t.tag.slice(1), markdown: md })
  }
  const mods = modifiers.map((m) => m.slice(1))
  if (deprecated !== undefined) mods.push('deprecated')
  const doc: ApiDoc = { summary, firstSentence: firstSentence(summary), examples, tags, modifiers: [...new Set(mods)].sort() }
  return {
    ...doc,
    ...(returns === undefined ? {} : { returns }),
    ...(deprecated === undefined || deprecated === '' ? {} : { deprecated }),
  }
}

/** Display parts as Markdown; `{@link X}` to a documented item becomes `[X](api:<slug>)`, otherwise a code span. */
function partsToMarkdown(parts: readonly CommentDisplayPart[], ctx: Ctx): string {
  let out = ''
  for (const p of parts) {
    if (p.kind === 'text' || p.kind === 'code') {
      out += p.text
    } else if (p.kind === 'inline-tag') {
      if (p.tag === '@link' || p.tag === '@linkcode' || p.tag === '@linkplain') {
        const label = p.text !== '' ? p.text : typeof p.target === 'object' && 'name' in p.target ? String(p.target.name) : ''
        const target = p.target
        const slug =
          typeof target === 'object' && target !== null && 'id' in target && typeof target.id === 'number'
            ? (ctx.slugs.get(target.id) ?? (target.parent === undefined ? undefined : ctx.slugs.get(target.parent.id)))
            : undefined
        const shown = p.tag === '@linkplain' ? label : `\`${label}\``
        if (slug !== undefined) out += `[${shown}](api:${slug})`
        else if (typeof target === 'string' && /^https?:/.test(target)) out += `[${label}](${target})`
        else out += shown
      } else {
        out += p.text
      }
    } else {
      out += p.text
    }
  }
  return out
}
