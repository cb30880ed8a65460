// Flattens a dispatcher's node records into typed arrays (CSR adjacency) for the search loop.
import { idText, sortKey } from '../constants.ts'
import { succAt, succCount, type NodeImpl, type Successors } from './graph.ts'

/** Node kind codes used in the compiled arrays. */
export const DATA = 0
export const FUNCTION = 1
export const DISPATCHER = 2

/**
 * The read-only, array-based form of a model. Slots number the nodes in insertion order; edge ids number the
 * edges so that the successors of slot `s` are the contiguous range `succStart[s] … succStart[s + 1] - 1`.
 */
export interface Compiled {
  readonly size: number
  readonly nodes: readonly NodeImpl[]
  /** Slot of a node id (undefined when the id is not a node). */
  readonly slotOf: { get(id: NodeImpl['id']): number | undefined }
  readonly kind: Uint8Array
  readonly waitIn: Uint8Array
  /** Sort key of a node's id text (`<` on it is code point order). */
  keyOf(s: number): string
  /** The first seven UTF-16 units of each slot's sort key as one number (see {@link keyPrefix}). */
  readonly keyPrefix: Float64Array
  readonly index: Int32Array
  readonly succStart: Int32Array
  readonly predStart: Int32Array
  readonly predEdge: Int32Array
  readonly edgeFrom: Int32Array
  readonly edgeTo: Int32Array
  /**
   * Length of each edge (its weight, 1 by default, plus its target's weight): 4 bytes an edge when every length is
   * exactly a 32-bit float (1, small integers, halves…), else 8. Reads give the same numbers either way.
   */
  readonly edgeLen: Float32Array | Float64Array
  /** For function slots: edge ids of the inputs, in argument order (`argStart[s] … argStart[s + 1] - 1`). */
  readonly argStart: Int32Array
  readonly argEdge: Int32Array
  /** For function slots: edge ids to each declared output, in order (-1 when the edge was removed). */
  readonly outStart: Int32Array
  readonly outEdge: Int32Array
  /** What other modules compute once per compiled form (see {@link memo}); made on first use. */
  memos: Map<MemoKey<unknown>, unknown> | undefined
}

/** Names a value {@link memo} keeps on a compiled form; `T` is the value's type. */
export interface MemoKey<T> {
  /** For messages and debugging. */
  readonly name: string
  /** Carries `T` (never set). */
  readonly type?: T
}

/**
 * The value `key` names on the compiled form `c`, made by `make` on first use and kept on `c` (a new form, after the
 * model changes, starts empty). Not a WeakMap keyed by `c`: V8's minor collections treat a WeakMap's values as
 * reachable, so a value that refers back to its form (a view does) would keep every dispatched model alive until a
 * full collection (measured: scavenges of 0.9 ms became 77–116 ms for a loop building and dispatching 1,000-node
 * models).
 */
export function memo<T>(c: Compiled, key: MemoKey<T>, make: () => T): T {
  const memos = (c.memos ??= new Map<MemoKey<unknown>, unknown>())
  const known = memos.get(key)
  if (known !== undefined || memos.has(key)) return known as T
  const value = make()
  memos.set(key, value)
  return value
}

/** Builds the compiled form of a node list (in insertion order). Linear in nodes + edges. */
export function compile(list: readonly NodeImpl[], byId: ReadonlyMap<NodeImpl['id'], NodeImpl>): Compiled {
  const size = list.length
  const nodes = nodePass(list)
  const edges = edgePass(list, nodes.edgeCount)
  const pred = predecessorPass(size, edges.edgeTo)
  const ports = portPass(list, nodes, edges, pred)
  const keys = nodes.key
  return {
    size,
    nodes: list,
    slotOf: {
      get(id: NodeImpl['id']): number | undefined {
        const n = byId.get(id)
        return n !== undefined && n.slot >= 0 && n.slot < size && list[n.slot] === n ? n.slot : undefined
      },
    },
    kind: nodes.kind,
    waitIn: nodes.waitIn,
    index: nodes.index,
    keyPrefix: nodes.keyPrefix,
    keyOf: keys === null ? (s: number) => list[s]!.id as string : (s: number) => keys[s]!,
    succStart: edges.succStart,
    predStart: pred.predStart,
    predEdge: pred.predEdge,
    edgeFrom: edges.edgeFrom,
    edgeTo: edges.edgeTo,
    edgeLen: edges.edgeLen,
    argStart: ports.argStart,
    argEdge: ports.argEdge,
    outStart: ports.outStart,
    outEdge: ports.outEdge,
    memos: undefined,
  }
}

/** The per-node arrays (slots, kinds, wait flags, indices, sort keys) and the sizes of the edge and port arrays. */
interface NodeArrays {
  readonly kind: Uint8Array
  readonly waitIn: Uint8Array
  readonly index: Int32Array
  /** Sort keys by slot; null when every id is its own sort key. */
  readonly key: string[] | null
  readonly keyPrefix: Float64Array
  readonly edgeCount: number
  readonly argCount: number
  readonly outCount: number
}

/** Pass 1: numbers the nodes (`slot`) and fills the per-node arrays. */
function nodePass(list: readonly NodeImpl[]): NodeArrays {
  const size = list.length
  const kind = new Uint8Array(size)
  const waitIn = new Uint8Array(size)
  const index = new Int32Array(size)
  const prefix = new Float64Array(size)
  // Sort keys differ from the ids only for symbols and text above U+FFFF: without such ids none is stored.
  let key: string[] | null = null
  let edgeCount = 0
  let argCount = 0
  let outCount = 0
  for (let s = 0; s < size; s++) {
    const n = list[s]!
    n.slot = s
    const id = n.id
    if (key !== null || typeof id !== 'string' || sortKey(id) !== id) {
      if (key === null) {
        key = new Array<string>(size)
        for (let k = 0; k < s; k++) key[k] = list[k]!.id as string
      }
      key[s] = sortKey(idText(id))
    }
    prefix[s] = keyPrefix(key === null ? (id as string) : key[s]!)
    index[s] = n.index
    edgeCount += succCount(n)
    if (n.kind === 'data') {
      waitIn[s] = n.waitInputs ? 1 : 0
    } else if (n.kind === 'function') {
      kind[s] = FUNCTION
      waitIn[s] = 1
      argCount += n.inputs.length
      outCount += n.outputs.length
    } else {
      kind[s] = DISPATCHER
    }
  }
  return { kind, waitIn, index, key, keyPrefix: prefix, edgeCount, argCount, outCount }
}

/** The successor arrays (CSR): edges numbered by source slot, then by position in the source's `succ`. */
interface EdgeArrays {
  readonly succStart: Int32Array
  readonly edgeFrom: Int32Array
  readonly edgeTo: Int32Array
  readonly edgeLen: Float32Array | Float64Array
}

/** Pass 2: the successor arrays, from the nodes' successor lists (slots are numbered). */
function edgePass(list: readonly NodeImpl[], edgeCount: number): EdgeArrays {
  const size = list.length
  const succStart = new Int32Array(size + 1)
  const edgeFrom = new Int32Array(edgeCount)
  const edgeTo = new Int32Array(edgeCount)
  let edgeLen: Float32Array | Float64Array = new Float32Array(edgeCount)
  let e = 0
  for (let s = 0; s < size; s++) {
    succStart[s] = e
    const n = list[s]!
    const w = n.succW
    const count = succCount(n)
    for (let k = 0; k < count; k++) {
      const to = succAt(n, k)
      edgeFrom[e] = s
      edgeTo[e] = to.slot
      const len = (w?.[k] ?? 1) + (to.weight ?? 0)
      // A length a 32-bit float cannot hold exactly: the lengths so far move to 64-bit floats (once).
      if (edgeLen instanceof Float32Array && Math.fround(len) !== len) edgeLen = Float64Array.from(edgeLen)
      edgeLen[e] = len
      e++
    }
  }
  succStart[size] = e
  return { succStart, edgeFrom, edgeTo, edgeLen }
}

/** Pass 3: the predecessor arrays, derived from the successor arrays (grouped by target, in source order). */
function predecessorPass(size: number, edgeTo: Int32Array): { predStart: Int32Array; predEdge: Int32Array } {
  const e = edgeTo.length
  const predStart = new Int32Array(size + 1)
  for (let k = 0; k < e; k++) predStart[edgeTo[k]! + 1]!++
  for (let s = 0; s < size; s++) predStart[s + 1]! += predStart[s]!
  const predEdge = new Int32Array(e)
  const fill = predStart.slice(0, size)
  for (let k = 0; k < e; k++) predEdge[fill[edgeTo[k]!]!++] = k
  return { predStart, predEdge }
}

/** The argument and output edges of the function nodes. */
interface PortArrays {
  readonly argStart: Int32Array
  readonly argEdge: Int32Array
  readonly outStart: Int32Array
  readonly outEdge: Int32Array
}

/** Pass 4: for each function node, the edge of each input (argument order) and of each declared output. */
function portPass(
  list: readonly NodeImpl[],
  nodes: NodeArrays,
  edges: EdgeArrays,
  pred: { predStart: Int32Array; predEdge: Int32Array },
): PortArrays {
  const size = list.length
  const argStart = new Int32Array(size + 1)
  const argEdge = new Int32Array(nodes.argCount)
  const outStart = new Int32Array(size + 1)
  const outEdge = new Int32Array(nodes.outCount)
  let a = 0
  let o = 0
  for (let s = 0; s < size; s++) {
    argStart[s] = a
    outStart[s] = o
    const n = list[s]!
    if (n.kind !== 'function') continue
    a = argEdges(list, n.inputs, pred.predEdge, pred.predStart[s]!, pred.predStart[s + 1]!, edges.edgeFrom, argEdge, a)
    o = outEdges(n.succ, n.outputs, edges.succStart[s]!, outEdge, o)
  }
  argStart[size] = a
  outStart[size] = o
  return { argStart, argEdge, outStart, outEdge }
}

/**
 * Writes from `at` the edge id of each input (-1 when its edge was removed), found among the predecessor edges
 * `predEdge[p0 … p1 - 1]`; returns the next free position.
 */
function argEdges(
  list: readonly NodeImpl[],
  inputs: readonly NodeImpl['id'][],
  predEdge: Int32Array,
  p0: number,
  p1: number,
  edgeFrom: Int32Array,
  out: Int32Array,
  at: number,
): number {
  if (p1 - p0 <= SCAN_LIMIT) {
    for (const id of inputs) {
      let found = -1
      for (let p = p0; p < p1; p++) {
        if (list[edgeFrom[predEdge[p]!]!]!.id === id) {
          found = predEdge[p]!
          break
        }
      }
      out[at++] = found
    }
    return at
  }
  // Many inputs: one map instead of a scan per input (linear for a node with 10⁵ inputs).
  const byId = new Map<NodeImpl['id'], number>()
  for (let p = p1 - 1; p >= p0; p--) byId.set(list[edgeFrom[predEdge[p]!]!]!.id, predEdge[p]!)
  for (const id of inputs) out[at++] = byId.get(id) ?? -1
  return at
}

/**
 * Writes from `at` the edge id of each output (-1 when its edge was removed): an edge's id is its position, the
 * successors of the node numbered from `base` in list order. Returns the next free position.
 */
function outEdges(targets: Successors, outputs: readonly NodeImpl['id'][], base: number, out: Int32Array, at: number): number {
  if (!Array.isArray(targets)) {
    for (const id of outputs) out[at++] = targets.id === id ? base : -1
    return at
  }
  const succ = targets
  if (succ.length <= SCAN_LIMIT) {
    for (const id of outputs) {
      const k = findId(succ, id)
      out[at++] = k < 0 ? -1 : base + k
    }
    return at
  }
  const byId = new Map<NodeImpl['id'], number>()
  for (let k = succ.length - 1; k >= 0; k--) byId.set(succ[k]!.id, base + k)
  for (const id of outputs) out[at++] = byId.get(id) ?? -1
  return at
}

/** Up to this many edges, finding an argument or output edge by scanning is cheaper than building a map. */
const SCAN_LIMIT = 16

/** The index in `list` of node `id`, or -1. */
function findId(list: readonly NodeImpl[], id: NodeImpl['id']): number {
  for (let k = 0; k < list.length; k++) if (list[k]!.id === id) return k
  return -1
}

/**
 * The first seven UTF-16 code units of a sort key packed in one number, 7 bits each (a missing unit counts as 0, a
 * unit above 126 as 127): the map is monotone, so for two keys a smaller prefix means a smaller key, and equal
 * prefixes leave the order to the full text. Seven units tell most ids apart (`f0` … `f99999`, `node_123`), so ties
 * on distance rarely compare text.
 */
export function keyPrefix(key: string): number {
  const n = key.length < 7 ? key.length : 7
  let p = 0
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    p = p * 128 + (c < 127 ? c : 127)
  }
  for (let i = n; i < 7; i++) p *= 128
  return p
}
