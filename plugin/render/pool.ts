// A small pool of Graphviz layout workers: parallel layouts on several cores, and a time limit per layout.
import { Worker } from 'node:worker_threads'
import type { LayoutRequest, LayoutResponse } from './worker.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Raised when a layout runs past the pool's time limit (the worker is stopped and replaced). */
export class LayoutTimeoutError extends FlowmarkPluginError {
  static {
    nameError(this, 'LayoutTimeoutError')
  }
}

interface Job {
  readonly req: LayoutRequest
  readonly resolve: (layout: { svg: string; ms: number }) => void
  readonly reject: (e: Error) => void
}

interface Slot {
  worker: Worker
  /** Whether Graphviz has loaded in the worker (the time limit counts layout time only). */
  ready: boolean
  job: Job | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)

/**
 * Lays out DOT in worker threads, each holding its own Graphviz instance (started on the first job that needs it).
 * Jobs queue when every worker is busy. Workers are unref'd: an idle pool never keeps the process alive.
 */
export class LayoutPool {
  readonly #size: number
  readonly #timeoutMs: number
  readonly #slots: Slot[] = []
  readonly #queue: Job[] = []
  #next = 1
  /** Workers started so far (replacements after a timeout included). */
  started = 0

  /**
   * @param size Number of worker threads (at least 1).
   * @param timeoutMs Time limit of one layout in milliseconds (`Infinity` for none).
   */
  constructor(size: number, timeoutMs = Infinity) {
    this.#size = Math.max(1, Math.floor(size))
    this.#timeoutMs = timeoutMs
  }

  /** Lays out `dot` with `engine`; rejects with Graphviz's message, or `LayoutTimeoutError` past the limit. */
  async layout(dot: string, engine: string): Promise<string> {
    return (await this.layoutTimed(dot, engine)).svg
  }

  /**
   * `layout`, with the layout's CPU time in the worker (queueing and Graphviz's start left out).
   * @param dot The graph.
   * @param engine The Graphviz engine.
   * @returns The SVG and the time in ms.
   */
  layoutTimed(dot: string, engine: string): Promise<{ svg: string; ms: number }> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ req: { id: this.#next++, dot, engine }, resolve, reject })
      this.#pump()
    })
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    for (const job of this.#queue.splice(0)) job.reject(new Error('layout pool closed'))
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        slot.job?.reject(new Error('layout pool closed'))
        if (slot.timer !== undefined) clearTimeout(slot.timer)
        await slot.worker.terminate()
      }),
    )
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.job === undefined)
      if (slot === undefined && this.#slots.length < this.#size) slot = this.#spawn()
      if (slot === undefined) return
      const job = this.#queue.shift() as Job
      this.#run(slot, job)
    }
  }

  #spawn(): Slot {
    const worker = new Worker(workerUrl)
    worker.unref()
    this.started++
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined }
    worker.on('message', (res: LayoutResponse | { readonly ready: true }) => {
      if ('ready' in res) {
        slot.ready = true
        if (slot.job !== undefined) this.#arm(slot, slot.job)
        return
      }
      const job = slot.job
      if (job === undefined || job.req.id !== res.id) return
      this.#finish(slot)
      if ('svg' in res) job.resolve({ svg: res.svg, ms: res.ms })
      else job.reject(new Error(res.error))
    })
    worker.on('error', (e: Error) => this.#crash(slot, e))
    worker.on('exit', (code) => {
      if (slot.job !== undefined) this.#crash(slot, new Error(`layout worker exited with code ${code}`))
    })
    this.#slots.push(slot)
    return slot
  }

  #run(slot: Slot, job: Job): void {
    slot.job = job
    slot.worker.ref()
    if (slot.ready) this.#arm(slot, job)
    slot.worker.postMessage(job.req)
  }

  #arm(slot: Slot, job: Job): void {
    if (!Number.isFinite(this.#timeoutMs)) return
    slot.timer = setTimeout(() => {
      this.#crash(
        slot,
        new LayoutTimeoutError(
          `layout with '${job.req.engine}' did not finish within ${this.#timeoutMs} ms; the graph may be too large for this engine (avoid fdp/neato and splines=ortho on big graphs)`,
        ),
      )
    }, this.#timeoutMs)
  }

  #finish(slot: Slot): void {
    if (slot.timer !== undefined) clearTimeout(slot.timer)
    slot.timer = undefined
    slot.job = undefined
    slot.worker.unref()
    queueMicrotask(() => this.#pump())
  }

  #crash(slot: Slot, error: Error): void {
    const job = slot.job
    if (slot.timer !== undefined) clearTimeout(slot.timer)
    slot.job = undefined
    const k = this.#slots.indexOf(slot)
    if (k >= 0) this.#slots.splice(k, 1)
    void slot.worker.terminate()
    job?.reject(error)
    this.#pump()
  }
}
