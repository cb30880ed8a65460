// The random-model replay against schedula's answers, shared by the unit sample and the integration remainder.
import { expect, it } from 'vitest'
import {
  build,
  fixture,
  runCall,
  valuesView,
  workflowView,
  type CallSpec,
  type ModelSpec,
  type RecordedError,
  type RecordedSolution,
} from './models.ts'

/** A rule of README's *Coming from schedula* list that record.py can apply to schedula (see its docstrings). */
export type Rule = 'KeepFedInputs' | 'CloseNestedLevels' | 'ChildDefaultsSeenInParentSearch'

/** One recorded random model, its calls and schedula's answers to them. */
export interface RandomCase {
  case: number
  model: ModelSpec
  calls: CallSpec[]
  answers: (RecordedSolution | RecordedError)[]
  /**
   * Calls whose answer Flowmark's documented differences change, by call index: schedula's answer with every rule
   * applied, and the rules that change it on their own.
   */
  documentedRules?: Record<string, { answer: RecordedSolution | RecordedError; rules: Rule[] }>
}

/** The title of the replay's describe block, the same in both files so that every test keeps its full name. */
export const REPLAY_TITLE = 'differential replay against schedula 1.5.78 (fixtures/schedula-answers/random, record.py)'

/** The recorded random models (fixtures/schedula-answers/random/expected.json). */
export const recorded = fixture<{ count: number; cases: RandomCase[] }>('random')

/** A fixed hash of a case number (murmur3's finaliser): picks the sample independently of how cases were generated. */
function mix(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/**
 * Whether a case is replayed by `npm run test:unit`: a fixed eighth of the cases (56 of 400), plus every case where a
 * documented difference changes an answer. The integration project replays all the others, so `npm test` replays
 * every case once.
 */
export function inUnitSample(c: RandomCase): boolean {
  return mix(c.case) % 8 === 0 || c.documentedRules !== undefined
}

/** Declares two tests per call of each case: values (with distances, errors, child solutions), and the workflow. */
export function replayCases(cases: readonly RandomCase[]): void {
  for (const c of cases) {
    c.calls.forEach((call, j) => {
      const key = `${c.case}:${j}`
      // Where a documented difference (README, Coming from schedula) changes the answer, schedula's answer with that
      // rule applied is the expected one.
      const expected = c.documentedRules?.[String(j)]?.answer ?? c.answers[j]!
      it(`${key} values, distances, errors and child solutions`, () => {
        expect(valuesView(runCall(build(c.model), call))).toEqual(valuesView(expected))
      })
      it(`${key} workflow nodes and edges`, () => {
        expect(workflowView(runCall(build(c.model), call))).toEqual(workflowView(expected))
      })
    })
  }
}
