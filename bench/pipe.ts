// Pipe benchmark: replaying a precompiled plan (DispatchPipe) on chain/wide/lattice models, µs per node and ratio to a plain loop.
// Usage: npm run bench:pipe [-- --sizes 1000,100000 --shapes chain,wide,lattice --json out.json]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DispatchPipe, Dispatcher, SubDispatchFunction, SubDispatchPipe } from '../engine/index.ts'
import { SHAPES } from './shapes.ts'
import { median, time, arg } from './harness.ts'

interface CaseResult {
  shape: string
  n: number
  recordMs: number
  /** The plan alone: reset the buffer, set the inputs, replay the steps. */
  replayUs: number
  /** A call returning the leaves (the model's final values) as a list. */
  callUs: number
  /** A call returning every value in a Map, as the plain loop does. */
  allUs: number
  loopUs: number
  ratio: number
  callRatio: number
  allRatio: number
  dispatchUs: number
}

/** One (shape, size) case in this process: record the plan once, then replay it against the plain loop. */
function runCase(shapeName: keyof typeof SHAPES, n: number, repeats: number): CaseResult {
  const shape = SHAPES[shapeName](n)
  const dsp = shape.build()
  const inputs = Object.keys(shape.inputs)
  const values = Object.values(shape.inputs)
  const leaves = [...dsp.dataNodes.keys()].filter((id) => dsp.successors(id).length === 0) as string[]
  // Every data node is an output of `all`: the call returns them in a Map, as the plain loop does.
  let all: ReturnType<typeof DispatchPipe> | undefined
  const recordMs = time(() => (all = DispatchPipe(dsp, { inputs, shrink: false })))
  const allFn = all!
  const callFn = DispatchPipe(dsp, { inputs, outputs: leaves, outputType: 'list', shrink: false })
  let out = allFn(...values) as Map<string, number>
  const expected = shape.plainLoop()
  if (out.size !== expected.size) throw new Error(`${shapeName} ${n}: the replay computed ${out.size} values, the loop ${expected.size}`)
  for (const [k, v] of expected) if (out.get(k) !== v) throw new Error(`${shapeName} ${n}: ${k} is ${out.get(k)}, the loop says ${v}`)
  const listed = callFn(...values) as number[]
  leaves.forEach((id, i) => {
    if (listed[i] !== expected.get(id)) throw new Error(`${shapeName} ${n}: leaf ${id} is ${listed[i]}, the loop says ${expected.get(id)}`)
  })
  const plan = callFn.plan
  const buf = plan.newBuffer()
  const replay = () => {
    plan.reset(buf)
    for (let i = 0; i < values.length; i++) plan.setInput(buf, i, values[i])
    if (plan.replay(buf) !== undefined) throw new Error('the plan broke')
  }
  const replays: number[] = []
  const calls: number[] = []
  const alls: number[] = []
  const loops: number[] = []
  for (let i = 0; i < repeats; i++) {
    replays.push(time(replay))
    calls.push(time(() => callFn(...values)))
    alls.push(time(() => (out = allFn(...values) as Map<string, number>)))
    loops.push(time(() => shape.plainLoop()))
  }
  const dispatches: number[] = []
  for (let i = 0; i < Math.min(3, repeats); i++) dispatches.push(time(() => dsp.dispatch(shape.inputs)))
  const loopMs = median(loops)
  const us = (ms: number) => (ms * 1000) / shape.n
  return {
    shape: shapeName, n: shape.n, recordMs,
    replayUs: us(median(replays)), callUs: us(median(calls)), allUs: us(median(alls)), loopUs: us(loopMs),
    ratio: median(replays) / loopMs, callRatio: median(calls) / loopMs, allRatio: median(alls) / loopMs,
    dispatchUs: us(median(dispatches)),
  }
}

/** Per-call cost of the wrappers on a tiny model, against the same computation as a plain function (same run). */
function smallModelCalls(): { name: string; us: number; ratio: number }[] {
  const m = new Dispatcher({ name: 'm' })
  m.addData({ id: 'k', defaultValue: 10 })
  m.addFunction({ id: 'f', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
  m.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
  const k = 10
  const plain = (a: number) => ((x: number, y: number) => x * y)(a, k) + 1
  const fns: [string, (a: number) => unknown, number][] = [
    ['plain function', plain, 2_000_000],
    ['DispatchPipe', DispatchPipe(m, { inputs: ['a'], outputs: ['c'] }) as unknown as (a: number) => unknown, 1_000_000],
    ['SubDispatchPipe', SubDispatchPipe(m, { inputs: ['a'], outputs: ['c'] }) as unknown as (a: number) => unknown, 1_000_000],
    ['SubDispatchFunction', SubDispatchFunction(m, { inputs: ['a'], outputs: ['c'] }) as unknown as (a: number) => unknown, 20_000],
  ]
  const out: { name: string; us: number }[] = []
  for (const [name, fn, n] of fns) {
    let sink = 0
    for (let i = 0; i < Math.min(n, 20_000); i++) sink += fn(i) as number
    const ms = median([0, 1, 2].map(() => time(() => {
      for (let i = 0; i < n; i++) sink += fn(i) as number
    })))
    if (Number.isNaN(sink)) throw new Error(`${name} computed NaN`)
    out.push({ name, us: (ms * 1000) / n })
  }
  return out.map((r) => ({ ...r, ratio: r.us / out[0]!.us }))
}

const self = fileURLToPath(import.meta.url)

if (process.argv.includes('--case')) {
  const [shape, n] = arg('case', 'chain:1000').split(':') as [keyof typeof SHAPES, string]
  process.stdout.write(JSON.stringify(runCase(shape, Number(n), Number(n) >= 100_000 ? 15 : 41)))
} else {
  const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number)
  const shapes = arg('shapes', 'chain,wide,lattice').split(',') as (keyof typeof SHAPES)[]
  const results: CaseResult[] = []
  console.log(`Flowmark pipe benchmark — Node ${process.version}, ${process.arch}; medians, µs per function node`)
  console.log('shape    |       N | record ms | replay µs (×loop) | call→leaves µs (×loop) | call→all µs (×loop) | loop µs | dispatch µs')
  console.log('---------|---------|-----------|-------------------|------------------------|---------------------|---------|------------')
  const cell = (us: number, ratio: number, w: number) => `${us.toFixed(3)} (${ratio.toFixed(2)}×)`.padStart(w)
  for (const shape of shapes) {
    for (const n of sizes) {
      const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--conditions=source', self, '--case', `${shape}:${n}`], { encoding: 'utf8' })
      const r = JSON.parse(out) as CaseResult
      results.push(r)
      console.log(
        `${r.shape.padEnd(8)} | ${String(r.n).padStart(7)} | ${r.recordMs.toFixed(0).padStart(9)} | ${cell(r.replayUs, r.ratio, 17)} | ` +
          `${cell(r.callUs, r.callRatio, 22)} | ${cell(r.allUs, r.allRatio, 19)} | ${r.loopUs.toFixed(3).padStart(7)} | ${r.dispatchUs.toFixed(2).padStart(11)}`,
      )
    }
  }
  const big = results.filter((r) => r.n === Math.max(...sizes))
  if (big.length > 0) {
    const worst = (key: 'replayUs' | 'callUs') => big.reduce((a, b) => (b[key] > a[key] ? b : a))
    const check = (ok: boolean) => (ok ? 'ok  ' : 'MISS')
    const wr = worst('replayUs')
    const wc = worst('callUs')
    console.log(`\nTargets at ${wr.n.toLocaleString('en')} nodes (ratios: to the plain loop of the same functions, same run):`)
    console.log(`  ${check(wr.replayUs <= 0.5)} plan replay, worst shape (${wr.shape}): ${wr.replayUs.toFixed(3)} µs/node ≤ 0.5`)
    console.log(`  ${check(wc.callUs <= 0.5)} pipe call returning the leaves, worst shape (${wc.shape}): ${wc.callUs.toFixed(3)} µs/node ≤ 0.5`)
    console.log(`  replay/loop: ${big.map((r) => `${r.shape} ${r.ratio.toFixed(2)}×`).join(', ')}`)
    console.log(`  speed-up of a pipe call over dispatch: ${big.map((r) => `${r.shape} ${(r.dispatchUs / r.callUs).toFixed(1)}×`).join(', ')}`)
  }
  const small = smallModelCalls()
  console.log('\nCalling a 2-function model (k = 10 default, b = a * k, c = b + 1), µs per call (×plain function):')
  for (const r of small) console.log(`  ${r.name.padEnd(20)} ${r.us.toFixed(3).padStart(9)} µs (${r.ratio.toFixed(1)}×)`)
  const json = arg('json', '')
  if (json) writeFileSync(json, JSON.stringify({ node: process.version, results, small }, null, 2))
}
