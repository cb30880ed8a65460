// Mutable node and edge records behind a Dispatcher, and the helpers that edit them.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type {
  AnyFunction,
  DataFunction,
  DataNode,
  Executor,
  Filter,
  FunctionNode,
  InputDomain,
  SubDispatcherDomain,
  SubDispatcherNode,
} from '../model.ts'

/** Shared empty attribute bag: nodes get their own object only when attributes are given. */
export const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({})
const NO_EDGES: NodeImpl[] = []

/**
 * The edges from a node: their targets in insertion order, each listed once. One target is stored as itself (no
 * array: most function nodes have one output and most data nodes one consumer, and a 1-element array costs 60 bytes),
 * more as an array. Read them with {@link succCount} / {@link succAt} or {@link succList}.
 */
export type Successors = NodeImpl | NodeImpl[]

// Optional attributes are declared here and given their defaults on the prototypes below: a node carries only the
// fields it uses (most nodes have no description, weight, filters…), which keeps large models small.
abstract class NodeBase {
  readonly id: NodeId
  index: number
  /**
   * The edges from this node (see {@link Successors}): an edge is its source and its position here, no object per
   * edge, which keeps million-node models small. Its id in a compiled form is `succStart[slot]` + that position.
   */
  succ: Successors = NO_EDGES
  /** Weights of the edges in `succ`, by position (undefined: unweighted); no array until an edge has a weight. */
  declare succW: (number | undefined)[] | undefined
  /** Slot in the last compiled form of its dispatcher. */
  slot = -1
  declare description: string | undefined
  declare attributes: Record<string, unknown>
  declare weight: number | undefined

  constructor(id: NodeId, index: number) {
    this.id = id
    this.index = index
  }
}

/** A data node record. */
export class DataNodeImpl extends NodeBase implements DataNode {
  declare readonly kind: 'data'
  declare waitInputs: boolean
  declare fn: DataFunction | undefined
  declare callback: ((value: unknown) => unknown) | undefined
  declare filters: readonly Filter[] | undefined
  declare wildcard: boolean | undefined
}

/** A function node record. */
export class FunctionNodeImpl extends NodeBase implements FunctionNode {
  declare readonly kind: 'function'
  inputs: NodeId[]
  outputs: NodeId[]
  fn: AnyFunction | undefined
  declare inputDomain: InputDomain | undefined
  declare filters: readonly Filter[] | undefined
  declare context: boolean | undefined
  declare timeout: number | undefined
  declare critical: boolean | undefined
  declare executor: Executor | undefined

  constructor(id: NodeId, index: number, inputs: NodeId[], outputs: NodeId[], fn: AnyFunction | undefined) {
    super(id, index)
    this.inputs = inputs
    this.outputs = outputs
    this.fn = fn
  }
}

/** A sub-dispatcher node record. */
export class SubDispatcherNodeImpl extends NodeBase implements SubDispatcherNode {
  declare readonly kind: 'dispatcher'
  dispatcher: Dispatcher
  inputs: Map<NodeId, NodeId[]> = new Map()
  outputs: Map<NodeId, NodeId[]> = new Map()
  declare inputDomain: SubDispatcherDomain | undefined

  constructor(id: NodeId, index: number, dispatcher: Dispatcher) {
    super(id, index)
    this.dispatcher = dispatcher
    nestedDispatchers.add(dispatcher)
  }
}

/**
 * Every dispatcher that has ever been the child of a sub-dispatcher node (never cleared: a superset). One that is not
 * in it is inside no model, so adding a child to it cannot close a containment cycle (`addDispatcher` skips the walk).
 */
export const nestedDispatchers = new WeakSet<Dispatcher>()

function defaults(proto: object, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(proto, key, { value, writable: true, enumerable: true, configurable: true })
  }
}
defaults(NodeBase.prototype, { description: undefined, attributes: NO_ATTRIBUTES, weight: undefined, succW: undefined })
defaults(DataNodeImpl.prototype, { waitInputs: false, fn: undefined, callback: undefined, filters: undefined, wildcard: undefined })
defaults(FunctionNodeImpl.prototype, {
  inputDomain: undefined,
  filters: undefined,
  context: undefined,
  timeout: undefined,
  critical: undefined,
  executor: undefined,
})
defaults(SubDispatcherNodeImpl.prototype, { inputDomain: undefined })

// The kind lives on the prototype: one field less on every node.
Object.defineProperty(DataNodeImpl.prototype, 'kind', { value: 'data', enumerable: true })
Object.defineProperty(FunctionNodeImpl.prototype, 'kind', { value: 'function', enumerable: true })
Object.defineProperty(SubDispatcherNodeImpl.prototype, 'kind', { value: 'dispatcher', enumerable: true })

/** Any node record. */
export type NodeImpl = DataNodeImpl | FunctionNodeImpl | SubDispatcherNodeImpl

/**
 * Adds the edge `from → to` unless it exists (then only its weight is updated). `fresh` skips the search for an
 * existing edge when the caller knows there is none (a node that was just created).
 */
export function connect(from: NodeImpl, to: NodeImpl, weight: number | undefined, fresh = false): void {
  if (!fresh) {
    const k = findEdge(from, to)
    if (k >= 0) {
      if (weight !== undefined) setWeight(from, k, weight)
      return
    }
  }
  const k = succCount(from)
  from.succ = append(from.succ, to)
  if (weight !== undefined) setWeight(from, k, weight)
}

/** How many edges leave `n`. */
export function succCount(n: NodeImpl): number {
  const s = n.succ
  return Array.isArray(s) ? s.length : 1
}

/** The target of the edge at position `k` (`k` < {@link succCount}) of `n`. */
export function succAt(n: NodeImpl, k: number): NodeImpl {
  const s = n.succ
  return Array.isArray(s) ? s[k]! : s
}

/** The targets of the edges from `n`, as a list (a new one-element list for a single edge: not for hot loops). */
export function succList(n: NodeImpl): readonly NodeImpl[] {
  const s = n.succ
  return Array.isArray(s) ? s : [s]
}

/** A successor list of the targets in `list` (the form {@link Successors} gives one or none). */
function successors(list: NodeImpl[]): Successors {
  return list.length === 0 ? NO_EDGES : list.length === 1 ? list[0]! : list
}

function setWeight(from: NodeImpl, k: number, weight: number): void {
  const w = (from.succW ??= [])
  while (w.length < k) w.push(undefined)
  w[k] = weight
}

/** Appends to a successor list, keeping short lists at their exact size (most nodes have one or two edges). */
function append(succ: Successors, to: NodeImpl): Successors {
  if (!Array.isArray(succ)) return [succ, to]
  const list = succ
  const n = list.length
  if (n === 0) return to
  if (n >= 8) {
    list.push(to)
    return list
  }
  const out = new Array<NodeImpl>(n + 1)
  for (let i = 0; i < n; i++) out[i] = list[i]!
  out[n] = to
  return out
}

/** The weight of the edge at position `k` of `from.succ` (undefined: unweighted). */
export function edgeWeight(from: NodeImpl, k: number): number | undefined {
  return from.succW?.[k]
}

/** The position of the edge `from → to` in `from.succ`, or -1. */
export function findEdge(from: NodeImpl, to: NodeImpl): number {
  const s = from.succ
  return Array.isArray(s) ? s.indexOf(to) : s === to ? 0 : -1
}

/** Keeps the edges from `from` whose target passes `keep` (weights follow their edges). */
export function filterEdges(from: NodeImpl, keep: (to: NodeImpl) => boolean): void {
  const succ: NodeImpl[] = []
  const w = from.succW
  const weights: (number | undefined)[] = []
  const n = succCount(from)
  for (let k = 0; k < n; k++) {
    const to = succAt(from, k)
    if (!keep(to)) continue
    succ.push(to)
    if (w !== undefined) weights.push(w[k])
  }
  from.succ = successors(succ)
  if (w !== undefined) from.succW = weights
}

/** Copies the plain attributes of a node record onto a fresh record of the same kind (no edges). */
export function cloneNode(n: NodeImpl, dispatcher?: Dispatcher): NodeImpl {
  let c: NodeImpl
  if (n.kind === 'data') {
    const d = new DataNodeImpl(n.id, n.index)
    if (n.waitInputs) d.waitInputs = true
    if (n.fn !== undefined) d.fn = n.fn
    if (n.callback !== undefined) d.callback = n.callback
    if (n.filters !== undefined) d.filters = n.filters
    if (n.wildcard !== undefined) d.wildcard = n.wildcard
    c = d
  } else if (n.kind === 'function') {
    const f = new FunctionNodeImpl(n.id, n.index, n.inputs.slice(), n.outputs.slice(), n.fn)
    if (n.inputDomain !== undefined) f.inputDomain = n.inputDomain
    if (n.filters !== undefined) f.filters = n.filters
    c = f
  } else {
    const s = new SubDispatcherNodeImpl(n.id, n.index, dispatcher ?? n.dispatcher)
    s.inputs = new Map([...n.inputs].map(([k, v]) => [k, v.slice()]))
    s.outputs = new Map([...n.outputs].map(([k, v]) => [k, v.slice()]))
    if (n.inputDomain !== undefined) s.inputDomain = n.inputDomain
    c = s
  }
  if (n.description !== undefined) c.description = n.description
  if (n.attributes !== NO_ATTRIBUTES) c.attributes = { ...n.attributes }
  if (n.weight !== undefined) c.weight = n.weight
  return c
}
