// Mutable node and edge records behind a Dispatcher, and the helpers that edit them.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type {
  AnyFunction, DataFunction, DataNode, Filter, FunctionNode, InputDomain, SubDispatcherDomain, SubDispatcherNode,
} from '../model.ts'

/** A model edge, listed in `from.succ` (predecessor lists are derived in the compiled form). */
export class EdgeImpl {
  readonly from: NodeImpl
  readonly to: NodeImpl
  weight: number | undefined
  /** Edge id in the last compiled form of its dispatcher. */
  eid = -1

  constructor(from: NodeImpl, to: NodeImpl, weight: number | undefined) {
    this.from = from
    this.to = to
    this.weight = weight
  }
}

/** Shared empty attribute bag: nodes get their own object only when attributes are given. */
export const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({})
const NO_EDGES: EdgeImpl[] = []

abstract class NodeBase {
  readonly id: NodeId
  index: number
  description: string | undefined = undefined
  attributes: Record<string, unknown> = NO_ATTRIBUTES as Record<string, unknown>
  weight: number | undefined = undefined
  succ: EdgeImpl[] = NO_EDGES
  /** Slot in the last compiled form of its dispatcher. */
  slot = -1

  constructor(id: NodeId, index: number) {
    this.id = id
    this.index = index
  }
}

/** A data node record. */
export class DataNodeImpl extends NodeBase implements DataNode {
  declare readonly kind: 'data'
  waitInputs = false
  fn: DataFunction | undefined = undefined
  callback: ((value: unknown) => unknown) | undefined = undefined
  filters: readonly Filter[] | undefined = undefined
  wildcard: boolean | undefined = undefined
}

/** A function node record. */
export class FunctionNodeImpl extends NodeBase implements FunctionNode {
  declare readonly kind: 'function'
  inputs: NodeId[] = []
  outputs: NodeId[] = []
  fn: AnyFunction | undefined = undefined
  inputDomain: InputDomain | undefined = undefined
  filters: readonly Filter[] | undefined = undefined
}

/** A sub-dispatcher node record. */
export class SubDispatcherNodeImpl extends NodeBase implements SubDispatcherNode {
  declare readonly kind: 'dispatcher'
  dispatcher: Dispatcher
  inputs: Map<NodeId, NodeId[]> = new Map()
  outputs: Map<NodeId, NodeId[]> = new Map()
  inputDomain: SubDispatcherDomain | undefined = undefined

  constructor(id: NodeId, index: number, dispatcher: Dispatcher) {
    super(id, index)
    this.dispatcher = dispatcher
  }
}

// The kind lives on the prototype: one field less on every node.
Object.defineProperty(DataNodeImpl.prototype, 'kind', { value: 'data', enumerable: true })
Object.defineProperty(FunctionNodeImpl.prototype, 'kind', { value: 'function', enumerable: true })
Object.defineProperty(SubDispatcherNodeImpl.prototype, 'kind', { value: 'dispatcher', enumerable: true })

/** Any node record. */
export type NodeImpl = DataNodeImpl | FunctionNodeImpl | SubDispatcherNodeImpl

/**
 * Adds the edge `from → to` unless it exists (then only its weight is updated); returns the edge. `fresh` skips the
 * search for an existing edge when the caller knows there is none (a node that was just created).
 */
export function connect(from: NodeImpl, to: NodeImpl, weight: number | undefined, fresh = false): EdgeImpl {
  if (!fresh) {
    const existing = findEdge(from, to)
    if (existing !== undefined) {
      if (weight !== undefined) existing.weight = weight
      return existing
    }
  }
  const e = new EdgeImpl(from, to, weight)
  from.succ = append(from.succ, e)
  return e
}

/** Appends to an edge list, keeping short lists at their exact size (most nodes have one or two edges). */
function append(list: EdgeImpl[], e: EdgeImpl): EdgeImpl[] {
  const n = list.length
  if (n >= 8) {
    list.push(e)
    return list
  }
  const out: EdgeImpl[] = new Array(n + 1)
  for (let i = 0; i < n; i++) out[i] = list[i]!
  out[n] = e
  return out
}

/** Removes one edge from both of its ends. */
export function disconnect(e: EdgeImpl): void {
  e.from.succ = e.from.succ.filter((x) => x !== e)
}

/** Finds the edge `from → to`, if any. */
export function findEdge(from: NodeImpl, to: NodeImpl): EdgeImpl | undefined {
  for (const e of from.succ) if (e.to === to) return e
  return undefined
}

/** Copies the plain attributes of a node record onto a fresh record of the same kind (no edges). */
export function cloneNode(n: NodeImpl, dispatcher?: Dispatcher): NodeImpl {
  let c: NodeImpl
  if (n.kind === 'data') {
    const d = new DataNodeImpl(n.id, n.index)
    d.waitInputs = n.waitInputs
    d.fn = n.fn
    d.callback = n.callback
    d.filters = n.filters
    d.wildcard = n.wildcard
    c = d
  } else if (n.kind === 'function') {
    const f = new FunctionNodeImpl(n.id, n.index)
    f.inputs = n.inputs.slice()
    f.outputs = n.outputs.slice()
    f.fn = n.fn
    f.inputDomain = n.inputDomain
    f.filters = n.filters
    c = f
  } else {
    const s = new SubDispatcherNodeImpl(n.id, n.index, dispatcher ?? n.dispatcher)
    s.inputs = new Map([...n.inputs].map(([k, v]) => [k, v.slice()]))
    s.outputs = new Map([...n.outputs].map(([k, v]) => [k, v.slice()]))
    s.inputDomain = n.inputDomain
    c = s
  }
  c.description = n.description
  c.attributes = n.attributes === NO_ATTRIBUTES ? n.attributes : { ...n.attributes }
  c.weight = n.weight
  return c
}
