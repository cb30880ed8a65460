// Turns a Flowmark directive plus its session result into replacement mdast: shown code, graph, description, tables.
import type { BlockContent, Data, DefinitionContent, Html, Paragraph, PhrasingContent } from 'mdast'
import type { ContainerDirective } from 'mdast-util-directive'
import { pathSegment } from 'flowmark/plot'
import type { PlotJSON } from 'flowmark/plot'
import { drawIdOf } from './collect.ts'
import { DISPATCHER, parseDispatcher, type BlockDirective, type DispatcherSpec } from './directive.ts'
import { codeLang, parseFenceMeta } from './fence.ts'
import { diagnostic, startOf, type FileInfo } from './file.ts'
import { escapeHtml, htmlAttributes } from './html.ts'
import type { Diagnostic, DrawResult, NodeTableRow, RenderedGraph, SessionReport } from './types.ts'

/** Options the core passes to the renderer (a subset of `plugin/render`'s `RenderPlotOptions`). */
export interface RenderRequestOptions {
  /** Element id of the graph (the directive's `id` attribute), when the author gave one. */
  readonly id?: string
  /** Accessible name of the graph: the drawn value's title. */
  readonly title?: string
}

/** Renders a plot to HTML: `renderPlot` of `plugin/render`, or any function of the same shape (tests, caches). */
export type RenderPlot = (plot: PlotJSON, options?: RenderRequestOptions) => Promise<RenderedGraph>

/**
 * Wraps a renderer for one page so that a plot drawn twice on the page gets distinct element ids: the renderer's
 * default id is a hash of the plot, and two equal ids would break the second graph's links. The first drawing of a
 * plot keeps the default; later ones get `<title>-2`, `<title>-3`… (deterministic). Explicit ids pass through.
 * @param render The renderer.
 * @returns A renderer to use for the directives of one page.
 */
export function perPageRenderer(render: RenderPlot): RenderPlot {
  const seen = new Map<string, number>()
  return (plot, options) => {
    if (options?.id !== undefined) return render(plot, options)
    const key = JSON.stringify(plot)
    const count = (seen.get(key) ?? 0) + 1
    seen.set(key, count)
    if (count === 1) return render(plot, options)
    const base = (options?.title ?? plot.pages[0]?.title ?? 'graph').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'graph'
    return render(plot, { ...options, id: `${base}-${count}` })
  }
}

/** What {@link transformDirective} needs besides the node. */
export interface DirectiveContext {
  /** The page. */
  readonly file: FileInfo
  /** The page's session report (`undefined` when the session did not run: nothing is drawn). */
  readonly report: SessionReport | undefined
  /** The graph renderer. */
  readonly renderPlot: RenderPlot
  /** Fallback for draw ids on trees without positions (the directive's index among drawing directives). */
  readonly ordinal?: number
}

/** The pieces of a replaced directive, for adapters that assemble their own output (e.g. raw HTML for MDX). */
export interface DirectiveParts {
  /** Children kept in document order: prose, shown code fences (as `code` nodes for the site's highlighter). */
  readonly content: readonly (BlockContent | DefinitionContent)[]
  /** The graph area (`<div class="flowmark-dispatcher__graph">` around the renderer's element, or an error note). */
  readonly graphHtml: string
  /** The caption (the directive's `[label]`), if any. */
  readonly caption: readonly PhrasingContent[] | undefined
  /** Description and node tables, `''` when none were asked for. */
  readonly aboutHtml: string
}

/** The result of transforming one directive. */
export type DirectiveOutput =
  /** `:::testsetup` / `:::testcleanup`: remove the node, nothing is shown. */
  | { readonly kind: 'remove'; readonly diagnostics: readonly Diagnostic[] }
  /** `dispatcher`: replace the node with `node` (a `containerDirective` claimed through `data.hName = 'figure'`). */
  | {
      readonly kind: 'replace'
      readonly node: ContainerDirective
      readonly parts: DirectiveParts
      readonly diagnostics: readonly Diagnostic[]
    }

/** Table headings and caption nouns, by table kind. */
const TABLES: Readonly<Record<'data' | 'func' | 'dsp', { readonly heading: string; readonly noun: string }>> = {
  data: { heading: 'Data node', noun: 'Data nodes' },
  func: { heading: 'Function', noun: 'Functions' },
  dsp: { heading: 'Sub-dispatcher', noun: 'Sub-dispatchers' },
}

/**
 * The possessive of a title, schedula's rule: `dsp's`, but `models'`.
 * @param title A name.
 * @returns The possessive form.
 */
export function possessive(title: string): string {
  return title.endsWith('s') ? `${title}’` : `${title}’s`
}

/**
 * Writes one node table as an HTML table: caption (`Data nodes of <title>`, `Functions of …`, `Sub-dispatchers of
 * …`), a header row, one row per node with the id and its one-sentence description. The id links to the row's
 * `href` when it has one; otherwise a sub-dispatcher links to its own page of the drawn graph (`#<section id>`) when
 * `sections` knows it.
 * @param kind Which table.
 * @param title The drawn value's title (for the caption).
 * @param rows The rows.
 * @param sections Section ids of the graph's pages by page path (see `pageSections`).
 * @returns The HTML.
 */
export function tableHtml(
  kind: 'data' | 'func' | 'dsp',
  title: string,
  rows: readonly NodeTableRow[],
  sections: ReadonlyMap<string, string> = new Map(),
): string {
  const { heading, noun } = TABLES[kind]
  const caption = `${noun} of ${title}`
  if (rows.length === 0) {
    return `<p class="flowmark-table flowmark-table--empty" data-flowmark-table="${kind}">${escapeHtml(caption)}: none.</p>`
  }
  const body = rows
    .map((row) => {
      const id = `<code>${escapeHtml(row.id)}</code>`
      const section = kind === 'dsp' ? sections.get(pathSegment(row.id)) : undefined
      const href = row.href ?? (section === undefined ? undefined : `#${section}`)
      const cell = href ? `<a${htmlAttributes({ href })}>${id}</a>` : id
      return `<tr><td>${cell}</td><td>${escapeHtml(row.description)}</td></tr>`
    })
    .join('\n')
  return (
    `<table class="flowmark-table" data-flowmark-table="${kind}">\n<caption>${escapeHtml(caption)}</caption>\n` +
    `<thead><tr><th scope="col">${heading}</th><th scope="col">Description</th></tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`
  )
}

/**
 * The section id of each page of a rendered graph, by page path, from the renderer's JSON index
 * (`<script class="fm-index">`); links to `#<section id>` work with scripts off (CSS `:target`) and in the viewer.
 * @param markup The renderer's HTML.
 * @returns Page path → section id (empty when the markup has no index).
 */
export function pageSections(markup: string): Map<string, string> {
  const sections = new Map<string, string>()
  const json = /<script type="application\/json" class="fm-index">([\s\S]*?)<\/script>/.exec(markup)?.[1]
  if (json) {
    try {
      const index = JSON.parse(json) as { pages?: { path?: unknown; section?: unknown }[] }
      for (const page of index.pages ?? []) {
        if (typeof page.path === 'string' && typeof page.section === 'string') sections.set(page.path, page.section)
      }
    } catch {
      // An index that does not parse only costs the links.
    }
  }
  return sections
}

/**
 * Writes a description as paragraphs (blank lines separate paragraphs).
 * @param text Plain text.
 * @returns The HTML.
 */
export function descriptionHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p class="flowmark-dispatcher__description">${escapeHtml(p.trim())}</p>`)
    .join('\n')
}

/** Escapes text and turns `code spans` into `<code>` elements. */
function inlineHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')
}

/**
 * A diagnostic message as shown on the page: the file's path (absolute on the build machine) reduced to its name,
 * and code frames (the source line with a `^` marker under it) dropped.
 * @param message The diagnostic message.
 * @param path The page's path.
 * @returns The text for readers.
 */
export function readerMessage(message: string, path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  const name = path.slice(cut + 1)
  const dir = cut > 0 ? path.slice(0, cut + 1) : undefined
  const lines = message.split('\n')
  const kept = lines.filter((line, i) => !/^\s*\^+\s*$/.test(line) && !/^\s*\^+\s*$/.test(lines[i + 1] ?? ''))
  let text = kept.join('\n').replaceAll(path, name)
  if (dir) text = text.replaceAll(dir, './')
  return text.replace(/\n{2,}/g, '\n').trim()
}

/** An error note shown in place of a graph (text with `code spans`; line breaks kept). */
function errorNote(title: string, lines: readonly string[]): string {
  const items = lines.map((l) => `<li>${inlineHtml(l).replaceAll('\n', '<br>')}</li>`).join('')
  return `<div class="flowmark-dispatcher__error" role="alert"><strong>${inlineHtml(title)}</strong>${items ? `<ul>${items}</ul>` : ''}</div>`
}

/** The `about` part: description and tables, as the spec asks (sub-dispatchers link to their pages of the graph). */
function aboutHtml(spec: DispatcherSpec, draw: DrawResult, sections: ReadonlyMap<string, string>): string {
  const parts: string[] = []
  const text = typeof spec.description === 'string' ? spec.description : spec.description ? draw.description : undefined
  if (text) parts.push(descriptionHtml(text))
  for (const kind of spec.tables) parts.push(tableHtml(kind, draw.title, draw.tables[kind] ?? [], sections))
  return parts.length > 0 ? `<div class="flowmark-dispatcher__about">\n${parts.join('\n')}\n</div>` : ''
}

/**
 * The `data` that makes mdast-util-to-hast render a node as the given element (`hName` / `hProperties`, declared
 * by mdast-util-to-hast, which this module does not import). Directive nodes with `data` set are also left alone
 * by Starlight's directive restoration and kept by Sätteri.
 * @param hName Element name.
 * @param hProperties Element properties (hast style: `className` as an array).
 * @returns The node data.
 */
export function elementData(hName: string, hProperties: Readonly<Record<string, string | readonly string[]>>): Data {
  return { hName, hProperties } as Data
}

/**
 * Sets the viewer's maximum stage height (`data-fm-height`, CSS pixels) on the first `<flowmark-graph>` element of
 * the renderer's markup, replacing any value already there.
 * @param markup The renderer's HTML.
 * @param height Pixels.
 * @returns The markup with the attribute set (unchanged when it holds no `<flowmark-graph>`).
 */
export function withMaxHeight(markup: string, height: number): string {
  return markup.replace(/<flowmark-graph\b([^>]*)>/, (_tag, attrs: string) => {
    const kept = attrs.replace(/\sdata-fm-height="[^"]*"/, '')
    return `<flowmark-graph${kept} data-fm-height="${height}">`
  })
}

/**
 * The index of a plot's pages (schedula's `index`): a nested list following the sub-model structure, each entry
 * linking to its page's `<section>` when the renderer's JSON index (`<script class="fm-index">`) names it; those
 * links work with scripts off (CSS `:target`) and in the viewer (it follows `#<section id>`).
 * @param plot The plot that was rendered.
 * @param markup The renderer's HTML (its JSON index gives the section ids).
 * @param title The drawn value's title (for the accessible name).
 * @returns A `<nav class="flowmark-dispatcher__index">`.
 */
export function pageIndexHtml(plot: PlotJSON, markup: string, title: string): string {
  const sections = pageSections(markup)
  const children = new Map<string | undefined, PlotJSON['pages'][number][]>()
  for (const page of plot.pages) children.set(page.parent, [...(children.get(page.parent) ?? []), page])
  const list = (parent: string | undefined): string => {
    const pages = children.get(parent) ?? []
    if (pages.length === 0) return ''
    return `<ul>${pages
      .map((page) => {
        const section = sections.get(page.path)
        const label = escapeHtml(page.title)
        const entry = section ? `<a${htmlAttributes({ href: `#${section}` })}>${label}</a>` : label
        return `<li>${entry}${list(page.path)}</li>`
      })
      .join('')}</ul>`
  }
  return `<nav class="flowmark-dispatcher__index"${htmlAttributes({ 'aria-label': `Pages of ${title}` })}>${list(undefined)}</nav>`
}

/** An mdast `html` node. */
function html(value: string): Html {
  return { type: 'html', value }
}

/**
 * Transforms one Flowmark directive after the page's session ran. `:::testsetup` / `:::testcleanup` are removed.
 * A `dispatcher` becomes a `<figure class="flowmark-dispatcher">` (a `containerDirective` claimed with
 * `data.hName`, so Starlight's directive restoration leaves it alone) holding, in order: the container's prose and,
 * with `code`, its TS/JS fences as ordinary `code` nodes; the rendered graph; the caption from `[label]`; the
 * description and tables asked for. Attribute problems are not reported here (`collectPage` reports them); the
 * diagnostics are about drawing: a missing draw result, renderer failures and warnings.
 * @param node The directive, as found in the tree.
 * @param context The page, its session report and the renderer.
 * @returns What to do with the node.
 */
export async function transformDirective(node: BlockDirective, context: DirectiveContext): Promise<DirectiveOutput> {
  if (node.name !== DISPATCHER) return { kind: 'remove', diagnostics: [] }
  const { file, report } = context
  const diagnostics: Diagnostic[] = []
  const parsed = parseDispatcher(node, file)
  const spec = parsed.spec
  const showCode = spec ? spec.code : true
  const label = spec?.label ?? undefined

  const content: (BlockContent | DefinitionContent)[] = []
  if (node.type === 'containerDirective') {
    node.children.forEach((child, index) => {
      if (index === 0 && child.type === 'paragraph' && (child.data as { directiveLabel?: boolean } | undefined)?.directiveLabel) return
      if (child.type === 'code' && codeLang(child.lang)) {
        if (showCode && !parseFenceMeta(child.meta).hide) content.push(child)
        return
      }
      content.push(child)
    })
  }

  let graphHtml: string
  let about = ''
  let sections: ReadonlyMap<string, string> = new Map()
  const start = startOf(node)
  if (!spec) {
    graphHtml = errorNote(
      `This \`${node.type === 'leafDirective' ? '::' : ':::'}dispatcher\` block has errors; nothing is drawn.`,
      parsed.diagnostics
        .filter((d) => d.severity === 'error')
        .sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
        .map((d) => `${d.start.line}:${d.start.column}: ${d.message}`),
    )
  } else {
    const id = drawIdOf(node, context.ordinal)
    const draw = report?.draws.get(id)
    if (!draw) {
      const related = (report?.diagnostics ?? []).filter((d) => d.start.line === start.line)
      if (related.length === 0) {
        diagnostics.push(
          diagnostic(
            file,
            'error',
            'directive-draw',
            start,
            report
              ? `The session drew nothing for \`${spec.name}\` (block ${id}); check that the code defines \`${spec.name}\` and that it has a \`plot()\` method.`
              : `The page's session did not run, so \`${spec.name}\` is not drawn.`,
          ),
        )
      }
      graphHtml = errorNote(
        `\`${spec.name}\` could not be drawn.`,
        (related.length > 0 ? related : diagnostics).map((d) => readerMessage(d.message, file.path)),
      )
    } else {
      try {
        const rendered = await context.renderPlot(draw.plot, spec.id ? { id: spec.id, title: draw.title } : { title: draw.title })
        for (const warning of rendered.warnings)
          diagnostics.push(diagnostic(file, 'warning', 'render-warning', start, `Drawing \`${spec.name}\`: ${warning}`))
        sections = pageSections(rendered.html)
        const graph = spec.height === undefined ? rendered.html : withMaxHeight(rendered.html, spec.height)
        const index = spec.index ? pageIndexHtml(draw.plot, rendered.html, draw.title) : ''
        graphHtml = `<div${htmlAttributes({ class: 'flowmark-dispatcher__graph', style: spec.width ? `width:${spec.width}` : undefined })}>${graph}${index}</div>`
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause)
        diagnostics.push(diagnostic(file, 'error', 'render-error', start, `Rendering the graph of \`${spec.name}\` failed: ${reason}`))
        graphHtml = errorNote(`\`${spec.name}\` could not be rendered.`, [readerMessage(reason, file.path)])
      }
      about = aboutHtml(spec, draw, sections)
    }
  }

  const children: (BlockContent | DefinitionContent)[] = [...content, html(graphHtml)]
  if (label) {
    const caption: Paragraph = {
      type: 'paragraph',
      children: [...label],
      data: elementData('figcaption', { className: ['flowmark-dispatcher__caption'] }),
    }
    children.push(caption)
  }
  if (about) children.push(html(about))
  const className = ['flowmark-dispatcher', ...(spec?.className ? spec.className.split(/\s+/) : [])]
  const hProperties: Record<string, string | string[]> = { className }
  if (spec) hProperties['dataFlowmarkName'] = spec.name
  const replacement: ContainerDirective = {
    type: 'containerDirective',
    name: DISPATCHER,
    attributes: node.attributes ?? {},
    children,
    data: elementData('figure', hProperties),
    ...(node.position ? { position: node.position } : {}),
  }
  return { kind: 'replace', node: replacement, parts: { content, graphHtml, caption: label, aboutHtml: about }, diagnostics }
}
