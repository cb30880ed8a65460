// Cutting models: induced sub-models, breadth-first sub-models of a workflow, and shrinking to inputs → outputs.
import { SINK, START, compareIds, formatId, idText, sortKey, type NodeId } from './constants.ts'
import type { Distance } from './distance.ts'
import type { Dispatcher } from './dispatcher.ts'
import { ModelError, didYouMean } from './errors.ts'
import { compiledOf, internalsOf, traceOf } from './internal/access.ts'
import {
  cloneNode,
  connect,
  edgeWeight,
  filterEdges,
  findEdge,
  nestedDispatchers,
  succAt,
  succCount,
  succList,
  type NodeImpl,
  type SubDispatcherNodeImpl,
} from './internal/graph.ts'
import type { WaitOverrides } from './internal/search.ts'
import type { Solution } from './solution.ts'
import { eachWorkflowPart, type Workflow } from './workflow.ts'

/** Options of `getSubDspFromWorkflow`. */
export interface SubDspFromWorkflowOptions {
  /** Graph to search: a workflow, `'model'` for the model itself; default: the workflow of the last dispatch. */
  graph?: Workflow | 'model'
  /** Follow predecessors instead of successors. */
  reverse?: boolean
  /** Add the missing inputs of reached functions as leaves (forward search). */
  addMissing?: boolean
  /** Include a function only when all its inputs are included (forward search; default true). */
  checkInputs?: boolean
  /** Nodes included but not explored further (sources too, unless `wildcard`). */
  blockers?: Iterable<NodeId>
  /** Explore sources even when they are blockers. */
  wildcard?: boolean
  /** Prune sub-dispatchers to what their kept inputs and outputs need (default true). */
  updateLinks?: boolean
  /** Reverse search: skip functions that have an input already included (avoids cycles). */
  avoidCycles?: boolean
}

/** A graph to search: adjacency lists in insertion order. */
interface Adjacency {
  has(id: NodeId): boolean
  next(id: NodeId, reverse: boolean): readonly NodeId[]
}

function modelAdjacency(dsp: Dispatcher): Adjacency {
  const nodes = internalsOf(dsp).nodes
  return {
    has: (id) => nodes.has(id),
    next: (id, reverse) => {
      const n = nodes.get(id)
      if (n === undefined) return []
      return reverse ? predecessorIds(dsp, id) : succList(n).map((to) => to.id)
    },
  }
}

/** Ids of the predecessors of a node, from the compiled form. */
function predecessorIds(dsp: Dispatcher, id: NodeId): NodeId[] {
  const c = compiledOf(dsp)
  const s = c.slotOf.get(id)
  if (s === undefined) return []
  const out: NodeId[] = []
  for (let p = c.predStart[s]!; p < c.predStart[s + 1]!; p++) out.push(c.nodes[c.edgeFrom[c.predEdge[p]!]!]!.id)
  return out
}

function workflowAdjacency(wf: Workflow): Adjacency {
  return {
    has: (id) => wf.nodes.has(id),
    next: (id, reverse) => (reverse ? wf.predecessors(id) : wf.successors(id)),
  }
}

/** Adjacency of a list of distinct edges (an `EdgeTree`'s list: no pair twice). Linear in the edges. */
function edgeSetAdjacency(edges: Iterable<readonly [NodeId, NodeId]>): Adjacency {
  const succ = new Map<NodeId, NodeId[]>()
  const pred = new Map<NodeId, NodeId[]>()
  const add = (m: Map<NodeId, NodeId[]>, k: NodeId, v: NodeId) => {
    const l = m.get(k)
    if (l === undefined) m.set(k, [v])
    else l.push(v)
  }
  for (const [u, v] of edges) {
    add(succ, u, v)
    add(pred, v, u)
    if (!pred.has(u)) pred.set(u, [])
    if (!succ.has(v)) succ.set(v, [])
  }
  return { has: (id) => succ.has(id), next: (id, reverse) => (reverse ? pred : succ).get(id) ?? [] }
}

/** A set of node pairs: one inner Set per source, so no key strings are built. */
class PairSet {
  readonly #m = new Map<NodeId, Set<NodeId>>()

  /** Adds the pair; returns false when it was already there. */
  add(u: NodeId, v: NodeId): boolean {
    let s = this.#m.get(u)
    if (s === undefined) this.#m.set(u, (s = new Set()))
    if (s.has(v)) return false
    s.add(v)
    return true
  }
}

const byText = compareIds

/** Edge lists up to this length are scanned rather than indexed. */
const SCAN = 16

/** Creates a sub-dispatcher of `dsp` from an ordered node list and an ordered edge list (weights from the model). */
function materialise(dsp: Dispatcher, order: readonly NodeId[], edges: readonly (readonly [NodeId, NodeId])[]): Dispatcher {
  const src = internalsOf(dsp)
  const out = dsp.copyStructure()
  const dst = internalsOf(out)
  for (const id of order) dst.nodes.set(id, cloneNode(src.nodes.get(id)!))
  // Short edge lists are scanned (at most SCAN edges per look-up); a longer one is indexed once and each edge taken
  // out when it is copied. Either way a look-up costs O(1) (hubs with many successors stay linear) and a pair
  // listed twice is copied once.
  const bySource = new Map<NodeId, Map<NodeId, number>>()
  for (const [u, v] of edges) {
    const from = src.nodes.get(u)!
    const count = succCount(from)
    if (count <= SCAN) {
      let found = -1
      for (let k = 0; k < count; k++) {
        if (succAt(from, k).id === v) {
          found = k
          break
        }
      }
      const du = dst.nodes.get(u)!
      const dv = dst.nodes.get(v)!
      if (found >= 0 && findEdge(du, dv) < 0) connect(du, dv, edgeWeight(from, found), true)
      continue
    }
    let out = bySource.get(u)
    if (out === undefined) {
      out = new Map()
      for (let k = 0; k < count; k++) out.set(succAt(from, k).id, k)
      bySource.set(u, out)
    }
    const k = out.get(v)
    if (k === undefined) continue
    out.delete(v)
    connect(dst.nodes.get(u)!, dst.nodes.get(v)!, edgeWeight(from, k), true)
  }
  for (const [id, dv] of src.defaults) if (dst.nodes.has(id)) dst.defaults.set(id, dv)
  dst.setCounter(src.peekIndex()) // reading it must not change the source model
  dst.touch()
  return out
}

function resolve(dsp: Dispatcher, id: NodeId, where: string): NodeId {
  if (!internalsOf(dsp).nodes.has(id)) {
    throw new ModelError(
      `${where}: no node ${formatId(id)} in dispatcher ${formatId(dsp.name)}.` +
        didYouMean(typeof id === 'string' ? id : '', internalsOf(dsp).nodes.keys()),
      { nodeId: id },
    )
  }
  return id
}

/** @internal Implements `Dispatcher.getSubDsp`. */
export function getSubDsp(dsp: Dispatcher, bunch: Iterable<NodeId>, removeEdges?: Iterable<readonly [NodeId, NodeId]>): Dispatcher {
  const where = 'Dispatcher.getSubDsp'
  const wanted = new Set<NodeId>()
  for (const id of bunch) wanted.add(resolve(dsp, id, where))
  const src = internalsOf(dsp).nodes
  // 1. The induced subgraph, without the functions that miss an input.
  const keep = new Set<NodeId>()
  for (const [id, n] of src) {
    if (!wanted.has(id)) continue
    if (n.kind === 'function' && n.inputs.some((i) => !wanted.has(i))) continue
    keep.add(id)
  }
  // 2. Its edges, but those asked to be removed.
  const removed = new Map<NodeId, Set<NodeId>>()
  for (const [u, v] of removeEdges ?? []) {
    let set = removed.get(u)
    if (set === undefined) removed.set(u, (set = new Set()))
    set.add(v)
  }
  let edges: [NodeId, NodeId][] = []
  for (const id of src.keys()) {
    if (!keep.has(id)) continue
    for (const to of succList(src.get(id)!)) if (keep.has(to.id) && !removed.get(id)?.has(to.id)) edges.push([id, to.id])
  }
  // 3. Functions left without outputs go, then 4. isolated nodes.
  const hasOut = new Set(edges.map(([u]) => u))
  for (const id of [...keep]) if (src.get(id)!.kind === 'function' && !hasOut.has(id)) keep.delete(id)
  edges = edges.filter(([u, v]) => keep.has(u) && keep.has(v))
  const linked = new Set(edges.flat())
  const order = [...src.keys()].filter((id) => keep.has(id) && linked.has(id))
  return materialise(dsp, order, edges)
}

/** Breadth-first search of schedula's `get_sub_dsp_from_workflow`: the ordered node and edge lists it reaches. */
function bfs(
  dsp: Dispatcher,
  sources: Iterable<NodeId>,
  graph: Adjacency,
  o: SubDspFromWorkflowOptions,
): { order: NodeId[]; edges: [NodeId, NodeId][] } {
  const model = internalsOf(dsp).nodes
  const reverse = o.reverse ?? false
  const checkInputs = o.checkInputs ?? true
  const addMissing = o.addMissing ?? false
  const blockers = new Set(o.blockers ?? [])
  const family = new Map<NodeId, readonly NodeId[]>()
  const inSub = new Set<NodeId>()
  const order: NodeId[] = []
  const edges: [NodeId, NodeId][] = []
  const edgeSeen = new PairSet()
  const addEdge = (u: NodeId, v: NodeId) => {
    if (edgeSeen.add(u, v)) edges.push([u, v])
  }
  const queue: NodeId[] = []
  const include = (n: NodeId, toFamily: boolean, block: boolean) => {
    if (!inSub.has(n)) {
      inSub.add(n)
      order.push(n)
    }
    if (toFamily && !family.has(n)) {
      family.set(n, block && blockers.has(n) ? [] : graph.next(n, reverse))
      queue.push(n)
    }
  }
  /** Returns true when `c` must be skipped. */
  const check = (c: NodeId, p: NodeId): boolean => {
    const node = model.get(c)
    if (reverse) {
      if (c === START) return model.get(p)?.kind !== 'function'
      if (o.avoidCycles && node?.kind === 'function') return node.inputs.some((i) => family.has(i))
      return false
    }
    if (c === START) return true
    if (node?.kind !== 'function') return false
    if (node.inputs.every((i) => family.has(i))) {
      include(c, true, true)
      for (const i of node.inputs) addEdge(i, c)
      return false
    }
    if (!checkInputs || addMissing) {
      include(c, true, true)
      if (addMissing) {
        for (const i of node.inputs)
          if (!family.has(i)) {
            include(i, false, false)
            addEdge(i, c)
          }
      }
      for (const i of node.inputs) if (family.has(i)) addEdge(i, c)
      return false
    }
    return true
  }
  for (const s of [...sources].sort(byText)) {
    if (model.has(s) && graph.has(s)) include(s, true, !(o.wildcard && blockers.has(s)))
  }
  for (let q = 0; q < queue.length; q++) {
    const parent = queue[q]!
    for (const child of [...family.get(parent)!].sort(byText)) {
      if (!model.has(child)) continue
      if (check(child, parent)) continue
      if (!family.has(child)) include(child, true, true)
      if (reverse) addEdge(child, parent)
      else addEdge(parent, child)
    }
  }
  return { order, edges }
}

/** @internal Implements `Dispatcher.getSubDspFromWorkflow`. */
export function getSubDspFromWorkflow(dsp: Dispatcher, sources: Iterable<NodeId>, o: SubDspFromWorkflowOptions = {}): Dispatcher {
  let graph: Adjacency
  if (o.graph === 'model') graph = modelAdjacency(dsp)
  else if (o.graph !== undefined) graph = workflowAdjacency(o.graph)
  else {
    const last = dsp.solution
    if (last === undefined) {
      throw new ModelError(
        'Dispatcher.getSubDspFromWorkflow: this dispatcher has no workflow yet; dispatch it first, or pass ' +
          "{ graph: 'model' } to search the model itself",
      )
    }
    graph = workflowAdjacency(last.workflow)
  }
  const { order, edges } = bfs(dsp, sources, graph, o)
  const sub = materialise(dsp, order, edges)
  if (o.updateLinks ?? true)
    pruneSubDispatchers(
      sub,
      (child, sources, blockers) => getSubDspFromWorkflow(child, sources, { graph: 'model', reverse: true, blockers, wildcard: true }),
      false,
    )
  return sub
}

/**
 * Replaces each sub-dispatcher node of `sub` by a pruned copy: `prune(child, sources, inputs, id)` builds the child
 * from the child ids of the kept outputs (and inputs), then the mappings and edges are reduced to what is left.
 * Linear in the nodes and edges of `sub` (the predecessor edges come from one compiled form; edges are dropped in
 * one pass per source node).
 */
function pruneSubDispatchers(
  sub: Dispatcher,
  prune: (child: Dispatcher, sources: NodeId[], inputs: NodeId[], id: NodeId) => Dispatcher,
  withDomainInputs: boolean | 'shrink',
): void {
  const nodes = internalsOf(sub).nodes
  const compiled = compiledOf(sub)
  // Edges to cut, by source node: the targets whose edge goes.
  const drop = new Map<NodeImpl, Set<NodeImpl>>()
  for (const n of [...nodes.values()]) {
    if (n.kind !== 'dispatcher') continue
    const slot = compiled.slotOf.get(n.id)!
    const predNodes: NodeImpl[] = []
    for (let q = compiled.predStart[slot]!; q < compiled.predStart[slot + 1]!; q++) {
      predNodes.push(compiled.nodes[compiled.edgeFrom[compiled.predEdge[q]!]!]!)
    }
    const pred = new Set(predNodes.map((p) => p.id))
    const succ = new Set(succList(n).map((to) => to.id))
    const inputs: NodeId[] = []
    for (const [p, cs] of n.inputs) if (pred.has(p)) inputs.push(...cs)
    const outs: NodeId[] = []
    for (const [c, ps] of n.outputs) if (ps.some((p) => succ.has(p))) outs.push(c)
    const sources =
      withDomainInputs === 'shrink'
        ? [...outs, ...(n.inputDomain !== undefined ? [...n.inputs.values()].flat() : [])]
        : [...outs, ...inputs]
    n.dispatcher = prune(n.dispatcher, sources, inputs, n.id)
    nestedDispatchers.add(n.dispatcher)
    reduceMappings(n, pred, succ, predNodes, drop)
  }
  for (const [from, targets] of drop) filterEdges(from, (to) => !targets.has(to))
  internalsOf(sub).touch()
}

/** Reduces the mappings of a pruned sub-dispatcher node to the child data left; the edges to cut go to `drop`. */
function reduceMappings(
  n: SubDispatcherNodeImpl,
  pred: ReadonlySet<NodeId>,
  succ: ReadonlySet<NodeId>,
  predNodes: readonly NodeImpl[],
  drop: Map<NodeImpl, Set<NodeImpl>>,
): void {
  const childData = internalsOf(n.dispatcher).nodes
  const isData = (id: NodeId) => childData.get(id)?.kind === 'data'
  const inputs = new Map<NodeId, NodeId[]>()
  for (const [p, cs] of n.inputs) {
    const kept = cs.filter(isData)
    if (pred.has(p) && kept.length > 0) inputs.set(p, kept)
  }
  const outputs = new Map<NodeId, NodeId[]>()
  for (const [c, ps] of n.outputs) {
    const kept = ps.filter((p) => succ.has(p))
    if (kept.length > 0 && isData(c)) outputs.set(c, kept)
  }
  n.inputs = inputs
  n.outputs = outputs
  const keptParentsOut = new Set([...outputs.values()].flat())
  for (const p of predNodes) {
    if (inputs.has(p.id)) continue
    let targets = drop.get(p)
    if (targets === undefined) drop.set(p, (targets = new Set()))
    targets.add(n)
  }
  filterEdges(n, (to) => keptParentsOut.has(to.id))
}

// ---- shrinking ------------------------------------------------------------------------------------------------------

interface MutableWait extends WaitOverrides {
  readonly nodes: Map<NodeId, boolean>
  readonly children: Map<NodeId, MutableWait>
}

/** Wait flags for the nodes whose computation may fail at run time (schedula's `_get_wait_in`). */
function waitFlags(dsp: Dispatcher, flag: boolean): MutableWait {
  const w: MutableWait = { nodes: new Map(), children: new Map() }
  for (const n of internalsOf(dsp).nodes.values()) {
    if (n.kind === 'data' && n.id !== SINK && n.waitInputs) w.nodes.set(n.id, flag)
  }
  for (const n of internalsOf(dsp).nodes.values()) {
    if (n.kind === 'function' && n.inputDomain !== undefined) for (const o of n.outputs) w.nodes.set(o, flag)
  }
  for (const n of internalsOf(dsp).nodes.values()) {
    if (n.kind !== 'dispatcher') continue
    const child = waitFlags(n.dispatcher, flag)
    w.children.set(n.id, child)
    if (n.inputDomain === undefined) {
      for (const [c, ps] of n.outputs) if (child.nodes.has(c)) for (const p of ps) w.nodes.set(p, flag)
    } else {
      // A domain may reject the inputs: the node and every parent output it sets may then come from elsewhere.
      w.nodes.set(n.id, flag)
      for (const ps of n.outputs.values()) for (const p of ps) w.nodes.set(p, flag)
    }
  }
  return w
}

interface EdgeTree {
  readonly edges: [NodeId, NodeId][]
  readonly seen: PairSet
  readonly children: Map<NodeId, EdgeTree>
}

function newTree(): EdgeTree {
  return { edges: [], seen: new PairSet(), children: new Map() }
}

/** Adds the workflow edges of a solution (and of its sub-solutions, per sub-dispatcher id) to `tree`. */
function unionWorkflow(sol: Solution, tree: EdgeTree): void {
  eachWorkflowPart(
    traceOf(sol),
    () => undefined,
    (from, to) => {
      if (tree.seen.add(from, to)) tree.edges.push([from, to])
    },
  )
  for (const [nodeId, child] of sol.subSolutions) {
    let t = tree.children.get(nodeId)
    if (t === undefined) tree.children.set(nodeId, (t = newTree()))
    unionWorkflow(child, t)
  }
}

/**
 * Releases the waiting nodes met at the smallest distance (schedula's `_remove_wait_in`). Returns the ids released
 * at the root level, and whether anything was still waiting.
 */
function releaseWaiting(sol: Solution, root: MutableWait): { released: Set<NodeId>; any: boolean } {
  const entries: { l: number; v: number; key: string; seq: number; w: MutableWait; id: NodeId }[] = []
  let seq = 0
  const collect = (s: Solution, w: MutableWait): Set<NodeId> => {
    const lv = traceOf(s)
    const c = lv.c
    const done = new Set<NodeId>()
    for (let slot = 0; slot < c.size; slot++) if (lv.visited[slot] === 1) done.add(c.nodes[slot]!.id)
    for (const [subId, child] of s.subSolutions) {
      const cw = w.children.get(subId)
      if (cw === undefined) continue
      const childPending = collect(child, cw)
      for (const [k, v] of cw.nodes) if (v) childPending.add(k)
      const sn = internalsOf(s.dispatcher).nodes.get(subId) as SubDispatcherNodeImpl
      for (const [k, ps] of sn.outputs) if (childPending.has(k)) for (const p of ps) done.add(p)
    }
    const waiting = new Set<NodeId>()
    for (const [k, v] of w.nodes) if (v) waiting.add(k)
    const pending = new Set<NodeId>()
    eachWorkflowPart(
      lv,
      (k) => {
        if (!done.has(k)) pending.add(k)
      },
      () => undefined,
    )
    for (const k of waiting) {
      const slot = c.slotOf.get(k)
      if (slot !== undefined && lv.visited[slot] === 1) pending.add(k)
    }
    for (const k of pending) {
      if (!waiting.has(k)) continue
      const slot = c.slotOf.get(k)
      const met = slot !== undefined && lv.meetOn[slot] === 1
      entries.push({
        l: met ? lv.meetL[slot]! : Infinity,
        v: met ? lv.meetV[slot]! : 0,
        key: sortKey(idText(k)),
        seq: seq++,
        w,
        id: k,
      })
    }
    return pending
  }
  collect(sol, root)
  entries.sort((a, b) => a.l - b.l || a.v - b.v || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.seq - b.seq)
  const released = new Set<NodeId>()
  if (entries.length === 0) return { released, any: false }
  const first = entries[0]!
  for (const e of entries) {
    if (e.l !== first.l || e.v !== first.v) continue
    e.w.nodes.set(e.id, false)
    if (e.w === root) released.add(e.id)
  }
  return { released, any: true }
}

/**
 * Reverse search from `outputs` over a union of workflows, then the same for each kept sub-dispatcher. `fed` are
 * the child ids a kept parent input feeds (sub-dispatcher levels only). As in schedula, a fed id no kept output needs
 * is pruned; but when the search keeps none of them, they all stay as data nodes (a deliberate difference): a
 * sub-dispatcher starts only when one of its inputs arrives, so without any a child output that comes from the
 * child's own defaults would never be computed.
 */
function fromEdgeTree(dsp: Dispatcher, outputs: Iterable<NodeId>, tree: EdgeTree | undefined, fed: readonly NodeId[] = []): Dispatcher {
  const graph = tree === undefined ? modelAdjacency(dsp) : edgeSetAdjacency(tree.edges)
  const { order, edges } = bfs(dsp, outputs, graph, { reverse: true })
  const kept = new Set(order)
  if (fed.length > 0 && !fed.some((id) => kept.has(id))) {
    const model = internalsOf(dsp).nodes
    for (const id of fed) {
      if (!kept.has(id) && model.get(id)?.kind === 'data') {
        kept.add(id)
        order.push(id)
      }
    }
  }
  const sub = materialise(dsp, order, edges)
  pruneSubDispatchers(sub, (child, sources, inputs, id) => fromEdgeTree(child, sources, tree?.children.get(id), inputs), 'shrink')
  return sub
}

/** @internal Implements `Dispatcher.shrinkDsp`. */
export function shrinkDsp(
  dsp: Dispatcher,
  inputs?: Iterable<NodeId>,
  outputs?: Iterable<NodeId>,
  inputsDist?: ReadonlyMap<NodeId, Distance> | Readonly<Record<string, Distance>>,
  wildcard = true,
): Dispatcher {
  let ins = inputs === undefined ? [] : [...inputs]
  let outs = outputs === undefined ? undefined : [...outputs]
  if (outs !== undefined && outs.length === 0) outs = undefined
  let tree: EdgeTree | undefined
  if (ins.length > 0) {
    const dists = new Map<NodeId, Distance>(inputsDist instanceof Map ? inputsDist : Object.entries(inputsDist ?? {}))
    let sol = dsp.dispatch(ins, outs, { noCall: true, inputsDist: dists, wildcard, rmUnusedNodes: true, waitIn: waitFlags(dsp, false) })
    tree = newTree()
    unionWorkflow(sol, tree)
    const merged = new Map<NodeId, Distance>(sol.dist)
    for (const [k, v] of dists) merged.set(k, v)
    const wait = waitFlags(dsp, true)
    const dataIds = new Set([...internalsOf(dsp).nodes.values()].filter((n) => n.kind === 'data').map((n) => n.id))
    for (;;) {
      sol = dsp.dispatch(ins, outs, { noCall: true, inputsDist: merged, wildcard, waitIn: wait })
      unionWorkflow(sol, tree)
      const { released, any } = releaseWaiting(sol, wait)
      if (!any) break
      const next = new Set(ins)
      for (const id of released) if (dataIds.has(id)) next.add(id)
      ins = [...next]
    }
    outs ??= [...sol.keys()]
  } else if (outs === undefined) {
    return dsp.copyStructure()
  }
  return fromEdgeTree(dsp, outs, tree)
}
