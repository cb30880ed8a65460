// Worker benchmark: 64 CPU-bound nodes on the main thread vs worker threads, per-call overhead, moving 10 MB arrays.
// Usage: npm run bench:workers [-- --nodes 64 --ms 20 --workers 2 --reps 3 --calls 2000 --mb 10]
import { loadavg } from 'node:os'
import { Dispatcher } from '../engine/index.ts'
import { functionRef } from '../engine/ref.ts'
import { createWorkerExecutor } from '../engine/workers/index.ts'
import * as work from '../fixtures/workers/work.ts'
import { arg, median, printHeader } from './harness.ts'

const nodes = Number(arg('nodes', '64'))
const targetMs = Number(arg('ms', '20'))
const size = Number(arg('workers', '2'))
const reps = Number(arg('reps', '3'))
const calls = Number(arg('calls', '2000'))
const mb = Number(arg('mb', '10'))
const WORK = new URL('../fixtures/workers/work.ts', import.meta.url).href
for (const name of ['digest', 'identity', 'total', 'floats'] as const) functionRef(work[name], WORK)

printHeader(`Flowmark worker benchmark — ${nodes} nodes of ≈${targetMs} ms, ${size} workers, medians of ${reps} runs`)

// Calibrate: rounds of SHA-256 that take about `targetMs` on this thread (the fastest of several probes: on a shared
// machine, a probe that had to wait for a core would make the nodes too short).
work.digest('warm', 5000)
const PROBE = 5000
const probes: number[] = []
for (let i = 0; i < 7; i++) {
  const t0 = performance.now()
  work.digest(`calibrate ${i}`, PROBE)
  probes.push(performance.now() - t0)
}
const rounds = Math.max(1, Math.round((PROBE * targetMs) / Math.min(...probes)))

// (1) A wide model: `nodes` independent digests. Main thread: the synchronous dispatch; workers: dispatchAsync.
const wide = new Dispatcher({ name: 'wide' })
const inputs: Record<string, unknown> = { rounds }
for (let i = 0; i < nodes; i++) {
  inputs[`t${i}`] = `text ${i}`
  wide.addFunction({ id: `h${i}`, fn: work.digest, inputs: [`t${i}`, 'rounds'], outputs: [`d${i}`] })
}
const workers = createWorkerExecutor({ size, minThreads: size })
const pooled = (): Promise<unknown> => wide.dispatchAsync(inputs, null, { executor: workers })
await pooled() // starts the threads and imports the module in each
const main: number[] = []
const par: number[] = []
let same = true
for (let r = 0; r < reps; r++) {
  let t0 = performance.now()
  const here = wide.dispatch(inputs)
  main.push(performance.now() - t0)
  t0 = performance.now()
  const there = (await pooled()) as typeof here
  par.push(performance.now() - t0)
  same &&= [...here].every(([k, v]) => there.get(k) === v)
}
const speedup = median(main) / median(par)
console.log(
  `\n(1) ${nodes} CPU-bound nodes (${rounds} SHA-256 rounds each, ≈${(median(main) / nodes).toFixed(1)} ms on this thread); target ≥ 1.8×`,
)
console.log(`main thread (dispatch)           ${median(main).toFixed(0).padStart(7)} ms`)
console.log(`${size} worker threads (dispatchAsync) ${median(par).toFixed(0).padStart(7)} ms`)
console.log(`speed-up                         ${speedup.toFixed(2).padStart(7)}×   (same values: ${same}; ideal ${size}×)`)

// (2) The cost of one call: a trivial function through the worker executor vs in this thread, one call at a time.
const signal = new AbortController().signal
const call = { fn: work.identity, args: [1], nodeId: 'identity', path: ['identity'] }
for (let i = 0; i < 200; i++) await workers.run(call, signal)
const perCall = async (runOne: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now()
  for (let i = 0; i < calls; i++) await runOne()
  return ((performance.now() - t0) * 1000) / calls
}
const inPlace: number[] = []
const inWorker: number[] = []
const one = new Dispatcher({ name: 'one' })
one.addFunction({ id: 'identity', fn: work.identity, inputs: ['x'], outputs: ['y'] })
const dspHere: number[] = []
const dspThere: number[] = []
for (let r = 0; r < reps; r++) {
  inPlace.push(await perCall(async () => work.identity(1)))
  inWorker.push(await perCall(() => workers.run(call, signal)))
  dspHere.push(await perCall(() => one.dispatchAsync({ x: 1 })))
  dspThere.push(await perCall(() => one.dispatchAsync({ x: 1 }, null, { executor: workers })))
}
console.log(`\n(2) A trivial function, ${calls} calls one after the other (µs per call)`)
console.log(
  `executor.run on a worker         ${median(inWorker).toFixed(1).padStart(7)} µs   awaited in place: ${median(inPlace).toFixed(2)} µs`,
)
console.log(
  `dispatchAsync of a 1-node model  ${median(dspThere).toFixed(1).padStart(7)} µs   in this thread: ${median(dspHere).toFixed(1)} µs ` +
    `(worker overhead ${(median(dspThere) - median(dspHere)).toFixed(1)} µs)`,
)

// (3) Moving a typed array of `mb` MB: cloned in as an argument; moved back as a result (vs copied back, vs in place).
const n = Math.round((mb * 1024 * 1024) / 8)
const big = new Float64Array(n).fill(1)
const copying = createWorkerExecutor({ size: 1, transfer: false })
const sumCall = { fn: work.total, args: [big], nodeId: 'total', path: ['total'] }
const makeCall = { fn: work.floats, args: [n, 1], nodeId: 'floats', path: ['floats'] }
await workers.run(sumCall, signal)
await copying.run(makeCall, signal)
const ms = async (f: () => unknown): Promise<number> => {
  const t0 = performance.now()
  await f()
  return performance.now() - t0
}
const cols = { sumHere: [] as number[], sumThere: [] as number[], makeHere: [] as number[], moved: [] as number[], copied: [] as number[] }
for (let r = 0; r < Math.max(reps, 5); r++) {
  cols.sumHere.push(await ms(() => work.total(big)))
  cols.sumThere.push(await ms(() => workers.run(sumCall, signal)))
  cols.makeHere.push(await ms(() => work.floats(n, 1)))
  cols.moved.push(await ms(() => workers.run(makeCall, signal)))
  cols.copied.push(await ms(() => copying.run(makeCall, signal)))
}
const m = (xs: number[]) => median(xs).toFixed(1).padStart(6)
console.log(`\n(3) A ${mb} MB Float64Array (ms per call; in-place time of the same function for comparison)`)
console.log(
  `in:  total(xs) on a worker (cloned in)      ${m(cols.sumThere)} ms   in place ${m(cols.sumHere)} ms   cost of the way in ≈ ${(median(cols.sumThere) - median(cols.sumHere)).toFixed(1)} ms`,
)
console.log(
  `out: floats(n) on a worker (moved back)     ${m(cols.moved)} ms   in place ${m(cols.makeHere)} ms   cost of the way out ≈ ${(median(cols.moved) - median(cols.makeHere)).toFixed(1)} ms`,
)
console.log(
  `out: floats(n) with transfer: false (copy)  ${m(cols.copied)} ms   ratio copied / moved ${(median(cols.copied) / median(cols.moved)).toFixed(2)}`,
)

await Promise.all([workers.close(), copying.close()])
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (the machine may be shared: compare the ratios, not the times)`,
)
