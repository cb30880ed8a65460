// Dispatch options and the Solution (schedula-engine.md §4.10–§4.18): outputs, wildcard, noCall, rmUnusedNodes,
// shrink, raises, stopper, and what a Solution exposes.
import { describe, expect, it } from 'vitest'
import { Dispatcher, DispatcherAbort, DispatcherError, NONE, NodeError, START, type Solution } from '../../engine/index.ts'

const entries = (sol: Solution) => [...sol.entries()]
const wfNodes = (sol: Solution) => [...sol.workflow.nodes.keys()]
const edges = (sol: Solution) => sol.workflow.edges.map((e) => [e.from, e.to])
const pipe = (sol: Solution) => sol.pipe.map((p) => (p.path.length === 1 ? p.nodeId : p.path))

describe('§4.10 outputs and termination', () => {
  const model = () => {
    const calls: string[] = []
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
    d.addFunction({ id: 'side', fn: () => (calls.push('side'), 0), inputs: ['a'], outputs: ['s'] })
    return { d, calls }
  }

  it('stops right after the last output is visited; non-ancestors never run', () => {
    const { d, calls } = model()
    const sol = d.dispatch({ a: 1 }, ['b'])
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(pipe(sol)).toEqual(['a', 'f', 'b'])
    expect(calls).toEqual([])
  })

  it('leaves unreachable outputs missing without an error; an unknown output only copies the inputs', () => {
    const { d } = model()
    const sol = d.dispatch({ a: 1 }, ['nope'])
    expect(entries(sol)).toEqual([['a', 1]])
    expect(sol.errors.size).toBe(0)
  })

  it('satisfies an output that is also an input with the input itself', () => {
    const { d } = model()
    const sol = d.dispatch({ a: 1, b: 7 }, ['b'])
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 7],
    ])
    expect(sol.workflow.nodes.has('f')).toBe(false)
  })
})

describe('§4.11 wildcard', () => {
  const model = () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['a'] })
    d.addFunction({ id: 'h', fn: (x: number) => x, inputs: ['x'], outputs: ['y'] })
    return d
  }

  it('without wildcard, inputs that are outputs are just returned', () => {
    expect(entries(model().dispatch({ a: 1, x: 5 }, ['a', 'x']))).toEqual([
      ['a', 1],
      ['x', 5],
    ])
  })

  it('recomputes inputs that are outputs: fed to successors but not stored', () => {
    expect(entries(model().dispatch({ a: 1, x: 5 }, ['a', 'x'], { wildcard: true }))).toEqual([
      ['b', 2],
      ['a', 20],
    ])
  })

  it("'producible' only recomputes inputs some function can produce (schedula's wildcard=2)", () => {
    expect(entries(model().dispatch({ a: 1, x: 5 }, ['a', 'x'], { wildcard: 'producible' }))).toEqual([
      ['x', 5],
      ['b', 2],
      ['a', 20],
    ])
  })

  it('a data node with wildcard: false opts out', () => {
    const d = model()
    d.addData({ id: 'a', wildcard: false })
    expect(entries(d.dispatch({ a: 1, x: 5 }, ['a', 'x'], { wildcard: true }))).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })

  it('is inactive without outputs', () => {
    expect(entries(model().dispatch({ a: 1 }, null, { wildcard: true }))).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })
})

describe('§4.12 noCall', () => {
  it('calls nothing, sets every reached data node to NONE and records the structural plan', () => {
    let called = 0
    const d = new Dispatcher()
    d.addData({ id: 'k', defaultValue: 3 })
    d.addFunction({
      id: 'f',
      fn: (...xs: number[]) => (called++, Math.max(...xs)),
      inputs: ['a', 'k'],
      outputs: ['b'],
      inputDomain: () => {
        called++
        return true
      },
      filters: [
        (v) => {
          called++
          return v
        },
      ],
    })
    const sol = d.dispatch(['a'], null, { noCall: true })
    expect(entries(sol)).toEqual([
      ['a', NONE],
      ['k', NONE],
      ['b', NONE],
    ])
    expect(edges(sol)).toEqual([
      [START, 'a'],
      [START, 'k'],
      ['a', 'f'],
      ['k', 'f'],
      ['f', 'b'],
    ])
    expect(sol.workflow.edges.every((e) => e.value === undefined)).toBe(true)
    expect(called).toBe(0)
  })

  it('does not prune the model to the ancestors of the outputs', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', inputs: ['a'], outputs: ['c'] })
    const sol = d.dispatch(['a'], ['b'], { noCall: true })
    expect(sol.has('b')).toBe(true)
    expect(wfNodes(sol)).toContain('g')
  })
})

describe('§4.13 rmUnusedNodes', () => {
  it('drops the functions that received inputs but never ran; keeps data nodes', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (_a: number, c: number) => c, inputs: ['a', 'c'], outputs: ['b'], weight: 5 })
    expect(wfNodes(d.dispatch({ a: 1, c: 2 }, ['b']))).toEqual([START, 'a', 'c', 'f', 'g', 'b'])
    expect(wfNodes(d.dispatch({ a: 1, c: 2 }, ['b'], { rmUnusedNodes: true }))).toEqual([START, 'a', 'c', 'f', 'b'])
  })
})

describe('§4.14 shrink', () => {
  it('searches the shrunk model: same results, a workflow without the nodes shrinking removed', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b, inputs: ['b'], outputs: ['c'] })
    d.addFunction({ id: 'h', fn: (a: number) => a, inputs: ['a'], outputs: ['x'] })
    const s1 = d.dispatch({ a: 1 })
    const s2 = d.dispatch({ a: 1 }, ['c'], { shrink: true })
    expect(entries(s1)).toEqual([
      ['a', 1],
      ['b', 1],
      ['x', 1],
      ['c', 1],
    ])
    expect(wfNodes(s1)).toEqual([START, 'a', 'f', 'h', 'b', 'x', 'g', 'c'])
    expect(entries(s2)).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ])
    expect(wfNodes(s2)).toEqual([START, 'a', 'f', 'b', 'g', 'c'])
  })
})

describe('§4.16 failures and raises', () => {
  const model = (raises?: boolean | ((e: unknown) => boolean)) => {
    const d = new Dispatcher(raises === undefined ? {} : { raises })
    d.addFunction({
      id: 'f',
      inputs: ['a'],
      outputs: ['b'],
      fn: (a: unknown) => {
        if (a === null) throw new TypeError('cannot convert null')
        const n = Number(a)
        if (Number.isNaN(n)) throw new RangeError(`not a number: ${JSON.stringify(a)}`)
        return n
      },
    })
    return d
  }

  it('records the failure and continues when raises is false (the default)', () => {
    for (const a of ['x', null]) {
      const sol = model().dispatch({ a })
      expect(entries(sol)).toEqual([['a', a]])
      expect([...sol.errors.keys()]).toEqual(['f'])
      const err = sol.errors.get('f')!
      expect(err).toBeInstanceOf(NodeError)
      expect(err.nodeId).toBe('f')
      expect(err.cause).toBeInstanceOf(a === null ? TypeError : RangeError)
      expect(err.message).toMatch(/^function 'f' failed: /)
    }
  })

  it('throws a DispatcherError with the node, the cause and the partial solution when raises is true', () => {
    let caught: unknown
    try {
      model(true).dispatch({ a: 'x' })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(DispatcherError)
    const err = caught as DispatcherError
    expect(err.nodeId).toBe('f')
    expect(err.cause).toBeInstanceOf(RangeError)
    expect(err.message).toContain("'f'")
    expect(entries(err.solution!)).toEqual([['a', 'x']])
  })

  it('asks a raises function whether to throw, per error', () => {
    const policy = (e: unknown) => e instanceof TypeError
    expect([...model(policy).dispatch({ a: 'x' }).errors.keys()]).toEqual(['f'])
    expect(() => model(policy).dispatch({ a: null })).toThrow(DispatcherError)
  })

  it('opens the alternative path: the next producer competes once the closer one failed', () => {
    const d = model()
    d.addFunction({ id: 'fallback', fn: () => -1, inputs: ['a'], outputs: ['b'], weight: 3 })
    const sol = d.dispatch({ a: 'x' })
    expect(sol.get('b')).toBe(-1)
    expect([...sol.errors.keys()]).toEqual(['f'])
  })

  it('records a callback failure without failing the node', () => {
    const d = new Dispatcher()
    d.addData({
      id: 'b',
      callback: () => {
        throw new Error('log full')
      },
    })
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
    const sol = d.dispatch({ a: 1 })
    expect(sol.get('c')).toBe(4)
    expect(sol.errors.get('b')?.kind).toBe('callback')
  })
})

describe('§4.17 stopper', () => {
  const model = () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    return d
  }

  it('aborts before the next function call with DispatcherAbort; the partial solution stays inspectable', () => {
    const d = model()
    const stopper = { isSet: () => true }
    let caught: unknown
    try {
      d.dispatch({ a: 1 }, null, { stopper })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(DispatcherAbort)
    expect(caught).not.toBeInstanceOf(DispatcherError)
    expect(entries(d.solution!)).toEqual([['a', 1]])
  })

  it('accepts an AbortSignal, from the options or the dispatcher', () => {
    const ctl = new AbortController()
    ctl.abort()
    expect(() => model().dispatch({ a: 1 }, null, { stopper: ctl.signal })).toThrow(DispatcherAbort)
    const d = new Dispatcher({ stopper: ctl.signal })
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(() => d.dispatch({ a: 1 })).toThrow(DispatcherAbort)
    expect(model().dispatch({ a: 1 }, null, { stopper: new AbortController().signal }).get('b')).toBe(2)
  })

  it('can stop a dispatch from inside a function, before the next call', () => {
    const ctl = new AbortController()
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => (ctl.abort(), a + 1), inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
    expect(() => d.dispatch({ a: 1 }, null, { stopper: ctl.signal })).toThrow(DispatcherAbort)
    expect(entries(d.solution!)).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })
})

describe('§4.18 the Solution', () => {
  it('exposes values, distances, workflow results, and is the dispatcher’s last solution', () => {
    const d = new Dispatcher({ name: 'm' })
    d.addData({ id: 'a', defaultValue: 1 })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (b: number) => b, inputs: ['b', 'q'], outputs: ['c'] })
    const sol = d.dispatch()
    expect(sol.outputs).toBeUndefined()
    expect([...sol.dist]).toEqual([
      [START, -1],
      ['a', 0],
      ['f', 1],
      ['b', 2],
    ])
    expect(wfNodes(sol)).toEqual([START, 'a', 'f', 'b', 'g'])
    expect(sol.workflow.nodes.get('f')?.results).toBe(1)
    expect(sol.workflow.nodes.get('g')?.visited).toBe(false)
    expect(d.solution).toBe(sol)
    expect(sol.toObject()).toEqual({ a: 1, b: 1 })
    expect(JSON.stringify(sol)).toBe('{"a":1,"b":1}')
  })

  it('lists the pipe with paths into sub-dispatchers, failures and distances', () => {
    const sub = new Dispatcher()
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, id: 'S', inputs: { x: 'a' }, outputs: { b: 'y' } })
    d.addFunction({
      id: 'f',
      fn: () => {
        throw new RangeError('division by zero')
      },
      inputs: ['y'],
      outputs: ['z'],
    })
    const sol = d.dispatch({ x: 1 })
    expect(pipe(sol)).toEqual(['x', ['S', 'a'], ['S', 'g'], ['S', 'b'], 'y', 'f'])
    const f = sol.pipe.at(-1)!
    expect(f.distance).toBe(3)
    expect(f.error?.cause).toBeInstanceOf(RangeError)
    expect(sol.getSubSolution('S')?.get('b')).toBe(1)
    expect(sol.subSolutions.get('S')?.path).toEqual(['S'])
  })

  it('prints like a Map in the REPL', async () => {
    const { inspect } = await import('node:util')
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(inspect(d.dispatch({ a: 1 }))).toBe("Solution(2) { 'a' => 1, 'b' => 2 }")
  })
})
