// What part of a model a dispatch searches: the whole model, or the ancestors of the requested outputs.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { memo, type Compiled, type MemoKey } from './compile.ts'
import { compiledOf } from './access.ts'
import type { SubDispatcherNodeImpl } from './graph.ts'

const FULL_VIEW: MemoKey<View> = { name: 'full view' }

/**
 * The searched part of one dispatcher level. Without masks it is the whole model. With masks (outputs given),
 * `family` marks the nodes kept and `explored` the nodes whose predecessors were kept; an edge is kept exactly
 * when its target is explored, as in schedula's reverse breadth-first pruning.
 */
export class View {
  readonly dsp: Dispatcher
  readonly c: Compiled
  readonly family: Uint8Array | null
  readonly explored: Uint8Array | null
  /**
   * With masks: the successor edges of each slot in the order the search follows them (`succOrder[k]` for `k` in
   * `succStart[s] … succStart[s + 1] - 1`), or null when that is the model's order. schedula searches the graph it
   * pruned to the outputs, whose successors come in the order its reverse breadth-first search found them.
   */
  succOrder: Int32Array | null = null
  readonly #children = new Map<number, View>()
  readonly #outMaps = new Map<number, ReadonlyMap<NodeId, readonly NodeId[]>>()

  constructor(dsp: Dispatcher, c: Compiled, family: Uint8Array | null, explored: Uint8Array | null) {
    this.dsp = dsp
    this.c = c
    this.family = family
    this.explored = explored
  }

  /** The whole model of `dsp` (one per compiled form: a full view holds no per-dispatch state). */
  static full(dsp: Dispatcher): View {
    const c = compiledOf(dsp)
    return memo(c, FULL_VIEW, () => new View(dsp, c, null, null))
  }

  /** The ancestors of `sources`, not exploring through `blockers` (but for sources, when `wildcard`). */
  static pruned(dsp: Dispatcher, sources: Iterable<NodeId>, blockers: Iterable<NodeId>, wildcard: boolean): View {
    const c = compiledOf(dsp)
    const { family, explored, order } = reverseFamily(c, sources, blockers, wildcard)
    const view = new View(dsp, c, family, explored)
    view.succOrder = successorOrder(c, explored, order)
    return view
  }

  /** The edge at position `k` of the successor lists, in search order (see `succOrder`). */
  succEdge(k: number): number {
    return this.succOrder === null ? k : this.succOrder[k]!
  }

  /** Whether the node is part of this view. */
  has(slot: number): boolean {
    return this.family === null || this.family[slot] === 1
  }

  /** Whether the edge is part of this view. */
  edgeActive(eid: number): boolean {
    return this.explored === null || this.explored[this.c.edgeTo[eid]!] === 1
  }

  /** Number of predecessors of a node in this view (what a waiting node waits for). */
  predCount(slot: number): number {
    if (this.explored !== null && this.explored[slot] !== 1) return 0
    return this.c.predStart[slot + 1]! - this.c.predStart[slot]!
  }

  /** The output mapping of a sub-dispatcher node, reduced to the parent outputs kept in this view. */
  outMap(slot: number): ReadonlyMap<NodeId, readonly NodeId[]> {
    const node = this.c.nodes[slot] as SubDispatcherNodeImpl
    if (this.explored === null) return node.outputs
    let m = this.#outMaps.get(slot)
    if (m === undefined) {
      const kept = new Map<NodeId, readonly NodeId[]>()
      for (const [child, parents] of node.outputs) {
        const ps = parents.filter((p) => {
          const ps = this.c.slotOf.get(p)
          return ps !== undefined && this.explored![ps] === 1
        })
        if (ps.length > 0) kept.set(child, ps)
      }
      this.#outMaps.set(slot, (m = kept))
    }
    return m
  }

  /** The view of the child model of a sub-dispatcher node. */
  child(slot: number): View {
    const node = this.c.nodes[slot] as SubDispatcherNodeImpl
    // Not cached here: the child model may have changed since this (cached) full view was made.
    if (this.explored === null) return View.full(node.dispatcher)
    let v = this.#children.get(slot)
    if (v === undefined) {
      const inputs = new Set<NodeId>()
      for (const children of node.inputs.values()) for (const id of children) inputs.add(id)
      const sources = new Set<NodeId>(inputs)
      for (const child of this.outMap(slot).keys()) sources.add(child)
      v = View.pruned(node.dispatcher, sources, inputs, true)
      this.#children.set(slot, v)
    }
    return v
  }
}

/** Reverse breadth-first search marking the ancestors of `sources` (no recursion: deep chains are fine). */
export function reverseFamily(
  c: Compiled,
  sources: Iterable<NodeId>,
  blockers: Iterable<NodeId>,
  wildcard: boolean,
): { family: Uint8Array; explored: Uint8Array; order: number[] } {
  const family = new Uint8Array(c.size)
  const explored = new Uint8Array(c.size)
  const blocked = new Uint8Array(c.size)
  for (const id of blockers) {
    const s = c.slotOf.get(id)
    if (s !== undefined) blocked[s] = 1
  }
  const start: number[] = []
  for (const id of sources) {
    const s = c.slotOf.get(id)
    if (s !== undefined && family[s] === 0) {
      family[s] = 1
      start.push(s)
    }
  }
  start.sort((a, b) => (c.keyOf(a) < c.keyOf(b) ? -1 : c.keyOf(a) > c.keyOf(b) ? 1 : 0)) // keys sort by code point
  const order = start.slice()
  const byKey = predecessorsByKey(c)
  for (const s of start) if (!(blocked[s] === 1 && !wildcard)) explored[s] = 1
  for (let q = 0; q < order.length; q++) {
    const u = order[q]!
    if (explored[u] !== 1) continue
    for (let p = c.predStart[u]!; p < c.predStart[u + 1]!; p++) {
      const v = c.edgeFrom[c.predEdge[byKey === null ? p : byKey[p]!]!]!
      if (family[v] === 0) {
        family[v] = 1
        if (blocked[v] !== 1) explored[v] = 1
        order.push(v)
      }
    }
  }
  return { family, explored, order }
}

const PRED_ORDER: MemoKey<Int32Array | null> = { name: 'predecessors by key' }

/**
 * The predecessor positions of each slot sorted by the predecessors' id text (`byKey[p]` for `p` in `predStart[s] …
 * predStart[s + 1] - 1`), or null when every slot already lists them so; made once per compiled model. schedula's
 * reverse search visits a node's predecessors sorted by `str(id)`, which decides the order of the pruned graph.
 */
function predecessorsByKey(c: Compiled): Int32Array | null {
  return memo(c, PRED_ORDER, () => sortPredecessors(c))
}

/** {@link predecessorsByKey}, computed. */
function sortPredecessors(c: Compiled): Int32Array | null {
  let out: Int32Array | null = null
  const keyOf = (p: number) => c.keyOf(c.edgeFrom[c.predEdge[p]!]!)
  for (let s = 0; s < c.size; s++) {
    const p0 = c.predStart[s]!
    const p1 = c.predStart[s + 1]!
    let sorted = true
    for (let p = p0 + 1; p < p1 && sorted; p++) sorted = keyOf(p - 1) <= keyOf(p)
    if (sorted) continue
    if (out === null) {
      out = new Int32Array(c.predEdge.length)
      for (let p = 0; p < out.length; p++) out[p] = p
    }
    const ps = Array.from(out.subarray(p0, p1)).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a - b))
    out.set(ps, p0)
  }
  return out
}

/**
 * The successor edges of each slot sorted by when the reverse search reached their targets (`order`; edges to
 * unexplored targets last, ties in model order), or null when every slot already has that order.
 */
function successorOrder(c: Compiled, explored: Uint8Array, order: readonly number[]): Int32Array | null {
  const rank = new Int32Array(c.size).fill(c.size)
  for (let i = 0; i < order.length; i++) if (explored[order[i]!] === 1) rank[order[i]!] = i
  let out: Int32Array | null = null
  for (let s = 0; s < c.size; s++) {
    const e0 = c.succStart[s]!
    const e1 = c.succStart[s + 1]!
    let sorted = true
    for (let e = e0 + 1; e < e1 && sorted; e++) sorted = rank[c.edgeTo[e - 1]!]! <= rank[c.edgeTo[e]!]!
    if (sorted) continue
    if (out === null) {
      out = new Int32Array(c.edgeTo.length)
      for (let e = 0; e < out.length; e++) out[e] = e
    }
    // Only the edges to explored targets need sorting; the others keep model order, after them (a node with many
    // successors and few of them kept costs one pass, not a sort of all its edges).
    const kept: number[] = []
    let k = e0
    for (let e = e0; e < e1; e++) if (rank[c.edgeTo[e]!]! < c.size) kept.push(e)
    kept.sort((a, b) => rank[c.edgeTo[a]!]! - rank[c.edgeTo[b]!]! || a - b)
    for (const e of kept) out[k++] = e
    for (let e = e0; e < e1; e++) if (rank[c.edgeTo[e]!]! >= c.size) out[k++] = e
  }
  return out
}
