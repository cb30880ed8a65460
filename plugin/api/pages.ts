// API pages: the page model (one page per module, one per item) and its Markdown, with dispatcher directives.
import path from 'node:path'
import type { NodeTableRow } from '../core/types.ts'
import type { ApiDocs } from './discover.ts'
import { HeadingSlugger, inlineCode, tableCell } from './text.ts'
import type { ApiDoc, ApiItem, ApiItemKind, ApiMember, ApiModule, ApiSignature, DispatcherDoc } from './types.ts'

/** Options of `apiPages`. */
export interface PagesOptions {
  /** URL prefix of the API pages, with leading and trailing slash (default `/api/`). Links are `<baseUrl><slug>/`. */
  readonly baseUrl?: string
  /**
   * Folder the Markdown files will be written to (e.g. `site/content/docs/api`). When set, `from=` attributes and
   * example imports are paths relative to each page's file; otherwise they are absolute paths.
   */
  readonly pagesDir?: string
  /** Overrides how a page imports a documented module: `(absoluteModuleFile, pageFile) => specifier`. */
  readonly importSpecifier?: (moduleFile: string, pageFile: string | undefined) => string
  /** Heading of the root index page (default `API reference`). */
  readonly title?: string
}

/** A generated page. */
export interface ApiPage {
  /** URL slug below `baseUrl` (`''` for the index of all modules). Stable: derived from module path and export name. */
  readonly slug: string
  /** Path of the Markdown file below `pagesDir`: `<slug>/index.md` for module pages and the root, else `<slug>.md`. */
  readonly file: string
  /** Page title (module name, or export name). */
  readonly title: string
  /** One-sentence description (frontmatter `description`). */
  readonly description: string
  /** What the page documents. */
  readonly kind: 'index' | 'module' | ApiItemKind
  /** Slug of the module the page belongs to (`''` for the root index). */
  readonly module: string
  /** Sidebar order inside its module (module page 0, then items in table order). */
  readonly order: number
  /** Sidebar label (frontmatter `sidebar.label`): `Overview` for module pages, else the title. */
  readonly sidebarLabel: string
  /** The page body (no frontmatter): Markdown with `:::testsetup` and `::dispatcher` directives. */
  readonly markdown: string
  /** The TypeScript file whose doc comments the page's examples come from, if it has examples. */
  readonly exampleSource?: string
  /** Link to the documented declaration's source (from `sourceBaseUrl`), if known. */
  readonly sourceUrl?: string
}

const SECTION: readonly [ApiItemKind, string, string][] = [
  ['function', 'Functions', 'Function'],
  ['class', 'Classes', 'Class'],
  ['interface', 'Interfaces', 'Interface'],
  ['type', 'Types', 'Type'],
  ['variable', 'Constants and variables', 'Name'],
  ['dispatcher', 'Dispatchers', 'Dispatcher'],
]

/**
 * Turns `api:<slug>` links (written by extraction and discovery) into page URLs.
 *
 * @param href A link target.
 * @param baseUrl URL prefix of the API pages.
 * @returns `<baseUrl><slug>/` for `api:` links (keeping a `#fragment`), other links unchanged.
 */
export function resolveApiHref(href: string, baseUrl = '/api/'): string {
  if (!href.startsWith('api:')) return href
  const [slug, fragment] = href.slice(4).split('#', 2) as [string, string | undefined]
  return `${baseUrl}${slug === '' ? '' : `${slug}/`}${fragment === undefined ? '' : `#${fragment}`}`
}

/** A Markdown table row; every cell is made one line with its pipes escaped (code spans included, as GFM wants). */
function row(...cells: string[]): string {
  return `| ${cells.map(tableCell).join(' | ')} |`
}

function resolveLinks(markdown: string, baseUrl: string): string {
  return markdown.replace(/\]\((api:[^)\s]*)\)/g, (_, href: string) => `](${resolveApiHref(href, baseUrl)})`)
}

/**
 * Builds the API pages: a root index of the modules, one page per module (summary tables of its functions, classes,
 * interfaces, types, constants and dispatchers: linked name and first sentence) and one page per item (declaration,
 * doc comment, parameters, returns, members, examples, source link; dispatcher pages also get a `::dispatcher`
 * directive that draws the model and the data / function / sub-dispatcher tables).
 *
 * Examples: a `> ` transcript is emitted as a `ts` fence (the doctest runner checks its output); any other code
 * example is shown, then repeated as a hidden `ts setup` fence (in a block scope) so that it runs. A page with examples starts with a
 * `:::testsetup` block importing the module's runtime exports that the examples use.
 *
 * @param docs What `discoverDispatchers` returned.
 * @param options URL prefix, output folder and import specifiers.
 * @returns The pages: the root index first, then each module page followed by its item pages.
 */
export function apiPages(docs: ApiDocs, options: PagesOptions = {}): ApiPage[] {
  const baseUrl = options.baseUrl ?? '/api/'
  const pageFile = (file: string) => (options.pagesDir === undefined ? undefined : path.resolve(options.pagesDir, file))
  const specifier = options.importSpecifier ?? ((moduleFile: string, page: string | undefined) => {
    if (page === undefined) return moduleFile
    const rel = path.relative(path.dirname(page), moduleFile).split(path.sep).join('/')
    return rel.startsWith('.') ? rel : `./${rel}`
  })
  const dispatchers = new Map(docs.dispatchers.map((d) => [d.slug, d]))
  const link = (text: string, href: string) => `[${text}](${resolveApiHref(href, baseUrl)})`
  const pages: ApiPage[] = []

  const index: string[] = []
  index.push('| Module | Description |', '|---|---|')
  for (const mod of docs.model.modules) {
    index.push(row(link(inlineCode(mod.name), `api:${mod.slug}`), resolveLinks(mod.doc?.firstSentence ?? '', baseUrl)))
  }
  pages.push({ slug: '', file: 'index.md', title: options.title ?? 'API reference', description: 'The documented modules.', kind: 'index', module: '', order: 0, sidebarLabel: options.title ?? 'API reference', markdown: `${index.join('\n')}\n` })

  for (const mod of docs.model.modules) {
    pages.push(modulePage(mod, baseUrl))
    mod.items.forEach((item, i) => {
      const file = `${item.slug}.md`
      const spec = specifier(mod.absoluteFile, pageFile(file))
      pages.push(itemPage(mod, item, i + 1, file, spec, dispatchers.get(item.slug), baseUrl, link))
    })
  }
  return pages
}

function modulePage(mod: ApiModule, baseUrl: string): ApiPage {
  const out: string[] = []
  if (mod.doc !== undefined && mod.doc.summary !== '') out.push(resolveLinks(mod.doc.summary, baseUrl), '')
  out.push(`Module file: ${inlineCode(mod.file)}.`, '')
  for (const [kind, heading] of SECTION) {
    const table = summaryTable(mod, [kind], { baseUrl })
    if (table !== '') out.push(`## ${heading}`, '', table, '')
  }
  return {
    slug: mod.slug,
    file: `${mod.slug}/index.md`,
    title: mod.name,
    description: mod.doc?.firstSentence || `The exports of ${mod.name}.`,
    kind: 'module',
    module: mod.slug,
    order: 0,
    sidebarLabel: 'Overview',
    markdown: out.join('\n'),
  }
}

/** Options of `summaryTable`. */
export interface SummaryTableOptions {
  /** URL prefix of the API pages (default `/api/`). */
  readonly baseUrl?: string
  /** Show the declaration (first line, e.g. `add(a: number, b: number): number`) instead of the bare name. */
  readonly signatures?: boolean
}

/**
 * An autosummary table of a module's items of the given kinds: the linked name (or signature) and the first
 * sentence. Module pages are made of these; a directive can embed one in any page.
 *
 * @param mod The module (from the model returned by `discoverDispatchers`, so that dispatchers have their kind).
 * @param kinds Which items to list, in the module's order (kind group, then name).
 * @param options Base URL and whether to show signatures.
 * @returns The Markdown table, or `''` when no item matches.
 */
export function summaryTable(mod: ApiModule, kinds: readonly ApiItemKind[], options: SummaryTableOptions = {}): string {
  const baseUrl = options.baseUrl ?? '/api/'
  const items = mod.items.filter((i) => kinds.includes(i.kind))
  if (items.length === 0) return ''
  const column = kinds.length === 1 ? (SECTION.find(([k]) => k === kinds[0])?.[2] ?? 'Name') : 'Name'
  const lines = [`| ${column} | Description |`, '|---|---|']
  for (const item of items) {
    const label = options.signatures === true && item.signatures[0] !== undefined ? item.signatures[0].text : item.name
    lines.push(row(`[${inlineCode(label)}](${resolveApiHref(`api:${item.slug}`, baseUrl)})`, resolveLinks(item.doc.firstSentence, baseUrl)))
  }
  return lines.join('\n')
}

function itemPage(
  mod: ApiModule, item: ApiItem, order: number, file: string, spec: string, dsp: DispatcherDoc | undefined,
  baseUrl: string, link: (t: string, h: string) => string,
): ApiPage {
  const out: string[] = []
  const examples: string[] = []
  const body = (md: string) => resolveLinks(md, baseUrl)

  out.push('```ts', item.kind === 'dispatcher' ? `const ${item.name}: Dispatcher` : item.declaration, '```', '')
  if (item.doc.deprecated !== undefined) out.push(`> **Deprecated.** ${body(item.doc.deprecated)}`, '')
  if (item.doc.modifiers.length > 0) out.push(`Tags: ${item.doc.modifiers.map((m) => inlineCode(`@${m}`)).join(', ')}`, '')

  if (dsp !== undefined) {
    if (item.doc.summary !== '') out.push(body(item.doc.summary), '')
    const own = dsp.description !== '' && dsp.description !== item.doc.summary ? `: ${body(dsp.description)}` : '.'
    out.push(`**Dispatcher** ${inlineCode(dsp.name)}${own}`, '')
    out.push(`::dispatcher{name=${item.name} from="${spec}" depth=-1}`, '')
    dispatcherTable(out, `${dsp.name}'s data`, 'Data node', dsp.tables.data, baseUrl)
    dispatcherTable(out, `${dsp.name}'s functions`, 'Function', dsp.tables.func, baseUrl)
    dispatcherTable(out, `${dsp.name}'s sub-dispatchers`, 'Sub-dispatcher', dsp.tables.dsp, baseUrl)
  } else if (item.doc.summary !== '') {
    out.push(body(item.doc.summary), '')
  }
  for (const relation of ['extends', 'implements'] as const) {
    const list = (item.heritage ?? []).filter((h) => h.relation === relation)
    if (list.length === 0) continue
    const names = list.map((h) => (h.slug === undefined ? inlineCode(h.type) : link(inlineCode(h.type), `api:${h.slug}`)))
    out.push(`${relation === 'extends' ? 'Extends' : 'Implements'} ${names.join(', ')}.`, '')
  }

  if (item.kind === 'function') {
    item.signatures.forEach((sig, i) => {
      if (item.signatures.length > 1) out.push(`## Overload ${i + 1}`, '', '```ts', sig.text, '```', '', body(sig.doc.summary), '')
      signatureDetails(out, sig, baseUrl)
      examples.push(...sig.doc.examples)
    })
    if (item.signatures.length > 1 || item.signatures[0]?.doc !== item.doc) examples.push(...item.doc.examples.filter((e) => !examples.includes(e)))
  } else {
    examples.push(...item.doc.examples)
  }
  tagsSection(out, item.doc, baseUrl)

  if (item.members.length > 0) membersSection(out, item.kind, item.members, baseUrl, examples)

  if (examples.length > 0) {
    out.push('## Examples', '')
    for (const ex of examples) out.push(exampleMarkdown(body(ex)), '')
  }
  if (item.source !== undefined) {
    const where = `${item.source.file}:${item.source.line}`
    out.push(`Source: ${item.source.url === undefined ? inlineCode(where) : `[${inlineCode(where)}](${item.source.url})`}`, '')
  }
  out.push(`Module: ${link(inlineCode(mod.name), `api:${mod.slug}`)}`, '')

  let markdown = out.join('\n')
  if (examples.length > 0 && importedNames(mod, examples).length > 0) {
    const names = importedNames(mod, examples)
    const setup = [':::testsetup', '```ts', `import { ${names.join(', ')} } from ${JSON.stringify(spec)}`, '```', ':::', '']
    markdown = `${setup.join('\n')}\n${markdown}`
  }
  const page: ApiPage = {
    slug: item.slug,
    file,
    title: item.name,
    description: item.doc.firstSentence || (dsp === undefined ? `${item.kind} ${item.name}` : dsp.description.split('\n')[0] ?? ''),
    kind: item.kind,
    module: mod.slug,
    order,
    sidebarLabel: item.name,
    markdown,
  }
  return {
    ...page,
    ...(examples.length > 0 && item.source !== undefined ? { exampleSource: item.source.file } : {}),
    ...(item.source?.url === undefined ? {} : { sourceUrl: item.source.url }),
  }
}

/**
 * The module's runtime exports that the examples use and do not declare themselves (a transcript's
 * `> const dsp = …` must not collide with an imported `dsp`), in table order.
 */
function importedNames(mod: ApiModule, examples: readonly string[]): string[] {
  const code = examples.join('\n')
  const escape = (n: string) => n.replace(/[$]/g, '\\$')
  return mod.items.filter((i) => {
    if (!i.runtime) return false
    const n = escape(i.name)
    // Not a property (`x.name`), but a spread (`...name`) counts.
    const used = new RegExp(`(?<![\\p{L}\\p{N}_$])(?<!(?:^|[^.])\\.)${n}(?![\\p{L}\\p{N}_$])`, 'u').test(code)
    const declared = new RegExp(`\\b(?:const|let|var|function|class)\\s+${n}(?![\\p{L}\\p{N}_$])`, 'u').test(code)
    return used && !declared
  }).map((i) => i.name)
}

function dispatcherTable(out: string[], heading: string, column: string, rows: readonly NodeTableRow[], baseUrl: string): void {
  if (rows.length === 0) return
  out.push(`## ${heading}`, '', `| ${column} | Description |`, '|---|---|')
  for (const r of rows) {
    const name = inlineCode(r.id)
    out.push(row(r.href === undefined ? name : `[${name}](${resolveApiHref(r.href, baseUrl)})`, resolveLinks(r.description, baseUrl)))
  }
  out.push('')
}

function signatureDetails(out: string[], sig: ApiSignature, baseUrl: string): void {
  if (sig.parameters.length > 0) {
    out.push('**Parameters**', '', '| Name | Type | Description |', '|---|---|---|')
    for (const p of sig.parameters) {
      const name = `${p.rest ? '...' : ''}${p.name}${p.optional || p.defaultValue !== undefined ? '?' : ''}`
      const def = p.defaultValue === undefined ? '' : ` Default: ${inlineCode(p.defaultValue)}.`
      out.push(row(inlineCode(name), p.type === '' ? '' : inlineCode(p.type), resolveLinks(p.doc, baseUrl) + def))
    }
    out.push('')
  }
  if (sig.returnType !== '' || sig.doc.returns !== undefined) {
    const parts = [sig.returnType === '' ? '' : inlineCode(sig.returnType), resolveLinks(sig.doc.returns ?? '', baseUrl)].filter(Boolean)
    out.push(`**Returns** ${parts.join(': ')}`, '')
  }
}

function tagsSection(out: string[], doc: ApiDoc, baseUrl: string): void {
  for (const t of doc.tags) {
    const label = t.tag.charAt(0).toUpperCase() + t.tag.slice(1)
    out.push(`**${label}** ${resolveLinks(t.markdown, baseUrl)}`, '')
  }
}

function membersSection(out: string[], kind: ApiItemKind, members: readonly ApiMember[], baseUrl: string, examples: string[]): void {
  // Interfaces: plain properties go into one table (name, type, description); everything else gets a section.
  const tabled = kind === 'interface' ? members.filter((m) => m.kind === 'property' && m.doc.examples.length === 0 && m.doc.tags.length === 0) : []
  const sectioned = members.filter((m) => !tabled.includes(m))
  if (tabled.length > 0) {
    out.push('## Properties', '', '| Property | Type | Description |', '|---|---|---|')
    for (const m of tabled) {
      const type = m.text.slice(m.text.indexOf(':') + 1).trim()
      const name = `${m.readonly ? 'readonly ' : ''}${m.name}${m.optional ? '?' : ''}`
      out.push(row(inlineCode(name), inlineCode(type), resolveLinks(m.doc.summary, baseUrl)))
    }
    out.push('')
  }
  if (sectioned.length === 0) return
  const slugger = new HeadingSlugger()
  if (tabled.length > 0) slugger.slug('Properties')
  slugger.slug('Members')
  const anchors = sectioned.map((m) => slugger.slug(m.name))
  out.push('## Members', '', '| Member | Description |', '|---|---|')
  sectioned.forEach((m, i) => out.push(row(`[${inlineCode(m.name)}](#${anchors[i] as string})`, resolveLinks(m.doc.firstSentence, baseUrl))))
  out.push('')
  for (const m of sectioned) {
    out.push(`### ${m.name}`, '', '```ts', m.text, '```', '')
    if (m.doc.summary !== '') out.push(resolveLinks(m.doc.summary, baseUrl), '')
    for (const sig of m.signatures) signatureDetails(out, sig, baseUrl)
    tagsSection(out, m.doc, baseUrl)
    for (const ex of m.doc.examples) if (!examples.includes(ex)) examples.push(ex)
  }
}

const FENCE = /^(`{3,}|~{3,})([^\n]*)\n([\s\S]*?)\n\1[ \t]*$/gm

/**
 * The Markdown of one `@example`: code fences in TypeScript or JavaScript are kept when they are `> ` transcripts
 * (the doctest runner checks them); other code fences are kept for display and repeated as a hidden `setup` fence
 * so that they run, wrapped in `{ … }` so that examples do not collide on their declarations (not when they import).
 * A line of such an example that ends with a `// throws …` comment must throw: it runs inside a check that fails
 * when it returns normally. An example without any fence is treated as TypeScript code.
 *
 * @param example The example's Markdown (as extraction stored it).
 * @returns Markdown for the page.
 */
export function exampleMarkdown(example: string): string {
  const text = /^(`{3,}|~{3,})/m.test(example) ? example : `\`\`\`ts\n${example}\n\`\`\``
  return text.replace(FENCE, (whole: string, fence: string, info: string, code: string) => {
    const lang = info.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
    if (!['ts', 'typescript', 'js', 'javascript', 'mts', 'mjs'].includes(lang)) return whole
    const first = code.split('\n').find((l) => l.trim() !== '') ?? ''
    if (first.startsWith('> ') || first === '>') return whole
    // Each example runs in its own block scope (two examples may both declare \`const dsp\`), unless it imports.
    const checked = code.split('\n').map(expectThrow).join('\n')
    const run = /^\s*import\s/m.test(code) ? checked : `{\n${checked}\n}`
    return `${whole}\n\n${fence}${lang} setup\n${run}\n${fence}`
  })
}

const THROWS = /^(\s*)(\S.*?);?\s*\/\/\s*throws\b.*$/

/** A line `stmt // throws …` of a code example: run `stmt` and fail unless it throws. Other lines are unchanged. */
function expectThrow(line: string): string {
  const m = THROWS.exec(line)
  if (m === null) return line
  const [, indent, stmt] = m as unknown as [string, string, string]
  const message = JSON.stringify(`the example says \`${stmt}\` throws, but it returned normally`)
  return `${indent}{ let threw = false; try { ${stmt} } catch { threw = true } if (!threw) throw new Error(${message}) }`
}

/**
 * A page as a Markdown file: YAML frontmatter (`title`, `description`, `sidebar.label` and `.order`, Starlight's `editUrl`:
 * the declaration's source link, or `false` since the generated file itself is not worth editing) and the body.
 *
 * @param page A generated page.
 * @returns The file content.
 */
export function pageToMarkdownFile(page: ApiPage): string {
  const fm = [
    '---',
    `title: ${JSON.stringify(page.title)}`,
    `description: ${JSON.stringify(page.description)}`,
    `editUrl: ${page.sourceUrl === undefined ? 'false' : JSON.stringify(page.sourceUrl)}`,
    'sidebar:',
    `  label: ${JSON.stringify(page.sidebarLabel)}`,
    `  order: ${page.order}`,
    '---',
    '',
  ]
  return `${fm.join('\n')}${page.markdown}`
}
