// @flowmark/docs/render: lays out a plot's pages with Graphviz WASM and emits the <flowmark-graph> markup, plus viewer assets.
import { createHash } from 'node:crypto'
import type { PlotJSON, PlotNode, PlotPage } from 'flowmark/plot'
import type { RenderedGraph } from '../core/types.ts'
import { GraphRenderer, type DotLayout } from './graphviz.ts'
import { escapeHtml } from '../core/html.ts'
import { jsonForScript, slug } from './markup.ts'
import { postProcessSvg, SvgFormatError, type SvgPageContext } from './svg.ts'

export { GraphRenderer, GraphLayoutError, FALLBACK_ENGINES, graphvizPackageVersion } from './graphviz.ts'
export { LayoutPool, LayoutTimeoutError } from './pool.ts'
export type { GraphRendererOptions, GraphvizLike, DotLayout, RendererStats } from './graphviz.ts'
export { postProcessSvg, nodeAriaLabel, SvgFormatError } from './svg.ts'
export type { SvgPageContext, ProcessedSvg } from './svg.ts'
export { viewerScript, viewerStyle, inlineScript, inlineStyle } from './assets.ts'
export { standalonePage } from './page.ts'
export type { StandalonePageOptions } from './page.ts'
export type { RenderedGraph } from '../core/types.ts'

/** Version of the `<flowmark-graph>` markup and JSON index (the `data-fm-version` attribute). */
export const MARKUP_VERSION = 1

/** Options of {@link renderPlot}. */
export interface RenderPlotOptions {
  /**
   * Element id of the graph, also the prefix of every id inside it and the first part of its deep links
   * (`#<id>:<page>:<node>`). Reduced to `[A-Za-z0-9_-]`. Default: `fm-` plus a hash of the plot, so the same plot
   * gets the same id on every build. Give distinct ids when one page shows the same plot twice.
   */
  readonly id?: string
  /** Accessible name of the graph (default: the root page's title). */
  readonly title?: string
  /** Accessible description (default: a sentence naming the kind of drawing and its size). */
  readonly description?: string
  /** The renderer to use (its cache and Graphviz instance); default: one shared renderer with the default cache. */
  readonly renderer?: GraphRenderer
}

/** One page's node as written into the JSON index of a `<flowmark-graph>`. */
export interface IndexNode {
  readonly id: string
  readonly label: string
  readonly kind: PlotNode['kind']
  readonly description?: string
  readonly page?: string
  readonly state?: NonNullable<PlotNode['state']>
}

/** One page as written into the JSON index. */
export interface IndexPage {
  readonly path: string
  readonly title: string
  readonly kind: PlotPage['kind']
  readonly parent?: string
  /** Element id of the page's `<section>`. */
  readonly section: string
  readonly nodes: readonly IndexNode[]
}

/** The JSON index of a `<flowmark-graph>` (in its `<script type="application/json" class="fm-index">`). */
export interface GraphIndex {
  readonly v: typeof MARKUP_VERSION
  readonly id: string
  readonly title: string
  readonly pages: readonly IndexPage[]
}

let shared: GraphRenderer | undefined
/** The renderer used when no `renderer` option is given (default cache directory, one Graphviz instance). */
export function defaultRenderer(): GraphRenderer {
  return (shared ??= new GraphRenderer())
}

/**
 * Lays out one DOT text with the shared renderer (cached; falls back to other engines when `engine` fails).
 * @param dot A complete DOT graph.
 * @param engine Graphviz layout engine (default `dot`).
 * @returns Graphviz's SVG, the engine used and fallback warnings.
 */
export function renderDot(dot: string, engine = 'dot'): Promise<DotLayout> {
  return defaultRenderer().layout(dot, engine)
}

/** The default element id of a plot: `fm-` plus 10 hex digits of a hash of its pages. */
export function plotId(plot: PlotJSON): string {
  const h = createHash('sha256')
  for (const p of plot.pages) h.update(JSON.stringify([p.path, p.engine, p.dot]))
  return `fm-${h.digest('hex').slice(0, 10)}`
}

/** Whether the DOT statement of the node whose `id` attribute is `dotId` makes it invisible. */
function invisible(dot: string, dotId: string): boolean {
  const quoted = JSON.stringify(dotId).slice(1, -1)
  for (const line of dot.split('\n')) {
    if (
      (line.includes(`id="${quoted}"`) || line.includes(`id=${dotId} `) || line.includes(`id=${dotId}]`)) &&
      /style="?[^"\]]*invis/.test(line)
    )
      return true
  }
  return false
}

function describe(plot: PlotJSON, title: string): string {
  const root = plot.pages[0] as PlotPage
  const count = root.nodes.length
  const what = root.kind === 'workflow' ? 'Workflow' : 'Dataflow model'
  const subs = plot.pages.length - 1
  return `${what} ${title}: ${count} node${count === 1 ? '' : 's'}${subs > 0 ? `, ${subs} sub-model page${subs === 1 ? '' : 's'}` : ''}.`
}

/**
 * Renders a plot to the `<flowmark-graph>` element: one `<section>` per page with its post-processed SVG (only the root
 * page visible without scripts; sub-pages reachable by `#<section id>` links through CSS `:target`) and a JSON index of
 * pages and nodes for the viewer's search, tooltips and deep links.
 *
 * The markup (version {@link MARKUP_VERSION}):
 * ```html
 * <flowmark-graph id="G" class="not-content" data-fm-version="1" data-fm-title="…" [data-fm-height="px"]>
 *   <section class="fm-page" role="group" id="G--p0" data-fm-path="" data-fm-kind="dmap|workflow" data-fm-width data-fm-height aria-label>
 *     <div class="fm-stage"><svg class="fm-svg" role="img" aria-labelledby="G-p0-title G-p0-desc">…</svg></div>
 *   </section>
 *   <section class="fm-page" role="group" id="G--p1" data-fm-path="S" hidden=""><nav class="fm-static-nav">…</nav>…</section>
 *   <script type="application/json" class="fm-index">{ v, id, title, pages: [{ path, title, kind, parent?, section, nodes }] }</script>
 * </flowmark-graph>
 * ```
 * Node groups: `<g class="node fm-node fm-kind-<kind> [fm-state-<state>] [fm-opens]" data-fm-node="<index in page.nodes>"
 * [data-fm-page="<path>"] aria-label="…">`; every id inside page `i` starts with `G-p<i>-`. The page needs the viewer
 * stylesheet ({@link viewerStyle}) for colours and themes, and the viewer module ({@link viewerScript}, once per page,
 * `<script type="module">`) for interactivity; without them the root SVG still shows in schedula's colours.
 * Deep links: `#G:<encoded page path>:<encoded node label>` (or `#G--p<i>` for a page).
 * @param plot The plot (`dsp.plot().toJSON()` or a `PlotJSON` from a doctest session).
 * @param options Element id, accessible title and description, renderer.
 * @returns The HTML and the warnings (engine fallbacks, nodes the SVG lacks).
 */
export async function renderPlot(plot: PlotJSON, options: RenderPlotOptions = {}): Promise<RenderedGraph> {
  if (plot.pages.length === 0) throw new TypeError('renderPlot: the plot has no pages; expected at least the root page (plot.pages[0])')
  const renderer = options.renderer ?? defaultRenderer()
  const id = options.id === undefined ? plotId(plot) : slug(options.id)
  const root = plot.pages[0] as PlotPage
  const title = options.title ?? root.title
  const sectionOf = new Map<string, string>()
  plot.pages.forEach((p, i) => {
    if (!sectionOf.has(p.path)) sectionOf.set(p.path, `${id}--p${i}`)
  })
  const warnings: string[] = []
  const where = (p: PlotPage): string => (p.path === '' ? `root page '${p.title}'` : `page '${p.path}'`)

  const layouts = await Promise.all(
    plot.pages.map(async (page) => {
      try {
        return await renderer.layout(page.dot, page.engine || 'dot')
      } catch (e) {
        if (e instanceof Error) e.message = `${where(page)} of graph '${title}': ${e.message}`
        throw e
      }
    }),
  )

  const sections: string[] = []
  const pages: IndexPage[] = []
  for (const [i, page] of plot.pages.entries()) {
    let layout = layouts[i] as DotLayout
    const section = `${id}--p${i}`
    const pageTitle = page.path === '' ? title : page.title
    const context: SvgPageContext = {
      prefix: `${id}-p${i}-`,
      nodes: page.nodes,
      title: pageTitle,
      description:
        page.path === ''
          ? (options.description ?? describe(plot, title))
          : `Sub-model ${page.title} (${page.kind}), ${page.nodes.length} nodes.`,
      pageHref: (path) => `#${sectionOf.get(path) ?? section}`,
      // A node's group keeps its DOT id behind the page's prefix (`<id>-p<k>-<dotId>`).
      nodeHref: (path, dotId) => {
        const k = plot.pages.findIndex((p) => p.path === path)
        return k < 0 || !plot.pages[k]?.nodes.some((n) => n.dotId === dotId) ? undefined : `#${id}-p${k}-${dotId}`
      },
    }
    let processed: ReturnType<typeof postProcessSvg>
    try {
      processed = postProcessSvg(layout.svg, context)
    } catch (e) {
      // A cached layout that does not parse (written by a broken build, say) is laid out again, never a failed build.
      if (!(e instanceof SvgFormatError) || !layout.cached) throw e
      layout = await renderer.layout(page.dot, page.engine || 'dot', { refresh: true })
      warnings.push(`${where(page)}: the cached layout was not valid SVG (${e.message}); laid out again`)
      processed = postProcessSvg(layout.svg, context)
    }
    for (const w of layout.warnings) warnings.push(`${where(page)}: ${w}`)
    // Invisible nodes (`style=invis`) are not drawn, so their absence is expected.
    const missing = processed.missingNodes.filter((d) => !invisible(page.dot, d))
    if (missing.length > 0) {
      warnings.push(
        `${where(page)}: no SVG node carries the id of ${missing.map((d) => JSON.stringify(d)).join(', ')}; those nodes get no tooltip or search hit`,
      )
    }
    for (const n of page.nodes) {
      if (n.page !== undefined && !sectionOf.has(n.page))
        warnings.push(`${where(page)}: node '${n.label}' opens page '${n.page}', which the plot lacks`)
    }
    const crumbs: string[] = []
    for (
      let p: PlotPage | undefined = page;
      p !== undefined;
      p = p.parent === undefined ? undefined : plot.pages.find((q) => q.path === p?.parent)
    ) {
      const name = p.path === '' ? title : p.title
      crumbs.unshift(
        p === page
          ? `<span aria-current="page">${escapeHtml(name)}</span>`
          : `<a href="#${escapeHtml(sectionOf.get(p.path) ?? '')}">${escapeHtml(name)}</a>`,
      )
      if (crumbs.length > 64) break
    }
    const nav =
      i === 0 ? '' : `<nav class="fm-static-nav" aria-label="Graph pages">${crumbs.join(' <span aria-hidden="true">›</span> ')}</nav>`
    sections.push(
      // role="group": a named <section> is a `region` landmark, and two drawings of one model on a page would repeat it.
      `<section class="fm-page" role="group" id="${section}" data-fm-path="${escapeHtml(page.path)}" data-fm-kind="${escapeHtml(page.kind)}"` +
        ` data-fm-width="${Math.round(processed.width)}" data-fm-height="${Math.round(processed.height)}"` +
        ` aria-label="${escapeHtml(`${pageTitle} (${page.kind})`)}"${i === 0 ? '' : ' hidden=""'}>` +
        `${nav}<div class="fm-stage">${processed.svg}</div></section>`,
    )
    pages.push({
      path: page.path,
      title: pageTitle,
      kind: page.kind,
      section,
      ...(page.parent === undefined ? {} : { parent: page.parent }),
      nodes: page.nodes.map((n) => ({
        id: n.dotId,
        label: n.label,
        kind: n.kind,
        ...(n.description === undefined ? {} : { description: n.description }),
        ...(n.page === undefined ? {} : { page: n.page }),
        ...(n.state === undefined ? {} : { state: n.state }),
      })),
    })
  }

  const index: GraphIndex = { v: MARKUP_VERSION, id, title, pages }
  const html =
    `<flowmark-graph id="${id}" class="not-content" data-fm-version="${MARKUP_VERSION}" data-fm-title="${escapeHtml(title)}">` +
    sections.join('') +
    `<script type="application/json" class="fm-index">${jsonForScript(index)}</script>` +
    `</flowmark-graph>`
  return { html, warnings }
}
