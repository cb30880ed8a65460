// Sub-model benchmark: getSubDsp, getSubDspFromWorkflow and shrinkDsp on chain/wide/lattice, µs per node and ratio to dsp.copy().
// Usage: npm run bench:sub-models [-- --sizes 10000,100000 --shapes chain,wide,lattice --timeout 120 --json out.json]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Dispatcher, NodeId } from '../engine/index.ts'
import { SHAPES } from './shapes.ts'
import { median, time, arg, printHeader } from './harness.ts'

/** The operations measured, each on the whole model (so every one keeps all nodes, as a copy does). */
const OPS = ['copy', 'getSubDsp', 'fromWorkflow', 'shrinkDsp'] as const
type Op = (typeof OPS)[number]

interface CaseResult {
  shape: string
  n: number
  /** Median ms of each operation. */
  ms: Record<Op, number>
  /** Nodes in the result of each operation (all equal to the model's node count, or the run is wrong). */
  nodes: Record<Op, number>
  modelNodes: number
}

/** Runs one (shape, size) case in this process. */
function runCase(shapeName: keyof typeof SHAPES, n: number, repeats: number): CaseResult {
  const shape = SHAPES[shapeName](n)
  const dsp = shape.build()
  const all = [...dsp.nodes.keys()]
  const inputs = Object.keys(shape.inputs)
  const leaves: NodeId[] = [...dsp.dataNodes.keys()].filter((id) => dsp.successors(id).length === 0)
  const ops: Record<Op, () => Dispatcher> = {
    copy: () => dsp.copy(),
    getSubDsp: () => dsp.getSubDsp(all),
    fromWorkflow: () => dsp.getSubDspFromWorkflow(inputs, { graph: 'model' }),
    shrinkDsp: () => dsp.shrinkDsp(inputs, leaves),
  }
  // Warm the JIT on a small model of the same shape first.
  const small = SHAPES[shapeName](200).build()
  const smallAll = [...small.nodes.keys()]
  const smallIn = Object.keys(SHAPES[shapeName](200).inputs)
  for (let i = 0; i < 5; i++) {
    small.copy()
    small.getSubDsp(smallAll)
    small.getSubDspFromWorkflow(smallIn, { graph: 'model' })
    small.shrinkDsp(smallIn)
  }
  const ms = {} as Record<Op, number>
  const nodes = {} as Record<Op, number>
  for (const op of OPS) {
    const runs: number[] = []
    let out: Dispatcher | undefined
    for (let i = 0; i < repeats; i++) runs.push(time(() => (out = ops[op]())))
    ms[op] = median(runs)
    nodes[op] = out!.nodes.size
  }
  return { shape: shapeName, n: shape.n, ms, nodes, modelNodes: dsp.nodes.size }
}

const self = fileURLToPath(import.meta.url)

if (process.argv.includes('--case')) {
  // Child mode: one case per fresh process, so memory and JIT state do not leak between cases.
  const [shape, n] = arg('case', 'chain:10000').split(':') as [keyof typeof SHAPES, string]
  process.stdout.write(JSON.stringify(runCase(shape, Number(n), Number(n) >= 100_000 ? 5 : 11)))
} else {
  const sizes = arg('sizes', '10000,100000').split(',').map(Number)
  const shapes = arg('shapes', 'chain,wide,lattice').split(',') as (keyof typeof SHAPES)[]
  const timeoutS = Number(arg('timeout', '300'))
  const results: (CaseResult | { shape: string; n: number; timeout: number })[] = []
  printHeader('Flowmark sub-model benchmark — medians, µs per function node (×copy)')
  console.log('Each operation keeps the whole model: getSubDsp(all ids), getSubDspFromWorkflow(inputs, model), shrinkDsp(inputs, leaves).')
  console.log('shape    |       N |    copy µs | getSubDsp µs (×copy) | fromWorkflow µs (×copy) | shrinkDsp µs (×copy)')
  console.log('---------|---------|------------|----------------------|-------------------------|---------------------')
  const cell = (r: CaseResult, op: Op, w: number) => {
    const us = (r.ms[op] * 1000) / r.n
    return `${us.toFixed(2)} (${(r.ms[op] / r.ms.copy).toFixed(1)}×)`.padStart(w)
  }
  let worst = 0
  for (const shape of shapes) {
    for (const n of sizes) {
      let out: string
      try {
        out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--conditions=source', self, '--case', `${shape}:${n}`], {
          encoding: 'utf8',
          timeout: timeoutS * 1000,
        })
      } catch (err) {
        if ((err as { signal?: string }).signal !== 'SIGTERM') throw err
        results.push({ shape, n, timeout: timeoutS })
        console.log(`${shape.padEnd(8)} | ${String(n).padStart(7)} | did not finish in ${timeoutS} s`)
        worst = Infinity
        continue
      }
      const r = JSON.parse(out) as CaseResult
      for (const op of OPS) {
        if (r.nodes[op] !== r.modelNodes) throw new Error(`${shape} ${n}: ${op} kept ${r.nodes[op]} of ${r.modelNodes} nodes`)
      }
      results.push(r)
      for (const op of OPS) if (op !== 'copy') worst = Math.max(worst, r.ms[op] / r.ms.copy)
      console.log(
        `${r.shape.padEnd(8)} | ${String(r.n).padStart(7)} | ${((r.ms.copy * 1000) / r.n).toFixed(2).padStart(10)} | ` +
          `${cell(r, 'getSubDsp', 20)} | ${cell(r, 'fromWorkflow', 23)} | ${cell(r, 'shrinkDsp', 20)}`,
      )
    }
  }
  // Linear means: the cost per node does not grow with the size. Compare the largest size to the smallest.
  const lo = Math.min(...sizes)
  const hi = Math.max(...sizes)
  if (lo !== hi) {
    console.log(`\nGrowth of µs per node from ${lo.toLocaleString('en')} to ${hi.toLocaleString('en')} nodes (1× = linear):`)
    for (const shape of shapes) {
      const a = results.find((r) => r.shape === shape && r.n >= lo && !('timeout' in r)) as CaseResult | undefined
      const b = [...results].reverse().find((r) => r.shape === shape && !('timeout' in r)) as CaseResult | undefined
      if (a === undefined || b === undefined || a === b) continue
      const g = (op: Op) => `${op} ${(b.ms[op] / b.n / (a.ms[op] / a.n)).toFixed(1)}×`
      console.log(`  ${shape.padEnd(8)} ${OPS.map(g).join(', ')}`)
    }
  }
  console.log(`\nWorst ratio to copy: ${worst === Infinity ? 'a case timed out' : `${worst.toFixed(1)}×`}`)
  const json = arg('json', '')
  if (json) writeFileSync(json, JSON.stringify({ node: process.version, results }, null, 2))
}
