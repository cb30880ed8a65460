// The result of a dispatch: computed values in computation order, with distances, errors, workflow and pipe.
import { START, type NodeId } from './constants.ts'
import { joinDistance, type Distance } from './distance.ts'
import type { Dispatcher } from './dispatcher.ts'
import type { GetNodeOptions } from './model.ts'
import type { NodeError, NodePath } from './errors.ts'
import { debrief } from './debrief.ts'
import { TRACE } from './internal/access.ts'
import type { Trace } from './internal/search.ts'
import { buildWorkflow, type Workflow } from './workflow.ts'
import { getSubDspFromWorkflow, type SubDspFromWorkflowOptions } from './sub-models.ts'
import { plotSolution } from './plot/build.ts'
import { MAIN_LANE, Timeline } from './plot/timeline.ts'
import type { PlotOptions } from './plot/options.ts'
import type { Plot } from './plot/types.ts'

/** One visited node of a dispatch, in visit order. */
export interface PipeStep {
  /** Path of the node from the solution the pipe was read from (`['S', 'a']` inside sub-dispatcher `S`). */
  readonly path: NodePath
  /** The node id in its own dispatcher. */
  readonly nodeId: NodeId
  /** Distance at which it was visited. */
  readonly distance: Distance
  /** The failure recorded at this node, if it failed. */
  readonly error: NodeError | undefined
  /** When its function started (epoch ms), for nodes that ran a function. */
  readonly started: number | undefined
  /** How long its function and filters took (ms), for nodes that ran a function. */
  readonly duration: number | undefined
  /**
   * The executor that ran its function (`dispatchAsync` with an executor: `'async'`, `'workers'`, …); undefined
   * when the dispatch called the function itself.
   */
  readonly executor: string | undefined
  /** The worker thread that ran its function (its `threadId`), for executors that run calls on threads. */
  readonly thread: number | undefined
}

const NO_INPUTS: ReadonlyMap<NodeId, unknown> = new Map()

/**
 * The outcome of `Dispatcher.dispatch`: a read-only map of the computed data values, in the order they were
 * computed, plus what it took to compute them (`dist`, `errors`, `workflow`, `pipe`, `subSolutions`).
 * @typeParam T The model's data types (`{ a: number; c: string }`) for typed reads: `get('a')` is then
 *   `number | undefined`. A typed `Dispatcher<T>` returns `SolutionOf<T>`, which is `Solution<T>`; left out, reads
 *   are `unknown`.
 */
export class Solution<T extends object = Record<NodeId, unknown>> implements ReadonlyMap<NodeId, unknown> {
  readonly #level: Trace
  /** The inputs given to the dispatch (sub-solutions: empty). */
  readonly inputs: ReadonlyMap<NodeId, unknown>
  /** The outputs requested, if any. */
  readonly outputs: readonly NodeId[] | undefined
  #workflow: Workflow | undefined
  #cache: Map<NodeId, unknown> | undefined

  /** Solutions of the sub-dispatchers, made on demand and kept (one object per nested level). */
  #children: Map<Trace, Solution> | undefined

  /** @internal Solutions are made by `Dispatcher.dispatch` (sub-solutions by their parent solution). */
  constructor(level: Trace, inputs: ReadonlyMap<NodeId, unknown> = NO_INPUTS, outputs?: readonly NodeId[]) {
    this.#level = level
    this.inputs = inputs
    this.outputs = outputs
  }

  /** @internal The search trace this solution reads. */
  get [TRACE](): Trace {
    return this.#level
  }

  /** The solution of a nested level of this one's trace (always the same object for the same level). */
  #child(level: Trace): Solution {
    const children = (this.#children ??= new Map<Trace, Solution>())
    let sol = children.get(level)
    if (sol === undefined) {
      sol = new Solution(level)
      children.set(level, sol)
    }
    return sol
  }

  /** The dispatcher that was searched (for `shrink` dispatches: the shrunk model). */
  get dispatcher(): Dispatcher {
    return this.#level.dsp
  }

  /** Path of this solution from the root solution (empty for the root; `['S']` for sub-dispatcher `S`). */
  get path(): NodePath {
    return this.#level.path
  }

  // ---- the map of values ----------------------------------------------------------------------------------------

  /** The values as a Map, built once and rebuilt only if the level grew (a solution read during its dispatch). */
  #map(): Map<NodeId, unknown> {
    const lv = this.#level
    if (this.#cache === undefined || this.#cache.size !== lv.valueCount) this.#cache = lv.valueMap()
    return this.#cache
  }

  /** Number of computed values. */
  get size(): number {
    return this.#level.valueCount
  }

  /** The value of a data node, or undefined when it was not computed (typed by `T` for its declared ids). */
  get<K extends keyof T & string>(id: K): T[K] | undefined
  /** The value of any node id, or undefined when it was not computed. */
  get(id: NodeId): unknown
  get(id: NodeId): unknown {
    return this.#level.valueOf(id)
  }

  /** Whether a data node was computed. */
  has(id: NodeId): boolean {
    return this.#level.hasValue(id)
  }

  /** Ids of the computed data nodes, in computation order. */
  keys(): MapIterator<NodeId> {
    return this.#map().keys()
  }

  /** Computed values, in computation order. */
  values(): MapIterator<unknown> {
    return this.#map().values()
  }

  /** `[id, value]` pairs, in computation order. */
  entries(): MapIterator<[NodeId, unknown]> {
    return this.#map().entries()
  }

  /** Calls `fn` for each value, in computation order. */
  forEach(fn: (value: unknown, id: NodeId, map: ReadonlyMap<NodeId, unknown>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#map()) fn.call(thisArg, v, k, this)
  }

  /** Iterates `[id, value]` pairs, in computation order. */
  [Symbol.iterator](): MapIterator<[NodeId, unknown]> {
    return this.#map().entries()
  }

  /** The values as a plain object (string ids as keys, tokens as symbol keys), typed by `T`. */
  toObject(): { [K in keyof T]?: T[K] } {
    const o = {} as Record<NodeId, unknown>
    for (const [k, v] of this.#map()) o[k] = v
    return o as { [K in keyof T]?: T[K] }
  }

  /** The values as a plain object, for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return this.toObject()
  }

  // ---- inspection -----------------------------------------------------------------------------------------------

  /** Distances of the visited nodes (START first, at -1), in visit order; fed sub-dispatchers included. */
  get dist(): ReadonlyMap<NodeId, Distance> {
    const lv = this.#level
    const out = new Map<NodeId, Distance>([[START, -1]])
    for (const s of lv.distOrder) out.set(lv.c.nodes[s]!.id, joinDistance(lv.distL[s]!, lv.distV[s]!))
    return out
  }

  /** Failures recorded during the dispatch, by node id (this level only; see `subSolutions` for nested ones). */
  get errors(): ReadonlyMap<NodeId, NodeError> {
    return this.#level.errors
  }

  /** What actually happened: the nodes reached and the values that flowed along each edge. */
  get workflow(): Workflow {
    return (this.#workflow ??= buildWorkflow(this.#level, (child) => this.#child(child)))
  }

  /** Solutions of the sub-dispatchers that were started, by sub-dispatcher node id. */
  get subSolutions(): ReadonlyMap<NodeId, Solution> {
    const lv = this.#level
    const out = new Map<NodeId, Solution>()
    for (const [slot, child] of lv.children) out.set(lv.c.nodes[slot]!.id, this.#child(child))
    return out
  }

  /** The solution of a nested sub-dispatcher, by path (`getSubSolution('S', 'T')`); undefined if never started. */
  getSubSolution(...path: NodeId[]): Solution | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let sol: Solution | undefined = this
    for (const id of path) sol = sol?.subSolutions.get(id)
    return sol
  }

  /**
   * A node by its path in this solution's model (schedula's `Solution.get_node`): by default its output, a data
   * node's value or the solution of a sub-dispatcher or model-wrapping function node, read in this solution
   * (`sol.getNode('S', 'c')` is `c` in the solution of `S`); options last as for `Dispatcher.getNode`.
   */
  getNode(...args: [...path: NodeId[], options: GetNodeOptions] | NodeId[]): unknown {
    const last = args[args.length - 1]
    const options = typeof last === 'object' && last !== null ? last : undefined
    const path = (options === undefined ? args : args.slice(0, -1)) as NodeId[]
    return this.dispatcher.getNode(...path, { nodeAttr: 'output', ...options, solution: this })
  }

  /** Every visited node in visit order, this level and nested ones, with timings and failures. */
  get pipe(): readonly PipeStep[] {
    const lv = this.#level
    const run = lv.run
    const depth = lv.path.length
    const steps: PipeStep[] = []
    const levels = run.levels
    for (let i = 0; i < run.pipeSize; i++) {
      let owner: Trace | null = levels[run.pipeLevel[i]!]!
      const at = owner
      while (owner !== null && owner !== lv) owner = owner.parent
      if (owner === null) continue
      const s = run.pipeSlot[i]!
      const id = at.c.nodes[s]!.id
      const ran = at.started[s]! > 0
      const where = at.placements.get(s)
      steps.push({
        path: [...at.path.slice(depth), id],
        nodeId: id,
        distance: joinDistance(at.distL[s]!, at.distV[s]!),
        error: at.errors.get(id),
        started: ran ? at.started[s]! : undefined,
        duration: ran ? at.duration[s]! : undefined,
        executor: where?.executor,
        thread: where?.thread,
      })
    }
    return steps
  }

  /** The sub-model reached from `sources` over this solution's workflow (see `Dispatcher.getSubDspFromWorkflow`). */
  getSubDspFromWorkflow(sources: Iterable<NodeId>, options: Omit<SubDspFromWorkflowOptions, 'graph'> = {}): Dispatcher {
    return getSubDspFromWorkflow(this.dispatcher, sources, { ...options, graph: this.workflow })
  }

  /**
   * Draws the workflow as DOT pages: what the dispatch reached, with distances, timings, warnings and errors, and one
   * page per sub-solution (down to `depth`). With `workflow: false`, draws the model instead.
   */
  plot(options?: PlotOptions): Plot {
    return plotSolution(this, options)
  }

  /**
   * A readable report of the dispatch: values and outputs reached, what failed (cause and duration), what its input
   * domain skipped, and after `dispatchAsync` what was aborted or started early and then not needed. Pass
   * `{ timings: false }` to leave durations out.
   */
  debrief(options: { timings?: boolean } = {}): string {
    return debrief(this.#level, this.outputs, options.timings ?? true)
  }

  /**
   * The calls of this dispatch on a time axis (a Gantt chart): every node that ran a function, nested ones
   * included, in start order. `timeline().plot()` draws it; `String(timeline())` gives text bars. When some calls
   * ran on worker threads, the calls are grouped in lanes, one per thread.
   */
  timeline(): Timeline {
    const steps = this.pipe.filter((s) => s.started !== undefined)
    const t0 = Math.min(...steps.map((s) => s.started!))
    const threaded = steps.some((s) => s.thread !== undefined)
    const rows = steps
      .map((s) => ({
        path: s.path,
        start: s.started! - t0,
        duration: s.duration ?? 0,
        failed: s.error !== undefined,
        lane: !threaded
          ? undefined
          : s.thread !== undefined
            ? `${s.executor ?? 'worker'} thread ${s.thread}`
            : s.executor === undefined || s.executor === 'async'
              ? MAIN_LANE
              : s.executor,
      }))
      .sort((a, b) => a.start - b.start)
    return new Timeline(`${this.dispatcher.name || 'dispatch'} timeline`, rows)
  }

  /** `Solution { 'a' => 1, 'b' => 2 }`. */
  toString(): string {
    const parts = [...this.#map()].map(([k, v]) => `${typeof k === 'string' ? JSON.stringify(k) : String(k.description)} => ${String(v)}`)
    return `Solution { ${parts.join(', ')} }`
  }

  /** Shown like a Map by `util.inspect` and the Node REPL: `Solution(2) { 'a' => 1, 'b' => 2 }`. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (v: unknown, o: object) => string): string {
    if (typeof inspect !== 'function') return this.toString()
    return inspect(this.#map(), options).replace(/^Map\(\d+\)/, `Solution(${this.size})`)
  }
}
