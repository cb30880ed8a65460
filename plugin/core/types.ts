// Contracts between the parts of the docs toolchain: doctest sessions, draw requests, graph rendering, diagnostics.
import type { PlotJSON } from 'flowmark/plot'

/**
 * Plot options the docs toolchain puts below every drawing's own (directive attributes, `opt.*`, the integration's
 * `plot` option, the API pages' options): a graph's caption is the model's name (the page title), since the viewer's
 * badge already shows the page kind. `opt.caption=kind` brings back schedula's label, `opt.caption=false` drops it.
 */
export const DOCS_PLOT_DEFAULTS: Readonly<Record<string, unknown>> = { caption: 'title' }

/** A position in a source file (1-based line and column), as unist and Astro report them. */
export interface SourcePoint {
  readonly line: number
  readonly column: number
}

/** A diagnostic about a Markdown (or TypeScript doc-comment) source, always with its file and position. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning'
  /** Absolute or project-relative path of the source file. */
  readonly file: string
  /** Where the problem is. */
  readonly start: SourcePoint
  readonly end?: SourcePoint
  /** What went wrong and how to fix it. */
  readonly message: string
  /** Short machine-readable rule: `doctest-mismatch`, `doctest-error`, `doctest-timeout`, `directive-attribute`, `lint-…`. */
  readonly rule: string
  /** For output mismatches: expected and actual text, and a unified diff. */
  readonly expected?: string
  readonly actual?: string
  readonly diff?: string
}

/** Doctest option flags (Python doctest's names). */
export interface DoctestFlags {
  readonly skip?: boolean
  readonly ellipsis?: boolean
  readonly normalizeWhitespace?: boolean
  readonly ignoreExceptionDetail?: boolean
  /** The page runs on a doctest worker of its own, not one an earlier page used (`+FRESH_WORKER`, any level). */
  readonly freshWorker?: boolean
}

/**
 * One block of a page session, in document order. All blocks of a page run once, top to bottom, in one shared
 * scope: declarations of one block are visible to the next.
 * `start` is where the first line of `code` sits in the page: for a fenced block the line after the opening fence,
 * and the column of the fence's indentation + 1 (draw blocks: the directive's line). Doctest diagnostics add the
 * statement's line offset within `code` to it.
 */
export type SessionBlock =
  /** A REPL transcript: `> ` statements with their expected output. */
  | { readonly kind: 'transcript'; readonly id: string; readonly code: string; readonly start: SourcePoint; readonly flags: DoctestFlags }
  /** Plain code (a fence inside a `:::dispatcher` container, or `:::testsetup` / `:::testcleanup` contents). */
  | {
      readonly kind: 'code' | 'setup' | 'cleanup'
      readonly id: string
      readonly code: string
      readonly start: SourcePoint
      readonly lang: 'ts' | 'js'
    }
  /**
   * After the blocks above it ran: evaluate `name` in the session (or import export `name` from module `from`,
   * resolved against the page) and plot it (`value.plot(options)`), returning the plot JSON and node tables.
   */
  | {
      readonly kind: 'draw'
      readonly id: string
      readonly name: string
      readonly from?: string
      readonly start: SourcePoint
      readonly plotOptions: Readonly<Record<string, unknown>>
      readonly tables: readonly ('data' | 'func' | 'dsp')[]
    }

/** A page to run: its file (for imports relative to it and for diagnostics) and its blocks. */
export interface SessionRequest {
  readonly file: string
  readonly blocks: readonly SessionBlock[]
  /** Milliseconds before a single block is stopped (default 10 000). */
  readonly timeout?: number
  /**
   * Heap limit of the page's session in megabytes (default 1024). An example that exceeds it fails with
   * `doctest-out-of-memory` at its line; the process and the other pages go on.
   */
  readonly maxMemoryMb?: number
  /**
   * After the page's last example, the session waits up to this many milliseconds (default 200) for the timers and
   * I/O the examples left pending, so that an error they throw (or a `process.exit` they call) fails the page. It
   * ends sooner when nothing is pending.
   */
  readonly graceMs?: number
  /** Page-level default flags. */
  readonly flags?: DoctestFlags
}

/** A row of a node table (data nodes, functions, sub-dispatchers), with its one-sentence description. */
export interface NodeTableRow {
  readonly id: string
  readonly description: string
  /** Link to the node's API page, when the API generator knows one. */
  readonly href?: string
}

/** What a `draw` block produced. */
export interface DrawResult {
  readonly id: string
  readonly plot: PlotJSON
  readonly tables: Readonly<Partial<Record<'data' | 'func' | 'dsp', readonly NodeTableRow[]>>>
  /** The drawn value's name and description (dispatcher name, solution of …). */
  readonly title: string
  readonly description: string | undefined
}

/** The outcome of a page session. */
export interface SessionReport {
  readonly file: string
  /** Passed/failed/skipped counts of transcript examples (statements with expected output). */
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  /** Every failure and warning, with positions in the page. */
  readonly diagnostics: readonly Diagnostic[]
  /** Results of the draw blocks, by block id. */
  readonly draws: ReadonlyMap<string, DrawResult>
  /** Wall time of the session (ms). */
  readonly durationMs: number
}

/** The rendered form of a plot, ready to inline in HTML. */
export interface RenderedGraph {
  /** The `<flowmark-graph>` element (static SVG of every page; works with scripts off). */
  readonly html: string
  /** Warnings (layout engine fallbacks, …). */
  readonly warnings: readonly string[]
}
