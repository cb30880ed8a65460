// The workflow of a solution: the nodes a dispatch reached and the values that flowed along each edge.
import { START, type NodeId } from './constants.ts'
import { joinDistance, type Distance } from './distance.ts'
import type { NodeError } from './errors.ts'
import { DATA, FUNCTION } from './internal/compile.ts'
import type { Trace } from './internal/search.ts'
import type { Solution } from './solution.ts'

/** A node of a workflow, with what happened at it. */
export interface WorkflowNode {
  readonly id: NodeId
  readonly kind: 'start' | 'data' | 'function' | 'dispatcher'
  /** Whether the search visited (computed) the node. */
  readonly visited: boolean
  /** Distance at which it was visited (or a sub-dispatcher was started). */
  readonly distance: Distance | undefined
  /** The (filtered) result of a function that ran. */
  readonly results: unknown
  /** What the input domain answered, for nodes that have one and were checked. */
  readonly domain: boolean | undefined
  /** The value before each filter and after the last one, for nodes with filters that ran. */
  readonly filterChain: readonly unknown[] | undefined
  /** When its function started (epoch ms). */
  readonly started: number | undefined
  /** How long its function and filters took (ms). */
  readonly duration: number | undefined
  /** The executor that ran its function (see `PipeStep.executor`); undefined when the dispatch called it itself. */
  readonly executor: string | undefined
  /** The worker thread that ran its function (its `threadId`), for executors that run calls on threads. */
  readonly thread: number | undefined
  /**
   * The solution of a sub-dispatcher node, or of a model-wrapping function node's call (`SubDispatch`,
   * `SubDispatchFunction`, `SubDispatchPipe`, `DispatchPipe`, `runModel`: schedula's `node_solutions`).
   */
  readonly solution: Solution | undefined
  /** The failure recorded at the node, if any. */
  readonly error: NodeError | undefined
}

/** An edge of a workflow: `value` is what flowed along it (undefined in `noCall` runs). */
export interface WorkflowEdge {
  readonly from: NodeId
  readonly to: NodeId
  readonly value: unknown
}

/** The graph of what a dispatch did. Nodes are in the order they were reached; edges are grouped by source, in model order. */
export class Workflow {
  /** Nodes by id, START first. */
  readonly nodes: ReadonlyMap<NodeId, WorkflowNode>
  /** Edges grouped by source node (in node order), each group in the model's edge order. */
  readonly edges: readonly WorkflowEdge[]
  // Adjacency maps, built on the first query (shrinkDsp and the plots read only `nodes` and `edges`).
  #succMap: Map<NodeId, Map<NodeId, WorkflowEdge>> | undefined
  #predMap: Map<NodeId, Map<NodeId, WorkflowEdge>> | undefined

  constructor(nodes: ReadonlyMap<NodeId, WorkflowNode>, edges: readonly WorkflowEdge[]) {
    this.nodes = nodes
    this.edges = edges
  }

  #index(): void {
    const succ = new Map<NodeId, Map<NodeId, WorkflowEdge>>()
    const pred = new Map<NodeId, Map<NodeId, WorkflowEdge>>()
    for (const id of this.nodes.keys()) {
      succ.set(id, new Map())
      pred.set(id, new Map())
    }
    for (const e of this.edges) {
      succ.get(e.from)?.set(e.to, e)
      pred.get(e.to)?.set(e.from, e)
    }
    this.#succMap = succ
    this.#predMap = pred
  }

  get #succ(): Map<NodeId, Map<NodeId, WorkflowEdge>> {
    if (this.#succMap === undefined) this.#index()
    return this.#succMap!
  }

  get #pred(): Map<NodeId, Map<NodeId, WorkflowEdge>> {
    if (this.#predMap === undefined) this.#index()
    return this.#predMap!
  }

  /** Whether a value flowed from `from` to `to`. */
  hasEdge(from: NodeId, to: NodeId): boolean {
    return this.#succ.get(from)?.has(to) ?? false
  }

  /** The edge from `from` to `to`, if any. */
  edge(from: NodeId, to: NodeId): WorkflowEdge | undefined {
    return this.#succ.get(from)?.get(to)
  }

  /** Nodes that received a value from `id`. */
  successors(id: NodeId): NodeId[] {
    return [...(this.#succ.get(id)?.keys() ?? [])]
  }

  /** Nodes that sent a value to `id`. */
  predecessors(id: NodeId): NodeId[] {
    return [...(this.#pred.get(id)?.keys() ?? [])]
  }
}

/**
 * @internal Builds the workflow of a search level from its trace; `solutionOf` gives the solution of a nested level
 * (the caller's, so that a workflow node and `subSolutions` share one object).
 */
export function buildWorkflow(lv: Trace, solutionOf: (child: Trace) => Solution): Workflow {
  const c = lv.c
  const nodes = new Map<NodeId, WorkflowNode>()
  nodes.set(START, {
    id: START,
    kind: 'start',
    visited: true,
    distance: -1,
    results: undefined,
    domain: undefined,
    filterChain: undefined,
    started: undefined,
    duration: undefined,
    executor: undefined,
    thread: undefined,
    solution: undefined,
    error: undefined,
  })
  const shown = (s: number) => lv.wfIn[s] === 1 && lv.wfRemoved[s] === 0
  for (const s of lv.wfOrder) {
    if (!shown(s)) continue
    const id = c.nodes[s]!.id
    const kind = c.kind[s] === DATA ? 'data' : c.kind[s] === FUNCTION ? 'function' : 'dispatcher'
    const child = lv.children.get(s)
    const ran = lv.started[s]! > 0
    const where = lv.placements.get(s)
    const node: WorkflowNode = {
      id,
      kind,
      visited: lv.visited[s] === 1 || (kind === 'dispatcher' && lv.inDist[s] === 1),
      distance: lv.inDist[s] === 1 ? joinDistance(lv.distL[s]!, lv.distV[s]!) : undefined,
      results: kind === 'data' ? undefined : lv.results[s],
      domain: lv.domains.get(s),
      filterChain: lv.filterChains.get(s),
      started: ran ? lv.started[s]! : undefined,
      duration: ran ? lv.duration[s]! : undefined,
      executor: where?.executor,
      thread: where?.thread,
      solution: child === undefined ? lv.nodeSolutions.get(s) : solutionOf(child),
      error: lv.errors.get(id),
    }
    // The model START node shares its id with the workflow source: keep one entry, the source's.
    if (id !== START) nodes.set(id, node)
  }
  const edges: WorkflowEdge[] = []
  const noCall = lv.run.options.noCall
  for (const s of lv.startLog) {
    if (shown(s)) edges.push({ from: START, to: c.nodes[s]!.id, value: noCall ? undefined : lv.startVal.get(s) })
  }
  for (const s of lv.wfOrder) {
    if (!shown(s)) continue
    for (let e = c.succStart[s]!; e < c.succStart[s + 1]!; e++) {
      if (lv.edgeOn[e] === 1 && shown(c.edgeTo[e]!)) {
        edges.push({ from: c.nodes[s]!.id, to: c.nodes[c.edgeTo[e]!]!.id, value: lv.edgeVal[e] })
      }
    }
  }
  return new Workflow(nodes, edges)
}

/**
 * @internal Calls `fn` for each node and then each edge of the workflow `buildWorkflow(lv)` would make, in the same
 * order, without building it (shrinkDsp reads many workflows and needs only their ids).
 */
export function eachWorkflowPart(lv: Trace, node: (id: NodeId) => void, edge: (from: NodeId, to: NodeId) => void): void {
  const c = lv.c
  const shown = (s: number) => lv.wfIn[s] === 1 && lv.wfRemoved[s] === 0
  node(START)
  for (const s of lv.wfOrder) if (shown(s) && c.nodes[s]!.id !== START) node(c.nodes[s]!.id)
  for (const s of lv.startLog) if (shown(s)) edge(START, c.nodes[s]!.id)
  for (const s of lv.wfOrder) {
    if (!shown(s)) continue
    for (let e = c.succStart[s]!; e < c.succStart[s + 1]!; e++) {
      if (lv.edgeOn[e] === 1 && shown(c.edgeTo[e]!)) edge(c.nodes[s]!.id, c.nodes[c.edgeTo[e]!]!.id)
    }
  }
}
