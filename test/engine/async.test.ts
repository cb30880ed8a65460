// dispatchAsync: concurrency, cancellation, timeouts, critical nodes, async domains, context, events, option checks.
import { describe, expect, it } from 'vitest'
import {
  Dispatcher,
  DispatcherAbort,
  DispatcherError,
  DispatchPipe,
  DispatchPipeAsync,
  MapDispatchAsync,
  SubDispatchPipeAsync,
  ModelError,
  SubDispatchAsync,
  SubDispatchFunctionAsync,
  TimeoutError,
  type DispatchEvent,
  type Executor,
  type NodeContext,
  type Solution,
} from '../../engine/index.ts'
import { gate, tick } from './helpers/gate.ts'

describe('dispatchAsync', () => {
  it('awaits async functions and returns what the sync dispatch of sync twins returns', async () => {
    const make = (wrap: (f: (x: number) => number) => (x: number) => unknown) => {
      const dsp = new Dispatcher()
      dsp.addFunction({ id: 'inc', fn: wrap((a) => a + 1), inputs: ['a'], outputs: ['b'] })
      dsp.addFunction({ id: 'dbl', fn: wrap((a) => a * 2), inputs: ['a'], outputs: ['c'] })
      dsp.addFunction({ id: 'add', fn: (b: number, c: number) => b + c, inputs: ['b', 'c'], outputs: ['d'] })
      return dsp
    }
    const sync = make((f) => f).dispatch({ a: 3 })
    const sol = await make((f) => async (x) => f(x)).dispatchAsync({ a: 3 })
    expect([...sol]).toEqual([...sync])
    expect([...sol]).toEqual([
      ['a', 3],
      ['b', 4],
      ['c', 6],
      ['d', 10],
    ])
    expect([...sol.workflow.nodes.keys()]).toEqual([...sync.workflow.nodes.keys()])
  })

  it('starts calls whose inputs are final side by side, and commits them in the synchronous order', async () => {
    const gates = { f: gate<number>(), g: gate<number>() }
    const started: string[] = []
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: () => (started.push('f'), gates.f.promise), inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'g', fn: () => (started.push('g'), gates.g.promise), inputs: ['a'], outputs: ['c'] })
    const run = dsp.dispatchAsync({ a: 1 })
    await tick()
    expect(started).toEqual(['f', 'g']) // both running before either finished
    gates.g.open(20) // g settles first …
    await tick()
    gates.f.open(10)
    const sol = await run
    expect([...sol.keys()]).toEqual(['a', 'b', 'c']) // … yet the solution keeps the synchronous order
  })

  it('never runs more than `concurrency` calls at once', async () => {
    let running = 0
    let most = 0
    const dsp = new Dispatcher()
    for (let i = 0; i < 12; i++) {
      dsp.addFunction({
        id: `f${i}`,
        inputs: ['a'],
        outputs: [`y${i}`],
        fn: async (a: number) => {
          running++
          most = Math.max(most, running)
          await tick()
          running--
          return a + i
        },
      })
    }
    for (const concurrency of [1, 3, Infinity]) {
      most = 0
      const sol = await dsp.dispatchAsync({ a: 0 }, null, { concurrency })
      expect(sol.size).toBe(13)
      expect(most).toBe(concurrency === Infinity ? 12 : concurrency)
    }
  })

  it('counts function nodes in the window, not data-node functions (they run at their visit)', async () => {
    let running = 0
    const seen: Record<string, number> = {}
    const busy =
      (id: string) =>
      async <T>(x: T): Promise<T> => {
        running++
        seen[id] = running
        await tick()
        await tick()
        running--
        return x
      }
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: busy('f'), inputs: ['a'], outputs: ['c'] })
    dsp.addFunction({ id: 'g', fn: busy('g'), inputs: ['b'], outputs: ['d'] })
    dsp.addData({ id: 'b', fn: busy('b-data') }) // its value passes through an async data-node function
    const sol = await dsp.dispatchAsync({ a: 1, b: 2 }, null, { concurrency: 1 })
    expect(sol.get('c')).toBe(1)
    expect(sol.has('d')).toBe(true) // g ran on b's value (the data function's estimations)
    // f starts early once `a` is final (the window's one call); `b`'s data function runs at b's visit beside it …
    expect(seen['b-data']).toBe(2)
    // … while g, a second function, had to wait for the window: it never ran beside f
    expect(seen['g']).toBe(1)
  })

  it('fails an async node in the synchronous dispatch with a message naming dispatchAsync', () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: async () => 1, inputs: ['a'], outputs: ['b'] })
    const err = dsp.dispatch({ a: 1 }).errors.get('f')
    expect(err?.message).toContain('dispatchAsync')
  })

  it('stops the synchronous dispatch and pipes when a function input domain returns a promise, naming dispatchAsync', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'], inputDomain: async () => false })
    const message = /input domain of 'f' returned a promise, .*`dispatchAsync`/
    expect(() => dsp.dispatch({ a: 1 })).toThrow(message)
    expect(() => DispatchPipe(dsp, { inputs: ['a'], outputs: ['b'] })(1)).toThrow(message)
    expect([...(await dsp.dispatchAsync({ a: 1 }))]).toEqual([['a', 1]])
    // A replay breaks there, so an async pipe with a fallback gets the search's answer.
    dsp.addFunction({ id: 'g', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['b'], weight: 3 })
    expect(await DispatchPipeAsync(dsp, { inputs: ['a'], outputs: ['b'], fallback: true })(1)).toBe(100)
  })

  it('supports async input domains, data-node functions, filters and callbacks', async () => {
    const seen: unknown[] = []
    const dsp = new Dispatcher()
    dsp.addData({ id: 'c', waitInputs: true, fn: async (est) => Object.values(est).reduce((x: number, y) => x + (y as number), 0) })
    dsp.addData({ id: 'd', callback: async (v) => void seen.push(v), filters: [async (v: unknown) => (v as number) * 10] })
    dsp.addFunction({ id: 'yes', fn: (a: number) => a, inputs: ['a'], outputs: ['c'], inputDomain: async (a: number) => a > 0 })
    dsp.addFunction({ id: 'also', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['c'] })
    dsp.addFunction({ id: 'no', fn: (a: number) => a, inputs: ['a'], outputs: ['x'], inputDomain: async () => false })
    dsp.addFunction({ id: 'copy', fn: (c: number) => c, inputs: ['c'], outputs: ['d'] })
    const sol = await dsp.dispatchAsync({ a: 2 })
    expect(sol.get('c')).toBe(5)
    expect(sol.get('d')).toBe(50)
    expect(sol.has('x')).toBe(false)
    expect(seen).toEqual([50])
    expect(sol.workflow.nodes.get('no')?.domain).toBe(false)
  })

  it('fails a sub-dispatcher whose inputDomain returns a promise in the synchronous dispatch, naming dispatchAsync', async () => {
    const child = new Dispatcher()
    child.addFunction({ id: 'g', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
    const dsp = new Dispatcher()
    dsp.addDispatcher({ dispatcher: child, id: 'S', inputs: { a: 'x' }, outputs: { y: 'b' }, inputDomain: async () => true })
    const sol = dsp.dispatch({ a: 1 })
    expect(sol.has('b')).toBe(false)
    expect(sol.errors.get('S')?.message).toMatch(/inputDomain of sub-dispatcher 'S' returned a promise.*`dispatchAsync`/)
    expect((await dsp.dispatchAsync({ a: 1 })).get('b')).toBe(2)
  })

  it('passes a context (signal, node id, path) only to functions that ask for it', async () => {
    const got: unknown[][] = []
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'plain', fn: (...a: unknown[]) => (got.push(a), 1), inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'ctx', context: true, fn: (...a: unknown[]) => (got.push(a), 2), inputs: ['a'], outputs: ['c'] })
    await dsp.dispatchAsync({ a: 0 })
    dsp.dispatch({ a: 0 })
    expect(got).toHaveLength(4)
    const plains = got.filter((a) => a.length === 1)
    const ctxs = got.filter((a) => a.length === 2)
    expect(plains).toEqual([[0], [0]])
    for (const ctx of ctxs) {
      expect(ctx).toHaveLength(2)
      const c = ctx[1] as NodeContext
      expect(c.signal).toBeInstanceOf(AbortSignal)
      expect(c.nodeId).toBe('ctx')
      expect(c.path).toEqual(['ctx'])
    }
  })

  it('runs calls through a custom executor (the seam of worker pools)', async () => {
    const calls: string[] = []
    const executor: Executor = {
      async run(call, signal) {
        calls.push(`${String(call.nodeId)}(${call.args.join(',')}) ${signal.aborted}`)
        return call.fn(...call.args)
      },
    }
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const sol = await dsp.dispatchAsync({ a: 1 }, null, { executor })
    expect(sol.get('b')).toBe(2)
    expect(calls).toEqual(['f(1) false'])
  })
})

describe('dispatchAsync: cancellation and time limits', () => {
  it('rejects at once, calling nothing, when the signal is already aborted', async () => {
    let calls = 0
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: () => ++calls, inputs: ['a'], outputs: ['b'] })
    const err = await dsp.dispatchAsync({ a: 1 }, null, { signal: AbortSignal.abort('no thanks') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect((err as DispatcherAbort).cause).toBe('no thanks')
    expect(calls).toBe(0)
  })

  it('aborts mid-run: running calls see the abort, nothing new starts, the partial solution is attached', async () => {
    const ctl = new AbortController()
    const aborted: unknown[] = []
    let afterCalls = 0
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'first', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({
      id: 'hang',
      inputs: ['b'],
      outputs: ['c'],
      context: true,
      fn: (_b: number, ctx: NodeContext) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.signal.reason)
            // The abort reason as given (a string here): the engine must pass it through unchanged.
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            reject(ctx.signal.reason)
          })
          ctl.abort('stop')
        }),
    })
    dsp.addFunction({ id: 'after', fn: () => ++afterCalls, inputs: ['c'], outputs: ['d'] })
    const err = await dsp.dispatchAsync({ a: 1 }, null, { signal: ctl.signal }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect((err as DispatcherAbort).message).toContain("'hang'")
    expect(aborted).toEqual(['stop'])
    expect(afterCalls).toBe(0)
    expect([...(err as DispatcherAbort).solution!]).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })

  it('aborts the calls running inside a sub-dispatcher', async () => {
    const ctl = new AbortController()
    const aborted: string[] = []
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({
      id: 'deep',
      inputs: ['x'],
      outputs: ['y'],
      context: true,
      fn: (_x: number, ctx: NodeContext) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.path.map(String).join('/'))
            reject(new Error('aborted'))
          })
          ctl.abort()
        }),
    })
    const dsp = new Dispatcher()
    dsp.addDispatcher({ dispatcher: child, id: 'S', inputs: { a: 'x' }, outputs: { y: 'b' } })
    const err = await dsp.dispatchAsync({ a: 1 }, ['b'], { signal: ctl.signal }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect(aborted).toEqual(['S/deep'])
  })

  it('honours the stopper of dispatch (an event with isSet) before each visit', async () => {
    let set = false
    const dsp = new Dispatcher({ stopper: { isSet: () => set } })
    dsp.addFunction({ id: 'f', fn: async (a: number) => ((set = true), a), inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'g', fn: async (b: number) => b, inputs: ['b'], outputs: ['c'] })
    const err = await dsp.dispatchAsync({ a: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect([...(err as DispatcherAbort).solution!.keys()]).toEqual(['a'])
  })

  it('rejects when the dispatch timeout runs out, with a TimeoutError as the reason', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'never', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'] })
    const err = await dsp.dispatchAsync({ a: 1 }, null, { timeout: 5 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect((err as DispatcherAbort).cause).toBeInstanceOf(TimeoutError)
    expect((err as DispatcherAbort).message).toMatch(/timeout of 5 ms/)
    expect([...(err as DispatcherAbort).solution!]).toEqual([['a', 1]])
  })

  it('treats a node timeout as the node failing: the next path is taken', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'fast-but-hangs', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'], timeout: 5 })
    dsp.addFunction({ id: 'fallback', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['b'], weight: 5 })
    const sol = await dsp.dispatchAsync({ a: 2 })
    expect(sol.get('b')).toBe(200)
    const err = sol.errors.get('fast-but-hangs')
    expect(err?.cause).toBeInstanceOf(TimeoutError)
    expect(err?.message).toMatch(/took longer than its timeout of 5 ms/)
  })

  it('stops the dispatch when a critical node fails, instead of taking the next path', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({
      id: 'must',
      fn: async () => {
        throw new Error('down')
      },
      inputs: ['a'],
      outputs: ['b'],
      critical: true,
    })
    let fallbackCalls = 0
    dsp.addFunction({ id: 'fallback', fn: () => ++fallbackCalls, inputs: ['a'], outputs: ['b'], weight: 5 })
    const err = await dsp.dispatchAsync({ a: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherError)
    expect((err as DispatcherError).message).toMatch(/critical node 'must' failed: Error: down/)
    expect((err as DispatcherError).solution?.errors.has('must')).toBe(true)
    // `fallback` may have started early (its input was final), but its result is never used.
    expect((err as DispatcherError).solution?.has('b')).toBe(false)
    expect(fallbackCalls).toBeLessThanOrEqual(1)
    // Without `critical` the same failure opens the fallback.
    const soft = new Dispatcher()
    soft.addFunction({
      id: 'must',
      fn: async () => {
        throw new Error('down')
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    soft.addFunction({ id: 'fallback', fn: () => 7, inputs: ['a'], outputs: ['b'], weight: 5 })
    expect((await soft.dispatchAsync({ a: 2 })).get('b')).toBe(7)
  })

  it('aborts calls started early that the search never needs; their rejections are dropped', async () => {
    const events: DispatchEvent[] = []
    const reasons: unknown[] = []
    const g = gate<number>()
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'quick', fn: (a: number) => g.promise.then(() => a), inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({
      id: 'spare',
      inputs: ['a'],
      outputs: ['b'],
      weight: 5,
      context: true,
      fn: (_a: number, ctx: NodeContext) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push((ctx.signal.reason as Error).name)
            reject(new Error('rejected after the abort, must not surface'))
          })
          g.open(1)
        }),
    })
    const sol = await dsp.dispatchAsync({ a: 1 }, ['b'], { onEvent: (e) => events.push(e) })
    expect([...sol]).toEqual([
      ['a', 1],
      ['b', 1],
    ])
    expect(sol.errors.size).toBe(0)
    expect(reasons).toEqual(['AbortError'])
    expect(events.map((e) => `${e.type} ${String(e.nodeId)}`)).toEqual(['start quick', 'start spare', 'finish quick', 'discard spare'])
  })
})

describe('dispatchAsync: option checks', () => {
  const dsp = new Dispatcher()
  dsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['concurrency 0', { concurrency: 0 }, /`concurrency` must be a whole number of calls, at least 1, or Infinity/],
    ['fractional concurrency', { concurrency: 1.5 }, /`concurrency`/],
    ['negative timeout', { timeout: -1 }, /timeout is a number of milliseconds, finite and not negative; got -1/],
    ['infinite timeout', { timeout: Infinity }, /finite/],
    ['non-signal', { signal: { aborted: false } }, /`signal` must be an AbortSignal/],
    ['bad executor', { executor: 'threads' }, /`executor` must be 'async' or an object with a `run\(call, signal\)` method/],
    ['unknown option', { concurency: 2 }, /unknown option `concurency`. Did you mean 'concurrency'\?/],
  ]
  for (const [name, options, message] of bad) {
    it(`rejects ${name} with a ModelError saying what is accepted`, async () => {
      const err = await dsp.dispatchAsync({ a: 1 }, null, options).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ModelError)
      expect((err as Error).message).toMatch(message)
    })
  }
  it('checks the asynchronous options of addFunction', () => {
    const d = new Dispatcher()
    expect(() => d.addFunction({ id: 'f', fn: () => 1, timeout: -5 })).toThrow(/timeout is a number of milliseconds/)
    expect(() => d.addFunction({ id: 'f', fn: () => 1, timeout: NaN })).toThrow(ModelError)
    expect(() => d.addFunction({ id: 'f', fn: () => 1, critical: 'yes' as never })).toThrow(/critical: must be true or false/)
    expect(() => d.addFunction({ id: 'f', fn: () => 1, context: 1 as never })).toThrow(/context: must be true or false/)
  })
})

describe('Solution.debrief', () => {
  it('reports failures, skips, discarded early starts and missed outputs', async () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({
      id: 'bad',
      fn: async () => {
        throw new RangeError('out of range')
      },
      inputs: ['x'],
      outputs: ['y'],
    })
    const dsp = new Dispatcher()
    dsp.addFunction({
      id: 'fetch',
      fn: async () => {
        throw new TypeError('network down')
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    dsp.addFunction({ id: 'cache', fn: (a: number) => a, inputs: ['a'], outputs: ['b'], weight: 2 })
    dsp.addFunction({ id: 'never', fn: (a: number) => a, inputs: ['a'], outputs: ['z'], inputDomain: async () => false })
    dsp.addFunction({
      id: 'spare',
      fn: (_a: number, ctx: NodeContext) => new Promise((_, rej) => ctx.signal.addEventListener('abort', rej)),
      inputs: ['a'],
      outputs: ['b'],
      weight: 5,
      context: true,
    })
    dsp.addDispatcher({ dispatcher: child, id: 'S', inputs: { a: 'x' }, outputs: { y: 'w' } })
    const sol = await dsp.dispatchAsync({ a: 1 }, ['b', 'w', 'z'])
    expect(sol.debrief({ timings: false })).toBe(
      [
        '2 values; outputs reached 1 of 3',
        "not reached: 'w', 'z'",
        'failed (2):',
        "  - 'fetch' (function): TypeError: network down",
        "  - 'S/bad' (function): RangeError: out of range",
        'skipped by their input domain (1):',
        "  - 'never'",
        'started early, then not needed (1):',
        "  - 'spare'",
      ].join('\n'),
    )
    expect(sol.debrief()).toMatch(/'fetch' \(function\) after [\d.]+ ms: TypeError: network down/)
  })

  it('lists sync calls started early and not needed, with or without a listener (tasks or not)', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'first', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'second', fn: (a: number) => a + 2, inputs: ['a'], outputs: ['b'], weight: 5 })
    dsp.addFunction({ id: 'third', fn: (a: number) => a + 3, inputs: ['a'], outputs: ['c'], weight: 9 })
    for (const outputs of [null, ['b']]) {
      const reports: string[] = []
      for (const onEvent of [undefined, () => {}]) {
        const sol = await dsp.dispatchAsync({ a: 1 }, outputs, onEvent === undefined ? {} : { onEvent })
        expect(sol.get('b')).toBe(2)
        reports.push(sol.debrief({ timings: false }))
      }
      expect(reports[0]).toBe(reports[1])
      // Without outputs `second` is skipped at its turn; with them the dispatch ends first and drops it.
      expect(reports[0]!.split('\n').slice(-2)).toEqual(['started early, then not needed (1):', "  - 'second'"])
    }
  })

  it('lists the calls aborted with the dispatch', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'slow', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'] })
    const err = (await dsp.dispatchAsync({ a: 1 }, null, { timeout: 1 }).catch((e: unknown) => e)) as DispatcherAbort
    expect(err.solution!.debrief({ timings: false })).toBe("1 value\naborted with the dispatch (1):\n  - 'slow'")
  })

  it('says so when nothing failed', () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    expect(dsp.dispatch({ a: 1 }, ['b']).debrief()).toBe('2 values; outputs reached 1 of 1\nnothing failed')
  })
})

describe('asynchronous wrappers', () => {
  const model = () => {
    const m = new Dispatcher({ name: 'm' })
    m.addData({ id: 'k', defaultValue: 10 })
    m.addFunction({ id: 'f', fn: async (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
    return m
  }

  it('SubDispatchAsync returns a promise of what SubDispatch returns for sync twins', async () => {
    const run = SubDispatchAsync(model(), { outputs: ['b'], outputType: 'values' })
    expect(await run({ a: 2 }, { k: 3 })).toBe(6)
    expect(run.solution?.get('b')).toBe(6)
    expect([...((await SubDispatchAsync(model())({ a: 1 })) as Solution)]).toEqual([
      ['a', 1],
      ['k', 10],
      ['b', 10],
    ])
  })

  it('SubDispatchFunctionAsync takes positional arguments and defaults', async () => {
    const f = SubDispatchFunctionAsync(model(), { id: 'F', inputs: ['a', 'k'], outputs: ['b'] })
    expect(await f(2)).toBe(20)
    expect(await f(2, 3)).toBe(6)
    expect(await f.withInputs({ k: 5 }, 2)).toBe(10)
    expect(f.signature).toBe('F(a, k = 10)')
  })

  it('MapDispatchAsync runs the input sets side by side within the window, results in order', async () => {
    let running = 0
    let most = 0
    const m = new Dispatcher({ name: 'slow' })
    m.addFunction({
      id: 'f',
      inputs: ['a'],
      outputs: ['b'],
      fn: async (a: number) => {
        running++
        most = Math.max(most, running)
        for (let i = 0; i < 3; i++) await tick()
        running--
        return a * 2
      },
    })
    const list = Array.from({ length: 9 }, (_, i) => ({ a: i }))
    for (const [concurrency, expected] of [
      [2, 2],
      [4, 4],
      [Infinity, 9],
    ] as const) {
      most = 0
      const each = MapDispatchAsync(m, { concurrency, factoryOptions: { outputs: ['b'], outputType: 'values' } })
      expect(await each(list)).toEqual(list.map(({ a }) => a * 2))
      expect(most).toBe(expected)
    }
  })

  it('a model with an asynchronous wrapper as a node needs dispatchAsync', async () => {
    const parent = new Dispatcher()
    parent.addFunction({
      id: 'times_k',
      fn: SubDispatchFunctionAsync(model(), { inputs: ['a'], outputs: ['b'] }),
      inputs: ['x'],
      outputs: ['y'],
    })
    expect((await parent.dispatchAsync({ x: 4 })).get('y')).toBe(40)
    expect(parent.dispatch({ x: 4 }).errors.get('times_k')?.message).toContain('dispatchAsync')
  })
})

describe('dispatchStream', () => {
  it('yields the events in order, then the solution is there', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: async (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'g', fn: async (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
    const run = dsp.dispatchStream({ a: 1 }, ['c'])
    const seen: string[] = []
    for await (const e of run) seen.push(`${e.type} ${String(e.nodeId)}`)
    expect(seen).toEqual(['start f', 'finish f', 'start g', 'finish g'])
    expect((await run.solution).get('c')).toBe(4)
  })

  it('ends by throwing the dispatch error', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'] })
    const run = dsp.dispatchStream({ a: 1 }, null, { timeout: 2 })
    const seen: string[] = []
    const err = await (async () => {
      for await (const e of run) seen.push(e.type)
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect(seen).toEqual(['start', 'abort'])
    await expect(run.solution).rejects.toBeInstanceOf(DispatcherAbort)
  })
})

describe('Solution.timeline', () => {
  it('puts every call on a time axis, side by side calls overlapping', async () => {
    const g = { f: gate<number>(), h: gate<number>() }
    const dsp = new Dispatcher({ name: 'fan' })
    dsp.addFunction({ id: 'f', fn: () => g.f.promise, inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'h', fn: () => g.h.promise, inputs: ['a'], outputs: ['c'] })
    dsp.addFunction({
      id: 'bad',
      fn: async () => {
        throw new Error('no')
      },
      inputs: ['a'],
      outputs: ['d'],
    })
    const run = dsp.dispatchAsync({ a: 1 })
    await new Promise((r) => setTimeout(r, 5))
    g.f.open(1)
    await new Promise((r) => setTimeout(r, 5))
    g.h.open(2)
    const timeline = (await run).timeline()
    expect(timeline.rows.map((r) => r.path.join('/')).sort()).toEqual(['bad', 'f', 'h'])
    const row = (id: string) => timeline.rows.find((r) => r.path[0] === id)
    const [bad, f, h] = [row('bad'), row('f'), row('h')]
    expect(bad!.failed).toBe(true)
    expect(h!.start).toBeLessThan(f!.start + f!.duration) // h started before f ended: they overlapped
    expect(h!.duration).toBeGreaterThan(f!.duration)
    expect(String(timeline).split('\n')).toHaveLength(3)
    expect(String(timeline)).toMatch(/^bad \| *x+ *\| [\d.]+ ms \(failed\)$/m) // where it starts depends on the machine's load
    const page = timeline.plot().pages[0]!
    expect(page.title).toBe('fan timeline')
    expect(page.dot).toMatch(/^digraph timeline \{/)
    expect(page.dot.match(/BGCOLOR/g)).toHaveLength(3)
  })
})

describe('asynchronous pipes', () => {
  it('DispatchPipeAsync awaits only the async steps and returns what DispatchPipe returns for sync twins', async () => {
    const make = (wrap: (f: (x: number) => number) => (x: number) => unknown) => {
      const m = new Dispatcher({ name: 'p' })
      m.addData({ id: 'k', defaultValue: 3 })
      m.addFunction({ id: 'f', fn: wrap((a) => a + 1), inputs: ['a'], outputs: ['b'] })
      m.addFunction({ id: 'g', fn: (b: number, k: number) => b * k, inputs: ['b', 'k'], outputs: ['c'] })
      return m
    }
    const sync = DispatchPipe(
      make((f) => f),
      { inputs: ['a'], outputs: ['c'] },
    )
    let awaited = 0
    const pipe = DispatchPipeAsync(
      make((f) => (x) => Promise.resolve(f(x)).finally(() => awaited++)),
      { inputs: ['a'], outputs: ['c'] },
    )
    expect(pipe.pipe).toEqual(sync.pipe)
    const results = await Promise.all([pipe(1), pipe(2), pipe(3)]) // overlapping calls: one buffer each
    expect(results).toEqual([sync(1), sync(2), sync(3)])
    expect(awaited).toBe(3)
  })

  it('a rejected step breaks the plan like a throw; fallback runs dispatchAsync', async () => {
    const m = new Dispatcher({ name: 'p' })
    m.addFunction({
      id: 'fast',
      fn: async (a: number) => {
        if (a < 0) throw new Error('negative')
        return a
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    m.addFunction({ id: 'slow', fn: async (a: number) => -a, inputs: ['a'], outputs: ['b'], weight: 5 })
    const strict = SubDispatchPipeAsync(m, { inputs: ['a'], outputs: ['b'] })
    expect(await strict(2)).toBe(2)
    const err = await strict(-2).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatcherError)
    expect((err as Error).message).toMatch(/Unreachable output-targets: 'b'.*[\s\S]*negative/)
    const lenient = SubDispatchPipeAsync(m, { inputs: ['a'], outputs: ['b'], fallback: true, shrink: false })
    expect(await lenient(-2)).toBe(2)
  })
})
