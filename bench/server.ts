// Server benchmark: autocannon against POST /dispatch of a 10-node model on loopback, with in-process dispatch() ratios.
// Usage: npm run bench:server [-- --duration 10 --connections 50]
// The server runs in a child process (this one drives the load), so each has a core of the 2 it shares.
import { fork, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Dispatcher } from '../engine/index.ts'
import { arg, median, printHeader } from './harness.ts'

/** The 10-node model: input x, a default k, four functions in a chain and their four outputs. */
export function benchModel(): Dispatcher {
  const dsp = new Dispatcher({ name: 'bench10' })
  dsp.addData({ id: 'k', defaultValue: 2 })
  dsp.addFunction({ id: 'f1', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['d1'] })
  dsp.addFunction({ id: 'f2', fn: (d: number) => d * 2, inputs: ['d1'], outputs: ['d2'] })
  dsp.addFunction({ id: 'f3', fn: (d: number) => d - 3, inputs: ['d2'], outputs: ['d3'] })
  dsp.addFunction({ id: 'f4', fn: (d: number, k: number) => d ** k, inputs: ['d3', 'k'], outputs: ['d4'] })
  return dsp
}

const BODY = JSON.stringify({ inputs: { x: 5 }, outputs: ['d4'] })

// ---- child: the servers -------------------------------------------------------------------------------------------
if (process.argv[2] === '--child') {
  const { createApp, serve } = await import('../engine/server/index.ts')
  const { Hono } = await import('hono')
  const app = createApp(benchModel())
  // The baseline: a bare Hono route that parses the same body and answers a constant JSON solution.
  const bare = new Hono()
  const constant = { status: 200, values: { x: 5, k: 2, d1: 6, d2: 12, d3: 9, d4: 81 } }
  bare.post('/dispatch', async (c) => {
    await c.req.json()
    return c.json(constant)
  })
  const [a, b] = await Promise.all([serve(app, { port: 0 }), serve(bare, { port: 0 })])
  process.send!({ app: a.url, bare: b.url })
  process.on('message', () => void Promise.all([a.close(), b.close()]).then(() => process.exit(0)))
} else {
  const duration = Number(arg('duration', '10'))
  const connections = Number(arg('connections', '50'))
  type Result = {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number; average: number }
    errors: number
    timeouts: number
    non2xx: number
  }
  const autocannon = createRequire(import.meta.url)('autocannon') as (o: Record<string, unknown>) => Promise<Result>

  printHeader(
    `Flowmark server benchmark — POST /dispatch, 10-node model, ${connections} connections, ${duration} s each (autocannon, loopback)`,
  )
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--conditions=source'] })
  const urls = await new Promise<{ app: string; bare: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { app: string; bare: string }))
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)))
  })

  const load = async (url: string, seconds: number): Promise<Result> =>
    autocannon({
      url: `${url}/dispatch`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      body: BODY,
    })
  await load(urls.app, 2) // warm-up: JIT and caches
  const before = loadavg()[0]!
  const served = await load(urls.app, duration)
  const bare = await load(urls.bare, duration)
  const after = loadavg()[0]!
  child.send('stop')
  await new Promise((r) => child.once('exit', r))

  // In-process: the same dispatch, with no HTTP, one call at a time.
  const dsp = benchModel()
  const perSecond = async (fn: () => unknown): Promise<number> => {
    const rates: number[] = []
    for (let r = 0; r < 5; r++) {
      let n = 0
      const t0 = performance.now()
      while (performance.now() - t0 < 300) {
        await fn()
        n++
      }
      rates.push((n * 1000) / (performance.now() - t0))
    }
    return median(rates)
  }
  const inputs = { x: 5 }
  const syncRate = await perSecond(() => dsp.dispatch(inputs, ['d4']))
  const asyncRate = await perSecond(() => dsp.dispatchAsync(inputs, ['d4']))

  const row = (name: string, r: Result): string =>
    `${name.padEnd(26)} ${r.requests.average.toFixed(0).padStart(8)} ${r.latency.p50.toFixed(1).padStart(8)} ${r.latency.p99.toFixed(1).padStart(8)} ${String(r.errors + r.timeouts).padStart(7)} ${String(r.non2xx).padStart(7)}`
  console.log(
    `\n${'server'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'non-2xx'.padStart(7)}`,
  )
  console.log(row('flowmark/server', served))
  console.log(row('bare Hono (constant JSON)', bare))
  console.log(`\nin-process, one call at a time: dispatch() ${syncRate.toFixed(0)}/s, dispatchAsync() ${asyncRate.toFixed(0)}/s`)
  console.log(
    `ratios: server / bare Hono ${(served.requests.average / bare.requests.average).toFixed(2)}; ` +
      `server / in-process dispatchAsync ${(served.requests.average / asyncRate).toFixed(3)}; server / dispatch ${(served.requests.average / syncRate).toFixed(3)}`,
  )
  console.log(
    `target: ≥ 5000 req/s, p99 ≤ 25 ms, 0 errors → ${served.requests.average >= 5000 ? 'req/s met' : 'req/s NOT met'}, ` +
      `${served.latency.p99 <= 25 ? 'p99 met' : 'p99 NOT met'}, ${served.errors + served.timeouts + served.non2xx === 0 ? 'no errors' : 'ERRORS'}`,
  )
  console.log(`load average (1 min) before ${before.toFixed(2)}, after ${after.toFixed(2)} (2 cores, shared)`)
}
