// The Dispatcher: a model of data, function and sub-dispatcher nodes, and the entry point of every dispatch.
import {
  EMPTY,
  NONE,
  SELF,
  SINK,
  START,
  WRAPPED_MODEL,
  compareIds,
  formatId,
  idText,
  isNodeId,
  isSpecialNodeId,
  type NodeId,
} from './constants.ts'
import { splitDistance, type Distance } from './distance.ts'
import { DispatcherAbort, DispatcherError, ModelError, didYouMean } from './errors.ts'
import { functionName } from './function-name.ts'
import { INTERNALS, registerDispatcherClass, type DispatcherInternals } from './internal/access.ts'
import { compile, type Compiled } from './internal/compile.ts'
import {
  DataNodeImpl,
  FunctionNodeImpl,
  SubDispatcherNodeImpl,
  cloneNode,
  connect,
  edgeWeight,
  nestedDispatchers,
  succAt,
  succCount,
  succList,
  type NodeImpl,
} from './internal/graph.ts'
import { inferInputs, isNotLiteral, literalValue, parameters } from './internal/infer-inputs.ts'
import { search, type SearchRequest, type WaitOverrides } from './internal/search.ts'
import { inThreadExecutor, searchAsync } from './internal/async-driver.ts'
import { DispatchRun } from './internal/event-stream.ts'
import { checkAsyncNodeOptions, checkAsyncOptions, type DispatchAsyncOptions } from './internal/async-options.ts'
import { prepareExecutors } from './internal/executors.ts'
import { View } from './internal/view.ts'
import { bindRef } from './ref.ts'
import type {
  AddDataOptions,
  AddDispatcherOptions,
  AddFuncOptions,
  AddFunctionOptions,
  AnyFunction,
  DataNode,
  DefaultValue,
  DispatcherOptions,
  Estimations,
  FunctionNode,
  GetNodeOptions,
  IdMapping,
  ModelEdge,
  ModelNode,
  RaisesPolicy,
  Stopper,
  SubDispatcherNode,
  WeightMap,
} from './model.ts'
import { Solution } from './solution.ts'
import { getSubDsp, getSubDspFromWorkflow, shrinkDsp, type SubDspFromWorkflowOptions } from './sub-models.ts'
import { plotDispatcher } from './plot/build.ts'
import type { PlotOptions } from './plot/options.ts'
import type { Plot } from './plot/types.ts'
import { blueprintOf, extendDispatcher, type Blueprint } from './compose/blueprint.ts'
import { deepCopy } from './compose/helpers.ts'
import type { DataId, SolutionOf, TypedDataOptions, TypedDistances, TypedFunctionOptions, TypedInputs } from './compose/types.ts'

/** Inputs of a dispatch: an object or a Map of data id → value. */
export type Inputs = Readonly<Record<string, unknown>> | ReadonlyMap<NodeId, unknown>

/** Options of `Dispatcher.dispatch`. */
export interface DispatchOptions {
  /** Initial distance of some inputs or defaults, by id (numbers or `inf(level, value)`). */
  inputsDist?: Readonly<Record<string, Distance>> | ReadonlyMap<NodeId, Distance>
  /**
   * With outputs given, an input that is also an output is fed to its successors but not stored, so it can be
   * recomputed. `'producible'` does so only for inputs some function can produce (schedula's `wildcard=2`).
   */
  wildcard?: boolean | 'producible'
  /** Structural run: no function is called; every reached data node gets `NONE`. Inputs may be a list of ids. */
  noCall?: boolean
  /** Search the model shrunk by `shrinkDsp(inputs, outputs)` instead of the ancestors of the outputs. */
  shrink?: boolean
  /** Drop from the workflow the functions that received inputs but never ran. */
  rmUnusedNodes?: boolean
  /** Stops the dispatch before the next function call once set (overrides the dispatcher's). */
  stopper?: Stopper
  /** @internal Per-node wait-inputs overrides, used by `shrinkDsp`. */
  waitIn?: WaitOverrides
  /** @internal Skip input domains (structural runs). */
  noDomain?: boolean
}

/** The value of the SINK node: what each producer sent there. */
function collectSink(estimations: Estimations): Estimations {
  return estimations
}

/**
 * A dataflow model: data nodes hold values, function nodes compute them, sub-dispatcher nodes nest other models.
 * `dispatch` computes any outputs from any inputs along the shortest path of the weighted graph, skipping functions
 * whose input domain rejects their arguments and falling back to other paths when a function fails.
 *
 * @example
 * const dsp = new Dispatcher({ name: 'demo' })
 * dsp.addData({ id: 'b', defaultValue: 2 })
 * dsp.addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
 * dsp.dispatch({ a: 1 }).get('c') // 3
 *
 * @typeParam T - Optional shape of the data nodes, id → value type (a type literal, e.g.
 * `new Dispatcher<{ a: number; b: number; c: number }>()`). With it, `addFunction` checks input and output ids and
 * the function's argument and result types, `addData` checks defaults, `dispatch` checks inputs, and
 * `dispatch(…).get('c')` has type `number | undefined`. Without it (the default) every id and function is accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Dispatcher<T extends object = any> {
  /** Name; the default node id when added as a sub-dispatcher. */
  name: string
  /** Free text for plots and API pages. */
  description: string
  /** Failure policy of every dispatch (see `DispatcherOptions.raises`). */
  raises: RaisesPolicy
  /** Default stopper of every dispatch. */
  stopper: Stopper | undefined
  /** Default executor name (for the executors of later releases). */
  executor: string | undefined

  readonly #nodes = new Map<NodeId, NodeImpl>()
  readonly #defaults = new Map<NodeId, DefaultValue>()
  #counter = 0
  #compiled: Compiled | undefined = undefined
  #solution: Solution | undefined = undefined
  readonly #internals: DispatcherInternals

  constructor(options: DispatcherOptions = {}) {
    checkKeys(options, CONSTRUCTOR_KEYS, 'new Dispatcher')
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new ModelError(`new Dispatcher: \`name\` must be a string, got ${describe(options.name)}`)
    }
    this.name = options.name ?? ''
    this.description = options.description ?? ''
    this.raises = options.raises ?? false
    this.stopper = options.stopper
    this.executor = options.executor
    this.#internals = {
      nodes: this.#nodes,
      defaults: this.#defaults,
      compiled: () => (this.#compiled ??= compile(nodeList(this.#nodes), this.#nodes)),
      touch: () => {
        this.#compiled = undefined
      },
      peekIndex: () => this.#counter,
      setCounter: (n: number) => {
        this.#counter = n
      },
    }
  }

  /** @internal The engine's access to the node records. */
  get [INTERNALS](): DispatcherInternals {
    return this.#internals
  }

  // ---- inspection -----------------------------------------------------------------------------------------------

  /** Every node, in insertion order. */
  get nodes(): ReadonlyMap<NodeId, ModelNode> {
    return this.#nodes
  }

  /** The data nodes, in insertion order. */
  get dataNodes(): ReadonlyMap<NodeId, DataNode> {
    return this.#byKind('data')
  }

  /** The function nodes, in insertion order. */
  get functionNodes(): ReadonlyMap<NodeId, FunctionNode> {
    return this.#byKind('function')
  }

  /** The sub-dispatcher nodes, in insertion order. */
  get subDispatcherNodes(): ReadonlyMap<NodeId, SubDispatcherNode> {
    return this.#byKind('dispatcher')
  }

  #byKind<K extends ModelNode['kind']>(kind: K): ReadonlyMap<NodeId, Extract<ModelNode, { kind: K }>> {
    const out = new Map<NodeId, Extract<ModelNode, { kind: K }>>()
    for (const [id, n] of this.#nodes) if (n.kind === kind) out.set(id, n as unknown as Extract<ModelNode, { kind: K }>)
    return out
  }

  /** Default values by data id. */
  get defaultValues(): ReadonlyMap<NodeId, DefaultValue> {
    return this.#defaults
  }

  /** Every edge, grouped by source node in insertion order. */
  get edges(): readonly ModelEdge[] {
    const out: ModelEdge[] = []
    for (const n of this.#nodes.values()) {
      const count = succCount(n)
      for (let k = 0; k < count; k++) out.push({ from: n.id, to: succAt(n, k).id, weight: edgeWeight(n, k) })
    }
    return out
  }

  /** The successors of a node, in edge insertion order. */
  successors(id: NodeId): NodeId[] {
    return succList(this.#require(id, 'successors')).map((to) => to.id)
  }

  /** The predecessors of a node, in the order of their nodes. */
  predecessors(id: NodeId): NodeId[] {
    this.#require(id, 'predecessors')
    const c = this.#internals.compiled()
    const s = c.slotOf.get(id)!
    const out: NodeId[] = []
    for (let p = c.predStart[s]!; p < c.predStart[s + 1]!; p++) out.push(c.nodes[c.edgeFrom[c.predEdge[p]!]!]!.id)
    return out
  }

  /** The solution of the last dispatch (also after it threw: then it is the partial state). */
  get solution(): Solution | undefined {
    return this.#solution
  }

  /**
   * Finds a node by its path: `getNode('x')`, or `getNode('S', 'g')` for node `g` inside sub-dispatcher `S` (or inside
   * the model a function node wraps: `SubDispatch`, `SubDispatchFunction`, `SubDispatchPipe`, `DispatchPipe`).
   * Returns the node record; with options last, `{ nodeAttr }` says what else to return (schedula's `node_attr`):
   * `getNode('S', 'c', { nodeAttr: 'output' })` is the value of `c` in the solution of `S` of the last dispatch.
   * Throws a `ModelError` naming the first id of the path that does not exist.
   */
  getNode(...path: NodeId[]): ModelNode
  getNode(...args: [...path: NodeId[], options: GetNodeOptions]): unknown
  getNode(...args: (NodeId | GetNodeOptions)[]): unknown {
    const last = args[args.length - 1]
    const options: GetNodeOptions = typeof last === 'object' && last !== null ? (args.pop() as GetNodeOptions) : {}
    const path = args as NodeId[]
    const attr = options.nodeAttr ?? 'node'
    const known = ['node', 'output', 'auto', 'description', 'defaultValue', 'dispatcher', 'solution']
    if (!known.includes(attr)) {
      throw new ModelError(`Dispatcher.getNode: unknown nodeAttr ${JSON.stringify(attr)}; use one of ${known.join(', ')}`)
    }
    if (path.length === 0) throw new ModelError('Dispatcher.getNode: give the id of a node (or a path of ids)')
    const given = 'solution' in options ? options.solution : this.#solution
    let sol: Solution | undefined = given instanceof Solution ? given : undefined
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let dsp: Dispatcher = this
    let node: NodeImpl | undefined
    for (let i = 0; i < path.length; i++) {
      const id = path[i]!
      node = dsp.#nodes.get(id)
      if (node === undefined) {
        // schedula: a last id that is no node but has a value in the solution (an input of no node) is that value.
        if (i === path.length - 1 && (attr === 'output' || attr === 'auto') && sol?.has(id)) return sol.get(id)
        const where = i === 0 ? '' : ` inside ${path.slice(0, i).map(formatId).join('/')}`
        throw new ModelError(
          `Dispatcher.getNode: no node ${formatId(id)}${where} in dispatcher ${formatId(dsp.name)}.` +
            didYouMean(typeof id === 'string' ? id : '', dsp.#nodes.keys()),
          { nodeId: id },
        )
      }
      if (i < path.length - 1) {
        const inner = node.kind === 'dispatcher' ? node.dispatcher : node.kind === 'function' ? wrappedModelOf(node.fn) : undefined
        if (inner === undefined) {
          throw new ModelError(
            `Dispatcher.getNode: ${formatId(id)} is a ${node.kind} node, so the path cannot go inside it; ` +
              'only sub-dispatcher nodes and functions wrapping a model (SubDispatchFunction, …) contain other nodes',
            { nodeId: id },
          )
        }
        sol = nodeSolutionOf(sol, node)
        dsp = inner
      }
    }
    return nodeAttribute(node!, attr, dsp, sol)
  }

  #require(id: NodeId, method: string): NodeImpl {
    const n = this.#nodes.get(id)
    if (n === undefined) {
      throw new ModelError(
        `Dispatcher.${method}: no node ${formatId(id)} in dispatcher ${formatId(this.name)}.` +
          didYouMean(typeof id === 'string' ? id : '', this.#nodes.keys()),
        { nodeId: id },
      )
    }
    return n
  }

  // ---- building -------------------------------------------------------------------------------------------------

  /**
   * The existing nodes named by `ids`, written to `found` (undefined where missing; `found` is a scratch array the
   * caller clears); throws when one is not a data node. `guess` names the function in the message.
   */
  #lookupData(ids: readonly NodeId[], found: (NodeImpl | undefined)[], where: string, side: string, guess: NodeId): void {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!
      const n = (found[k] = this.#nodes.get(id))
      if (n !== undefined && n.kind !== 'data') {
        clearScratch(found, k + 1)
        throw new ModelError(
          `${where}(${formatId(guess)}): ${side} ${formatId(id)} is a ${n.kind} node; inputs and outputs of a function ` +
            'must be data nodes',
          { nodeId: id },
        )
      }
    }
  }

  /** The first free id among `guess`, `guess<0>`, `guess<1>`, … */
  #unusedId(guess: NodeId): NodeId {
    if (!this.#nodes.has(guess) || typeof guess !== 'string') return guess
    for (let i = 0; ; i++) {
      const id = `${guess}<${i}>`
      if (!this.#nodes.has(id)) return id
    }
  }

  /**
   * Adds a data node, or updates an existing one with the options given (then it gets a new index; attributes and
   * the default value not given are kept). Returns its id.
   */
  addData<const K extends DataId<T>>(options?: TypedDataOptions<T, K>): NodeId
  addData(options: AddDataOptions = {}): NodeId {
    const where = 'Dispatcher.addData'
    checkKeys(options, DATA_KEYS, where)
    const id = options.id === undefined ? this.#unusedId('unknown') : checkId(options.id, where, 'id')
    const existing = this.#nodes.get(id)
    if (existing !== undefined && existing.kind !== 'data') {
      throw new ModelError(`${where}: ${formatId(id)} is already a ${existing.kind} node; a data node needs another id`, { nodeId: id })
    }
    if (options.initialDist !== undefined) splitDistance(options.initialDist, `${where}(${formatId(id)}).initialDist`)
    if (options.weight !== undefined) checkWeight(options.weight, `${where}(${formatId(id)}).weight`)
    checkCallable(options.fn, `${where}(${formatId(id)}).fn`)
    checkCallable(options.callback, `${where}(${formatId(id)}).callback`)
    checkFilters(options.filters, `${where}(${formatId(id)}).filters`)
    const node = existing ?? new DataNodeImpl(id, 0)
    node.index = this.#counter++
    if (existing === undefined) {
      this.#nodes.set(id, node)
      if (id === SINK) {
        node.waitInputs = true
        node.fn = collectSink
      }
    }
    if (options.waitInputs !== undefined) node.waitInputs = options.waitInputs
    if (options.fn !== undefined) node.fn = options.fn
    if (options.callback !== undefined) node.callback = options.callback
    if (options.filters !== undefined) node.filters = options.filters.length > 0 ? [...options.filters] : undefined
    if (options.wildcard !== undefined) node.wildcard = options.wildcard
    if (options.description !== undefined) node.description = options.description
    if (options.weight !== undefined) node.weight = options.weight
    if (options.attributes !== undefined) node.attributes = { ...node.attributes, ...options.attributes }
    if ('defaultValue' in options) {
      this.setDefaultValue(id, options.defaultValue, options.initialDist ?? 0)
    } else if (existing === undefined && id === START) {
      this.#defaults.set(START, { value: NONE, initialDist: 0 })
    } else if (existing === undefined && id === SELF) {
      this.#defaults.set(SELF, { value: this, initialDist: 0 })
    }
    this.#internals.touch()
    return id
  }

  /** The data node `id`, created with no attributes when missing (the fast path of addFunction). */
  #ensureData(id: NodeId): NodeImpl {
    return this.#nodes.get(id) ?? this.#newData(id)
  }

  /** Creates the data node `id`, known to be missing, with no attributes (special ids get theirs from addData). */
  #newData(id: NodeId): NodeImpl {
    if (id === START || id === SINK || id === SELF) {
      this.addData({ id })
      return this.#nodes.get(id)!
    }
    const n = new DataNodeImpl(id, this.#counter++)
    this.#nodes.set(id, n)
    return n
  }

  /**
   * Adds a function node and returns its id. `inputs` default to `[START]` (the function runs with no argument) and
   * `outputs` to `[SINK]`; unknown ids are created as data nodes. The id defaults to the function's name and is made
   * unique (`f`, `f<0>`, …), so use the returned id.
   */
  addFunction<const I extends readonly DataId<T>[], const O extends readonly DataId<T>[]>(options?: TypedFunctionOptions<T, I, O>): NodeId
  addFunction(options: AddFunctionOptions = {}): NodeId {
    const where = 'Dispatcher.addFunction'
    checkKeys(options, FUNCTION_KEYS, where)
    checkCallable(options.fn, `${where}.fn`)
    // `ref` names the function by module#export: recorded on `fn`, or a stand-in until `resolveRefs` imports it.
    if (options.ref !== undefined) options = { ...options, fn: bindRef(options.ref, options.fn, options.id) }
    let guess: NodeId
    if (options.id !== undefined) guess = checkId(options.id, where, 'id')
    else if (options.fn !== undefined) guess = functionName(options.fn)
    else throw new ModelError(`${where}: give the node an \`id\`, or a \`fn\` whose name becomes the id`)
    // Messages name the node by `guess`, formatted only when one is thrown (no closure on the common path).
    const inputs = options.inputs === undefined ? undefined : checkIdList(options.inputs, where, 'inputs', guess)
    const outputs = options.outputs === undefined ? undefined : checkIdList(options.outputs, where, 'outputs', guess)
    if (options.inputDomain !== undefined) checkCallable(options.inputDomain, `${where}(${formatId(guess)}).inputDomain`)
    if (options.filters !== undefined) checkFilters(options.filters, `${where}(${formatId(guess)}).filters`)
    if (options.weight !== undefined) checkWeight(options.weight, `${where}(${formatId(guess)}).weight`)
    if (
      options.context !== undefined ||
      options.critical !== undefined ||
      options.timeout !== undefined ||
      options.executor !== undefined
    ) {
      checkAsyncNodeOptions(options, `${where}(${formatId(guess)})`)
    }
    const inpWeight =
      options.inpWeight === undefined
        ? undefined
        : weightMap(options.inpWeight, `${where}(${formatId(guess)}).inpWeight`, inputs ?? [START])
    const outWeight =
      options.outWeight === undefined
        ? undefined
        : weightMap(options.outWeight, `${where}(${formatId(guess)}).outWeight`, outputs ?? [SINK])
    // One look-up per id: check the kinds now (before anything changes), reuse the nodes found when connecting.
    const inNodes = scratchIn
    const outNodes = scratchOut
    if (inputs !== undefined) this.#lookupData(inputs, inNodes, where, 'input', guess)
    if (outputs !== undefined) this.#lookupData(outputs, outNodes, where, 'output', guess)
    const id = this.#unusedId(guess)
    const side = ownIdSide(id, inputs ?? [], outputs ?? [])
    if (side !== undefined) {
      clearScratch(inNodes, inputs?.length ?? 1)
      clearScratch(outNodes, outputs?.length ?? 1)
      throw ownIdError(id, side, `${where}(${formatId(guess)})`, 'function')
    }
    if (inputs === undefined) inNodes[0] = this.#ensureData(START)
    if (outputs === undefined) outNodes[0] = this.#ensureData(SINK)
    const node = new FunctionNodeImpl(id, this.#counter++, inputs ?? [START], outputs ?? [SINK], options.fn)
    if (options.inputDomain !== undefined) node.inputDomain = options.inputDomain
    if (options.filters !== undefined && options.filters.length > 0) node.filters = [...options.filters]
    if (options.weight !== undefined) node.weight = options.weight
    if (options.description !== undefined) node.description = options.description
    if (options.attributes !== undefined) node.attributes = { ...options.attributes }
    if (options.context === true) node.context = true
    if (options.timeout !== undefined) node.timeout = options.timeout
    if (options.critical === true) node.critical = true
    if (options.executor !== undefined) node.executor = options.executor === 'async' ? inThreadExecutor : options.executor
    this.#nodes.set(id, node)
    // A repeated id is one edge (its first position): short lists are scanned, long ones use a Set (linear for a
    // node with 10⁵ inputs).
    const ins = node.inputs
    const seenIn = ins.length > DEDUP_SCAN ? new Set<NodeId>() : undefined
    for (let k = 0; k < ins.length; k++) {
      const i = ins[k]!
      if (seenIn === undefined ? repeated(ins, k) : seenIn.has(i)) continue
      seenIn?.add(i)
      connect(inNodes[k] ?? this.#ensureData(i), node, inpWeight?.get(i), true)
    }
    clearScratch(inNodes, ins.length)
    const outs = node.outputs
    const seenOut = outs.length > DEDUP_SCAN ? new Set<NodeId>() : undefined
    for (let k = 0; k < outs.length; k++) {
      const o = outs[k]!
      if (seenOut === undefined ? repeated(outs, k) : seenOut.has(o)) continue
      seenOut?.add(o)
      // A missing output is created here unless an input of the same id was created above (or it is special).
      let to = outNodes[k]
      if (to === undefined) to = ins.length <= DEDUP_SCAN && !ins.includes(o) ? this.#newData(o) : this.#ensureData(o)
      connect(node, to, outWeight?.get(o), true)
    }
    clearScratch(outNodes, outs.length)
    this.#internals.touch()
    return id
  }

  /**
   * Adds a function node whose inputs are the names of the function's parameters, read from its source: the
   * positional parameters up to the first one with a default (all of them with `inputsKwargs`). Throws when the
   * names cannot be read reliably (destructuring, rest parameters, native or minified functions): then give `inputs`.
   */
  addFunc(fn: AnyFunction, options?: AddFuncOptions): NodeId
  /**
   * The decorator form (schedula's `@sh.add_function(dsp, …)`): returns a function that adds the function it is
   * given (with these options) and returns it unchanged, so `const f = dsp.addFunc({ outputs: ['c'] })(function
   * f(a, b) { … })` both defines `f` and adds it. It also works as a TypeScript decorator on a static method.
   */
  addFunc(options: AddFuncOptions): <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext) => F
  addFunc(
    fnOrOptions: AnyFunction | AddFuncOptions,
    options: AddFuncOptions = {},
  ): NodeId | (<F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext) => F) {
    if (typeof fnOrOptions === 'object' && fnOrOptions !== null) {
      const decorated = fnOrOptions
      return <F extends AnyFunction>(fn: F): F => {
        this.addFunc(fn, decorated)
        return fn
      }
    }
    const fn = fnOrOptions
    checkCallable(fn, 'Dispatcher.addFunc')
    const { inputsKwargs, inputsDefaults, ...rest } = options
    const inputs = rest.inputs ?? inferInputs(fn, inputsKwargs ?? false)
    const defaults = new Map<NodeId, unknown>()
    if (inputsDefaults === true) {
      // As schedula: the parameters and the inputs are matched by position.
      const params = parameters(fn)
      for (let k = 0; k < Math.min(inputs.length, params.length); k++) {
        const text = params[k]!.defaultText
        if (text === undefined) continue
        const value = literalValue(text)
        if (isNotLiteral(value)) {
          throw new ModelError(
            `Dispatcher.addFunc(${formatId(fn.name || 'unknown')}).inputsDefaults: the default of parameter ` +
              `${formatId(params[k]!.name)} is \`${text}\`, not a literal the source can be read for; give it as ` +
              `\`inputsDefaults: { ${JSON.stringify(String(inputs[k]))}: value }\``,
          )
        }
        defaults.set(inputs[k]!, value)
      }
    } else if (inputsDefaults !== undefined && inputsDefaults !== false) {
      for (const [id, value] of entriesOf(inputsDefaults, 'Dispatcher.addFunc: inputsDefaults')) {
        if (!inputs.includes(id)) {
          throw new ModelError(
            `Dispatcher.addFunc: inputsDefaults names ${formatId(id)}, which is not an input of the function ` +
              `(${inputs.map((i) => formatId(i)).join(', ')})`,
            { nodeId: id },
          )
        }
        defaults.set(id, value)
      }
    }
    const id = (this as Dispatcher).addFunction({ ...rest, fn, inputs })
    for (const [input, value] of defaults) this.setDefaultValue(input, value)
    return id
  }

  /**
   * Adds a sub-dispatcher node: the child model runs inside this one's search, fed by `inputs` (parent → child ids)
   * and setting `outputs` (child → parent ids). Returns its id.
   */
  addDispatcher(options: AddDispatcherOptions): NodeId {
    const where = 'Dispatcher.addDispatcher'
    checkKeys(options, DISPATCHER_KEYS, where)
    if (!(options?.dispatcher instanceof Dispatcher)) {
      throw new ModelError(`${where}: \`dispatcher\` must be a Dispatcher, got ${describe(options?.dispatcher)}`)
    }
    let child = options.dispatcher
    if (child === this) throw new ModelError(`${where}: a dispatcher cannot contain itself; add a copy() instead`)
    const cycle = nestedDispatchers.has(this) ? containmentPath(child, this) : null
    if (cycle !== null) {
      throw new ModelError(
        `${where}: dispatcher ${formatId(this.name)} cannot contain ${formatId(child.name)}, which already contains it ` +
          `(${[this.name, ...cycle].map((n) => formatId(n)).join(' → ')}): a dispatcher cannot contain itself, even ` +
          'indirectly; add a copy() of the child instead',
      )
    }
    const guess = options.id === undefined ? child.name || 'unknown' : checkId(options.id, where, 'id')
    const label = formatId(guess)
    checkCallable(options.inputDomain, `${where}(${label}).inputDomain`)
    if (options.weight !== undefined) checkWeight(options.weight, `${where}(${label}).weight`)
    const childData = (): NodeId[] => [...child.#nodes.values()].filter((n) => n.kind === 'data' && !isSpecialNodeId(n.id)).map((n) => n.id)
    const inMap = normaliseMapping(options.inputs ?? childData(), `${where}(${label}).inputs`, options.inputsPrefix ?? '', 'key')
    const outMap = normaliseMapping(options.outputs ?? childData(), `${where}(${label}).outputs`, options.outputsPrefix ?? '', 'value')
    // outMap from normaliseMapping is key → values with the prefix on values: child → parents.
    for (const [side, map, childSide] of [
      ['inputs', inMap, 'values'],
      ['outputs', outMap, 'keys'],
    ] as const) {
      for (const [k, vs] of map) {
        const cids: readonly NodeId[] = childSide === 'keys' ? [k] : vs
        for (const cid of cids) {
          if (cid === SINK && !child.#nodes.has(SINK)) continue
          const n = child.#nodes.get(cid)
          if (n === undefined || n.kind !== 'data') {
            throw new ModelError(
              `${where}(${label}).${side}: ${formatId(cid)} is ${n === undefined ? 'not a node' : `a ${n.kind} node`} ` +
                `of the child dispatcher ${formatId(child.name)}; map only its data nodes.` +
                (n === undefined ? didYouMean(typeof cid === 'string' ? cid : '', child.#nodes.keys()) : ''),
              { nodeId: cid },
            )
          }
        }
      }
    }
    const parentInputs = sortIds([...inMap.keys()])
    const parentOutputs = sortIds([...new Set([...outMap.values()].flat())])
    for (const [list, side] of [
      [parentInputs, 'input'],
      [parentOutputs, 'output'],
    ] as const) {
      for (const id of list) {
        const n = this.#nodes.get(id)
        if (n !== undefined && n.kind !== 'data') {
          throw new ModelError(`${where}(${label}): parent ${side} ${formatId(id)} is a ${n.kind} node, not a data node`, { nodeId: id })
        }
      }
    }
    const inpWeight = weightMap(options.inpWeight, `${where}(${label}).inpWeight`, parentInputs)
    if (options.includeDefaults) {
      child = child.copy()
    }
    if ([...inMap.values()].some((vs) => vs.includes(SINK)) || outMap.has(SINK)) child.#ensureData(SINK)
    const id = this.#unusedId(guess)
    const side = ownIdSide(id, parentInputs, parentOutputs)
    if (side !== undefined) throw ownIdError(id, side, `${where}(${label})`, 'sub-dispatcher')
    const node = new SubDispatcherNodeImpl(id, this.#counter++, child)
    node.inputs = inMap
    node.outputs = outMap
    if (options.inputDomain !== undefined) node.inputDomain = options.inputDomain
    if (options.weight !== undefined) node.weight = options.weight
    const description = options.description ?? (child.description || undefined)
    if (description !== undefined) node.description = description
    if (options.attributes !== undefined) node.attributes = { ...options.attributes }
    this.#nodes.set(id, node)
    for (const i of parentInputs) connect(this.#ensureData(i), node, inpWeight.get(i) ?? 0, true)
    for (const o of parentOutputs) connect(node, this.#ensureData(o), undefined, true)
    if (options.includeDefaults) {
      for (const [pid, cids] of inMap) {
        // As schedula: the default of the first child id moves up; only then are the other ids' defaults cleared.
        const dv = child.#defaults.get(cids[0]!)
        if (dv === undefined) continue
        this.#defaults.set(pid, dv)
        for (const cid of cids) child.#defaults.delete(cid)
      }
      child.#internals.touch()
    }
    this.#internals.touch()
    return id
  }

  /** Adds data nodes, then function nodes, then sub-dispatcher nodes from option lists. Returns the ids. */
  addFromLists(lists: {
    data?: readonly AddDataOptions[]
    functions?: readonly AddFunctionOptions[]
    dispatchers?: readonly AddDispatcherOptions[]
  }): { data: NodeId[]; functions: NodeId[]; dispatchers: NodeId[] } {
    return {
      data: (lists.data ?? []).map((o) => (this as Dispatcher).addData(o)),
      functions: (lists.functions ?? []).map((o) => (this as Dispatcher).addFunction(o)),
      dispatchers: (lists.dispatchers ?? []).map((o) => this.addDispatcher(o)),
    }
  }

  /**
   * Sets the default value of a data node and the distance it starts at; `EMPTY`, or no value at all, removes it.
   * `undefined` is a value like any other.
   */
  setDefaultValue(id: NodeId, ...args: [] | [value: unknown, initialDist?: Distance]): void {
    const value = args.length === 0 ? EMPTY : args[0]
    const initialDist = args[1] ?? 0
    const n = this.#nodes.get(id)
    if (n === undefined || n.kind !== 'data') {
      throw new ModelError(
        `Dispatcher.setDefaultValue: ${formatId(id)} is ${n === undefined ? 'not a node' : `a ${n.kind} node`}; ` +
          'defaults belong to data nodes (add it first with addData).' +
          (n === undefined ? didYouMean(typeof id === 'string' ? id : '', this.#nodes.keys()) : ''),
        { nodeId: id },
      )
    }
    splitDistance(initialDist, `Dispatcher.setDefaultValue(${formatId(id)})`)
    if (value === EMPTY) this.#defaults.delete(id)
    else this.#defaults.set(id, { value, initialDist })
  }

  /**
   * A deep copy: nodes, edges, defaults and nested dispatchers are copied. Default values that are plain data (plain
   * objects, arrays, Maps, Sets, Dates) are deep-copied too, so editing one in the copy never changes the original;
   * functions and class instances are shared.
   */
  copy(): Dispatcher<T> {
    const memo = new Map<Dispatcher, Dispatcher>()
    return this.#copy(memo) as Dispatcher<T>
  }

  #copy(memo: Map<Dispatcher, Dispatcher>): Dispatcher {
    const done = memo.get(this)
    if (done !== undefined) return done
    const out = this.copyStructure()
    memo.set(this, out)
    for (const n of this.#nodes.values()) {
      out.#nodes.set(n.id, cloneNode(n, n.kind === 'dispatcher' ? n.dispatcher.#copy(memo) : undefined))
    }
    for (const n of this.#nodes.values()) {
      // `fresh`: a successor list has each target once, so no search (hubs with many successors stay linear).
      const from = out.#nodes.get(n.id)!
      const count = succCount(n)
      for (let k = 0; k < count; k++) connect(from, out.#nodes.get(succAt(n, k).id)!, edgeWeight(n, k), true)
    }
    for (const [id, dv] of this.#defaults) {
      out.#defaults.set(id, id === SELF && dv.value === this ? { ...dv, value: out } : { ...dv, value: deepCopy(dv.value) })
    }
    out.#counter = this.#counter
    return out
  }

  /**
   * A blueprint that rebuilds this model (see `Blueprint`): the same nodes in the same order, with their attributes,
   * defaults, edge weights and mappings; child dispatchers become child blueprints down to `depth` levels (`-1`: all).
   * `blue().register()` is an independent copy; the blueprint can also be extended and registered many times.
   */
  blue(depth = -1): Blueprint<T> {
    return blueprintOf(this, depth)
  }

  /**
   * Adds to this model the steps of blueprints, and the nodes of other dispatchers (through their `blue()`), in order.
   * Nodes with the same id are merged as `addData` does (attributes and defaults given are updated, others kept), so
   * extending never removes a default. Returns this dispatcher.
   */
  extend(...blues: readonly (Blueprint | Dispatcher)[]): this {
    return extendDispatcher(this, blues)
  }

  /** An empty dispatcher with the same name, description, policy, stopper and executor (overridable). */
  copyStructure(options: DispatcherOptions = {}): Dispatcher {
    const base: DispatcherOptions = { name: this.name, description: this.description, raises: this.raises }
    if (this.stopper !== undefined) base.stopper = this.stopper
    if (this.executor !== undefined) base.executor = this.executor
    return new Dispatcher({ ...base, ...options })
  }

  // ---- dispatching ----------------------------------------------------------------------------------------------

  /**
   * Computes the outputs reachable from `inputs` along the shortest paths of the model. With `outputs`, only their
   * ancestors are searched and the search stops once they are all computed. Failures are recorded in
   * `solution.errors` and alternative paths are tried (unless the dispatcher `raises`).
   */
  dispatch(
    inputs?: TypedInputs<T> | readonly DataId<T>[],
    outputs?: readonly DataId<T>[] | null,
    options?: DispatchOptions & { inputsDist?: TypedDistances<T> },
  ): SolutionOf<T>
  dispatch(inputs?: Inputs | readonly NodeId[], outputs?: readonly NodeId[] | null, options: DispatchOptions = {}): Solution {
    const where = 'Dispatcher.dispatch'
    checkKeys(options, DISPATCH_KEYS, where)
    const req = this.#request(inputs, outputs, options, where)
    const run = this.#track(req)
    // The last solution is replaced as the search starts; dropping it first lets a large model's previous search
    // state be collected before the new one is allocated (the peak memory of repeated dispatches is one, not two).
    this.#solution = undefined
    try {
      search(req, run.start)
    } catch (err) {
      throw this.#failed(run, err)
    } finally {
      this.#ended(run)
    }
    return run.solution!
  }

  /**
   * `dispatch` for models with asynchronous functions (or long ones worth running side by side): functions,
   * input domains, data-node functions, filters and callbacks may return promises. The solution is the one
   * `dispatch` would return for the same (synchronous) results, whatever the concurrency — calls whose inputs are
   * final start early, their outcomes are applied in the synchronous order. Rejects with `DispatcherAbort` (the
   * partial solution attached) when `signal` aborts or `timeout` runs out, and like `dispatch` throws otherwise.
   *
   * @example
   * const dsp = new Dispatcher()
   * dsp.addFunction({ id: 'fetch', fn: async (url: string) => url.length, inputs: ['url'], outputs: ['size'] })
   * const sol = await dsp.dispatchAsync({ url: 'https://example.org' }, ['size'], { concurrency: 4 })
   * sol.get('size') // 19
   */
  dispatchAsync(
    inputs?: TypedInputs<T> | readonly DataId<T>[],
    outputs?: readonly DataId<T>[] | null,
    options?: DispatchAsyncOptions & { inputsDist?: TypedDistances<T> },
  ): Promise<SolutionOf<T>>
  async dispatchAsync(
    inputs?: Inputs | readonly NodeId[],
    outputs?: readonly NodeId[] | null,
    options: DispatchAsyncOptions = {},
  ): Promise<Solution> {
    const where = 'Dispatcher.dispatchAsync'
    checkKeys(options, ASYNC_DISPATCH_KEYS, where)
    const asyncOptions = checkAsyncOptions(options, where)
    const req = this.#request(inputs, outputs, options, where)
    const prepared = prepareExecutors(this as Dispatcher, asyncOptions.executor)
    if (prepared !== undefined) await prepared
    const run = this.#track(req)
    this.#solution = undefined // as in `dispatch`
    try {
      await searchAsync(req, asyncOptions, run.start)
    } catch (err) {
      throw this.#failed(run, err)
    } finally {
      this.#ended(run)
    }
    return run.solution!
  }

  /**
   * `dispatchAsync` seen as a stream of events, for progress displays: iterate the returned run with `for await`
   * (it ends with the dispatch, throwing its error if it failed) and await `run.solution` for the solution.
   * `options.onEvent`, if given, is called too.
   *
   * @example
   * const dsp = new Dispatcher()
   * dsp.addFunction({ id: 'double', fn: async (a: number) => a * 2, inputs: ['a'], outputs: ['b'] })
   * const run = dsp.dispatchStream({ a: 1 }, ['b'], { concurrency: 4 })
   * const types: string[] = []
   * for await (const e of run) types.push(e.type) // ['start', 'finish']
   * const sol = await run.solution // Solution(2) { 'a' => 1, 'b' => 2 }
   */
  dispatchStream(inputs?: Inputs | readonly NodeId[], outputs?: readonly NodeId[] | null, options: DispatchAsyncOptions = {}): DispatchRun {
    const user = options.onEvent
    return new DispatchRun((onEvent) =>
      (this as Dispatcher).dispatchAsync(inputs, outputs, {
        ...options,
        onEvent:
          user === undefined
            ? onEvent
            : (e) => {
                onEvent(e)
                user(e)
              },
      }),
    )
  }

  /** What one dispatch made: its solution, created when the search starts (and shown as `dsp.solution` at once). */
  #track(req: SearchRequest): {
    solution: Solution | undefined
    readonly start: (root: Parameters<NonNullable<Parameters<typeof search>[1]>>[0]) => void
  } {
    const run: { solution: Solution | undefined; start: (root: Parameters<NonNullable<Parameters<typeof search>[1]>>[0]) => void } = {
      solution: undefined,
      start: (root) => {
        run.solution = new Solution(root, req.inputs, req.outputs)
        this.#solution = run.solution
      },
    }
    return run
  }

  /** A dispatch that threw: each dispatch it passes through sets its own solution, so the outermost (the caller's) wins. */
  #failed(run: { readonly solution: Solution | undefined }, err: unknown): unknown {
    if ((err instanceof DispatcherError || err instanceof DispatcherAbort) && run.solution !== undefined) err.solution = run.solution
    return err
  }

  /** A function may dispatch this same model again (re-entrant): the last dispatch to end is the one `dsp.solution` shows. */
  #ended(run: { readonly solution: Solution | undefined }): void {
    if (run.solution !== undefined) this.#solution = run.solution
  }

  /** The search request of a dispatch: checked inputs, outputs and distances, and the part of the model to search. */
  #request(
    inputs: Inputs | readonly NodeId[] | undefined,
    outputs: readonly NodeId[] | null | undefined,
    options: DispatchOptions,
    where: string,
  ): SearchRequest {
    const noCall = options.noCall ?? false
    const inputMap = toInputMap(inputs, noCall, where)
    const outs = outputs === undefined || outputs === null ? undefined : checkIdList(outputs, `${where}: outputs`)
    const inputsDist = new Map<NodeId, Distance>()
    for (const [id, d] of entriesOf(options.inputsDist, `${where}: inputsDist`)) {
      splitDistance(d as Distance, `${where}: inputsDist of ${formatId(id)}`)
      inputsDist.set(id, d as Distance)
    }
    const wildcard = options.wildcard === 'producible' ? 2 : (options.wildcard ?? false)
    let view: View
    if (!noCall && options.shrink) {
      view = View.full(this.shrinkDsp([...inputMap.keys()], outs, inputsDist, wildcard !== false))
    } else if (!noCall && outs !== undefined && outs.length > 0) {
      view = View.pruned(this, outs, inputMap.keys(), wildcard !== false)
    } else {
      view = View.full(this)
    }
    const stopper = options.stopper ?? this.stopper
    return {
      view,
      inputs: inputMap,
      inputsDist,
      outputs: outs,
      options: {
        noCall,
        stopper,
        rmUnusedNodes: options.rmUnusedNodes ?? false,
        wildcard,
        waitIn: options.waitIn,
        noDomain: options.noDomain ?? false,
      },
    }
  }

  // ---- sub-models -----------------------------------------------------------------------------------------------

  /**
   * The sub-model induced by `nodes`: functions missing an input are dropped, then the `edges` given are removed,
   * then functions left without outputs and isolated nodes are dropped.
   */
  getSubDsp(nodes: Iterable<NodeId>, edges?: Iterable<readonly [NodeId, NodeId]>): Dispatcher {
    return getSubDsp(this, nodes, edges)
  }

  /**
   * The sub-model reached by a breadth-first search from `sources` over the last workflow (or `options.graph:
   * 'model'`), following successors, or predecessors with `reverse`.
   */
  getSubDspFromWorkflow(sources: Iterable<NodeId>, options: SubDspFromWorkflowOptions = {}): Dispatcher {
    return getSubDspFromWorkflow(this, sources, options)
  }

  /**
   * The smallest sub-model that computes `outputs` from `inputs`, keeping the alternative producers of nodes that
   * may fail at run time (outputs of functions with a domain, waiting nodes).
   */
  shrinkDsp(
    inputs?: Iterable<NodeId>,
    outputs?: Iterable<NodeId>,
    inputsDist?: ReadonlyMap<NodeId, Distance> | Readonly<Record<string, Distance>>,
    wildcard = true,
  ): Dispatcher {
    return shrinkDsp(this, inputs, outputs, inputsDist, wildcard)
  }

  /**
   * Draws the model as DOT pages in schedula's visual language: one page for this dispatcher and one per
   * sub-dispatcher and model-wrapping function (down to `depth`). With `workflow: true`, draws the last solution.
   */
  plot(options?: PlotOptions): Plot {
    return plotDispatcher(this, options)
  }

  /** `Dispatcher(name, N nodes)`. */
  toString(): string {
    return `Dispatcher(${this.name ? formatId(this.name) + ', ' : ''}${this.#nodes.size} nodes)`
  }

  /** Shown as `Dispatcher('name', 3 nodes)` by `util.inspect` and the Node REPL. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

// ---- argument checking ------------------------------------------------------------------------------------------

const CONSTRUCTOR_KEYS = new Set(['name', 'description', 'raises', 'stopper', 'executor'])
const DATA_KEYS = new Set([
  'id',
  'defaultValue',
  'initialDist',
  'waitInputs',
  'wildcard',
  'fn',
  'callback',
  'filters',
  'description',
  'weight',
  'attributes',
])
const FUNCTION_KEYS = new Set([
  'id',
  'fn',
  'ref',
  'inputs',
  'outputs',
  'inputDomain',
  'weight',
  'inpWeight',
  'outWeight',
  'filters',
  'description',
  'attributes',
  'context',
  'timeout',
  'critical',
  'executor',
])
const DISPATCHER_KEYS = new Set([
  'dispatcher',
  'id',
  'inputs',
  'outputs',
  'inputDomain',
  'weight',
  'inpWeight',
  'description',
  'includeDefaults',
  'inputsPrefix',
  'outputsPrefix',
  'attributes',
])
const DISPATCH_KEYS = new Set(['inputsDist', 'wildcard', 'noCall', 'shrink', 'rmUnusedNodes', 'stopper', 'waitIn', 'noDomain'])
const ASYNC_DISPATCH_KEYS = new Set([...DISPATCH_KEYS, 'concurrency', 'signal', 'timeout', 'executor', 'onEvent'])

function checkKeys(options: object, allowed: ReadonlySet<string>, where: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new ModelError(`${where}: options must be an object, got ${describe(options)}`)
  }
  for (const k in options) {
    if (!allowed.has(k)) {
      throw new ModelError(`${where}: unknown option \`${k}\`.${didYouMean(k, allowed)} Valid options: ${[...allowed].join(', ')}`)
    }
  }
}

/** The nodes of a model in insertion order, in an array of exactly their number (a spread grows it by steps). */
function nodeList(nodes: ReadonlyMap<NodeId, NodeImpl>): NodeImpl[] {
  const list = new Array<NodeImpl>(nodes.size)
  let i = 0
  for (const n of nodes.values()) list[i++] = n
  return list
}

/** Up to this many ids, `addFunction` finds a repeated input or output by scanning (no Set). */
const DEDUP_SCAN = 8
/** `addFunction`'s scratch arrays for the nodes its inputs and outputs name (cleared after each call). */
const scratchIn: (NodeImpl | undefined)[] = []
const scratchOut: (NodeImpl | undefined)[] = []

/** Empties the first `n` places of a scratch array (dropped whole when a long list made it long). */
function clearScratch(scratch: (NodeImpl | undefined)[], n: number): void {
  if (scratch.length > 64) scratch.length = 0
  else for (let k = 0; k < n; k++) scratch[k] = undefined
}

/** Whether `list[k]` already appears before position `k`. */
function repeated(list: readonly NodeId[], k: number): boolean {
  const id = list[k]
  for (let j = 0; j < k; j++) if (list[j] === id) return true
  return false
}

/** A node cannot be its own input or output (the id would name it and a data node): the list that names it, if any. */
function ownIdSide(id: NodeId, inputs: readonly NodeId[], outputs: readonly NodeId[]): 'inputs' | 'outputs' | undefined {
  return inputs.includes(id) ? 'inputs' : outputs.includes(id) ? 'outputs' : undefined
}

/** The error for a function or sub-dispatcher id that is also one of its `side` (see {@link ownIdSide}). */
function ownIdError(id: NodeId, side: 'inputs' | 'outputs', where: string, kind: string): ModelError {
  return new ModelError(
    `${where}: the ${kind} id ${formatId(id)} is also one of its ${side}; one id names one node, so give the ` +
      `${kind} another id (e.g. ${formatId(`compute_${idText(id)}`)}) or rename the data node`,
    { nodeId: id },
  )
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`
  return typeof v === 'object' ? `an object (${v.constructor?.name ?? 'Object'})` : typeof v
}

function checkId(id: unknown, where: string, what: string): NodeId {
  if (!isNodeId(id)) {
    throw new ModelError(`${where}: ${what} must be a string or a special token (START, SINK, …), got ${describe(id)}`)
  }
  return id
}

/** Checks a list of node ids and returns a copy; `owner` (the node's id, when known) is named in messages. */
function checkIdList(list: unknown, where: string, what = 'ids', owner?: NodeId): NodeId[] {
  if (typeof list === 'string') {
    throw new ModelError(
      `${idListWhere(where, what, owner)}: expected an array of node ids, got the string ${JSON.stringify(list)}; write [${JSON.stringify(list)}] for a single id`,
    )
  }
  if (!Array.isArray(list)) throw new ModelError(`${idListWhere(where, what, owner)}: expected an array of node ids, got ${describe(list)}`)
  for (let i = 0; i < list.length; i++) {
    const id: unknown = list[i]
    if (typeof id !== 'string' && !isNodeId(id)) checkId(id, idListWhere(where, what, owner), `item ${i}`)
  }
  return list.slice() as NodeId[]
}

/** Where a list of ids is, for messages: `Dispatcher.addFunction(f).inputs`. */
function idListWhere(where: string, what: string, owner: NodeId | undefined): string {
  return `${where}${owner === undefined ? '' : `(${formatId(owner)})`}${what === 'ids' ? '' : `.${what}`}`
}

function checkCallable(fn: unknown, where: string): void {
  if (fn !== undefined && typeof fn !== 'function') throw new ModelError(`${where}: expected a function, got ${describe(fn)}`)
}

function checkFilters(filters: unknown, where: string): void {
  if (filters === undefined) return
  if (!Array.isArray(filters)) throw new ModelError(`${where}: expected an array of functions, got ${describe(filters)}`)
  filters.forEach((f, i) => checkCallable(f, `${where}[${i}]`))
}

function checkWeight(w: unknown, where: string): void {
  if (typeof w !== 'number' || Number.isNaN(w)) throw new ModelError(`${where}: a weight must be a number, got ${describe(w)}`)
}

function weightMap(w: WeightMap | undefined, where: string, ids: readonly NodeId[]): Map<NodeId, number> {
  const out = new Map<NodeId, number>()
  for (const [id, v] of entriesOf(w, where)) {
    checkWeight(v, `${where}[${formatId(id)}]`)
    if (!ids.includes(id)) {
      throw new ModelError(`${where}: ${formatId(id)} is not one of [${ids.map(formatId).join(', ')}]; weights apply to those edges only`, {
        nodeId: id,
      })
    }
    out.set(id, v as number)
  }
  return out
}

function entriesOf(v: unknown, where: string): [NodeId, unknown][] {
  if (v === undefined || v === null) return []
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [checkId(k, where, 'key'), x])
  if (typeof v === 'object' && !Array.isArray(v)) {
    return Reflect.ownKeys(v).map((k) => [checkId(k, where, 'key'), (v as Record<PropertyKey, unknown>)[k]])
  }
  throw new ModelError(`${where}: expected an object or a Map, got ${describe(v)}`)
}

function toInputMap(inputs: unknown, noCall: boolean, where: string): Map<NodeId, unknown> {
  if (inputs === undefined || inputs === null) return new Map()
  if (Array.isArray(inputs)) {
    if (!noCall) {
      throw new ModelError(
        `${where}: inputs must be an object or a Map of id → value; a list of ids is accepted only with { noCall: true }`,
      )
    }
    return new Map(checkIdList(inputs, `${where}: inputs`).map((id) => [id, NONE]))
  }
  return new Map(entriesOf(inputs, `${where}: inputs`))
}

function sortIds(ids: NodeId[]): NodeId[] {
  return ids.sort(compareIds)
}

/** Normalises a mapping to key → ids, prefixing the parent side (`'key'` for inputs, `'value'` for outputs). */
function normaliseMapping(m: IdMapping, where: string, prefix: string, parentSide: 'key' | 'value'): Map<NodeId, NodeId[]> {
  const out = new Map<NodeId, NodeId[]>()
  const pre = (id: NodeId): NodeId => (prefix && typeof id === 'string' ? prefix + id : id)
  const add = (k: NodeId, v: NodeId | readonly NodeId[]) => {
    const vs: NodeId[] = Array.isArray(v) ? checkIdList(v, where) : [checkId(v, where, `value of ${formatId(k)}`)]
    if (vs.length === 0) throw new ModelError(`${where}: ${formatId(k)} maps to no id`)
    const key: NodeId = parentSide === 'key' ? pre(k) : k
    if (out.has(key)) throw new ModelError(`${where}: ${formatId(key)} is mapped twice`, { nodeId: key })
    out.set(key, parentSide === 'value' ? vs.map((v): NodeId => pre(v)) : vs)
  }
  if (Array.isArray(m)) {
    for (const id of checkIdList(m, where)) add(id, id)
  } else if (m instanceof Map) {
    // A list as a key (schedula's tuple key): each of its ids maps to the value.
    for (const [k, v] of m as ReadonlyMap<unknown, NodeId | readonly NodeId[]>) {
      if (!Array.isArray(k)) add(checkId(k, where, 'key'), v)
      else if (k.length === 0) throw new ModelError(`${where}: a key lists no id; give at least one`)
      else for (const id of checkIdList(k, where, 'key ids')) add(id, v)
    }
  } else {
    for (const [k, v] of entriesOf(m, where)) add(k, v as NodeId | readonly NodeId[])
  }
  return out
}

export { functionName }

registerDispatcherClass(Dispatcher)

/**
 * The names of the dispatchers on a containment path from `from` down to `target` (both included), or null when
 * `from` does not contain `target` at any depth. Iterative, and each dispatcher is searched once.
 */
function containmentPath(from: Dispatcher, target: Dispatcher): string[] | null {
  const parentOf = new Map<Dispatcher, Dispatcher | null>([[from, null]])
  const stack: Dispatcher[] = [from]
  while (stack.length > 0) {
    const d = stack.pop()!
    for (const node of d.nodes.values()) {
      if (node.kind !== 'dispatcher' || parentOf.has(node.dispatcher)) continue
      parentOf.set(node.dispatcher, d)
      if (node.dispatcher === target) {
        const names: string[] = []
        for (let at: Dispatcher | null = target; at !== null; at = parentOf.get(at) ?? null) names.push(at.name)
        return names.reverse()
      }
      stack.push(node.dispatcher)
    }
  }
  return null
}

/** The solution a sub-dispatcher node or a model-wrapping function node got in `sol`, if any. */
function nodeSolutionOf(sol: Solution | undefined, node: NodeImpl): Solution | undefined {
  if (sol === undefined || node.kind === 'data') return undefined
  if (node.kind === 'dispatcher') return sol.subSolutions.get(node.id)
  return sol.workflow.nodes.get(node.id)?.solution
}

/** What `getNode` returns for `node` of `dsp` under `attr`, with `sol` the solution of that level. */
function nodeAttribute(node: NodeImpl, attr: NonNullable<GetNodeOptions['nodeAttr']>, dsp: Dispatcher, sol: Solution | undefined): unknown {
  switch (attr) {
    case 'node':
      return node
    case 'output':
      return node.kind === 'data' ? sol?.get(node.id) : nodeSolutionOf(sol, node)
    case 'auto':
      if (node.kind === 'function') return node.fn
      if (node.kind === 'dispatcher') return node.dispatcher
      return sol?.has(node.id) ? sol.get(node.id) : node
    case 'description':
      return node.description
    case 'defaultValue':
      return dsp.defaultValues.get(node.id)
    case 'dispatcher':
      return dsp
    case 'solution':
      return sol
  }
}

/** The model a function node wraps (`fn[WRAPPED_MODEL]`, set by the composition helpers), if it wraps one. */
function wrappedModelOf(fn: AnyFunction | undefined): Dispatcher | undefined {
  if (fn === undefined) return undefined
  const m: unknown = (fn as unknown as Record<symbol, unknown>)[WRAPPED_MODEL]
  return m instanceof Dispatcher ? m : undefined
}
