// Late errors of a session: which unit an asynchronous error belongs to (by its stack), and waiting for a session to settle.
import type { UnitRef } from './protocol.ts'

/** Default time the session waits after the last example for pending timers and I/O, in milliseconds. */
export const DEFAULT_GRACE_MS = 200

/** Where a unit's source lines are on the page. */
export interface UnitSpan extends UnitRef {
  /** Page line of the unit's first line. */
  readonly first: number
  /** Number of lines. */
  readonly count: number
}

/** The page lines of the stack frames that point into `file`, innermost first. */
export function pageFrameLines(stack: string, file: string): number[] {
  const lines: number[] = []
  for (const line of stack.split('\n')) {
    const index = line.indexOf(`${file}:`)
    if (index < 0) continue
    const match = /^:(\d+):\d+/.exec(line.slice(index + file.length))
    if (match !== null) lines.push(Number(match[1]))
  }
  return lines
}

/**
 * The unit whose code an error's stack points at: the innermost frame in the page that falls on a unit's lines
 * (a timer callback defined in a statement has its frame on that statement's line). `undefined` when no frame does.
 * @param stack The error's stack (`error.stack`), or '' when it has none.
 * @param file The page's absolute path, as the session's scripts are named.
 * @param spans The units of the session.
 */
export function ownerOfStack(stack: string, file: string, spans: readonly UnitSpan[]): UnitRef | undefined {
  for (const line of pageFrameLines(stack, file)) {
    const span = spans.find((s) => line >= s.first && line < s.first + s.count)
    if (span !== undefined) return { block: span.block, unit: span.unit }
  }
  return undefined
}

/**
 * Counts of the event-loop resources (timers, immediates, sockets, file requests…) that keep the thread alive, by
 * type, as `process.getActiveResourcesInfo()` lists them.
 */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  return counts
}

/** Whether some resource type has more entries now than in `baseline` (the examples left something pending). */
export function hasPending(baseline: ReadonlyMap<string, number>): boolean {
  for (const [type, count] of activeResources()) if (count > (baseline.get(type) ?? 0)) return true
  return false
}

/**
 * Waits until nothing the examples started is pending any more (compared with `baseline`, taken before they ran),
 * or `graceMs` elapsed, so that a late error or `process.exit` happens while the session still listens. Returns
 * at once when nothing is pending. Checks every 10 ms; each check lets timers due by then fire first.
 * @param baseline Resource counts before the examples ran ({@link activeResources}).
 * @param graceMs The longest wait.
 */
export async function settle(baseline: ReadonlyMap<string, number>, graceMs: number): Promise<void> {
  const deadline = performance.now() + graceMs
  // Callbacks queued for "right now" (microtasks, immediates) run first.
  await new Promise((resolve) => setImmediate(resolve))
  while (hasPending(baseline) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(10, deadline - performance.now()))))
  }
}
