// The asynchronous driver of the search: awaits functions in the synchronous visit order, starting ready ones early.
import { formatId, type NodeId } from '../constants.ts'
import { DispatcherAbort, DispatcherError, FlowmarkError, TimeoutError, describeCause, nameError, type FailureKind } from '../errors.ts'
import type { Executor, ExecutorCall, ExecutorReport, Filter, HostAbortSignal, NodeContext, Stopper } from '../model.ts'
import { DATA, FUNCTION } from './compile.ts'
import type { DataNodeImpl, FunctionNodeImpl } from './graph.ts'
import { EDGE_ON, FAILED, Level, NO_CALL, Run, noFunction, type AsyncLogEntry, type HeldDomain, type SearchRequest } from './search.ts'
import { StepFailed, domainError, isThenable } from './step-rules.ts'

/*
 * THE RULE THAT MAKES `dispatchAsync` RETURN THE SYNCHRONOUS SOLUTION
 *
 * One search, two drivers. This loop pops the fringe exactly as `Run.loop` does and visits every node through the
 * same steps (`beginVisit`, `dataInput`/`functionInputs`, `commitData`/`commitFunction`, `endVisit`), so every
 * decision of the search is taken in the synchronous order, on the same values. The only difference: where the
 * synchronous search calls user code and gets a value, this driver may get a promise, and waits for it before the
 * visit goes on. Nothing is committed out of order, so the solution (values and their order, distances, workflow,
 * errors, sub-solutions, visit log) is the synchronous one whatever the concurrency and the order promises settle in.
 *
 * Concurrency comes from STARTING calls early, never from committing them early:
 * - A function node `f` may start as soon as its arguments are final: every input edge of `f` carries a value
 *   (`pending[f] === 0`) and every source data node of those edges is final (`inDist === 1`). A final data node never
 *   sets its out-edges again (only a wildcard input, visited at start but not final, is fed twice), and only data
 *   nodes feed functions, so the arguments read at start are the arguments the visit would read. The check runs
 *   after each data node's visit, for its successors; `f` must also still have an output that is not final.
 * - A started call runs its whole step: input domain (unless `noDomain`), function (through the executor, with the
 *   node's timeout), filters. Its outcome is held, not applied.
 * - When the search pops `f` in its normal order, it re-checks that `f` is needed (`functionInputs`: SKIP when every
 *   output became final meanwhile) and then commits the held outcome: domain answer, failure (recorded by the
 *   failure policy, or the dispatch stops if the node is `critical`) or result. A call not started yet is started
 *   then, ahead of every queued one (so the next call to commit is never starved).
 * - Calls wait in a queue ordered by their distance when seen (then by when they became ready) and start while
 *   fewer than `concurrency` run.
 * - Calls whose outcome the search never commits (the node was skipped, its level closed, every target was reached,
 *   the dispatch failed or was aborted) are aborted through their signal when the dispatch ends; their results and
 *   rejections are observed and dropped, and they appear nowhere in the solution.
 * Data-node functions, filters and callbacks run at their visit (they are not started early): they may return
 * promises, which the visit awaits. Sub-dispatchers share the parent's fringe, so their nodes follow the same rule.
 * A sub-dispatcher's `inputDomain` is asked inside the propagation of a visit (when its inputs arrive): when it answers
 * with a promise, the propagation stops right there (`run.held`, with the rest of the propagation as continuations),
 * this driver waits for the answer, and the search goes on exactly where the synchronous one would have gone with it
 * (`Level.resumeDomain`, then the continuations), before anything else of the visit. It is not started early.
 * Structural runs (`noCall`) call nothing and run synchronously.
 */

/** One event of an asynchronous dispatch (`onEvent`). */
export interface DispatchEvent {
  /**
   * `start`: a call began (possibly ahead of its turn); `finish`/`fail`/`skip`: its outcome was committed in the
   * search order (`skip`: its input domain said no); `discard`: a call started early was not needed and was aborted;
   * `abort`: a running call was aborted because the dispatch was (signal or timeout).
   * Data nodes with a function, filters or callback report `start` and `finish`/`fail` at their visit.
   */
  readonly type: 'start' | 'finish' | 'fail' | 'skip' | 'discard' | 'abort'
  /** The node's id in its own model. */
  readonly nodeId: NodeId
  /** The node's path from the root model. */
  readonly path: readonly NodeId[]
  /** When the event happened (milliseconds since the epoch, sub-millisecond precision). */
  readonly time: number
  /** For outcomes: how long the call ran, in milliseconds. */
  readonly duration?: number
  /** For `fail`: what the call threw or rejected with. */
  readonly error?: unknown
}

/** Options of one asynchronous run (checked by `Dispatcher.dispatchAsync`). */
export interface AsyncRunOptions {
  /** Most calls running at once (`Infinity`: no limit). */
  readonly concurrency: number
  readonly signal: HostAbortSignal | undefined
  /** Milliseconds for the whole dispatch, or undefined. */
  readonly timeout: number | undefined
  readonly executor: Executor | undefined
  readonly onEvent: ((event: DispatchEvent) => void) | undefined
}

/** The executor of `dispatchAsync` by default: calls the function in this thread. */
export const inThreadExecutor: Executor = {
  name: 'async',
  run(call: ExecutorCall): Promise<unknown> {
    try {
      return Promise.resolve(call.fn(...call.args))
    } catch (err) {
      // A function may throw anything: the rejection carries it unchanged, as a synchronous call would.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(err)
    }
  },
}

const QUEUED = 0
const RUNNING = 1
const SETTLED = 2

/** How a task ended. */
const OK = 0
const FAIL = 1
const DOMAIN_NO = 2
const DOMAIN_THREW = 3

/** The host clock's origin (constant for the process): read once, it is a getter. */
const TIME_ORIGIN = performance.timeOrigin

/** A plain call that answered synchronously: its value, held without a task until the search commits it. */
class Held {
  readonly lv: Level
  readonly s: number
  readonly value: unknown
  /** When the call started (ms since the epoch) and how long it ran. */
  readonly started: number
  readonly duration: number
  /** Its place among the tasks, in the order they were made. */
  readonly seq: number
  constructor(lv: Level, s: number, value: unknown, started: number, duration: number, seq: number) {
    this.lv = lv
    this.s = s
    this.value = value
    this.started = started
    this.duration = duration
    this.seq = seq
  }
}

/**
 * The function tasks of a run by level and slot: one list in the order they were made, and per level an index from
 * slot to place in that list. An Int32Array per level costs less to allocate than an array of values of the model's
 * size (a page fault per 4 KB either way), and its lookups less than a Map's.
 */
class TaskTable {
  readonly #index: (Int32Array | undefined)[] = []
  readonly #list: (Task | Held | undefined)[] = []

  get(lv: Level, s: number): Task | Held | undefined {
    const m = this.#index[lv.id]
    if (m === undefined) return undefined
    const i = m[s]!
    return i === 0 ? undefined : this.#list[i - 1]
  }

  set(lv: Level, s: number, entry: Task | Held): void {
    let m = this.#index[lv.id]
    if (m === undefined) this.#index[lv.id] = m = new Int32Array(lv.c.size)
    const i = m[s]!
    if (i !== 0) this.#list[i - 1] = entry
    else m[s] = this.#list.push(entry)
  }

  delete(lv: Level, s: number): void {
    const m = this.#index[lv.id]
    const i = m === undefined ? 0 : m[s]!
    if (i === 0) return
    const list = this.#list
    list[i - 1] = undefined
    m![s] = 0
    // Trailing holes go (each once): calls committed soon after they are made, as in a chain, keep the list short.
    while (list.length > 0 && list[list.length - 1] === undefined) list.pop()
  }

  /** The entries not deleted, in the order they were made. */
  entries(): (Task | Held)[] {
    return this.#list.filter((e) => e !== undefined)
  }
}

/** A function node whose call is its function alone: no input domain, filters, context argument or own executor. */
function callsItsFunctionOnly(node: FunctionNodeImpl): boolean {
  return node.inputDomain === undefined && node.filters === undefined && node.context !== true && node.executor === undefined
}

/** A function node the driver may call without a task: its function alone, and no timeout to watch. */
function isPlain(node: FunctionNodeImpl): boolean {
  return callsItsFunctionOnly(node) && node.timeout === undefined
}

/** The reason given to the signal of a call started early and then not needed (executors may let it finish). */
export class Discarded extends FlowmarkError {
  static {
    nameError(this, 'AbortError')
  }
  constructor() {
    super('flowmark: the dispatch did not need this call (started early, then not used)')
  }
}

/** One call of user code at one node: a function node's step (maybe started early) or a data node's visit. */
class Task {
  readonly lv: Level
  readonly s: number
  readonly args: unknown
  #ctl: AbortController | undefined = undefined
  readonly l: number
  readonly v: number
  readonly seq: number
  state = QUEUED
  end = OK
  failKind: FailureKind = 'function'
  value: unknown = undefined
  err: unknown = undefined
  callbackErr: { err: unknown } | undefined = undefined
  domainAsked = false
  started = 0
  t0 = 0
  duration = 0
  chain: unknown[] | undefined = undefined
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  waiter: (() => void) | undefined = undefined
  /** The name of the executor that ran the call (none: called here directly), and what it reported. */
  executor: string | undefined = undefined
  ran: ExecutorReport | undefined = undefined

  /** The call's controller, made when first needed (a context, an executor, a timeout). */
  get ctl(): AbortController {
    return (this.#ctl ??= new AbortController())
  }

  /** Aborts the call's signal, if anyone holds it. */
  abort(reason: unknown): void {
    this.#ctl?.abort(reason)
  }

  constructor(lv: Level, s: number, args: unknown, l: number, v: number, seq: number) {
    this.lv = lv
    this.s = s
    this.args = args
    this.l = l
    this.v = v
    this.seq = seq
  }
}

/** Runs a generator of steps synchronously until it yields a promise; then continues when that settles. */
function drive(gen: Generator<unknown, void, unknown>, step: IteratorResult<unknown, void>): void | Promise<void> {
  if (step.done === true) return
  return Promise.resolve(step.value).then(
    (v) => drive(gen, gen.next(v)),
    (e: unknown) => drive(gen, gen.throw(e)),
  )
}

/** The asynchronous dispatch of one search request. */
export class AsyncDriver {
  readonly run: Run
  readonly root: Level
  readonly opts: AsyncRunOptions
  readonly #ctl = new AbortController()
  /** Whether `#ctl` was aborted (only `#abort` aborts it): read before every visit, cheaper than the signal's getter. */
  #aborted = false
  /** Function tasks by level and slot (`Held` for a plain call that answered synchronously, see `#callPlain`). */
  readonly #tasks = new TaskTable()
  /** Neither a dispatch executor nor `onEvent`: plain function nodes may be called without a task. */
  readonly #plainRun: boolean
  readonly #queue: Task[] = []
  #running = 0
  #seq = 0
  #rejectWait: ((err: unknown) => void) | undefined = undefined
  /** The node being visited or waited for (level and slot), named by an abort. */
  #currentLevel: Level | undefined = undefined
  #currentSlot = -1
  /**
   * Data-node tasks waiting for a promise. Function tasks are found in `#tasks` (a slot is cleared when its task is
   * committed or discarded): no set to add to and delete from on every call.
   */
  readonly #live = new Set<Task>()
  /** The dispatch's `stopper` option (or the dispatcher's): checked before each visit, like `dispatch` does. */
  readonly #stopper: Stopper | undefined

  constructor(req: SearchRequest, opts: AsyncRunOptions) {
    this.opts = opts
    this.#plainRun = opts.executor === undefined && opts.onEvent === undefined
    this.#stopper = req.options.stopper
    this.run = new Run({ ...req.options, stopper: this.#ctl.signal }, req.view.c.size)
    this.run.asyncLog = []
    this.run.asyncDomains = true
    this.root = new Level(this.run, req.view, null, -1, req.options.waitIn)
    this.run.root = this.root
    this.root.initialized = true
  }

  /** Runs the search to its end; rejects with `DispatcherAbort` on abort or timeout, as `dispatch` throws otherwise. */
  async start(req: SearchRequest): Promise<Level> {
    const { signal, timeout } = this.opts
    const onAbort = (): void => this.#abort(signal!.reason)
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      if (signal?.aborted === true) throw new DispatcherAbort(undefined, signal.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (timeout !== undefined) timer = setTimeout(() => this.#abort(new TimeoutError(timeout)), timeout)
      this.root.init(req.inputs, req.inputsDist, new Set(), req.outputs, null)
      if (this.run.held !== undefined) await this.#resumeHeld()
      await this.#loop()
      if (this.#ctl.signal.aborted) throw this.#abortError()
      return this.root
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.#discardAll()
      this.run.release()
    }
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#ctl.abort(reason)
    for (const task of this.#liveTasks()) if (task.state === RUNNING) task.abort(reason)
    const reject = this.#rejectWait
    this.#rejectWait = undefined
    reject?.(this.#abortError())
  }

  #abortError(): DispatcherAbort {
    const lv = this.#currentLevel
    return new DispatcherAbort(lv === undefined ? undefined : lv.c.nodes[this.#currentSlot]!.id, this.#ctl.signal.reason)
  }

  async #loop(): Promise<void> {
    const run = this.run
    const root = this.root
    while (run.popNext()) {
      const lv = run.nextLevel!
      const s = run.nextSlot
      const l = run.nextL
      const d = run.nextD
      this.#currentLevel = lv
      this.#currentSlot = s
      const st = this.#stopper
      if (st !== undefined && ('aborted' in st ? st.aborted : st.isSet())) this.#abort('reason' in st ? st.reason : undefined)
      if (this.#aborted) throw this.#abortError()
      lv.initialized = true
      run.log(lv.id, s)
      lv.beginVisit(s, l, d)
      const kind = lv.c.kind[s]
      // A boolean: decided without user code (or it answered at once); a task: wait for it, then commit it.
      const task = kind === FUNCTION ? this.#functionTask(lv, s, l, d) : kind === DATA ? this.#dataTask(lv, s, l, d) : false
      let ok: boolean
      if (typeof task === 'boolean') ok = task
      else {
        if (task.state !== SETTLED) await this.#until(task)
        ok = kind === FUNCTION ? this.#commitFunction(task) : this.#commitData(task)
      }
      const more = lv.endVisit(s, d, ok)
      if (run.held !== undefined) await this.#resumeHeld()
      if (!more) {
        if (lv === root) break
        lv.closeTree()
      }
      lv.seeRemoteLink(s, l, d)
      if (more && ok && kind === DATA) this.#startReady(lv, s)
    }
    if (run.options.rmUnusedNodes) root.removeUnusedNodes()
  }

  /** Resolves when `task` settles; rejects when the dispatch is aborted first. */
  #until(task: Task): Promise<void> {
    this.#currentLevel = task.lv
    this.#currentSlot = task.s
    return new Promise<void>((resolve, reject) => {
      if (this.#ctl.signal.aborted) {
        reject(this.#abortError())
        return
      }
      task.waiter = resolve
      this.#rejectWait = reject
    })
  }

  /**
   * Waits for the sub-dispatcher domain the propagation stopped on, applies its answer and runs the rest of the
   * propagation, innermost part first; again while that stops on another domain.
   */
  async #resumeHeld(): Promise<void> {
    const run = this.run
    let held = run.held
    while (held !== undefined) {
      run.held = undefined
      const answer = await this.#answerOf(held)
      held.level.resumeDomain(held, answer)
      const rest = held.rest
      let i = 0
      // `run.held` is set again by the calls (a field TypeScript cannot see change): read it through `heldOf`.
      while (heldOf(run) === undefined && i < rest.length) rest[i++]!()
      held = heldOf(run)
      // Stopped again: what was left of this propagation comes after what is left of the new one.
      if (held !== undefined) held.rest.push(...rest.slice(i))
    }
  }

  /** What a held domain settled to (`StepFailed` when it rejected); rejects when the dispatch is aborted first. */
  #answerOf(held: HeldDomain): Promise<unknown> {
    this.#currentLevel = held.level
    this.#currentSlot = held.slot
    return new Promise<unknown>((resolve, reject) => {
      // Observed in every case, so a rejection that comes after an abort is not unhandled.
      Promise.resolve(held.answer).then(resolve, (err: unknown) => resolve(new StepFailed(err)))
      if (this.#ctl.signal.aborted) reject(this.#abortError())
      else this.#rejectWait = reject
    })
  }

  // ---- function nodes -------------------------------------------------------------------------------------------

  /**
   * Calls plain function node `s` (no domain, filters, context, executor or timeout) in a plain run, when the window
   * has room, without making a task. A value is held (`Held`); a throw or a promise gets a task
   * as `#start` would have made it, which is returned.
   */
  #callPlain(lv: Level, s: number, node: FunctionNodeImpl, args: unknown[], l: number, v: number): Task | undefined {
    const seq = this.#seq++
    const t0 = performance.now()
    let value: unknown
    try {
      value = node.fn!(...args)
    } catch (err) {
      const task = this.#runningTask(lv, s, args, l, v, seq, t0)
      this.#settle(task, FAIL, err, 'function')
      return task
    }
    if (isThenable(value)) {
      const task = this.#runningTask(lv, s, args, l, v, seq, t0)
      this.#settleWhenDone(task, value)
      return task
    }
    this.#tasks.set(lv, s, new Held(lv, s, value, TIME_ORIGIN + t0, performance.now() - t0, seq))
    return undefined
  }

  /** The task of a plain call that did not answer with a value: as `#start` makes it, running since `t0`. */
  #runningTask(lv: Level, s: number, args: unknown[], l: number, v: number, seq: number, t0: number): Task {
    const task = new Task(lv, s, args, l, v, seq)
    this.#tasks.set(lv, s, task)
    this.#running++
    task.state = RUNNING
    task.t0 = t0
    task.started = TIME_ORIGIN + t0
    return task
  }

  /** Commits the value held for slot `s` (as `#commitFunction` commits a task that finished). */
  #commitHeld(lv: Level, s: number, held: Held): boolean {
    this.#tasks.delete(lv, s)
    lv.started[s] = held.started
    lv.duration[s] = held.duration
    return lv.commitFunction(s, held.value)
  }

  /** Turns a held value into the settled task it stands for (to discard it like any other). */
  #materialize(held: Held): Task {
    const { lv, s } = held
    const task = new Task(lv, s, undefined, 0, 0, held.seq)
    task.state = SETTLED
    task.t0 = held.started - TIME_ORIGIN
    task.started = held.started
    task.duration = held.duration
    task.value = held.value
    this.#tasks.set(lv, s, task)
    return task
  }

  /** The visit of a function node up to its call: a boolean when decided without one, else its (started) task. */
  #functionTask(lv: Level, s: number, l: number, v: number): boolean | Task {
    const early = this.#tasks.get(lv, s)
    const need = lv.functionNeeded(s)
    if (need !== true) {
      if (early !== undefined) this.#discard(early instanceof Held ? this.#materialize(early) : early)
      return need === NO_CALL
    }
    if (early instanceof Held) return this.#commitHeld(lv, s, early)
    const node = lv.c.nodes[s] as FunctionNodeImpl
    if (node.fn === undefined) {
      lv.fail(s, 'function', noFunction(node.id))
      return false
    }
    if (early !== undefined) {
      if (early.state === QUEUED) this.#startNow(early)
      return early
    }
    if (this.#plainRun && isPlain(node) && this.#running < this.opts.concurrency) {
      const task = this.#callPlain(lv, s, node, lv.argsOf(s), l, v)
      return task ?? this.#commitHeld(lv, s, this.#tasks.get(lv, s) as Held)
    }
    const task = new Task(lv, s, lv.argsOf(s), l, v, this.#seq++)
    this.#tasks.set(lv, s, task)
    this.#startNow(task)
    return task
  }

  /** After data node `s` was visited: starts (or queues) its successor functions whose arguments are final. */
  #startReady(lv: Level, s: number): void {
    const c = lv.c
    const e1 = c.succStart[s + 1]!
    for (let e = c.succStart[s]!; e < e1; e++) {
      if (lv.edgeOn[e] !== EDGE_ON) continue
      const w = c.edgeTo[e]!
      if (c.kind[w] !== FUNCTION || lv.pending[w] !== 0 || lv.inDist[w] === 1 || lv.seenOn[w] === 0) continue
      const node = c.nodes[w] as FunctionNodeImpl
      if (node.fn === undefined || this.#tasks.get(lv, w) !== undefined) continue
      if (!this.#argsFinal(lv, w) || !this.#needed(lv, w)) continue
      if (this.#plainRun && isPlain(node) && this.#running < this.opts.concurrency && this.#queue.length === 0) {
        this.#callPlain(lv, w, node, lv.argsOf(w), lv.seenL[w]!, lv.seenV[w]!)
        continue
      }
      const task = new Task(lv, w, lv.argsOf(w), lv.seenL[w]!, lv.seenV[w]!, this.#seq++)
      this.#tasks.set(lv, w, task)
      this.#enqueue(task)
    }
  }

  /** Every argument edge of function `w` comes from a data node whose distance is final. */
  #argsFinal(lv: Level, w: number): boolean {
    const c = lv.c
    for (let a = c.argStart[w]!; a < c.argStart[w + 1]!; a++) {
      const e = c.argEdge[a]!
      if (e >= 0 && (lv.edgeOn[e] !== EDGE_ON || lv.inDist[c.edgeFrom[e]!] !== 1)) return false
    }
    return true
  }

  /** Function `w` still has an output that is not final (as `functionInputs` checks at the visit). */
  #needed(lv: Level, w: number): boolean {
    const c = lv.c
    for (let e = c.succStart[w]!; e < c.succStart[w + 1]!; e++) {
      const t = c.edgeTo[e]!
      if (lv.inDist[t] === 0 && (lv.explored === null || lv.explored[t] === 1)) return true
    }
    return false
  }

  #enqueue(task: Task): void {
    if (this.#running < this.opts.concurrency && this.#queue.length === 0) {
      this.#start(task)
      return
    }
    const q = this.#queue
    let i = q.length
    while (i > 0 && after(q[i - 1]!, task)) i--
    q.splice(i, 0, task)
    this.#pump()
  }

  /** Starts `task` now if the window allows, else puts it first in the queue. */
  #startNow(task: Task): void {
    const q = this.#queue
    const i = q.indexOf(task)
    if (i >= 0) q.splice(i, 1)
    if (this.#running < this.opts.concurrency) this.#start(task)
    else q.unshift(task)
  }

  #pump(): void {
    const q = this.#queue
    while (q.length > 0 && this.#running < this.opts.concurrency) this.#start(q.shift()!)
  }

  #start(task: Task): void {
    this.#running++
    task.state = RUNNING
    const lv = task.lv
    const node = lv.c.nodes[task.s] as FunctionNodeImpl
    task.t0 = performance.now()
    task.started = TIME_ORIGIN + task.t0
    this.#emit('start', task)
    if (node.timeout !== undefined) {
      const ms = node.timeout
      task.timer = setTimeout(() => {
        task.timer = undefined
        const err = new TimeoutError(ms, node.id)
        this.#settle(task, FAIL, err, 'function')
        task.abort(err)
      }, ms)
    }
    if (callsItsFunctionOnly(node) && this.opts.executor === undefined) {
      // The plain case: call the function here; a value settles the task at once, a promise when it settles.
      let value: unknown
      try {
        value = node.fn!(...(task.args as unknown[]))
      } catch (err) {
        this.#settle(task, FAIL, err, 'function')
        return
      }
      if (isThenable(value)) this.#settleWhenDone(task, value)
      else this.#settle(task, OK, value, 'function')
      return
    }
    let p: void | Promise<void>
    const gen = this.#functionSteps(task, node)
    try {
      p = drive(gen, gen.next())
    } catch (err) {
      // Only a bug of the driver gets here (every step catches its own errors).
      this.#settle(task, FAIL, err, 'function')
      return
    }
    if (p !== undefined) p.then(undefined, (err: unknown) => this.#settle(task, FAIL, err, 'function'))
  }

  /** The step of a function node: input domain, call (through the executor), filters; settles the task. */
  *#functionSteps(task: Task, node: FunctionNodeImpl): Generator<unknown, void, unknown> {
    const args = task.args as unknown[]
    if (node.inputDomain !== undefined && !this.run.options.noDomain) {
      task.domainAsked = true
      let ok: unknown
      try {
        ok = (node.inputDomain as (...a: unknown[]) => unknown)(...args)
        if (isThenable(ok)) ok = yield ok
      } catch (err) {
        this.#settle(task, DOMAIN_THREW, err, 'function')
        return
      }
      if (!ok) {
        this.#settle(task, DOMAIN_NO, undefined, 'function')
        return
      }
    }
    if (task.state === SETTLED) return
    let value: unknown
    try {
      const lv = task.lv
      const path: NodeId[] = [...lv.path, node.id]
      const context: NodeContext | undefined = node.context === true ? { signal: task.ctl.signal, nodeId: node.id, path } : undefined
      const full = context !== undefined ? [...args, context] : args
      const executor = node.executor ?? this.opts.executor
      if (executor === undefined) value = node.fn!(...full)
      else {
        task.executor = executor.name ?? 'custom'
        const report = (ran: ExecutorReport): void => {
          task.ran = ran
        }
        value = executor.run(
          context === undefined
            ? { fn: node.fn!, args: full, nodeId: node.id, path, report }
            : { fn: node.fn!, args: full, nodeId: node.id, path, context, report },
          task.ctl.signal,
        )
      }
      if (isThenable(value)) value = yield value
    } catch (err) {
      this.#settle(task, FAIL, err, 'function')
      return
    }
    if (node.filters !== undefined) {
      value = yield* this.#filterSteps(task, node.filters, value)
      if (value === FAILED) return
    }
    this.#settle(task, OK, value, 'function')
  }

  /**
   * Runs `filters` on `value`, each maybe asynchronous, keeping the chain on the task: the last value, or `FAILED`
   * when a filter threw (the task is settled with it) or the task settled meanwhile (a timeout, the dispatch's end).
   */
  *#filterSteps(task: Task, filters: readonly Filter[], value: unknown): Generator<unknown, unknown, unknown> {
    const chain: unknown[] = [value]
    task.chain = chain
    for (const filter of filters) {
      if (task.state === SETTLED) return FAILED
      try {
        value = filter(value)
        if (isThenable(value)) value = yield value
      } catch (err) {
        this.#settle(task, FAIL, err, 'filter')
        return FAILED
      }
      chain.push(value)
    }
    return value
  }

  /** Settles a function task with what the promise its call returned settles to. */
  #settleWhenDone(task: Task, p: PromiseLike<unknown>): void {
    p.then(
      (v) => this.#settle(task, OK, v, 'function'),
      (err: unknown) => this.#settle(task, FAIL, err, 'function'),
    )
  }

  #settle(task: Task, end: number, value: unknown, kind: FailureKind): void {
    if (task.state === SETTLED) return
    const wasRunning = task.state === RUNNING
    task.state = SETTLED
    task.duration = performance.now() - task.t0
    if (task.timer !== undefined) {
      clearTimeout(task.timer)
      task.timer = undefined
    }
    task.end = end
    task.failKind = kind
    if (end === OK) task.value = value
    else task.err = value
    if (wasRunning && task.lv.c.kind[task.s] === FUNCTION) {
      this.#running--
      this.#pump()
    }
    const waiter = task.waiter
    task.waiter = undefined
    waiter?.()
  }

  /** Applies a settled function task in the search order; returns whether the node produced its outputs. */
  #commitFunction(task: Task): boolean {
    const lv = task.lv
    const s = task.s
    this.#tasks.delete(lv, s) // the node is final now: nothing looks its task up again, let it be collected
    const node = lv.c.nodes[s] as FunctionNodeImpl
    lv.started[s] = task.started
    lv.duration[s] = task.duration
    if (task.end === DOMAIN_THREW) throw domainError(lv.site(s), task.err)
    if (task.domainAsked) lv.commitDomain(s, task.end !== DOMAIN_NO)
    if (task.end === DOMAIN_NO) {
      lv.started[s] = 0
      lv.duration[s] = 0
      this.#emit('skip', task)
      return false
    }
    if (task.chain !== undefined) lv.filterChains.set(s, task.chain)
    if (task.executor !== undefined) {
      const ran = task.ran
      lv.placements.set(s, { executor: task.executor, thread: ran?.thread })
      if (ran?.started !== undefined && ran.duration !== undefined) {
        lv.started[s] = ran.started
        lv.duration[s] = ran.duration
      }
    }
    if (task.end === FAIL) {
      this.#emit('fail', task)
      if (node.critical === true) {
        lv.fail(s, task.failKind, task.err)
        throw new DispatcherError(
          `critical node ${formatId(node.id)} failed: ${describeCause(task.err)}. A critical node stops the ` +
            'dispatch; drop `critical` to record the failure and try another path instead.',
          { nodeId: node.id, path: [...lv.path, node.id], cause: task.err },
        )
      }
      lv.fail(s, task.failKind, task.err)
      return false
    }
    this.#emit('finish', task)
    return lv.commitFunction(s, task.value)
  }

  // ---- data nodes -----------------------------------------------------------------------------------------------

  /** The visit of a data node up to its value: a boolean when done at once, else a task running its user code. */
  #dataTask(lv: Level, s: number, l: number, v: number): boolean | Task {
    const input = lv.dataInput(s)
    if (input === FAILED) return false
    const node = lv.c.nodes[s] as DataNodeImpl
    if (this.run.options.noCall || (node.fn === undefined && node.filters === undefined && node.callback === undefined)) {
      return lv.commitData(s, input)
    }
    const task = new Task(lv, s, input, l, v, this.#seq++)
    task.state = RUNNING
    task.t0 = performance.now()
    task.started = TIME_ORIGIN + task.t0
    if (node.fn !== undefined || node.filters !== undefined) this.#emit('start', task)
    const gen = this.#dataSteps(task, node)
    const p = drive(gen, gen.next())
    if (p !== undefined) {
      this.#live.add(task)
      p.then(undefined, (err: unknown) => this.#settle(task, FAIL, err, 'data'))
    }
    return task
  }

  /** The user code of a data node: its function, filters and callback, each maybe asynchronous. */
  *#dataSteps(task: Task, node: DataNodeImpl): Generator<unknown, void, unknown> {
    let value = task.args
    if (node.fn !== undefined) {
      try {
        value = node.fn(value as never)
        if (isThenable(value)) value = yield value
      } catch (err) {
        this.#settle(task, FAIL, err, 'data')
        return
      }
    }
    if (node.filters !== undefined) {
      value = yield* this.#filterSteps(task, node.filters, value)
      if (value === FAILED) return
    }
    if (node.callback !== undefined) {
      try {
        const r = node.callback(value)
        if (isThenable(r)) yield r
      } catch (err) {
        task.callbackErr = { err }
      }
    }
    this.#settle(task, OK, value, 'data')
  }

  #commitData(task: Task): boolean {
    this.#live.delete(task)
    const lv = task.lv
    const s = task.s
    const node = lv.c.nodes[s] as DataNodeImpl
    if (node.fn !== undefined || node.filters !== undefined) {
      lv.started[s] = task.started
      lv.duration[s] = task.duration
    }
    if (task.chain !== undefined) lv.filterChains.set(s, task.chain)
    if (task.end === FAIL) {
      this.#emit('fail', task)
      lv.fail(s, task.failKind, task.err)
      return false
    }
    if (node.fn !== undefined || node.filters !== undefined) this.#emit('finish', task)
    if (task.callbackErr !== undefined) lv.fail(s, 'callback', task.callbackErr.err)
    return lv.commitData(s, task.value)
  }

  // ---- the end --------------------------------------------------------------------------------------------------

  #discard(task: Task): void {
    this.#live.delete(task)
    if (this.#tasks.get(task.lv, task.s) === task) this.#tasks.delete(task.lv, task.s)
    const q = this.#queue
    const i = q.indexOf(task)
    if (i >= 0) q.splice(i, 1)
    if (task.state !== QUEUED) {
      const aborted = this.#ctl.signal.aborted
      if (!aborted && task.state === RUNNING) task.abort(new Discarded())
      this.#emit(aborted ? 'abort' : 'discard', task)
      this.#settle(task, FAIL, undefined, 'function')
    }
    task.state = SETTLED
  }

  /** Aborts every call that was started and not committed; drops the queued ones. */
  #discardAll(): void {
    this.#queue.length = 0
    for (const task of this.#liveTasks()) this.#discard(task)
    this.#rejectWait = undefined
  }

  /** The tasks started or queued and not committed yet, in the order they were made. */
  #liveTasks(): Task[] {
    const out = [...this.#live]
    for (const task of this.#tasks.entries()) out.push(task instanceof Held ? this.#materialize(task) : task)
    return out.sort((a, b) => a.seq - b.seq)
  }

  #emit(type: DispatchEvent['type'], task: Task): void {
    if (this.opts.onEvent === undefined && (type === 'start' || type === 'finish')) return
    const lv = task.lv
    const id = lv.c.nodes[task.s]!.id
    if (type !== 'start' && type !== 'finish') {
      const duration = type === 'discard' || type === 'abort' ? performance.now() - task.t0 : task.duration
      const entry: AsyncLogEntry =
        type === 'fail' ? { type, path: [...lv.path, id], duration, error: task.err } : { type, path: [...lv.path, id], duration }
      this.run.asyncLog!.push(entry)
    }
    const onEvent = this.opts.onEvent
    if (onEvent === undefined) return
    const ev: { -readonly [K in keyof DispatchEvent]: DispatchEvent[K] } = {
      type,
      nodeId: id,
      path: [...lv.path, id],
      time: TIME_ORIGIN + performance.now(),
    }
    if (type !== 'start') ev.duration = type === 'discard' || type === 'abort' ? performance.now() - task.t0 : task.duration
    if (type === 'fail') ev.error = task.err
    try {
      onEvent(ev)
    } catch {
      // A listener that throws must not change the dispatch.
    }
  }
}

/**
 * Whether queued task `a` starts after `b`: in the fringe's order (distance when seen, then id text, then level),
 * so queued calls start in the order the search will want them; then by when they became ready.
 */
function after(a: Task, b: Task): boolean {
  if (a.l !== b.l) return a.l > b.l
  if (a.v !== b.v) return a.v > b.v
  const ka = a.lv.c.keyOf(a.s)
  const kb = b.lv.c.keyOf(b.s)
  if (ka !== kb) return ka > kb
  if (a.lv.id !== b.lv.id) return a.lv.id > b.lv.id
  return a.seq > b.seq
}

/** The domain a run's propagation stopped on, if any. */
function heldOf(run: Run): HeldDomain | undefined {
  return run.held
}

/** Runs one asynchronous dispatch; `onStart` receives the root before the search starts (for partial states). */
export async function searchAsync(req: SearchRequest, opts: AsyncRunOptions, onStart?: (root: Level) => void): Promise<Level> {
  const driver = new AsyncDriver(req, opts)
  onStart?.(driver.root)
  return driver.start(req)
}
