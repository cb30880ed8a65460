// SubDispatch and SubDispatchFunction: a model as a function (dicts in → solution or outputs; positional in → outputs).
import { formatId, type NodeId } from '../constants.ts'
import type { Distance } from '../distance.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { ModelError } from '../errors.ts'
import type { Executor, HostAbortSignal } from '../model.ts'
import type { Solution } from '../solution.ts'
import { combineDictsWith, type Dict } from './helpers.ts'
import { reachedOutputs } from './plan.ts'
import type { IsUntyped, SolutionOf, TypedDistances, TypedInputs, ValueOf } from './types.ts'
import type { Blueprint } from './blueprint.ts'
import { CallError, brand, checkOutputType, modelOf, shapeOutputs, type ModelWrapper, type OutputType } from './wrapper.ts'

/** The value type of data node `K`, `unknown` for untyped models. */
export type Val<T, K> = IsUntyped<T> extends true ? unknown : ValueOf<T, K>

/** What a wrapper returns for outputs `O` and output type `OT` (`'all'`: the solution). */
export type WrapperResult<T, O extends readonly unknown[], OT extends OutputType> = OT extends 'all'
  ? SolutionOf<T>
  : OT extends 'dict'
    ? IsUntyped<T> extends true
      ? Record<string, unknown>
      : { [K in O[number] & keyof T]: T[K] }
    : OT extends 'list'
      ? { -readonly [P in keyof O]: Val<T, O[P]> }
      : O extends readonly [infer X]
        ? Val<T, X>
        : { -readonly [P in keyof O]: Val<T, O[P]> }

/** Options of the asynchronous wrappers (`SubDispatchAsync`, …): given to every call's `dispatchAsync`. */
export interface AsyncWrapperOptions {
  /** Most function calls running at once inside one call of the wrapper (default: no limit). */
  concurrency?: number
  /** Aborts every call of the wrapper made while it is not aborted. */
  signal?: HostAbortSignal
  /** Milliseconds each call may take. */
  timeout?: number
}

/** Options of the asynchronous wrappers that run a full search (`SubDispatchAsync`, `SubDispatchFunctionAsync`, `MapDispatchAsync`). */
export interface AsyncSearchWrapperOptions extends AsyncWrapperOptions {
  /**
   * Where the function calls of each search run (`dispatchAsync`'s `executor`): `'async'` (this thread, the default)
   * or an {@link Executor}, such as a worker pool from `flowmark/workers`.
   */
  executor?: 'async' | Executor
}

/** @internal The `dispatchAsync` options of an asynchronous wrapper, on the options of the synchronous one. */
export const ASYNC_RUN: unique symbol = Symbol('flowmark.asyncRun')

/** @internal The `dispatchAsync` options of an asynchronous wrapper's call (checked by `dispatchAsync`). */
export function asyncRunOptions(options: AsyncSearchWrapperOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (options.executor !== undefined) out.executor = options.executor
  if (options.concurrency !== undefined) out.concurrency = options.concurrency
  if (options.signal !== undefined) out.signal = options.signal
  if (options.timeout !== undefined) out.timeout = options.timeout
  return out
}

/** Options shared by the wrappers that run a full search. */
export interface SearchWrapperOptions<T extends object, OT extends OutputType> {
  /** Name of the function (the default node id when it is added to a model). Default: the model's name. */
  id?: string
  /** Description for plots and API pages. Default: the model's description. */
  description?: string
  /** How to shape the result (see `OutputType`). */
  outputType?: OT
  /** With `'dict'`/`'list'`/`'values'`: leave out outputs that were not computed instead of throwing. */
  allowMiss?: boolean
  /** Initial distances of some inputs or defaults. */
  inputsDist?: TypedDistances<T>
}

/** Options of `SubDispatch`. */
export interface SubDispatchOptions<T extends object, O extends readonly unknown[], OT extends OutputType> extends SearchWrapperOptions<
  T,
  OT
> {
  /** Outputs to compute (and to select, for the output types other than `'all'`). */
  outputs?: O
  /** Wildcard dispatch (see `DispatchOptions.wildcard`). */
  wildcard?: boolean | 'producible'
  /** Structural run (see `DispatchOptions.noCall`). */
  noCall?: boolean
  /** Search the model shrunk to the inputs and outputs. */
  shrink?: boolean
  /** Drop from the workflow the functions that never ran. */
  rmUnusedNodes?: boolean
  /** Deep-copy the input dictionaries before merging them (the model may then modify its inputs freely). */
  copyInputs?: boolean
}

/** The function made by `SubDispatch`. */
export interface SubDispatchFn<T extends object, O extends readonly unknown[], OT extends OutputType> extends ModelWrapper {
  /** Merges the input dictionaries (later ones win) and dispatches the model. */
  (...inputs: TypedInputs<T>[]): WrapperResult<T, O, OT>
  /** The solution of the last call. */
  readonly solution: SolutionOf<T> | undefined
  /** The outputs requested at construction. */
  readonly outputs: readonly NodeId[] | undefined
}

function distMap(d: unknown): Map<NodeId, Distance> {
  if (d === undefined) return new Map()
  if (d instanceof Map) return new Map(d as Map<NodeId, Distance>)
  return new Map(Reflect.ownKeys(d as object).map((k) => [k as NodeId, (d as Record<PropertyKey, Distance>)[k]!]))
}

/**
 * Wraps a model as a function of input dictionaries: `sd(...dicts)` merges them (later ones win), dispatches the
 * model and returns the solution (`outputType: 'all'`, the default) or the outputs selected as an object (`'dict'`),
 * an array (`'list'`) or values (`'values'`: the value itself for a single output). A requested output that was not
 * computed is a `DispatcherError` listing what was (unless `allowMiss`). As the function of a node, a failure inside
 * makes the node fail, so the enclosing model falls back to an alternative path.
 *
 * @example
 * const m = new Dispatcher({ name: 'm' })
 * m.addFunction({ id: 'f', fn: (a: number) => [a + 1, a - 1], inputs: ['a'], outputs: ['b', 'c'] })
 * SubDispatch(m, { outputs: ['b', 'c'], outputType: 'list' })({ a: 1 }, { x: 0 }) // [2, 0]
 */
export function SubDispatch<T extends object, const O extends readonly unknown[] = readonly NodeId[], OT extends OutputType = 'all'>(
  model: Dispatcher<T> | Blueprint<T>,
  options: SubDispatchOptions<T, O, OT> = {},
): SubDispatchFn<T, O, OT> {
  const dsp = modelOf(model, 'SubDispatch')
  const type = checkOutputType(options.outputType ?? 'all', 'SubDispatch')
  const outputs = options.outputs === undefined ? undefined : ([...options.outputs] as NodeId[])
  if (type !== 'all' && outputs === undefined) {
    throw new ModelError(`SubDispatch: outputType '${type}' selects outputs, so give \`outputs\` too`)
  }
  const name = options.id ?? (dsp.name || 'SubDispatch')
  const inputsDist = distMap(options.inputsDist)
  const dispatchOptions = {
    inputsDist,
    wildcard: options.wildcard ?? false,
    noCall: options.noCall ?? false,
    shrink: options.shrink ?? false,
    rmUnusedNodes: options.rmUnusedNodes ?? false,
  }
  let last: Solution | undefined
  const asyncRun = (options as { [ASYNC_RUN]?: Record<string, unknown> })[ASYNC_RUN]
  const fn = function (...inputs: TypedInputs<T>[]): unknown {
    const merged = combineDictsWith(options.copyInputs ? { copy: true } : {}, ...(inputs as Dict[]))
    if (asyncRun !== undefined) {
      return (dsp as Dispatcher)
        .dispatchAsync(merged as Record<string, unknown>, outputs, { ...dispatchOptions, ...asyncRun })
        .then((sol) => {
          last = sol
          return type === 'all' ? sol : shapeOutputs(name, sol, outputs!, type, options.allowMiss ?? false)
        })
    }
    const sol = (dsp as Dispatcher).dispatch(merged, outputs, dispatchOptions)
    last = sol
    if (type === 'all') return sol
    return shapeOutputs(name, sol, outputs!, type, options.allowMiss ?? false)
  }
  return brand(fn, dsp as Dispatcher, name, options.description ?? dsp.description, 'SubDispatch', {
    get solution() {
      return last
    },
    outputs,
  }) as unknown as SubDispatchFn<T, O, OT>
}

/** Options of `SubDispatchFunction`. */
export interface SubDispatchFunctionOptions<
  T extends object,
  I extends readonly unknown[],
  O extends readonly unknown[],
  OT extends OutputType,
> extends SearchWrapperOptions<T, OT> {
  /** The positional parameters: data ids, in order. */
  inputs: I
  /** The outputs. Omitted: the call returns the solution. */
  outputs?: O
  /** Shrink the model to `inputs` → `outputs` at construction (default true). */
  shrink?: boolean
  /** Wildcard dispatch: an input that is also an output is recomputed (default true). */
  wildcard?: boolean
  /**
   * The first argument of each call holds inputs by name, the positional ones follow (schedula's
   * `first_arg_as_kw`): `F({ b: 2 }, 1)` is `F.withInputs({ b: 2 }, 1)`.
   */
  firstArgAsKw?: boolean
}

/**
 * A wrapper made with `firstArgAsKw: true`: the same properties, called with the inputs by name first and the
 * positional ones after.
 */
export type NamedFirst<W, T extends object, I extends readonly unknown[], R> = Omit<W, never> &
  ((named: TypedInputs<T>, ...positional: PositionalArgs<T, I>) => R)

/** The default output type of a function wrapper: the solution without outputs, the value for one, a list for more. */
export type DefaultOutputType<O> = O extends readonly [unknown] ? 'values' : O extends readonly unknown[] ? 'list' : 'all'

/** The positional arguments of a function wrapper (each may be left out when the model has a default for it). */
export type PositionalArgs<T, I extends readonly unknown[]> = { -readonly [P in keyof I]?: Val<T, I[P]> }

/** The function made by `SubDispatchFunction`. */
export interface SubDispatchFunctionFn<
  T extends object,
  I extends readonly unknown[],
  O extends readonly unknown[],
  OT extends OutputType,
> extends ModelWrapper {
  /** Calls the model with the inputs in order (missing ones take the model's defaults). */
  (...args: PositionalArgs<T, I>): WrapperResult<T, O, OT>
  /**
   * Calls the model with inputs by name, after the positional ones: names may be parameters or any other data node
   * of the shrunk model (extra inputs).
   */
  withInputs(named: TypedInputs<T>, ...positional: PositionalArgs<T, I>): WrapperResult<T, O, OT>
  /** The parameter ids, in order. */
  readonly inputs: readonly NodeId[]
  /** The output ids (undefined: the call returns the solution). */
  readonly outputs: readonly NodeId[] | undefined
  /** The solution of the last call. */
  readonly solution: SolutionOf<T> | undefined
  /** The signature as text, `F(a, k = 10)`, defaults shown. */
  readonly signature: string
}

/** Checks a list of ids given as `inputs`/`outputs` of a wrapper. */
export function idList(list: unknown, where: string, what: string): NodeId[] {
  if (typeof list === 'string')
    throw new ModelError(`${where}: \`${what}\` must be an array of ids; write [${JSON.stringify(list)}] for one`)
  if (!Array.isArray(list)) throw new ModelError(`${where}: \`${what}\` must be an array of ids`)
  const seen = new Set<NodeId>()
  for (const id of list as NodeId[]) {
    if (typeof id !== 'string' && typeof id !== 'symbol')
      throw new ModelError(`${where}: \`${what}\` holds ${String(id)}, which is not a node id`)
    if (seen.has(id)) throw new ModelError(`${where}: ${formatId(id)} appears twice in \`${what}\``)
    seen.add(id)
  }
  return [...(list as NodeId[])]
}

/** Prepares a model for a function wrapper: shrunk (unless `shrink: false`), with every output reachable. */
export function functionModel(
  dsp: Dispatcher,
  where: string,
  name: string,
  inputs: readonly NodeId[],
  outputs: readonly NodeId[] | undefined,
  inputsDist: Map<NodeId, Distance>,
  shrink: boolean,
  wildcard: boolean,
): Dispatcher {
  let model = dsp
  if (shrink) {
    const small = dsp.shrinkDsp(inputs, outputs, inputsDist, wildcard)
    small.name = name
    // Keep the shrunk model only if a structural run still reaches every output the whole model reaches (shrinking
    // can lose a path through a sub-dispatcher whose output comes from one of its own defaults).
    const reached = (m: Dispatcher) => reachedOutputs(m, inputs, outputs!, { inputsDist, wildcard })
    if (outputs === undefined || reached(small) === reached(dsp)) model = small
  }
  const missing = (outputs ?? []).filter((o) => !model.nodes.has(o))
  if (missing.length > 0) {
    throw new ModelError(
      `${where}(${formatId(name)}): Unreachable output-targets: ${missing.map(formatId).join(', ')}; no path computes them from ` +
        `[${inputs.map(formatId).join(', ')}] (with the model's defaults). Add the inputs they need.`,
    )
  }
  return model
}

/** Binds positional and named arguments to ids, as a function signature does; throws `CallError` on misuse. */
export function bindArguments(
  name: string,
  model: Dispatcher,
  inputs: readonly NodeId[],
  positional: readonly unknown[],
  named: Dict | undefined,
  allowExtra: boolean,
): Map<NodeId, unknown> {
  if (positional.length > inputs.length) {
    throw new CallError(
      name,
      `too many positional arguments: it takes ${inputs.length} (${inputs.map(formatId).join(', ')}), got ${positional.length}`,
    )
  }
  const given = new Map<NodeId, unknown>()
  for (let i = 0; i < positional.length; i++) given.set(inputs[i]!, positional[i])
  if (named !== undefined) {
    const entries =
      named instanceof Map
        ? [...(named as Map<NodeId, unknown>)]
        : Reflect.ownKeys(named).map((k) => [k as NodeId, (named as Record<PropertyKey, unknown>)[k]] as const)
    for (const [id, v] of entries) {
      if (given.has(id)) throw new CallError(name, `multiple values for argument ${formatId(id)}`)
      if (!inputs.includes(id)) {
        const n = model.nodes.get(id)
        if (!allowExtra || n === undefined || n.kind !== 'data') {
          throw new CallError(
            name,
            `unexpected input ${formatId(id)}: ${allowExtra ? 'it is not a data node of the model' : 'not a parameter'}; ` +
              `the parameters are (${inputs.map(formatId).join(', ')})`,
          )
        }
      }
      given.set(id, v)
    }
  }
  for (const id of inputs) {
    if (!given.has(id) && !model.defaultValues.has(id)) throw new CallError(name, `missing a required argument: ${formatId(id)}`)
  }
  return given
}

/** The first argument of a `firstArgAsKw` wrapper: a dictionary of inputs by name (undefined: none). */
export function firstArgDict(name: string, named: unknown): Dict | undefined {
  if (named === undefined) return undefined
  if (named instanceof Map || (typeof named === 'object' && named !== null && !Array.isArray(named))) return named as Dict
  throw new CallError(
    name,
    `with firstArgAsKw the first argument holds the inputs by name (an object or a Map), got ${Array.isArray(named) ? 'an array' : named === null ? 'null' : typeof named}`,
  )
}

/** `F(a, k = 10)`: the parameters of a function wrapper with the model's defaults. */
export function signatureText(name: string, model: Dispatcher, inputs: readonly NodeId[]): string {
  const params = inputs.map((id) => {
    const dv = model.defaultValues.get(id)
    return dv === undefined
      ? formatId(id).replace(/^'|'$/g, '')
      : `${formatId(id).replace(/^'|'$/g, '')} = ${JSON.stringify(dv.value) ?? String(dv.value)}`
  })
  return `${name}(${params.join(', ')})`
}

/**
 * Turns a model into a plain function of positional inputs: `fn(2, 3)` dispatches with `inputs[0] = 2`,
 * `inputs[1] = 3`, the model's defaults for the inputs left out, and returns the outputs (the value itself for one
 * output, an array for several, the solution when `outputs` is omitted; or as `outputType` says). At construction the
 * model is shrunk to what `inputs` → `outputs` needs (keeping the alternative paths), so each call searches a small
 * model, with domains, failures and fallbacks as in `dispatch`. `fn.withInputs({ b: 0 }, 2)` also passes inputs by
 * name, including data nodes that are not parameters. Misuse (missing, extra or doubled arguments) is a `CallError`.
 * Unlike schedula, the model given is never renamed or modified (with `shrink: false` schedula renames it).
 *
 * @example
 * const m = new Dispatcher({ name: 'm' })
 * m.addData({ id: 'k', defaultValue: 10 })
 * m.addFunction({ id: 'f', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
 * m.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
 * const F = SubDispatchFunction(m, { id: 'F', inputs: ['a', 'k'], outputs: ['c'] })
 * F(2)    // 21
 * F(2, 3) // 7
 */
export function SubDispatchFunction<
  T extends object,
  const I extends readonly unknown[],
  const O extends readonly unknown[] | undefined = undefined,
  OT extends OutputType = DefaultOutputType<O>,
  const KW extends boolean = false,
>(
  source: Dispatcher<T> | Blueprint<T>,
  options: SubDispatchFunctionOptions<T, I, Exclude<O, undefined>, OT> & { outputs?: O; firstArgAsKw?: KW },
): [KW] extends [true]
  ? NamedFirst<
      SubDispatchFunctionFn<T, I, O extends readonly unknown[] ? O : [], OT>,
      T,
      I,
      WrapperResult<T, O extends readonly unknown[] ? O : [], OT>
    >
  : SubDispatchFunctionFn<T, I, O extends readonly unknown[] ? O : [], OT> {
  const where = 'SubDispatchFunction'
  const dsp = modelOf(source, where)
  const inputs = idList(options.inputs, where, 'inputs')
  const outputs = options.outputs === undefined ? undefined : idList(options.outputs, where, 'outputs')
  const name = options.id ?? (dsp.name || 'fun')
  const type = checkOutputType(options.outputType ?? (outputs === undefined ? 'all' : outputs.length === 1 ? 'values' : 'list'), where)
  if (type !== 'all' && outputs === undefined) throw new ModelError(`${where}(${formatId(name)}): outputType '${type}' needs \`outputs\``)
  const inputsDist = distMap(options.inputsDist)
  const wildcard = options.wildcard ?? true
  const model = functionModel(dsp as Dispatcher, where, name, inputs, outputs, inputsDist, options.shrink ?? true, wildcard)
  const allowMiss = options.allowMiss ?? false
  let last: Solution | undefined
  // As in schedula, only the parameters are wildcards: a data node passed by name that is also an output is a plain
  // input, never recomputed. With parameters among the outputs too, a copy of the model opts those names out.
  const paramWildcard = wildcard && outputs !== undefined && inputs.some((id) => outputs.includes(id))
  const optedOut = new Map<string, Dispatcher>()
  const modelFor = (extra: NodeId[]): Dispatcher => {
    const key = extra.map(formatId).sort().join('\u0000')
    let m = optedOut.get(key)
    if (m === undefined) {
      m = model.copy()
      for (const id of extra) m.addData({ id, wildcard: false })
      optedOut.set(key, m)
    }
    return m
  }
  const asyncRun = (options as { [ASYNC_RUN]?: Record<string, unknown> })[ASYNC_RUN]
  const run = (given: Map<NodeId, unknown>): unknown => {
    const dist = new Map([...inputsDist].filter(([id]) => !given.has(id)))
    const extra = wildcard && outputs !== undefined ? [...given.keys()].filter((id) => !inputs.includes(id) && outputs.includes(id)) : []
    const target = extra.length > 0 && paramWildcard ? modelFor(extra) : model
    const useWildcard = extra.length > 0 && !paramWildcard ? false : wildcard
    if (asyncRun !== undefined) {
      return target
        .dispatchAsync(given, outputs, { inputsDist: dist, wildcard: useWildcard, rmUnusedNodes: true, ...asyncRun })
        .then((sol) => {
          last = sol
          return type === 'all' ? sol : shapeOutputs(name, sol, outputs!, type, allowMiss)
        })
    }
    let sol: Solution
    try {
      sol = target.dispatch(given, outputs, { inputsDist: dist, wildcard: useWildcard, rmUnusedNodes: true })
    } catch (err) {
      last = target.solution // the partial solution of the call that stopped (the node that ran it keeps it)
      throw err
    }
    last = sol
    if (type === 'all') return sol
    return shapeOutputs(name, sol, outputs!, type, allowMiss)
  }
  const fn = options.firstArgAsKw
    ? (named?: Dict, ...args: unknown[]): unknown => run(bindArguments(name, model, inputs, args, firstArgDict(name, named), true))
    : (...args: unknown[]): unknown => run(bindArguments(name, model, inputs, args, undefined, true))
  return brand(fn, model, name, options.description ?? dsp.description, 'SubDispatchFunction', {
    withInputs: (named: Dict, ...positional: unknown[]) => run(bindArguments(name, model, inputs, positional, named, true)),
    inputs,
    outputs,
    get solution() {
      return last
    },
    signature: signatureText(name, model, inputs),
  }) as never
}

/**
 * `SubDispatch` whose function returns a promise: each call runs `dispatchAsync` (async functions awaited, ready
 * calls side by side within `concurrency`), then shapes the outputs as `SubDispatch` does.
 *
 * @example
 * const m = new Dispatcher({ name: 'm' })
 * m.addFunction({ id: 'f', fn: async (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
 * await SubDispatchAsync(m, { outputs: ['b'], outputType: 'values' })({ a: 1 }) // 2
 */
export function SubDispatchAsync<T extends object>(
  model: Dispatcher<T> | Blueprint<T>,
  options: SubDispatchOptions<T, readonly NodeId[], OutputType> & AsyncSearchWrapperOptions = {},
): ((...inputs: TypedInputs<T>[]) => Promise<unknown>) & ModelWrapper & { readonly solution: Solution | undefined } {
  const { concurrency, signal, timeout, executor, ...rest } = options
  return SubDispatch(model, { ...rest, [ASYNC_RUN]: asyncRunOptions(options) } as never) as never
}

/**
 * `SubDispatchFunction` whose function returns a promise: positional arguments in, each call runs `dispatchAsync`.
 *
 * @example
 * const m = new Dispatcher({ name: 'm' })
 * m.addFunction({ id: 'f', fn: async (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
 * await SubDispatchFunctionAsync(m, { inputs: ['a', 'k'], outputs: ['b'] })(2, 3) // 6
 */
export function SubDispatchFunctionAsync<T extends object>(
  source: Dispatcher<T> | Blueprint<T>,
  options: SubDispatchFunctionOptions<T, readonly NodeId[], readonly NodeId[], OutputType> & AsyncSearchWrapperOptions,
): ((...args: unknown[]) => Promise<unknown>) &
  ModelWrapper & {
    withInputs(named: Dict, ...positional: unknown[]): Promise<unknown>
    readonly solution: Solution | undefined
    readonly signature: string
  } {
  const { concurrency, signal, timeout, executor, ...rest } = options
  return SubDispatchFunction(source, { ...rest, [ASYNC_RUN]: asyncRunOptions(options) } as never) as never
}
