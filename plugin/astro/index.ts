// @flowmark/docs/astro: the Astro integration (both Markdown processors, .md and .mdx) and its Starlight plugin wrapper.
import { fileURLToPath } from 'node:url'
import { mkdir, writeFile, readFile, rename } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import type { AstroIntegration } from 'astro'
import remarkDirective from 'remark-directive'
import { resolveOptions, type FlowmarkOptions, type ResolvedFlowmarkOptions } from './options.ts'
import { detectProcessor, installAdapters, dedupeRemarkDirective, type Adapters, type DetectedProcessor } from './processor.ts'
import { clearContentLayerCache, filesDigest } from './cache.ts'
import { codeDigest, createResultCache, fileDigest, forgetDigests, type ResultCache } from './page-cache.ts'
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
const OUTPUT_VERSION = '2'

/**
 * The Flowmark Astro integration. It finds the Markdown processor in `astro:config:setup` and plugs the matching
 * adapter into it: under unified (`@astrojs/markdown-remark`) remark-directive (unless present) and our remark
 * plugin; under Sätteri (Astro 7's default) an mdast plugin with `features.directive` and positions on. One push
 * covers `.md` and `.mdx` (`@astrojs/mdx` extends the Markdown processor), plain Astro and Starlight.
 *
 * `:::dispatcher` blocks run as doctests (one session per page) and draw their model as an interactive graph. Pages
 * with a graph get the viewer's stylesheet and script (hashed files under `<base>/_flowmark/`); other pages get none.
 * Results survive builds: Astro's content cache keeps the rendered pages, and a page's doctest report is kept in
 * `<cacheDir>/doctest`, reused only while the page's examples and every module they loaded (transitively) are
 * unchanged; when any such module changes, Astro's cache is keyed off and the pages that load it run again.
 * `astro build` fails at the end with every failing example listed by `file:line`; `astro dev` shows a failing page
 * in Astro's error overlay.
 * @param userOptions See {@link FlowmarkOptions}.
 * @returns The Astro integration.
 * @throws {FlowmarkOptionsError} For invalid options.
 */
export default function flowmark(userOptions?: FlowmarkOptions): AstroIntegration {
  const options = resolveOptions(userOptions)
  const integration: WithPreparedApi = { name: INTEGRATION_NAME, hooks: {} }
  const run: IntegrationRun = {
    options,
    state: createRunState(options),
    integration,
    api: undefined,
    adapters: undefined,
    detected: undefined,
    statePath: undefined,
    previous: { files: [], graphPages: [], status: 'none' },
    clientDir: undefined,
    outDir: undefined,
  }
  integration.hooks = {
    'astro:config:setup': (args) => setupConfig(run, args),
    'astro:config:done': (args) => configDone(run, args),
    'astro:server:setup': (args) => setupServer(run, args),
    'astro:build:done': (args) => buildDone(run, args),
  }
  return integration
}

/** What the integration's hooks share over one Astro run. */
interface IntegrationRun {
  readonly options: ResolvedFlowmarkOptions
  readonly state: RunState
  readonly integration: WithPreparedApi
  api: ApiSetupResult | undefined
  adapters: Adapters | undefined
  detected: DetectedProcessor | undefined
  /** Where the build state is kept (`<cacheDir>/doctest/build-state.json`). */
  statePath: string | undefined
  /** The build state the last run left. */
  previous: BuildState
  /** The folder the viewer's files go to in a server build (static builds use the hook's `dir`). */
  clientDir: URL | undefined
  /** The build's output folder (recorded in the build state for `flowmark-docs build`). */
  outDir: string | undefined
}

/** The argument Astro passes to the hook `K`. */
type HookArgs<K extends keyof Astro.IntegrationHooks> = Parameters<Astro.IntegrationHooks[K]>[0]

/** `astro:config:setup`: the run's state and caches, the processor adapters, the API pages. */
async function setupConfig(run: IntegrationRun, { config, command, logger, addWatchFile }: HookArgs<'astro:config:setup'>): Promise<void> {
  const { state, options } = run
  state.command = command
  state.root = fileURLToPath(config.root)
  state.base = config.base
  state.logger = logger
  state.pagesDir = fileURLToPath(new URL('pages/', config.srcDir))
  // Content collections render during the sync that precedes `astro:build:start`, so start afresh here.
  state.collector.clear()
  const detected = detectProcessor(config.markdown.processor)
  run.detected = detected
  await openBuildState(run, config, command, logger)
  setCacheKey(detected.options, state.cacheKey)
  run.adapters = {
    remark: [remarkFlowmarkAstro(state), { cacheKey: state.cacheKey }],
    remarkDirective,
    satteri: satteriFlowmark(state),
  }
  installAdapters(detected, run.adapters)

  // API pages are generated now, before Astro loads the content (apiPagesLoader serves them).
  if (options.api) {
    const prepared = run.integration[PREPARED_API]?.()
    if (prepared !== undefined) {
      run.api = await prepared
      for (const file of run.api.watchFiles) addWatchFile(file)
    } else {
      const { setupApiPages, validateApiConfig } = await import('../api/astro.ts')
      run.api = await setupApiPages(validateApiConfig(options.api), { config, addWatchFile, logger })
    }
  }
}

/**
 * Reads what earlier runs left (Flowmark's per-page cache, and the build state: what the pages loaded, which had
 * graphs, whether the last build passed), clears Astro's content cache when it cannot be trusted, and sets the
 * run's content-cache key.
 */
async function openBuildState(
  run: IntegrationRun,
  config: HookArgs<'astro:config:setup'>['config'],
  command: HookArgs<'astro:config:setup'>['command'],
  logger: HookArgs<'astro:config:setup'>['logger'],
): Promise<void> {
  const { state, options } = run
  const cacheRoot = resolve(state.root, options.cacheDir)
  const statePath = join(cacheRoot, 'doctest', BUILD_STATE)
  run.statePath = statePath
  const salt = `${OUTPUT_VERSION}\0${process.version}\0${codeDigest()}\0${JSON.stringify({ ...options, api: undefined })}`
  state.results = createResultCache(join(cacheRoot, 'doctest'), salt)
  forgetDigests(state.results)
  state.watchFiles = options.watch.map((w) => resolve(state.root, w))
  const previous = await readBuildState(statePath)
  run.previous = previous
  // Astro's content cache keeps the HTML of pages whose text did not change. A build after a failed or
  // interrupted one clears it (a failing page's HTML may be cached; its examples must run and fail again), as
  // does the `clearContentCache` option.
  if (command === 'build' && (options.clearContentCache || previous.status !== 'passed')) {
    const removed = await clearContentLayerCache({ root: config.root, cacheDir: config.cacheDir }, false)
    if (removed.length > 0)
      logger.info(
        options.clearContentCache
          ? 'cleared the content-layer cache (clearContentCache)'
          : 'cleared the content-layer cache: the last build did not pass',
      )
  }
  if (command === 'build') await writeBuildState(statePath, { ...previous, status: 'running' })
  // The cache key of Astro's content store sits in the processor's options, which Astro serialises into its
  // config digest: when the key differs from the one stored with the cached pages, Astro clears its content
  // store and renders every page again (Flowmark's per-page cache then re-runs only the pages whose own inputs
  // changed). The key stays the last build's while every file the pages' examples loaded (models, the engine,
  // packages), every `watch` file, Flowmark's code and its options are as they were; any change makes a new one.
  state.cacheKey = contentKey(
    previous,
    salt,
    currentDigests(
      state.results,
      previous.files.map(([f]) => f),
      state.watchFiles,
    ),
  )
}

/** `astro:config:done`: the final base and output folders; one remark-directive in the pipeline. */
function configDone(run: IntegrationRun, { config, buildOutput }: HookArgs<'astro:config:done'>): void {
  run.state.base = config.base
  // Static builds serve `dir` as is; server builds serve the client folder.
  run.clientDir = buildOutput === 'server' ? config.build.client : undefined
  run.outDir = fileURLToPath(config.outDir)
  if (run.detected && run.adapters) dedupeRemarkDirective(run.detected, run.adapters)
}

/** `astro:server:setup` (dev): the viewer's files, failures in Astro's overlay, re-runs when a model changes. */
function setupServer(run: IntegrationRun, { server, logger, refreshContent }: HookArgs<'astro:server:setup'>): void {
  server.middlewares.use(viewerMiddleware(run.state.base))
  showDevErrors(run.state, server)
  watchExamples(run, server, logger, refreshContent)
}

/**
 * Failures of content-collection pages reach the browser through Vite's error channel (Astro's overlay), again
 * whenever a browser connects, until the page renders cleanly.
 */
function showDevErrors(state: RunState, server: HookArgs<'astro:server:setup'>['server']): void {
  const failing = new Map<string, PageDoctestError>()
  const send = (error: PageDoctestError): void => {
    server.environments.client.hot.send({
      type: 'error',
      err: {
        name: error.name,
        message: error.message,
        stack: error.stack ?? '',
        loc: error.loc,
        plugin: INTEGRATION_NAME,
        id: error.loc.file,
        ...{ title: error.title, hint: error.hint },
      },
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
}

/**
 * Models and other local files the examples import: editing one re-runs the sessions of the pages that import it
 * (Vite does not know these imports: the sessions run in a worker, outside Vite).
 */
function watchExamples(
  run: IntegrationRun,
  server: HookArgs<'astro:server:setup'>['server'],
  logger: HookArgs<'astro:server:setup'>['logger'],
  refreshContent: HookArgs<'astro:server:setup'>['refreshContent'],
): void {
  const { state, options, previous, statePath } = run
  const watched = new Set<string>()
  const watch = (file: string): void => {
    if (watched.has(file)) return
    watched.add(file)
    server.watcher.add(file)
  }
  // Installed packages are not watched (an install restarts Astro anyway).
  const local = (file: string): boolean => !file.split(/[\\/]/).includes('node_modules')
  for (const file of [...previous.files.map(([f]) => f).filter(local), ...state.watchFiles]) watch(file)
  state.onDependencies = (_file, deps) => {
    const fresh = [...deps].filter((d) => !watched.has(d) && local(d))
    if (fresh.length === 0 || statePath === undefined) return
    for (const d of fresh) watch(d)
    void saveBuildState(statePath, previous, state, undefined).catch((e: unknown) =>
      logger.warn(`could not save ${statePath}: ${String(e)}`),
    )
  }
  let queue = Promise.resolve()
  server.watcher.on('change', (changed) => {
    if (!watched.has(changed)) return
    queue = queue
      .then(() => rerun(changed))
      .catch((e: unknown) => logger.error(`re-running the examples after ${changed} changed failed: ${String(e)}`))
  })
  const rerun = async (changed: string): Promise<void> => {
    const everyPage = options.watch.some((w) => resolve(state.root, w) === changed)
    const pages = [...state.deps].filter(([, deps]) => everyPage || deps.has(changed)).map(([page]) => page)
    logger.info(`${relative(state.root, changed)} changed: re-running the examples of ${pages.length} page(s)`)
    // Content collections: a new key changes Astro's config digest, so the sync clears the store and renders
    // every entry again.
    if (state.results !== undefined) forgetDigests(state.results)
    state.cacheKey = filesDigest([...watched], state.results?.salt ?? OUTPUT_VERSION)
    for (const o of KEYED) o[CACHE_KEY] = state.cacheKey
    await refreshContent?.({})
    // Pages Vite compiles (src/pages/*.md, .mdx): invalidate their modules.
    for (const env of Object.values(server.environments)) {
      for (const page of pages) for (const mod of env.moduleGraph.getModulesByFile(page) ?? []) env.moduleGraph.invalidateModule(mod)
    }
    server.environments.client.hot.send({ type: 'full-reload' })
  }
}

/** `astro:build:done`: the build state for the next run, the viewer's files, the failing examples, the tally. */
async function buildDone(run: IntegrationRun, { dir, logger }: HookArgs<'astro:build:done'>): Promise<void> {
  const { state, options, previous, statePath } = run
  if (run.api !== undefined && run.api.outDir === undefined) await warnUnloadedApi(state.root, logger)
  const errors = state.collector.list('error')
  // Pages Astro served from its content cache did not reach the plugin: their graphs are known from the
  // previous build (the viewer files must exist for them too).
  const graphPages = new Set([...previous.graphPages.filter((p) => !state.sessionPages.has(p)), ...state.graphPages])
  // Remember what the examples loaded: the next run's cache key covers those files.
  if (statePath !== undefined) {
    await saveBuildState(statePath, previous, state, errors.length > 0 ? 'failed' : 'passed', run.outDir).catch((e: unknown) =>
      logger.warn(`could not save ${statePath}: ${String(e)}`),
    )
  }
  if (graphPages.size > 0) {
    const files = await writeViewerAssets(run.clientDir ?? dir, await loadViewerAssets())
    logger.info(
      `viewer for ${graphPages.size} page(s) with graphs: ${files.map((f) => f.pathname.split('/').slice(-2).join('/')).join(', ')}`,
    )
  }
  if (errors.length > 0 && options.doctest === 'error') {
    const failure = new DoctestBuildError(errors, state.root)
    // Thrown, Astro's CLI would report it twice ("An unhandled error occurred while running the hook", then the
    // message with a stack that points into Astro). Under the CLI: one clean report, and the build fails.
    if (!runByAstroCli()) throw failure
    logger.error(failure.message)
    process.exit(1)
  }
  const stats = state.results?.stats
  if (stats !== undefined) {
    logger.info(
      `examples: ran ${stats.examplesRan} on ${stats.ran.size} page(s), reused the results of ${stats.examplesReused} on ` +
        `${stats.reused.size} page(s) from ${relative(state.root, state.results!.dir) || '.'}` +
        `${errors.length > 0 ? `, ${errors.length} failing (doctest: 'warn')` : ''}; other pages came from Astro's content cache`,
    )
  }
}

/** Warns when API pages were generated but no content collection serves them. */
async function warnUnloadedApi(root: string, logger: HookArgs<'astro:build:done'>['logger']): Promise<void> {
  const { registeredApiPages } = await import('../api/loader.ts')
  if (registeredApiPages(root)?.loaded !== true) {
    logger.warn(
      "API pages: no content collection used apiPagesLoader(), so the generated pages are not on the site. In content.config.ts, wrap the docs loader: `loader: apiPagesLoader(docsLoader())` (import { apiPagesLoader } from '@flowmark/docs/astro').",
    )
  }
}

/** Whether this process is the `astro` command line (`astro build`), rather than `build()` called from code. */
function runByAstroCli(): boolean {
  const entry = process.argv[1] ?? ''
  return /(^|[\\/])astro(\.m?js)?$/.test(entry) && process.argv.slice(2).includes('build')
}

/**
 * Where `starlightFlowmark` leaves the API pages it generated before adding the integration (it builds the sidebar
 * from them), so that the integration does not generate them a second time. A symbol, not an export: it is no option.
 */
const PREPARED_API = Symbol.for('flowmark.prepared-api')

/** The integration object, with the slot `starlightFlowmark` may fill. */
type WithPreparedApi = AstroIntegration & { [PREPARED_API]?: () => Promise<ApiSetupResult> | undefined }

/** File name of the build state in `<cacheDir>/doctest`. */
const BUILD_STATE = 'build-state.json'

/** What a build leaves for the next one. */
interface BuildState {
  /** Every file the pages' examples loaded (absolute paths), with its content digest when the build ended. */
  readonly files: readonly (readonly [string, string])[]
  /** The `watch` files with their digests. */
  readonly watched?: readonly (readonly [string, string])[]
  /** The content-cache key the build used, and the salt it was made with. */
  readonly key?: string
  readonly salt?: string
  /** Pages with at least one graph. */
  readonly graphPages: readonly string[]
  /** `running` from the start of a build until it ends; `none` before the first build. */
  readonly status: 'none' | 'running' | 'passed' | 'failed'
  /**
   * What the last build did with the pages that reached the plugin (pages served from Astro's content cache are in
   * neither list): the pages whose sessions ran, and those whose results came from the result cache.
   */
  readonly lastRun?: {
    readonly ran: readonly string[]
    readonly reused: readonly string[]
    readonly examplesRan: number
    readonly examplesReused: number
  }
  /** The output folder of the last build (absolute), read by `flowmark-docs build` (see build-cache.ts). */
  readonly outDir?: string
}

async function readBuildState(file: string): Promise<BuildState> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<Record<keyof BuildState, unknown>>
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string') : [])
    const pairs = (v: unknown): [string, string][] =>
      Array.isArray(v)
        ? v.filter((p): p is [string, string] => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')
        : []
    const status = ['running', 'passed', 'failed'].includes(String(data.status)) ? (data.status as BuildState['status']) : 'none'
    return {
      files: pairs(data.files),
      watched: pairs(data.watched),
      graphPages: strings(data.graphPages),
      status,
      ...(typeof data.key === 'string' ? { key: data.key } : {}),
      ...(typeof data.salt === 'string' ? { salt: data.salt } : {}),
    }
  } catch {
    return { files: [], graphPages: [], status: 'none' }
  }
}

/**
 * Content digests of the files a build state lists, and of the `watch` files, memoised in the result cache: a file
 * is read once per build (when the build starts, or when a page first loads it), so an edit made while the build runs
 * is seen by the next build.
 */
function currentDigests(
  cache: ResultCache,
  files: readonly string[],
  watch: readonly string[],
): { files: [string, string][]; watched: [string, string][] } {
  const digest = (f: string): [string, string] => [f, fileDigest(cache, f)]
  return { files: files.map(digest), watched: watch.map(digest) }
}

/**
 * The content-cache key of this run: the previous build's key when its salt and every digest it recorded are the
 * same now, else a new key made of everything (so it differs from the previous one).
 */
function contentKey(previous: BuildState, salt: string, now: { files: [string, string][]; watched: [string, string][] }): string {
  const same = (a: readonly (readonly [string, string])[], b: readonly (readonly [string, string])[]): boolean =>
    a.length === b.length && a.every(([f, d], i) => b[i]![0] === f && b[i]![1] === d)
  if (previous.key !== undefined && previous.salt === salt && same(previous.files, now.files) && same(previous.watched ?? [], now.watched))
    return previous.key
  return filesDigest([], `${salt}\0${previous.key ?? ''}\0${JSON.stringify(now)}`)
}

async function writeBuildState(file: string, data: BuildState): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(data, null, 2) + '\n')
  await rename(tmp, file)
}

/**
 * Merge this run's pages into the previous state and write it. Pages this run did not process (served from Astro's
 * cache) keep their earlier dependencies and graph flag. `status` `undefined` keeps the previous one (dev).
 */
async function saveBuildState(
  file: string,
  previous: BuildState,
  state: RunState,
  status: BuildState['status'] | undefined,
  outDir?: string,
): Promise<void> {
  const files = new Set(previous.files.map(([f]) => f))
  for (const deps of state.deps.values()) for (const d of deps) files.add(d)
  const graphPages = new Set([...previous.graphPages.filter((p) => !state.sessionPages.has(p)), ...state.graphPages])
  const stats = state.results?.stats
  const lastRun =
    stats === undefined
      ? previous.lastRun
      : {
          ran: [...stats.ran].sort(),
          reused: [...stats.reused].sort(),
          examplesRan: stats.examplesRan,
          examplesReused: stats.examplesReused,
        }
  // The digests the next run compares with: the files as this run leaves them.
  const now = state.results === undefined ? { files: [], watched: [] } : currentDigests(state.results, [...files].sort(), state.watchFiles)
  await writeBuildState(file, {
    files: now.files,
    watched: now.watched,
    key: state.cacheKey,
    ...(state.results === undefined ? {} : { salt: state.results.salt }),
    graphPages: [...graphPages].sort(),
    status: status ?? previous.status,
    ...(lastRun === undefined ? {} : { lastRun }),
    ...(outDir === undefined ? {} : { outDir }),
  })
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
