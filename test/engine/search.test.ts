// The dispatch search (schedula-engine.md §4.1–§4.9): initial values, distances, fringe order, nodes, sub-dispatchers.
import { describe, expect, it, vi } from 'vitest'
import {
  Dispatcher,
  DispatcherError,
  ModelError,
  NONE,
  NodeError,
  START,
  SINK,
  idText,
  inf,
  type Estimations,
  type NodeId,
  type Solution,
} from '../../engine/index.ts'

/** Captures what a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to throw')
}

const entries = (sol: Solution) => [...sol.entries()]
const dist = (sol: Solution) => [...sol.dist]
const edges = (sol: Solution) => sol.workflow.edges.map((e) => [e.from, e.to])
/** The pipe as schedula prints it: plain ids at the root, paths inside sub-dispatchers. */
const pipe = (sol: Solution) => sol.pipe.map((p) => (p.path.length === 1 ? p.nodeId : p.path))
const domains = (sol: Solution) =>
  Object.fromEntries([...sol.workflow.nodes].filter(([, n]) => n.domain !== undefined).map(([k, n]) => [k, n.domain]))
/** A function that throws, as Python's 1 / 0 does (1 / 0 is Infinity in JS). */
const divideByZero = (): never => {
  throw new RangeError('division by zero')
}

describe('§4.1 dispatch', () => {
  it('returns the solution and keeps it as `solution`', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(d.solution).toBe(sol)
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })

  it('keeps the partial solution in `solution` after a dispatch that throws', () => {
    const d = new Dispatcher({ raises: true })
    d.addFunction({ id: 'f', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    const err = thrown(() => d.dispatch({ a: 0 })) as DispatcherError
    expect(err).toBeInstanceOf(DispatcherError)
    expect([err.nodeId, err.cause]).toEqual(['f', expect.any(RangeError)])
    expect(err.solution).toBe(d.solution)
    expect(entries(d.solution!)).toEqual([['a', 0]])
  })

  it('accepts inputs as an object or a Map, and no inputs at all', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(entries(d.dispatch(new Map([['a', 1]])))).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(entries(d.dispatch())).toEqual([])
    expect(entries(d.dispatch(undefined, null))).toEqual([])
  })

  it('accepts a list of input ids only with noCall', () => {
    // schedula fails with Python's "dictionary update sequence element #0 …" ValueError.
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(() => d.dispatch(['a'])).toThrow(ModelError)
    expect(() => d.dispatch(['a'])).toThrow(/noCall/)
    expect(entries(d.dispatch(['a'], undefined, { noCall: true }))).toEqual([
      ['a', NONE],
      ['b', NONE],
    ])
  })

  it('rejects unknown options, naming the option and listing the valid ones', () => {
    const d = new Dispatcher()
    const err = thrown(() => d.dispatch({}, undefined, { inputs_dist: {} } as never)) as Error
    expect(err).toBeInstanceOf(ModelError)
    expect(err.message).toMatch(/unknown option `inputs_dist`.*Did you mean 'inputsDist'\?.*Valid options: inputsDist, wildcard, noCall/)
  })

  it('validates inputs, outputs and inputsDist', () => {
    const d = new Dispatcher()
    expect(() => d.dispatch(5 as never)).toThrow(/expected an object or a Map/)
    expect(() => d.dispatch({}, 'b' as never)).toThrow(/got the string "b"/)
    expect(() => d.dispatch({}, [1] as never)).toThrow(ModelError)
    expect(() => d.dispatch(new Map([[1, 1]]) as never)).toThrow(/key must be a string/)
    expect(() => d.dispatch({ a: 1 }, undefined, { inputsDist: { a: '1' } as never })).toThrow(/inputsDist of 'a'/)
    expect(() => d.dispatch({ a: 1 }, undefined, { inputsDist: { a: NaN } })).toThrow(/NaN/)
  })

  // schedula's `verbose` (a log of each function start and end) has no counterpart: ours never logs.
})

describe('§4.2 with outputs, only their ancestors are searched', () => {
  function chain() {
    const d = new Dispatcher()
    const f = vi.fn((a: number) => a + 1)
    const g = vi.fn((a: number) => a * 10)
    d.addFunction({ id: 'f', fn: f, inputs: ['a'], outputs: ['b'], weight: 5 })
    d.addFunction({ id: 'g', fn: g, inputs: ['a'], outputs: ['c'] })
    return { d, f, g }
  }

  it('never runs a function that is not an ancestor of an output, even if cheaper', () => {
    const { d, g } = chain()
    expect(entries(d.dispatch({ a: 1 }, ['b']))).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(g).not.toHaveBeenCalled()
  })

  it('copies inputs that are not nodes of the pruned model to the front of the solution', () => {
    const { d } = chain()
    expect(entries(d.dispatch({ a: 1, c: 7, zz: 0 }, ['b']))).toEqual([
      ['c', 7],
      ['zz', 0],
      ['a', 1],
      ['b', 2],
    ])
  })

  it('prunes everything for an unknown output', () => {
    const { d, f, g } = chain()
    expect(entries(d.dispatch({ a: 1 }, ['nope']))).toEqual([['a', 1]])
    expect(f).not.toHaveBeenCalled()
    expect(g).not.toHaveBeenCalled()
  })

  it('does not explore backwards through an input', () => {
    const d = new Dispatcher()
    const f = vi.fn((a: number) => a + 1)
    d.addFunction({ id: 'f', fn: f, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['c'] })
    // Without outputs, f (distance 1) beats the far input b (distance 10).
    expect(d.dispatch({ a: 1, b: 5 }, undefined, { inputsDist: { b: 10 } }).get('c')).toBe(20)
    f.mockClear()
    expect(entries(d.dispatch({ a: 1, b: 5 }, ['c'], { inputsDist: { b: 10 } }))).toEqual([
      ['a', 1],
      ['b', 5],
      ['c', 50],
    ])
    expect(f).not.toHaveBeenCalled()
  })

  it('prunes sub-dispatchers to what their kept outputs need', () => {
    const sub = new Dispatcher({ name: 'sub' })
    const g2 = vi.fn((a: number) => a * 2)
    sub.addFunction({ id: 'g1', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    sub.addFunction({ id: 'g2', fn: g2, inputs: ['a'], outputs: ['c'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y', c: 'z' }, id: 'S' })
    expect(entries(d.dispatch({ x: 1 }, ['y']))).toEqual([
      ['x', 1],
      ['y', 2],
    ])
    expect(g2).not.toHaveBeenCalled()
  })
})

describe('§4.3 initial values and distances', () => {
  it('starts defaults at their initial distance; an input replaces both value and distance', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1, initialDist: 10 })
    d.addFunction({ id: 'f', fn: (a: number) => ['from a', a], inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (c: number) => ['from c', c], inputs: ['c'], outputs: ['b'] })
    expect(d.dispatch({ c: 0 }).get('b')).toEqual(['from c', 0])
    expect(d.dispatch({ a: 5, c: 0 }).get('b')).toEqual(['from a', 5])
    expect(d.dispatch({ a: 5, c: 0 }, undefined, { inputsDist: { a: 10 } }).get('b')).toEqual(['from c', 0])
    expect(d.dispatch({ a: 5, c: 0 }).dist.get('a')).toBe(0)
    expect(d.dispatch({ c: 0 }).dist.get('a')).toBe(10)
  })

  it('uses an inf(1, 0) default only as a last resort', () => {
    const d = new Dispatcher()
    d.addData({ id: 'c', defaultValue: 0, initialDist: inf(1, 0) })
    d.addFunction({ id: 'max', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
    expect(entries(d.dispatch({ a: 1, b: 2 }))).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
    ])
    expect(entries(d.dispatch({ a: 1 }))).toEqual([
      ['a', 1],
      ['c', 0],
    ])
    expect(entries(d.dispatch({ a: 1, b: 2 }, undefined, { inputsDist: { a: inf(2, 0) } }))).toEqual([
      ['b', 2],
      ['c', 0],
      ['a', 1],
    ])
  })

  it('reports two-level distances as inf and plain ones as numbers', () => {
    const d = new Dispatcher()
    d.addData({ id: 'c', defaultValue: 0, initialDist: inf(1, 0) })
    d.addFunction({ id: 'f', fn: (c: number) => c, inputs: ['c'], outputs: ['e'] })
    expect(dist(d.dispatch({}))).toEqual([
      [START, -1],
      ['c', inf(1, 0)],
      ['f', inf(1, 1)],
      ['e', inf(1, 2)],
    ])
  })

  it('adds the initial values in the order of (distance, id text)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'x', defaultValue: 'x', initialDist: 1 })
    d.addData({ id: 'w', defaultValue: 'w' })
    d.addData({ id: 'v', defaultValue: 'v', initialDist: -1 })
    d.addData({ id: 'y' })
    d.addData({ id: 'z' })
    // x is an input (distance 0, its default's 1 is replaced); y is pushed to 0.5.
    expect([...d.dispatch({ z: 1, y: 2, x: 3 }, undefined, { inputsDist: { y: 0.5 } }).keys()]).toEqual(['v', 'w', 'x', 'z', 'y'])
    d.addFunction({ id: 'f', fn: () => 1, outputs: ['z'] }) // START joins at 0, as the text 'start'
    expect(pipe(d.dispatch({ y: 2 }))).toEqual(['v', START, 'w', 'y', 'x', 'f', 'z'])
  })

  it('adds one START edge per node, carrying the value that won (the input over the default)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1 })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 5 })
    expect(sol.workflow.edges.filter((e) => e.from === START)).toEqual([{ from: START, to: 'a', value: 5 }])
  })

  it('never visits a waiting input whose producer never delivers', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', waitInputs: true, fn: (est) => est })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ b: 1 })
    expect(entries(sol)).toEqual([])
    expect(dist(sol)).toEqual([[START, -1]])
  })

  it('copies inputs that are not nodes first, sorted by id (undefined values with noCall)', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(entries(d.dispatch({ zz: 1, a: 1, yy: 2 }))).toEqual([
      ['yy', 2],
      ['zz', 1],
      ['a', 1],
      ['b', 2],
    ])
    // schedula stores None for them; ours undefined.
    expect(entries(d.dispatch(['zz', 'a'], undefined, { noCall: true }))).toEqual([
      ['zz', undefined],
      ['a', NONE],
      ['b', NONE],
    ])
  })
})

describe('§4.4 edge lengths and the fringe order', () => {
  it('takes the shortest path and visits equal distances data first (slow/fast example)', () => {
    const d = new Dispatcher()
    const slow = vi.fn((a: number) => ['slow', a])
    d.addFunction({ id: 'slow', fn: slow, inputs: ['a'], outputs: ['b'], weight: 3 })
    d.addFunction({ id: 'fast', fn: (a: number) => ['fast', a], inputs: ['a'], outputs: ['c'] })
    d.addFunction({ id: 'fast2', fn: (c: unknown) => ['fast2', c], inputs: ['c'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['c', ['fast', 1]],
      ['b', ['fast2', ['fast', 1]]],
    ])
    expect(dist(sol)).toEqual([
      [START, -1],
      ['a', 0],
      ['fast', 1],
      ['c', 2],
      ['fast2', 3],
      ['b', 4],
      ['slow', 4],
    ])
    expect(edges(sol)).toEqual([
      [START, 'a'],
      ['a', 'fast'],
      ['fast', 'c'],
      ['c', 'fast2'],
      ['fast2', 'b'],
    ])
    // b (data) and slow (function) tie at 4: b goes first, so slow finds no open output and does not run.
    expect(slow).not.toHaveBeenCalled()
    expect(sol.workflow.nodes.has('slow')).toBe(false)
  })

  it('breaks ties by id text, not insertion order', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'zeta', fn: () => 'zeta', inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'alpha', fn: () => 'alpha', inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.get('b')).toBe('alpha')
    expect(pipe(sol)).toEqual(['a', 'alpha', 'zeta', 'b'])
  })

  it('compares id texts by code point (upper case before lower case)', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'a', fn: () => 'a', inputs: ['x'], outputs: ['b'] })
    d.addFunction({ id: 'B', fn: () => 'B', inputs: ['x'], outputs: ['b'] })
    const sol = d.dispatch({ x: 1 })
    expect([sol.get('b'), pipe(sol)]).toEqual(['B', ['x', 'B', 'a', 'b']])
  })

  // Was a bug found by these tests; fixed in the engine.
  it('compares id texts by code point beyond the BMP too', () => {
    const d = new Dispatcher()
    d.addFunction({ id: '\u{1F600}', fn: () => 'emoji', inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: '\u{FF21}', fn: () => 'fullwidth', inputs: ['a'], outputs: ['b'] })
    expect(d.dispatch({ a: 1 }).get('b')).toBe('fullwidth')
  })

  it('breaks ties of equal id text by node index (the string start before the START token)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'start', defaultValue: 's' })
    d.addFunction({ id: 'f', fn: () => 1, outputs: ['x'] }) // creates START after 'start'
    d.addFunction({ id: 'g', fn: (v: string) => v, inputs: ['start'], outputs: ['x'] })
    const sol = d.dispatch()
    expect(pipe(sol)).toEqual(['start', START, 'f', 'g', 'x'])
    expect(entries(sol)).toEqual([
      ['start', 's'],
      ['x', 1],
    ])
  })

  it('adds the weight of a function node to each of its input edges', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'], weight: 3 })
    expect(dist(d.dispatch({ a: 1 }))).toEqual([
      [START, -1],
      ['a', 0],
      ['f', 4],
      ['b', 5],
    ])
  })

  it('replaces the default length 1 with an edge weight, then adds the weight of the destination', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', weight: 5 })
    d.addFunction({
      id: 'f',
      fn: (a: number) => a,
      inputs: ['a'],
      outputs: ['b'],
      inpWeight: { a: 2 },
      weight: 0.5,
      outWeight: { b: 0.25 },
    })
    expect(dist(d.dispatch({ a: 1 }))).toEqual([
      [START, -1],
      ['a', 0],
      ['f', 2.5],
      ['b', 7.75],
    ])
  })

  it('costs a sub-dispatcher input edge inpWeight (default 0) plus the node weight', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'z' }, id: 'T', inpWeight: { x: 3 }, weight: 2 })
    const sol = d.dispatch({ x: 1 })
    expect(dist(sol)).toEqual([
      [START, -1],
      ['x', 0],
      ['S', 0],
      ['T', 5],
      ['y', 2],
      ['z', 7],
    ])
    expect(dist(sol.getSubSolution('T')!)).toEqual([
      [START, -1],
      ['a', 5],
      ['g', 6],
      ['b', 7],
    ])
  })

  it('visits a node once even when it is pushed several times', () => {
    const d = new Dispatcher()
    // far runs first and sees b at 11; near then sees it again at 2.5.
    d.addFunction({ id: 'far', fn: () => 'far', inputs: ['a'], outputs: ['b'], outWeight: { b: 10 } })
    d.addFunction({ id: 'near', fn: () => 'near', inputs: ['a'], outputs: ['b'], weight: 0.5 })
    const sol = d.dispatch({ a: 1 })
    expect(pipe(sol)).toEqual(['a', 'far', 'near', 'b'])
    expect([sol.get('b'), sol.dist.get('b')]).toEqual(['near', 2.5])
  })
})

describe('§4.5 main loop', () => {
  it('keeps a failed node visited and propagates nothing from it', () => {
    const d = new Dispatcher()
    const g = vi.fn((b: number) => b)
    d.addFunction({ id: 'f', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: g, inputs: ['b'], outputs: ['c'] })
    const sol = d.dispatch({ a: 1 })
    expect(dist(sol)).toEqual([
      [START, -1],
      ['a', 0],
      ['f', 1],
    ])
    expect(sol.workflow.nodes.get('f')!.visited).toBe(true)
    expect(g).not.toHaveBeenCalled()
  })

  it('records every visited node in the pipe, in visit order', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.pipe.map((p) => [p.nodeId, p.distance, p.error])).toEqual([
      ['a', 0, undefined],
      ['f', 1, undefined],
      ['b', 2, undefined],
    ])
    expect(sol.pipe[1]!.started).toBeTypeOf('number')
    expect(sol.pipe[0]!.started).toBeUndefined()
  })
})

describe('§4.6 computing a data node', () => {
  const sortedEstimations = (est: Estimations) =>
    (Reflect.ownKeys(est) as NodeId[]).sort((a, b) => (idText(a) < idText(b) ? -1 : 1)).map((k) => [k, est[k]])

  it('gives a waiting node every estimation, its default included, keyed by producer (START for the default)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', defaultValue: 10, waitInputs: true, fn: sortedEstimations })
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (a: number) => a + 2, inputs: ['a'], outputs: ['b'], weight: 5 })
    const sol = d.dispatch({ a: 1 })
    expect(sol.get('b')).toEqual([
      ['f', 2],
      ['g', 3],
      [START, 10],
    ])
    // The distance is that of the edge completing the set: g (at 6) + 1.
    expect(sol.dist.get('b')).toBe(7)
  })

  it('passes the estimations as a null-prototype object', () => {
    const d = new Dispatcher()
    let proto: unknown = 'not called'
    d.addData({ id: 'a', fn: (est) => ((proto = Object.getPrototypeOf(est)), est[START]) })
    expect(d.dispatch({ a: 1 }).get('a')).toBe(1)
    expect(proto).toBeNull()
  })

  it('fails a waiting node without a function (schedula: KeyError(function))', () => {
    const d = new Dispatcher()
    d.addData({ id: 'x', waitInputs: true })
    d.addFunction({ id: 'h', fn: (a: number) => a, inputs: ['a'], outputs: ['x'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.has('x')).toBe(false)
    expect(sol.errors.get('x')).toMatchObject({ nodeId: 'x', kind: 'data', path: ['x'] })
    expect(sol.errors.get('x')!.message).toMatch(/no function/)
  })

  it('keeps only the closest estimation of a node that does not wait; the others lose their edges', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', fn: (est) => Object.keys(est).sort() })
    d.addFunction({ id: 'f', fn: () => 'f', inputs: ['a'], outputs: ['b'], outWeight: { b: 5 } })
    d.addFunction({ id: 'g', fn: () => 'g', inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.get('b')).toEqual(['g'])
    expect(sol.workflow.edges.filter((e) => e.to === 'b').map((e) => [e.from, e.to])).toEqual([['g', 'b']])
  })

  it('breaks estimation ties by the smaller producer id', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', fn: (est) => Object.keys(est) })
    d.addFunction({ id: 'g', fn: () => 'g', inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'f', fn: () => 'f', inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.get('b')).toEqual(['f'])
    expect(sol.workflow.hasEdge('g', 'b')).toBe(false)
    expect(sol.workflow.hasEdge('f', 'b')).toBe(true)
  })

  it('applies the filters of data and function nodes in order, then the callback', () => {
    const d = new Dispatcher()
    const got: unknown[] = []
    d.addData({ id: 'b', filters: [(x) => (x as number) * 10], callback: (v) => got.push(v) })
    d.addFunction({
      id: 'f',
      fn: (a: number) => a + 1,
      inputs: ['a'],
      outputs: ['b'],
      filters: [(x) => (x as number) + 100, (x) => -(x as number)],
    })
    d.addData({ id: 'c', callback: divideByZero })
    d.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['c'] })
    const sol = d.dispatch({ a: 1 })
    expect(got).toEqual([-1020])
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', -1020],
      ['c', 1],
    ])
    expect([...sol.errors.keys()]).toEqual(['c'])
    expect(sol.errors.get('c')!.kind).toBe('callback')
    expect(sol.workflow.nodes.get('f')!.filterChain).toEqual([2, 102, -102])
    expect(sol.workflow.nodes.get('b')!.filterChain).toEqual([-102, -1020])
  })

  it('filters inputs and defaults too', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', filters: [(x) => (x as number) * 2] })
    d.addData({ id: 'k', defaultValue: 3, filters: [(x) => (x as number) + 1] })
    expect(entries(d.dispatch({ a: 1 }))).toEqual([
      ['a', 2],
      ['k', 4],
    ])
  })

  it('fails the node when its function or a filter throws: no value, nothing propagated', () => {
    const d = new Dispatcher()
    const h = vi.fn((b: number) => b)
    d.addData({ id: 'b', fn: divideByZero })
    d.addData({ id: 'c', filters: [(x) => x, divideByZero] })
    d.addFunction({ id: 'h', fn: h, inputs: ['b'], outputs: ['e'] })
    const sol = d.dispatch({ b: 1, c: 2 })
    expect(entries(sol)).toEqual([])
    expect([...sol.errors].map(([k, e]) => [k, e.kind, e.cause])).toEqual([
      ['b', 'data', expect.any(RangeError)],
      ['c', 'filter', expect.any(RangeError)],
    ])
    expect(h).not.toHaveBeenCalled()
  })

  it('does not store a NONE value but propagates it (functions then drop the argument)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', fn: () => NONE })
    d.addFunction({ id: 'h', fn: (...args: unknown[]) => args.length, inputs: ['b'], outputs: ['c'] })
    const sol = d.dispatch({ b: 1 })
    expect(entries(sol)).toEqual([['c', 0]])
    expect(sol.workflow.edge('b', 'h')!.value).toBe(NONE)
  })

  it('orders the solution by data visit order', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['z'] })
    d.addFunction({ id: 'g', fn: (z: number) => z, inputs: ['z'], outputs: ['b'] })
    d.addData({ id: 'y', defaultValue: 0, initialDist: 3 })
    expect([...d.dispatch({ a: 1 }).keys()]).toEqual(['a', 'z', 'y', 'b'])
  })
})

describe('§4.7 computing a function node', () => {
  it('skips a function whose domain is false, silently, and falls back on failures (log/boom/neg)', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'log', fn: Math.log, inputs: ['a'], outputs: ['b'], inputDomain: (a: number) => a > 0 })
    d.addFunction({ id: 'boom', fn: divideByZero, inputs: ['a'], outputs: ['b'], weight: 1 })
    d.addFunction({ id: 'neg', fn: (a: number) => -a, inputs: ['a'], outputs: ['b'], weight: 2 })
    const one = d.dispatch({ a: 1 })
    expect([entries(one), [...one.errors.keys()], domains(one)]).toEqual([
      [
        ['a', 1],
        ['b', 0],
      ],
      [],
      { log: true },
    ])
    const minus = d.dispatch({ a: -2 })
    expect([entries(minus), [...minus.errors.keys()], domains(minus)]).toEqual([
      [
        ['a', -2],
        ['b', 2],
      ],
      ['boom'],
      { log: false },
    ])
    expect(minus.errors.get('boom')).toMatchObject({ nodeId: 'boom', kind: 'function', path: ['boom'] })
    expect(minus.errors.get('boom')!.cause).toEqual(new RangeError('division by zero'))
  })

  it('drops NONE arguments and leaves an output unset for a NONE result element', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'count', fn: (...a: unknown[]) => a.length, inputs: ['a', 'b', 'c'], outputs: ['n'] })
    d.addFunction({ id: 'split', fn: (a: number) => [NONE, a], inputs: ['a'], outputs: ['p', 'q'] })
    expect(entries(d.dispatch({ a: 1, b: NONE, c: 3 }))).toEqual([
      ['a', 1],
      ['c', 3],
      ['n', 2],
      ['q', 1],
    ])
  })

  it('leaves an output unset for a NONE single result', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => NONE, inputs: ['a'], outputs: ['b'] })
    expect(entries(d.dispatch({ a: 1 }))).toEqual([['a', 1]])
  })

  it("zips several outputs with the result: a short or long result is the node's failure and sets nothing", () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'short', fn: () => [1], inputs: ['a'], outputs: ['b', 'c'] })
    d.addFunction({ id: 'long', fn: () => [1, 2, 3], inputs: ['a'], outputs: ['d', 'e'] })
    d.addFunction({ id: 'exact', fn: () => [1, 2], inputs: ['a'], outputs: ['f', 'g'] })
    const sol = d.dispatch({ a: 0 })
    expect(entries(sol)).toEqual([
      ['a', 0],
      ['f', 1],
      ['g', 2],
    ])
    expect([...sol.errors.keys()].sort()).toEqual(['long', 'short'])
  })

  it('spreads any iterable result over several outputs', () => {
    const d = new Dispatcher()
    d.addFunction({
      id: 'gen',
      fn: function* () {
        yield 'x'
        yield 'y'
      },
      inputs: ['a'],
      outputs: ['b', 'c'],
    })
    expect(entries(d.dispatch({ a: 0 }))).toEqual([
      ['a', 0],
      ['b', 'x'],
      ['c', 'y'],
    ])
  })

  it('throws a DispatcherError for a non-iterable result given several outputs', () => {
    // Deliberate difference 4: schedula lets a raw TypeError ('int' object is not iterable) escape.
    const d = new Dispatcher()
    d.addFunction({ id: 'bad', fn: () => 5, inputs: ['x'], outputs: ['y', 'z'] })
    const err = thrown(() => d.dispatch({ x: 0 })) as DispatcherError
    expect(err).toBeInstanceOf(DispatcherError)
    expect([err.nodeId, err.path]).toEqual(['bad', ['bad']])
    expect(err.message).toMatch(/not iterable/)
    expect(err.solution).toBe(d.solution)
  })

  it('runs a function while one of its outputs is only seen, never when all are visited (f/g/h)', () => {
    const d = new Dispatcher()
    const h = vi.fn(divideByZero)
    d.addFunction({ id: 'f', fn: () => 'f', inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'h', fn: h, inputs: ['a'], outputs: ['b'], weight: 5 })
    const sol = d.dispatch({ a: 1 })
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 'f'],
    ])
    expect([...sol.errors.keys()]).toEqual(['g'])
    expect([...sol.workflow.nodes.keys()]).toEqual([START, 'a', 'f', 'g', 'b'])
    expect([...sol.dist.keys()]).toEqual([START, 'a', 'f', 'g', 'b', 'h'])
    expect(h).not.toHaveBeenCalled()
  })

  it('passes the arguments in inputs order, an input listed twice twice', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (...args: unknown[]) => args, inputs: ['b', 'a', 'b'], outputs: ['c'] })
    expect(d.dispatch({ a: 1, b: 2 }).get('c')).toEqual([2, 1, 2])
  })

  it('calls the domain with the arguments minus NONE and keeps its answer in the workflow', () => {
    const d = new Dispatcher()
    const domain = vi.fn((...args: unknown[]) => args.length === 1)
    d.addFunction({ id: 'f', fn: (...args: unknown[]) => args, inputs: ['a', 'b'], outputs: ['c'], inputDomain: domain })
    const sol = d.dispatch({ a: NONE, b: 2 })
    expect(domain).toHaveBeenCalledWith(2)
    expect([sol.get('c'), sol.workflow.nodes.get('f')!.domain]).toEqual([[2], true])
  })

  it('throws a DispatcherError when a domain throws, whatever `raises` is', () => {
    // Deliberate difference 4: schedula lets the raw exception escape.
    const d = new Dispatcher({ raises: false })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'], inputDomain: divideByZero })
    const err = thrown(() => d.dispatch({ a: 1 })) as DispatcherError
    expect(err).toBeInstanceOf(DispatcherError)
    expect([err.nodeId, err.cause]).toEqual(['f', new RangeError('division by zero')])
  })

  it('keeps the filtered result in the workflow node', () => {
    const d = new Dispatcher()
    d.addFunction({
      id: 'f',
      fn: (a: number) => [a, a],
      inputs: ['a'],
      outputs: ['b', 'c'],
      filters: [(x) => (x as number[]).map((v) => v + 1)],
    })
    const sol = d.dispatch({ a: 1 })
    expect(sol.workflow.nodes.get('f')!.results).toEqual([2, 2])
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
    ])
  })

  it('never overwrites an output that is already visited', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => ['from f', 'c'], inputs: ['a'], outputs: ['b', 'c'] })
    const sol = d.dispatch({ a: 1, b: 'input' })
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 'input'],
      ['c', 'c'],
    ])
    expect(sol.workflow.hasEdge('f', 'b')).toBe(false)
  })
})

describe('§4.8 seeing a node', () => {
  it('schedules a function at the distance of its last arriving input; earlier input weights are ignored', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'], inpWeight: { a: 10 } })
    expect(dist(d.dispatch({ a: 1, b: 2 }))).toEqual([
      [START, -1],
      ['a', 0],
      ['b', 0],
      ['f', 1],
      ['c', 2],
    ])
    d.addFunction({ id: 'g', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['e'], inpWeight: { b: 10 } })
    expect(dist(d.dispatch({ a: 1, b: 2 }))).toEqual([
      [START, -1],
      ['a', 0],
      ['b', 0],
      ['f', 1],
      ['c', 2],
      ['g', 10],
      ['e', 11],
    ])
  })

  it('prefers a computed estimation over the input when both reached the node', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => 'from f', inputs: ['x'], outputs: ['a'], weight: 0.5, outWeight: { a: 2 } })
    const s = d.dispatch({ x: 0, a: 'input' }, undefined, { inputsDist: { a: 2 } })
    expect(s.get('a')).toBe('from f')
    expect(dist(s)).toEqual([
      [START, -1],
      ['x', 0],
      ['f', 1.5],
      ['a', 2],
    ])
  })

  it('throws a DispatcherError when a visited node is reached again at a shorter distance', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'm', fn: (a: number) => a, inputs: ['a', 'z'], outputs: ['a'] }) // first successor of a, never runs
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['a'], outWeight: { a: -10 } })
    d.addFunction({ id: 'h', fn: (b: number) => b, inputs: ['b'], outputs: ['c'], weight: 20 })
    const plain = thrown(() => d.dispatch({ a: 1 })) as DispatcherError
    expect(plain.message).toMatch(/contradictory paths: 'a' was reached again/)
    expect(plain.nodeId).toBe('a') // g, at -7, would reach the input a (final at 0); schedula skips g silently
    const err = thrown(() => d.dispatch({ a: 1 }, ['a', 'c'], { wildcard: true })) as DispatcherError
    expect(err).toBeInstanceOf(DispatcherError)
    expect(err.message).toMatch(/contradictory paths/)
    expect(err.nodeId).toBe('f') // a, recomputed at -7, re-reaches f (visited at 1)
  })

  it('never computes a waiting data node when one of its producers fails', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', waitInputs: true, fn: (est) => Object.keys(est) })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    const sol = d.dispatch({ a: 1 })
    expect(entries(sol)).toEqual([['a', 1]])
    expect(sol.dist.has('b')).toBe(false)
  })

  it('makes SINK wait for every function without outputs and collect their results', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => 1 })
    d.addFunction({ id: 'h', fn: () => 3 })
    expect(entries(d.dispatch())).toEqual([[SINK, { f: 1, h: 3 }]])
    d.addFunction({ id: 'g', fn: divideByZero })
    const sol = d.dispatch()
    expect([entries(sol), [...sol.errors.keys()]]).toEqual([[], ['g']])
  })

  it('never runs a function one of whose inputs is missing', () => {
    const d = new Dispatcher()
    const f = vi.fn((a: number, b: number) => a + b)
    d.addFunction({ id: 'f', fn: f, inputs: ['a', 'b'], outputs: ['c'] })
    const sol = d.dispatch({ a: 1 })
    expect(dist(sol)).toEqual([
      [START, -1],
      ['a', 0],
    ])
    expect(f).not.toHaveBeenCalled()
  })
})

describe('§4.9 sub-dispatcher nodes', () => {
  function scaled() {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'k', defaultValue: 10 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    d.addFunction({ id: 'h', fn: (y: number) => y + 1, inputs: ['y'], outputs: ['z'] })
    return d
  }

  it('starts the child from its defaults, shares the fringe and sends outputs back at the child distance', () => {
    const sol = scaled().dispatch({ x: 2 })
    expect(entries(sol)).toEqual([
      ['x', 2],
      ['y', 20],
      ['z', 21],
    ])
    expect(dist(sol)).toEqual([
      [START, -1],
      ['x', 0],
      ['S', 0],
      ['y', 2],
      ['h', 3],
      ['z', 4],
    ])
    expect(pipe(sol)).toEqual(['x', ['S', 'a'], ['S', 'k'], ['S', 'g'], ['S', 'b'], 'y', 'h', 'z'])
    expect([...sol.subSolutions.keys()]).toEqual(['S'])
    const child = sol.getSubSolution('S')!
    expect(entries(child)).toEqual([
      ['a', 2],
      ['k', 10],
      ['b', 20],
    ])
    expect(sol.workflow.nodes.get('S')!.solution).toBe(child)
    expect(child.path).toEqual(['S'])
  })

  it('adds the parent workflow edges x → S and S → y carrying the values', () => {
    const sol = scaled().dispatch({ x: 2 })
    expect(sol.workflow.edges.map((e) => [e.from, e.to, e.value])).toEqual([
      [START, 'x', 2],
      ['x', 'S', 2],
      ['S', 'y', 20],
      ['y', 'h', 20],
      ['h', 'z', 21],
    ])
  })

  it('re-runs the domain with every input received so far until it accepts', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    const d = new Dispatcher()
    const seen: string[][] = []
    d.addDispatcher({
      dispatcher: sub,
      inputs: { x: 'a', y: 'b' },
      outputs: { c: 'z' },
      id: 'S',
      inputDomain: (kw) => (seen.push(Object.keys(kw).sort()), 'y' in kw),
    })
    const sol = d.dispatch({ x: 1, y: 2 })
    expect(entries(sol)).toEqual([
      ['x', 1],
      ['y', 2],
      ['z', 3],
    ])
    expect(seen).toEqual([['x'], ['x', 'y']])
    expect(sol.workflow.nodes.get('S')!.domain).toBe(true)
  })

  it('checks the domain until it accepts, then feeds later inputs without checking again', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    const d = new Dispatcher()
    const seen: string[][] = []
    d.addDispatcher({
      dispatcher: sub,
      inputs: { x: 'a', y: 'b' },
      outputs: { c: 'z' },
      id: 'S',
      inputDomain: (kw) => (seen.push(Object.keys(kw)), true),
    })
    const sol = d.dispatch({ x: 1, y: 2 }, undefined, { inputsDist: { y: 3 } })
    expect(entries(sol)).toEqual([
      ['x', 1],
      ['y', 2],
      ['z', 3],
    ])
    expect(seen).toEqual([['x']])
    // Each fed value is a START edge of the child, at the distance it was fed.
    const child = sol.getSubSolution('S')!
    expect(child.workflow.edges.filter((e) => e.from === START).map((e) => [e.to, e.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(dist(child)).toEqual([
      [START, -1],
      ['a', 0],
      ['b', 3],
      ['g', 4],
      ['c', 5],
    ])
  })

  it('orders child defaults after data nodes at the same distance (flag 2)', () => {
    const sub = new Dispatcher()
    sub.addData({ id: 'k', defaultValue: 10 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    d.addFunction({ id: 'h', fn: (zz: number) => zz, inputs: ['zz'], outputs: ['w'] })
    // S/a (fed, flag 0) goes before zz by id; the default S/k (flag 2) after it.
    expect(pipe(d.dispatch({ x: 1, zz: 0 }))).toEqual(['x', ['S', 'a'], 'zz', ['S', 'k'], ['S', 'g'], 'h', ['S', 'b'], 'w', 'y'])
  })

  it('orders a parent node reached from a child output after the data and function nodes at its distance', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    d.addFunction({ id: 'f', fn: (x: number) => x, inputs: ['x'], outputs: ['zz'] })
    d.addFunction({ id: 'e', fn: (x: number) => x, inputs: ['x'], outputs: ['a'] })
    const sol = d.dispatch({ x: 1 })
    // Functions at 1 in id order across levels (e, f, S/g); then data at 2 (a, S/b, zz), y (flag 2) last.
    expect(pipe(sol)).toEqual(['x', ['S', 'a'], 'e', 'f', ['S', 'g'], 'a', ['S', 'b'], 'zz', 'y'])
    // S enters `dist` when it is fed, so `dist` is not exactly the visit order.
    expect(dist(sol)).toEqual([
      [START, -1],
      ['x', 0],
      ['S', 0],
      ['e', 1],
      ['f', 1],
      ['a', 2],
      ['zz', 2],
      ['y', 2],
    ])
  })

  it('does not feed a parent node back into the sub-dispatcher that produced it', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a', y: 'b' }, outputs: { b: 'y' }, id: 'S' })
    const sol = d.dispatch({ x: 1 })
    expect(entries(sol)).toEqual([
      ['x', 1],
      ['y', 2],
    ])
    expect(edges(sol)).toEqual([
      [START, 'x'],
      ['x', 'S'],
      ['S', 'y'],
    ])
    expect(edges(sol.getSubSolution('S')!)).toEqual([
      [START, 'a'],
      ['a', 'g'],
      ['g', 'b'],
    ])
  })

  it('passes the domain a null-prototype object of parent ids', () => {
    const sub = new Dispatcher()
    sub.addData({ id: 'a' })
    const d = new Dispatcher()
    let received: Record<NodeId, unknown> | undefined
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { a: 'y' }, inputDomain: (kw) => ((received = kw), true) })
    d.dispatch({ x: 1 })
    expect(Object.getPrototypeOf(received)).toBeNull()
    expect({ ...received }).toEqual({ x: 1 })
  })

  it('records a domain that throws as a failure and treats it as false', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S', inputDomain: divideByZero })
    const sol = d.dispatch({ x: 1 })
    expect(entries(sol)).toEqual([['x', 1]])
    expect(sol.errors.get('S')).toMatchObject({ nodeId: 'S', kind: 'sub-dispatcher domain' })
    expect(sol.subSolutions.size).toBe(0)
  })

  it('closes the child once every parent output is visited (g2 never runs)', () => {
    const sub = new Dispatcher()
    const g2 = vi.fn((b: number) => b)
    sub.addFunction({ id: 'g1', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    sub.addFunction({ id: 'g2', fn: g2, inputs: ['b'], outputs: ['c'], weight: 10 })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { c: 'y' }, id: 'S' })
    d.addFunction({ id: 'fast', fn: () => 'fast', inputs: ['x'], outputs: ['y'] })
    const sol = d.dispatch({ x: 1 })
    expect(entries(sol)).toEqual([
      ['x', 1],
      ['y', 'fast'],
    ])
    expect(entries(sol.getSubSolution('S')!)).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(pipe(sol)).toEqual(['x', ['S', 'a'], 'fast', ['S', 'g1'], ['S', 'b'], 'y'])
    expect(g2).not.toHaveBeenCalled()
  })

  it('closes the child once it reaches all its targets', () => {
    const sub = new Dispatcher()
    const g3 = vi.fn((b: number) => b)
    sub.addFunction({ id: 'g1', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    sub.addFunction({ id: 'g3', fn: g3, inputs: ['b'], outputs: ['c'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    d.addFunction({ id: 'slow', fn: (x: number) => x, inputs: ['x'], outputs: ['w'], weight: 10 })
    const sol = d.dispatch({ x: 1 })
    expect(entries(sol)).toEqual([
      ['x', 1],
      ['y', 2],
      ['w', 1],
    ])
    expect(g3).not.toHaveBeenCalled()
  })

  it('never starts a child that is not fed: its defaults are not used', () => {
    const d = scaled()
    const sol = d.dispatch({ q: 1 })
    expect(entries(sol)).toEqual([['q', 1]])
    expect(sol.subSolutions.size).toBe(0)
    expect(sol.dist.has('S')).toBe(false)
  })

  it('does not use the child default of a mapped input', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'k', defaultValue: 100 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a + k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a', kk: 'k' }, outputs: { b: 'y' }, id: 'S' })
    const sol = d.dispatch({ x: 1 })
    expect(entries(sol)).toEqual([['x', 1]])
    expect(entries(sol.getSubSolution('S')!)).toEqual([['a', 1]])
    expect(entries(d.dispatch({ x: 1, kk: 2 }))).toEqual([
      ['kk', 2],
      ['x', 1],
      ['y', 3],
    ])
  })

  it('feeds one parent input to several child ids and one child output to several parent ids', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a + k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: ['a', 'k'] }, outputs: { b: ['y1', 'y2'] }, id: 'S' })
    expect(entries(d.dispatch({ x: 1 }))).toEqual([
      ['x', 1],
      ['y1', 2],
      ['y2', 2],
    ])
  })

  it('never overwrites a parent node that is already visited', () => {
    const d = scaled()
    const sol = d.dispatch({ x: 2, y: 'input' })
    expect(entries(sol)).toEqual([
      ['x', 2],
      ['y', 'input'],
      ['z', 'input1'],
    ])
    expect(sol.workflow.hasEdge('S', 'y')).toBe(false)
  })

  it('records child failures in the sub-solution, with their path', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    const sol = d.dispatch({ x: 1 })
    expect(sol.errors.size).toBe(0)
    const err = sol.getSubSolution('S')!.errors.get('g')!
    expect(err).toBeInstanceOf(NodeError)
    expect([err.nodeId, err.path]).toEqual(['g', ['S', 'g']])
    expect(sol.pipe.find((p) => p.nodeId === 'g')).toMatchObject({ path: ['S', 'g'], error: err })
  })

  it('applies the raises policy of each dispatcher: a raising child aborts the whole dispatch', () => {
    const sub = new Dispatcher({ raises: true })
    sub.addFunction({ id: 'g', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher({ raises: false })
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    const err = thrown(() => d.dispatch({ x: 1 })) as DispatcherError
    expect(err).toBeInstanceOf(DispatcherError)
    expect([err.nodeId, err.path]).toEqual(['g', ['S', 'g']])
    expect(err.solution).toBe(d.solution)
  })

  it('records a child failure when only the parent raises', () => {
    const sub = new Dispatcher({ raises: false })
    sub.addFunction({ id: 'g', fn: divideByZero, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher({ raises: true })
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    expect(entries(d.dispatch({ x: 1 }))).toEqual([['x', 1]])
  })

  it('collects SINK results in the child when mapped', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number) => a * 2, inputs: ['a'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: new Map([[SINK, 'res']]), id: 'S' })
    expect(d.dispatch({ x: 2 }).get('res')).toEqual({ g: 4 })
  })
})
