// API pages: the page model (one page per module, one per item) built as mdast, with dispatcher directives.
import path from 'node:path'
import GithubSlugger from 'github-slugger'
import type { PhrasingContent, Table } from 'mdast'
import type { NodeTableRow } from '../core/types.ts'
import type { ApiDocs } from './discover.ts'
import {
  code,
  containerDirective,
  fence,
  frontMatter,
  heading,
  leafDirective,
  link as linkNode,
  paragraph,
  parseDoc,
  parseInline,
  serialize,
  table,
  text,
  type BlockNode,
} from './markdown.ts'
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
  /** Sidebar group of an item page: the plural of its kind (`Functions`, `Classes`, …); `''` for index and module pages. */
  readonly group: string
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

/** Builds the mdast of pages: links resolved against the base URL, doc Markdown parsed. */
class Builder {
  readonly baseUrl: string
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl
  }

  readonly href = (url: string): string => resolveApiHref(url, this.baseUrl)
  /** Doc Markdown as blocks. */
  doc(markdown: string): BlockNode[] {
    return parseDoc(markdown, this.href)
  }
  /** Doc Markdown as one line of inline content. */
  inline(markdown: string): PhrasingContent[] {
    return parseInline(markdown, this.href)
  }
  /** A code span linking to an API page (`api:<slug>`) or any URL; plain code when `href` is undefined. */
  codeLink(label: string, href: string | undefined): PhrasingContent {
    return href === undefined ? code(label) : linkNode(this.href(href), code(label))
  }
}

/**
 * Builds the API pages: a root index of the modules, one page per module (summary tables of its functions, classes,
 * interfaces, types, constants and dispatchers: linked name and first sentence) and one page per item (declaration,
 * doc comment, parameters, returns, members, examples, source link; dispatcher pages also get a `::dispatcher`
 * directive that draws the model and the data / function / sub-dispatcher tables). Each page is built as mdast and
 * serialised with `mdast-util-to-markdown`, so `|`, backticks, `<`, `*` and the like in signatures and doc comments
 * are escaped as Markdown needs.
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
  const b = new Builder(options.baseUrl ?? '/api/')
  const pageFile = (file: string) => (options.pagesDir === undefined ? undefined : path.resolve(options.pagesDir, file))
  const specifier =
    options.importSpecifier ??
    ((moduleFile: string, page: string | undefined) => {
      if (page === undefined) return moduleFile
      const rel = path.relative(path.dirname(page), moduleFile).split(path.sep).join('/')
      return rel.startsWith('.') ? rel : `./${rel}`
    })
  const dispatchers = new Map(docs.dispatchers.map((d) => [d.slug, d]))
  const pages: ApiPage[] = []

  const index = table(
    ['Module', 'Description'],
    docs.model.modules.map((mod) => [[b.codeLink(mod.name, `api:${mod.slug}`)], b.inline(mod.doc?.firstSentence ?? '')]),
  )
  const title = options.title ?? 'API reference'
  pages.push({
    slug: '',
    file: 'index.md',
    title,
    description: 'The documented modules.',
    kind: 'index',
    module: '',
    order: 0,
    sidebarLabel: title,
    group: '',
    markdown: serialize([index]),
  })

  for (const mod of docs.model.modules) {
    pages.push(modulePage(mod, b))
    mod.items.forEach((item, i) => {
      const file = `${item.slug}.md`
      const spec = specifier(mod.absoluteFile, pageFile(file))
      pages.push(itemPage(mod, item, i + 1, file, spec, dispatchers.get(item.slug), b))
    })
  }
  return pages
}

function modulePage(mod: ApiModule, b: Builder): ApiPage {
  const out: BlockNode[] = []
  if (mod.doc !== undefined && mod.doc.summary !== '') out.push(...b.doc(mod.doc.summary))
  out.push(paragraph(text('Module file: '), code(mod.file), text('.')))
  for (const [kind, heading_] of SECTION) {
    const t = summaryTableNode(mod, [kind], false, b)
    if (t !== undefined) out.push(heading(2, text(heading_)), t)
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
    group: '',
    markdown: serialize(out),
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
  const t = summaryTableNode(mod, kinds, options.signatures === true, new Builder(options.baseUrl ?? '/api/'))
  return t === undefined ? '' : serialize([t]).trimEnd()
}

function summaryTableNode(mod: ApiModule, kinds: readonly ApiItemKind[], signatures: boolean, b: Builder): Table | undefined {
  const items = mod.items.filter((i) => kinds.includes(i.kind))
  if (items.length === 0) return undefined
  const column = kinds.length === 1 ? (SECTION.find(([k]) => k === kinds[0])?.[2] ?? 'Name') : 'Name'
  return table(
    [column, 'Description'],
    items.map((item) => {
      const label = signatures && item.signatures[0] !== undefined ? item.signatures[0].text : item.name
      return [[b.codeLink(label, `api:${item.slug}`)], b.inline(item.doc.firstSentence)]
    }),
  )
}

function itemPage(
  mod: ApiModule,
  item: ApiItem,
  order: number,
  file: string,
  spec: string,
  dsp: DispatcherDoc | undefined,
  b: Builder,
): ApiPage {
  const out: BlockNode[] = []
  const examples: string[] = []

  out.push(fence('ts', item.kind === 'dispatcher' ? `const ${item.name}: Dispatcher` : item.declaration))
  if (item.doc.deprecated !== undefined) {
    out.push({
      type: 'blockquote',
      children: [paragraph({ type: 'strong', children: [text('Deprecated.')] }, text(' '), ...b.inline(item.doc.deprecated))],
    })
  }
  if (item.doc.modifiers.length > 0)
    out.push(
      paragraph(
        text('Tags: '),
        ...joined(
          item.doc.modifiers.map((m) => [code(`@${m}`)]),
          ', ',
        ),
      ),
    )

  if (dsp !== undefined) {
    if (item.doc.summary !== '') out.push(...b.doc(item.doc.summary))
    const own = dsp.description !== '' && dsp.description !== item.doc.summary ? [text(': '), ...b.inline(dsp.description)] : [text('.')]
    out.push(paragraph({ type: 'strong', children: [text('Dispatcher')] }, text(' '), code(dsp.name), ...own))
    out.push(leafDirective('dispatcher', { name: item.name, from: spec, depth: '-1' }))
    dispatcherTable(out, 'Data nodes', 'Data node', dsp.tables.data, b)
    dispatcherTable(out, 'Functions', 'Function', dsp.tables.func, b)
    dispatcherTable(out, 'Sub-dispatchers', 'Sub-dispatcher', dsp.tables.dsp, b)
  } else if (item.doc.summary !== '') {
    out.push(...b.doc(item.doc.summary))
  }
  for (const relation of ['extends', 'implements'] as const) {
    const list = (item.heritage ?? []).filter((h) => h.relation === relation)
    if (list.length === 0) continue
    const names = list.map((h) => [b.codeLink(h.type, h.slug === undefined ? undefined : `api:${h.slug}`)])
    out.push(paragraph(text(`${relation === 'extends' ? 'Extends' : 'Implements'} `), ...joined(names, ', '), text('.')))
  }

  if (item.kind === 'function') {
    item.signatures.forEach((sig, i) => {
      if (item.signatures.length > 1) out.push(heading(2, text(`Overload ${i + 1}`)), fence('ts', sig.text), ...b.doc(sig.doc.summary))
      signatureDetails(out, sig, b)
      examples.push(...sig.doc.examples)
    })
    if (item.signatures.length > 1 || item.signatures[0]?.doc !== item.doc)
      examples.push(...item.doc.examples.filter((e) => !examples.includes(e)))
  } else {
    examples.push(...item.doc.examples)
  }
  tagsSection(out, item.doc, b)

  if (item.members.length > 0) membersSection(out, item.kind, item.members, b, examples)

  if (examples.length > 0) {
    out.push(heading(2, text('Examples')))
    for (const ex of examples) out.push(...exampleNodes(ex, b))
  }
  if (item.source !== undefined) {
    const where = `${item.source.file}:${item.source.line}`
    out.push(paragraph(text('Source: '), item.source.url === undefined ? code(where) : linkNode(item.source.url, code(where))))
  }
  out.push(paragraph(text('Module: '), b.codeLink(mod.name, `api:${mod.slug}`)))

  const names = examples.length > 0 ? importedNames(mod, examples) : []
  if (names.length > 0) {
    out.unshift(containerDirective('testsetup', [fence('ts', `import { ${names.join(', ')} } from ${JSON.stringify(spec)}`)]))
  }
  const page: ApiPage = {
    slug: item.slug,
    file,
    title: item.name,
    description: item.doc.firstSentence || (dsp === undefined ? `${item.kind} ${item.name}` : (dsp.description.split('\n')[0] ?? '')),
    kind: item.kind,
    module: mod.slug,
    order,
    sidebarLabel: item.name,
    group: SECTION.find(([k]) => k === item.kind)?.[1] ?? '',
    markdown: serialize(out),
  }
  return {
    ...page,
    ...(examples.length > 0 && item.source !== undefined ? { exampleSource: item.source.file } : {}),
    ...(item.source?.url === undefined ? {} : { sourceUrl: item.source.url }),
  }
}

function joined(parts: readonly PhrasingContent[][], separator: string): PhrasingContent[] {
  return parts.flatMap((p, i) => (i === 0 ? p : [text(separator), ...p]))
}

/**
 * The module's runtime exports that the examples use and do not declare themselves (a transcript's
 * `> const dsp = …` must not collide with an imported `dsp`), in table order.
 */
function importedNames(mod: ApiModule, examples: readonly string[]): string[] {
  const code_ = examples.join('\n')
  const escape = (n: string) => n.replace(/[$]/g, '\\$')
  return mod.items
    .filter((i) => {
      if (!i.runtime) return false
      const n = escape(i.name)
      // Not a property (`x.name`), but a spread (`...name`) counts.
      const used = new RegExp(`(?<![\\p{L}\\p{N}_$])(?<!(?:^|[^.])\\.)${n}(?![\\p{L}\\p{N}_$])`, 'u').test(code_)
      const declared = new RegExp(`\\b(?:const|let|var|function|class)\\s+${n}(?![\\p{L}\\p{N}_$])`, 'u').test(code_)
      return used && !declared
    })
    .map((i) => i.name)
}

function dispatcherTable(out: BlockNode[], title: string, column: string, rows: readonly NodeTableRow[], b: Builder): void {
  if (rows.length === 0) return
  out.push(
    heading(2, text(title)),
    table(
      [column, 'Description'],
      rows.map((r) => [[b.codeLink(r.id, r.href)], b.inline(r.description)]),
    ),
  )
}

function signatureDetails(out: BlockNode[], sig: ApiSignature, b: Builder): void {
  if (sig.parameters.length > 0) {
    out.push(paragraph({ type: 'strong', children: [text('Parameters')] }))
    out.push(
      table(
        ['Name', 'Type', 'Description'],
        sig.parameters.map((p) => {
          const name = `${p.rest ? '...' : ''}${p.name}${p.optional || p.defaultValue !== undefined ? '?' : ''}`
          const doc = b.inline(p.doc)
          const def =
            p.defaultValue === undefined ? [] : [text(doc.length > 0 ? ' Default: ' : 'Default: '), code(p.defaultValue), text('.')]
          return [[code(name)], p.type === '' ? [] : [code(p.type)], [...doc, ...def]]
        }),
      ),
    )
  }
  if (sig.returnType !== '' || sig.doc.returns !== undefined) {
    const type = sig.returnType === '' ? [] : [code(sig.returnType)]
    const doc = b.inline(sig.doc.returns ?? '')
    out.push(
      paragraph(
        { type: 'strong', children: [text('Returns')] },
        text(' '),
        ...type,
        ...(type.length > 0 && doc.length > 0 ? [text(': ')] : []),
        ...doc,
      ),
    )
  }
}

function tagsSection(out: BlockNode[], doc: ApiDoc, b: Builder): void {
  for (const t of doc.tags) {
    const label = t.tag.charAt(0).toUpperCase() + t.tag.slice(1)
    out.push(paragraph({ type: 'strong', children: [text(label)] }, text(' '), ...b.inline(t.markdown)))
  }
}

function membersSection(out: BlockNode[], kind: ApiItemKind, members: readonly ApiMember[], b: Builder, examples: string[]): void {
  // Interfaces: plain properties go into one table (name, type, description); everything else gets a section.
  const tabled =
    kind === 'interface' ? members.filter((m) => m.kind === 'property' && m.doc.examples.length === 0 && m.doc.tags.length === 0) : []
  const sectioned = members.filter((m) => !tabled.includes(m))
  // Heading ids as Astro gives them: github-slugger over the page's headings in order.
  const slugger = new GithubSlugger()
  for (const node of out) if (node.type === 'heading') slugger.slug(plainText(node.children))
  if (tabled.length > 0) {
    slugger.slug('Properties')
    out.push(
      heading(2, text('Properties')),
      table(
        ['Property', 'Type', 'Description'],
        tabled.map((m) => {
          const type = m.text.slice(m.text.indexOf(':') + 1).trim()
          const name = `${m.readonly ? 'readonly ' : ''}${m.name}${m.optional ? '?' : ''}`
          return [[code(name)], [code(type)], b.inline(m.doc.summary)]
        }),
      ),
    )
  }
  if (sectioned.length === 0) return
  slugger.slug('Members')
  const anchors = sectioned.map((m) => slugger.slug(m.name))
  out.push(
    heading(2, text('Members')),
    table(
      ['Member', 'Description'],
      sectioned.map((m, i) => [[linkNode(`#${anchors[i] as string}`, code(m.name))], b.inline(m.doc.firstSentence)]),
    ),
  )
  for (const m of sectioned) {
    out.push(heading(3, text(m.name)), fence('ts', m.text))
    if (m.doc.summary !== '') out.push(...b.doc(m.doc.summary))
    for (const sig of m.signatures) signatureDetails(out, sig, b)
    tagsSection(out, m.doc, b)
    for (const ex of m.doc.examples) if (!examples.includes(ex)) examples.push(ex)
  }
}

function plainText(nodes: readonly PhrasingContent[]): string {
  return nodes.map((n) => ('value' in n ? n.value : 'children' in n ? plainText(n.children) : '')).join('')
}

const CODE_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mts', 'mjs'])

/**
 * The blocks of one `@example`: code fences in TypeScript or JavaScript are kept when they are `> ` transcripts
 * (the doctest runner checks them); other code fences are kept for display and followed by a hidden `setup` copy
 * so that they run, wrapped in `{ … }` so that examples do not collide on their declarations (not when they import).
 * A line of such an example that ends with a `// throws …` comment must throw: it runs inside a check that fails
 * when it returns normally. An example without any fence is treated as TypeScript code.
 */
function exampleNodes(example: string, b: Builder): BlockNode[] {
  const source = /^(`{3,}|~{3,})/m.test(example) ? example : `\`\`\`ts\n${example}\n\`\`\``
  return b.doc(source).flatMap((node): BlockNode[] => {
    if (node.type !== 'code') return [node]
    const lang = node.lang?.toLowerCase() ?? ''
    if (!CODE_LANGS.has(lang)) return [node]
    const first = node.value.split('\n').find((l) => l.trim() !== '') ?? ''
    if (first.startsWith('> ') || first === '>') return [node]
    // Each example runs in its own block scope (two examples may both declare `const dsp`), unless it imports.
    const checked = node.value.split('\n').map(expectThrow).join('\n')
    const run = /^\s*import\s/m.test(node.value) ? checked : `{\n${checked}\n}`
    return [node, fence(lang, run, 'setup')]
  })
}

/**
 * The Markdown of one `@example` (see `apiPages`): transcripts are kept as they are (the doctest runner checks
 * them); other TypeScript or JavaScript fences are shown and repeated as a hidden `setup` fence that runs them.
 *
 * @param example The example's Markdown (as extraction stored it).
 * @param baseUrl URL prefix of the API pages, for `api:` links in the example's text (default `/api/`).
 * @returns Markdown for the page.
 */
export function exampleMarkdown(example: string, baseUrl = '/api/'): string {
  return serialize(exampleNodes(example, new Builder(baseUrl))).trimEnd()
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
 * The front matter of a page: `title`, `description`, Starlight's `editUrl` (the declaration's source link, or
 * `false` since the generated page itself is not worth editing) and `sidebar` (`label`, `order`).
 *
 * @param page A generated page.
 * @returns The fields, as Starlight's docs schema reads them.
 */
export function pageFrontMatter(page: ApiPage): {
  title: string
  description: string
  editUrl: string | false
  sidebar: { label: string; order: number }
} {
  return {
    title: page.title,
    description: page.description,
    editUrl: page.sourceUrl ?? false,
    sidebar: { label: page.sidebarLabel, order: page.order },
  }
}

/**
 * A page as a Markdown file: YAML front matter (see `pageFrontMatter`) and the body.
 *
 * @param page A generated page.
 * @returns The file content.
 */
export function pageToMarkdownFile(page: ApiPage): string {
  return `${frontMatter(pageFrontMatter(page))}${page.markdown}`
}
