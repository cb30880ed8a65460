// The rules of one step, shared by the search and the plan replay: domains, failure policy, promises, output spreading.
import { formatId, type NodeId } from '../constants.ts'
import { DispatcherAbort, DispatcherError, NodeError, describeCause, formatPath, type FailureKind, type NodePath } from '../errors.ts'
import type { RaisesPolicy } from '../model.ts'

/** Where a step runs: its node id, its path from the root model, and its dispatcher's `raises` policy. */
export interface StepSite {
  /** The node id in its own model. */
  readonly id: NodeId
  /** The path of the node from the root model (`[...parents, id]`). */
  readonly path: NodePath
  /** The `raises` policy of the node's dispatcher. */
  readonly raises: RaisesPolicy
}

/** A step that failed with `cause` (only made on failure, so the happy path allocates nothing). */
export class StepFailed {
  /** What the step threw, or the error describing a bad result. */
  readonly cause: unknown
  constructor(cause: unknown) {
    this.cause = cause
  }
}

/** ` (at S/f)` for a nested node, else nothing. */
function at(path: NodePath): string {
  return path.length > 1 ? ` (at ${formatPath(path)})` : ''
}

/** The cause `callDomain` gives for a domain that answered with a promise (`domainError` words its own message). */
const ASYNC_DOMAIN = new TypeError('the input domain returned a promise in a synchronous dispatch')

/**
 * Calls a function node's input domain with its arguments, synchronously: its answer, or `StepFailed` when it threw
 * or answered with a promise (which would otherwise read as a yes). A domain that throws stops the dispatch with
 * {@link domainError} (a domain must answer true or false; a throwing one is a bug in the model, not a failure of the
 * node). The asynchronous driver calls domains itself and awaits their promises.
 */
export function callDomain(domain: (...args: never[]) => unknown, args: readonly unknown[]): boolean | StepFailed {
  let answer: unknown
  try {
    answer = (domain as (...a: unknown[]) => unknown)(...args)
  } catch (err) {
    return new StepFailed(err)
  }
  if (!isThenable(answer)) return Boolean(answer)
  answer.then(undefined, () => undefined) // it cannot be awaited here: its rejection must not go unhandled
  return new StepFailed(ASYNC_DOMAIN)
}

/** Whether `callDomain` failed because the domain answered with a promise (a replay breaks there instead). */
export function isAsyncDomain(failed: StepFailed): boolean {
  return failed.cause === ASYNC_DOMAIN
}

/** The error that stops a dispatch whose function-node domain threw `cause`. */
export function domainError(site: StepSite, cause: unknown): DispatcherError {
  if (cause === ASYNC_DOMAIN) {
    return new DispatcherError(
      `input domain of ${formatId(site.id)}${at(site.path)} returned a promise, but this dispatch is synchronous and ` +
        'cannot wait for it; use `dispatchAsync`, or make the domain answer true or false at once.',
      { nodeId: site.id, path: site.path },
    )
  }
  return new DispatcherError(
    `input domain of ${formatId(site.id)}${at(site.path)} threw: ${describeCause(cause)}. A domain must ` +
      'return true or false; guard the check inside the domain.',
    { nodeId: site.id, path: site.path, cause },
  )
}

/**
 * Applies the failure policy to a step that failed: returns the `NodeError` to record (after handing it to
 * `record`), or throws when the dispatcher raises. An abort always propagates; a `DispatcherError` propagates as is
 * when the policy raises.
 */
export function recordFailure(site: StepSite, kind: FailureKind, err: unknown, record?: (failure: NodeError) => void): NodeError {
  if (err instanceof DispatcherAbort) throw err
  const policy = site.raises
  const raise = typeof policy === 'function' ? Boolean(policy(err, site.id)) : policy
  if (raise && err instanceof DispatcherError) throw err
  const failure = new NodeError(site.id, site.path, kind, err)
  record?.(failure)
  if (raise) {
    throw new DispatcherError(
      `dispatch stopped: ${failure.message}. The dispatcher raises on failures; pass \`raises: false\` to record ` +
        'failures and try alternative paths instead.',
      { nodeId: site.id, path: site.path, cause: err },
    )
  }
  return failure
}

/**
 * The failure of a sub-dispatcher whose input domain answered with a promise where nothing can wait for it (the
 * synchronous search and plan replays); the promise's rejection, if any, is observed.
 */
export function subDomainPromise(id: NodeId, answer: PromiseLike<unknown>): TypeError {
  answer.then(undefined, () => undefined)
  return new TypeError(
    `the inputDomain of sub-dispatcher ${formatId(id)} returned a promise, but this dispatch is synchronous and ` +
      'cannot wait for it; use `dispatchAsync`, or make the domain answer true or false at once',
  )
}

/** Whether a step's result is a promise (or any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
}

/**
 * The failure of a synchronous step that returned a promise. The synchronous search cannot wait, and must not pass a
 * promise on; its rejection, if any, is reported through this failure, so it is kept from surfacing as an unhandled
 * rejection. (An asynchronous driver awaits the promise instead of calling this.)
 */
export function promiseFailure(id: NodeId, value: PromiseLike<unknown>): TypeError {
  value.then(undefined, () => undefined)
  return new TypeError(
    `${formatId(id)} returned a promise, but this dispatch is synchronous and cannot wait for it; use ` +
      '`dispatchAsync`, make the function synchronous, or wrap the promise in an object if it is meant to be a value',
  )
}

/**
 * The values of a function node with several outputs, one per output, from its result. A result that is not iterable
 * stops the dispatch (`DispatcherError`: the function breaks its declared contract). An iterator that throws, or a
 * count of values different from the number of outputs, is the node's failure (`StepFailed`), recorded by the
 * caller like any other. Arrays are read by index; other iterables are read up to one value past the outputs.
 */
export function outputValues(site: StepSite, outputs: readonly NodeId[], result: unknown): readonly unknown[] | StepFailed {
  const n = outputs.length
  let values: readonly unknown[]
  if (Array.isArray(result)) {
    values = result
  } else {
    if (result === null || result === undefined || typeof (result as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new DispatcherError(
        `function ${formatId(site.id)}${at(site.path)} declares ${n} outputs [${outputs.map(formatId).join(', ')}] ` +
          `but returned ${describeValue(result)}, which is not iterable. Return an array with one value per output ` +
          '(NONE leaves an output unset).',
        { nodeId: site.id, path: site.path },
      )
    }
    const read: unknown[] = []
    try {
      for (const v of result as Iterable<unknown>) {
        read.push(v)
        if (read.length > n) break
      }
    } catch (err) {
      return new StepFailed(err)
    }
    values = read
  }
  if (values.length === n) return values
  const more = !Array.isArray(result) && values.length > n
  return new StepFailed(
    new TypeError(
      `function ${formatId(site.id)} declares ${n} outputs [${outputs.map(formatId).join(', ')}] but returned ` +
        `${more ? `more than ${n}` : values.length} value${values.length === 1 ? '' : 's'}; return exactly one value ` +
        'per output (NONE leaves an output unset)',
    ),
  )
}

/** A short description of a value for messages (safe for objects without a prototype). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'object' && v !== null) return `an object (${Object.prototype.toString.call(v)})`
  return String(v)
}
