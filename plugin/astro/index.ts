// flowmark/astro: the Astro integration (both Markdown processors, .md and .mdx) and its Starlight plugin wrapper.
import { fileURLToPath } from 'node:url'
import { mkdir, writeFile, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { AstroIntegration } from 'astro'
import remarkDirective from 'remark-directive'
import { resolveOptions, type FlowmarkOptions } from './options.ts'
import { detectProcessor, installAdapters, dedupeRemarkDirective, type Adapters, type DetectedProcessor } from './processor.ts'
import { clearContentLayerCache, filesDigest } from './cache.ts'
import { createRunState, type RunState } from './state.ts'
import { DoctestBuildError } from './report.ts'
import { loadViewerAssets, viewerMiddleware, writeViewerAssets } from './assets.ts'
import { remarkFlowmarkAstro } from './unified.ts'
import { satteriFlowmark } from './satteri.ts'

export { resolveOptions, FlowmarkOptionsError } from './options.ts'
export type { FlowmarkOptions, ResolvedFlowmarkOptions, DoctestMode } from './options.ts'
export { UnsupportedProcessorError, detectProcessor } from './processor.ts'
export { DoctestBuildError, PageDoctestError } from './report.ts'
export { starlightFlowmark } from './starlight.ts'

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
  const state = createRunState(options)
  let adapters: Adapters | undefined
  let detected: DetectedProcessor | undefined
  let depsFile: string | undefined
  let triggerFile: string | undefined
  let astroWatched: ReadonlySet<string> = new Set()

  return {
    name: INTEGRATION_NAME,
    hooks: {
      'astro:config:setup': async ({ config, command, isRestart, logger, addWatchFile, createCodegenDir }) => {
        state.command = command
        state.root = fileURLToPath(config.root)
        state.base = config.base
        state.logger = logger
        // Content collections render during the sync that precedes `astro:build:start`, so start afresh here.
        state.collector.clear()
        detected = detectProcessor(config.markdown.processor)

        // Cache: `astro build` drops the content store (pages re-render, examples re-run). `astro dev` keys it: the
        // key below is part of the serialised config, and Astro clears its store when that changes.
        if (command === 'build' && options.clearContentCache) {
          const removed = await clearContentLayerCache({ root: config.root, cacheDir: config.cacheDir }, false)
          if (removed.length > 0) logger.info('cleared the content-layer cache so that every example runs again')
        }
        // Files the examples imported in the previous dev session, plus `watch`: editing one restarts the dev
        // server, the key changes, and every page's session runs again.
        const codegen = createCodegenDir()
        depsFile = fileURLToPath(new URL('dependencies.json', codegen))
        triggerFile = fileURLToPath(new URL('restart.json', codegen))
        addWatchFile(triggerFile)
        const known = await readDependencies(depsFile)
        const watched = [...known, ...options.watch.map((w) => resolve(state.root, w))]
        for (const file of watched) addWatchFile(file)
        astroWatched = new Set(watched)
        state.cacheKey = filesDigest(watched, `${OUTPUT_VERSION}\0${JSON.stringify(options)}`)
        if (isRestart) logger.debug?.(`cache key ${state.cacheKey}`)

        adapters = {
          remark: [remarkFlowmarkAstro, { state, cacheKey: state.cacheKey }],
          remarkDirective,
          satteri: satteriFlowmark(state),
        }
        installAdapters(detected, adapters)
      },

      'astro:config:done': ({ config }) => {
        state.base = config.base
        if (detected && adapters) dedupeRemarkDirective(detected, adapters)
      },

      'astro:server:setup': ({ server, logger }) => {
        server.middlewares.use(viewerMiddleware(state.base))
        // Files registered with addWatchFile restart Astro by themselves; the others are watched here.
        const watched = new Set<string>(astroWatched)
        state.onDependencies = (_file, deps) => {
          const fresh = [...deps].filter((d) => !watched.has(d))
          if (fresh.length === 0 || depsFile === undefined) return
          for (const d of fresh) {
            watched.add(d)
            server.watcher.add(d)
          }
          void saveDependencies(depsFile, state).catch((e: unknown) => logger.warn(`could not save ${depsFile}: ${String(e)}`))
        }
        server.watcher.on('change', (changed) => {
          if (!watched.has(changed) || astroWatched.has(changed) || triggerFile === undefined) return
          logger.info(`${changed} changed: re-running the examples of the pages that import it`)
          // Writing the trigger file (registered with addWatchFile) restarts Astro; the new cache key then clears the
          // content store, so every page renders again and its session runs against the edited model.
          const text = JSON.stringify({ changed, digest: filesDigest([changed], '') }) + '\n'
          void writeFile(triggerFile, text).catch((e: unknown) => logger.warn(`could not write ${triggerFile}: ${String(e)}`))
        })
      },

      'astro:build:done': async ({ dir, logger }) => {
        if (state.graphPages.size > 0) {
          const files = await writeViewerAssets(dir, await loadViewerAssets())
          logger.info(`viewer for ${state.graphPages.size} page(s) with graphs: ${files.map((f) => f.pathname.split('/').slice(-2).join('/')).join(', ')}`)
        }
        const errors = state.collector.list('error')
        if (errors.length > 0 && options.doctest === 'error') throw new DoctestBuildError(errors, state.root)
        const pages = state.sessionPages.size
        if (pages > 0) logger.info(`examples checked on ${pages} page(s)${errors.length > 0 ? `, ${errors.length} failing (doctest: 'warn')` : ''}`)
      },
    },
  }
}

async function readDependencies(file: string): Promise<string[]> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { files?: unknown }
    return Array.isArray(data.files) ? data.files.filter((f): f is string => typeof f === 'string') : []
  } catch {
    return []
  }
}

async function saveDependencies(file: string, state: RunState): Promise<void> {
  const known = await readDependencies(file)
  const files = [...new Set([...known, ...[...state.deps.values()].flatMap((s) => [...s])])].sort()
  if (files.length === known.length) return
  await mkdir(resolve(file, '..'), { recursive: true })
  await writeFile(file, JSON.stringify({ files }, null, 2) + '\n')
}
