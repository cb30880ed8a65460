// MapDispatch: one model applied to a list of input sets, as a generated model of run<i> nodes; and runModel.
import { WRAPPED_MODEL, formatId, type NodeId } from '../constants.ts'
import { Dispatcher } from '../dispatcher.ts'
import { DispatcherError, ModelError } from '../errors.ts'
import type { AnyFunction } from '../model.ts'
import { Blueprint } from './blueprint.ts'
import { combineDicts, combineNestedDicts, type Dict, type DictKey } from './helpers.ts'
import type { Solution } from '../solution.ts'
import { ASYNC_RUN, SubDispatch, asyncRunOptions, type AsyncSearchWrapperOptions, type SubDispatchOptions } from './sub-dispatch.ts'
import type { TypedInputs } from './types.ts'
import { brand, isModelWrapper, modelOf, type ModelWrapper, type OutputType } from './wrapper.ts'

/** Which outputs of step `i` feed step `i + 1`: ids kept as they are, or old id → new id. */
export type RecursiveInputs = readonly DictKey[] | Readonly<Record<string, DictKey>>

/** Options of `MapDispatch`. */
export interface MapDispatchOptions<T extends object> {
  /**
   * Makes the function applied to each input set from the model (default: `SubDispatch`; schedula's `constructor`).
   * The function receives one merged input dictionary per call.
   */
  factory?: (dsp: Dispatcher<T>, options: Record<string, unknown>) => AnyFunction
  /** Options passed to the factory (for `SubDispatch`: `outputs`, `outputType`, …). */
  factoryOptions?: SubDispatchOptions<T, readonly NodeId[], OutputType> | Record<string, unknown>
  /** Values merged under every input set (the set's own values win). */
  defaults?: TypedInputs<T>
  /** Outputs of each step merged into the inputs of the next (the results must be dictionaries or solutions). */
  recursiveInputs?: RecursiveInputs
  /**
   * How `defaults` (and recursive values) merge with an input set: `'shallow'` (default, as schedula: a nested
   * object given in the set replaces the default one) or `'deep'` (nested plain objects are merged level by level).
   */
  merge?: 'shallow' | 'deep'
  /** Name of the function (default: the model's name, else `'MapDispatch'`). */
  id?: string
  /** Description for plots and API pages. */
  description?: string
}

/** The function made by `MapDispatch`. */
export interface MapDispatchFn<T extends object> extends ModelWrapper {
  /**
   * Applies the model to each input set, in order, and returns the results in order. `defaults` and
   * `recursiveInputs` override those given at construction.
   */
  (inputsList: readonly TypedInputs<T>[], defaults?: TypedInputs<T>, recursiveInputs?: RecursiveInputs): unknown[]
  /** The generated model of the last call (one `run<i>` node per input set; the same model is reused for the same length). */
  readonly dsp: Dispatcher | undefined
  /** The function applied to each input set. */
  readonly fn: AnyFunction
}

/** The entries of a result to pass on (a solution, a Map or a plain object). */
function resultDict(value: unknown, step: number): Dict {
  if (value instanceof Map || (typeof value === 'object' && value !== null && typeof (value as Map<unknown, unknown>).get === 'function'))
    return value as Dict
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Dict
  throw new ModelError(
    `MapDispatch: recursiveInputs needs each result to be a dictionary or a solution, but run<${step}> returned ${Array.isArray(value) ? 'an array' : typeof value}; use outputType 'dict' or 'all'`,
  )
}

function getKey(d: Dict, k: DictKey): [boolean, unknown] {
  if (typeof (d as Map<DictKey, unknown>).get === 'function' && typeof (d as Map<DictKey, unknown>).has === 'function') {
    const m = d as ReadonlyMap<DictKey, unknown>
    return [m.has(k), m.get(k)]
  }
  const o = d as Record<DictKey, unknown>
  return [Object.prototype.hasOwnProperty.call(o, k), o[k]]
}

/**
 * Maps a model over a list of input sets: `mf([{ a: 1 }, { a: 3 }], { b: 10 })` runs `fn = factory(model)` on each
 * set merged with the defaults and returns the results in order. With `recursiveInputs`, selected outputs of step
 * `i` are merged into the inputs of step `i + 1` (a list of ids, or old id → new id). Each call is a dispatch of a
 * generated model (`mf.dsp`: `prepare_inputs` → `inputs<i>` → `run<i>` → `outputs<i>` → `bypass` → `outputs`, and
 * `recursive<i>` → `recursive_data<i>` for the recursion), so it can be plotted and each `run<i>` opens the mapped
 * model. A failing step makes the call throw a `DispatcherError` naming it.
 *
 * @example
 * const m = new Dispatcher()
 * m.addFunction({ id: 'sp', fn: (a: number, b: number) => [a + b, a * b], inputs: ['a', 'b'], outputs: ['s', 'p'] })
 * const f = MapDispatch(m, { factoryOptions: { outputs: ['s', 'p'], outputType: 'list' } })
 * f([{ a: 1, b: 2 }, { a: 3 }], { b: 10 }) // [[3, 2], [13, 30]]
 */
export function MapDispatch<T extends object>(model: Dispatcher<T> | Blueprint<T>, options: MapDispatchOptions<T> = {}): MapDispatchFn<T> {
  const dsp = modelOf(model, 'MapDispatch')
  const given = (options as { [ASYNC_RUN]?: Record<string, unknown> })[ASYNC_RUN]
  // The executor runs the mapped model's functions (each input set's search), not the generated model's own nodes.
  const { executor, ...asyncRunRest } = given ?? {}
  const asyncRun = given === undefined ? undefined : asyncRunRest
  const make =
    options.factory ??
    ((d: Dispatcher<T>, o: Record<string, unknown>) =>
      SubDispatch(
        d,
        (asyncRun === undefined ? o : { ...o, [ASYNC_RUN]: executor === undefined ? {} : { executor } }) as SubDispatchOptions<
          T,
          readonly NodeId[],
          OutputType
        >,
      ))
  if (typeof make !== 'function') throw new ModelError('MapDispatch: `factory` must be a function (dsp, options) => function')
  const fn = make(dsp, { ...(options.factoryOptions ?? {}) })
  if (typeof fn !== 'function') throw new ModelError('MapDispatch: the factory must return a function')
  const name = options.id ?? (dsp.name || 'MapDispatch')
  const merge = options.merge ?? 'shallow'
  if (merge !== 'shallow' && merge !== 'deep')
    throw new ModelError(`MapDispatch: merge must be 'shallow' or 'deep', got ${JSON.stringify(merge)}`)
  const combine = (...ds: Dict[]) => (merge === 'deep' ? combineNestedDicts(...ds) : combineDicts(...(ds as object[])))
  const built = new Map<string, Dispatcher>()
  let last: Dispatcher | undefined

  const build = (n: number, recursive: RecursiveInputs | undefined): Dispatcher => {
    const key = `${n}:${recursive === undefined ? '' : JSON.stringify(recursive)}`
    const cached = built.get(key)
    if (cached !== undefined) return cached
    const renames: [DictKey, DictKey][] =
      recursive === undefined
        ? []
        : Array.isArray(recursive)
          ? (recursive as DictKey[]).map((k) => [k, k])
          : Object.entries(recursive as Record<string, DictKey>)
    const map = new Dispatcher({ name: `${name} map`, raises: false })
    const ins = Array.from({ length: n }, (_, i) => `inputs<${i + 1}>`)
    const outs = Array.from({ length: n }, (_, i) => `outputs<${i + 1}>`)
    map.addData({ id: 'defaults', defaultValue: {} })
    map.addFunction({
      id: 'prepare_inputs',
      inputs: ['inputs', 'defaults'],
      outputs: ins,
      description: 'merges each input set with the defaults',
      // One input set: the single output takes the merged set itself (a list would be one value), as in schedula.
      fn: (list: readonly Dict[], defaults: Dict) => (n === 1 ? combine(defaults, list[0]!) : list.map((inp) => combine(defaults, inp))),
    })
    for (let i = 0; i < n; i++) {
      const inputs = [ins[i]!]
      if (renames.length > 0 && i > 0) {
        const rec = `recursive_data<${i + 1}>`
        map.addFunction({
          id: `recursive<${i + 1}>`,
          inputs: [outs[i - 1]!],
          outputs: [rec],
          description: `outputs of step ${i} passed to step ${i + 1}`,
          fn: (prev: unknown) => {
            const d = resultDict(prev, i)
            const out: Record<DictKey, unknown> = {}
            for (const [from, to] of renames) {
              const [has, v] = getKey(d, from)
              if (has) out[to] = v
            }
            return out
          },
        })
        inputs.push(rec)
      }
      const run = inputs.length === 1 ? (inp: Dict) => fn(inp) : (inp: Dict, rec: Dict) => fn(combine(inp, rec))
      if (isModelWrapper(fn)) Object.defineProperty(run, WRAPPED_MODEL, { value: (fn as ModelWrapper)[WRAPPED_MODEL] })
      Object.defineProperty(run, 'name', { value: `run<${i + 1}>` })
      map.addFunction({ id: `run<${i + 1}>`, fn: run, inputs, outputs: [outs[i]!], description: `${name} on input set ${i + 1}` })
    }
    map.addFunction({
      id: 'bypass',
      fn: (...results: unknown[]) => results,
      inputs: outs,
      outputs: ['outputs'],
      description: 'collects the results in order',
    })
    built.set(key, map)
    return map
  }

  const mapped = function (inputsList: readonly TypedInputs<T>[], defaults?: TypedInputs<T>, recursiveInputs?: RecursiveInputs): unknown[] {
    if (!Array.isArray(inputsList)) throw new ModelError(`${name}(): expected an array of input sets, got ${typeof inputsList}`)
    const n = inputsList.length
    if (n === 0) return []
    const map = build(n, recursiveInputs ?? options.recursiveInputs)
    last = map
    const given = { inputs: inputsList, defaults: defaults ?? options.defaults ?? {} }
    if (asyncRun !== undefined) return map.dispatchAsync(given, ['outputs'], asyncRun).then(outputsOf) as never
    return outputsOf(map.dispatch(given, ['outputs']))
  }
  const outputsOf = (sol: Solution): unknown[] => {
    if (sol.has('outputs')) return sol.get('outputs') as unknown[]
    const failed = [...sol.errors.values()][0]
    throw new DispatcherError(
      `${name}(): ${failed === undefined ? 'a step did not compute' : `step ${formatId(failed.nodeId)} failed: ${failed.message}`}; ` +
        'the results of every input set are needed',
      failed === undefined ? {} : { nodeId: failed.nodeId, cause: failed },
    )
  }
  return brand(mapped, dsp as Dispatcher, name, options.description ?? dsp.description, 'MapDispatch', {
    get dsp() {
      return last
    },
    fn,
  })
}

/**
 * Runs a model given as data: use it as the function of a node whose first input is the model. A `Dispatcher` is
 * dispatched with the next arguments (`inputs`, `outputs`, `options`) and its solution returned; a `Blueprint` is
 * registered first; any other function (a `SubDispatch`, a plain function) is called with the arguments.
 *
 * @example
 * const m = new Dispatcher({ name: 'M' })
 * m.addFunction({ id: 'max', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
 * const d = new Dispatcher()
 * d.addFunction({ id: 'run', fn: runModel, inputs: ['model', 'inputs'], outputs: ['out'] })
 * d.dispatch({ model: m, inputs: { a: 1, b: 2 } }).get('out') // Solution(3) { 'a' => 1, 'b' => 2, 'c' => 2 }
 */
export function runModel(model: Dispatcher | Blueprint | AnyFunction, ...args: unknown[]): unknown {
  if (model instanceof Blueprint) model = model.register()
  if (model instanceof Dispatcher) {
    const [inputs, outputs, options] = args as Parameters<Dispatcher['dispatch']>
    return model.dispatch(inputs, outputs, options)
  }
  if (typeof model === 'function') return model(...args)
  throw new ModelError(`runModel: the model must be a Dispatcher, a Blueprint or a function, got ${model === null ? 'null' : typeof model}`)
}

/**
 * `runModel` with an argument rewriter: the node function `runModelWith(init)` calls `init(...args)` and runs the model
 * with the arguments it returns (an array).
 *
 * @example
 * const run = runModelWith((model, a: number, b: number) => [model, { a, b }])
 */
export function runModelWith(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  init: (...args: any[]) => readonly unknown[],
): (model: Dispatcher | Blueprint | AnyFunction, ...args: unknown[]) => unknown {
  if (typeof init !== 'function') throw new ModelError('runModelWith: `init` must be a function returning the arguments')
  return function runModel_(model, ...args) {
    const rewritten = init(model, ...args)
    if (!Array.isArray(rewritten)) throw new ModelError('runModelWith: `init` must return an array of arguments (the model first)')
    return runModel(...(rewritten as [Dispatcher | Blueprint | AnyFunction, ...unknown[]]))
  }
}

/**
 * `MapDispatch` whose function returns a promise: the input sets run side by side (ephemeral's fan-out), at most
 * `concurrency` at once, each through `SubDispatchAsync` (or the `factory`'s function, which may return promises);
 * the results come back in the order of the input sets.
 *
 * @example
 * const m = new Dispatcher({ name: 'm' })
 * m.addFunction({ id: 'f', fn: async (a: number) => a * 2, inputs: ['a'], outputs: ['b'] })
 * const each = MapDispatchAsync(m, { concurrency: 4, factoryOptions: { outputs: ['b'], outputType: 'values' } })
 * await each([{ a: 1 }, { a: 2 }]) // [2, 4]
 */
export function MapDispatchAsync<T extends object>(
  model: Dispatcher<T> | Blueprint<T>,
  options: MapDispatchOptions<T> & AsyncSearchWrapperOptions = {},
): ((inputsList: readonly TypedInputs<T>[], defaults?: TypedInputs<T>, recursiveInputs?: RecursiveInputs) => Promise<unknown[]>) &
  ModelWrapper {
  const { concurrency, signal, timeout, executor, ...rest } = options
  return MapDispatch(model, { ...rest, [ASYNC_RUN]: asyncRunOptions(options) } as never) as never
}
