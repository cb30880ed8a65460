// The dispatch algorithm: a modified Dijkstra over data, function and sub-dispatcher nodes (schedula's ArciDispatch).
import { NONE, START, WRAPPED_MODEL, compareIds, formatId, sortKey, type NodeId } from '../constants.ts'
import { splitDistance, type Distance } from '../distance.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { DispatcherAbort, DispatcherError, NodeError, type FailureKind, type NodePath } from '../errors.ts'
import type { Filter, NodeContext, Stopper } from '../model.ts'
import type { Solution } from '../solution.ts'
import { internalsOf, isSolution } from './access.ts'
import { DATA, DISPATCHER, FUNCTION, type Compiled } from './compile.ts'
import type { DataNodeImpl, FunctionNodeImpl, SubDispatcherNodeImpl } from './graph.ts'
import { Fringe } from './heap.ts'
import { IntList } from './int-list.ts'
import {
  StepFailed,
  callDomain,
  domainError,
  isThenable,
  outputValues,
  promiseFailure,
  subDomainPromise,
  recordFailure,
  type StepSite,
} from './step-rules.ts'
import type { View } from './view.ts'

/** Edge state: the edge carries no value (yet). */
export const EDGE_OFF = 0
/** Edge state: the edge carries a value in the workflow (`edgeVal`). */
export const EDGE_ON = 1
/** Edge state: the edge carried a value that lost to a closer producer of the same data node. */
export const EDGE_REMOVED = 2
const OFF = EDGE_OFF
const ON = EDGE_ON
const REMOVED = EDGE_REMOVED

/** Fringe flag (the tie-break after the distance): a data node that does not wait for its inputs. */
const FLAG_PLAIN = 0
/** Fringe flag: a node that waits for all its inputs (every function node does). */
const FLAG_WAITS = 1
/** Fringe flag: a value coming from a sub-dispatcher (out of a child, or a child's default); + FLAG_WAITS if it waits. */
const FLAG_REMOTE = 2
/** `addInitialValue`: use the node's own wait flag (FLAG_WAITS or FLAG_PLAIN). */
const OWN_WAIT_FLAG = -1

/** The two-level distance comparison: whether `(l1, v1)` is strictly closer than `(l2, v2)`. */
function closer(l1: number, v1: number, l2: number, v2: number): boolean {
  return l1 < l2 || (l1 === l2 && v1 < v2)
}

/*
 * THE ALGORITHM
 *
 * A Dijkstra search from the inputs (and defaults) over the compiled graph, one `Level` per dispatcher level (the
 * root, and each sub-dispatcher that gets started), all sharing one fringe (`Run.heap`) and one visit log.
 *
 * Node states, per slot of a level:
 * - seen     (`seenOn/seenL/seenV`): pushed on the fringe at that distance; a node is pushed again only when seen
 *            closer. Nothing is final yet. `seenL/seenV` are the arrays `distL/distV` (a slot's tentative distance
 *            until its visit makes it final: one pair of arrays less per level); never written once `inDist` is 1.
 * - visited  (`inDist/distL/distV`, `visited`): popped; its distance is final and its value (data) or call
 *            (function) was computed. Seeing a visited node closer is the "contradictory paths" error (only negative
 *            weights can cause it).
 * - pending  (`pending[s]`): how many active incoming edges have not carried a value yet. A node that waits for
 *            its inputs (every function node; data nodes with `waitInputs`) is not seen while pending > 0.
 * - reached  (`valOn`, `valOrder`): data nodes holding a value, in the order of the solution.
 *
 * Edge states (`edgeOn`): EDGE_OFF (no value yet) → EDGE_ON (carries `edgeVal`) → EDGE_REMOVED (a data node kept a
 * closer producer). An edge is active when the view explores its target (`View.edgeActive`).
 *
 * The fallback rule: a function that fails (throws, its filter throws, returns a promise or a result that does not
 * fit its outputs) sets no output; the failure is recorded (`errors`) and the search simply goes on, so a farther
 * producer of the same data node wins — unless the dispatcher `raises`, which stops the dispatch.
 *
 * Tie-breaking order of the fringe (heap.ts): two-level distance (`l` first, then `v`; see `closer`), then the
 * fringe flag (FLAG_PLAIN < FLAG_WAITS < FLAG_REMOTE < FLAG_REMOTE + FLAG_WAITS), then the node's id text, then the
 * index path of its level, then push order. Among several producers of one data node the closest wins, ties by id
 * text. Every order is fixed, so a dispatch is deterministic.
 *
 * THE SEAM FOR AN ASYNCHRONOUS DRIVER (issue #20)
 *
 * A function node is visited in three steps: `functionArgs(s)` (is it needed, its arguments, its domain), the call
 * (`#evaluate`: function, filters; the only step that runs user code the search would have to wait for), and
 * `commitFunction(s, result)` (outputs). Everything else in a visit is synchronous bookkeeping. To give EXACTLY the
 * synchronous solution, an asynchronous driver keeps this loop's order: it pops entries as `Run.loop` does, and when
 * the popped node is a function it calls `functionArgs`, awaits the call (with its timeout / cancellation; running
 * other ready calls ahead speculatively is allowed, committing them is not), then runs `commitFunction` and the rest
 * of `visit` before popping the next entry. The synchronous path pays nothing for this: the steps are plain method
 * calls, and a promise met here is the node's failure (`promiseFailure`).
 */

/** One entry of an asynchronous run's log (see `Solution.debrief`). */
export interface AsyncLogEntry {
  readonly type: 'fail' | 'skip' | 'discard' | 'abort'
  readonly path: readonly NodeId[]
  /** Milliseconds the call ran (until it settled, or until it was dropped). */
  readonly duration: number
  readonly error?: unknown
}

/** The read-only record of one run of the search: every level and the visit log (what `Solution.pipe` reads). */
export interface RunTrace {
  /** Whether functions were skipped (`noCall`): values are then placeholders. */
  readonly options: { readonly noCall: boolean }
  /** Set by `dispatchAsync`: failed, skipped, discarded and aborted calls, in the order they were decided. */
  readonly asyncLog: readonly AsyncLogEntry[] | undefined
  /** Every level of the run, by level id (the root is 0). */
  readonly levels: readonly Trace[]
  /** Number of visits logged; visit `i` is slot `pipeSlot[i]` of level `levels[pipeLevel[i]]`. */
  readonly pipeSize: number
  readonly pipeLevel: ArrayLike<number>
  readonly pipeSlot: ArrayLike<number>
}

/** Where a call ran: the executor's name (`'async'` for `executor: 'async'`) and the thread it reported, if any. */
export interface Placement {
  readonly executor: string
  readonly thread: number | undefined
}

/**
 * The read-only trace of what the search did at one level (the root, or one sub-dispatcher): what the floors above
 * it (workflow, solution, sub-models, plan replay) read. Arrays are indexed by the slots (or edge ids) of the level's
 * compiled model `c`. Only the search writes them; the type offers no way to.
 */
export interface Trace {
  readonly run: RunTrace
  /** The part of the model this level searched (its compiled form, pruning and sub-dispatcher mappings). */
  readonly view: View
  readonly c: Compiled
  readonly dsp: Dispatcher
  readonly parent: Trace | null
  /** Slot of this level's sub-dispatcher node in its parent (-1 at the root). */
  readonly parentSlot: number
  /** Compiled indices of the sub-dispatcher nodes from the root down (`[-1]` at the root). */
  readonly indexPath: readonly number[]
  readonly path: NodePath
  /** Levels of the sub-dispatchers started here, by the slot of their node. */
  readonly children: ReadonlyMap<number, Trace>
  readonly errors: ReadonlyMap<NodeId, NodeError>
  /** Inputs that are also targets (wildcard dispatch). */
  readonly wildcards: ReadonlySet<number>
  /** 1 where a node's distance is final (visited, or a fed sub-dispatcher); `distL`/`distV` hold it. */
  readonly inDist: ArrayLike<number>
  readonly distL: ArrayLike<number>
  readonly distV: ArrayLike<number>
  /** Slots in the order their distance became final. */
  readonly distOrder: Iterable<number>
  /** Largest distance each node was met at (only with wait overrides, for `shrinkDsp`). */
  readonly meetOn: ArrayLike<number>
  readonly meetL: ArrayLike<number>
  readonly meetV: ArrayLike<number>
  readonly visited: ArrayLike<number>
  /** Edge states by edge id: `EDGE_OFF`, `EDGE_ON` or `EDGE_REMOVED`; `edgeVal` the value an ON edge carries. */
  readonly edgeOn: ArrayLike<number>
  readonly edgeVal: readonly unknown[]
  /** Slots that got a `START → slot` edge (inputs, defaults), in order, and their values. */
  readonly startOn: ArrayLike<number>
  readonly startLog: readonly number[]
  readonly startVal: ReadonlyMap<number, unknown>
  /** Workflow membership: `wfIn` marks the slots in `wfOrder`, `wfRemoved` those dropped again. */
  readonly wfIn: ArrayLike<number>
  readonly wfOrder: Iterable<number>
  readonly wfRemoved: ArrayLike<number>
  /** Results of the functions that ran, by slot: read only at function and sub-dispatcher slots (see `Level`). */
  readonly results: readonly unknown[]
  readonly domains: ReadonlyMap<number, boolean>
  readonly filterChains: ReadonlyMap<number, readonly unknown[]>
  /** The solution of a model-wrapping function node's call (returned, or recorded by the wrapper), by slot. */
  readonly nodeSolutions: ReadonlyMap<number, Solution>
  /** Where a function ran when `dispatchAsync` handed it to an executor, by slot. */
  readonly placements: ReadonlyMap<number, Placement>
  readonly started: ArrayLike<number>
  readonly duration: ArrayLike<number>
  /** Effective wait-inputs flag of a node. */
  waits(s: number): boolean
  /** The value of a data node, or of an input that is not a node. */
  valueOf(id: NodeId): unknown
  /** Whether a data node (or an input that is not a node) has a value. */
  hasValue(id: NodeId): boolean
  /** Number of values. */
  readonly valueCount: number
  /** The values as a Map in solution order. */
  valueMap(): Map<NodeId, unknown>
}

/** Per-dispatcher wait-inputs overrides (used by `shrinkDsp`): node id → flag, and child dispatchers' own maps. */
export interface WaitOverrides {
  readonly nodes: ReadonlyMap<NodeId, boolean>
  readonly children: ReadonlyMap<NodeId, WaitOverrides>
}

/** Options of one run of the search. */
export interface RunOptions {
  readonly noCall: boolean
  readonly stopper: Stopper | undefined
  readonly rmUnusedNodes: boolean
  readonly wildcard: boolean | 2
  readonly waitIn: WaitOverrides | undefined
  /** Skip function input domains (structural runs). */
  readonly noDomain: boolean
}

/** The host's high-resolution clock (browsers and Node both have `performance`; typed here without DOM or Node types). */
const clock = (globalThis as unknown as { readonly performance: { now(): number; readonly timeOrigin: number } }).performance

function isStopped(stopper: Stopper | undefined): boolean {
  if (stopper === undefined) return false
  return 'aborted' in stopper ? stopper.aborted : stopper.isSet()
}

function stopReason(stopper: Stopper | undefined): unknown {
  return stopper !== undefined && 'reason' in stopper ? stopper.reason : undefined
}

/**
 * A sub-dispatcher input domain that answered with a promise in an asynchronous run: the propagation stopped right
 * after asking it, and the driver settles it (`Level.resumeDomain`) and then runs `rest` before anything else.
 */
export interface HeldDomain {
  /** The level of the sub-dispatcher node, and its slot. */
  readonly level: Level
  readonly slot: number
  /** The input edges the node is fed from once its domain says yes. */
  readonly fed: readonly number[]
  /** The distance the node is fed at. */
  readonly l: number
  readonly v: number
  /** The domain's answer. */
  readonly answer: PromiseLike<unknown>
  /** The rest of the interrupted propagation, innermost part first. */
  readonly rest: (() => void)[]
}

/** An initial value of a level, in the order they are added. */
interface InitialValue {
  readonly l: number
  readonly v: number
  readonly key: string
  readonly id: NodeId
}

/** Fringes of finished runs, reused by the next ones (a dispatch inside a function takes another one). */
const fringePool: Fringe[] = []
const POOLED_CAPACITY = 1024
const POOL_SIZE = 8
/**
 * The largest fringe a finished run left, held weakly: dispatching a large model again reuses its arrays (tens of
 * megabytes that would otherwise be grown from 64 entries by doubling on every dispatch) unless the GC needed them.
 */
let largeFringe: WeakRef<Fringe> | undefined

/** A fringe for a run whose root model has `sizeHint` nodes: the large one when it fits the hint and is still alive. */
function takeFringe(sizeHint: number): Fringe {
  if (sizeHint > POOLED_CAPACITY && largeFringe !== undefined) {
    const large = largeFringe.deref()
    largeFringe = undefined
    if (large !== undefined) return large
  }
  return fringePool.pop() ?? new Fringe()
}

/** The shared state of one dispatch: the fringe, the visit log and the options. */
export class Run implements RunTrace {
  /** The heap while the run is searching (taken from a pool, given back when the loop ends). */
  heap: Fringe
  readonly options: RunOptions
  /** What an asynchronous run saw besides the trace (failures, skips, discarded and aborted calls), for `debrief`. */
  asyncLog: AsyncLogEntry[] | undefined = undefined
  /** Set by the asynchronous driver: a sub-dispatcher's input domain may answer with a promise (see `HeldDomain`). */
  asyncDomains = false
  /** The sub-dispatcher domain the propagation stopped on, until the asynchronous driver resumes it. */
  held: HeldDomain | undefined = undefined
  root!: Level
  /** Every level of the run, by level id (the root is 0). */
  readonly levels: Level[] = []
  /**
   * Visit log (the pipe): level id and slot of each visited node, in visit order (small at first: 64 bytes each).
   * The level ids are stored only once a sub-dispatcher's node is visited (until then every id is 0, the root's).
   */
  #pipeLevel: Int32Array | null = null
  pipeSlot = new Int32Array(16)
  pipeSize = 0

  /** Level id of each visit of the pipe. */
  get pipeLevel(): Int32Array {
    return (this.#pipeLevel ??= new Int32Array(this.pipeSlot.length))
  }

  /** `sizeHint`: the node count of the root model (a large one takes the large fringe left by an earlier run). */
  constructor(options: RunOptions, sizeHint = 0) {
    this.options = options
    this.heap = takeFringe(sizeHint)
    this.heap.attach(this.levels)
  }

  /** The run's levels, as `run.fringe.levels` (kept for readers of the visit log). */
  get fringe(): { readonly levels: readonly Level[] } {
    return this
  }

  /** Registers a level; its id is stored in the fringe entries. */
  register(level: Level): number {
    this.levels.push(level)
    return this.levels.length - 1
  }

  push(level: Level, slot: number, lvl: number, d: number, flag: number): void {
    this.heap.push(level.id, slot, lvl, d, flag)
  }

  /** Appends a visit to the log (the pipe). */
  log(levelId: number, slot: number): void {
    if (this.pipeSize === this.pipeSlot.length) {
      if (this.#pipeLevel !== null) {
        const a = new Int32Array(this.pipeSize * 2)
        a.set(this.#pipeLevel)
        this.#pipeLevel = a
      }
      const b = new Int32Array(this.pipeSize * 2)
      b.set(this.pipeSlot)
      this.pipeSlot = b
    }
    if (levelId !== 0 || this.#pipeLevel !== null) this.pipeLevel[this.pipeSize] = levelId
    this.pipeSlot[this.pipeSize++] = slot
  }

  /**
   * Gives the heap back to the pool (once; a run never searches again after its loop). Only small heaps are pooled,
   * and only a few: the pool saves the fixed cost of small dispatches. The largest heap is kept weakly (see
   * `largeFringe`), so large ones cost no memory the GC wants back.
   */
  release(): void {
    const heap = this.heap
    if (heap.levels !== this.levels) return
    heap.detach()
    if (heap.capacity <= POOLED_CAPACITY) {
      if (fringePool.length < POOL_SIZE) fringePool.push(heap)
    } else if ((largeFringe?.deref()?.capacity ?? 0) < heap.capacity) {
      largeFringe = new WeakRef(heap)
    }
  }

  checkStop(nodeId: NodeId): void {
    const stopper = this.options.stopper
    if (stopper !== undefined && isStopped(stopper)) throw new DispatcherAbort(nodeId, stopReason(stopper))
  }

  /** The entry `popNext` found: its level, slot and distance. */
  nextLevel: Level | null = null
  nextSlot = -1
  nextL = 0
  nextD = 0

  /**
   * The head of both drivers' loops (this one's and the asynchronous one's): pops the fringe up to the next entry to
   * visit, skipping entries of closed levels and of nodes already final, and closing a sub-dispatcher's level once
   * every parent-side output it could set is computed. Sets `nextLevel/nextSlot/nextL/nextD`; false when the fringe
   * is empty.
   */
  popNext(): boolean {
    const fringe = this.heap
    const levels = this.levels
    while (fringe.size > 0) {
      const h = fringe.pop()
      const lv = levels[fringe.lev[h]!]!
      const s = fringe.slot[h]!
      const l = fringe.lvl[h]!
      const d = fringe.d[h]!
      fringe.release(h)
      if (lv.closed || lv.inDist[s] === 1) continue
      if (lv.parent !== null && lv.outputsReached()) {
        lv.closeTree()
        continue
      }
      this.nextLevel = lv
      this.nextSlot = s
      this.nextL = l
      this.nextD = d
      return true
    }
    return false
  }

  /** Runs the main loop until the fringe is empty or every target of the root is reached. */
  loop(): void {
    const root = this.root
    while (this.popNext()) {
      const lv = this.nextLevel!
      const s = this.nextSlot
      const l = this.nextL
      const d = this.nextD
      lv.initialized = true
      this.log(lv.id, s)
      if (!lv.visit(s, l, d)) {
        if (lv === root) break
        lv.closeTree()
      }
      lv.seeRemoteLink(s, l, d)
    }
    if (this.options.rmUnusedNodes) root.removeUnusedNodes()
  }
}

/**
 * The search state of one dispatcher level (the root, or one sub-dispatcher). Arrays are indexed by the
 * slots of the level's compiled model; `valOrder` is the solution's order of computed values.
 */
export class Level implements Trace {
  readonly run: Run
  /** Id of this level in the fringe. */
  readonly id: number
  readonly view: View
  /** The view's edge mask (null: every edge is active): an edge is active when its target is explored. */
  readonly explored: Uint8Array | null
  readonly c: Compiled
  readonly dsp: Dispatcher
  readonly parent: Level | null
  readonly parentSlot: number
  readonly indexPath: readonly number[]
  readonly path: NodePath
  /** Computed values by slot; `valOn` marks the stored ones, `valOrder` their order (the solution's key order). */
  readonly val: unknown[]
  readonly valOn: Uint8Array
  readonly valOrder = new IntList()
  /** Inputs that are not nodes of the searched model: first in the solution, in id-text order. */
  readonly extra = new Map<NodeId, unknown>()
  readonly errors = new Map<NodeId, NodeError>()
  readonly children = new Map<number, Level>()
  /** Sub-dispatchers with an input domain, not started yet: their input edges in arrival order (schedula's feed order). */
  readonly #arrivals = new Map<number, Set<number>>()
  readonly waitOverride: WaitOverrides | undefined
  closed = false
  initialized = false
  /** Inputs that are also targets (wildcard dispatch): visited at start, fed to successors, recomputable. */
  readonly wildcards = new Set<number>()
  targets: Set<number> | null = null

  readonly inDist: Uint8Array
  readonly distL: Float64Array
  readonly distV: Float64Array
  readonly distOrder = new IntList()
  readonly seenOn: Uint8Array
  /** The same array as `distL` (see THE ALGORITHM): meaningful while `inDist` is 0 and `seenOn` is 1. */
  readonly seenL: Float64Array
  /** The same array as `distV`. */
  readonly seenV: Float64Array
  /** Largest distance each node was met at (used by shrinkDsp); only kept when `trackMeet`. */
  readonly meetOn: Uint8Array
  readonly meetL: Float64Array
  readonly meetV: Float64Array
  readonly trackMeet: boolean
  readonly visited: Uint8Array
  readonly pending: Int32Array
  readonly edgeOn: Uint8Array
  readonly edgeVal: unknown[]
  /** Inputs and defaults: which slots got a `START → slot` edge, and its value. */
  readonly startOn: Uint8Array
  readonly startVal = new Map<number, unknown>()
  readonly startLog: number[] = []
  readonly wfIn: Uint8Array
  readonly wfOrder = new IntList()
  readonly wfRemoved: Uint8Array
  /**
   * Results of the functions that ran, by slot (a hole where none). The same array as `val`: values are stored at
   * data slots and results at function and sub-dispatcher slots, so one array of `size` serves both (a JavaScript
   * array that large is costly to allocate); read it only at a function's or sub-dispatcher's slot.
   */
  readonly results: unknown[]
  readonly domains = new Map<number, boolean>()
  readonly filterChains = new Map<number, unknown[]>()
  readonly nodeSolutions = new Map<number, Solution>()
  readonly placements = new Map<number, Placement>()
  readonly started: Float64Array
  readonly duration: Float64Array
  /** Inputs that are not nodes of the searched model, copied to the front of the solution. */
  readonly extraInputs: NodeId[] = []

  constructor(run: Run, view: View, parent: Level | null, parentSlot: number, waitOverride: WaitOverrides | undefined) {
    this.run = run
    this.id = run.register(this)
    this.view = view
    this.explored = view.explored
    this.c = view.c
    this.dsp = view.dsp
    this.parent = parent
    this.parentSlot = parentSlot
    this.waitOverride = waitOverride
    if (parent === null) {
      this.indexPath = [-1]
      this.path = []
    } else {
      this.indexPath = [...parent.indexPath, parent.c.index[parentSlot]!]
      this.path = [...parent.path, parent.c.nodes[parentSlot]!.id]
    }
    const n = this.c.size
    const e = this.c.edgeTo.length
    this.inDist = new Uint8Array(n)
    this.startOn = new Uint8Array(n)
    this.val = new Array(n)
    this.valOn = new Uint8Array(n)
    this.distL = new Float64Array(n)
    this.distV = new Float64Array(n)
    this.seenOn = new Uint8Array(n)
    this.seenL = this.distL
    this.seenV = this.distV
    this.trackMeet = waitOverride !== undefined
    const m = this.trackMeet ? n : 0
    this.meetOn = new Uint8Array(m)
    this.meetL = new Float64Array(m)
    this.meetV = new Float64Array(m)
    this.visited = new Uint8Array(n)
    this.wfIn = new Uint8Array(n)
    this.wfRemoved = new Uint8Array(n)
    this.results = this.val
    this.started = new Float64Array(n)
    this.duration = new Float64Array(n)
    this.edgeOn = new Uint8Array(e)
    this.edgeVal = new Array(e)
    const pending = new Int32Array(n)
    if (view.explored === null) {
      const ps = this.c.predStart
      for (let s = 0; s < n; s++) pending[s] = ps[s + 1]! - ps[s]!
    } else {
      for (let s = 0; s < n; s++) pending[s] = view.predCount(s)
    }
    this.pending = pending
  }

  // ---- initialisation -------------------------------------------------------------------------------------------

  /**
   * Adds the initial values (inputs over defaults) in the order of (distance, id text), then copies the inputs
   * that are not nodes of the searched model to the front of the solution.
   */
  init(
    inputs: ReadonlyMap<NodeId, unknown>,
    inputsDist: ReadonlyMap<NodeId, Distance>,
    excluded: ReadonlySet<NodeId>,
    outputs: readonly NodeId[] | undefined,
    shift: [number, number] | null,
  ): void {
    const noCall = this.run.options.noCall
    const defaults = internalsOf(this.dsp).defaults
    const values = new Map<NodeId, unknown>()
    const dists = new Map<NodeId, Distance>()
    for (const [id, dv] of defaults) {
      if (excluded.has(id)) continue
      const ds = this.c.slotOf.get(id)
      if (ds === undefined || !this.view.has(ds)) continue // a pruned-away node has no default
      values.set(id, noCall ? NONE : dv.value)
      if (!inputs.has(id)) dists.set(id, dv.initialDist)
    }
    for (const [id, v] of inputs) values.set(id, noCall ? NONE : v)
    for (const [id, d] of inputsDist) dists.set(id, d)
    if (outputs !== undefined && outputs.length > 0) {
      this.targets = new Set()
      for (const id of outputs) {
        const s = this.c.slotOf.get(id)
        // An output outside the searched model can never be reached; it still keeps the search going.
        this.targets.add(s !== undefined && this.view.has(s) ? s : -1 - this.targets.size)
      }
    }
    if (this.parent === null) this.#setWildcards(inputs, outputs)
    const order: InitialValue[] = []
    for (const id of values.keys()) {
      const d = dists.get(id) ?? 0
      // Plain numbers skip the general check (and the message it is given).
      const [l, v] = typeof d === 'number' && !Number.isNaN(d) ? [0, d] : splitDistance(d, `initial distance of ${formatId(id)}`)
      order.push({ l, v, key: sortKey(typeof id === 'string' ? id : (id.description as string)), id })
    }
    order.sort((a, b) => a.l - b.l || a.v - b.v || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    this.#addInitial(order, values, shift, 0)
  }

  /**
   * Adds the initial values from `order[i0]` on, then records the inputs that are not nodes. Stops when a wildcard
   * input meets a sub-dispatcher domain that answers with a promise (asynchronous runs): the rest resumes from here.
   */
  #addInitial(order: readonly InitialValue[], values: ReadonlyMap<NodeId, unknown>, shift: [number, number] | null, i0: number): void {
    for (let i = i0; i < order.length; i++) {
      const o = order[i]!
      if (shift === null) this.addInitialValue(o.id, values.get(o.id), o.l, o.v, OWN_WAIT_FLAG)
      else {
        this.addInitialValue(o.id, values.get(o.id), shift[0] + o.l, shift[1] + o.v, FLAG_REMOTE)
        // As schedula's child solution, the meeting distance of a default leaves out where the child started
        // (it only orders the release of waiting nodes in shrinkDsp).
        const s = this.c.slotOf.get(o.id)
        if (s !== undefined && this.view.has(s)) this.#meet(s, o.l, o.v, false)
      }
      const held = this.run.held
      if (held !== undefined) {
        held.rest.push(() => this.#addInitial(order, values, shift, i + 1))
        return
      }
    }
    const noCall = this.run.options.noCall
    const extra: NodeId[] = []
    for (const id of values.keys()) {
      const s = this.c.slotOf.get(id)
      if (s === undefined || !this.view.has(s)) extra.push(id)
    }
    extra.sort(compareIds)
    for (const id of extra) {
      this.extra.set(id, noCall ? undefined : values.get(id))
      this.extraInputs.push(id)
    }
  }

  #setWildcards(inputs: ReadonlyMap<NodeId, unknown>, outputs: readonly NodeId[] | undefined): void {
    const wildcard = this.run.options.wildcard
    const over = this.waitOverride?.nodes
    if (!wildcard || outputs === undefined || outputs.length === 0 || inputs.size === 0) return
    const outs = new Set(outputs ?? [])
    for (const id of inputs.keys()) {
      const s = this.c.slotOf.get(id)
      if (s === undefined || !this.view.has(s)) continue
      const byTarget = outs.has(id) && (wildcard !== 2 || this.view.predCount(s) > 0)
      if (!(byTarget || over?.get(id) === true)) continue
      const node = this.c.nodes[s]!
      if (node.kind === 'data' && node.wildcard === false) continue
      this.wildcards.add(s)
    }
  }

  #store(s: number, value: unknown): void {
    if (this.valOn[s] === 0) {
      this.valOn[s] = 1
      this.valOrder.push(s)
    }
    this.val[s] = value
  }

  /** The value of a data node, or of an input that is not a node. */
  valueOf(id: NodeId): unknown {
    const s = this.c.slotOf.get(id)
    return s !== undefined && this.valOn[s] === 1 ? this.val[s] : this.extra.get(id)
  }

  /** Whether a data node (or an input that is not a node) has a value. */
  hasValue(id: NodeId): boolean {
    const s = this.c.slotOf.get(id)
    return (s !== undefined && this.valOn[s] === 1) || this.extra.has(id)
  }

  /** Number of values. */
  get valueCount(): number {
    return this.extra.size + this.valOrder.length
  }

  /** The values as a Map in solution order: non-node inputs first, then the computed values in visit order. */
  valueMap(): Map<NodeId, unknown> {
    const m = new Map(this.extra)
    const nodes = this.c.nodes
    for (const s of this.valOrder) m.set(nodes[s]!.id, this.val[s])
    return m
  }

  /** Effective wait-inputs flag of a node. */
  waits(s: number): boolean {
    if (this.waitOverride === undefined) return this.c.waitIn[s] === 1
    const over = this.waitOverride.nodes
    if (over !== undefined) {
      const v = over.get(this.c.nodes[s]!.id)
      if (v !== undefined) return v
    }
    return this.c.waitIn[s] === 1
  }

  #waiting(s: number): boolean {
    return this.pending[s]! > 0 && this.waits(s)
  }

  #wfAdd(s: number): void {
    if (this.wfIn[s] === 0) {
      this.wfIn[s] = 1
      this.wfOrder.push(s)
    }
  }

  /** Turns a workflow edge on (or replaces its value). */
  setEdge(eid: number, value: unknown): void {
    const state = this.edgeOn[eid]
    if (state !== ON) {
      const to = this.c.edgeTo[eid]!
      if (state === OFF) this.pending[to]!--
      this.edgeOn[eid] = ON
      const from = this.c.edgeFrom[eid]!
      if (this.wfIn[from] === 0) this.#wfAdd(from)
      if (this.wfIn[to] === 0) this.#wfAdd(to)
    }
    const to = this.c.edgeTo[eid]!
    if (this.wfRemoved[to] === 1 && this.inDist[to] === 1) {
      // A function skipped for having no open output gets a new value (a recomputed wildcard input): as in
      // schedula, it is back in the workflow, after the nodes already there, without the edges it had before.
      this.wfRemoved[to] = 0
      const c = this.c
      for (let p = c.predStart[to]!; p < c.predStart[to + 1]!; p++) {
        const pe = c.predEdge[p]!
        if (pe !== eid && this.edgeOn[pe] === ON) this.edgeOn[pe] = REMOVED
      }
      this.wfOrder.moveToEnd(to)
    }
    this.edgeVal[eid] = value
  }

  #meet(s: number, l: number, v: number, max: boolean): void {
    if (!this.trackMeet) return
    if (this.meetOn[s] === 0 || !max || closer(this.meetL[s]!, this.meetV[s]!, l, v)) {
      this.meetOn[s] = 1
      this.meetL[s] = l
      this.meetV[s] = v
    }
  }

  /**
   * Adds an input or default value: a `START → id` workflow edge carrying it, then the node on the fringe.
   * `flag` is the fringe flag, or `OWN_WAIT_FLAG` for the node's own wait flag; sub-dispatcher defaults use `FLAG_REMOTE`.
   */
  addInitialValue(id: NodeId, value: unknown, l: number, v: number, flag: number): boolean {
    const s = this.c.slotOf.get(id)
    if (s === undefined || !this.view.has(s)) return false
    if (this.startOn[s] === 0) {
      this.startOn[s] = 1
      this.startLog.push(s)
    }
    this.startVal.set(s, value)
    this.#wfAdd(s)
    const c = this.c
    if (this.wildcards.has(s)) {
      this.visited[s] = 1
      this.#feedWildcard(s, value, l, v, c.succStart[s]!)
      return true
    }
    this.#meet(s, l, v, true)
    if (this.#waiting(s)) return false
    this.seenOn[s] = 1
    if (this.inDist[s] === 0) {
      this.seenL[s] = l
      this.seenV[s] = v
    }
    this.run.push(this, s, l, v, flag === OWN_WAIT_FLAG ? (c.waitIn[s] === 1 ? FLAG_WAITS : FLAG_PLAIN) : flag)
    return true
  }

  /**
   * Sets the out-edges of wildcard input `s` from its successor position `k0` on and sees their targets. Stops when a
   * sub-dispatcher domain answers with a promise (asynchronous runs): the rest resumes from here.
   */
  #feedWildcard(s: number, value: unknown, l: number, v: number, k0: number): void {
    const c = this.c
    for (let k = k0; k < c.succStart[s + 1]!; k++) {
      const e = this.view.succEdge(k)
      if (!this.view.edgeActive(e)) continue
      this.setEdge(e, this.run.options.noCall ? undefined : value) // a structural run carries no values on edges
      const w = c.edgeTo[e]!
      const wv = v + c.edgeLen[e]!
      this.#meet(w, l, wv, true)
      if (c.kind[w] === DISPATCHER) {
        this.#feed(s, e, w, l, wv)
        const held = this.run.held
        if (held !== undefined) {
          held.rest.push(() => this.#feedWildcard(s, value, l, v, k + 1))
          return
        }
        continue
      }
      if (this.#waiting(w)) continue
      this.seenOn[w] = 1
      if (this.inDist[w] === 0) {
        this.seenL[w] = l
        this.seenV[w] = wv
      }
      this.run.push(this, w, l, wv, FLAG_WAITS)
    }
  }

  // ---- the visit ------------------------------------------------------------------------------------------------

  /** Visits a node: computes it and sees its successors. Returns false when every target is reached. */
  visit(s: number, l: number, v: number): boolean {
    // beginVisit, compute, endVisit, written out: the synchronous loop's hottest path stays one frame.
    this.inDist[s] = 1
    this.distL[s] = l
    this.distV[s] = v
    this.distOrder.push(s)
    this.visited[s] = 1
    const c = this.c
    const kind = c.kind[s]
    const ok = kind === DATA ? this.#computeData(s) : kind === FUNCTION ? this.#computeFunction(s) : false
    if (!ok) return true
    if (this.targets !== null && this.targets.delete(s) && this.targets.size === 0) return false
    const edgeOn = this.edgeOn
    const so = this.view.succOrder // successors in the order of the pruned graph (schedula's), when it differs
    for (let k = c.succStart[s]!; k < c.succStart[s + 1]!; k++) {
      const e = so === null ? k : so[k]!
      if (edgeOn[e] !== ON || !this.view.edgeActive(e)) continue
      const w = c.edgeTo[e]!
      const wv = v + c.edgeLen[e]!
      if (c.kind[w] === DISPATCHER) this.#feed(s, e, w, l, wv)
      else this.see(w, l, wv, FLAG_PLAIN)
    }
    return true
  }

  /** First part of every visit: the node's distance becomes final. */
  beginVisit(s: number, l: number, v: number): void {
    this.inDist[s] = 1
    this.distL[s] = l
    this.distV[s] = v
    this.distOrder.push(s)
    this.visited[s] = 1
  }

  /**
   * Last part of a visit, once the node was computed (`ok`: it produced its value or outputs): marks a target
   * reached and sees its successors. Returns false when every target is reached.
   */
  endVisit(s: number, v: number, ok: boolean): boolean {
    if (!ok) return true
    const c = this.c
    const l = this.distL[s]!
    if (this.targets !== null && this.targets.delete(s) && this.targets.size === 0) return false
    this.#seeFrom(s, l, v, c.succStart[s]!)
    return true
  }

  /**
   * Sees the successors of visited node `s` from its successor position `k0` on. Stops when a sub-dispatcher domain
   * answers with a promise (asynchronous runs): the rest resumes from here.
   */
  #seeFrom(s: number, l: number, v: number, k0: number): void {
    const c = this.c
    const edgeOn = this.edgeOn
    const so = this.view.succOrder // as in `visit`
    for (let k = k0; k < c.succStart[s + 1]!; k++) {
      const e = so === null ? k : so[k]!
      if (edgeOn[e] !== ON || !this.view.edgeActive(e)) continue
      const w = c.edgeTo[e]!
      const wv = v + c.edgeLen[e]!
      if (c.kind[w] !== DISPATCHER) {
        this.see(w, l, wv, FLAG_PLAIN)
        continue
      }
      this.#feed(s, e, w, l, wv)
      const held = this.run.held
      if (held !== undefined) {
        held.rest.push(() => this.#seeFrom(s, l, v, k + 1))
        return
      }
    }
  }

  /** Sees a node at a distance: pushes it when it is not waiting and the distance improves. */
  see(w: number, l: number, v: number, extraFlag: number): void {
    this.#meet(w, l, v, true)
    const waits = this.waits(w)
    if (waits && this.pending[w]! > 0) return
    if (this.inDist[w] === 1) {
      if (closer(l, v, this.distL[w]!, this.distV[w]!)) this.#contradiction(w)
      return
    }
    if (this.seenOn[w] === 0 || closer(l, v, this.seenL[w]!, this.seenV[w]!)) {
      this.seenOn[w] = 1
      this.seenL[w] = l
      this.seenV[w] = v
      this.run.push(this, w, l, v, extraFlag + (waits ? FLAG_WAITS : FLAG_PLAIN))
    }
  }

  #computeData(s: number): boolean {
    let value = this.dataInput(s)
    if (value === FAILED) return false
    if (!this.run.options.noCall) {
      const node = this.c.nodes[s] as DataNodeImpl
      value = this.#evaluate(s, node.fn, value, node.filters, 'data')
      if (value === FAILED) return false
      if (node.callback !== undefined) {
        try {
          node.callback(value)
        } catch (err) {
          this.fail(s, 'callback', err)
        }
      }
    }
    return this.commitData(s, value)
  }

  /**
   * First step of a data node: picks its producers (the closest one, or all when it waits) and returns what its
   * function receives (the estimations), or its value when it has no function; FAILED when it waits without a
   * function to combine the estimations. The function, filters and callback run next (the call step).
   */
  dataInput(s: number): unknown {
    const c = this.c
    const node = c.nodes[s] as DataNodeImpl
    const edgeOn = this.edgeOn
    const waits = this.waits(s)
    const hasStart = this.startOn[s] === 1
    let count = hasStart ? 1 : 0
    let best = -1
    let bestL = 0
    let bestV = 0
    const p0 = c.predStart[s]!
    const p1 = c.predStart[s + 1]!
    for (let p = p0; p < p1; p++) {
      const e = c.predEdge[p]!
      if (edgeOn[e] !== ON) continue
      count++
      const u = c.edgeFrom[e]!
      const el = this.distL[u]!
      const ev = this.distV[u]! + c.edgeLen[e]!
      if (best < 0 || closer(el, ev, bestL, bestV) || (el === bestL && ev === bestV && c.keyOf(u) < c.keyOf(c.edgeFrom[best]!))) {
        best = e
        bestL = el
        bestV = ev
      }
    }
    let single = true
    if (count > 1 && !waits) {
      // Keep the closest producer; an input or default is never preferred over a computed estimate.
      for (let p = p0; p < p1; p++) {
        const e = c.predEdge[p]!
        if (e !== best && edgeOn[e] === ON) edgeOn[e] = REMOVED
      }
    } else if (count > 1 || waits) {
      single = false
    }
    let value: unknown
    if (!this.run.options.noCall) {
      const plain = single && !waits && node.fn === undefined
      if (plain) {
        value = best >= 0 ? this.edgeVal[best] : this.startVal.get(s)
      } else {
        const est = Object.create(null) as Record<NodeId, unknown>
        if (hasStart && (best < 0 || !single)) est[START] = this.startVal.get(s)
        for (let p = p0; p < p1; p++) {
          const e = c.predEdge[p]!
          if (edgeOn[e] === ON && (!single || e === best)) est[c.nodes[c.edgeFrom[e]!]!.id] = this.edgeVal[e]
        }
        value = est
      }
      if (!plain && node.fn === undefined) {
        this.fail(
          s,
          'data',
          new TypeError(
            `data node ${formatId(node.id)} waits for inputs but has no function to combine them; add it with ` +
              '`fn` (for example `fn: (est) => Object.values(est)[0]`)',
          ),
        )
        return FAILED
      }
    }
    return value
  }

  /** Last step of a data node: stores its value and sets the edges to its successors. */
  commitData(s: number, value: unknown): boolean {
    const c = this.c
    if (this.run.options.noCall) this.#store(s, NONE)
    else if (value !== NONE) this.#store(s, value)
    // Propagate to successors, unless the first one was already visited (a wildcard input fed them already).
    let first = -1
    const e1 = c.succStart[s + 1]!
    for (let k = c.succStart[s]!; k < e1; k++) {
      const e = this.view.succEdge(k)
      if (!this.view.edgeActive(e)) continue
      const w = c.edgeTo[e]!
      if (c.kind[w] === DISPATCHER && this.#skipSubInput(s, w)) continue
      if (first < 0) {
        first = w
        if (this.visited[w] === 1) return true
      }
      this.setEdge(e, value)
    }
    return true
  }

  /** A sub-dispatcher that produced this node and already has the mapped input is not fed back. */
  #skipSubInput(s: number, w: number): boolean {
    const c = this.c
    for (let e = c.succStart[w]!; e < c.succStart[w + 1]!; e++) {
      if (c.edgeTo[e] !== s) continue
      if (this.edgeOn[e] !== ON) return false
      const child = this.children.get(w)
      const mapped = (c.nodes[w] as SubDispatcherNodeImpl).inputs.get(c.nodes[s]!.id)
      if (child === undefined || mapped === undefined || mapped.length !== 1) return false
      const cs = child.c.slotOf.get(mapped[0]!)
      return cs !== undefined && child.visited[cs] === 1
    }
    return false
  }

  /**
   * Visits a function node in three steps — {@link functionArgs} (is it needed, its arguments, its domain), the call
   * (`#evaluate`: function, filters, promise check), {@link commitFunction} (its outputs). The call is the only step
   * that runs user code the search would wait for: the seam for an asynchronous driver (see the header comment).
   */
  #computeFunction(s: number): boolean {
    const args = this.functionArgs(s)
    if (args === SKIP) return false
    if (args === NO_CALL) return true
    const node = this.c.nodes[s] as FunctionNodeImpl
    if (node.fn === undefined) {
      this.fail(s, 'function', noFunction(node.id))
      return false
    }
    const res = this.#evaluate(s, node.fn, node.context === true ? [...args, syncContext(this, s)] : args, node.filters, 'function')
    if (res === FAILED) return false
    return this.commitFunction(s, res)
  }

  /**
   * First step of a function node: `SKIP` when it is not needed (every output is already final; it leaves the
   * workflow) or its input domain says no; `NO_CALL` in structural runs (its outputs are set to placeholders);
   * otherwise its arguments (NONE values dropped). A domain that throws stops the dispatch.
   */
  functionArgs(s: number): unknown[] | typeof SKIP | typeof NO_CALL {
    const args = this.functionInputs(s)
    if (typeof args === 'symbol') return args
    const node = this.c.nodes[s] as FunctionNodeImpl
    if (node.inputDomain !== undefined && !this.run.options.noDomain) {
      const ok = callDomain(node.inputDomain, args)
      if (ok instanceof StepFailed) throw domainError(this.site(s), ok.cause)
      if (!this.commitDomain(s, ok)) return SKIP
    }
    return args
  }

  /** Records the answer of a function node's input domain; returns it. */
  commitDomain(s: number, ok: boolean): boolean {
    this.domains.set(s, ok)
    return ok
  }

  /**
   * `functionArgs` without the input domain: `SKIP` when the node is not needed, `NO_CALL` in structural runs,
   * otherwise its arguments. The asynchronous driver calls the domain itself (it may return a promise).
   */
  functionInputs(s: number): unknown[] | typeof SKIP | typeof NO_CALL {
    const need = this.functionNeeded(s)
    return need === true ? this.argsOf(s) : need
  }

  /**
   * Whether function node `s` is still needed: `SKIP` when every output is already final (it leaves the
   * workflow), `NO_CALL` in structural runs (its outputs get placeholders), otherwise true.
   */
  functionNeeded(s: number): true | typeof SKIP | typeof NO_CALL {
    const c = this.c
    let open = 0
    const e1 = c.succStart[s + 1]!
    for (let e = c.succStart[s]!; e < e1; e++) {
      if (this.#open(c.edgeTo[e]!)) open++
    }
    if (open === 0) {
      this.#checkReached(s)
      this.wfRemoved[s] = 1
      return SKIP
    }
    if (this.run.options.noCall) {
      // In the order of the function's outputs, as `commitFunction` sets them.
      for (let o = c.outStart[s]!; o < c.outStart[s + 1]!; o++) {
        const e = c.outEdge[o]!
        if (e >= 0 && this.#open(c.edgeTo[e]!)) this.setEdge(e, undefined)
      }
      return NO_CALL
    }
    return true
  }

  /** The arguments of function node `s` from its input edges (NONE values dropped); reads only. */
  argsOf(s: number): unknown[] {
    const c = this.c
    const a0 = c.argStart[s]!
    const a1 = c.argStart[s + 1]!
    let args: unknown[] = new Array(a1 - a0)
    let dropped = false
    for (let a = a0; a < a1; a++) {
      const e = c.argEdge[a]!
      const v = e >= 0 ? this.edgeVal[e] : undefined
      if (v === NONE) dropped = true
      args[a - a0] = v
    }
    if (dropped) args = args.filter((v) => v !== NONE)
    return args
  }

  /**
   * Last step of a function node: records its result and sets its output edges (a result with several outputs is
   * spread by the step rules; a wrong count or a throwing iterator is the node's failure). Returns whether the node
   * produced its outputs.
   */
  commitFunction(s: number, res: unknown): boolean {
    const c = this.c
    const node = c.nodes[s] as FunctionNodeImpl
    this.results[s] = res
    if (isSolution(res)) this.nodeSolutions.set(s, res)
    else if (node.fn !== undefined && WRAPPED_MODEL in node.fn) this.#keepWrapperSolution(s, node.fn)
    const o0 = c.outStart[s]!
    const o1 = c.outStart[s + 1]!
    if (o1 - o0 === 1) {
      const e = c.outEdge[o0]!
      if (e >= 0 && res !== NONE && this.#open(c.edgeTo[e]!)) this.setEdge(e, res)
      return true
    }
    const values = outputValues(this.site(s), node.outputs, res)
    if (values instanceof StepFailed) {
      this.fail(s, 'function', values.cause)
      return false
    }
    this.#checkReached(s)
    for (let o = o0; o < o1; o++) {
      const e = c.outEdge[o]!
      const v = values[o - o0]
      if (e >= 0 && v !== NONE && this.#open(c.edgeTo[e]!)) this.setEdge(e, v)
    }
    return true
  }

  /**
   * A function node must not reach an output that is already final at a shorter distance than that output got: only
   * negative weights (a negative-weight cycle, or a negative shortcut found too late) can make it, and the distances
   * would then contradict the values computed. schedula skips such outputs silently; this is its "contradictory
   * paths" error instead.
   */
  #checkReached(s: number): void {
    const c = this.c
    const l = this.distL[s]!
    const v = this.distV[s]!
    for (let e = c.succStart[s]!; e < c.succStart[s + 1]!; e++) {
      const w = c.edgeTo[e]!
      if (this.inDist[w] === 1 && this.view.edgeActive(e) && closer(l, v + c.edgeLen[e]!, this.distL[w]!, this.distV[w]!)) {
        this.#contradiction(w)
      }
    }
  }

  #contradiction(w: number): never {
    throw new DispatcherError(
      `contradictory paths: ${formatId(this.c.nodes[w]!.id)} was reached again at a shorter distance after it ` +
        'was computed. This happens only with negative weights; make every weight non-negative.',
      { nodeId: this.c.nodes[w]!.id, path: [...this.path, this.c.nodes[w]!.id] },
    )
  }

  /**
   * A model wrapper (SubDispatchFunction, SubDispatchPipe, DispatchPipe, …) records the solution of its last call on
   * its own `solution`: read right after the call, it is this call's (schedula's `node_solutions`).
   */
  #keepWrapperSolution(s: number, fn: object): void {
    try {
      const d = Object.getOwnPropertyDescriptor(fn, 'solution')
      const sol: unknown = d === undefined ? undefined : 'value' in d ? d.value : d.get?.call(fn)
      if (isSolution(sol)) this.nodeSolutions.set(s, sol)
    } catch {
      // A wrapper whose accessor throws simply keeps no solution.
    }
  }

  /** Where node `s` runs, for the step rules (made only when a rule needs it). */
  site(s: number): StepSite {
    const id = this.c.nodes[s]!.id
    return { id, path: [...this.path, id], raises: this.dsp.raises }
  }

  /** Whether slot `w` still waits for its value: not final yet, and inside the searched view. */
  #open(w: number): boolean {
    return this.inDist[w] === 0 && (this.explored === null || this.explored[w] === 1)
  }

  /** Calls `fn` (spreading `input` for functions) then the filters; records a failure and returns FAILED. */
  #evaluate(
    s: number,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    fn: ((...args: any[]) => unknown) | undefined,
    input: unknown,
    filters: readonly Filter[] | undefined,
    kind: FailureKind,
  ): unknown {
    const id = this.c.nodes[s]!.id
    if (fn === undefined && filters === undefined) return input
    this.run.checkStop(id)
    const t0 = clock.now()
    this.started[s] = clock.timeOrigin + t0
    let value: unknown
    try {
      value = fn === undefined ? input : kind === 'function' ? fn(...(input as unknown[])) : fn(input)
    } catch (err) {
      this.duration[s] = clock.now() - t0
      // A wrapped model that failed keeps its partial solution on the node (before `raises` may stop the dispatch).
      if (kind === 'function' && fn !== undefined && WRAPPED_MODEL in fn) this.#keepWrapperSolution(s, fn)
      this.fail(s, kind, err)
      return FAILED
    }
    if (filters !== undefined) {
      const chain: unknown[] = [value]
      this.filterChains.set(s, chain)
      for (const filter of filters) {
        this.run.checkStop(id)
        try {
          value = filter(value)
        } catch (err) {
          this.duration[s] = clock.now() - t0
          this.fail(s, 'filter', err)
          return FAILED
        }
        chain.push(value)
      }
    }
    this.duration[s] = clock.now() - t0
    if (isThenable(value)) {
      // Seam for the asynchronous executors: the synchronous search cannot wait (see the header comment).
      this.fail(s, kind, promiseFailure(id, value))
      return FAILED
    }
    return value
  }

  /** Records a failure by the dispatcher's `raises` policy (the step rules); throws when the policy says so. */
  fail(s: number, kind: FailureKind, err: unknown): void {
    recordFailure(this.site(s), kind, err, (failure) => this.errors.set(failure.nodeId, failure))
  }

  // ---- sub-dispatchers ------------------------------------------------------------------------------------------

  /**
   * Feeds a sub-dispatcher node `w` from parent data slot `s` through edge `e`, starting its child if needed. In an
   * asynchronous run, a domain that answers with a promise stops here: `run.held` says what to resume.
   */
  #feed(_s: number, e: number, w: number, l: number, v: number): void {
    const c = this.c
    const node = c.nodes[w] as SubDispatcherNodeImpl
    this.#meet(w, l, v, false)
    if (this.inDist[w] === 0 && node.inputDomain !== undefined) {
      let arrived = this.#arrivals.get(w)
      if (arrived === undefined) this.#arrivals.set(w, (arrived = new Set()))
      arrived.add(e)
    }
    if (this.#waiting(w)) return
    if (this.inDist[w] === 1) {
      this.#feedChild(w, [e], l, v)
      return
    }
    if (node.inputDomain === undefined || this.run.options.noCall) {
      this.#enter(w, [e], l, v)
      return
    }
    // The inputs in the order they arrived (as schedula's workflow predecessors), then any other active one.
    const order = new Set(this.#arrivals.get(w))
    for (let p = c.predStart[w]!; p < c.predStart[w + 1]!; p++) order.add(c.predEdge[p]!)
    const received = Object.create(null) as Record<NodeId, unknown>
    const all: number[] = []
    for (const pe of order) {
      if (this.edgeOn[pe] !== ON) continue
      all.push(pe)
      received[c.nodes[c.edgeFrom[pe]!]!.id] = this.edgeVal[pe]
    }
    let ok = false
    try {
      const answer: unknown = node.inputDomain(received)
      if (isThenable(answer)) {
        if (this.run.asyncDomains) {
          this.run.held = { level: this, slot: w, fed: all, l, v, answer, rest: [] }
          return
        }
        // It decides inside the propagation, which cannot wait: a promise would read as a yes.
        throw subDomainPromise(node.id, answer)
      }
      ok = Boolean(answer)
    } catch (err) {
      this.fail(w, 'sub-dispatcher domain', err)
    }
    if (ok) this.#enter(w, all, l, v)
  }

  /**
   * Goes on with a sub-dispatcher domain the propagation stopped on (`run.held`), given what it settled to: its
   * answer, or `StepFailed` when it rejected. As the synchronous `#feed` would have done with that answer.
   */
  resumeDomain(held: HeldDomain, answer: unknown): void {
    if (answer instanceof StepFailed) this.fail(held.slot, 'sub-dispatcher domain', answer.cause)
    else if (answer) this.#enter(held.slot, held.fed, held.l, held.v)
  }

  /** Starts the child level of sub-dispatcher `w` (its domain, if any, said yes) and feeds it from edges `fed`. */
  #enter(w: number, fed: readonly number[], l: number, v: number): void {
    const node = this.c.nodes[w] as SubDispatcherNodeImpl
    if (node.inputDomain !== undefined && !this.run.options.noCall) this.domains.set(w, true)
    this.#arrivals.delete(w)
    const excluded = new Set<NodeId>()
    for (const children of node.inputs.values()) if (children.length === 1) excluded.add(children[0]!)
    const child = new Level(this.run, this.view.child(w), this, w, this.waitOverride?.children.get(node.id))
    this.children.set(w, child)
    const targets = [...this.view.outMap(w).keys()]
    child.init(new Map(), new Map(), excluded, targets, [l, v])
    this.#wfAdd(w)
    this.inDist[w] = 1
    this.distL[w] = l
    this.distV[w] = v
    this.distOrder.push(w)
    this.#feedChild(w, fed, l, v)
  }

  /** Passes the values of parent edges `fed` to the mapped inputs of sub-dispatcher `w`'s child level. */
  #feedChild(w: number, fed: readonly number[], l: number, v: number): void {
    const c = this.c
    const node = c.nodes[w] as SubDispatcherNodeImpl
    const child = this.children.get(w)!
    for (const pe of fed) {
      const val = this.edgeVal[pe]
      const mapped = node.inputs.get(c.nodes[c.edgeFrom[pe]!]!.id)
      if (mapped === undefined) continue
      for (const id of mapped) child.addInitialValue(id, val, l, v, OWN_WAIT_FLAG)
    }
  }

  /** After a child data node is computed, sets the parent nodes it maps to (at the child's distance). */
  seeRemoteLink(s: number, l: number, v: number): void {
    const parent = this.parent
    if (parent === null || this.c.kind[s] !== DATA || !parent.initialized) return
    const id = this.c.nodes[s]!.id
    if (this.valOn[s] !== 1) return
    const w = this.parentSlot
    const targets = parent.view.outMap(w).get(id)
    if (targets === undefined) return
    const value = this.val[s]
    const pc = parent.c
    for (const pid of targets) {
      const ps = pc.slotOf.get(pid)
      if (ps === undefined || parent.visited[ps] === 1 || parent.#edgeOn(ps, w)) continue
      const out = parent.#edgeId(w, ps)
      if (out < 0) continue
      parent.setEdge(out, value)
      parent.see(ps, l, v, FLAG_REMOTE)
    }
  }

  #edgeId(from: number, to: number): number {
    const c = this.c
    for (let e = c.succStart[from]!; e < c.succStart[from + 1]!; e++) if (c.edgeTo[e] === to) return e
    return -1
  }

  #edgeOn(from: number, to: number): boolean {
    const e = this.#edgeId(from, to)
    return e >= 0 && this.edgeOn[e] === ON
  }

  /** Whether every parent-side output of this sub-dispatcher is already computed in the parent. */
  outputsReached(): boolean {
    const parent = this.parent!
    const pc = parent.c
    const w = this.parentSlot
    for (let e = pc.succStart[w]!; e < pc.succStart[w + 1]!; e++) {
      if (parent.view.edgeActive(e) && parent.inDist[pc.edgeTo[e]!] === 0) return false
    }
    return true
  }

  /** Closes this level and every level nested in it. */
  closeTree(): void {
    const stack: Level[] = [this]
    while (stack.length > 0) {
      const lv = stack.pop()!
      lv.closed = true
      for (const child of lv.children.values()) stack.push(child)
    }
  }

  /** Drops from the workflow the function and sub-dispatcher nodes that received inputs but never ran. */
  removeUnusedNodes(): void {
    const c = this.c
    for (const s of this.wfOrder) {
      if (this.visited[s] === 1 || c.kind[s] === DATA) continue
      if (c.kind[s] === DISPATCHER && this.#hasOutEdge(s)) {
        this.visited[s] = 1
        this.children.get(s)?.removeUnusedNodes()
        continue
      }
      this.wfRemoved[s] = 1
    }
  }

  #hasOutEdge(s: number): boolean {
    const c = this.c
    for (let e = c.succStart[s]!; e < c.succStart[s + 1]!; e++) if (this.edgeOn[e] === ON) return true
    return false
  }
}

/** A step failed (its failure is recorded). */
export const FAILED: unique symbol = Symbol('flowmark.failed')
/** `functionArgs`: the function node is not needed, or its domain rejected its arguments. */
export const SKIP: unique symbol = Symbol('flowmark.skip')
/** `functionArgs`: a structural (`noCall`) run; the outputs got placeholders. */
export const NO_CALL: unique symbol = Symbol('flowmark.noCall')
const NO_IDS: ReadonlySet<NodeId> = new Set()

/** The failure of a function node without a function. */
export function noFunction(id: NodeId): TypeError {
  return new TypeError(`function node ${formatId(id)} has no function; give it \`fn\`, or dispatch with \`noCall: true\``)
}

let idleSignal: AbortSignal | undefined

/**
 * The context argument of a function node that asks for it (`context: true`) in a synchronous dispatch: the
 * stopper's signal when it is an `AbortSignal`, else a signal that never aborts.
 */
function syncContext(level: Level, s: number): NodeContext {
  const stopper = level.run.options.stopper
  const signal = stopper instanceof AbortSignal ? stopper : (idleSignal ??= new AbortController().signal)
  const id = level.c.nodes[s]!.id
  return { signal, nodeId: id, path: [...level.path, id] }
}

/** Everything `dispatch` passes to the search. */
export interface SearchRequest {
  readonly view: View
  readonly inputs: ReadonlyMap<NodeId, unknown>
  readonly inputsDist: ReadonlyMap<NodeId, Distance>
  readonly outputs: readonly NodeId[] | undefined
  readonly options: RunOptions
}

/** Runs one dispatch and returns the root level. `onStart` receives the root before the loop (for partial states). */
export function search(req: SearchRequest, onStart?: (root: Level) => void): Level {
  const run = new Run(req.options, req.view.c.size)
  const root = new Level(run, req.view, null, -1, req.options.waitIn)
  run.root = root
  root.initialized = true
  try {
    onStart?.(root)
    root.init(req.inputs, req.inputsDist, NO_IDS, req.outputs, null)
    run.loop()
  } finally {
    run.release()
  }
  return root
}
