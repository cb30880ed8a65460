// flowmark/workers: an executor that runs function nodes on worker threads (a piscina pool), by function reference.
import { availableParallelism } from 'node:os'
import { formatId, idText, type NodeId } from '../constants.ts'
import { FlowmarkError, ModelError, nameError } from '../errors.ts'
import { Discarded } from '../internal/async-driver.ts'
import type { AnyFunction, Executor, ExecutorCall, ExecutorNode, HostAbortSignal } from '../model.ts'
import {
  formatRef,
  fillRef,
  importRef,
  isUnresolvedRef,
  refOf,
  refSpecifier,
  refTarget,
  RefError,
  type FunctionRef,
  type UrlLike,
} from '../ref.ts'
import type { WorkerReply, WorkerTask } from './worker.ts'

/** What went wrong on the way to or in a worker thread. */
export type WorkerProblem = 'piscina' | 'exit' | 'out-of-memory' | 'clone' | 'closed'

/**
 * A call that a worker thread could not complete for a reason other than the function throwing: the worker exited
 * (`process.exit` in the function), ran out of memory (`resourceLimits`), the arguments or the result could not be
 * structured-cloned, or the executor was closed; also thrown when `flowmark/workers` is imported without piscina.
 * As a node's failure it is recorded with this error as the cause, and the search takes the next path.
 */
export class WorkerError extends FlowmarkError {
  /** Which kind of problem it is. */
  readonly problem: WorkerProblem
  /** The node whose call failed, if any. */
  readonly nodeId: NodeId | undefined

  static {
    nameError(this, 'WorkerError')
  }

  constructor(problem: WorkerProblem, message: string, options: { nodeId?: NodeId; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.problem = problem
    this.nodeId = options.nodeId
  }
}

/* piscina is an optional peer dependency: loaded here, so that importing this module without it says what to do. */
const piscina = await import('piscina').catch((err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ERR_MODULE_NOT_FOUND' && /'piscina'/.test(String((err as Error).message))) {
    throw new WorkerError(
      'piscina',
      "flowmark/workers runs calls on a piscina worker pool, but the package 'piscina' is not " +
        'installed: run `npm install piscina` (an optional peer dependency of flowmark, ^5.3.2)',
      { cause: err },
    )
  }
  throw new WorkerError('piscina', `flowmark/workers: cannot load piscina: ${String((err as Error | null)?.message ?? err)}`, {
    cause: err,
  })
})

/** Limits of each worker thread's resources (Node's `Worker` `resourceLimits`); a worker over them fails its call. */
export interface WorkerResourceLimits {
  /** Main heap size, in MB. */
  maxOldGenerationSizeMb?: number
  /** Heap space for recently created objects, in MB. */
  maxYoungGenerationSizeMb?: number
  /** Pre-allocated memory for generated code, in MB. */
  codeRangeSizeMb?: number
  /** Stack size, in MB (default 4). */
  stackSizeMb?: number
}

/** Options of {@link createWorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** Most worker threads at once (default: the machine's available parallelism). Calls beyond them wait in a queue. */
  size?: number
  /**
   * Threads kept started even when idle (default and least 1: a thread lost to a fault is replaced at once, and calls
   * waiting for it then run). Started threads that are idle never keep the process alive.
   */
  minThreads?: number
  /**
   * Milliseconds an idle thread above `minThreads` is kept before it stops (default 5000). Idle threads never keep the
   * process alive either way.
   */
  idleTimeout?: number
  /** Memory limits of each thread: a call that goes over them fails (a `WorkerError`), and the thread is replaced. */
  resourceLimits?: WorkerResourceLimits
  /** The URL (or absolute path) that relative references (`./work.ts#hash`) are resolved against. */
  baseUrl?: string | UrlLike
  /** Move `ArrayBuffer`s and typed arrays found in results back without a copy (default true). */
  transfer?: boolean
  /** Node options of the worker threads (default: those of this process). */
  execArgv?: string[]
  /** Name recorded as the executor of the calls (in `pipe`, `workflow` and the timeline's lanes); default `'workers'`. */
  name?: string
}

/** An {@link Executor} that runs calls on worker threads; close it when done (`await executor.close()`). */
export interface WorkerExecutor extends Executor {
  /** Recorded as the executor of the calls it ran. */
  readonly name: string
  /** Most threads at once. */
  readonly size: number
  /** Threads running now (started and not stopped). */
  readonly threads: number
  /** Calls completed so far (successes and failures). */
  readonly completed: number
  /** Calls waiting for a free thread. */
  readonly queued: number
  /** Whether `close` was called. */
  readonly closed: boolean
  /** Runs one call on a worker thread; rejects with the function's error, a `WorkerError` or an abort. */
  run(call: ExecutorCall, signal: HostAbortSignal): Promise<unknown>
  /** Checks that every node has a function reference that imports to the node's own function. */
  prepare(nodes: readonly ExecutorNode[]): Promise<void>
  /** Lets running calls finish, then stops every thread. Later calls fail with a `WorkerError`. */
  close(): Promise<void>
  /** `await using executor = createWorkerExecutor()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>
}

const WORKER_FILE = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)

function describePath(path: readonly NodeId[]): string {
  return path.length > 1 ? ` (at ${path.map(idText).join('/')})` : ''
}

/** The reference of a node's function: the imported target's own (absolute) one first, then the one it was given. */
function referenceOf(fn: AnyFunction): FunctionRef | undefined {
  const target = refTarget(fn)
  return (target === undefined ? undefined : refOf(target)) ?? refOf(fn)
}

function checkCount(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ModelError(`createWorkerExecutor: \`${what}\` must be a whole number, at least ${min}; got ${String(value)}`)
  }
  return value
}

/**
 * Makes an executor that runs function nodes on a pool of worker threads (piscina). A closure cannot cross threads,
 * so each node it runs names its function by reference (`addFunction({ ref: './work.ts#hash' })`, or
 * `fn: functionRef(hash, import.meta.url)`): a worker imports that module and calls the export, with the arguments
 * structured-cloned in and the result cloned back (its `ArrayBuffer`s moved, not copied). `dispatchAsync` checks
 * every node before anything runs (a `ModelError` names a node without a reference). A call that throws, exits its
 * worker, runs out of memory or overruns its node's `timeout` fails only that node; the pool replaces the worker.
 *
 * @example
 * import { Dispatcher } from 'flowmark'
 * const paths = new Dispatcher({ name: 'paths' })
 * paths.addFunction({ id: 'join', ref: 'node:path#join', inputs: ['dir', 'file'], outputs: ['path'] })
 * const workers = createWorkerExecutor({ size: 2 })
 * const sol = await paths.dispatchAsync({ dir: 'docs', file: 'index.md' }, ['path'], { executor: workers })
 * sol.get('path') // 'docs/index.md', computed on a worker thread
 * await workers.close()
 */
export function createWorkerExecutor(options: WorkerExecutorOptions = {}): WorkerExecutor {
  return new PoolExecutor(options)
}

/** The pool's sizes from the options, checked: most threads, threads kept started, and how long an idle one is kept. */
function poolSizes(options: WorkerExecutorOptions): { size: number; minThreads: number; idleTimeout: number } {
  const size = checkCount(options.size ?? Math.max(1, availableParallelism()), 'size', 1)
  // piscina replaces a lost thread only up to minThreads: with none, calls queued behind a crash would wait forever.
  const minThreads = Math.min(Math.max(1, checkCount(options.minThreads ?? 1, 'minThreads', 0)), size)
  const idleTimeout = options.idleTimeout ?? 5000
  if (typeof idleTimeout !== 'number' || !(idleTimeout >= 0)) {
    throw new ModelError(`createWorkerExecutor: \`idleTimeout\` must be a number of milliseconds, not negative; got ${String(idleTimeout)}`)
  }
  return { size, minThreads, idleTimeout }
}

/** An item of piscina's task queue: its record of one call, holding our task until it is sent to a thread. */
interface QueueItem {
  task?: unknown
}

/**
 * piscina's task queue, which also keeps the set of our tasks still waiting in it (`waiting`): a call the dispatch
 * no longer needs is aborted only while it waits.
 */
class WaitingQueue {
  /** Our tasks (`WorkerTask`) waiting for a thread. */
  readonly waiting = new Set<unknown>()
  private readonly items: QueueItem[] = []

  get size(): number {
    return this.items.length
  }

  push(item: QueueItem): void {
    this.items.push(item)
    this.waiting.add(item.task)
  }

  unshift(item: QueueItem): void {
    this.items.unshift(item)
    this.waiting.add(item.task)
  }

  shift(): QueueItem | null {
    const item = this.items.shift()
    if (item === undefined) return null
    this.waiting.delete(item.task)
    return item
  }

  remove(item: QueueItem): void {
    const i = this.items.indexOf(item)
    if (i >= 0) this.items.splice(i, 1)
    this.waiting.delete(item.task)
  }
}

/** The executor `createWorkerExecutor` makes: a piscina pool, the nodes' checked references, and the calls' failures. */
class PoolExecutor implements WorkerExecutor {
  readonly name: string
  readonly size: number
  private readonly transfer: boolean
  private readonly baseUrl: string | UrlLike | undefined
  private readonly limits: WorkerResourceLimits | undefined
  private readonly queue = new WaitingQueue()
  private readonly pool: InstanceType<typeof piscina.Piscina<WorkerTask, WorkerReply>>
  /** The reference text sent to the workers, by node function (checked by `prepare`). */
  private readonly refs = new WeakMap<AnyFunction, string>()
  private isClosed = false

  constructor(options: WorkerExecutorOptions) {
    const { size, minThreads, idleTimeout } = poolSizes(options)
    this.name = options.name ?? 'workers'
    this.size = size
    this.transfer = options.transfer ?? true
    this.baseUrl = options.baseUrl
    this.limits = options.resourceLimits
    this.pool = new piscina.Piscina<WorkerTask, WorkerReply>({
      taskQueue: this.queue as never,
      filename: WORKER_FILE.href,
      maxThreads: size,
      minThreads,
      idleTimeout,
      ...(this.limits === undefined ? {} : { resourceLimits: { ...this.limits } }),
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    })
    // A worker that fails with no call of its own would be an unhandled 'error' event (calls get their own errors).
    this.pool.on('error', () => undefined)
  }

  get threads(): number {
    return this.pool.threads.length
  }

  get completed(): number {
    return this.pool.completed
  }

  get queued(): number {
    return this.pool.queueSize
  }

  get closed(): boolean {
    return this.isClosed
  }

  async prepare(nodes: readonly ExecutorNode[]): Promise<void> {
    for (const entry of nodes) await this.check(entry)
  }

  async run(call: ExecutorCall, signal: HostAbortSignal): Promise<unknown> {
    if (this.isClosed)
      throw new WorkerError('closed', `node ${formatId(call.nodeId)}: the worker executor '${this.name}' is closed`, {
        nodeId: call.nodeId,
      })
    const task: WorkerTask = {
      ref: this.refText(call.fn, call.nodeId, call.path),
      args: call.context === undefined ? call.args : call.args.slice(0, -1),
      nodeId: idText(call.nodeId),
      path: call.path.map(idText),
      context: call.context !== undefined,
      transfer: this.transfer,
    }
    // An abort or a timeout stops the call, queued or running (piscina then ends its thread); a call the dispatch
    // started early and then did not need leaves the queue, but if it runs already it finishes: its result is
    // dropped, and the thread is kept (a new thread costs more than most calls).
    const ctl = new AbortController()
    const onAbort = (): void => {
      if (!(signal.reason instanceof Discarded) || this.queue.waiting.has(task)) ctl.abort(signal.reason)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    let reply: WorkerReply
    try {
      reply = await this.pool.run(task, { signal: ctl.signal })
    } catch (err) {
      throw callFailure(err, call, this.limits)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    call.report?.({ thread: reply.threadId, started: reply.started, duration: reply.duration })
    if (!reply.ok) throw reply.value
    return reply.value
  }

  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    await this.pool.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** The absolute `specifier#export` of a node's function; throws a `ModelError` when it has none. */
  private refText(fn: AnyFunction, nodeId: NodeId, path: readonly NodeId[]): string {
    const known = this.refs.get(fn)
    if (known !== undefined) return known
    const ref = referenceOf(fn)
    if (ref === undefined) {
      throw new ModelError(
        `node ${formatId(nodeId)}${describePath(path)} is sent to the worker executor '${this.name}', but its function has no ` +
          'reference: a closure cannot cross to a worker thread. Export the function from a module and give the node ' +
          "`ref: './work.ts#name'` (with the executor's `baseUrl`) or `fn: functionRef(name, import.meta.url)`; or " +
          "run this node in this thread with `executor: 'async'`",
        { nodeId },
      )
    }
    const text = formatRef({ module: refSpecifier(ref, this.baseUrl, nodeId), export: ref.export })
    this.refs.set(fn, text)
    return text
  }

  /** Imports the reference here too: it must name the node's own function (and import at all). */
  private async check({ node, path }: ExecutorNode): Promise<void> {
    const fn = node.fn
    if (fn === undefined || this.refs.has(fn)) return
    const text = this.refText(fn, node.id, path)
    this.refs.delete(fn)
    const module = text.slice(0, text.lastIndexOf('#'))
    if (/\.[mc]?tsx?$/.test(module) && !(process.features as { typescript?: unknown }).typescript) {
      throw new RefError(
        'import',
        text,
        `reference of node ${formatId(node.id)} ${JSON.stringify(text)} is a TypeScript module, which this Node ` +
          `(${process.version}) cannot import: use Node ^22.18 or >= 23.6 (they strip types), or point the reference at compiled JavaScript`,
        { nodeId: node.id },
      )
    }
    const imported = await importRef(text, { nodeId: node.id })
    // A node made with `ref` and no `fn` stands for exactly this import: it is filled here, so it can run in place too.
    if (isUnresolvedRef(fn)) fillRef(fn, imported)
    const own = refTarget(fn) ?? fn
    if (imported !== own) {
      throw new RefError(
        'export',
        text,
        `reference of node ${formatId(node.id)}${describePath(path)} ${JSON.stringify(text)} imports another function than the ` +
          "node's own: a worker would call a different function. Give the export's own name (functionRef(fn, " +
          'import.meta.url, exportName)) or drop `ref` to keep the node in this thread',
        { nodeId: node.id },
      )
    }
    this.refs.set(fn, text)
  }
}

/**
 * What a failed call is to the dispatch: a `WorkerError` when its worker ran out of memory, exited, or could not
 * clone the arguments or the result; the function's own error (or an abort) as it is otherwise.
 */
function callFailure(err: unknown, call: ExecutorCall, limits: WorkerResourceLimits | undefined): unknown {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null
  const where = `node ${formatId(call.nodeId)}${describePath(call.path)}`
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerError(
      'out-of-memory',
      `${where} ran out of memory on its worker thread` +
        (limits === undefined ? '' : ` (resourceLimits ${JSON.stringify(limits)})`) +
        '; the pool starts a new thread',
      { nodeId: call.nodeId, cause: err },
    )
  }
  const exited = typeof e?.message === 'string' ? /^worker exited with code: (-?\d+)/.exec(e.message) : null
  if (exited !== null) {
    return new WorkerError(
      'exit',
      `${where}: its worker thread exited (code ${exited[1]}) before the call returned — ` +
        'process.exit() in the function? The pool starts a new thread',
      { nodeId: call.nodeId, cause: err },
    )
  }
  // Arguments that do not clone fail here (a DOMException); a result that does not clone fails in the worker, and
  // arrives as an Error whose stack alone says so.
  const stack = typeof (e as { stack?: unknown } | null)?.stack === 'string' ? (e as { stack: string }).stack : ''
  if (e?.name === 'DataCloneError' || stack.startsWith('DataCloneError')) {
    const what = e?.name === 'DataCloneError' ? 'its arguments cannot be sent to' : 'its result cannot be sent back from'
    const why = e?.name === 'DataCloneError' ? String(e.message) : stack.split('\n')[0]!.replace(/^DataCloneError: /, '')
    return new WorkerError(
      'clone',
      `${where}: ${what} a worker thread (values are structured-cloned: no functions; ` +
        `class instances arrive as plain objects): ${why}`,
      { nodeId: call.nodeId, cause: err },
    )
  }
  return err
}
