// flowmark/astro: the Astro integration (both Markdown processors, .md and .mdx) and its Starlight plugin wrapper.
import { fileURLToPath } from 'node:url'
import { mkdir, writeFile, readFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import type { AstroIntegration } from 'astro'
import remarkDirective from 'remark-directive'
import { resolveOptions, type FlowmarkOptions } from './options.ts'
import { detectProcessor, installAdapters, dedupeRemarkDirective, type Adapters, type DetectedProcessor } from './processor.ts'
import { clearContentLayerCache, filesDigest } from './cache.ts'
import { createRunState, type RunState } from './state.ts'
import { DoctestBuildError, type PageDoctestError } from './report.ts'
import { loadViewerAssets, viewerMiddleware, writeViewerAssets } from './assets.ts'
import { remarkFlowmarkAstro } from './unified.ts'
import { satteriFlowmark } from './satteri.ts'
import type { ApiSetupResult } from '../api/astro.ts'

export { resolveOptions, FlowmarkOptionsError } from './options.ts'
export type { FlowmarkOptions, ResolvedFlowmarkOptions, DoctestMode } from './options.ts'
export { UnsupportedProcessorError, DuplicatePluginError, detectProcessor } from './processor.ts'
export { DoctestBuildError, PageDoctestError } from './report.ts'
export { starlightFlowmark } from './starlight.ts'
export { apiPagesLoader } from '../api/loader.ts'
export { copyRunnableCode, runnableCode } from './copy-code.ts'
export type { CopyCodePlugin } from './copy-code.ts'
export type { ApiPagesConfig } from '../api/astro.ts'

/** Name of the integration (as Astro logs it). */
export const INTEGRATION_NAME = 'flowmark'

/** Bumped when the HTML the integration writes changes, so cached pages are re-rendered. */
const OUTPUT_VERSION = '1'

/**
 * The Flowmark Astro integration. It finds the Markdown processor in `astro:config:setup` and plugs the matching
 * adapter into it: under unified (`@astrojs/markdown-remark`) remark-directive (unless present) and our remark
 * plugin; under Sätteri (Astro 7's default) an mdast plugin with `features.directive` and positions on. One push
 * covers `.md` and `.mdx` (`@astrojs/mdx` extends the Markdown processor), plain Astro and Starlight.
 *
 * `:::dispatcher` blocks run as doctests (one session per page) and draw their model as an interactive graph. Pages
 * with a graph get the viewer's stylesheet and script (hashed files under `<base>/_flowmark/`); other pages get none.
 * `astro build` clears Astro's content cache first (no stale example results) and fails at the end with every
 * failing example listed by `file:line`; `astro dev` shows a failing page in Astro's error overlay.
 * @param userOptions See {@link FlowmarkOptions}.
 * @returns The Astro integration.
 * @throws {FlowmarkOptionsError} For invalid options.
 */
export default function flowmark(userOptions?: FlowmarkOptions): AstroIntegration {
  const options = resolveOptions(userOptions)
  let api: ApiSetupResult | undefined
  const state = createRunState(options)
  let adapters: Adapters | undefined
  let detected: DetectedProcessor | undefined
  let depsFile: string | undefined
  let clientDir: URL | undefined

  const integration: WithPreparedApi = {
    name: INTEGRATION_NAME,
    hooks: {
      'astro:config:setup': async ({ config, command, logger, createCodegenDir, addWatchFile }) => {
        state.command = command
        state.root = fileURLToPath(config.root)
        state.base = config.base
        state.logger = logger
        state.pagesDir = fileURLToPath(new URL('pages/', config.srcDir))
        // Content collections render during the sync that precedes `astro:build:start`, so start afresh here.
        state.collector.clear()
        detected = detectProcessor(config.markdown.processor)

        // Cache, build: drop the content store, so every page re-renders and its examples run again.
        if (command === 'build' && options.clearContentCache) {
          const removed = await clearContentLayerCache({ root: config.root, cacheDir: config.cacheDir }, false)
          if (removed.length > 0) logger.info('cleared the content-layer cache so that every example runs again')
        }
        // Cache, dev: key it. The key (a digest of the files the examples imported last time, plus `watch`) sits in
        // the processor's options, which Astro serialises into its config digest: when it differs from the digest
        // stored with the cached pages, Astro clears its content store.
        depsFile = fileURLToPath(new URL('dependencies.json', createCodegenDir()))
        const watched = [...await readDependencies(depsFile), ...options.watch.map((w) => resolve(state.root, w))]
        state.cacheKey = filesDigest(watched, `${OUTPUT_VERSION}\0${JSON.stringify(options)}`)
        setCacheKey(detected.options, state.cacheKey)

        adapters = {
          remark: [remarkFlowmarkAstro(state), { cacheKey: state.cacheKey }],
          remarkDirective,
          satteri: satteriFlowmark(state),
        }
        installAdapters(detected, adapters)

        // API pages are generated now, before Astro loads the content (apiPagesLoader serves them).
        if (options.api) {
          const prepared = integration[PREPARED_API]?.()
          if (prepared !== undefined) {
            api = await prepared
            for (const file of api.watchFiles) addWatchFile(file)
          } else {
            const { setupApiPages, validateApiConfig } = await import('../api/astro.ts')
            api = await setupApiPages(validateApiConfig(options.api), { config, addWatchFile, logger })
          }
        }
      },

      'astro:config:done': ({ config, buildOutput }) => {
        state.base = config.base
        // Static builds serve `dir` as is; server builds serve the client folder.
        clientDir = buildOutput === 'server' ? config.build.client : undefined
        if (detected && adapters) dedupeRemarkDirective(detected, adapters)
      },

      'astro:server:setup': async ({ server, logger, refreshContent }) => {
        server.middlewares.use(viewerMiddleware(state.base))
        // Failures of content-collection pages reach the browser through Vite's error channel (Astro's overlay),
        // again whenever a browser connects, until the page renders cleanly.
        const failing = new Map<string, PageDoctestError>()
        const send = (error: PageDoctestError): void => {
          server.environments.client.hot.send({
            type: 'error',
            err: { name: error.name, message: error.message, stack: error.stack ?? '', loc: error.loc, plugin: INTEGRATION_NAME, id: error.loc.file, ...{ title: error.title, hint: error.hint } },
          })
        }
        state.devError = (file, error) => {
          if (error === undefined) failing.delete(file)
          else {
            failing.set(file, error)
            send(error)
          }
        }
        server.ws.on('connection', () => {
          for (const error of failing.values()) send(error)
        })

        // Models and other local files the examples import: editing one re-runs the sessions of the pages that
        // import it (Vite does not know these imports: the sessions run in a worker, outside Vite).
        const watched = new Set<string>()
        const watch = (file: string): void => {
          if (watched.has(file)) return
          watched.add(file)
          server.watcher.add(file)
        }
        for (const file of [...await readDependencies(depsFile ?? ''), ...options.watch.map((w) => resolve(state.root, w))]) watch(file)
        state.onDependencies = (_file, deps) => {
          const fresh = [...deps].filter((d) => !watched.has(d))
          if (fresh.length === 0 || depsFile === undefined) return
          for (const d of fresh) watch(d)
          void saveDependencies(depsFile, state).catch((e: unknown) => logger.warn(`could not save ${depsFile}: ${String(e)}`))
        }
        let queue = Promise.resolve()
        server.watcher.on('change', (changed) => {
          if (!watched.has(changed)) return
          queue = queue.then(() => rerun(changed)).catch((e: unknown) => logger.error(`re-running the examples after ${changed} changed failed: ${String(e)}`))
        })
        const rerun = async (changed: string): Promise<void> => {
          const everyPage = options.watch.some((w) => resolve(state.root, w) === changed)
          const pages = [...state.deps].filter(([, deps]) => everyPage || deps.has(changed)).map(([page]) => page)
          logger.info(`${relative(state.root, changed)} changed: re-running the examples of ${pages.length} page(s)`)
          // Content collections: a new key changes Astro's config digest, so the sync clears the store and renders
          // every entry again.
          state.cacheKey = filesDigest([...watched], `${OUTPUT_VERSION}\0${JSON.stringify(options)}`)
          for (const o of KEYED) o[CACHE_KEY] = state.cacheKey
          await refreshContent?.({})
          // Pages Vite compiles (src/pages/*.md, .mdx): invalidate their modules.
          for (const env of Object.values(server.environments)) {
            for (const page of pages) for (const mod of env.moduleGraph.getModulesByFile(page) ?? []) env.moduleGraph.invalidateModule(mod)
          }
          server.environments.client.hot.send({ type: 'full-reload' })
        }
      },

      'astro:build:done': async ({ dir, logger }) => {
        if (api !== undefined && api.outDir === undefined) {
          const { registeredApiPages } = await import('../api/loader.ts')
          if (registeredApiPages(state.root)?.loaded !== true) {
            logger.warn('API pages: no content collection used apiPagesLoader(), so the generated pages are not on the site. In content.config.ts, wrap the docs loader: `loader: apiPagesLoader(docsLoader())` (import { apiPagesLoader } from \'flowmark/astro\').')
          }
        }
        // Remember what the examples imported: the next run's cache key covers those files.
        if (depsFile !== undefined) await saveDependencies(depsFile, state).catch((e: unknown) => logger.warn(`could not save ${depsFile}: ${String(e)}`))
        if (state.graphPages.size > 0) {
          const files = await writeViewerAssets(clientDir ?? dir, await loadViewerAssets())
          logger.info(`viewer for ${state.graphPages.size} page(s) with graphs: ${files.map((f) => f.pathname.split('/').slice(-2).join('/')).join(', ')}`)
        }
        const errors = state.collector.list('error')
        if (errors.length > 0 && options.doctest === 'error') throw new DoctestBuildError(errors, state.root)
        const pages = state.sessionPages.size
        if (pages > 0) logger.info(`examples checked on ${pages} page(s)${errors.length > 0 ? `, ${errors.length} failing (doctest: 'warn')` : ''}`)
      },
    },
  }
  return integration
}

/**
 * Where `starlightFlowmark` leaves the API pages it generated before adding the integration (it builds the sidebar
 * from them), so that the integration does not generate them a second time. A symbol, not an export: it is no option.
 */
const PREPARED_API = Symbol.for('flowmark.prepared-api')

/** The integration object, with the slot `starlightFlowmark` may fill. */
type WithPreparedApi = AstroIntegration & { [PREPARED_API]?: () => Promise<ApiSetupResult> | undefined }

async function readDependencies(file: string): Promise<string[]> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { files?: unknown }
    return Array.isArray(data.files) ? data.files.filter((f): f is string => typeof f === 'string') : []
  } catch {
    return []
  }
}

/** Name of the cache key in the processor's options (serialised by Astro into its content-store config digest). */
const CACHE_KEY = 'flowmarkCacheKey'
/** Every processor options object keyed in this process (a dev restart makes new ones; the content layer keeps the first). */
const KEYED = new Set<Record<string, unknown>>()

function setCacheKey(processorOptions: object, key: string): void {
  const o = processorOptions as Record<string, unknown>
  o[CACHE_KEY] = key
  KEYED.add(o)
}

async function saveDependencies(file: string, state: RunState): Promise<void> {
  const known = await readDependencies(file)
  const files = [...new Set([...known, ...[...state.deps.values()].flatMap((s) => [...s])])].sort()
  if (files.length === known.length) return
  await mkdir(resolve(file, '..'), { recursive: true })
  await writeFile(file, JSON.stringify({ files }, null, 2) + '\n')
}
