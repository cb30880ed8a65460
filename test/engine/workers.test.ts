// flowmark/workers: function nodes on worker threads — references, faults with fallback, cancellation, lanes (exit: exits.test.ts).
import { afterAll, describe, expect, it } from 'vitest'
import {
  Dispatcher,
  DispatcherAbort,
  MapDispatchAsync,
  ModelError,
  SubDispatchAsync,
  TimeoutError,
  type DispatchEvent,
} from '../../engine/index.ts'
import { functionRef, RefError } from '../../engine/ref.ts'
import { createWorkerExecutor, WorkerError } from '../../engine/workers/index.ts'
import * as work from '../../fixtures/workers/work.ts'

const WORK = new URL('../../fixtures/workers/work.ts', import.meta.url).href
const ref = <F extends (...args: never[]) => unknown>(fn: F): F => functionRef(fn, WORK)

const executors: { close(): Promise<void> }[] = []
/** A worker executor closed after the tests. */
function pool(options: Parameters<typeof createWorkerExecutor>[0] = {}): ReturnType<typeof createWorkerExecutor> {
  const ex = createWorkerExecutor(options)
  executors.push(ex)
  return ex
}
afterAll(async () => {
  await Promise.all(executors.map((ex) => ex.close()))
})

/** A model whose first choice for `y` is `first` (a reference), with `sum` as the fallback. */
function withFallback(first: (...args: never[]) => unknown, options: { timeout?: number } = {}): Dispatcher {
  const dsp = new Dispatcher({ name: 'fallback' })
  dsp.addFunction({ id: 'first', fn: ref(first), inputs: ['a'], outputs: ['y'], ...options })
  dsp.addFunction({ id: 'second', fn: ref(work.sum), inputs: ['a', 'b'], outputs: ['y'], weight: 5 })
  return dsp
}

describe('createWorkerExecutor: calls on worker threads', () => {
  const ex = pool({ size: 2 })

  it('runs referenced functions on worker threads and returns the synchronous solution', async () => {
    const dsp = new Dispatcher({ name: 'digests' })
    dsp.addFunction({ id: 'left', fn: ref(work.digest), inputs: ['text', 'rounds'], outputs: ['a'] })
    dsp.addFunction({ id: 'right', fn: ref(work.digest), inputs: ['a', 'rounds'], outputs: ['b'] })
    dsp.addFunction({ id: 'where', fn: ref(work.threadOf), inputs: ['b'], outputs: ['thread'] })
    const sol = await dsp.dispatchAsync({ text: 'flowmark', rounds: 50 }, null, { executor: ex })
    const here = dsp.dispatch({ text: 'flowmark', rounds: 50 })
    expect(sol.get('b')).toBe(here.get('b'))
    expect(here.get('thread')).toBe(0)
    expect(sol.get('thread')).toBeGreaterThan(0)
    const step = sol.pipe.find((s) => s.nodeId === 'where')!
    expect([step.executor, step.thread]).toEqual(['workers', sol.get('thread')])
    expect(sol.workflow.nodes.get('left')?.executor).toBe('workers')
    expect(sol.workflow.nodes.get('a')?.executor).toBe(undefined)
    expect(here.pipe.find((s) => s.nodeId === 'where')?.executor).toBe(undefined)
  })

  it('moves typed arrays in and out', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'make', fn: ref(work.floats), inputs: ['n', 'v'], outputs: ['xs'] })
    dsp.addFunction({ id: 'add', fn: ref(work.total), inputs: ['xs'], outputs: ['t'] })
    const sol = await dsp.dispatchAsync({ n: 100_000, v: 0.5 }, null, { executor: ex })
    expect(sol.get('xs')).toBeInstanceOf(Float64Array)
    expect((sol.get('xs') as Float64Array).length).toBe(100_000)
    expect(sol.get('t')).toBe(50_000)
  })

  it('gives a function with context: true its node id and path in the worker', async () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'ctx', fn: ref(work.describeContext), inputs: ['a'], outputs: ['s'], context: true })
    const dsp = new Dispatcher()
    dsp.addDispatcher({ id: 'S', dispatcher: child, inputs: ['a'], outputs: ['s'] })
    const sol = await dsp.dispatchAsync({ a: 5 }, null, { executor: ex })
    expect(sol.get('s')).toBe('5 ctx S/ctx boolean')
  })

  it('runs a node in this thread when its own executor is async, whatever the dispatch executor', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'here', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'], executor: 'async' })
    dsp.addFunction({ id: 'there', fn: ref(work.threadOf), inputs: ['b'], outputs: ['t'] })
    const sol = await dsp.dispatchAsync({ a: 1 }, null, { executor: ex })
    expect(sol.get('t')).toBeGreaterThan(0)
    expect(sol.pipe.filter((s) => s.executor !== undefined).map((s) => [s.nodeId, s.executor])).toEqual([
      ['here', 'async'],
      ['there', 'workers'],
    ])
  })

  it("resolves a relative reference against the executor's baseUrl", async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'sp', ref: './work.ts#split', fn: work.split, inputs: ['a', 'b'], outputs: ['s', 'd'] })
    const bare = pool({ size: 1 })
    const err = await dsp.dispatchAsync({ a: 5, b: 3 }, null, { executor: bare }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RefError)
    expect((err as RefError).problem).toBe('relative')
    expect((err as Error).message).toMatch(/reference of node 'sp' ".\/work.ts#split" is relative, but no base URL/)
    const based = pool({ size: 1, baseUrl: WORK })
    const sol = await dsp.dispatchAsync({ a: 5, b: 3 }, null, { executor: based })
    expect([sol.get('s'), sol.get('d')]).toEqual([8, 2])
  })
})

describe('checks before anything runs', () => {
  const ex = pool({ size: 1 })

  it('runs a node given only by `ref` (no `fn`, never resolved) on a worker, and in place afterwards', async () => {
    const dsp = new Dispatcher({ name: 'by-ref' })
    dsp.addFunction({ id: 'add', ref: `${WORK}#sum`, inputs: ['a', 'b'], outputs: ['c'] })
    expect(() => dsp.dispatch({ a: 1, b: 2 }).get('c')).not.toThrow()
    expect(dsp.dispatch({ a: 1, b: 2 }).errors.get('add')?.message).toMatch(/has not been imported yet/)
    const sol = await dsp.dispatchAsync({ a: 1, b: 2 }, ['c'], { executor: pool({ size: 1 }) })
    expect([sol.get('c'), sol.pipe.find((s) => s.nodeId === 'add')?.executor]).toEqual([3, 'workers'])
    expect(dsp.dispatch({ a: 2, b: 3 }).get('c')).toBe(5)
  })

  it('refuses a node without a reference with a ModelError naming it, before any call', async () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'closure', fn: (a: number) => a * 2, inputs: ['a'], outputs: ['b'] })
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'fine', fn: ref(work.identity), inputs: ['x'], outputs: ['a'] })
    dsp.addDispatcher({ id: 'S', dispatcher: child, inputs: ['a'], outputs: ['b'] })
    const events: DispatchEvent[] = []
    const err = await dsp.dispatchAsync({ x: 1 }, null, { executor: ex, onEvent: (e) => events.push(e) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelError)
    expect((err as ModelError).nodeId).toBe('closure')
    expect((err as Error).message).toMatch(
      /^node 'closure' \(at S\/closure\) is sent to the worker executor 'workers', but its function has no reference/,
    )
    expect((err as Error).message).toMatch(/functionRef\(name, import\.meta\.url\)/)
    expect(events).toEqual([])
    expect(ex.completed).toBe(0)
  })

  it('names the node when its module is missing, its export is missing, or it exports another function', async () => {
    const cases: [string, (...args: never[]) => unknown, RegExp][] = [
      [
        'module',
        functionRef((a: number) => a, 'file:///nowhere/work.ts', 'sum'),
        /module not found for reference of node 'n' "file:\/\/\/nowhere\/work.ts#sum"/,
      ],
      [
        'export',
        functionRef((a: number) => a, WORK, 'nope'),
        /reference of node 'n' ".*work.ts#nope": the module has no export 'nope'; its function exports: boom, countAndSpin, /,
      ],
      ['export', functionRef((a: number) => a, WORK, 'mix'), /reference of node 'n' .* imports another function than the node's own/],
    ]
    for (const [problem, fn, message] of cases) {
      const dsp = new Dispatcher()
      dsp.addFunction({ id: 'n', fn, inputs: ['a'], outputs: ['b'] })
      const err = await dsp.dispatchAsync({ a: 1 }, null, { executor: ex }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RefError)
      expect([(err as RefError).problem, (err as RefError).nodeId]).toEqual([problem, 'n'])
      expect((err as Error).message).toMatch(message)
    }
    expect(ex.completed).toBe(0)
  })

  it('refuses a malformed reference when the node is added', () => {
    expect(() => new Dispatcher().addFunction({ id: 'n', ref: 'work.ts', inputs: ['a'], outputs: ['b'] })).toThrow(
      /malformed reference of node 'n' "work.ts": expected 'module#export'/,
    )
  })
})

describe('faults: only the node fails, the next path is taken, the pool replaces the worker', () => {
  const ex = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } })

  /** After a fault, the one-thread pool must still run calls. */
  async function stillServes(): Promise<void> {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'w', fn: ref(work.threadOf), inputs: ['a'], outputs: ['t'] })
    expect((await dsp.dispatchAsync({ a: 1 }, null, { executor: ex })).get('t')).toBeGreaterThan(0)
  }

  it('a throw: recorded with the error from the worker, same solution as the synchronous dispatch', async () => {
    const dsp = withFallback(work.boom)
    const sol = await dsp.dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: ex })
    const here = dsp.dispatch({ a: 1, b: 2 }, ['y'])
    expect([...sol]).toEqual([...here])
    expect(sol.errors.get('first')?.message).toBe(here.errors.get('first')?.message)
    expect(sol.errors.get('first')?.message).toBe("function 'first' failed: TypeError: boom in a worker")
    expect(sol.errors.get('first')?.cause).toBeInstanceOf(TypeError)
    expect(sol.pipe.find((s) => s.nodeId === 'first')?.thread).toBeGreaterThan(0)
  })

  it('process.exit in the function: a WorkerError naming the node', async () => {
    const sol = await withFallback(work.exit).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: ex })
    expect(sol.get('y')).toBe(3)
    const cause = sol.errors.get('first')?.cause
    expect(cause).toBeInstanceOf(WorkerError)
    expect((cause as WorkerError).problem).toBe('exit')
    expect((cause as Error).message).toMatch(/^node 'first': its worker thread exited \(code 3\) before the call returned/)
    await stillServes()
  })

  it('out of memory under resourceLimits: a WorkerError naming the node', async () => {
    const sol = await withFallback(work.exhaustMemory).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: ex })
    expect(sol.get('y')).toBe(3)
    const cause = sol.errors.get('first')?.cause as WorkerError
    expect([cause.name, cause.problem]).toEqual(['WorkerError', 'out-of-memory'])
    expect(cause.message).toMatch(/^node 'first' ran out of memory on its worker thread \(resourceLimits \{"maxOldGenerationSizeMb":24/)
    await stillServes()
  })

  it('a timeout overrun: the worker is stopped (a call that never returns), the fallback runs', async () => {
    const sol = await withFallback(work.spin, { timeout: 200 }).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: ex })
    expect(sol.get('y')).toBe(3)
    expect(sol.errors.get('first')?.cause).toBeInstanceOf(TimeoutError)
    await stillServes() // one thread: it serves again only if the spinning worker was terminated
  })

  it('arguments or a result that cannot be cloned: a WorkerError saying which', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'give', fn: ref(work.makeFunction), inputs: ['a'], outputs: ['f'] })
    dsp.addFunction({ id: 'take', fn: ref(work.identity), inputs: ['g'], outputs: ['h'] })
    const sol = await dsp.dispatchAsync({ a: 1, g: () => 2 }, null, { executor: ex })
    const give = sol.errors.get('give')?.cause as WorkerError
    const take = sol.errors.get('take')?.cause as WorkerError
    expect([give.problem, take.problem]).toEqual(['clone', 'clone'])
    expect(give.message).toMatch(/^node 'give': its result cannot be sent back from a worker thread/)
    expect(take.message).toMatch(/^node 'take': its arguments cannot be sent to a worker thread/)
    await stillServes()
  })
})

describe('cancellation', () => {
  it('aborting the dispatch stops the running call and drops the queued ones', async () => {
    const ex = pool({ size: 1 })
    const dsp = new Dispatcher()
    for (const id of ['s1', 's2', 's3']) dsp.addFunction({ id, fn: ref(work.countAndSpin), inputs: ['shared'], outputs: [`${id}_out`] })
    const shared = new Int32Array(new SharedArrayBuffer(4))
    const ctl = new AbortController()
    // Abort once the first call runs in the worker (the two others wait in the pool's queue).
    const poll = setInterval(() => {
      if (Atomics.load(shared, 0) > 0) ctl.abort(new Error('stop'))
    }, 10)
    const err = await dsp.dispatchAsync({ shared }, null, { executor: ex, signal: ctl.signal }).catch((e: unknown) => e)
    clearInterval(poll)
    expect(err).toBeInstanceOf(DispatcherAbort)
    expect(ex.queued).toBe(0)
    const check = new Dispatcher()
    check.addFunction({ id: 'w', fn: ref(work.threadOf), inputs: ['a'], outputs: ['t'] })
    // One thread: it serves the check only if the running call was terminated.
    expect((await check.dispatchAsync({ a: 1 }, null, { executor: ex })).get('t')).toBeGreaterThan(0)
    expect(Atomics.load(shared, 0)).toBe(1) // the queued calls never started
  })

  it('a closed executor fails its calls with a WorkerError', async () => {
    const ex = createWorkerExecutor({ size: 1 })
    await ex.close()
    expect(ex.closed).toBe(true)
    const sol = await withFallback(work.identity).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: ex })
    expect((sol.errors.get('first')?.cause as WorkerError).problem).toBe('closed')
  })
})

describe('composition and the timeline', () => {
  const ex = pool({ size: 2 })

  it('MapDispatchAsync spreads its input sets over the workers', async () => {
    const meet = new Dispatcher({ name: 'meet' })
    meet.addFunction({ id: 'meet', fn: ref(work.rendezvous), inputs: ['shared', 'parties'], outputs: ['thread'] })
    const shared = new Int32Array(new SharedArrayBuffer(4))
    const each = MapDispatchAsync(meet, { executor: ex, factoryOptions: { outputs: ['thread'], outputType: 'all' } })
    const sols = (await each([
      { shared, parties: 2 },
      { shared, parties: 2 },
    ])) as import('../../engine/index.ts').Solution[]
    const threads = sols.map((s) => s.get('thread') as number)
    // Both calls returned a thread id only if they ran at the same time, each on its own worker.
    expect(threads.every((t) => t > 0)).toBe(true)
    expect(new Set(threads).size).toBe(2)
    expect(sols.map((s) => s.pipe.find((p) => p.nodeId === 'meet')?.thread)).toEqual(threads)
  })

  it('SubDispatchAsync passes the executor to its searches', async () => {
    const m = new Dispatcher({ name: 'm' })
    m.addFunction({ id: 'w', fn: ref(work.threadOf), inputs: ['a'], outputs: ['t'] })
    expect(await SubDispatchAsync(m, { executor: ex, outputs: ['t'], outputType: 'values' })({ a: 1 })).toBeGreaterThan(0)
  })

  it('the timeline draws one lane per worker thread', async () => {
    const dsp = new Dispatcher({ name: 'pair' })
    dsp.addFunction({ id: 'one', fn: ref(work.rendezvous), inputs: ['shared', 'parties'], outputs: ['t1'] })
    dsp.addFunction({ id: 'two', fn: ref(work.rendezvous), inputs: ['shared', 'parties'], outputs: ['t2'] })
    dsp.addFunction({ id: 'three', fn: (a: number, b: number) => a + b, inputs: ['t1', 't2'], outputs: ['t3'], executor: 'async' })
    const sol = await dsp.dispatchAsync({ shared: new Int32Array(new SharedArrayBuffer(4)), parties: 2 }, null, { executor: ex })
    const [t1, t2] = [sol.get('t1') as number, sol.get('t2') as number]
    expect(t1 > 0 && t2 > 0 && t1 !== t2).toBe(true)
    const timeline = sol.timeline()
    const lanes = [`workers thread ${Math.min(t1, t2)}`, `workers thread ${Math.max(t1, t2)}`]
    expect(timeline.lanes).toEqual(['main thread', ...lanes])
    expect(timeline.rows.find((r) => r.path[0] === 'one')?.lane).toBe(`workers thread ${t1}`)
    const text = String(timeline).split('\n')
    expect(text.filter((l) => l.startsWith('['))).toEqual(['[main thread]', ...lanes.map((l) => `[${l}]`)])
    const dot = timeline.plot().pages[0]!.dot
    for (const lane of lanes) expect(dot).toContain(`<I>${lane}</I>`)
  })
})
