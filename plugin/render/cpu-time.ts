// The CPU time of a layout on its own thread, so that slow-layout notices do not count queueing or a busy machine.

/**
 * Runs `work` and measures the CPU time of this thread (Node ≥ 23.9), so that a layout's cost does not include
 * waiting for a worker or for a core on a busy machine; wall time where the runtime cannot tell.
 * @param work The layout.
 * @returns Its result and its cost in ms.
 */
export function layoutCpuMs<T>(work: () => T): { result: T; ms: number } {
  const cpu = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage
  if (cpu === undefined) {
    const started = performance.now()
    return { result: work(), ms: performance.now() - started }
  }
  const before = cpu.call(process)
  const result = work()
  const after = cpu.call(process)
  return { result, ms: (after.user - before.user + after.system - before.system) / 1000 }
}
