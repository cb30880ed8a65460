// Graphviz layout: one lazily loaded WASM instance, engine fallback, and a content-addressed on-disk SVG cache.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { layoutCpuMs } from './cpu-time.ts'
import { LayoutPool, LayoutTimeoutError } from './pool.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** The part of `@hpcc-js/wasm-graphviz`'s `Graphviz` the renderer uses (tests may pass their own). */
export interface GraphvizLike {
  layout(dot: string, format: 'svg', engine: string): string
  version(): string
}

/** Raised when no layout engine could lay out a DOT text. */
export class GraphLayoutError extends FlowmarkPluginError {
  static {
    nameError(this, 'GraphLayoutError')
  }
  /** The engines tried, in order, with their error messages. */
  readonly attempts: readonly { readonly engine: string; readonly message: string }[]
  /**
   * @param message What failed and how to fix it.
   * @param attempts Each engine tried with its error.
   */
  constructor(message: string, attempts: readonly { readonly engine: string; readonly message: string }[]) {
    super(message)
    this.attempts = attempts
  }
}

/** The engines tried after the requested one fails, in schedula's order, then the remaining Graphviz engines. */
export const FALLBACK_ENGINES: readonly string[] = ['dot', 'fdp', 'osage', 'neato', 'circo', 'twopi', 'sfdp', 'patchwork']

/** Options of a {@link GraphRenderer}. */
export interface GraphRendererOptions {
  /**
   * Directory of the SVG cache, or `false` for no disk cache. Default `node_modules/.cache/flowmark/svg` under the
   * current working directory.
   */
  readonly cacheDir?: string | false
  /** Loads Graphviz (default: `Graphviz.load()` of `@hpcc-js/wasm-graphviz`, imported on the first cache miss). */
  readonly loadGraphviz?: () => Promise<GraphvizLike>
  /**
   * Part of every cache key, naming the Graphviz build. Default `@hpcc-js/wasm-graphviz@<installed version>`, which
   * pins the Graphviz version without loading the WASM.
   */
  readonly versionKey?: string
  /** Engines to try when the requested one fails (default {@link FALLBACK_ENGINES}). */
  readonly fallbackEngines?: readonly string[]
  /** A layout slower than this many milliseconds gets a warning with advice (default 2000; `Infinity` for none). */
  readonly slowLayoutMs?: number
  /**
   * Lay out in this many worker threads (each with its own Graphviz) instead of on the calling thread: pages of a
   * plot are laid out in parallel and the event loop stays free. Default 0 (in process). Ignored with `loadGraphviz`.
   */
  readonly threads?: number
  /**
   * Time limit of one layout in milliseconds, enforced by stopping its worker (so it implies `threads: 1` at least).
   * Default: no limit.
   */
  readonly timeoutMs?: number
}

/** A laid-out DOT text. */
export interface DotLayout {
  /** Graphviz's SVG, exactly as it wrote it. */
  readonly svg: string
  /** The engine that produced it (differs from the requested one after a fallback). */
  readonly engine: string
  /** The requested engine and why it failed, when a fallback engine was used. */
  readonly warnings: readonly string[]
  /** Whether the layout came from the cache. */
  readonly cached: boolean
}

/** Counters of a {@link GraphRenderer}, for tests and benchmarks. */
export interface RendererStats {
  /** Times Graphviz was loaded (0 while every layout came from the cache). */
  loads: number
  /** Calls to Graphviz `layout` (failed attempts included). */
  layouts: number
  cacheHits: number
  cacheMisses: number
}

/** Format version of cache entries; bump when the entry layout changes (2: entries carry their key and a digest). */
const CACHE_FORMAT = 2

/** The content of a cache entry, as stored (JSON) with its key and the digest of both. */
interface CacheEntry {
  readonly key: string
  readonly svg: string
  readonly engine: string
  readonly warnings: readonly string[]
  /** SHA-256 of `[key, svg, engine, warnings]`: an entry cut short, altered or copied from another key does not match. */
  readonly digest: string
}

/** What reading the cache found: a usable layout, nothing, or an entry that must not be used (and why). */
type CacheRead =
  | { readonly kind: 'hit'; readonly layout: Omit<DotLayout, 'cached'> }
  | { readonly kind: 'miss' }
  | { readonly kind: 'bad'; readonly file: string; readonly reason: string }

/** The digest stored with a cache entry. */
function entryDigest(key: string, svg: string, engine: string, warnings: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([key, svg, engine, warnings]))
    .digest('hex')
}

/** Options of {@link GraphRenderer.layout}. */
export interface LayoutOptions {
  /** Lay out again even when the cache has the graph, and replace the entry (for an entry that turned out unusable). */
  readonly refresh?: boolean
}

let installedVersion: string | undefined
/** The installed `@hpcc-js/wasm-graphviz` version, read from its package.json (no WASM involved). */
export function graphvizPackageVersion(): string {
  if (installedVersion !== undefined) return installedVersion
  try {
    const entry = fileURLToPath(import.meta.resolve('@hpcc-js/wasm-graphviz'))
    let dir = dirname(entry)
    for (let k = 0; k < 4; k++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
        if (pkg.name === '@hpcc-js/wasm-graphviz' && typeof pkg.version === 'string') return (installedVersion = pkg.version)
      } catch {
        /* keep climbing */
      }
      dir = dirname(dir)
    }
  } catch {
    /* not resolvable: fall through */
  }
  return (installedVersion = 'unknown')
}

async function defaultLoad(): Promise<GraphvizLike> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz')
  const gv = await Graphviz.load()
  return { layout: (dot, format, engine) => gv.layout(dot, format, engine as never), version: () => gv.version() }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Lays out DOT text with Graphviz. Holds one Graphviz instance, loaded on the first cache miss and reused for every
 * later layout, and a content-addressed cache: key = SHA-256 of (DOT text, engine, Graphviz version key).
 */
export class GraphRenderer {
  /** Counters (loads, layouts, cache hits and misses). */
  readonly stats: RendererStats = { loads: 0, layouts: 0, cacheHits: 0, cacheMisses: 0 }
  readonly #cacheDir: string | undefined
  readonly #load: () => Promise<GraphvizLike>
  readonly #versionKey: string
  readonly #fallback: readonly string[]
  readonly #slowMs: number
  readonly #pool: LayoutPool | undefined
  #graphviz: Promise<GraphvizLike> | undefined

  /** @param options Cache directory, Graphviz loader, version key, fallback engines, slow-layout threshold. */
  constructor(options: GraphRendererOptions = {}) {
    const dir = options.cacheDir ?? join('node_modules', '.cache', 'flowmark', 'svg')
    this.#cacheDir = dir === false ? undefined : resolve(dir)
    this.#load = options.loadGraphviz ?? defaultLoad
    this.#versionKey = options.versionKey ?? `@hpcc-js/wasm-graphviz@${graphvizPackageVersion()}`
    this.#fallback = options.fallbackEngines ?? FALLBACK_ENGINES
    this.#slowMs = options.slowLayoutMs ?? 2000
    const timeout = options.timeoutMs ?? Infinity
    const threads = Math.max(options.threads ?? 0, Number.isFinite(timeout) ? 1 : 0)
    this.#pool = options.loadGraphviz === undefined && threads > 0 ? new LayoutPool(threads, timeout) : undefined
  }

  /** Stops the layout workers (when `threads` or `timeoutMs` was given); the renderer can still read its cache. */
  async close(): Promise<void> {
    await this.#pool?.close()
  }

  /** The cache directory in use, or `undefined` when the disk cache is off. */
  get cacheDir(): string | undefined {
    return this.#cacheDir
  }

  /** The cache key of a DOT text laid out by `engine` (hex SHA-256). */
  cacheKey(dot: string, engine: string): string {
    return createHash('sha256')
      .update(JSON.stringify([CACHE_FORMAT, this.#versionKey, engine, dot]))
      .digest('hex')
  }

  /** The Graphviz instance, loading it on first use. */
  graphviz(): Promise<GraphvizLike> {
    if (this.#graphviz === undefined) {
      this.stats.loads++
      this.#graphviz = this.#load()
      this.#graphviz.catch(() => {
        this.#graphviz = undefined
      })
    }
    return this.#graphviz
  }

  /**
   * Lays out `dot` with `engine` (default `dot`), from the cache when possible. When the engine fails, the next engine
   * of the fallback list is tried and the result carries a warning; when all fail, throws `GraphLayoutError`.
   * A cache entry is used only when its digest matches its content and key; a bad entry (cut short, altered, not
   * JSON) is removed and the graph laid out again, with a warning, never served.
   */
  async layout(dot: string, engine = 'dot', options: LayoutOptions = {}): Promise<DotLayout> {
    const key = this.cacheKey(dot, engine)
    const read: CacheRead = options.refresh === true ? { kind: 'miss' } : await this.#read(key)
    if (read.kind === 'hit') {
      this.stats.cacheHits++
      return { ...read.layout, cached: true }
    }
    const cacheWarnings: string[] = []
    if (read.kind === 'bad') {
      cacheWarnings.push(`the cached layout ${read.file} ${read.reason}; it was removed and the graph laid out again`)
      await unlink(read.file).catch(() => undefined)
    }
    this.stats.cacheMisses++
    const pool = this.#pool
    const gv = pool === undefined ? await this.graphviz() : undefined
    const attempts: { engine: string; message: string }[] = []
    for (const candidate of [engine, ...this.#fallback.filter((e) => e !== engine)]) {
      this.stats.layouts++
      let svg: string
      // CPU time of the layout itself: waiting for a worker or a core on a busy machine is not the graph's cost.
      let ms: number
      try {
        if (pool !== undefined) {
          ;({ svg, ms } = await pool.layoutTimed(dot, candidate))
          this.stats.loads = pool.started
        } else ({ result: svg, ms } = layoutCpuMs(() => (gv as GraphvizLike).layout(dot, 'svg', candidate)))
      } catch (e) {
        if (pool !== undefined) this.stats.loads = pool.started
        attempts.push({ engine: candidate, message: message(e) })
        // A DOT syntax error fails under every engine, and a timeout would repeat: stop instead of trying them all.
        if (/syntax error/i.test(message(e)) || e instanceof LayoutTimeoutError) break
        continue
      }
      const warnings =
        attempts.length === 0
          ? []
          : [
              `layout engine '${engine}' failed (${attempts.map((a) => `${a.engine}: ${a.message}`).join('; ')}); used '${candidate}' instead`,
            ]
      const result = { svg, engine: candidate, warnings }
      await this.#write(key, result)
      // Timing is not cached: the next build reads the cache and is fast.
      const slow =
        ms > this.#slowMs
          ? [
              `layout with '${candidate}' took ${(ms / 1000).toFixed(1)} s${/splines\s*=\s*"?ortho/.test(dot) ? "; splines=ortho is the slow part on large graphs, try plot({ graph: { splines: 'polyline' } })" : ''} (cached from now on)`,
            ]
          : []
      return { svg, engine: candidate, warnings: [...cacheWarnings, ...warnings, ...slow], cached: false }
    }
    const first = attempts[0]
    throw new GraphLayoutError(
      `Graphviz could not lay out the graph with '${engine}'${
        attempts.length > 1
          ? ` or its fallbacks (${attempts
              .slice(1)
              .map((a) => a.engine)
              .join(', ')})`
          : ''
      }: ${first?.message ?? 'no engine tried'}. Check the DOT text.`,
      attempts,
    )
  }

  async #read(key: string): Promise<CacheRead> {
    if (this.#cacheDir === undefined) return { kind: 'miss' }
    const file = join(this.#cacheDir, key.slice(0, 2), `${key}.json`)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      // Missing is the normal miss; an unreadable entry (a folder, no permission) is one too: it is rewritten.
      return { kind: 'miss' }
    }
    let entry: unknown
    try {
      entry = JSON.parse(text)
    } catch {
      return { kind: 'bad', file, reason: 'is not valid JSON (cut short?)' }
    }
    const {
      key: storedKey,
      svg,
      engine,
      warnings,
      digest,
    } = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<Record<keyof CacheEntry, unknown>>
    if (
      typeof svg !== 'string' ||
      typeof engine !== 'string' ||
      !Array.isArray(warnings) ||
      !warnings.every((w) => typeof w === 'string') ||
      typeof digest !== 'string'
    ) {
      return { kind: 'bad', file, reason: 'lacks fields of a cache entry (svg, engine, warnings, digest)' }
    }
    if (storedKey !== key) return { kind: 'bad', file, reason: 'belongs to another graph (its key differs)' }
    if (entryDigest(key, svg, engine, warnings) !== digest) {
      return { kind: 'bad', file, reason: 'was altered or cut short (its digest does not match its content)' }
    }
    return { kind: 'hit', layout: { svg, engine, warnings: warnings } }
  }

  async #write(key: string, entry: Omit<DotLayout, 'cached'>): Promise<void> {
    if (this.#cacheDir === undefined) return
    const dir = join(this.#cacheDir, key.slice(0, 2))
    const file = join(dir, `${key}.json`)
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    try {
      await mkdir(dir, { recursive: true })
      const stored: CacheEntry = { key, ...entry, digest: entryDigest(key, entry.svg, entry.engine, entry.warnings) }
      await writeFile(tmp, JSON.stringify(stored))
      await rename(tmp, file)
    } catch {
      // A read-only or full disk only costs a re-layout next time.
    }
  }
}
