// Messages between runSession (main thread) and the session worker: plain data only.
import type { DrawResult } from '../core/types.ts'

/** Name of the helper object the session worker puts on `globalThis` for compiled scripts. */
export const SESSION_GLOBAL = '__flowmark_doctest__'

/** A compiled statement or code block, as the worker runs it. */
export interface WorkerUnit {
  /** The compiled script (see compileUnit). */
  readonly script: string
  /** `vm.Script` line offset: page line of the unit's first line − 2 (the script's first line is the wrapper). */
  readonly lineOffset: number
  /** `script`: the completion value is the value; `async`: the script's promise resolves to `{ value }`. */
  readonly mode: 'script' | 'async'
  /** Whether the completion value is printed (transcript statements). */
  readonly wantsValue: boolean
  /** Run as global eval code, so that its top-level declarations are deletable globals (see compileUnit). */
  readonly deletable: boolean
  /** Page line of the unit's first source line, and how many lines it has (to attribute late errors by their stack). */
  readonly span: { readonly first: number; readonly count: number }
}

/** A block as the worker runs it: a list of units, or a draw. */
export type WorkerBlock =
  | { readonly kind: 'units'; readonly units: readonly WorkerUnit[] }
  | {
      readonly kind: 'draw'
      readonly id: string
      readonly name: string
      readonly from: string | undefined
      readonly plotOptions: Readonly<Record<string, unknown>>
      readonly tables: readonly ('data' | 'func' | 'dsp')[]
    }

/** What the main thread sends for each page: the whole page, compiled. A worker may run several pages, one by one. */
export interface WorkerSession {
  /** Absolute path of the page (referrer of imports, file name in stack traces). */
  readonly file: string
  readonly blocks: readonly WorkerBlock[]
  /** How long the worker waits after the last block for pending timers and I/O before it says `session-done` (ms). */
  readonly graceMs: number
  /**
   * Whether the worker may serve another page afterwards: it then snapshots what pages share before this one runs,
   * and says in `session-done` whether the page left it clean. `false`: the worker ends after this page.
   */
  readonly mayReuse: boolean
}

/** What a unit produced. */
export interface UnitOutcome {
  /** Console output, then the completion value or the `Uncaught …` line, as the REPL shows them. */
  readonly output: string
  /** Set when the unit threw (or an async callback it started threw while it ran). */
  readonly error?: { readonly header: string; readonly stack: string }
}

/** Messages the worker posts, in order. */
export type WorkerMessage =
  | { readonly type: 'block-start'; readonly block: number }
  | { readonly type: 'unit-start'; readonly block: number; readonly unit: number }
  | { readonly type: 'unit-done'; readonly block: number; readonly unit: number; readonly outcome: UnitOutcome }
  | { readonly type: 'draw-done'; readonly block: number; readonly result: DrawResult }
  | { readonly type: 'draw-error'; readonly block: number; readonly message: string }
  /**
   * `modules`: the `file:` URLs of every module the page's code loaded (transitively, as resolved); `null`: unknown.
   * `reusable`: the page left nothing the next page could see (else `reasons` says what); `stuckGlobals`: global
   * names the page declared that could not be deleted (script-level `var`/`function`; now `undefined`).
   * `ownModules`: the URLs of the module instances the page loaded of its own on this worker (its `file:` modules
   * with its page query, `data:` modules, files loaded by `require`);
   * `takenModules`: modules an earlier page on this worker had loaded without a page query that this page asked for
   * (it was refused them and stopped there: its results do not count, the page runs again on a new worker).
   */
  | {
      readonly type: 'session-done'
      readonly modules: readonly string[] | null
      readonly reusable: boolean
      readonly reasons: readonly string[]
      readonly stuckGlobals: readonly string[]
      readonly ownModules: readonly string[]
      readonly takenModules: readonly string[]
    }
  | { readonly type: 'worker-error'; readonly message: string }
  /** `process.exit` was called; `owner` is the unit whose code called it, when its stack tells. */
  | { readonly type: 'exit-called'; readonly code: number | string; readonly owner?: UnitRef }
  /**
   * An error thrown by a callback (timer, unawaited promise) after the unit that started it had finished: `owner` is
   * that unit (by the error's stack), else the unit that finished last.
   */
  | { readonly type: 'async-error'; readonly owner: UnitRef; readonly error: { readonly header: string; readonly stack: string } }

/** A unit of the session: its block and its index in the block. */
export interface UnitRef {
  readonly block: number
  readonly unit: number
}
