// Options of the Flowmark Astro integration: their types, defaults and validation with clear error messages.
import type { ApiPagesConfig } from '../api/astro.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** How doctest failures are treated. */
export type DoctestMode = 'error' | 'warn' | 'off'

/** Options accepted by `flowmark()` and `starlightFlowmark()`. Every field is optional. */
export interface FlowmarkOptions {
  /**
   * `'error'` (default): a failing example fails `astro build` (all failures are listed by file:line) and shows Astro's
   * error overlay in `astro dev`. `'warn'`: failures are logged, the build succeeds. `'off'`: example output is not
   * reported (sessions still run, to draw) and directive errors are only warnings.
   */
  readonly doctest?: DoctestMode
  /** Milliseconds before a single example block is stopped (default 10 000). */
  readonly timeout?: number
  /** Default options passed to `plot()` for every drawn graph (a directive's own attributes win). */
  readonly plot?: Readonly<Record<string, unknown>>
  /**
   * Folder of Flowmark's caches, relative to the project root. Default `node_modules/.cache/flowmark`, holding
   * `svg/` (laid-out graphs), `doctest/` (each page's example results, reused while the page and every module its
   * examples load are unchanged), `api/` (the API model) and `compile/` (Node's compile cache of the doctest workers).
   * Deleting it is always safe: the next build is a cold one.
   */
  readonly cacheDir?: string
  /**
   * Clear Astro's content-layer cache at the start of every `astro build` (default `false`), so that every page is
   * rendered again (its examples still come from Flowmark's result cache when nothing they depend on changed). Not
   * needed for correct results: Astro's cache is keyed by every file the examples load, and is cleared after a
   * failed or interrupted build.
   */
  readonly clearContentCache?: boolean
  /** Extra files (relative to the root) whose changes re-run every page's examples in `astro dev`. */
  readonly watch?: readonly string[]
  /**
   * Generate API pages (TypeDoc) for these entry points into the docs collection before the content is loaded, e.g.
   * `{ entryPoints: ['src/index.ts'] }` (see `ApiPagesConfig` of `plugin/api`).
   */
  readonly api?: ApiPagesConfig
}

/** Options after defaults were applied. */
export interface ResolvedFlowmarkOptions {
  readonly doctest: DoctestMode
  readonly timeout: number
  readonly plot: Readonly<Record<string, unknown>>
  readonly cacheDir: string
  readonly clearContentCache: boolean
  readonly watch: readonly string[]
  readonly api: ApiPagesConfig | undefined
}

/** Thrown when `flowmark()` receives options it cannot use; the message names the option and the accepted values. */
export class FlowmarkOptionsError extends FlowmarkPluginError {
  static {
    nameError(this, 'FlowmarkOptionsError')
  }
  /** The option at fault, e.g. `doctest`. */
  readonly option: string
  /**
   * @param option The option at fault.
   * @param message What is wrong and how to fix it.
   */
  constructor(option: string, message: string) {
    super(`flowmark(): invalid option \`${option}\`: ${message}`)
    this.option = option
  }
}

const KNOWN = new Set(['doctest', 'timeout', 'plot', 'cacheDir', 'clearContentCache', 'watch', 'api'])
const MODES: readonly DoctestMode[] = ['error', 'warn', 'off']

/**
 * Validate user options and fill in the defaults.
 * @param input What the user passed to `flowmark()` (may be `undefined`).
 * @returns The resolved options.
 * @throws {FlowmarkOptionsError} For unknown keys and values of the wrong type or range.
 */
export function resolveOptions(input: unknown): ResolvedFlowmarkOptions {
  if (input === undefined || input === null) input = {}
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new FlowmarkOptionsError('(options)', `expected an object, got ${describe(input)}`)
  }
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) {
      throw new FlowmarkOptionsError(key, `unknown option; the known options are ${[...KNOWN].join(', ')}`)
    }
  }
  const doctest = o['doctest'] ?? 'error'
  if (typeof doctest !== 'string' || !MODES.includes(doctest as DoctestMode)) {
    throw new FlowmarkOptionsError('doctest', `expected one of 'error', 'warn', 'off', got ${describe(doctest)}`)
  }
  const timeout = o['timeout'] ?? 10_000
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new FlowmarkOptionsError('timeout', `expected a positive number of milliseconds, got ${describe(timeout)}`)
  }
  const plot = o['plot'] ?? {}
  if (typeof plot !== 'object' || plot === null || Array.isArray(plot)) {
    throw new FlowmarkOptionsError('plot', `expected an object of plot options, got ${describe(plot)}`)
  }
  const cacheDir = o['cacheDir'] ?? 'node_modules/.cache/flowmark'
  if (typeof cacheDir !== 'string' || cacheDir === '') {
    throw new FlowmarkOptionsError('cacheDir', `expected a non-empty path, got ${describe(cacheDir)}`)
  }
  const clearContentCache = o['clearContentCache'] ?? false
  if (typeof clearContentCache !== 'boolean') {
    throw new FlowmarkOptionsError('clearContentCache', `expected true or false, got ${describe(clearContentCache)}`)
  }
  const watch = o['watch'] ?? []
  if (!Array.isArray(watch) || watch.some((w) => typeof w !== 'string')) {
    throw new FlowmarkOptionsError('watch', `expected an array of file paths, got ${describe(watch)}`)
  }
  // Only the shape here: the full check (validateApiConfig of plugin/api) runs in astro:config:setup, so that loading
  // the integration does not load TypeDoc.
  const api = o['api']
  if (api !== undefined && (typeof api !== 'object' || api === null || Array.isArray(api))) {
    throw new FlowmarkOptionsError('api', `expected an object such as { entryPoints: ['src/index.ts'] }, got ${describe(api)}`)
  }
  return {
    api: api as ApiPagesConfig | undefined,
    doctest: doctest as DoctestMode,
    timeout,
    plot: plot as Record<string, unknown>,
    cacheDir,
    clearContentCache,
    watch: watch as string[],
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'object') return 'an object'
  // Objects were answered above: what is left prints as itself.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `${typeof value} ${String(value)}`
}
