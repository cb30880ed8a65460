// What every model-wrapping function shares: the WRAPPED_MODEL link, name and description, call errors, output shaping.
import { WRAPPED_MODEL, formatId, type NodeId } from '../constants.ts'
import { Dispatcher } from '../dispatcher.ts'
import { Blueprint } from './blueprint.ts'
import { DispatcherError, FlowmarkError, ModelError, nameError } from '../errors.ts'
import type { Solution } from '../solution.ts'
import { selector } from './helpers.ts'

/**
 * A function that wraps a model. It is an ordinary function (use it as the `fn` of a node, or call it), and it
 * carries the model under `WRAPPED_MODEL`, so plots draw its node as a navigable sub-model.
 */
export interface ModelWrapper {
  /** The wrapped dispatcher (for `SubDispatchFunction` and the pipes: the model shrunk to the signature). */
  readonly [WRAPPED_MODEL]: Dispatcher
  /** The function's name: the default node id when it is added to a model. */
  readonly name: string
  /** Free text for plots and API pages (defaults to the model's description). */
  readonly description: string
  /** Which wrapper made it: `'SubDispatch'`, `'SubDispatchFunction'`, `'SubDispatchPipe'`, `'DispatchPipe'`, `'MapDispatch'`. */
  readonly wrapperKind: WrapperKind
}

/** The kinds of model wrapper. */
export type WrapperKind = 'SubDispatch' | 'SubDispatchFunction' | 'SubDispatchPipe' | 'DispatchPipe' | 'MapDispatch'

/**
 * A wrapped model was called with arguments that do not fit its signature: a missing required argument, too many
 * positional arguments, a value given twice, or an input that is not a data node of the model.
 */
export class CallError extends FlowmarkError {
  declare readonly name: 'CallError'
  static {
    nameError(this, 'CallError')
  }
  /** The name of the wrapper that was called. */
  readonly functionName: string

  constructor(functionName: string, message: string) {
    super(`${functionName}(): ${message}`)
    this.functionName = functionName
  }
}

/** How a wrapper shapes its result: the solution itself, or the selected outputs as an object, an array or values. */
export type OutputType = 'all' | 'dict' | 'list' | 'values'

/** Sets the identity of a wrapper function and links it to its model. */
export function brand<F extends (...args: never[]) => unknown, X extends object>(
  fn: F,
  model: Dispatcher,
  name: string,
  description: string,
  kind: WrapperKind,
  extra: X,
): F & ModelWrapper & X {
  Object.defineProperty(fn, 'name', { value: name, configurable: true })
  Object.defineProperty(fn, WRAPPED_MODEL, { value: model, enumerable: false, configurable: true })
  Object.defineProperty(fn, 'description', { value: description, enumerable: true, configurable: true, writable: true })
  Object.defineProperty(fn, 'wrapperKind', { value: kind, enumerable: true, configurable: true })
  Object.defineProperties(fn, Object.getOwnPropertyDescriptors(extra))
  return fn as F & ModelWrapper & X
}

/** Whether `fn` wraps a model (has `WRAPPED_MODEL`). */
export function isModelWrapper(fn: unknown): fn is ModelWrapper {
  return typeof fn === 'function' && (fn as Partial<ModelWrapper>)[WRAPPED_MODEL] !== undefined
}

/** The error thrown when requested outputs were not computed, listing what was. */
export function unreachable(name: string, missing: readonly NodeId[], available: Iterable<NodeId>, why = ''): DispatcherError {
  return new DispatcherError(
    `Unreachable output-targets: ${missing.map(formatId).join(', ')} (in ${name}).\n` +
      `  Available outputs: [${[...available].map(formatId).join(', ')}]` +
      (why ? `\n  ${why}` : ''),
  )
}

/** Shapes the outputs of a solution (or of a Map of values) as `outputType` asks. */
export function shapeOutputs(
  name: string,
  sol: ReadonlyMap<NodeId, unknown>,
  outputs: readonly NodeId[],
  type: Exclude<OutputType, 'all'>,
  allowMiss: boolean,
): unknown {
  if (!allowMiss) {
    const missing = outputs.filter((o) => !sol.has(o))
    if (missing.length > 0) throw unreachable(name, missing, sol.keys(), whyMissing(sol, missing))
  }
  return selector(outputs as readonly string[], sol as ReadonlyMap<string, unknown>, { outputType: type, allowMiss: true })
}

/** A hint about why outputs are missing: the failures the solution recorded. */
function whyMissing(sol: ReadonlyMap<NodeId, unknown>, missing: readonly NodeId[]): string {
  const errors = (sol as Partial<Solution>).errors
  if (errors === undefined || errors.size === 0)
    return missing.length > 0 ? 'No path computes them from the inputs given (or a domain rejected them).' : ''
  return `Failures: ${[...errors.values()].map((e) => e.message).join('; ')}`
}

/** Checks an output type option. */
export function checkOutputType(type: unknown, where: string): OutputType {
  if (type === 'all' || type === 'dict' || type === 'list' || type === 'values') return type
  throw new ModelError(`${where}: outputType must be 'all', 'dict', 'list' or 'values', got ${JSON.stringify(type)}`)
}

/**
 * The dispatcher a wrapper wraps: the one given, or a new instance registered from a blueprint (each wrapper then has
 * its own). Anything else is a `ModelError`.
 */
export function modelOf<T extends object>(model: Dispatcher<T> | Blueprint<T>, where: string): Dispatcher<T> {
  if (model instanceof Blueprint) return model.register()
  if (model instanceof Dispatcher) return model
  throw new ModelError(`${where}: the model must be a Dispatcher or a Blueprint, got ${model === null ? 'null' : typeof model}`)
}
