// The engine's private door into a Dispatcher: its node records, defaults and compiled form.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type { DefaultValue, DispatcherOptions } from '../model.ts'
import type { Solution } from '../solution.ts'
import type { Trace } from './search.ts'
import type { Compiled } from './compile.ts'
import type { NodeImpl } from './graph.ts'

/** Symbol under which a Dispatcher exposes its internals to the rest of the engine (not re-exported). */
export const INTERNALS: unique symbol = Symbol('flowmark.internals')

/** What the search and the sub-model builders need from a dispatcher. */
export interface DispatcherInternals {
  readonly nodes: Map<NodeId, NodeImpl>
  readonly defaults: Map<NodeId, DefaultValue>
  /** The compiled form, rebuilt only after the model changed. */
  compiled(): Compiled
  /** Marks the model as changed. */
  touch(): void
  /** The next value of the node index counter, without taking it. */
  peekIndex(): number
  /** Sets the node index counter (used when copying). */
  setCounter(n: number): void
}

/** Internals of a dispatcher. */
export function internalsOf(dsp: Dispatcher): DispatcherInternals {
  return dsp[INTERNALS]
}

/** Compiled form of a dispatcher. */
export function compiledOf(dsp: Dispatcher): Compiled {
  return dsp[INTERNALS].compiled()
}

/** Whether `x` is a Dispatcher (any object exposing the engine's internals), without importing the class. */
export function isDispatcher(x: unknown): x is Dispatcher {
  return typeof x === 'object' && x !== null && INTERNALS in x
}

/** Symbol under which a Solution exposes the search trace it reads (not re-exported). */
export const TRACE: unique symbol = Symbol('flowmark.trace')

/** Whether `x` is a Solution (any object exposing a search trace), without importing the class. */
export function isSolution(x: unknown): x is Solution {
  return typeof x === 'object' && x !== null && TRACE in x
}

/** The search trace behind a Solution. */
export function traceOf(sol: Solution): Trace {
  return sol[TRACE]
}

type DispatcherClass = new (options?: DispatcherOptions) => Dispatcher

/**
 * The Dispatcher class, for the floors that must build a dispatcher without having one at hand (blueprints). The
 * facade registers itself here when its module loads, so those floors need no runtime import of it (which would
 * make an import cycle: the facade offers `blueprint()` and `extend()`).
 */
let dispatcherClass: DispatcherClass | undefined

/** @internal Called once by `dispatcher.ts`. */
export function registerDispatcherClass(cls: DispatcherClass): void {
  dispatcherClass = cls
}

/** A new, empty Dispatcher (validating `options`). */
export function newDispatcher(options?: DispatcherOptions): Dispatcher {
  if (dispatcherClass === undefined) throw new Error('flowmark: the Dispatcher module is not loaded; import Dispatcher from flowmark')
  return new dispatcherClass(options)
}
