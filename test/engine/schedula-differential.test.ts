// Differential replay: 400 seeded random models (sub-dispatchers, shrink, waits, domains) against schedula's answers.
import { describe, expect, it } from 'vitest'
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
} from './schedula/models.ts'

/** A rule of README's *Coming from schedula* list that record.py can apply to schedula (see its docstrings). */
type Rule = 'KeepFedInputs' | 'CloseNestedLevels' | 'ChildDefaultsSeenInParentSearch'

interface RandomCase {
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
const recorded = fixture<{ count: number; cases: RandomCase[] }>('random')

describe('differential replay against schedula 1.5.78 (fixtures/schedula-answers/random, record.py)', () => {
  it('replays at least 300 models, sub-dispatchers and shrink included', () => {
    expect(recorded.cases.length).toBeGreaterThanOrEqual(300)
    expect(recorded.cases.filter((c) => c.model.nodes.some((n) => 'dispatcher' in n)).length).toBeGreaterThan(100)
    expect(recorded.cases.flatMap((c) => c.calls).filter((c) => c.options?.shrink).length).toBeGreaterThan(100)
  })

  it('every documented rule is met, and each changed answer is explained by one of them', () => {
    const ruled = recorded.cases.flatMap((c) =>
      Object.entries(c.documentedRules ?? {}).map(([j, r]) => ({ c, call: c.calls[Number(j)]!, r })),
    )
    const met = new Set(ruled.flatMap(({ r }) => r.rules))
    expect([...met].sort()).toEqual(['ChildDefaultsSeenInParentSearch', 'CloseNestedLevels', 'KeepFedInputs'])
    for (const { c, call, r } of ruled) {
      expect(r.rules.length).toBeGreaterThan(0)
      expect(c.model.nodes.some((n) => 'dispatcher' in n)).toBe(true) // every rule is about sub-dispatchers
      if (r.rules.includes('KeepFedInputs')) expect(call.options?.shrink).toBe(true)
    }
  })

  for (const c of recorded.cases) {
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
})
