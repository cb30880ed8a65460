// Flattens a dispatcher's node records into typed arrays (CSR adjacency) for the search loop.
import { idText, sortKey } from '../constants.ts'
import type { EdgeImpl, NodeImpl } from './graph.ts'

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
  readonly index: Int32Array
  readonly succStart: Int32Array
  readonly predStart: Int32Array
  readonly predEdge: Int32Array
  readonly edges: readonly EdgeImpl[]
  readonly edgeFrom: Int32Array
  readonly edgeTo: Int32Array
  readonly edgeLen: Float64Array
  /** For function slots: edge ids of the inputs, in argument order (`argStart[s] … argStart[s + 1] - 1`). */
  readonly argStart: Int32Array
  readonly argEdge: Int32Array
  /** For function slots: edge ids to each declared output, in order (-1 when the edge was removed). */
  readonly outStart: Int32Array
  readonly outEdge: Int32Array
}

/** Builds the compiled form of a node list (in insertion order). Linear in nodes + edges. */
export function compile(list: readonly NodeImpl[], byId: ReadonlyMap<NodeImpl['id'], NodeImpl>): Compiled {
  const size = list.length
  const slotOf = {
    get(id: NodeImpl['id']): number | undefined {
      const n = byId.get(id)
      return n !== undefined && n.slot >= 0 && n.slot < size && list[n.slot] === n ? n.slot : undefined
    },
  }
  const kind = new Uint8Array(size)
  const waitIn = new Uint8Array(size)
  // Sort keys differ from the ids only for symbols and text above U+FFFF: without such ids none is stored.
  let key: string[] | null = null
  const index = new Int32Array(size)
  let edgeCount = 0
  let argCount = 0
  let outCount = 0
  for (let s = 0; s < size; s++) {
    const n = list[s]!
    n.slot = s
    const id = n.id
    if (key !== null || typeof id !== 'string' || sortKey(id) !== id) {
      if (key === null) {
        key = new Array(size)
        for (let k = 0; k < s; k++) key[k] = list[k]!.id as string
      }
      key[s] = sortKey(idText(id))
    }
    index[s] = n.index
    edgeCount += n.succ.length
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
  const succStart = new Int32Array(size + 1)
  const edges = new Array<EdgeImpl>(edgeCount)
  const edgeFrom = new Int32Array(edgeCount)
  const edgeTo = new Int32Array(edgeCount)
  const edgeLen = new Float64Array(edgeCount)
  let e = 0
  for (let s = 0; s < size; s++) {
    succStart[s] = e
    for (const edge of list[s]!.succ) {
      const to = edge.to.slot
      edges[e] = edge
      edgeFrom[e] = s
      edgeTo[e] = to
      edgeLen[e] = (edge.weight ?? 1) + (edge.to.weight ?? 0)
      e++
    }
  }
  succStart[size] = e
  // Predecessors, derived from the successor lists: grouped by target, in source order.
  const predStart = new Int32Array(size + 1)
  for (let k = 0; k < e; k++) predStart[edgeTo[k]! + 1]!++
  for (let s = 0; s < size; s++) predStart[s + 1]! += predStart[s]!
  const predEdge = new Int32Array(edgeCount)
  const fill = predStart.slice(0, size)
  for (let k = 0; k < e; k++) predEdge[fill[edgeTo[k]!]!++] = k
  const argStart = new Int32Array(size + 1)
  const argEdge = new Int32Array(argCount)
  const outStart = new Int32Array(size + 1)
  const outEdge = new Int32Array(outCount)
  let a = 0
  let o = 0
  for (let s = 0; s < size; s++) {
    argStart[s] = a
    outStart[s] = o
    const n = list[s]!
    if (n.kind !== 'function') continue
    const p0 = predStart[s]!
    const p1 = predStart[s + 1]!
    if (p1 - p0 <= SCAN_LIMIT) {
      for (const id of n.inputs) {
        let found = -1
        for (let p = p0; p < p1; p++) {
          if (list[edgeFrom[predEdge[p]!]!]!.id === id) {
            found = predEdge[p]!
            break
          }
        }
        argEdge[a++] = found
      }
    } else {
      // Many inputs: one map instead of a scan per input (linear for a node with 10⁵ inputs).
      const byId = new Map<NodeImpl['id'], number>()
      for (let p = p1 - 1; p >= p0; p--) byId.set(list[edgeFrom[predEdge[p]!]!]!.id, predEdge[p]!)
      for (const id of n.inputs) argEdge[a++] = byId.get(id) ?? -1
    }
    // An edge's id is its position: the successors of slot s are numbered from succStart[s], in list order.
    const base = succStart[s]!
    if (n.succ.length <= SCAN_LIMIT) {
      for (const id of n.outputs) {
        const k = findId(n.succ, id)
        outEdge[o++] = k < 0 ? -1 : base + k
      }
    } else {
      const byId = new Map<NodeImpl['id'], number>()
      for (let k = n.succ.length - 1; k >= 0; k--) byId.set(n.succ[k]!.to.id, base + k)
      for (const id of n.outputs) outEdge[o++] = byId.get(id) ?? -1
    }
  }
  argStart[size] = a
  outStart[size] = o
  const keys = key
  return {
    size,
    nodes: list,
    slotOf,
    kind,
    waitIn,
    index,
    keyOf: keys === null ? (s: number) => list[s]!.id as string : (s: number) => keys[s]!,
    succStart,
    predStart,
    predEdge,
    edges,
    edgeFrom,
    edgeTo,
    edgeLen,
    argStart,
    argEdge,
    outStart,
    outEdge,
  }
}

/** Up to this many edges, finding an argument or output edge by scanning is cheaper than building a map. */
const SCAN_LIMIT = 16

/** The index in `list` of the edge to node `id`, or -1. */
function findId(list: readonly EdgeImpl[], id: NodeImpl['id']): number {
  for (let k = 0; k < list.length; k++) if (list[k]!.to.id === id) return k
  return -1
}
