// Memory limit of a session worker: a V8 heap limit with headroom, and a watch that stops the worker before it is reached.
import type { ResourceLimits, Worker } from 'node:worker_threads'

/** Extra heap the worker's V8 limit allows above the session's limit, in megabytes (see {@link workerResourceLimits}). */
export const HEAP_HEADROOM_MB = 512

/** How often the main thread looks at a session worker's heap, in milliseconds. */
export const HEAP_POLL_MS = 50

const MB = 1_048_576

/**
 * The `resourceLimits` of a session worker whose examples may use `limitMb` of heap. The V8 limit is set higher, by
 * {@link HEAP_HEADROOM_MB}: when a worker reaches its V8 limit, Node stops it (`ERR_WORKER_OUT_OF_MEMORY`) only if
 * the allocation under way fits in a small extra allowance; a larger one (an array of 80 MB, say) aborts the whole
 * process. {@link watchHeap} stops the worker at `limitMb`, well before that.
 * @param limitMb The session's heap limit.
 */
export function workerResourceLimits(limitMb: number): ResourceLimits {
  return { maxOldGenerationSizeMb: limitMb + HEAP_HEADROOM_MB }
}

/**
 * The process's `--max-old-space-size` (from its arguments or `NODE_OPTIONS`), in megabytes, if set. V8 flags are
 * process-wide: this limit then applies to every worker, whatever its `resourceLimits` ask.
 * @param execArgv The process's Node options (default `process.execArgv`).
 * @param nodeOptions `NODE_OPTIONS` (default from the environment).
 */
export function processOldSpaceLimitMb(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): number | undefined {
  let found: number | undefined
  for (const match of `${execArgv.join(' ')} ${nodeOptions}`.matchAll(/--max[-_]old[-_]space[-_]size[= ](\d+)/g)) found = Number(match[1])
  return found
}

/**
 * The heap a session may use before {@link watchHeap} stops it: `limitMb`, or 40 % of the process's
 * `--max-old-space-size` when that is lower (the rest is the margin for the allocation under way).
 * @param limitMb The session's heap limit.
 */
export function appliedHeapLimitMb(limitMb: number): number {
  const processLimit = processOldSpaceLimitMb()
  return processLimit === undefined ? limitMb : Math.max(16, Math.min(limitMb, Math.floor(processLimit * 0.4)))
}

/**
 * Watches a worker's heap (`worker.getHeapStatistics()`, which interrupts even a busy loop) and calls `onOver` once
 * when the used heap exceeds {@link appliedHeapLimitMb}. Without `getHeapStatistics` (Node before 22.16) it watches
 * nothing and Node's own limit handling remains.
 * @param worker The session worker.
 * @param limitMb The session's heap limit.
 * @param onOver Called with the limit that was applied, in megabytes.
 * @returns Stops watching.
 */
export function watchHeap(worker: Worker, limitMb: number, onOver: (appliedMb: number) => void): () => void {
  const statistics = (worker as { getHeapStatistics?: () => Promise<{ used_heap_size: number }> }).getHeapStatistics
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const stop = (): void => {
    stopped = true
    clearTimeout(timer)
  }
  if (typeof statistics !== 'function') return stop
  const applied = appliedHeapLimitMb(limitMb)
  const poll = async (): Promise<void> => {
    if (stopped) return
    try {
      const heap = await statistics.call(worker)
      if (!stopped && heap.used_heap_size > applied * MB) {
        stop()
        onOver(applied)
        return
      }
    } catch {
      // Not running yet (or any more): try again; the caller stops the watch when the worker exits.
    }
    // One poll at a time: a busy garbage collector may delay the answer.
    if (!stopped) schedule()
  }
  // Polling must not keep the process alive by itself.
  const schedule = (): void => {
    timer = setTimeout(() => void poll(), HEAP_POLL_MS).unref()
  }
  schedule()
  return stop
}
