// Autosummary-style API pages: extract (TypeDoc), discover dispatchers, build pages, write them as Markdown files.
/**
 * Flowmark's API pages, in the spirit of Sphinx autosummary plus schedula's dispatcher pages.
 *
 * Pipeline: `extractApi` (TypeDoc → plain `ApiModel`, cached on disk by source hash) → `discoverDispatchers`
 * (imports the modules, turns exported `Dispatcher` values into `dispatcher` items with plot and node tables) →
 * `apiPages` (one page per module with summary tables, one per item) → `writeApiPages` (Markdown files with
 * frontmatter). `syncApiPages` does all of it.
 *
 * Routing (approach A of the research notes): write the files into the docs collection, e.g.
 * `site/content/docs/api/`, and let Starlight route them: `<slug>.md` (module pages `<slug>/index.md`) is served
 * at `/api/<slug>/`, which is what `baseUrl: '/api/'` links to. The Markdown goes through the normal Flowmark
 * pipeline: `:::testsetup` + example fences run as doctests, `::dispatcher{name=… from=…}` draws the model. For
 * a content loader or `injectRoute` instead, use `generateApi` and render `page.markdown` yourself.
 *
 * @example
 * ```ts
 * // In the integration's astro:config:setup hook:
 * const api = await syncApiPages({ entryPoints: ['engine/index.ts'], root, outDir: 'site/content/docs/api' })
 * for (const file of api.watchFiles) addWatchFile(file)
 * ```
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { discoverDispatchers, type ApiDocs, type DiscoverOptions } from './discover.ts'
import { ApiError } from './errors.ts'
import { API_CACHE_DIR, extractApi, type ExtractOptions } from './extract.ts'
import { pagesSlot, readPages, writePages } from './pages-cache.ts'
import { apiPages, pageToMarkdownFile, type ApiPage, type PagesOptions } from './pages.ts'

export { extractApi } from './extract.ts'
export type { ApiEntryPoint, ExtractOptions } from './extract.ts'
export { discoverDispatchers, isDispatcher } from './discover.ts'
export type { ApiDocs, DiscoverOptions } from './discover.ts'
export { describeNode, dispatcherTables } from './describe.ts'
export type { DocLookup, FunctionDocs } from './describe.ts'
export { apiPages, exampleMarkdown, pageFrontMatter, pageToMarkdownFile, resolveApiHref, summaryTable } from './pages.ts'
export type { ApiPage, PagesOptions, SummaryTableOptions } from './pages.ts'
export { firstSentence, slugify } from './text.ts'
export { ApiDiscoveryError, ApiError, ApiExtractionError, ApiSlugCollisionError } from './errors.ts'
export type * from './types.ts'

/** Options of `generateApi`: extraction, discovery and page options together. */
export interface GenerateApiOptions extends ExtractOptions, DiscoverOptions, PagesOptions {}

/** What `generateApi` returns. */
export interface GeneratedApi extends ApiDocs {
  /** The pages, root index first. */
  readonly pages: readonly ApiPage[]
  /** The dispatcher docs and pages came from the cache: no documented module was imported. */
  readonly pagesCached: boolean
}

/**
 * The whole pipeline: `extractApi` → `discoverDispatchers` → `apiPages`. With the cache on (`cache`, and no custom
 * `importModule`), the docs and pages are stored beside the extracted model and reused while the model, the content
 * of every file the entry points import, npm's lockfile, the options and Flowmark's code are unchanged.
 *
 * @param options Entry points, tsconfig, root, source base URL, cache, module loader, base URL and pages folder.
 * @returns The model, the dispatcher docs, the runtime values and the pages.
 */
export async function generateApi(options: GenerateApiOptions): Promise<GeneratedApi> {
  const model = await extractApi(options)
  const root = path.resolve(options.root ?? process.cwd())
  const slot = pagesSlot(model, options, root, options.cache === false ? undefined : path.resolve(root, options.cache ?? API_CACHE_DIR))
  const hit = slot === undefined ? undefined : readPages(slot, model.stats)
  if (hit !== undefined) return { ...hit, pagesCached: true }
  const docs = await discoverDispatchers(model, options)
  const pages = apiPages(docs, options)
  if (slot !== undefined) writePages(slot, docs, pages)
  return { ...docs, pages, pagesCached: false }
}

/** Options of `syncApiPages`: `generateApi` options plus the folder to write. */
export interface SyncApiOptions extends GenerateApiOptions {
  /** Folder of the generated Markdown files, relative to `root` (e.g. `site/content/docs/api`; gitignore it). */
  readonly outDir: string
}

/** What `syncApiPages` did. */
export interface SyncApiResult extends GeneratedApi {
  /** Absolute paths of the files written (changed or new) and removed (stale). */
  readonly written: readonly string[]
  readonly removed: readonly string[]
  /** Absolute paths of the TypeScript sources the pages depend on (to watch in dev). */
  readonly watchFiles: readonly string[]
  /** Wall time of the whole sync (ms). */
  readonly durationMs: number
}

/**
 * Generates the API pages and writes them below `outDir` (`pagesDir` defaults to it, so `from=` attributes and
 * example imports are relative to each file). This is what the Astro integration calls in `astro:config:setup`.
 *
 * @param options Entry points and the output folder, plus any `generateApi` option.
 * @returns The generated API, the files written and removed, and the files to watch.
 */
export async function syncApiPages(options: SyncApiOptions): Promise<SyncApiResult> {
  const started = performance.now()
  const root = path.resolve(options.root ?? process.cwd())
  const outDir = path.resolve(root, options.outDir)
  const api = await generateApi({ ...options, root, pagesDir: options.pagesDir ?? outDir })
  const { written, removed } = writeApiPages(api.pages, outDir)
  const watchFiles = api.model.sourceFiles.map((f) => path.join(root, f))
  return { ...api, written, removed, watchFiles, durationMs: performance.now() - started }
}

const MARKER = '.flowmark-api'

/**
 * Writes the pages as Markdown files (with frontmatter) below `dir`, e.g. `site/content/docs/api`. Only files whose
 * content changed are rewritten, and `.md` files of pages that no longer exist are removed. The folder is owned by
 * the generator: it holds a `.flowmark-api` marker, and a non-empty folder without the marker is refused.
 *
 * @param pages What `apiPages` / `generateApi` returned.
 * @param dir The output folder (gitignore it).
 * @returns The files written or removed (absolute paths), for logging.
 * @throws ApiError when `dir` holds files that the generator did not write.
 */
export function writeApiPages(pages: readonly ApiPage[], dir: string): { written: string[]; removed: string[] } {
  const root = path.resolve(dir)
  if (existsSync(root) && readdirSync(root).length > 0 && !existsSync(path.join(root, MARKER))) {
    throw new ApiError(
      `writeApiPages: ${root} is not empty and was not created by the API generator (no ${MARKER} file); choose an empty folder or remove it`,
    )
  }
  mkdirSync(root, { recursive: true })
  writeFileSync(path.join(root, MARKER), 'Generated by flowmark API pages: every .md file here is rewritten or removed on each build.\n')
  const written: string[] = []
  const keep = new Set<string>()
  for (const page of pages) {
    const file = path.join(root, page.file)
    keep.add(file)
    const content = pageToMarkdownFile(page)
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, content)
    written.push(file)
  }
  const removed: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) {
        walk(p)
        if (readdirSync(p).length === 0) rmSync(p, { recursive: true })
      } else if (e.name.endsWith('.md') && !keep.has(p)) {
        rmSync(p)
        removed.push(p)
      }
    }
  }
  walk(root)
  return { written, removed }
}

export { ApiOptionsError, apiSidebarItems, setupApiPages, validateApiConfig, withApiSidebar } from './astro.ts'
export type { ApiPagesConfig, ApiSetupContext, ApiSetupResult, SidebarGroup, SidebarItem } from './astro.ts'
export { apiPageId, apiPagesLoader, registerApiPages, registeredApiPages } from './loader.ts'
export type { RegisteredApiPages } from './loader.ts'
