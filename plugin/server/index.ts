// @flowmark/docs/server: the graph viewer and API reference pages `flowmark/server` shows, served from this package.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Dispatcher } from 'flowmark'
import type { ViewerAsset, ViewerContext, ViewerProvider } from 'flowmark/server'
import { escapeHtml } from '../core/html.ts'
import { renderDot, renderPlot } from '../render/index.ts'
import { standalonePage } from '../render/page.ts'

/** Options of {@link docsViewer}. */
export interface DocsViewerOptions {
  /** Graphviz layout engine of the drawings (default `dot`). */
  readonly engine?: string
}

/** The swagger-ui files `/reference` loads, by the name they are served under (`/assets/<name>`). */
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

let swaggerDir: Promise<string> | undefined
/** The folder of the installed swagger-ui-dist (its own `getAbsoluteFSPath`). */
function swaggerUiDir(): Promise<string> {
  // @ts-expect-error -- swagger-ui-dist ships no types for its path helper (a CommonJS function export)
  const load = import('swagger-ui-dist/absolute-path.js') as Promise<{ default: () => string }>
  return (swaggerDir ??= load.then((m) => m.default()))
}

/** The script that starts swagger-ui on the page of `/reference` (a file, so the page needs no inline script). */
function referenceInit(): string {
  return `// Starts swagger-ui on the OpenAPI document named by the page (no validator badge: nothing leaves this origin).
const root = document.getElementById('reference')
window.SwaggerUIBundle({ url: root.dataset.spec, domNode: root, deepLinking: true, validatorUrl: null, tryItOutEnabled: true })
`
}

/** Links to the service's other endpoints, shown above the graph. */
function nav(context: ViewerContext): string {
  const l = context.links
  const a = (href: string, text: string): string => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`
  return `<nav aria-label="Service" style="margin-bottom:1rem">POST <code>/dispatch</code> · ${a(l.reference, 'API reference')} · ${a(l.openapi, 'OpenAPI document')} · ${a(l.model, 'portable model')} · ${a(l.svg, 'SVG')}</nav>`
}

/**
 * A viewer provider for `createApp(model, { viewer: docsViewer() })` of `flowmark/server` (and the one
 * `flowmark serve` loads by itself when this package is installed): `GET /` is the model's interactive
 * `<flowmark-graph>` (laid out by Graphviz WASM, the viewer script and style inlined), `GET /model.svg` its root page
 * as SVG, and `GET /reference` a swagger-ui reference of `/openapi.json`, its files served from this package under
 * `/assets/` (no CDN, no request to another origin). Drawings are made once per model and kept.
 * @param options Layout engine.
 */
export function docsViewer(options: DocsViewerOptions = {}): ViewerProvider {
  const pages = new WeakMap<Dispatcher, Promise<string>>()
  const svgs = new WeakMap<Dispatcher, Promise<string>>()
  const engine = options.engine ?? 'dot'
  const plotOf = (model: Dispatcher) => model.plot().toJSON()
  return {
    name: '@flowmark/docs',
    page(context) {
      let page = pages.get(context.model)
      if (page === undefined) {
        page = (async () => {
          const plot = plotOf(context.model)
          const graph = await renderPlot({ pages: plot.pages.map((p) => ({ ...p, engine: p.engine || engine })) }, { title: context.title })
          return standalonePage([nav(context), graph.html], {
            title: context.title,
            subtitle: 'A Flowmark model served over HTTP: its graph, its API.',
          })
        })()
        page.catch(() => pages.delete(context.model))
        pages.set(context.model, page)
      }
      return page
    },
    svg(context) {
      let svg = svgs.get(context.model)
      if (svg === undefined) {
        const root = plotOf(context.model).pages[0]!
        svg = renderDot(root.dot, root.engine || engine).then((layout) => layout.svg)
        svg.catch(() => svgs.delete(context.model))
        svgs.set(context.model, svg)
      }
      return svg
    },
    reference(context) {
      const assets = escapeHtml(context.links.assets)
      return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(context.title)} — API reference</title>
<link rel="stylesheet" href="${assets}swagger-ui.css">
</head>
<body>
<main id="reference" data-spec="${escapeHtml(context.links.openapi)}"></main>
<script src="${assets}swagger-ui-bundle.js"></script>
<script src="${assets}reference-init.js"></script>
</body>
</html>
`
    },
    async asset(name): Promise<ViewerAsset | undefined> {
      if (name === 'reference-init.js') return { body: referenceInit(), type: 'text/javascript; charset=utf-8' }
      const type = SWAGGER_FILES[name]
      if (type === undefined) return undefined
      const text = await readFile(join(await swaggerUiDir(), name), 'utf8')
      return { body: text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n').replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, ''), type }
    },
  }
}
