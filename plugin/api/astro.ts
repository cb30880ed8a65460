// The API pages' side of the Astro integration: option validation, the config:setup step, and the Starlight sidebar.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiError } from './errors.ts'
import type { ApiEntryPoint } from './extract.ts'
import { generateApi, syncApiPages, type GeneratedApi } from './index.ts'
import { apiPageId, registerApiPages } from './loader.ts'
import type { ApiPage } from './pages.ts'
import { nameError } from 'flowmark'

/** What a user writes under `flowmark({ api: … })`: the modules to document and where the pages go. */
export interface ApiPagesConfig {
  /** Entry points to document, relative to the project root (e.g. `['engine/index.ts']`). */
  readonly entryPoints: readonly ApiEntryPoint[]
  /** tsconfig.json, relative to the root (default `tsconfig.json` when it exists). */
  readonly tsconfig?: string
  /** Base URL of "source" links, e.g. `https://github.com/o/r/blob/main/`. */
  readonly sourceBaseUrl?: string
  /**
   * Write the pages as Markdown files into this folder (relative to the root) instead of serving them through
   * `apiPagesLoader` (the default, which writes nothing). Gitignore it.
   */
  readonly outDir?: string
  /** URL prefix the pages are served at (default `/api/`, matching the default `outDir` in Starlight). */
  readonly baseUrl?: string
  /** Title of the index page (default `API reference`). */
  readonly title?: string
}

/** Thrown for an unusable `api` option; the message names the field and what it accepts. */
export class ApiOptionsError extends ApiError {
  static {
    nameError(this, 'ApiOptionsError')
  }
}

const KNOWN = new Set(['entryPoints', 'tsconfig', 'sourceBaseUrl', 'outDir', 'baseUrl', 'title'])

/**
 * Checks the `api` option of the integration.
 *
 * @param input What the user passed.
 * @returns The same object, typed.
 * @throws ApiOptionsError naming the field at fault and the accepted values.
 */
export function validateApiConfig(input: unknown): ApiPagesConfig {
  const fail = (field: string, what: string): never => {
    throw new ApiOptionsError(`flowmark(): invalid option \`api.${field}\`: ${what}`)
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiOptionsError("flowmark(): invalid option `api`: expected an object such as { entryPoints: ['engine/index.ts'] }")
  }
  const o = input as Record<string, unknown>
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail(k, `unknown field; known: ${[...KNOWN].join(', ')}`)
  const eps = o.entryPoints
  if (!Array.isArray(eps) || eps.length === 0) fail('entryPoints', "expected a non-empty array of files, e.g. ['engine/index.ts']")
  ;(eps as unknown[]).forEach((e, i) => {
    const ok =
      typeof e === 'string' ||
      (typeof e === 'object' &&
        e !== null &&
        typeof (e as { file?: unknown }).file === 'string' &&
        ((e as { name?: unknown }).name === undefined || typeof (e as { name?: unknown }).name === 'string'))
    if (!ok) fail(`entryPoints[${i}]`, `expected a file path or { file, name? }, got ${JSON.stringify(e)}`)
  })
  for (const k of ['tsconfig', 'sourceBaseUrl', 'outDir', 'title'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') fail(k, `expected a string, got ${JSON.stringify(o[k])}`)
  }
  if (o.baseUrl !== undefined && (typeof o.baseUrl !== 'string' || !o.baseUrl.startsWith('/') || !o.baseUrl.endsWith('/'))) {
    fail('baseUrl', `expected a path with leading and trailing slashes such as '/api/', got ${JSON.stringify(o.baseUrl)}`)
  }
  return o as unknown as ApiPagesConfig
}

/** The parts of Astro's `astro:config:setup` hook parameters the API step uses. */
export interface ApiSetupContext {
  /** Astro's resolved config: the project root and `srcDir` (pages are rendered as if in `<srcDir>/content/docs/<base>`). */
  readonly config: { readonly root: URL; readonly srcDir: URL }
  /** Registers a file whose change restarts the dev server (here: every TypeScript source of the documented API). */
  readonly addWatchFile?: (file: string | URL) => void
  /** The integration's logger: one info line per run, one warning per left-out export or TypeDoc warning. */
  readonly logger: { info(message: string): void; warn(message: string): void }
}

/** What `setupApiPages` did. */
export interface ApiSetupResult extends GeneratedApi {
  /** Collection id prefix of the pages (`api` for `/api/`). */
  readonly idPrefix: string
  /** Absolute paths of the TypeScript sources the pages depend on (to watch in dev). */
  readonly watchFiles: readonly string[]
  /** The folder the files were written to, when `outDir` was given; otherwise undefined (served by the loader). */
  readonly outDir: string | undefined
}

/**
 * Runs in `astro:config:setup` (or Starlight's `config:setup`): generates the API pages and hands them to
 * `apiPagesLoader` (nothing is written), or, with `outDir`, writes them there as Markdown files (only changed files
 * are written, stale ones removed). Registers the documented modules' sources as watch files (so `astro dev` restarts
 * and regenerates when they change), and logs what it did and any warnings.
 *
 * @param config The validated `api` option.
 * @param context `config`, `addWatchFile` and `logger` of the hook.
 * @returns The pages, the collection id prefix and the files to watch.
 */
export async function setupApiPages(config: ApiPagesConfig, context: ApiSetupContext): Promise<ApiSetupResult> {
  const started = performance.now()
  const root = fileURLToPath(context.config.root)
  const baseUrl = config.baseUrl ?? '/api/'
  const idPrefix = baseUrl.replace(/^\/+|\/+$/g, '')
  const common = {
    entryPoints: config.entryPoints,
    root,
    ...(config.tsconfig === undefined ? {} : { tsconfig: config.tsconfig }),
    ...(config.sourceBaseUrl === undefined ? {} : { sourceBaseUrl: config.sourceBaseUrl }),
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    ...(config.title === undefined ? {} : { title: config.title }),
  }
  let api: GeneratedApi
  let where: string
  let outDir: string | undefined
  if (config.outDir !== undefined) {
    const synced = await syncApiPages({ ...common, outDir: config.outDir })
    api = synced
    outDir = path.resolve(root, config.outDir)
    where = `${synced.written.length} written, ${synced.removed.length} removed in ${config.outDir}`
  } else {
    // Rendered as if they were files of the docs collection, so their relative imports are what files there would use.
    const pagesDir = path.join(fileURLToPath(context.config.srcDir), 'content/docs', idPrefix)
    api = await generateApi({ ...common, pagesDir })
    registerApiPages(root, { pages: api.pages, pagesDir, idPrefix })
    where = 'served by apiPagesLoader'
  }
  const watchFiles = api.model.sourceFiles.map((f) => path.join(root, f))
  for (const file of watchFiles) context.addWatchFile?.(file)
  for (const w of api.model.warnings) context.logger.warn(`API pages: ${w}`)
  const how = api.model.stats.cached
    ? `from cache${api.pagesCached ? '' : ', dispatchers and pages built again'}`
    : `TypeDoc ${api.model.stats.durationMs.toFixed(0)} ms`
  context.logger.info(`API pages: ${api.pages.length} pages (${where}), ${(performance.now() - started).toFixed(0)} ms (${how})`)
  return { ...api, idPrefix, watchFiles, outDir }
}

/** A Starlight sidebar entry: a page id, a link, or a group (the subset of Starlight's sidebar items used here). */
export type SidebarItem = string | { readonly label: string; readonly link: string } | SidebarGroup

/** A Starlight sidebar group (an `autogenerate` entry may have no label when it is the only item of a group). */
export interface SidebarGroup {
  readonly label?: string
  readonly collapsed?: boolean
  readonly items?: readonly SidebarItem[]
  readonly autogenerate?: { readonly directory: string; readonly collapsed?: boolean }
}

/**
 * The API pages as Starlight sidebar items: the index page, then one collapsed group per module (its overview page,
 * then one collapsed group per kind: Functions, Classes, Interfaces, Types, Constants and variables, Dispatchers).
 * Starlight opens the groups that hold the current page.
 *
 * @param pages The generated pages (index first, then each module page and its items).
 * @param idPrefix Collection id prefix of the pages (`api`).
 * @returns The sidebar items.
 */
export function apiSidebarItems(pages: readonly ApiPage[], idPrefix: string): SidebarItem[] {
  const items: SidebarItem[] = []
  const index = pages.find((p) => p.kind === 'index')
  if (index !== undefined) items.push(apiPageId(index, idPrefix))
  for (const mod of pages.filter((p) => p.kind === 'module')) {
    const groups = new Map<string, string[]>()
    for (const p of pages) {
      if (p.module !== mod.module || p.kind === 'module' || p.kind === 'index') continue
      const list = groups.get(p.group) ?? []
      list.push(apiPageId(p, idPrefix))
      groups.set(p.group, list)
    }
    const kinds = [...groups].map(([label, ids]): SidebarGroup => ({ label, collapsed: true, items: ids }))
    items.push({ label: mod.title, collapsed: true, items: [apiPageId(mod, idPrefix), ...kinds] })
  }
  return items
}

/**
 * Replaces, in a Starlight sidebar, the entries that autogenerate from the API pages' folder (`{ autogenerate: {
 * directory: 'api' } }`, alone or as the only item of a group) with `apiSidebarItems`. Other entries are kept.
 *
 * @param sidebar Starlight's `sidebar` option.
 * @param pages The generated pages.
 * @param idPrefix Collection id prefix of the pages (`api`).
 * @returns The new sidebar, or undefined when no entry autogenerates from the API folder.
 */
export function withApiSidebar(
  sidebar: readonly SidebarItem[] | undefined,
  pages: readonly ApiPage[],
  idPrefix: string,
): SidebarItem[] | undefined {
  if (sidebar === undefined) return undefined
  let replaced = false
  const isApi = (item: SidebarItem): boolean =>
    typeof item === 'object' && 'autogenerate' in item && item.autogenerate?.directory.replace(/^\/+|\/+$/g, '') === idPrefix
  const visit = (item: SidebarItem): SidebarItem => {
    if (typeof item !== 'object' || 'link' in item) return item
    if (isApi(item) || (item.items?.length === 1 && isApi(item.items[0] as SidebarItem))) {
      replaced = true
      const { autogenerate: _, ...rest } = item
      return { ...rest, items: apiSidebarItems(pages, idPrefix) }
    }
    return item.items === undefined ? item : { ...item, items: item.items.map(visit) }
  }
  const out = sidebar.map(visit)
  return replaced ? out : undefined
}
