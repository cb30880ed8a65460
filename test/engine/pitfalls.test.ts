// The traps of schedula-engine.md §14 a re-implementation is most likely to get wrong, each pinned by a small case
// (the ten main rules are also covered section by section in search.test.ts; these are the cross-cutting ones).
import { describe, expect, it } from 'vitest'
import { Dispatcher, DispatcherError, ModelError, START, inf } from '../../engine/index.ts'

const entries = (d: Dispatcher, ...args: Parameters<Dispatcher['dispatch']>) => [...d.dispatch(...args).entries()]

describe('§14 pitfalls', () => {
  it('1. fringe order: at equal distance data before functions, then ids as text, not insertion order', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'z', fn: () => 'from z', inputs: ['a'], outputs: ['out'] })
    d.addFunction({ id: 'b', fn: () => 'from b', inputs: ['a'], outputs: ['out'] })
    expect(d.dispatch({ a: 0 }).get('out')).toBe('from b')
  })

  it('2. edge length: an edge weight replaces 1, the destination weight is added', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => 'f', inputs: ['a'], outputs: ['c'], outWeight: { c: 3 } })
    d.addFunction({ id: 'g', fn: () => 'g', inputs: ['a'], outputs: ['c'], weight: 2 })
    const sol = d.dispatch({ a: 0 })
    // f → c costs 3 (dist 1 + 3 = 4); g is at 0 + 1 + 2 = 3 and reaches c at 4 too: the tie goes to 'f' < 'g'.
    expect(sol.dist.get('c')).toBe(4)
    expect(sol.get('c')).toBe('f')
  })

  it('3. a function runs at the distance of its last input, and only while an output is open', () => {
    const calls: string[] = []
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => (calls.push('f'), 1), inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: () => (calls.push('g'), 2), inputs: ['a'], outputs: ['b'], weight: 1 })
    d.dispatch({ a: 0 })
    expect(calls).toEqual(['f'])
  })

  it('4. a computed estimation beats the input, even a closer one', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['c'], weight: 5 })
    d.addData({ id: 'c', waitInputs: false })
    expect(d.dispatch({ a: 1, c: 99 }).get('c')).toBe(99)
    d.addData({ id: 'x' })
    d.addFunction({ id: 'h', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['x'] })
    // x is both given and computed before its visit: the function's estimation wins.
    const sol = d.dispatch({ a: 1, x: 5 }, null, { inputsDist: { x: 3 } })
    expect(sol.get('x')).toBe(100)
  })

  it('5. outputs prune the model to their ancestors, then stop the search at the last one', () => {
    let ran = false
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'cheap', fn: () => (ran = true), inputs: ['a'], outputs: ['side'] })
    expect(entries(d, { a: 1 }, ['b'])).toEqual([
      ['a', 1],
      ['b', 1],
    ])
    expect(ran).toBe(false)
  })

  it('6. a domain that throws escapes dispatch whatever raises says; a false domain is silent', () => {
    const d = new Dispatcher({ raises: false })
    d.addFunction({
      id: 'f',
      fn: (a: number) => a,
      inputs: ['a'],
      outputs: ['b'],
      inputDomain: () => {
        throw new Error('bad domain')
      },
    })
    expect(() => d.dispatch({ a: 1 })).toThrow(DispatcherError)
    const quiet = new Dispatcher()
    quiet.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'], inputDomain: () => false })
    expect(quiet.dispatch({ a: 1 }).errors.size).toBe(0)
  })

  it('8. an inf(1, 0) default is a last resort, an explicit input replaces value and distance', () => {
    const d = new Dispatcher()
    d.addData({ id: 'c', defaultValue: 'default', initialDist: inf(1, 0) })
    d.addFunction({ id: 'f', fn: () => 'computed', inputs: ['a'], outputs: ['c'], weight: 100 })
    expect(d.dispatch({ a: 0 }).get('c')).toBe('computed')
    expect(d.dispatch({}).get('c')).toBe('default')
    expect(d.dispatch({ c: 'given' }).get('c')).toBe('given')
  })

  it('9. a sub-dispatcher starts from its own defaults minus the mapped inputs, and closes when its outputs are set', () => {
    const sub = new Dispatcher()
    sub.addData({ id: 'k', defaultValue: 10 })
    sub.addData({ id: 'p', defaultValue: 1 })
    sub.addFunction({ id: 'g', fn: (p: number, k: number) => p * k, inputs: ['p', 'k'], outputs: ['q'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, id: 'S', inputs: { x: 'p' }, outputs: { q: 'y' } })
    const sol = d.dispatch({ x: 3 })
    expect(sol.get('y')).toBe(30)
    expect([...sol.getSubSolution('S')!.entries()]).toEqual([
      ['p', 3],
      ['k', 10],
      ['q', 30],
    ])
  })

  it('10. wildcard: given a, recompute a', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['a'] })
    expect(entries(d, { a: 1 }, ['a'], { wildcard: true })).toEqual([
      ['b', 2],
      ['a', 20],
    ])
  })

  it('cycles: each node is computed once', () => {
    const calls: string[] = []
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => (calls.push('f'), a + 1), inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => (calls.push('g'), b + 1), inputs: ['b'], outputs: ['a'] })
    expect(entries(d, { a: 1 })).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(calls).toEqual(['f'])
  })

  describe('further traps, fixed on purpose', () => {
    it('re-adding a data node keeps its default and its waitInputs', () => {
      const d = new Dispatcher()
      d.addData({ id: 'a', defaultValue: 1, waitInputs: true, fn: (e) => Object.values(e)[0] })
      d.addData({ id: 'a', description: 'now documented' })
      expect(d.defaultValues.get('a')?.value).toBe(1)
      const a = d.getNode('a')
      expect(a.kind === 'data' && a.waitInputs).toBe(true)
      expect(a.description).toBe('now documented')
    })

    it('a string is never split into one-letter inputs', () => {
      const d = new Dispatcher()
      expect(() => d.addFunction({ id: 'f', fn: (x: number) => x, inputs: 'ab' as never, outputs: ['c'] })).toThrow(ModelError)
      expect(d.nodes.size).toBe(0)
    })

    it('includeDefaults leaves the child given untouched', () => {
      const sub = new Dispatcher()
      sub.addData({ id: 'k', defaultValue: 10 })
      sub.addFunction({ id: 'g', fn: (k: number) => k, inputs: ['k'], outputs: ['q'] })
      const d = new Dispatcher()
      d.addDispatcher({ dispatcher: sub, id: 'S', inputs: { k: 'k' }, outputs: { q: 'q' }, includeDefaults: true })
      expect(sub.defaultValues.get('k')?.value).toBe(10)
      expect(d.defaultValues.get('k')?.value).toBe(10)
      expect(d.dispatch().get('q')).toBe(10)
    })

    it('a negative weight is fine until it would re-reach a computed node: then "contradictory paths"', () => {
      const d = new Dispatcher()
      d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
      d.addFunction({ id: 'h', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'], outWeight: { c: -5 } })
      const sol = d.dispatch({ a: 1 })
      expect([...sol.entries()]).toEqual([
        ['a', 1],
        ['b', 1],
        ['c', 2],
      ])
      expect(sol.dist.get('c')).toBe(-2)
      // A negative-weight cycle back to the input a: schedula skips g silently, Flowmark says so.
      d.addFunction({ id: 'g', fn: (b: number) => b, inputs: ['b'], outputs: ['a'], outWeight: { a: -10 } })
      expect(() => d.dispatch({ a: 1 })).toThrow(/contradictory paths: 'a' was reached again at a shorter distance/)
      // Several outputs: the check runs after the call, on the outputs that were already final.
      const m = new Dispatcher()
      m.addData({ id: 'a', defaultValue: 1 })
      m.addFunction({ id: 'f', fn: (x: number) => x + 1, inputs: ['a'], outputs: ['b'], weight: -5 })
      m.addFunction({ id: 'g', fn: (x: number) => x + 1, inputs: ['b'], outputs: ['c'], weight: -5 })
      m.addFunction({ id: 'h', fn: (x: number) => [x, x], inputs: ['c'], outputs: ['b', 'e'], weight: -5 })
      expect(() => m.dispatch()).toThrow(expect.objectContaining({ nodeId: 'b' }))
    })

    it('a function or sub-dispatcher cannot be its own input or output (one id, one node)', () => {
      const d = new Dispatcher()
      expect(() => d.addFunction({ id: 'interest', fn: (a: number) => a, inputs: ['a'], outputs: ['interest'] })).toThrow(
        /the function id 'interest' is also one of its outputs/,
      )
      expect(d.nodes.size).toBe(0)
      const sub = new Dispatcher({ name: 'S' })
      sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
      expect(() => d.addDispatcher({ dispatcher: sub, inputs: { S: 'a' }, outputs: { b: 'y' } })).toThrow(
        /the sub-dispatcher id 'S' is also one of its inputs/,
      )
      expect(d.nodes.size).toBe(0)
    })

    it('errors show only the fields that are set', async () => {
      const { inspect } = await import('node:util')
      expect(inspect(new ModelError('plain'))).not.toContain('nodeId')
      expect(inspect(new ModelError('about a', { nodeId: 'a' }))).toContain("nodeId: 'a'")
    })

    it('dist lists START first, then nodes in visit order', () => {
      const d = new Dispatcher()
      d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
      expect([...d.dispatch({ a: 1 }).dist.keys()]).toEqual([START, 'a', 'f', 'b'])
    })
  })
})
