// Blueprints: a model described as a list of deferred building steps, instantiated (registered) as many times as needed.
import { SELF, SINK, START, formatId, type Empty, type NodeId } from '../constants.ts'
import type { Distance } from '../distance.ts'
import type { Dispatcher, DispatchOptions } from '../dispatcher.ts'
import { ModelError } from '../errors.ts'
import { internalsOf, isDispatcher, newDispatcher } from '../internal/access.ts'
import { edgeWeight, findEdge, succAt, succCount, type NodeImpl } from '../internal/graph.ts'
import type { AddDataOptions, AddDispatcherOptions, AddFuncOptions, AddFunctionOptions, AnyFunction, DispatcherOptions } from '../model.ts'
import { deepCopy } from './helpers.ts'
import type { Val } from './sub-dispatch.ts'
import type { DataId, SolutionOf, TypedDataOptions, TypedFunctionOptions, TypedInputs } from './types.ts'

/** Blueprints and dispatchers already built by one registration, so that a blueprint used twice yields one object. */
export type RegisterMemo = Map<Blueprint, Dispatcher>

const DEFERRED: unique symbol = Symbol('flowmark.deferred')

/** A value built only when its blueprint is registered (see `deferred`). */
export interface Deferred<V> {
  readonly [DEFERRED]: (memo: Map<Blueprint, Dispatcher>) => V
}

/**
 * Defers a value of a blueprint step to registration time: `make(memo)` runs at each `register()`, with the
 * registration's memo. Use it for functions that wrap another blueprint, so that each registration gets its own
 * instance of the inner model:
 *
 * @example
 * const inner = new Blueprint({ name: 'inner' }).addFunction({ id: 'g', fn: (x: number) => x * 2, inputs: ['x'], outputs: ['y'] })
 * const outer = new Blueprint().addFunction({
 *   id: 'F', inputs: ['a'], outputs: ['b'],
 *   fn: deferred((memo) => SubDispatchFunction(inner.register(memo), { inputs: ['x'], outputs: ['y'] })),
 * })
 */
export function deferred<V>(make: (memo: Map<Blueprint, Dispatcher>) => V): Deferred<V> {
  if (typeof make !== 'function') throw new ModelError('deferred: expected a function (memo) => value')
  return { [DEFERRED]: make }
}

function isDeferred(v: unknown): v is Deferred<unknown> {
  return typeof v === 'object' && v !== null && DEFERRED in v
}

/** A value, or one deferred to registration time. */
export type MaybeDeferred<V> = V | Deferred<V>

/** `addFunction` options of a blueprint: the function may be deferred. */
export type BlueFunctionOptions = Omit<AddFunctionOptions, 'fn'> & { fn?: MaybeDeferred<AnyFunction> }

/** `addDispatcher` options of a blueprint: the child may be a blueprint (registered with the parent) or deferred. */
export type BlueDispatcherOptions = Omit<AddDispatcherOptions, 'dispatcher'> & { dispatcher: Dispatcher | Blueprint | Deferred<Dispatcher> }

/** One recorded building step. */
export type BlueprintStep =
  | { readonly method: 'addData'; readonly options: AddDataOptions }
  | { readonly method: 'addFunction'; readonly options: BlueFunctionOptions }
  | { readonly method: 'addFunc'; readonly fn: MaybeDeferred<AnyFunction>; readonly options: AddFuncOptions }
  | { readonly method: 'addDispatcher'; readonly options: BlueDispatcherOptions }
  | { readonly method: 'setDefaultValue'; readonly id: NodeId; readonly value: unknown; readonly initialDist: Distance }

/** A copy of step options taken when the step is recorded: arrays, Maps and plain objects are copied, values kept. */
function snapshot<O extends object>(options: O): O {
  const out: Record<PropertyKey, unknown> = {}
  for (const k of Reflect.ownKeys(options)) {
    const v = (options as Record<PropertyKey, unknown>)[k]
    if (k === 'defaultValue') out[k] = v
    else if (Array.isArray(v)) out[k] = (v as unknown[]).map((x) => (Array.isArray(x) ? [...(x as unknown[])] : x))
    else if (v instanceof Map)
      out[k] = new Map([...(v as Map<unknown, unknown>)].map(([a, b]) => [a, Array.isArray(b) ? [...(b as unknown[])] : b]))
    else if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) out[k] = { ...v }
    else out[k] = v
  }
  return out as O
}

/**
 * A deferred description of a model: the same building methods as `Dispatcher` (`addData`, `addFunction`, `addFunc`,
 * `addDispatcher`, `setDefaultValue`, chainable), recorded instead of run. `register()` builds a new, independent
 * `Dispatcher` from the steps each time it is called, so a model can be declared once, in one module, and
 * instantiated wherever it is needed. Child blueprints (in `addDispatcher`) and `deferred` values are built with the
 * parent; a `memo` shares what was built across registrations.
 *
 * Compared with schedula's `BlueDispatcher`, it fixes these accidents:
 * - the options of each step are copied when recorded, so changing an array after the call does not change the
 *   blueprint;
 * - each registration deep-copies the default values that are plain data (objects, arrays, Maps, Sets), so two
 *   instances never share a mutable default; functions and class instances are shared;
 * - `Dispatcher.blue()` rebuilds the model in its own node order with every default value, so `extend` with a
 *   dispatcher never removes a default an earlier blueprint set (schedula re-adds every data node without its
 *   default and, as re-adding removes defaults there, the extended model loses them).
 *
 * @typeParam T - Optional shape of the data nodes, as for `Dispatcher<T>`.
 * @example
 * const blue = new Blueprint({ name: 'B' })
 *   .addData({ id: 'a', defaultValue: 1 })
 *   .addFunction({ id: 'f', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
 * const d1 = blue.register()
 * const d2 = blue.register() // d1 !== d2: independent instances
 * blue.dispatch({ b: 5 }).toObject() // { a: 1, b: 5, c: 5 }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Blueprint<T extends object = any> {
  /** Options of the dispatcher `register()` builds. */
  readonly options: DispatcherOptions
  readonly #steps: BlueprintStep[] = []

  constructor(options: DispatcherOptions = {}) {
    newDispatcher(options) // validates the options now, where the mistake is
    this.options = { ...options }
  }

  /** The recorded steps, in order. */
  get deferred(): readonly BlueprintStep[] {
    return this.#steps
  }

  /** Records `Dispatcher.addData`. */
  addData<const K extends DataId<T>>(options?: TypedDataOptions<T, K>): this
  addData(options: AddDataOptions = {}): this {
    this.#steps.push({ method: 'addData', options: snapshot(options) })
    return this
  }

  /** Records `Dispatcher.addFunction` (the function may be `deferred`). */
  addFunction<const I extends readonly DataId<T>[], const O extends readonly DataId<T>[]>(
    options?: TypedFunctionOptions<T, I, O> | (BlueFunctionOptions & { fn: Deferred<AnyFunction> }),
  ): this
  addFunction(options: BlueFunctionOptions = {}): this {
    this.#steps.push({ method: 'addFunction', options: snapshot(options) })
    return this
  }

  /** Records `Dispatcher.addFunc` (inputs read from the parameter names when registered). */
  addFunc(fn: MaybeDeferred<AnyFunction>, options: AddFuncOptions = {}): this {
    this.#steps.push({ method: 'addFunc', fn, options: snapshot(options) })
    return this
  }

  /** Records `Dispatcher.addDispatcher`; the child may be a `Blueprint` (registered with this one) or a `Dispatcher`. */
  addDispatcher(options: BlueDispatcherOptions): this {
    this.#steps.push({ method: 'addDispatcher', options: snapshot(options) })
    return this
  }

  /** Records `addData`, `addFunction` and `addDispatcher` steps from option lists, in that order. */
  addFromLists(lists: {
    data?: readonly AddDataOptions[]
    functions?: readonly BlueFunctionOptions[]
    dispatchers?: readonly BlueDispatcherOptions[]
  }): this {
    for (const o of lists.data ?? []) this.#steps.push({ method: 'addData', options: snapshot(o) })
    for (const o of lists.functions ?? []) this.#steps.push({ method: 'addFunction', options: snapshot(o) })
    for (const o of lists.dispatchers ?? []) this.#steps.push({ method: 'addDispatcher', options: snapshot(o) })
    return this
  }

  /** Records `Dispatcher.setDefaultValue`. */
  setDefaultValue<const K extends DataId<T>>(id: K, value: Val<T, K> | Empty, initialDist: Distance = 0): this {
    this.#steps.push({ method: 'setDefaultValue', id, value, initialDist })
    return this
  }

  /**
   * Appends the steps of other blueprints (a `Dispatcher` is first turned into one with `blue()`), in order.
   * Returns this blueprint.
   */
  extend(...blues: readonly (Blueprint | Dispatcher)[]): this {
    for (const b of blues) {
      const source = isDispatcher(b) ? blueprintOf(b) : b
      if (!(source instanceof Blueprint)) throw new ModelError(`Blueprint.extend: expected blueprints or dispatchers, got ${String(b)}`)
      this.#steps.push(...source.#steps)
    }
    return this
  }

  /**
   * Builds a new `Dispatcher` from the steps. Each call returns a new, independent instance, unless `memo` already
   * holds one for this blueprint (then that one is returned). Within one registration, a child blueprint used twice
   * is built once.
   */
  register(memo: Map<Blueprint, Dispatcher> = new Map()): Dispatcher<T> {
    const done = memo.get(this)
    if (done !== undefined) return done as Dispatcher<T>
    const dsp = newDispatcher(this.options) as Dispatcher<T>
    memo.set(this, dsp)
    replay(dsp as Dispatcher, this.#steps, memo)
    return dsp
  }

  /** Registers a new instance and dispatches it (the instance is `solution.dispatcher`). */
  dispatch(inputs?: TypedInputs<T>, outputs?: readonly DataId<T>[] | null, options?: DispatchOptions): SolutionOf<T> {
    return this.register().dispatch(inputs, outputs, options)
  }

  /** `Blueprint('name', N steps)`. */
  toString(): string {
    return `Blueprint(${this.options.name ? formatId(this.options.name) + ', ' : ''}${this.#steps.length} steps)`
  }
}

function resolve<V>(v: MaybeDeferred<V>, memo: RegisterMemo): V {
  return isDeferred(v) ? v[DEFERRED](memo) : v
}

/** Runs recorded steps on a dispatcher. */
function replay(dsp: Dispatcher, steps: readonly BlueprintStep[], memo: RegisterMemo): void {
  for (const step of steps) {
    switch (step.method) {
      case 'addData': {
        const o = step.options
        dsp.addData('defaultValue' in o ? { ...o, defaultValue: deepCopy(o.defaultValue) } : o)
        break
      }
      case 'addFunction': {
        const o = step.options
        const { fn, ...rest } = o
        dsp.addFunction(fn === undefined ? (rest as AddFunctionOptions) : { ...rest, fn: resolve(fn, memo) })
        break
      }
      case 'addFunc':
        dsp.addFunc(resolve(step.fn, memo), step.options)
        break
      case 'addDispatcher': {
        const { dispatcher, ...rest } = step.options
        const child = dispatcher instanceof Blueprint ? dispatcher.register(memo) : resolve(dispatcher, memo)
        dsp.addDispatcher({ ...rest, dispatcher: child })
        break
      }
      case 'setDefaultValue':
        dsp.setDefaultValue(step.id, deepCopy(step.value), step.initialDist)
        break
    }
  }
}

/**
 * `Dispatcher.extend`: replays the steps of blueprints (and of dispatchers, through `blue()`) into `dsp` itself.
 * Returns `dsp`.
 */
export function extendDispatcher<D extends Dispatcher>(dsp: D, blues: readonly (Blueprint | Dispatcher)[]): D {
  const memo: RegisterMemo = new Map()
  for (const b of blues) {
    if (b instanceof Blueprint) replay(dsp, b.deferred, memo)
    else if (isDispatcher(b)) replay(dsp, blueprintOf(b).deferred, memo)
    else throw new ModelError(`Dispatcher.extend: expected blueprints or dispatchers, got ${String(b)}`)
  }
  return dsp
}

/**
 * `Dispatcher.blue()`: a blueprint that rebuilds `dsp` — the same nodes in the same order, with their attributes,
 * default values (and initial distances), edge weights and sub-dispatcher mappings; child dispatchers become child
 * blueprints (down to `depth` levels; `-1`: all; below that, the child dispatcher itself is shared). Functions are
 * shared. A function output or input whose edge was removed (by `getSubDsp` with `edges`) gets its edge back.
 */
export function blueprintOf<T extends object>(dsp: Dispatcher<T>, depth = -1, memo: Map<Dispatcher, Blueprint> = new Map()): Blueprint<T> {
  const known = memo.get(dsp as Dispatcher)
  if (known !== undefined) return known as Blueprint<T>
  const options: DispatcherOptions = { name: dsp.name, description: dsp.description, raises: dsp.raises }
  if (dsp.stopper !== undefined) options.stopper = dsp.stopper
  if (dsp.executor !== undefined) options.executor = dsp.executor
  const blue = new Blueprint<T>(options)
  memo.set(dsp as Dispatcher, blue)
  const nodes = internalsOf(dsp as Dispatcher).nodes
  const defaults = dsp.defaultValues
  const created = new Set<NodeId>()
  const b = blue as Blueprint
  for (const n of nodes.values()) {
    if (n.kind === 'data') {
      const o: AddDataOptions = { id: n.id }
      let needed = !created.has(n.id)
      const dv = defaults.get(n.id)
      const automatic = (n.id === START && dv?.initialDist === 0) || (n.id === SELF && dv?.value === dsp && dv.initialDist === 0)
      if (dv !== undefined && !automatic) {
        o.defaultValue = dv.value
        if (dv.initialDist !== 0) o.initialDist = dv.initialDist
        needed = true
      }
      if (n.id !== SINK) {
        if (n.waitInputs) o.waitInputs = true
        if (n.fn !== undefined) o.fn = n.fn
      }
      if (n.callback !== undefined) o.callback = n.callback
      if (n.filters !== undefined) o.filters = n.filters
      if (n.wildcard !== undefined) o.wildcard = n.wildcard
      if (n.description !== undefined) o.description = n.description
      if (n.weight !== undefined) o.weight = n.weight
      if (Reflect.ownKeys(n.attributes).length > 0) o.attributes = { ...n.attributes }
      if (needed || Reflect.ownKeys(o).length > 1) b.addData(o)
      created.add(n.id)
    } else if (n.kind === 'function') {
      const o: AddFunctionOptions = { id: n.id, inputs: [...n.inputs], outputs: [...n.outputs] }
      if (n.fn !== undefined) o.fn = n.fn
      if (n.inputDomain !== undefined) o.inputDomain = n.inputDomain
      if (n.weight !== undefined) o.weight = n.weight
      if (n.filters !== undefined) o.filters = n.filters
      if (n.description !== undefined) o.description = n.description
      if (Reflect.ownKeys(n.attributes).length > 0) o.attributes = { ...n.attributes }
      const inpWeight = new Map<NodeId, number>()
      for (const i of new Set(n.inputs)) {
        const w = weightTo(nodes.get(i), n)
        if (w !== undefined) inpWeight.set(i, w)
      }
      const outWeight = new Map<NodeId, number>()
      const count = succCount(n)
      for (let k = 0; k < count; k++) {
        const w = edgeWeight(n, k)
        if (w !== undefined) outWeight.set(succAt(n, k).id, w)
      }
      if (inpWeight.size > 0) o.inpWeight = inpWeight
      if (outWeight.size > 0) o.outWeight = outWeight
      b.addFunction(o)
      for (const id of n.inputs) created.add(id)
      for (const id of n.outputs) created.add(id)
    } else {
      const child = depth === 0 ? n.dispatcher : blueprintOf(n.dispatcher, depth - 1, memo)
      const o: BlueDispatcherOptions = {
        dispatcher: child,
        id: n.id,
        inputs: new Map([...n.inputs].map(([k, v]) => [k, [...v]])),
        outputs: new Map([...n.outputs].map(([k, v]) => [k, [...v]])),
      }
      if (n.inputDomain !== undefined) o.inputDomain = n.inputDomain
      if (n.weight !== undefined) o.weight = n.weight
      if (n.description !== undefined) o.description = n.description
      if (Reflect.ownKeys(n.attributes).length > 0) o.attributes = { ...n.attributes }
      const inpWeight = new Map<NodeId, number>()
      for (const p of n.inputs.keys()) {
        const w = weightTo(nodes.get(p), n)
        if (w !== undefined && w !== 0) inpWeight.set(p, w)
      }
      if (inpWeight.size > 0) o.inpWeight = inpWeight
      b.addDispatcher(o)
      for (const id of n.inputs.keys()) created.add(id)
      for (const ids of n.outputs.values()) for (const id of ids) created.add(id)
    }
  }
  return blue
}

/** The weight of the edge `from → to` (undefined when unweighted, or when there is no such edge). */
function weightTo(from: NodeImpl | undefined, to: NodeImpl): number | undefined {
  if (from === undefined) return undefined
  const k = findEdge(from, to)
  return k < 0 ? undefined : edgeWeight(from, k)
}
