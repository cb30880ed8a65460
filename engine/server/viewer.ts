// The viewer seam of `flowmark/server`: what a graph-viewer provider gives (pages, SVG, assets) and the page without one.
import type { Dispatcher } from '../dispatcher.ts'

/** A file served under `/assets/` for the viewer's pages. */
export interface ViewerAsset {
  /** The file's content. */
  readonly body: string | Uint8Array
  /** Its media type, e.g. `text/javascript; charset=utf-8`. */
  readonly type: string
}

/** What a viewer provider is told about the model it draws and where the server's other pages are. */
export interface ViewerContext {
  /** The model served. */
  readonly model: Dispatcher
  /** The service's title (the model's name, or the `title` option). */
  readonly title: string
  /** Absolute paths (from the server's root, with its base path) of the other endpoints, for links. */
  readonly links: {
    readonly openapi: string
    readonly reference: string
    readonly model: string
    readonly svg: string
    readonly assets: string
  }
}

/**
 * Draws the served model for `GET /` and `GET /model.svg`, and may serve an API reference page for `GET /reference`.
 * `createApp(model, { viewer })` takes one; `@flowmark/docs/server` exports `docsViewer()`, built on Graphviz (WASM)
 * and the `<flowmark-graph>` viewer. A provider must not load anything from another origin (no CDN): its scripts and
 * styles are inlined or served from {@link ViewerProvider.asset}.
 */
export interface ViewerProvider {
  /** Short name for messages and the `/health` answer (e.g. `@flowmark/docs`). */
  readonly name: string
  /** The HTML document of `GET /`: the interactive graph of the model. */
  page(context: ViewerContext): Promise<string>
  /** The SVG of `GET /model.svg` (a static drawing of the model). */
  svg(context: ViewerContext): Promise<string>
  /** The HTML document of `GET /reference`: a readable API reference of `context.links.openapi`. */
  reference?(context: ViewerContext): string | Promise<string>
  /** A file under `/assets/` (`name` is the rest of the path, without `..`), or undefined when there is none. */
  asset?(name: string): Promise<ViewerAsset | undefined>
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** The page of `GET /` when no viewer is installed: what the service offers and how to get the graph viewer. */
export function noViewerPage(context: ViewerContext): string {
  const t = escapeHtml(context.title)
  const l = context.links
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${t}</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; } code { font-size: .95em; }</style>
</head>
<body>
<main>
<h1>${t}</h1>
<p>This Flowmark service answers <code>POST ${escapeHtml(l.model.replace(/model$/, 'dispatch'))}</code> with the solution of the model.
Its OpenAPI document is at <a href="${escapeHtml(l.openapi)}">${escapeHtml(l.openapi)}</a> and the portable model at
<a href="${escapeHtml(l.model)}">${escapeHtml(l.model)}</a>.</p>
<p>No graph viewer is installed, so this page cannot draw the model. Install the docs package beside flowmark and
restart the server: <code>npm install @flowmark/docs</code> (<code>flowmark serve</code> loads its viewer,
<code>@flowmark/docs/server</code>, by itself; from code, pass <code>createApp(model, { viewer: docsViewer() })</code>).</p>
</main>
</body>
</html>
`
}
