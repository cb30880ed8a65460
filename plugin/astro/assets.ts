// The graph viewer's browser script and style: hashed file names, the tags a graph page gets, dev serving, build output.
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** The viewer files as served to browsers. */
export interface ViewerAssets {
  /** Browser JavaScript (an ES module). */
  readonly js: string
  /** Stylesheet. */
  readonly css: string
  /** `viewer.<hash>.js`: the name changes whenever the content does, so it can be cached forever. */
  readonly jsName: string
  /** `viewer.<hash>.css`. */
  readonly cssName: string
}

/** URL folder (below Astro's `base`) the viewer files are served from. */
export const ASSET_DIR = '_flowmark'

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 10)

/**
 * Name the viewer files by their content hash.
 * @param js The viewer script.
 * @param css The viewer style.
 * @returns Both texts with their hashed file names.
 */
export function viewerAssets(js: string, css: string): ViewerAssets {
  return { js, css, jsName: `viewer.${digest(js)}.js`, cssName: `viewer.${digest(css)}.css` }
}

let loading: Promise<ViewerAssets> | undefined

/**
 * Load the viewer (once per process) from the renderer (`viewerScript()`, `viewerStyle()` of `plugin/render`).
 * Imported lazily so that sites without graphs never load the renderer.
 * @returns The hashed viewer files.
 */
export function loadViewerAssets(): Promise<ViewerAssets> {
  loading ??= import('../render/index.ts').then(async (render) => viewerAssets(await render.viewerScript(), await render.viewerStyle()))
  return loading
}

/**
 * Join Astro's `base` and a file of the viewer folder into an absolute URL path.
 * @param base `config.base` (`'/'`, `'/docs'`, `'/docs/'`).
 * @param name A file name inside {@link ASSET_DIR}.
 */
export function assetUrl(base: string, name: string): string {
  const b = base.endsWith('/') ? base : base + '/'
  return `${b.startsWith('/') ? b : '/' + b}${ASSET_DIR}/${name}`
}

/**
 * The tags a page with at least one graph gets, once: the viewer stylesheet and module script. Pages without a graph
 * get nothing, so they load no viewer code.
 * @param base `config.base`.
 * @param assets The hashed viewer files.
 * @returns HTML on one line (safe in Markdown and MDX output).
 */
export function assetTags(base: string, assets: ViewerAssets): string {
  return (
    `<link rel="stylesheet" href="${assetUrl(base, assets.cssName)}" data-flowmark-viewer>` +
    `<script type="module" src="${assetUrl(base, assets.jsName)}" data-flowmark-viewer></script>`
  )
}

/**
 * Connect-style middleware for `astro dev` that serves the viewer files under `<base>/_flowmark/`.
 * @param base `config.base`.
 * @returns The middleware.
 */
export function viewerMiddleware(base: string) {
  const prefix = assetUrl(base, '')
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '').split('?')[0] ?? ''
    if (!path.startsWith(prefix)) return next()
    const name = path.slice(prefix.length)
    loadViewerAssets().then(
      (a) => {
        const body = name === a.jsName ? a.js : name === a.cssName ? a.css : undefined
        if (body === undefined) {
          res.statusCode = 404
          res.end(`flowmark: no viewer file ${name} (current: ${a.jsName}, ${a.cssName})`)
          return
        }
        res.setHeader('Content-Type', name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8')
        res.setHeader('Cache-Control', 'no-cache')
        res.end(body)
      },
      (error: unknown) => {
        res.statusCode = 500
        res.end(`flowmark: the viewer could not be loaded: ${String(error)}`)
      },
    )
  }
}

/**
 * Write the viewer files into the build output (`<outDir>/_flowmark/`).
 * @param outDir The build's output folder (`dir` of `astro:build:done`).
 * @param assets The hashed viewer files.
 * @returns The written file URLs.
 */
export async function writeViewerAssets(outDir: URL, assets: ViewerAssets): Promise<URL[]> {
  const folder = new URL(`${ASSET_DIR}/`, outDir)
  await mkdir(folder, { recursive: true })
  const js = new URL(assets.jsName, folder)
  const css = new URL(assets.cssName, folder)
  await writeFile(js, assets.js)
  await writeFile(css, assets.css)
  return [js, css]
}
