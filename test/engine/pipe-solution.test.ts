// The solution of a pipe call (SubDispatchPipe, DispatchPipe): kept on the workflow node, equal to SubDispatchFunction's.
import { describe, expect, it } from 'vitest'
import {
  DispatchPipe,
  DispatchPipeAsync,
  Dispatcher,
  SubDispatchFunction,
  SubDispatchPipe,
  SubDispatchPipeAsync,
  type Solution,
} from '../../engine/index.ts'
import { recordSolution } from './schedula/models.ts'
import { comparePipeSolutions, PIPE_TEST, PIPE_TITLE } from './schedula/pipe-compare.ts'
import { inUnitSample, recorded } from './schedula/replay.ts'

const area = () => {
  const m = new Dispatcher({ name: 'area' })
  m.addFunction({ id: 'rect', fn: (w: number, h: number) => w * h, inputs: ['w', 'h'], outputs: ['a'] })
  m.addFunction({ id: 'half', fn: (a: number) => a / 2, inputs: ['a'], outputs: ['t'] })
  return m
}

const kept = (sol: Solution, id: string): Solution => sol.workflow.nodes.get(id)!.solution!

describe('a pipe called by a dispatch keeps its solution on the workflow node', () => {
  for (const [name, wrap] of [
    ['SubDispatchPipe', SubDispatchPipe],
    ['DispatchPipe', DispatchPipe],
  ] as const) {
    it(`${name}: the same solution as SubDispatchFunction's, reached by getNode and drawn by plot`, () => {
      const outer = (fn: (...a: number[]) => unknown) => {
        const d = new Dispatcher({ name: 'outer' })
        d.addFunction({ id: 'P', fn, inputs: ['w', 'h'], outputs: ['t'] })
        return d
      }
      const d = outer(wrap(area(), { inputs: ['w', 'h'], outputs: ['t'] }))
      const sol = d.dispatch({ w: 2, h: 3 })
      const reference = outer(SubDispatchFunction(area(), { inputs: ['w', 'h'], outputs: ['t'] })).dispatch({ w: 2, h: 3 })
      expect(recordSolution(kept(sol, 'P'))).toEqual(recordSolution(kept(reference, 'P')))
      expect([...kept(sol, 'P')]).toEqual([
        ['h', 3],
        ['w', 2],
        ['a', 6],
        ['t', 3],
      ])
      expect(sol.getNode('P', 'a')).toBe(6)
      expect(d.getNode('P', { nodeAttr: 'output' })).toBe(kept(sol, 'P'))
      const page = sol.plot({ hideTimestamps: true }).pages.find((p) => p.path === 'P')!
      expect(page.kind).toBe('workflow')
      expect(page.nodes.map((n) => n.label).sort()).toEqual(['a', 'end', 'h', 'half', 'rect', 'start', 't', 'w'])
    })
  }

  it('DispatchPipe: a solution once read keeps its values; the next calls take a new buffer', () => {
    const P = DispatchPipe(area(), { inputs: ['w', 'h'], outputs: ['t'] })
    expect(P(2, 3)).toBe(3)
    const first = P.solution!
    expect(P(4, 5)).toBe(10)
    expect(P(6, 7)).toBe(21)
    expect([first.get('a'), P.solution!.get('a')]).toEqual([6, 42])
    expect(P(1, 1)).toBe(0.5) // the buffer of an unread solution is reused, and the next solution reads the new call
    expect(P.solution!.get('t')).toBe(0.5)
  })

  it('a broken plan: the failure is the node error of the solution; with fallback, the full search is the solution', () => {
    const m = new Dispatcher({ name: 'm' })
    m.addFunction({
      id: 'fast',
      fn: (x: number) => {
        if (x < 0) throw new Error('negative')
        return x
      },
      inputs: ['x'],
      outputs: ['y'],
    })
    m.addFunction({ id: 'slow', fn: (x: number) => -x, inputs: ['x'], outputs: ['y'], weight: 5 })
    const P = SubDispatchPipe(m, { inputs: ['x'], outputs: ['y'], outputType: 'dict', allowMiss: true })
    expect(P(-1)).toEqual({})
    expect([...P.solution!.errors.keys()]).toEqual(['fast'])
    expect(P.solution!.errors.get('fast')!.message).toMatch(/negative/)
    const F = SubDispatchPipe(m, { inputs: ['x'], outputs: ['y'], fallback: true })
    expect(F(-1)).toBe(1)
    expect(F.solution!.get('y')).toBe(1)
    expect([...F.solution!.workflow.nodes.keys()]).toContain('slow')
  })

  it('the solution is made from a second run of the recorded search, and none when the model changed since', () => {
    const m = area()
    const P = SubDispatchPipe(m, { inputs: ['w', 'h'], outputs: ['t'], shrink: false })
    const Q = SubDispatchPipe(m, { inputs: ['w', 'h'], outputs: ['t'], shrink: false })
    expect([P(2, 3), Q(2, 3)]).toEqual([3, 3])
    expect(P.solution!.get('t')).toBe(3) // the search is run again now, and kept
    m.addFunction({ id: 'quick', fn: (w: number) => w, inputs: ['w'], outputs: ['a'], weight: 0 })
    expect([P(4, 5), Q(4, 5)]).toEqual([10, 10]) // both replay their plans
    expect(P.solution!.get('a')).toBe(20)
    expect(Q.solution).toBeUndefined() // the changed model visits other nodes: no solution rather than a wrong one
  })

  it('asynchronous pipes keep the solution of the call that settled last', async () => {
    const m = new Dispatcher({ name: 'm' })
    m.addFunction({ id: 'f', fn: async (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    for (const wrap of [SubDispatchPipeAsync, DispatchPipeAsync]) {
      const P = wrap(m, { inputs: ['a'], outputs: ['b'] })
      expect(await P(1)).toBe(2)
      expect([...P.solution!]).toEqual([
        ['a', 1],
        ['b', 2],
      ])
    }
  })
})

describe(PIPE_TITLE, () => {
  // The cases of the unit sample (schedula/replay.ts); pipe-solution-rest.test.ts, an integration file, compares the others.
  it(PIPE_TEST, () => {
    expect(comparePipeSolutions(recorded.cases.filter(inUnitSample))).toBeGreaterThan(20) // 27 calls here, 223 with the rest (pipe-solution-rest.test.ts)
  })
})
