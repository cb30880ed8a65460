// Portable-model benchmark: a 100k-node model file parsed, validated, loaded and written, with ratios to JSON.parse.
// Usage: npm run bench:portable [-- --nodes 100000 --runs 5]
// Budgets (issue #13): load ≤ 2 s, validate ≤ 1 s for 100k nodes. Ratios are to a plain JSON.parse of the same text,
// measured in the same run, so they can be compared across machines.
import { availableParallelism, loadavg } from 'node:os'
import { fromJSON, parseJsonText, toJSON, validateModel, type ModelDoc, type NodeDoc } from '../engine/portable/index.ts'
import { arg, median, time } from './harness.ts'

const total = Number(arg('nodes', '100000'))
const runs = Number(arg('runs', '5'))

/** A chain d0 → f0 → d1 → f1 → …: half data nodes (every tenth with a default), half function nodes. */
function makeDoc(n: number): ModelDoc {
  const nodes: NodeDoc[] = []
  for (let i = 0; nodes.length < n; i++) {
    nodes.push(i % 10 === 0 ? { kind: 'data', id: `d${i}`, default: i, description: `value ${i}` } : { kind: 'data', id: `d${i}` })
    nodes.push({ kind: 'function', id: `f${i}`, ref: './portable-work.ts#inc', inputs: [`d${i}`], outputs: [`d${i + 1}`] })
  }
  return { flowmark: 1, name: 'chain', nodes: nodes.slice(0, n) }
}

const text = JSON.stringify(makeDoc(total), null, 1)
const baseUrl = import.meta.url
const measure = async (fn: () => unknown): Promise<number> => {
  await fn() // warm-up (and the module import, once)
  const ts: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    await fn()
    ts.push(performance.now() - t0)
  }
  return median(ts)
}

let loaded: Awaited<ReturnType<typeof fromJSON>> | undefined
const rows: [string, number, number | undefined][] = []
const base = await measure(() => JSON.parse(text))
rows.push(['JSON.parse (baseline)', base, undefined])
rows.push(['parse with positions', await measure(() => parseJsonText(text)), undefined])
rows.push(['validate (parse + checks)', await measure(() => validateModel(parseJsonText(text).value)), 1000])
rows.push([
  'load (validate + import + build)',
  await measure(async () => {
    loaded = await fromJSON(text, { baseUrl })
  }),
  2000,
])
rows.push(['write (toJSON + JSON.stringify)', await measure(() => JSON.stringify(toJSON(loaded!, { baseUrl }))), undefined])
const sol = time(() => loaded!.dispatch({ d0: 0 }))

console.log(`portable models: ${total} nodes, ${(text.length / 1e6).toFixed(1)} MB of JSON, median of ${runs} runs`)
// Budgets are absolute; on a loaded machine compare the ratios (the load average says how busy it was).
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
let ok = true
for (const [name, ms, budget] of rows) {
  const verdict = budget === undefined ? '' : ms <= budget ? `  ≤ ${budget} ms: ok` : `  > ${budget} ms: OVER BUDGET`
  if (budget !== undefined && ms > budget) ok = false
  console.log(`${name.padEnd(36)} ${ms.toFixed(1).padStart(9)} ms  ${(ms / base).toFixed(1).padStart(6)}× JSON.parse${verdict}`)
}
console.log(`(one dispatch of the loaded chain: ${sol.toFixed(1)} ms)`)
process.exitCode = ok ? 0 : 1
