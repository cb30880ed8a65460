// The API pages' side of the Astro integration: option validation and the config:setup step (sync, watch, log).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiError } from './errors.ts'
import type { ApiEntryPoint } from './extract.ts'
import { syncApiPages, type SyncApiResult } from './index.ts'

/** What a user writes under `flowmark({ api: … })`: the modules to document and where the pages go. */
export interface ApiPagesConfig {
  /** Entry points to document, relative to the project root (e.g. `['engine/index.ts']`). */
  readonly entryPoints: readonly ApiEntryPoint[]
  /** tsconfig.json, relative to the root (default `tsconfig.json` when it exists). */
  readonly tsconfig?: string
  /** Base URL of "source" links, e.g. `https://github.com/o/r/blob/main/`. */
  readonly sourceBaseUrl?: string
  /** Folder of the generated pages, relative to the root (default `<srcDir>/content/docs/api`). Gitignore it. */
  readonly outDir?: string
  /** URL prefix the pages are served at (default `/api/`, matching the default `outDir` in Starlight). */
  readonly baseUrl?: string
  /** Title of the index page (default `API reference`). */
  readonly title?: string
}

/** Thrown for an unusable `api` option; the message names the field and what it accepts. */
export class ApiOptionsError extends ApiError {
  override name = 'ApiOptionsError'
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
    throw new ApiOptionsError('flowmark(): invalid option `api`: expected an object such as { entryPoints: [\'engine/index.ts\'] }')
  }
  const o = input as Record<string, unknown>
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail(k, `unknown field; known: ${[...KNOWN].join(', ')}`)
  const eps = o.entryPoints
  if (!Array.isArray(eps) || eps.length === 0) fail('entryPoints', 'expected a non-empty array of files, e.g. [\'engine/index.ts\']')
  ;(eps as unknown[]).forEach((e, i) => {
    const ok = typeof e === 'string' || (typeof e === 'object' && e !== null && typeof (e as { file?: unknown }).file === 'string'
      && ((e as { name?: unknown }).name === undefined || typeof (e as { name?: unknown }).name === 'string'))
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
  /** Astro's resolved config: the project root and `srcDir` (the default `outDir` is `<srcDir>/content/docs/api`). */
  readonly config: { readonly root: URL; readonly srcDir: URL }
  /** Registers a file whose change restarts the dev server (here: every TypeScript source of the documented API). */
  readonly addWatchFile: (file: string | URL) => void
  /** The integration's logger: one info line per sync, one warning per left-out export or TypeDoc warning. */
  readonly logger: { info(message: string): void; warn(message: string): void }
}

/**
 * Runs in `astro:config:setup`: generates the API pages into the docs collection (only changed files are written,
 * stale ones removed), registers the TypeScript sources as watch files (so `astro dev` restarts and regenerates when
 * they change), and logs what it did and any warnings.
 *
 * @param config The validated `api` option.
 * @param context `config`, `addWatchFile` and `logger` of the hook.
 * @returns The sync result (pages, dispatchers, files written and removed).
 */
export async function setupApiPages(config: ApiPagesConfig, context: ApiSetupContext): Promise<SyncApiResult> {
  const root = fileURLToPath(context.config.root)
  const outDir = config.outDir ?? path.relative(root, path.join(fileURLToPath(context.config.srcDir), 'content/docs/api'))
  const result = await syncApiPages({
    entryPoints: config.entryPoints,
    root,
    outDir,
    ...(config.tsconfig === undefined ? {} : { tsconfig: config.tsconfig }),
    ...(config.sourceBaseUrl === undefined ? {} : { sourceBaseUrl: config.sourceBaseUrl }),
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    ...(config.title === undefined ? {} : { title: config.title }),
  })
  for (const file of result.watchFiles) context.addWatchFile(file)
  for (const w of result.model.warnings) context.logger.warn(`API pages: ${w}`)
  const how = result.model.stats.cached ? 'from cache' : `TypeDoc ${result.model.stats.durationMs.toFixed(0)} ms`
  context.logger.info(`API pages: ${result.pages.length} pages (${result.written.length} written, ${result.removed.length} removed) in ${outDir}, ${result.durationMs.toFixed(0)} ms (${how})`)
  return result
}
