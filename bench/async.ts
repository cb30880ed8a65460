// Async benchmark: dispatchAsync vs dispatch per node, a timer-bound fan-out vs a hand-written pool, same-run ratios.
// Usage: npm run bench:async [-- --sizes 10000,100000 --calls 200 --delay 10 --reps 3]
import { Dispatcher, DispatchPipeAsync } from '../engine/index.ts'
import { SHAPES } from './shapes.ts'
import { arg, cpuTime, median, printHeader, timeAsync as measureAsync } from './harness.ts'

const sizes = arg('sizes', '10000,100000').split(',').map(Number)
const reps = Number(arg('reps', '3'))
const calls = Number(arg('calls', '200'))
const delay = Number(arg('delay', '10'))

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

/** CPU milliseconds of one awaited call (user + system). */
async function cpuAsync(fn: () => Promise<unknown>): Promise<number> {
  return (await measureAsync(fn)).cpuMs
}

// (a) The driver's cost per node with synchronous functions: dispatchAsync / dispatch on the same model.
printHeader(`Flowmark async benchmark — medians of ${reps} runs (${Math.max(reps, 5)} for (a) and (c), CPU time; (b) wall time)`)
console.log('\n(a) dispatchAsync vs dispatch, synchronous functions, CPU time (target: ratio ≤ 2)')
console.log('shape      nodes     dispatch µs/node  dispatchAsync µs/node  ratio')
for (const n of sizes) {
  for (const name of ['chain', 'wide', 'lattice'] as const) {
    const shape = SHAPES[name](n)
    const dsp = shape.build()
    dsp.dispatch(shape.inputs)
    await dsp.dispatchAsync(shape.inputs)
    const sync: number[] = []
    const asy: number[] = []
    for (let r = 0; r < Math.max(reps, 5); r++) {
      sync.push(cpuTime(() => dsp.dispatch(shape.inputs)))
      asy.push(await cpuAsync(() => dsp.dispatchAsync(shape.inputs)))
    }
    const nodes = dsp.nodes.size
    const s = (median(sync) * 1000) / nodes
    const a = (median(asy) * 1000) / nodes
    console.log(
      `${name.padEnd(10)} ${String(nodes).padEnd(9)} ${s.toFixed(3).padStart(16)}  ${a.toFixed(3).padStart(21)}  ${(a / s).toFixed(2).padStart(5)}`,
    )
  }
}

// (b) `calls` independent functions each awaiting a `delay` ms timer, against a minimal promise pool of the same window.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const work = async (x: number): Promise<number> => {
  await sleep(delay)
  return x + 1
}
const fan = new Dispatcher({ name: 'fan' })
for (let i = 0; i < calls; i++) fan.addFunction({ id: `f${i}`, fn: work, inputs: ['x'], outputs: [`y${i}`] })

async function pool(window: number): Promise<number[]> {
  const out = new Array<number>(calls)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const i = next++
      out[i] = await work(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, calls) }, worker))
  return out
}

console.log(
  `\n(b) ${calls} functions awaiting a ${delay} ms timer: dispatchAsync vs a hand-written pool of the same window (target: ratio ≤ 1.1)`,
)
console.log('window     ideal ms  pool ms  dispatchAsync ms  ratio  pool/ideal  dispatchAsync/ideal')
for (const window of [1, 10, 50, Infinity]) {
  const ideal = Math.ceil(calls / Math.min(window, calls)) * delay
  const p: number[] = []
  const d: number[] = []
  for (let r = 0; r < reps; r++) {
    p.push(await timeAsync(() => pool(window)))
    d.push(await timeAsync(() => fan.dispatchAsync({ x: 0 }, null, { concurrency: window })))
  }
  const pm = median(p)
  const dm = median(d)
  console.log(
    `${String(window).padEnd(10)} ${String(ideal).padStart(8)} ${pm.toFixed(0).padStart(8)} ${dm.toFixed(0).padStart(17)} ` +
      `${(dm / pm).toFixed(2).padStart(6)} ${(pm / ideal).toFixed(2).padStart(11)} ${(dm / ideal).toFixed(2).padStart(20)}`,
  )
}
// (c) A DispatchPipeAsync replay of a chain of async steps against the same steps awaited one after the other by hand.
const steps = 10
const pipeCalls = Number(arg('pipe-calls', '20000'))
const stepFns = Array.from({ length: steps }, (_, i) => async (x: number) => x + i)
const chainModel = new Dispatcher({ name: 'steps' })
stepFns.forEach((fn, i) => chainModel.addFunction({ id: `s${i}`, fn, inputs: [`x${i}`], outputs: [`x${i + 1}`] }))
const replay = DispatchPipeAsync(chainModel, { inputs: ['x0'], outputs: [`x${steps}`] })
const byHand = async (x: number): Promise<number> => {
  for (const f of stepFns) x = await f(x)
  return x
}
if ((await replay(1)) !== (await byHand(1))) throw new Error('(c): the replay and the await chain disagree')
const loop = async (f: (x: number) => Promise<unknown>): Promise<void> => {
  for (let i = 0; i < pipeCalls; i++) await f(i)
}
await loop(byHand)
await loop(replay)
const hand: number[] = []
const rep: number[] = []
for (let r = 0; r < Math.max(reps, 5); r++) {
  hand.push(await cpuAsync(() => loop(byHand)))
  rep.push(await cpuAsync(() => loop(replay)))
}
const hu = (median(hand) * 1000) / pipeCalls
const ru = (median(rep) * 1000) / pipeCalls
console.log(`\n(c) DispatchPipeAsync replay of ${steps} async steps vs the same steps awaited by hand, ${pipeCalls} calls, CPU time`)
console.log(`await chain ${hu.toFixed(2)} µs/call, replay ${ru.toFixed(2)} µs/call, ratio ${(ru / hu).toFixed(2)}`)
