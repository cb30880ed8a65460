// The engine's private door into a Dispatcher: its node records, defaults and compiled form.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type { DefaultValue } from '../model.ts'
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
  /** Takes the next value of the node index counter. */
  nextIndex(): number
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
