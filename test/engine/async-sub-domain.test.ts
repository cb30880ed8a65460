// dispatchAsync with async input domains on sub-dispatcher nodes: the search pauses on them, as the sync one decides.
import { describe, expect, it } from 'vitest'
import {
  Dispatcher,
  DispatcherAbort,
  DispatcherError,
  DispatchPipe,
  DispatchPipeAsync,
  TimeoutError,
  type Solution,
} from '../../engine/index.ts'
import { gate, tick } from './helpers/gate.ts'

type Domain = (inputs: Record<string, unknown>) => unknown

/**
 * `a` feeds two sub-dispatchers (`S` with the domain under test, then `T`) and a function after them in the
 * successor order, so the propagation has work left after the paused domain; `b` falls back to `slow` when `S`
 * says no or fails.
 */
function model(domain: Domain, raises = false): Dispatcher {
  const child = new Dispatcher({ name: 'child' })
  child.addFunction({ id: 'g', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
  const other = new Dispatcher({ name: 'other' })
  other.addFunction({ id: 'h', fn: (x: number) => x * 10, inputs: ['x'], outputs: ['y'] })
  const dsp = new Dispatcher({ raises })
  dsp.addDispatcher({ dispatcher: child, id: 'S', inputs: { a: 'x' }, outputs: { y: 'b' }, inputDomain: domain })
  dsp.addDispatcher({ dispatcher: other, id: 'T', inputs: { a: 'x' }, outputs: { y: 'c' } })
  dsp.addFunction({ id: 'slow', fn: (a: number) => a - 1, inputs: ['a'], outputs: ['b'], weight: 5 })
  dsp.addFunction({ id: 'sum', fn: (b: number, c: number) => b + c, inputs: ['b', 'c'], outputs: ['d'] })
  return dsp
}

/** What a solution says, timings aside. */
function view(sol: Solution): unknown {
  return {
    values: [...sol],
    dist: [...sol.dist],
    errors: [...sol.errors].map(([id, e]) => [id, e.kind, e.message]),
    workflow: [...sol.workflow.nodes.values()].map((n) => [n.id, n.visited, n.domain]),
    edges: sol.workflow.edges.map((e) => [e.from, e.to]),
    pipe: sol.pipe.map((s) => s.path.join('/')),
    subSolutions: [...sol.subSolutions].map(([id, s]) => [id, [...s]]),
  }
}

describe('dispatchAsync: async input domains of sub-dispatcher nodes', () => {
  for (const yes of [true, false]) {
    it(`waits for a domain that resolves to ${yes} and returns the synchronous solution`, async () => {
      const expected = view(model(() => yes).dispatch({ a: 3 }))
      for (const concurrency of [1, Infinity]) {
        expect(view(await model(async () => yes).dispatchAsync({ a: 3 }, null, { concurrency }))).toEqual(expected)
      }
      const sol = await model(async () => yes).dispatchAsync({ a: 3 })
      expect(sol.get('b')).toBe(yes ? 4 : 2)
      expect(sol.get('d')).toBe(yes ? 34 : 32)
      expect(sol.workflow.nodes.get('S')?.domain).toBe(yes ? true : undefined)
    })
  }

  it('passes the received inputs to the domain, as the synchronous dispatch does', async () => {
    const seen: unknown[] = []
    const record = (inputs: Record<string, unknown>) => (seen.push({ ...inputs }), true)
    model(record).dispatch({ a: 3 })
    await model(async (inputs) => record(inputs)).dispatchAsync({ a: 3 })
    expect(seen).toEqual([{ a: 3 }, { a: 3 }])
  })

  it('waits for a domain met by a wildcard input before the search starts', async () => {
    const make = (domain: Domain) => {
      const dsp = model(domain)
      dsp.addFunction({ id: 'back', fn: (d: number) => d, inputs: ['d'], outputs: ['a'] })
      return dsp
    }
    for (const yes of [true, false]) {
      const expected = view(make(() => yes).dispatch({ a: 3 }, ['a', 'd'], { wildcard: true }))
      expect(view(await make(async () => yes).dispatchAsync({ a: 3 }, ['a', 'd'], { wildcard: true }))).toEqual(expected)
    }
  })

  it('records a domain that rejects as the failure a throwing domain is, and takes the next path', async () => {
    const boom = new Error('no answer')
    const expected = view(
      model(() => {
        throw boom
      }).dispatch({ a: 3 }),
    )
    const rejected = await model(() => Promise.reject(boom)).dispatchAsync({ a: 3 })
    expect(view(rejected)).toEqual(expected)
    expect(rejected.get('b')).toBe(2)
    expect(rejected.errors.get('S')?.kind).toBe('sub-dispatcher domain')
    expect(rejected.errors.get('S')?.cause).toBe(boom)
  })

  it('records a domain that throws at once under dispatchAsync, as dispatch does', async () => {
    const throwing: Domain = () => {
      throw new Error('bad input')
    }
    const sol = await model(throwing).dispatchAsync({ a: 3 })
    expect(view(sol)).toEqual(view(model(throwing).dispatch({ a: 3 })))
    expect(sol.errors.get('S')?.message).toMatch(/bad input/)
  })

  it('records a domain that rejects later, while other calls run', async () => {
    const g = gate<boolean>()
    const run = model(() => g.promise).dispatchAsync({ a: 3 })
    await tick()
    g.fail(new Error('late'))
    const sol = await run
    expect(sol.get('b')).toBe(2)
    expect(sol.errors.get('S')?.message).toMatch(/late/)
  })

  it('stops the dispatch on a rejected domain when the dispatcher raises, as dispatch does', async () => {
    const boom = new Error('no answer')
    const syncErr = (() => {
      try {
        model(() => {
          throw boom
        }, true).dispatch({ a: 3 })
      } catch (e) {
        return e
      }
      return undefined
    })()
    const err = await model(async () => Promise.reject(boom), true)
      .dispatchAsync({ a: 3 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherError)
    expect((err as Error).message).toBe((syncErr as Error).message)
  })

  it('rejects with DispatcherAbort naming the node when aborted while the domain is pending', async () => {
    const ctl = new AbortController()
    const g = gate<boolean>()
    let asked = 0
    const run = model(() => (asked++, g.promise)).dispatchAsync({ a: 3 }, null, { signal: ctl.signal })
    await tick()
    expect(asked).toBe(1)
    ctl.abort('stop')
    const err = await run.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect((err as DispatcherAbort).cause).toBe('stop')
    expect((err as DispatcherAbort).message).toContain("'S'")
    expect([...(err as DispatcherAbort).solution!]).toEqual([['a', 3]])
    // A rejection after the abort is observed by the engine, not left unhandled.
    g.fail(new Error('too late'))
    await tick()
  })

  it('rejects with the dispatch timeout when the domain never answers', async () => {
    const err = await model(() => new Promise(() => {}))
      .dispatchAsync({ a: 3 }, null, { timeout: 5 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect((err as DispatcherAbort).cause).toBeInstanceOf(TimeoutError)
    expect((err as DispatcherAbort).message).toContain("'S'")
  })

  it('breaks a synchronous pipe at it (a promise is no yes); DispatchPipeAsync falls back to dispatchAsync', async () => {
    const dsp = model(async () => false)
    expect(() => DispatchPipe(dsp, { inputs: ['a'], outputs: ['b'] })(3)).toThrow(
      /broke at 'S'.*inputDomain of sub-dispatcher 'S' returned a promise.*`dispatchAsync`/,
    )
    const pipe = DispatchPipeAsync(dsp, { inputs: ['a'], outputs: ['b'], fallback: true })
    expect(await pipe(3)).toBe((await dsp.dispatchAsync({ a: 3 }, ['b'])).get('b'))
    expect(await pipe(3)).toBe(2)
  })

  it('pauses on a domain inside a sub-dispatcher too', async () => {
    const make = (domain: Domain) => {
      const outer = new Dispatcher({ name: 'outer' })
      outer.addDispatcher({ dispatcher: model(domain), id: 'M', inputs: { p: 'a' }, outputs: { d: 'q' } })
      outer.addFunction({ id: 'k', fn: (p: number) => -p, inputs: ['p'], outputs: ['r'] })
      return outer
    }
    for (const yes of [true, false]) {
      const expected = view(make(() => yes).dispatch({ p: 1 }))
      expect(view(await make(async () => yes).dispatchAsync({ p: 1 }, null, { concurrency: 1 }))).toEqual(expected)
    }
  })
})
