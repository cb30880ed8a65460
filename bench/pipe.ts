// Pipe benchmark: replaying a precompiled plan (DispatchPipe) on chain/wide/lattice models, µs per node, each against its like-for-like plain loop.
// Usage: npm run bench:pipe [-- --sizes 1000,100000 --shapes chain,wide,lattice --json out.json]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DispatchPipe, Dispatcher, SubDispatchFunction, SubDispatchPipe } from '../engine/index.ts'
import { SHAPES } from './shapes.ts'
import { median, time, arg, printHeader } from './harness.ts'

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
  /** The plain loop storing every value in a flat buffer (baseline of `replayUs`). */
  flatLoopUs: number
  /** The plain loop storing every value in a Map (baseline of `allUs`). */
  loopUs: number
  /** replay ÷ flat-buffer loop: like for like. */
  ratio: number
  /** call→all ÷ Map loop: like for like. */
  allRatio: number
  /** call→leaves ÷ flat-buffer loop. */
  callRatio: number
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
  const flat: number[] = new Array<number>(shape.values).fill(0)
  shape.flatLoop(flat)
  const order = [...expected.values()]
  if (order.length !== flat.length || order.some((v, i) => flat[i] !== v))
    throw new Error(`${shapeName} ${n}: the flat-buffer loop disagrees with the Map loop`)
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
  const flatLoops: number[] = []
  for (let i = 0; i < repeats; i++) {
    replays.push(time(replay))
    flatLoops.push(time(() => shape.flatLoop(flat)))
    calls.push(time(() => callFn(...values)))
    alls.push(time(() => (out = allFn(...values) as Map<string, number>)))
    loops.push(time(() => shape.plainLoop()))
  }
  if (flat[flat.length - 1] !== order[order.length - 1]) throw new Error(`${shapeName} ${n}: the flat-buffer loop lost its values`)
  const dispatches: number[] = []
  for (let i = 0; i < Math.min(3, repeats); i++) dispatches.push(time(() => dsp.dispatch(shape.inputs)))
  const loopMs = median(loops)
  const flatMs = median(flatLoops)
  const us = (ms: number) => (ms * 1000) / shape.n
  return {
    shape: shapeName,
    n: shape.n,
    recordMs,
    replayUs: us(median(replays)),
    callUs: us(median(calls)),
    allUs: us(median(alls)),
    flatLoopUs: us(flatMs),
    loopUs: us(loopMs),
    ratio: median(replays) / flatMs,
    allRatio: median(alls) / loopMs,
    callRatio: median(calls) / flatMs,
    dispatchUs: us(median(dispatches)),
  }
}

/** Per-call cost of the wrappers on a tiny model, against the same computation as a plain function (same run). */
function smallModelCalls(): { name: string; us: number; ratio: number }[] {
  const m = new Dispatcher({ name: 'm' })
  m.addData({ id: 'k', defaultValue: 10 })
  m.addFunction({ id: 'f', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
  m.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
  // Baseline: the same two steps as data, run by a plain loop that keeps the values in a Map (a direct call would be
  // inlined by V8 to a few nanoseconds, which no model call can be compared with).
  const mul = (a: number, k: number) => a * k
  const inc = (b: number) => b + 1
  const steps: readonly (readonly [(x: number, y: number) => number, readonly string[], string])[] = [
    [mul, ['a', 'k'], 'b'],
    [inc, ['b'], 'c'],
  ]
  const plain = (a: number) => {
    const values = new Map<string, number>([
      ['k', 10],
      ['a', a],
    ])
    for (const [fn, inputs, output] of steps) values.set(output, fn(values.get(inputs[0]!)!, values.get(inputs[1] ?? '')!))
    return values.get('c')!
  }
  const fns: [string, (a: number) => unknown, number][] = [
    ['plain loop, Map', plain, 1_000_000],
    ['DispatchPipe', DispatchPipe(m, { inputs: ['a'], outputs: ['c'] }), 1_000_000],
    ['SubDispatchPipe', SubDispatchPipe(m, { inputs: ['a'], outputs: ['c'] }), 1_000_000],
    ['SubDispatchFunction', SubDispatchFunction(m, { inputs: ['a'], outputs: ['c'] }), 20_000],
  ]
  const out: { name: string; us: number }[] = []
  for (const [name, fn, n] of fns) {
    let sink = 0
    for (let i = 0; i < Math.min(n, 20_000); i++) sink += fn(i) as number
    const ms = median(
      [0, 1, 2].map(() =>
        time(() => {
          for (let i = 0; i < n; i++) sink += fn(i) as number
        }),
      ),
    )
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
  printHeader('Flowmark pipe benchmark — medians, µs per function node; each column pair compares like with like (same storage)')
  console.log(
    '         |         |           | into a flat buffer                       | into a Map (every value)                   |                |',
  )
  console.log(
    'shape    |       N | record ms | plan replay µs | plain loop µs |      × | pipe call→all µs | plain loop µs |      × | call→leaves µs | dispatch µs',
  )
  console.log(
    '---------|---------|-----------|----------------|---------------|--------|------------------|---------------|--------|----------------|------------',
  )
  for (const shape of shapes) {
    for (const n of sizes) {
      const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--conditions=source', self, '--case', `${shape}:${n}`], {
        encoding: 'utf8',
      })
      const r = JSON.parse(out) as CaseResult
      results.push(r)
      console.log(
        `${r.shape.padEnd(8)} | ${String(r.n).padStart(7)} | ${r.recordMs.toFixed(0).padStart(9)} | ` +
          `${r.replayUs.toFixed(3).padStart(14)} | ${r.flatLoopUs.toFixed(3).padStart(13)} | ${r.ratio.toFixed(2).padStart(6)} | ` +
          `${r.allUs.toFixed(3).padStart(16)} | ${r.loopUs.toFixed(3).padStart(13)} | ${r.allRatio.toFixed(2).padStart(6)} | ` +
          `${r.callUs.toFixed(3).padStart(14)} | ${r.dispatchUs.toFixed(2).padStart(11)}`,
      )
    }
  }
  const big = results.filter((r) => r.n === Math.max(...sizes))
  if (big.length > 0) {
    const worst = (key: 'replayUs' | 'callUs') => big.reduce((a, b) => (b[key] > a[key] ? b : a))
    const check = (ok: boolean) => (ok ? 'ok  ' : 'MISS')
    const wr = worst('replayUs')
    const wc = worst('callUs')
    console.log(
      `\nTargets at ${wr.n.toLocaleString('en')} nodes (ratios: to the plain loop of the same functions storing into the same kind of place, same run):`,
    )
    console.log(`  ${check(wr.replayUs <= 0.5)} plan replay, worst shape (${wr.shape}): ${wr.replayUs.toFixed(3)} µs/node ≤ 0.5`)
    console.log(
      `  ${check(wc.callUs <= 0.5)} pipe call returning the leaves, worst shape (${wc.shape}): ${wc.callUs.toFixed(3)} µs/node ≤ 0.5`,
    )
    console.log(`  replay ÷ flat-buffer loop: ${big.map((r) => `${r.shape} ${r.ratio.toFixed(2)}×`).join(', ')}`)
    console.log(`  call→all (Map) ÷ Map loop: ${big.map((r) => `${r.shape} ${r.allRatio.toFixed(2)}×`).join(', ')}`)
    console.log(
      `  speed-up of a pipe call over dispatch: ${big.map((r) => `${r.shape} ${(r.dispatchUs / r.callUs).toFixed(1)}×`).join(', ')}`,
    )
  }
  const small = smallModelCalls()
  console.log(
    '\nCalling a 2-function model (k = 10 default, b = a * k, c = b + 1), µs per call (× a plain loop over the two steps keeping values in a Map):',
  )
  for (const r of small) console.log(`  ${r.name.padEnd(20)} ${r.us.toFixed(3).padStart(9)} µs (${r.ratio.toFixed(1)}×)`)
  const json = arg('json', '')
  if (json) writeFileSync(json, JSON.stringify({ node: process.version, results, small }, null, 2))
}
