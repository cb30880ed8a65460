// Per-integration run state shared by the unified and Sätteri adapters: diagnostics, dependencies, graph pages.
import { dirname, resolve } from 'node:path'
import type { Diagnostic } from '../core/types.ts'
import type { ResolvedFlowmarkOptions } from './options.ts'
import type { ResultCache } from './page-cache.ts'
import { DiagnosticCollector, PageDoctestError, formatDiagnostic } from './report.ts'
import { assetTags, loadViewerAssets } from './assets.ts'

/** A logger with Astro's integration-logger methods (the subset we use). */
export interface LoggerLike {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** What one integration instance knows across the pages of a dev session or build. */
export interface RunState {
  /** Resolved options. */
  readonly options: ResolvedFlowmarkOptions
  /** `'dev'` throws page errors (overlay); `'build'` collects them for `astro:build:done`. */
  command: 'dev' | 'build' | 'preview' | 'sync'
  /** Absolute project root (for relative paths in messages). */
  root: string
  /** `config.base`. */
  base: string
  /** Cache key placed in the adapters' options (see `cache.ts`). */
  cacheKey: string
  /** Every page's diagnostics. */
  readonly collector: DiagnosticCollector
  /** Local files each page's examples import (absolute paths), by page file. */
  readonly deps: Map<string, ReadonlySet<string>>
  /** Pages that have at least one graph. */
  readonly graphPages: Set<string>
  /** Pages that ran examples. */
  readonly sessionPages: Set<string>
  /** Called when a page's dependencies are known (dev watcher). */
  onDependencies: ((file: string, deps: ReadonlySet<string>) => void) | undefined
  /** Astro's logger, once known. */
  logger: LoggerLike | undefined
  /** Absolute `<srcDir>/pages/` folder: Markdown there is compiled by Vite, elsewhere by the content layer. */
  pagesDir: string
  /**
   * `astro dev` only: show (or, with `undefined`, clear) a page's failure in the browser's error overlay. Used for
   * content-collection Markdown, whose render errors Astro's loader would only log.
   */
  devError: ((file: string, error: PageDoctestError | undefined) => void) | undefined
  /** The graph renderer (a `GraphRenderer` of `plugin/render`), created on the first graph. */
  renderer: object | undefined
  /** The doctest result cache (`<cacheDir>/doctest`), set up in `astro:config:setup`. */
  results: ResultCache | undefined
  /** Files of the `watch` option (absolute): every page's results depend on them too. */
  watchFiles: readonly string[]
}

/**
 * Create the state of one integration instance.
 * @param options Resolved options.
 */
export function createRunState(options: ResolvedFlowmarkOptions): RunState {
  return {
    options,
    command: 'build',
    root: process.cwd(),
    base: '/',
    cacheKey: '',
    collector: new DiagnosticCollector(),
    deps: new Map(),
    graphPages: new Set(),
    sessionPages: new Set(),
    onDependencies: undefined,
    logger: undefined,
    pagesDir: '',
    devError: undefined,
    renderer: undefined,
    results: undefined,
    watchFiles: [],
  }
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm

/**
 * The local files a page's example code imports: relative specifiers (`'./model.ts'`, `'../x.js'`) resolved against the
 * page's folder. Bare package names are left out (they change with installs, which restart Astro anyway).
 * @param file The page's path.
 * @param codes The code of the page's examples.
 * @returns Absolute paths.
 */
export function localImports(file: string, codes: readonly string[]): Set<string> {
  const out = new Set<string>()
  const dir = dirname(file)
  for (const code of codes) {
    // Transcript prompts (`> `, `... `) are stripped so that multi-line imports are seen as code.
    const text = code.replace(/^(?:> |\.\.\. ?)/gm, '')
    for (const m of text.matchAll(IMPORT_RE)) out.add(resolve(dir, m[2] as string))
  }
  return out
}

/** What a finished page contributes to its own output. */
export interface PageFinish {
  /** HTML to append to the page once (viewer stylesheet and script), when the page has a graph. */
  readonly assetsHtml: string | undefined
}

/**
 * Record the outcome of one page and decide what to do with its failures: in `astro dev` with `doctest: 'error'` the
 * page throws {@link PageDoctestError} (Astro's overlay shows the Markdown position); in `astro build` failures are
 * collected and the build fails at the end with all of them; with `'warn'` they are logged.
 * @param state The integration's state.
 * @param file The page's path.
 * @param diagnostics The page's diagnostics (doctest failures, directive errors, lint warnings).
 * @param hasGraph Whether the page shows at least one graph.
 * @param deps Local files the page's examples import.
 * @returns The HTML to append to the page.
 * @throws {PageDoctestError} In dev, when the page has error diagnostics and `doctest` is `'error'`.
 */
export async function finishPage(
  state: RunState,
  file: string,
  diagnostics: readonly Diagnostic[],
  hasGraph: boolean,
  deps: ReadonlySet<string>,
): Promise<PageFinish> {
  // `off`: example results are not reported, directive errors only warn (as in remarkDispatcher).
  const kept =
    state.options.doctest === 'off'
      ? diagnostics
          .filter((d) => !d.rule.startsWith('doctest'))
          .map((d) => (d.severity === 'error' ? { ...d, severity: 'warning' as const } : d))
      : diagnostics
  state.collector.set(file, kept)
  state.sessionPages.add(file)
  state.deps.set(file, deps)
  state.onDependencies?.(file, deps)
  if (hasGraph) state.graphPages.add(file)
  else state.graphPages.delete(file)
  const errors = kept.filter((d) => d.severity === 'error')
  for (const w of kept.filter((d) => d.severity === 'warning')) state.logger?.warn(formatDiagnostic(w, state.root))
  const overlay = state.command === 'dev' && state.options.doctest === 'error' && errors.length > 0
  // Content-collection Markdown is rendered by Astro's loader, which only logs what a plugin throws (and drops the
  // page's content): report those pages through the overlay channel and keep rendering. Everything else throws.
  const viaLoader = /\.(md|markdown|mdown|mkd|mkdn|mdwn)$/i.test(file) && !(state.pagesDir !== '' && file.startsWith(state.pagesDir))
  if (errors.length > 0 && (!overlay || viaLoader)) {
    const logger = state.logger
    const log = (text: string): void => (state.options.doctest === 'warn' ? logger?.warn(text) : logger?.error(text))
    for (const e of errors) log(formatDiagnostic(e, state.root))
  }
  if (state.command === 'dev') state.devError?.(file, overlay ? new PageDoctestError(errors, state.root) : undefined)
  if (overlay && !viaLoader) throw new PageDoctestError(errors, state.root)
  return { assetsHtml: hasGraph ? assetTags(state.base, await loadViewerAssets()) : undefined }
}
