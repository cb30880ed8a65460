// The worker thread's side of flowmark/workers: imports the referenced function, calls it, sends the outcome back.
import * as worker from 'node:worker_threads'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import type { AnyFunction, NodeContext } from '../model.ts'
import { importRef } from '../ref.ts'

/** One call sent to a worker: the function's reference (an absolute specifier), its arguments, its node. */
export interface WorkerTask {
  /** `specifier#export`, the specifier a URL or a package name (resolved by the main thread). */
  readonly ref: string
  /** The arguments, in the node's input order (structured-cloned into the worker). */
  readonly args: readonly unknown[]
  /** The node's id and its path, as text (for a context argument and error messages). */
  readonly nodeId: string
  readonly path: readonly string[]
  /** Whether the function takes a context as its last argument. */
  readonly context: boolean
  /** Whether `ArrayBuffer`s in the result move back instead of being copied. */
  readonly transfer: boolean
}

/** What a worker sends back: the result or the error, the thread that ran the call, and when it ran. */
export interface WorkerReply {
  readonly threadId: number
  readonly ok: boolean
  readonly value: unknown
  /** When the function started (epoch milliseconds) and how long it ran. */
  readonly started: number
  readonly duration: number
}

const functions = new Map<string, Promise<AnyFunction>>()

/** The function a reference names, imported once per worker (a failed import is tried again on the next call). */
function load(task: WorkerTask): Promise<AnyFunction> {
  let fn = functions.get(task.ref)
  if (fn === undefined) {
    fn = importRef(task.ref, { nodeId: task.nodeId })
    functions.set(task.ref, fn)
    fn.catch(() => functions.delete(task.ref))
  }
  return fn
}

const untransferable = (worker as { isMarkedAsUntransferable?: (x: object) => boolean }).isMarkedAsUntransferable

/** Whether an `ArrayBuffer` may move to the main thread (Node's pooled `Buffer` memory may not). */
function movable(buffer: ArrayBuffer, view: ArrayBufferView | undefined): boolean {
  if (buffer.byteLength === 0 || (buffer as { detached?: boolean }).detached === true) return false
  if (untransferable !== undefined) return !untransferable(buffer)
  // Node 20 cannot tell: move only buffers that a view covers whole (a pooled Buffer never does).
  return view === undefined || (view.byteOffset === 0 && view.byteLength === buffer.byteLength)
}

/** The `ArrayBuffer`s inside a result (typed arrays, DataViews, in arrays, plain objects, Maps and Sets). */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>()
  const seen = new Set<object>()
  const visit = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 32) return
    seen.add(v)
    if (v instanceof ArrayBuffer) {
      if (movable(v, undefined)) found.add(v)
    } else if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && movable(v.buffer, v)) found.add(v.buffer)
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1)
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k, depth + 1)
        visit(x, depth + 1)
      }
    } else if (v instanceof Set) {
      for (const x of v) visit(x, depth + 1)
    } else {
      const proto = Object.getPrototypeOf(v) as unknown
      if (proto === Object.prototype || proto === null) for (const x of Object.values(v)) visit(x, depth + 1)
    }
  }
  visit(value, 0)
  return [...found]
}

/** An error that can cross to the main thread: the thrown value when it clones, else an `Error` describing it. */
function sendable(err: unknown): unknown {
  try {
    structuredClone(err)
    return err
  } catch {
    return new Error(err instanceof Error ? `${err.name}: ${err.message}` : String(err))
  }
}

/** Runs one call in this worker (piscina calls it for every task). */
export default async function runTask(task: WorkerTask): Promise<unknown> {
  let value: unknown
  const t0 = performance.now()
  const started = performance.timeOrigin + t0
  try {
    const fn = await load(task)
    const args = task.context
      ? [...task.args, { signal: new AbortController().signal, nodeId: task.nodeId, path: task.path } satisfies NodeContext]
      : task.args
    value = await fn(...args)
  } catch (err) {
    const duration = performance.now() - t0
    return { threadId: worker.threadId, ok: false, value: sendable(err), started, duration } satisfies WorkerReply
  }
  const reply: WorkerReply = { threadId: worker.threadId, ok: true, value, started, duration: performance.now() - t0 }
  const buffers = task.transfer ? transferables(value) : []
  if (buffers.length === 0) return reply
  return move({ [transferableSymbol]: buffers, [valueSymbol]: reply })
}
