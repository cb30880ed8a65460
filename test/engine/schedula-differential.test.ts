// Differential replay: 400 seeded random models (sub-dispatchers, shrink, waits, domains) against schedula's answers.
import { describe, expect, it } from 'vitest'
import { build, fixture, runCall, valuesView, workflowView, type CallSpec, type ModelSpec, type RecordedError, type RecordedSolution } from './schedula/models.ts'

interface RandomCase { case: number; model: ModelSpec; calls: CallSpec[]; answers: (RecordedSolution | RecordedError)[] }
const recorded = fixture<{ count: number; cases: RandomCase[] }>('random')

// Calls (`case:call`) whose values, distances, errors or child solutions differ from schedula 1.5.78 today (16 of
// 800). Every one has a sub-dispatcher; most use `shrink` and come from the fed child inputs Flowmark keeps on
// purpose (issue #15 item 5(a), a documented difference), the rest sit in nested sub-dispatchers. Expected to fail
// until fixed: remove a key when its test starts passing.
const VALUE_DIFFERENCES = new Set([
  '19:0', '102:0', '106:1', '110:0', '110:1', '168:1', '174:0', '228:1', '252:1', '258:0',
  '269:1', '283:0', '317:0', '324:1', '330:1', '361:1',
])

// Calls whose workflow (nodes in order, edges with values) differs while the values agree: node orders that do
// not come from the pruning (item 1 is fixed), reached functions left out (item 3), shrunk sub-dispatcher inputs
// (item 5(a)).
const WORKFLOW_DIFFERENCES = new Set([
  '0:0', '18:0', '27:1', '29:1', '31:0', '36:0', '54:0', '54:1', '61:0', '64:0', '81:0', '100:1', '103:1', '108:1',
  '111:1', '115:1', '117:0', '118:0', '119:1', '126:0', '130:1', '132:1', '133:0', '144:0', '146:1', '147:0',
  '151:1', '168:0', '189:1', '192:0', '199:0', '207:1', '209:0', '209:1', '212:0', '212:1', '223:0', '223:1',
  '228:0', '231:0', '248:0', '248:1', '256:1', '277:0', '287:0', '287:1', '293:0', '295:1', '303:0', '304:1',
  '307:1', '315:0', '316:0', '316:1', '321:0', '330:0', '331:1', '335:0', '340:1', '349:0', '355:1', '367:1',
  '373:1', '376:0', '376:1', '387:1',
])

describe('differential replay against schedula 1.5.78 (fixtures/schedula-answers/random, record.py)', () => {
  it('replays at least 300 models, sub-dispatchers and shrink included', () => {
    expect(recorded.cases.length).toBeGreaterThanOrEqual(300)
    expect(recorded.cases.filter((c) => c.model.nodes.some((n) => 'dispatcher' in n)).length).toBeGreaterThan(100)
    expect(recorded.cases.flatMap((c) => c.calls).filter((c) => c.options?.shrink).length).toBeGreaterThan(100)
  })

  for (const c of recorded.cases) {
    c.calls.forEach((call, j) => {
      const key = `${c.case}:${j}`
      const values = VALUE_DIFFERENCES.has(key) ? it.fails : it
      values(`${key} values, distances, errors and child solutions`, () => {
        expect(valuesView(runCall(build(c.model), call))).toEqual(valuesView(c.answers[j]!))
      })
      if (VALUE_DIFFERENCES.has(key)) return
      const workflow = WORKFLOW_DIFFERENCES.has(key) ? it.fails : it
      workflow(`${key} workflow nodes and edges`, () => {
        expect(workflowView(runCall(build(c.model), call))).toEqual(workflowView(c.answers[j]!))
      })
    })
  }
})
