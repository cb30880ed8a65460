// Small-model benchmark: the fixed cost of one dispatch of `a → f → b → g → c`, µs per call and ratio to a plain loop over the same steps writing a Map.
// Usage: npm run bench:small [-- --calls 20000 --json out.json]
import { writeFileSync } from 'node:fs'
import { Dispatcher, MapDispatch, SubDispatchFunction } from '../engine/index.ts'
import { median, arg, printHeader } from './harness.ts'

const f = (a: number) => a + 1
const g = (b: number) => b * 2
const dsp = new Dispatcher({ name: 'small' })
dsp.addFunction({ id: 'f', fn: f, inputs: ['a'], outputs: ['b'] })
dsp.addFunction({ id: 'g', fn: g, inputs: ['b'], outputs: ['c'] })
const sdf = SubDispatchFunction(dsp, { inputs: ['a'], outputs: ['c'] }) as unknown as (a: number) => number
const map = MapDispatch(dsp, { factoryOptions: { outputs: ['c'], outputType: 'values' } })
const list = Array.from({ length: 10 }, (_, i) => ({ a: i }))

/**
 * The baseline: the model's two steps as data, run by a plain loop that keeps every value in a Map (what any
 * dispatcher must at least do: look the inputs up, call, store the output). Unlike `g(f(a))`, which V8 inlines and
 * folds to a few nanoseconds, the Map traffic cannot be optimised away, so the ratio measures the dispatcher's own cost.
 */
const steps: readonly (readonly [(x: number) => number, string, string])[] = [
  [f, 'a', 'b'],
  [g, 'b', 'c'],
]
function mapLoop(a: number): number {
  const values = new Map<string, number>([['a', a]])
  for (const [fn, input, output] of steps) values.set(output, fn(values.get(input)!))
  return values.get('c')!
}

const calls = Number(arg('calls', '20000'))
/** Each case: a name, one call, and how many calls a timed run makes. */
const cases: [string, (i: number) => number, number][] = [
  ['plain loop, values in a Map', (i) => mapLoop(i), calls * 10],
  ['direct g(f(a)) (inlined)', (i) => g(f(i)), calls * 50],
  ['dispatch({ a })', (i) => dsp.dispatch({ a: i }).get('c') as number, calls],
  ["dispatch({ a }, ['c'])", (i) => dsp.dispatch({ a: i }, ['c']).get('c') as number, calls],
  ['SubDispatchFunction', (i) => sdf(i), calls],
  ['MapDispatch of 10 (per item)', (i) => (map(list)[9] === 20 ? i : NaN), calls / 10],
]
const rows: { name: string; us: number; ratio: number }[] = []
let sink = 0
for (const [name, fn, n] of cases) {
  for (let i = 0; i < Math.min(n, 5000); i++) sink += fn(i) // warm-up
  const runs: number[] = []
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now()
    for (let i = 0; i < n; i++) sink += fn(i)
    runs.push(performance.now() - t0)
  }
  const per = name.startsWith('MapDispatch') ? 10 : 1
  rows.push({ name, us: (median(runs) * 1000) / n / per, ratio: 0 })
}
if (Number.isNaN(sink)) throw new Error('a case computed NaN')
for (const r of rows) r.ratio = r.us / rows[0]!.us
printHeader(
  'Flowmark small-model benchmark — a → f → b → g → c, medians of 7 runs; baseline: a plain loop over the same two steps keeping the values in a Map',
)
console.log('case                          | µs per call | × Map loop')
console.log('------------------------------|-------------|-----------')
for (const r of rows)
  console.log(`${r.name.padEnd(29)} | ${r.us.toFixed(3).padStart(11)} | ${r.ratio.toFixed(r.ratio < 10 ? 2 : 0).padStart(10)}`)
console.log('(the direct call is shown for scale only: V8 inlines it, so it is no baseline)')
const d = rows[2]!
console.log(`\nTarget: ${d.us <= 10 ? 'ok  ' : 'MISS'} dispatch of the 2-function model ${d.us.toFixed(2)} µs ≤ 10`)
const json = arg('json', '')
if (json) writeFileSync(json, JSON.stringify({ node: process.version, rows }, null, 2))
