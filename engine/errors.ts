// The engine's typed errors: what went wrong, at which node, and how to fix the call.
import { formatId, type NodeId } from './constants.ts'
import type { Solution } from './solution.ts'

/**
 * Base class of every error Flowmark throws on purpose. Catch this to catch them all.
 * Each subclass names itself with a literal `name` (set once on its prototype with {@link nameError}), so names
 * survive minifiers that rename classes; a subclass that does not is still a `FlowmarkError` by name.
 */
export class FlowmarkError extends Error {
  declare readonly name: string
  static {
    nameError(this, 'FlowmarkError')
  }
}

/**
 * Gives an error class its literal `name` on the prototype (not enumerable, like `Error.prototype.name`).
 * Call it from the class's static block: `static { nameError(this, 'MyError') }`.
 */
export function nameError(cls: abstract new (...args: never[]) => Error, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, enumerable: false, configurable: true })
}

/**
 * A mistake in building or editing a model: an unknown node, a node of the wrong kind, an invalid option.
 * `nodeId` names the node concerned, when there is one.
 */
export class ModelError extends FlowmarkError {
  declare readonly name: 'ModelError'
  static {
    nameError(this, 'ModelError')
  }
  /** The node the mistake is about, if any. */
  declare readonly nodeId: NodeId | undefined

  constructor(message: string, options: { nodeId?: NodeId; cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    setField(this, 'nodeId', options.nodeId, options.nodeId !== undefined)
  }
}

/** Where in a (possibly nested) dispatch something happened: the node ids from the root dispatcher down. */
export type NodePath = readonly NodeId[]

/** Formats a node path as `S/a` (sub-dispatcher `S`, node `a`). */
export function formatPath(path: NodePath): string {
  return path.map((id) => (typeof id === 'string' ? id : formatId(id))).join('/')
}

/** What kind of step failed at a node. */
export type FailureKind = 'function' | 'data' | 'filter' | 'callback' | 'sub-dispatcher domain'

/**
 * A failure recorded at one node during a dispatch: a function, a data-node function or a filter threw,
 * or a sub-dispatcher's domain threw. The original error is `cause`.
 * Unless the dispatcher `raises`, the node simply produces nothing and the search looks for another path.
 */
export class NodeError extends FlowmarkError {
  declare readonly name: 'NodeError'
  static {
    nameError(this, 'NodeError')
  }
  /** The node that failed (its id inside its own dispatcher). */
  readonly nodeId: NodeId
  /** Path of the node from the root dispatcher (`['S', 'g']` for node `g` of sub-dispatcher `S`). */
  readonly path: NodePath
  /** Which step failed. */
  readonly kind: FailureKind

  constructor(nodeId: NodeId, path: NodePath, kind: FailureKind, cause: unknown) {
    const what =
      kind === 'function'
        ? 'function'
        : kind === 'data'
          ? 'data-node function'
          : kind === 'filter'
            ? 'filter'
            : kind === 'callback'
              ? 'callback'
              : 'domain of sub-dispatcher'
    super(`${what} ${formatId(nodeId)} failed${path.length > 1 ? ` (at ${formatPath(path)})` : ''}: ${describeCause(cause)}`, { cause })
    this.nodeId = nodeId
    this.path = path
    this.kind = kind
  }
}

/**
 * An error that stops a dispatch: a failure under `raises: true`, an input domain that threw, a result that
 * does not fit the declared outputs, or contradictory (negative-weight) paths. `solution` holds the partial
 * state reached before the failure.
 */
export class DispatcherError extends FlowmarkError {
  declare readonly name: 'DispatcherError'
  static {
    nameError(this, 'DispatcherError')
  }
  /** The node where it happened, if any. */
  declare readonly nodeId: NodeId | undefined
  /** Path of that node from the root dispatcher. */
  declare readonly path: NodePath
  /** The solution as it was when the dispatch stopped (set by the engine; partial). Not enumerable. */
  declare solution: Solution | undefined

  constructor(message: string, options: { nodeId?: NodeId; path?: NodePath; cause?: unknown; solution?: Solution } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    setField(this, 'nodeId', options.nodeId, options.nodeId !== undefined)
    const path = options.path ?? (options.nodeId === undefined ? [] : [options.nodeId])
    setField(this, 'path', path, path.length > 0)
    setField(this, 'solution', options.solution, false, true)
  }
}

/** Thrown when a dispatch is stopped through its `stopper` (an `AbortSignal` or an object with `isSet()`). */
export class DispatcherAbort extends FlowmarkError {
  declare readonly name: 'DispatcherAbort'
  static {
    nameError(this, 'DispatcherAbort')
  }
  /** The node that was about to run when the stop was noticed. */
  declare readonly nodeId: NodeId | undefined
  /** The solution as it was when the dispatch stopped (partial). Not enumerable. */
  declare solution: Solution | undefined

  constructor(nodeId?: NodeId, reason?: unknown) {
    super(
      `dispatch aborted${nodeId === undefined ? '' : ` before running ${formatId(nodeId)}`}` +
        (reason === undefined ? '' : `: ${describeCause(reason)}`),
      reason === undefined ? undefined : { cause: reason },
    )
    setField(this, 'nodeId', nodeId, nodeId !== undefined)
    setField(this, 'solution', undefined, false, true)
  }
}

/**
 * A time limit ran out in `dispatchAsync`: the whole dispatch's `timeout` (then it is the `cause` of the
 * `DispatcherAbort`), or a function node's own `timeout` (then it is the node's failure, and the next path is taken).
 */
export class TimeoutError extends FlowmarkError {
  declare readonly name: 'TimeoutError'
  static {
    nameError(this, 'TimeoutError')
  }
  /** The limit, in milliseconds. */
  declare readonly ms: number
  /** The node that overran (undefined for the whole dispatch). */
  declare readonly nodeId: NodeId | undefined

  constructor(ms: number, nodeId?: NodeId) {
    super(
      nodeId === undefined
        ? `the dispatch took longer than its timeout of ${ms} ms; raise \`timeout\` or make the model faster`
        : `${formatId(nodeId)} took longer than its timeout of ${ms} ms; raise the node's \`timeout\` or make it faster`,
    )
    setField(this, 'ms', ms, true)
    setField(this, 'nodeId', nodeId, nodeId !== undefined)
  }
}

/** A short description of any thrown value: `TypeError: x is not a function`. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`
  if (typeof cause === 'string') return cause
  try {
    return String(cause)
  } catch {
    return Object.prototype.toString.call(cause)
  }
}

/** Suggests the closest of `candidates` to `wanted`, for "did you mean …?" hints. */
export function didYouMean(wanted: string, candidates: Iterable<NodeId>): string {
  let best: NodeId | undefined
  let bestScore = Infinity
  for (const c of candidates) {
    if (typeof c !== 'string') continue
    const score = editDistance(wanted, c)
    if (score < bestScore) {
      bestScore = score
      best = c
    }
  }
  return best !== undefined && bestScore <= Math.max(2, wanted.length / 3) ? ` Did you mean ${formatId(best)}?` : ''
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]!
}

/**
 * Defines an error field; undefined or bulky fields are not enumerable, so `util.inspect` (and the REPL) shows only
 * what helps: `{ nodeId: 'f' }`, never `{ nodeId: undefined }` or a whole solution.
 */
function setField(target: object, key: string, value: unknown, enumerable: boolean, writable = false): void {
  Object.defineProperty(target, key, { value, enumerable, writable, configurable: true })
}
