// A solution as JSON: values (with the value encoding), errors and distances, keyed by written node ids.
import type { Solution } from '../solution.ts'
import { writeId, type DistanceDoc } from './format.ts'
import { encodeValue } from './values.ts'

/** The JSON form of a solution, as `flowmark run` prints it. */
export interface SolutionJSON {
  /** Values by node id, in computation order (values JSON cannot carry use `{ "$type": … }` tags). */
  values: Record<string, unknown>
  /** Failures by node id: the error message. */
  errors: Record<string, string>
  /** Distance at which each node was reached, in visit order. */
  dist: Record<string, DistanceDoc>
  /** Solutions of the sub-dispatchers that ran, by node id. */
  subSolutions?: Record<string, SolutionJSON>
}

/**
 * Writes a solution as JSON data. Values are encoded with `encodeValue` (Map, Date, bigint, typed arrays… as
 * `$type` tags); a value with no JSON form (a function, a class instance) throws a `ValueEncodingError` naming it.
 */
export function solutionToJSON(sol: Solution): SolutionJSON {
  const values: Record<string, unknown> = {}
  for (const [id, v] of sol) values[writeId(id)] = encodeValue(v, `/values/${writeId(id).replace(/~/g, '~0').replace(/\//g, '~1')}`)
  const errors: Record<string, string> = {}
  for (const [id, e] of sol.errors) errors[writeId(id)] = e.message
  const dist: Record<string, DistanceDoc> = {}
  for (const [id, d] of sol.dist) {
    dist[writeId(id)] = typeof d === 'number' ? (Number.isFinite(d) ? d : d > 0 ? 'Infinity' : '-Infinity') : { inf: d.level, num: d.value }
  }
  const out: SolutionJSON = { values, errors, dist }
  if (sol.subSolutions.size > 0) {
    out.subSolutions = {}
    for (const [id, s] of sol.subSolutions) out.subSolutions[writeId(id)] = solutionToJSON(s)
  }
  return out
}
