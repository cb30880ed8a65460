// Small-model benchmark: the fixed cost of one dispatch of `a → f → b → g → c`, µs per call and ratio to calling f and g directly.
// Usage: npm run bench:small [-- --calls 20000 --json out.json]
import { writeFileSync } from 'node:fs'
import { Dispatcher, MapDispatch, SubDispatchFunction } from '../engine/index.ts'
import { median, arg } from './harness.ts'

const f = (a: number) => a + 1
const g = (b: number) => b * 2
const dsp = new Dispatcher({ name: 'small' })
dsp.addFunction({ id: 'f', fn: f, inputs: ['a'], outputs: ['b'] })
dsp.addFunction({ id: 'g', fn: g, inputs: ['b'], outputs: ['c'] })
const sdf = SubDispatchFunction(dsp, { inputs: ['a'], outputs: ['c'] }) as unknown as (a: number) => number
const map = MapDispatch(dsp, { factoryOptions: { outputs: ['c'], outputType: 'values' } })
const list = Array.from({ length: 10 }, (_, i) => ({ a: i }))

const calls = Number(arg('calls', '20000'))
/** Each case: a name, one call, and how many calls a timed run makes. */
const cases: [string, (i: number) => number, number][] = [
  ['direct g(f(a))', (i) => g(f(i)), calls * 50],
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
console.log(`Flowmark small-model benchmark — Node ${process.version}, ${process.arch}; a → f → b → g → c, medians of 7 runs`)
console.log('case                          | µs per call | × direct')
console.log('------------------------------|-------------|---------')
for (const r of rows) console.log(`${r.name.padEnd(29)} | ${r.us.toFixed(3).padStart(11)} | ${r.ratio.toFixed(0).padStart(8)}`)
const d = rows[1]!
console.log(`\nTarget: ${d.us <= 10 ? 'ok  ' : 'MISS'} dispatch of the 2-function model ${d.us.toFixed(2)} µs ≤ 10`)
const json = arg('json', '')
if (json) writeFileSync(json, JSON.stringify({ node: process.version, rows }, null, 2))
