// Differential replay: 400 seeded random models (sub-dispatchers, shrink, waits, domains) against schedula's answers.
import { describe, expect, it } from 'vitest'
import { inUnitSample, recorded, REPLAY_TITLE, replayCases } from './schedula/replay.ts'

// This file replays a fixed sample of the cases (see inUnitSample); schedula-differential-rest.test.ts, an integration
// file, replays the others.
describe(REPLAY_TITLE, () => {
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

  it('the unit sample has sub-dispatchers, shrink and every documented difference', () => {
    const sample = recorded.cases.filter(inUnitSample)
    expect(sample.length).toBeGreaterThanOrEqual(50)
    expect(sample.length).toBeLessThan(recorded.cases.length / 4)
    expect(sample.filter((c) => c.model.nodes.some((n) => 'dispatcher' in n)).length).toBeGreaterThan(20)
    expect(sample.flatMap((c) => c.calls).filter((c) => c.options?.shrink).length).toBeGreaterThan(20)
    expect(sample.filter((c) => c.documentedRules !== undefined)).toEqual(recorded.cases.filter((c) => c.documentedRules !== undefined))
  })

  replayCases(recorded.cases.filter(inUnitSample))
})
