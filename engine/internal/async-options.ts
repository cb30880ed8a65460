// Options of the asynchronous dispatch and of asynchronous function nodes: their types and their checks.
import type { DispatchOptions } from '../dispatcher.ts'
import { ModelError } from '../errors.ts'
import type { AddFunctionOptions, Executor, HostAbortSignal } from '../model.ts'
import type { AsyncRunOptions, DispatchEvent } from './async-driver.ts'
import { describeValue } from './step-rules.ts'

/** Options of `Dispatcher.dispatchAsync`: every option of `dispatch`, and those of the asynchronous run. */
export interface DispatchAsyncOptions extends DispatchOptions {
  /**
   * Most function-node calls running at once: a positive integer, or `Infinity` (the default: no limit). The window
   * counts a function node's whole step (its input domain, the call, its filters). A data node's function, filters
   * and callback do not count: they run at the node's visit, which the search waits for, so they never run ahead.
   */
  concurrency?: number
  /**
   * Aborting it stops starting calls, aborts the running ones (through their context's signal) and rejects with
   * `DispatcherAbort`, the partial solution attached.
   */
  signal?: HostAbortSignal
  /** Milliseconds for the whole dispatch; then it rejects like an abort, with a `TimeoutError` as the cause. */
  timeout?: number
  /** Where function calls run: `'async'` (the default: in this thread) or an {@link Executor}. */
  executor?: 'async' | Executor
  /** Called for every event (start, finish, fail, skip, discard), in the order they happen. */
  onEvent?: (event: DispatchEvent) => void
}

function isExecutor(x: unknown): x is Executor {
  return typeof x === 'object' && x !== null && typeof (x as Executor).run === 'function'
}

/** Checks a timeout (milliseconds): a non-negative finite number. */
function checkTimeout(ms: unknown, where: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new ModelError(`${where}: a timeout is a number of milliseconds, finite and not negative; got ${describeValue(ms)}`)
  }
  return ms
}

/** Checks the options only `dispatchAsync` has and returns them in the driver's form. */
export function checkAsyncOptions(options: DispatchAsyncOptions, where: string): AsyncRunOptions {
  const { concurrency = Infinity, signal, timeout, executor, onEvent } = options
  if (typeof concurrency !== 'number' || !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new ModelError(
      `${where}: \`concurrency\` must be a whole number of calls, at least 1, or Infinity (no limit); got ${describeValue(concurrency)}`,
    )
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ModelError(
      `${where}: \`signal\` must be an AbortSignal (for example \`new AbortController().signal\` or ` +
        `\`AbortSignal.timeout(ms)\`); got ${describeValue(signal)}`,
    )
  }
  if (timeout !== undefined) checkTimeout(timeout, `${where}: \`timeout\``)
  if (executor !== undefined && executor !== 'async' && !isExecutor(executor)) {
    throw new ModelError(
      `${where}: \`executor\` must be 'async' or an object with a \`run(call, signal)\` method; got ${describeValue(executor)}`,
    )
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new ModelError(`${where}: \`onEvent\` must be a function; got ${describeValue(onEvent)}`)
  }
  return {
    concurrency,
    signal,
    timeout,
    onEvent,
    executor: executor === 'async' ? undefined : executor,
  }
}

/** Checks the asynchronous options of `addFunction` (`context`, `timeout`, `critical`, `executor`). */
export function checkAsyncNodeOptions(options: AddFunctionOptions, where: string): void {
  if (options.context !== undefined && typeof options.context !== 'boolean') {
    throw new ModelError(`${where}.context: must be true or false; got ${describeValue(options.context)}`)
  }
  if (options.critical !== undefined && typeof options.critical !== 'boolean') {
    throw new ModelError(`${where}.critical: must be true or false; got ${describeValue(options.critical)}`)
  }
  if (options.timeout !== undefined) checkTimeout(options.timeout, `${where}.timeout`)
  if (options.executor !== undefined && options.executor !== 'async' && !isExecutor(options.executor)) {
    throw new ModelError(
      `${where}.executor: must be 'async' or an object with a \`run(call, signal)\` method; got ${describeValue(options.executor)}`,
    )
  }
}
