// Regression tests for engine problems found while composing: quadratic sub-models, a path lost by shrinkDsp, a
// waiting input fed by a silent sub-dispatcher (schedula's semantics, pinned), and the fixed cost of small dispatches.
import { describe, expect, it } from 'vitest'
import { Dispatcher, DispatcherAbort, START, SubDispatchFunction } from '../../engine/index.ts'

describe('1. sub-model extraction around nodes with many successors (bench/sub-models.ts measures that it is linear)', () => {
  // The 16,000-successor models are in regressions-scale.test.ts (integration tests).
  it('materialise copies an edge listed twice once', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const s = d.getSubDspFromWorkflow(['a'], { graph: 'model' })
    expect(s.edges.map((e) => [e.from, e.to])).toEqual([
      ['a', 'f'],
      ['f', 'b'],
    ])
  })
})

describe('2. shrinkDsp keeps what a sub-dispatcher needs to produce an output from its own defaults', () => {
  const model = () => {
    const child = new Dispatcher({ name: 'child' })
    child.addData({ id: 'k', defaultValue: 7 })
    child.addData({ id: 'p' })
    const parent = new Dispatcher({ name: 'parent' })
    parent.addDispatcher({ dispatcher: child, id: 'S', inputs: { x: 'p' }, outputs: { k: 'y' } })
    return parent
  }

  it('the repro: y comes from the child default k, the child starts only when x arrives', () => {
    const parent = model()
    expect(parent.dispatch({ x: 1 }, ['y']).get('y')).toBe(7)
    const shrunk = parent.shrinkDsp(['x'], ['y'])
    expect(shrunk.edges.map((e) => [e.from, e.to])).toEqual([
      ['S', 'y'],
      ['x', 'S'],
    ])
    const s = shrunk.getNode('S')
    expect(s.kind === 'dispatcher' && [...s.inputs]).toEqual([['x', ['p']]])
    expect(shrunk.dispatch({ x: 1 }).get('y')).toBe(7)
    expect(parent.dispatch({ x: 1 }, ['y'], { shrink: true }).get('y')).toBe(7)
    expect(SubDispatchFunction(parent, { inputs: ['x'], outputs: ['y'] })(1)).toBe(7)
  })

  it('a child path from a default through a function survives too, at the same distance', () => {
    const child = new Dispatcher({ name: 'child' })
    child.addData({ id: 'k', defaultValue: 7 })
    child.addFunction({ id: 'h', fn: (k: number) => k * 3, inputs: ['k'], outputs: ['m'] })
    child.addFunction({ id: 'unused', fn: (p: number) => p, inputs: ['p'], outputs: ['q'] })
    const parent = new Dispatcher({ name: 'parent' })
    parent.addFunction({ id: 'inc', fn: (w: number) => w + 1, inputs: ['w'], outputs: ['x'] })
    parent.addDispatcher({ dispatcher: child, id: 'S', inputs: { x: 'p' }, outputs: { m: 'y', q: 'z' } })
    const full = parent.dispatch({ w: 1 }, ['y'])
    const shrunk = parent.shrinkDsp(['w'], ['y'])
    const sol = shrunk.dispatch({ w: 1 })
    expect(sol.get('y')).toBe(21)
    expect(sol.dist.get('y')).toBe(full.dist.get('y'))
    const s = shrunk.getNode('S')
    if (s.kind !== 'dispatcher') throw new Error('S is not a sub-dispatcher')
    expect([...s.dispatcher.nodes.keys()].sort()).toEqual(['h', 'k', 'm', 'p'])
    expect([...s.outputs]).toEqual([['m', ['y']]])
  })
})

describe('3. a waiting input fed by a sub-dispatcher that never delivers (schedula semantics, not a bug)', () => {
  // randomModel(148) in compose.test.ts: `d2` is a wait-inputs node given as input; one of its producers is a
  // sub-dispatcher mapping a child node that nothing computes. A wait-inputs node, input or not, is visited only once
  // every model predecessor has sent it a value (schedula-engine.md §4.3 step 5, §4.8 step 2): so it is never
  // visited, as in schedula (`_add_initial_value` pushes an input only when `check_wait_in` is false).
  const model = (childDefault: boolean) => {
    const child = new Dispatcher({ name: 'child' })
    child.addData({ id: 'p' })
    child.addData({ id: 'k', ...(childDefault ? { defaultValue: 7 } : {}) })
    const d = new Dispatcher({ name: 'parent' })
    d.addData({ id: 'y', waitInputs: true, fn: (est: Record<string, unknown>) => Object.keys(est).sort() })
    d.addFunction({ id: 'f', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
    d.addDispatcher({ dispatcher: child, id: 'S', inputs: { x: 'p' }, outputs: { k: 'y' } })
    return d
  }

  it('the waiting input is not visited while the sub-dispatcher stays silent', () => {
    const sol = model(false).dispatch({ x: 1, y: 5 })
    expect(sol.has('y')).toBe(false)
    expect(sol.dist.has('y')).toBe(false)
    expect([...sol.dist.keys()]).toEqual([START, 'x', 'S', 'f'])
    expect(sol.workflow.hasEdge('f', 'y')).toBe(true)
    expect(sol.workflow.hasEdge('S', 'y')).toBe(false)
  })

  it('once the sub-dispatcher delivers, the waiting input is computed from every estimate', () => {
    const sol = model(true).dispatch({ x: 1, y: 5 })
    expect(sol.get('y')).toEqual(['S', 'f'])
    expect(sol.workflow.hasEdge(START, 'y')).toBe(true)
  })

  it('without wait-inputs the input is kept and a child output never overwrites it (§4.9)', () => {
    const d = model(true)
    d.addData({ id: 'y', waitInputs: false, fn: (est: Record<PropertyKey, unknown>) => est[START] })
    const sol = d.dispatch({ x: 1, y: 5 })
    expect(sol.get('y')).toBe(5)
    expect(sol.workflow.hasEdge('S', 'y')).toBe(false)
  })

  it('a child output never flows back into a parent node that is also an input of the same sub-dispatcher', () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'dbl', fn: (p: number) => p * 2, inputs: ['p'], outputs: ['q'] })
    const d = new Dispatcher()
    d.addFunction({ id: 'mk', fn: (w: number) => w + 1, inputs: ['w'], outputs: ['x'] })
    d.addDispatcher({ dispatcher: child, id: 'S', inputs: { x: 'p' }, outputs: { q: 'x', p: 'echo' } })
    const sol = d.dispatch({ w: 1 })
    expect(sol.get('x')).toBe(2)
    expect(sol.get('echo')).toBe(2)
    expect(sol.workflow.hasEdge('S', 'x')).toBe(false)
  })
})

describe('4. the pooled search state of small dispatches is safe (bench/small.ts measures their cost)', () => {
  const small = () => {
    const d = new Dispatcher({ name: 'small' })
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
    return d
  }

  it('a dispatch inside a function (nested run) and a failing one leave earlier solutions intact', () => {
    const inner = small()
    const outer = new Dispatcher({ name: 'outer' })
    outer.addFunction({ id: 'nested', fn: (v: number) => inner.dispatch({ a: v }).get('c'), inputs: ['v'], outputs: ['w'] })
    outer.addFunction({ id: 'then', fn: (w: number) => w + 100, inputs: ['w'], outputs: ['z'] })
    const first = outer.dispatch({ v: 1 })
    expect(first.toObject()).toEqual({ v: 1, w: 4, z: 104 })
    const aborted = new Dispatcher({ name: 'aborting', stopper: { aborted: true, reason: 'stop' } as AbortSignal })
    aborted.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    expect(() => aborted.dispatch({ a: 1 })).toThrow(DispatcherAbort)
    const second = outer.dispatch({ v: 2 })
    expect(second.toObject()).toEqual({ v: 2, w: 6, z: 106 })
    // The first solution still reads its own run: values, distances and visit order.
    expect(first.toObject()).toEqual({ v: 1, w: 4, z: 104 })
    expect(first.pipe.map((p) => p.nodeId)).toEqual(['v', 'nested', 'w', 'then', 'z'])
    expect([...first.dist.keys()]).toEqual([START, 'v', 'nested', 'w', 'then', 'z'])
  })
})

describe('5. hostile input found by probing (issue #15)', () => {
  it('a function that dispatches its own model leaves dsp.solution at the outer solution', () => {
    const d = new Dispatcher({ name: 'countdown' })
    d.addFunction({
      id: 'f',
      fn: (x: number): number => (x > 0 ? (d.dispatch({ a: x - 1 }).get('b') as number) + 1 : 0),
      inputs: ['a'],
      outputs: ['b'],
    })
    const sol = d.dispatch({ a: 3 })
    expect(sol.get('b')).toBe(3)
    expect(d.solution).toBe(sol)
    expect(d.solution?.get('a')).toBe(3)
  })
  // One function with 20 000 inputs or outputs: in regressions-scale.test.ts (integration tests).
})
