// Engine regressions at scale (16,000 successors, 20,000 inputs): each takes seconds, so they run with the integration tests.
import { describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'

// Describe and test names are those these had in regressions.test.ts, whose smaller cases stay in the unit run.

/** `N` functions all reading `a` and `b`: node `a` has N successors. */
function wide(n: number): Dispatcher {
  const d = new Dispatcher({ name: 'wide' })
  const add = (a: number, b: number) => a + b
  for (let i = 0; i < n; i++) d.addFunction({ id: `f${i}`, fn: add, inputs: ['a', 'b'], outputs: [`y${i}`] })
  return d
}

describe('1. sub-model extraction around nodes with many successors (bench/sub-models.ts measures that it is linear)', () => {
  const big = wide(16_000)
  const ops: [string, (d: Dispatcher) => Dispatcher][] = [
    ['copy', (d) => d.copy()],
    ['getSubDsp', (d) => d.getSubDsp(d.nodes.keys())],
    ['getSubDspFromWorkflow', (d) => d.getSubDspFromWorkflow(['a', 'b'], { graph: 'model' })],
    [
      'shrinkDsp',
      (d) =>
        d.shrinkDsp(
          ['a', 'b'],
          [...d.dataNodes.keys()].filter((id) => id !== 'a' && id !== 'b'),
        ),
    ],
  ]
  for (const [name, op] of ops) {
    it(`${name} keeps every node and edge of a 16,000-successor model`, () => {
      const out = op(big)
      expect(out.nodes.size).toBe(big.nodes.size)
      expect(out.edges.length).toBe(big.edges.length)
    })
  }
})

describe('5. hostile input found by probing (issue #15)', () => {
  it('one function with 20 000 inputs, and one with 20 000 outputs, dispatch in full (linear: bench/ measures)', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `i${i}`)
    const fanIn = new Dispatcher()
    fanIn.addFunction({ id: 'f', fn: (...a: number[]) => a.reduce((x, y) => x + y, 0), inputs: [...ids, 'i0'], outputs: ['o'] })
    expect(fanIn.predecessors('f').length).toBe(20_000) // the repeated i0 is one edge, its first position
    expect(fanIn.dispatch(Object.fromEntries(ids.map((id, k) => [id, k])), ['o']).get('o')).toBe((19_999 * 20_000) / 2)
    const fanOut = new Dispatcher()
    fanOut.addFunction({ id: 'f', fn: (x: number) => ids.map((_, k) => x + k), inputs: ['a'], outputs: ids })
    const sol = fanOut.dispatch({ a: 1 })
    expect([sol.size, sol.get('i0'), sol.get('i19999')]).toEqual([20_001, 1, 20_000])
  })
})
