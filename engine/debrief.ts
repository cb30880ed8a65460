// `Solution.debrief()`: a readable report of what failed, was skipped, discarded or aborted in a dispatch, with durations.
import { formatId, type NodeId } from './constants.ts'
import { describeCause, formatPath } from './errors.ts'
import type { Trace } from './internal/search.ts'

function ms(d: number | undefined): string {
  if (d === undefined) return ''
  return ` after ${d < 10 ? d.toFixed(1) : Math.round(d)} ms`
}

function label(path: readonly NodeId[]): string {
  return path.length === 1 ? formatId(path[0]!) : formatId(formatPath(path))
}

/**
 * The report of one solution's dispatch (its level and every nested one): values reached, outputs missed, failures
 * with their cause and duration, functions skipped by their input domain, and — for `dispatchAsync` — calls started
 * early then discarded, and calls aborted with the dispatch. `timings: false` leaves durations out (reproducible).
 */
export function debrief(root: Trace, outputs: readonly NodeId[] | undefined, timings = true): string {
  const failed: string[] = []
  const skipped: string[] = []
  const stack: Trace[] = [root]
  const depth = root.path.length
  while (stack.length > 0) {
    const lv = stack.shift()!
    for (const [id, err] of lv.errors) {
      const s = lv.c.slotOf.get(id)
      const d = timings && s !== undefined && lv.started[s]! > 0 ? lv.duration[s] : undefined
      failed.push(`  - ${label([...lv.path.slice(depth), id])} (${err.kind})${ms(d)}: ${describeCause(err.cause)}`)
    }
    for (const [s, ok] of lv.domains) if (!ok) skipped.push(`  - ${label([...lv.path.slice(depth), lv.c.nodes[s]!.id])}`)
    stack.push(...lv.children.values())
  }
  const discarded: string[] = []
  const aborted: string[] = []
  for (const e of root.run.asyncLog ?? []) {
    if (e.type !== 'discard' && e.type !== 'abort') continue
    if (e.path.length <= depth || root.path.some((id, i) => e.path[i] !== id)) continue
    const line = `  - ${label(e.path.slice(depth))}${timings ? ms(e.duration) : ''}`
    ;(e.type === 'discard' ? discarded : aborted).push(line)
  }
  const missing = (outputs ?? []).filter((id) => !root.hasValue(id))
  const head =
    `${root.valueCount} value${root.valueCount === 1 ? '' : 's'}` +
    (outputs !== undefined && outputs.length > 0 ? `; outputs reached ${outputs.length - missing.length} of ${outputs.length}` : '')
  const lines = [head]
  if (missing.length > 0) lines.push(`not reached: ${missing.map(formatId).join(', ')}`)
  if (failed.length > 0) lines.push(`failed (${failed.length}):`, ...failed)
  if (skipped.length > 0) lines.push(`skipped by their input domain (${skipped.length}):`, ...skipped)
  if (aborted.length > 0) lines.push(`aborted with the dispatch (${aborted.length}):`, ...aborted)
  if (discarded.length > 0) lines.push(`started early, then not needed (${discarded.length}):`, ...discarded)
  if (failed.length + skipped.length + aborted.length + discarded.length === 0 && missing.length === 0) lines.push('nothing failed')
  return lines.join('\n')
}
