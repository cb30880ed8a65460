// Smoke test: the engine dispatches the README's first example.
import { describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'

describe('README example', () => {
  it('computes c from a and the default of b', () => {
    const dsp = new Dispatcher({ name: 'demo' })
    dsp.addData({ id: 'b', defaultValue: 2 })
    dsp.addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    const sol = dsp.dispatch({ a: 1 }, ['c'])
    expect(sol.get('c')).toBe(3)
    expect([...sol.keys()]).toEqual(['a', 'b', 'c'])
  })
})
