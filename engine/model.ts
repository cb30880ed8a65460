// Public shapes of a model: node kinds, the options that build them, and the callbacks they hold.
import type { NodeId } from './constants.ts'
import type { Distance } from './distance.ts'
import type { Dispatcher } from './dispatcher.ts'
import type { FunctionRef } from './ref.ts'

/** Any function a function node may call. Its positional arguments follow the node's `inputs`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown

/**
 * The values that reached a data node, by producer id (`START` for an input or a default).
 * It is what a data node's `fn` receives (a null-prototype object; symbol keys for the special producers).
 */
export type Estimations = Readonly<Record<NodeId, unknown>>

/** Combines the estimations of a data node into its value. */
export type DataFunction = (estimations: Estimations) => unknown

/** Transforms a value after it is computed; filters run in order, each on the previous result. */
export type Filter = (value: unknown) => unknown

/** Decides whether a function accepts its arguments (same positional arguments as the function). */
export type InputDomain = (...args: any[]) => unknown // eslint-disable-line @typescript-eslint/no-explicit-any

/** Decides whether a sub-dispatcher accepts the parent inputs it received so far (by parent id). */
export type SubDispatcherDomain = (inputs: Readonly<Record<NodeId, unknown>>) => unknown

/** The three kinds of node. */
export type NodeKind = 'data' | 'function' | 'dispatcher'

/** What every node has. */
export interface NodeCommon {
  /** The node id, unique in its dispatcher. */
  readonly id: NodeId
  /** Creation counter; the last tie-breaker of the search. */
  readonly index: number
  /** Free text shown in plots and API pages. */
  readonly description: string | undefined
  /** Extra attributes given when the node was added (for plots and tools; ignored by the search). */
  readonly attributes: Readonly<Record<string, unknown>>
}

/** A data node: holds a value of the solution. */
export interface DataNode extends NodeCommon {
  readonly kind: 'data'
  /** Wait for every producer before computing the value (then `fn` combines them). */
  readonly waitInputs: boolean
  /** Combines the estimations into the value (required when `waitInputs`). */
  readonly fn: DataFunction | undefined
  /** Called with the final value; its errors are recorded but do not fail the node. */
  readonly callback: ((value: unknown) => unknown) | undefined
  /** Applied in order to the value. */
  readonly filters: readonly Filter[] | undefined
  /** `false` opts this node out of `dispatch(…, { wildcard })`. */
  readonly wildcard: boolean | undefined
  /** Added to the length of every edge entering this node. */
  readonly weight: number | undefined
}

/** A function node: calls `fn` with the values of `inputs` and sets `outputs` from its result. */
export interface FunctionNode extends NodeCommon {
  readonly kind: 'function'
  /** Data node ids, in argument order. */
  readonly inputs: readonly NodeId[]
  /** Data node ids set from the result (an iterable result is spread over several outputs). */
  readonly outputs: readonly NodeId[]
  /** The function; a node without one can be dispatched only with `noCall`. */
  readonly fn: AnyFunction | undefined
  /** Skips the function (silently) when it returns a falsy value for the arguments. */
  readonly inputDomain: InputDomain | undefined
  /** Added to the length of every edge entering the node. */
  readonly weight: number | undefined
  /** Applied in order to the result. */
  readonly filters: readonly Filter[] | undefined
  /** Whether `fn` gets a {@link NodeContext} as its last argument. */
  readonly context: boolean | undefined
  /** `dispatchAsync`: milliseconds the call may take (an overrun is the node's failure). */
  readonly timeout: number | undefined
  /** `dispatchAsync`: a failure aborts the dispatch. */
  readonly critical: boolean | undefined
  /** `dispatchAsync`: where the call runs. */
  readonly executor: Executor | undefined
}

/** A sub-dispatcher node: runs a child dispatcher inside the parent's search. */
export interface SubDispatcherNode extends NodeCommon {
  readonly kind: 'dispatcher'
  /** The child model. */
  readonly dispatcher: Dispatcher
  /** Parent data id → the child data ids it feeds. */
  readonly inputs: ReadonlyMap<NodeId, readonly NodeId[]>
  /** Child data id → the parent data ids it sets. */
  readonly outputs: ReadonlyMap<NodeId, readonly NodeId[]>
  /** Decides whether to start the child with the parent inputs received so far. */
  readonly inputDomain: SubDispatcherDomain | undefined
  /** Added to the length of every edge entering the node. */
  readonly weight: number | undefined
}

/** Any node. */
export type ModelNode = DataNode | FunctionNode | SubDispatcherNode

/**
 * What `getNode` returns for the node at the end of its path (schedula's `node_attr`):
 * - `'node'`: the node record (`Dispatcher.getNode`'s default);
 * - `'output'`: a data node's value, or the solution of a sub-dispatcher or model-wrapping function node, from the
 *   solution the path walks (`Solution.getNode`'s default); undefined when not computed;
 * - `'auto'`: a function node's function, a sub-dispatcher node's dispatcher, a data node's value when computed
 *   (else its record);
 * - `'description'`, `'defaultValue'` (the `{ value, initialDist }` record): the node's;
 * - `'dispatcher'`, `'solution'`: the model, and the solution, of the level that holds the node.
 */
export type NodeAttr = 'node' | 'output' | 'auto' | 'description' | 'defaultValue' | 'dispatcher' | 'solution'

/** Options of `getNode` (the last argument, after the path). */
export interface GetNodeOptions {
  /** What to return (default `'node'` for `Dispatcher.getNode`, `'output'` for `Solution.getNode`). */
  nodeAttr?: NodeAttr
  /**
   * The solution the path walks for `'output'`, `'auto'` and `'solution'` (default: the dispatcher's last one). Each
   * step into a sub-dispatcher takes its sub-solution; each step into a model-wrapping function node takes the
   * solution kept on its workflow node.
   */
  solution?: unknown
}

/** A model edge: `weight` replaces the default length 1 when set. */
export interface ModelEdge {
  readonly from: NodeId
  readonly to: NodeId
  readonly weight: number | undefined
}

/** A default value of a data node and the distance it starts at. */
export interface DefaultValue {
  readonly value: unknown
  readonly initialDist: Distance
}

/** Options of `Dispatcher.addData`. */
export interface AddDataOptions {
  /** Node id; defaults to `'unknown'`, made unique as `unknown<0>`, `unknown<1>`, … */
  id?: NodeId
  /** Default value, used when the dispatch gets no input for this node. `EMPTY` removes it. */
  defaultValue?: unknown
  /** Distance the default starts at (default 0). */
  initialDist?: Distance
  /** Wait for every producer, then combine their values with `fn`. */
  waitInputs?: boolean
  /** `false` opts out of wildcard dispatches. */
  wildcard?: boolean
  /** Combines the estimations into the value. */
  fn?: DataFunction
  /** Called with the final value. */
  callback?: (value: unknown) => unknown
  /** Applied in order to the value. */
  filters?: readonly Filter[]
  /** Free text for plots and API pages. */
  description?: string
  /** Added to the length of every edge entering this node. */
  weight?: number
  /** Extra attributes kept on the node. */
  attributes?: Record<string, unknown>
}

/** Per-edge weights, by data node id. */
export type WeightMap = Readonly<Record<string, number>> | ReadonlyMap<NodeId, number>

/** Options of `Dispatcher.addFunction`. */
export interface AddFunctionOptions {
  /** Node id; defaults to the function's name (`'unknown'` for anonymous functions), made unique. */
  id?: NodeId
  /** The function to call. */
  fn?: AnyFunction
  /**
   * Where the function lives, `module#export` (see `flowmark/portable`): recorded for `toJSON` and executors when
   * `fn` is given too; without `fn`, the node calls the referenced function once `resolveRefs` has imported it.
   */
  ref?: string | FunctionRef
  /** Input data ids in argument order. Omitted: `[START]` (the function runs with no argument). */
  inputs?: readonly NodeId[]
  /** Output data ids. Omitted: `[SINK]`. */
  outputs?: readonly NodeId[]
  /** Skips the function when it returns a falsy value for the arguments. */
  inputDomain?: InputDomain
  /** Node weight: added to the length of each input edge. */
  weight?: number
  /** Replaces the length 1 of some input edges, by input id. */
  inpWeight?: WeightMap
  /** Replaces the length 1 of some output edges, by output id. */
  outWeight?: WeightMap
  /** Applied in order to the result. */
  filters?: readonly Filter[]
  /** Free text for plots and API pages. */
  description?: string
  /** Extra attributes kept on the node. */
  attributes?: Record<string, unknown>
  /**
   * Append a {@link NodeContext} (`signal`, `nodeId`, `path`) as the last argument of `fn`. Functions without it
   * get exactly their inputs. The signal aborts when the dispatch is aborted, times out, or no longer needs the call.
   */
  context?: boolean
  /** `dispatchAsync` only: milliseconds the call may take; an overrun is the node's failure (the next path is taken). */
  timeout?: number
  /** `dispatchAsync` only: a failure of this node aborts the dispatch instead of opening another path. */
  critical?: boolean
  /**
   * `dispatchAsync` only: where the call runs (overrides the dispatch's `executor`): `'async'` (in this thread, the
   * form a portable model can store) or an {@link Executor}.
   */
  executor?: 'async' | Executor
}

/** What a function node with `context: true` receives as its last argument. */
export interface NodeContext {
  /** Aborts when the dispatch is aborted or timed out, or when the call is no longer needed. */
  readonly signal: HostAbortSignal
  /** The node's id in its own model. */
  readonly nodeId: NodeId
  /** The node's path from the root model (`[...sub-dispatcher ids, nodeId]`). */
  readonly path: readonly NodeId[]
}

/** One call handed to an {@link Executor}: the function, its arguments (context included when asked for), the node. */
export interface ExecutorCall {
  readonly fn: AnyFunction
  readonly args: readonly unknown[]
  readonly nodeId: NodeId
  readonly path: readonly NodeId[]
  /** The node's {@link NodeContext} when it asked for one (`context: true`); it is also the last of `args`. */
  readonly context?: NodeContext
  /**
   * Tells the dispatch where and when the call ran (see {@link ExecutorReport}): recorded in the solution's `pipe`
   * and `workflow`, and drawn by `solution.timeline()`. Executors that run calls in this thread need not call it.
   */
  readonly report?: (ran: ExecutorReport) => void
}

/** Where and when an executor ran a call (what `ExecutorCall.report` takes); every field is optional. */
export interface ExecutorReport {
  /** The thread that ran it (a worker's `threadId`): the timeline draws one lane per thread. */
  readonly thread?: number
  /** When the function started, epoch milliseconds (without it: when the dispatch handed the call over). */
  readonly started?: number
  /** How long the function ran, in milliseconds (time waiting in the executor's queue left out). */
  readonly duration?: number
}

/** A function node an {@link Executor} may be asked to run, with its path from the dispatched model. */
export interface ExecutorNode {
  readonly node: FunctionNode
  readonly path: readonly NodeId[]
}

/**
 * Runs the function calls of `dispatchAsync`. The default runs them in this thread (`fn(...args)`, awaited); other
 * executors (worker threads, remote queues) implement the same method. `signal` aborts when the call is no longer
 * wanted; the executor should then settle soon (its result is discarded either way).
 */
export interface Executor {
  run(call: ExecutorCall, signal: HostAbortSignal): Promise<unknown>
  /** Recorded as the executor of the calls it ran (`pipe`, `workflow`, timeline lanes); default `'custom'`. */
  readonly name?: string
  /**
   * Called by `dispatchAsync` before anything runs, with every function node of the model (sub-dispatchers
   * included) this executor may be asked to run; a rejection (e.g. a `ModelError` naming a node it cannot run)
   * fails the dispatch before any call starts.
   */
  prepare?(nodes: readonly ExecutorNode[]): void | Promise<void>
}

/** Options of `Dispatcher.addFunc`: `addFunction` options, with inputs inferred from the parameters. */
export interface AddFuncOptions extends Omit<AddFunctionOptions, 'fn'> {
  /** Also take parameters that have a default value as inputs (default: stop at the first one). */
  inputsKwargs?: boolean
  /**
   * Defaults of the input data nodes (schedula's `inputs_defaults`). `true`: a parameter's default, written as a
   * literal (number, string, boolean, null, JSON array/object), becomes the default of the input at its position;
   * an object: input id → default value, for defaults that are not literals.
   */
  inputsDefaults?: boolean | Readonly<Record<string, unknown>>
}

/**
 * A mapping between parent and child ids: a list of ids mapped to themselves, or an object/Map of id → id(s). A Map
 * key may be a list of ids (schedula's tuple key): each of them maps to the value, so `new Map([[['a', 'b'], 'c']])`
 * in `inputs` feeds the child's `c` from the parent's `a` or `b`, and in `outputs` sets the parent's `c` from the
 * child's `a` or `b` (whichever is computed first).
 */
export type IdMapping =
  | readonly NodeId[]
  | Readonly<Record<string, NodeId | readonly NodeId[]>>
  | ReadonlyMap<NodeId | readonly NodeId[], NodeId | readonly NodeId[]>

/** Options of `Dispatcher.addDispatcher`. */
export interface AddDispatcherOptions {
  /** The child model. */
  dispatcher: Dispatcher
  /** Node id; defaults to the child's name, made unique. */
  id?: NodeId
  /** Parent id → child id(s). Omitted: every child data node (but the special ones), mapped to itself. */
  inputs?: IdMapping
  /** Child id → parent id(s). Omitted: every child data node (but the special ones), mapped to itself. */
  outputs?: IdMapping
  /**
   * Decides whether to start the child with the parent inputs received so far; asked again as more arrive. Under
   * `dispatchAsync` it may return a promise (the search waits for it); `dispatch` records a promise as a failure.
   */
  inputDomain?: SubDispatcherDomain
  /** Node weight. */
  weight?: number
  /** Replaces the length 0 of some input edges, by parent input id. */
  inpWeight?: WeightMap
  /** Free text for plots and API pages. */
  description?: string
  /** Move the child's defaults of mapped inputs to the parent (the child given is copied, not mutated). */
  includeDefaults?: boolean
  /** Prefix prepended to the parent-side input ids. */
  inputsPrefix?: string
  /** Prefix prepended to the parent-side output ids. */
  outputsPrefix?: string
  /** Extra attributes kept on the node. */
  attributes?: Record<string, unknown>
}

/**
 * The part of an `AbortSignal` that a dispatch reads. Declared here so that the engine's types compile without DOM or
 * Node types; any `AbortSignal` fits.
 */
export interface AbortSignalLike {
  /** Whether the dispatch must stop. */
  readonly aborted: boolean
  /** Why it stopped (passed on to the `DispatcherAbort`). */
  readonly reason?: unknown
}

/**
 * The host's `AbortSignal` type where the project has one (the DOM library or Node's types declare it), else
 * {@link AbortSignalLike}: the engine's declarations compile in a project with neither, and stay precise in one with
 * either (a node's `context.signal` can be handed to `fetch`).
 */
export type HostAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : AbortSignalLike

/** Something that tells a dispatch to stop: an `AbortSignal` (see {@link AbortSignalLike}), or an object with `isSet()` (an event). */
export type Stopper = AbortSignalLike | { isSet(): boolean }

/** How a dispatcher handles a failing node. */
export type RaisesPolicy = boolean | ((error: unknown, nodeId: NodeId) => boolean)

/** Options of the `Dispatcher` constructor. */
export interface DispatcherOptions {
  /** Name, used as the default node id when added as a sub-dispatcher, and in plots. */
  name?: string
  /** Free text for plots and API pages. */
  description?: string
  /**
   * Failure policy: `false` (default) records failures in `solution.errors` and looks for another path;
   * `true` stops the dispatch with a `DispatcherError`; a function decides per error.
   */
  raises?: RaisesPolicy
  /** Default stopper of every dispatch. */
  stopper?: Stopper
  /** Default executor name (used by later executors; the synchronous search ignores it). */
  executor?: string
}
