// A pipe call's solution against SubDispatchFunction's over the schedula replay's random models: shared by the unit
// sample (pipe-solution.test.ts) and the integration remainder (pipe-solution-rest.test.ts).
import { isDeepStrictEqual } from 'node:util'
import { expect } from 'vitest'
import { SubDispatchFunction, SubDispatchPipe } from '../../../engine/index.ts'
import { build, recordSolution, valuesView, type RecordedSolution } from './models.ts'
import type { RandomCase } from './replay.ts'

/** The describe block's title, the same in both files so that the test keeps its full name. */
export const PIPE_TITLE = "over the random models of the schedula replay, a pipe call's solution is SubDispatchFunction's"
/** The test's name, the same in both files. */
export const PIPE_TEST = 'values, distances, errors, sub-solutions and workflow nodes agree wherever the two return the same'

/** A recorded solution's values and those of its sub-solutions, nested, for a plain deep comparison. */
const allValues = (r: RecordedSolution): unknown => [r.values, Object.entries(r.subSolutions).map(([k, s]) => [k, allValues(s)])]

/** Compares every call of `cases` that has outputs, as a pipe and as SubDispatchFunction; returns how many it compared. */
export function comparePipeSolutions(cases: readonly RandomCase[]): number {
  let compared = 0
  for (const c of cases) {
    for (const call of c.calls) {
      if (call.outputs === undefined || call.outputs === null) continue
      const inputs = Object.keys(call.inputs ?? {})
      const values = Object.values(call.inputs ?? {})
      const options = { inputs, outputs: call.outputs, outputType: 'dict', allowMiss: true } as const
      let pipe: ReturnType<typeof SubDispatchPipe>, fn: ReturnType<typeof SubDispatchFunction>
      try {
        pipe = SubDispatchPipe(build(c.model), options)
        fn = SubDispatchFunction(build(c.model), options)
      } catch {
        continue // outputs the recording does not reach: no pipe
      }
      let got: unknown, want: unknown
      try {
        got = pipe(...values)
        want = fn(...values)
      } catch {
        continue
      }
      const sol = pipe.solution!
      // Where a pipe's replay and the search disagree (a pipe has no alternative paths, and keeps an input that is
      // also an output), the solution is the replay's; the rest must agree with the search.
      if (pipe.lastBreak !== undefined || !isDeepStrictEqual(got, want)) continue
      expect(Object.fromEntries(call.outputs.filter((o) => sol.has(o)).map((o) => [o, sol.get(o)]))).toEqual(got)
      const a = recordSolution(sol)
      const b = recordSolution(fn.solution!)
      // A child node fed by two parents keeps the last value in a replay, the first in the search: skip those.
      if (b.errors.length > 0 || !isDeepStrictEqual(allValues(a), allValues(b))) continue
      expect(valuesView(a)).toEqual(valuesView(b))
      expect(a.workflowNodes).toEqual(b.workflowNodes)
      compared++
    }
  }
  return compared
}
