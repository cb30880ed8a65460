// Engine benchmark: build and dispatch chain/wide/lattice models, as µs per node and as a ratio to a plain loop.
// Usage: npm run bench [-- --sizes 1000,10000,100000 --shapes chain,wide,lattice --deep 1000000 --json out.json]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Dispatcher } from '../engine/index.ts'
import { SHAPES, buildFloor } from './shapes.ts'
import { median, arg, cpuTime, printHeader } from './harness.ts'

interface CaseResult {
  shape: string
  n: number
  buildUs: number
  firstBuildUs: number
  floorUs: number
  firstDispatchUs: number
  dispatchUs: number
  loopUs: number
  ratio: number
  bytesPerNode: number
  peakRssMiB: number
}

const gc = (globalThis as { gc?: () => void }).gc

type AnyShape = ReturnType<(typeof SHAPES)[keyof typeof SHAPES]>

/**
 * Makes the JIT warm (in its own frame, so nothing of it stays alive): small models of the shape first, built and
 * dispatched several times, so that the paths only a model's first calls take have type feedback (the first calls of
 * a process run before V8 records any; a path without feedback deoptimises the next model's build), then a model as
 * large as the timed one, and the build floor.
 */
function warmUp(shape: AnyShape, small: AnyShape): void {
  for (let i = 0; i < 10; i++) {
    small.build().dispatch(small.inputs)
    buildFloor(small)
  }
  shape.build().dispatch(shape.inputs)
  buildFloor(shape)
}

/** Runs one (shape, size) case in this process and returns its numbers. */
function runCase(shapeName: keyof typeof SHAPES, n: number, repeats: number): CaseResult {
  const shape = SHAPES[shapeName](n)
  const small = SHAPES[shapeName](Math.min(n, 1000))
  warmUp(shape, small)
  // Build and floor alternate, three times each (the first of a process pays heap growth: whichever ran first would
  // carry it); each is timed after a collection, and the medians are reported. The last model built is kept.
  const floors: number[] = []
  const builds: number[] = []
  let dsp: Dispatcher | undefined
  let heap0 = 0
  // Small models are built several times per sample, so one sample is long enough for the CPU clock (1 µs steps).
  const inner = Math.max(1, Math.floor(20_000 / shape.n))
  for (let i = 0; i < 3; i++) {
    gc?.()
    floors.push(
      cpuTime(() => {
        for (let k = 0; k < inner; k++) buildFloor(shape)
      }) / inner,
    )
    dsp = undefined
    gc?.()
    heap0 = process.memoryUsage().heapUsed
    builds.push(
      cpuTime(() => {
        for (let k = 0; k < inner; k++) dsp = shape.build()
      }) / inner,
    )
  }
  const buildMs = median(builds)
  const floorMs = median(floors)
  if (dsp === undefined) throw new Error('unreachable')
  const model: Dispatcher = dsp
  // The forced collections above age the code V8 compiled for dispatching, which it may then drop (bytecode
  // flushing): a small model's dispatch compiles it again first. The first dispatch's CPU time still counts the JIT
  // compilations V8 runs on its background threads meanwhile (most of it at 1,000 nodes).
  small.build().dispatch(small.inputs)
  const first = cpuTime(() => model.dispatch(shape.inputs))
  const runs: number[] = []
  const loops: number[] = []
  let sol = model.dispatch(shape.inputs)
  for (let i = 0; i < repeats; i++) {
    runs.push(
      cpuTime(() => {
        for (let k = 0; k < inner; k++) sol = model.dispatch(shape.inputs)
      }) / inner,
    )
    loops.push(
      cpuTime(() => {
        for (let k = 0; k < inner; k++) shape.plainLoop()
      }) / inner,
    )
  }
  if (sol.size !== shape.plainLoop().size)
    throw new Error(`${shapeName} ${n}: dispatch computed ${sol.size} values, the loop ${shape.plainLoop().size}`)
  gc?.()
  const heap1 = process.memoryUsage().heapUsed
  const keep = [model, sol]
  const dispatchMs = median(runs)
  const loopMs = median(loops)
  void keep
  return {
    shape: shapeName,
    n: shape.n,
    buildUs: (buildMs * 1000) / shape.n,
    firstBuildUs: (builds[0]! * 1000) / shape.n,
    floorUs: (floorMs * 1000) / shape.n,
    firstDispatchUs: (first * 1000) / shape.n,
    dispatchUs: (dispatchMs * 1000) / shape.n,
    loopUs: (loopMs * 1000) / shape.n,
    ratio: dispatchMs / loopMs,
    bytesPerNode: (heap1 - heap0) / shape.n,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }
}

const self = fileURLToPath(import.meta.url)

if (process.argv.includes('--case')) {
  // Child mode: one case per fresh process, so memory and JIT state do not leak between cases.
  const [shape, n] = arg('case', 'chain:1000').split(':') as [keyof typeof SHAPES, string]
  const result = runCase(shape, Number(n), Number(n) >= 100_000 ? 5 : 15)
  process.stdout.write(JSON.stringify(result))
} else if (process.argv.includes('--deep-case')) {
  // Warmed first (a chain a tenth as deep, built and dispatched twice), then timed in CPU time: one build, and the
  // median of three dispatches (each solution dropped before the next).
  const n = Number(arg('deep-case', '1000000'))
  const warm = SHAPES.chain(Math.max(1, Math.floor(n / 10)))
  for (let i = 0; i < 2; i++) warm.build().dispatch(warm.inputs)
  gc?.()
  const shape = SHAPES.chain(n)
  let dsp: Dispatcher | undefined
  const buildMs = cpuTime(() => (dsp = shape.build()))
  const model = dsp!
  let size = 0
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    gc?.()
    runs.push(cpuTime(() => (size = model.dispatch(shape.inputs).size)))
  }
  process.stdout.write(
    JSON.stringify({
      n,
      buildUs: (buildMs * 1000) / n,
      dispatchUs: (median(runs) * 1000) / n,
      size,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  )
} else {
  const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number)
  const shapes = arg('shapes', 'chain,wide,lattice').split(',') as (keyof typeof SHAPES)[]
  const deep = Number(arg('deep', '1000000'))
  const results: CaseResult[] = []
  const node = process.execPath
  printHeader('Flowmark engine benchmark — CPU time (user + system), medians, µs per function node')
  console.log(
    'shape    |       N | build µs | floor µs | build/floor | 1st dispatch µs | dispatch µs | loop µs | dispatch/loop | bytes/node | peak RSS MiB',
  )
  console.log(
    '---------|---------|----------|----------|-------------|-----------------|-------------|---------|---------------|------------|-------------',
  )
  for (const shape of shapes) {
    for (const n of sizes) {
      const out = execFileSync(node, ['--expose-gc', '--max-old-space-size=8192', self, '--case', `${shape}:${n}`], { encoding: 'utf8' })
      const r = JSON.parse(out) as CaseResult
      results.push(r)
      console.log(
        `${r.shape.padEnd(8)} | ${String(r.n).padStart(7)} | ${r.buildUs.toFixed(2).padStart(8)} | ` +
          `${r.floorUs.toFixed(2).padStart(8)} | ${(r.buildUs / r.floorUs).toFixed(1).padStart(11)} | ` +
          `${r.firstDispatchUs.toFixed(2).padStart(15)} | ${r.dispatchUs.toFixed(2).padStart(11)} | ` +
          `${r.loopUs.toFixed(3).padStart(7)} | ${r.ratio.toFixed(1).padStart(13)} | ` +
          `${r.bytesPerNode.toFixed(0).padStart(10)} | ${r.peakRssMiB.toFixed(0).padStart(12)}`,
      )
    }
  }
  let deepResult: { n: number; buildUs: number; dispatchUs: number; size: number; peakRssMiB: number } | undefined
  if (deep > 0) {
    const out = execFileSync(node, ['--expose-gc', '--max-old-space-size=8192', self, '--deep-case', String(deep)], { encoding: 'utf8' })
    deepResult = JSON.parse(out)
    console.log(
      `\n${deep.toLocaleString('en')}-deep chain (warmed; CPU time, dispatch: median of 3): build ${deepResult!.buildUs.toFixed(2)} µs/node, dispatch ` +
        `${deepResult!.dispatchUs.toFixed(2)} µs/node, ${deepResult!.size.toLocaleString('en')} values, no stack overflow, peak RSS ${deepResult!.peakRssMiB.toFixed(0)} MiB`,
    )
  }
  // The targets of issue #18: dispatch ≤ 1.5 µs/node on every shape at the largest size and at 1,000 nodes, build
  // ≤ 2 µs/node on every shape at the largest size, the deep chain within 1 GiB of peak RSS.
  const check = (ok: boolean) => (ok ? 'ok  ' : 'MISS')
  for (const n of new Set([1000, Math.max(...sizes)])) {
    const at = results.filter((r) => r.n === n)
    if (at.length === 0) continue
    const worst = at.reduce((a, b) => (b.dispatchUs > a.dispatchUs ? b : a))
    console.log(`\nTargets at ${n.toLocaleString('en')} nodes (workflow recording on):`)
    console.log(`  ${check(worst.dispatchUs <= 1.5)} dispatch, worst shape (${worst.shape}): ${worst.dispatchUs.toFixed(2)} µs/node ≤ 1.5`)
    if (n !== Math.max(...sizes)) continue
    const build = at.reduce((a, b) => (b.buildUs > a.buildUs ? b : a))
    console.log(
      `  ${check(build.buildUs <= 2)} build, worst shape (${build.shape}): ${build.buildUs.toFixed(2)} µs/node ≤ 2 ` +
        `(median of 3; the first after the warm-up, which pays heap growth: ${build.firstBuildUs.toFixed(2)})`,
    )
    console.log(
      `  build floor (the same records, Map entries and id lists made by a plain loop, no checks): ` +
        at.map((r) => `${r.shape} ${r.floorUs.toFixed(2)} µs (build ${(r.buildUs / r.floorUs).toFixed(1)}×)`).join(', '),
    )
    const maxMem = Math.max(...at.map((r) => r.bytesPerNode))
    console.log(`  ${check(maxMem <= 1024)} memory, worst shape: ${maxMem.toFixed(0)} bytes/node ≤ 1024`)
    console.log(`  ratio to the plain loop: ${at.map((r) => `${r.shape} ${r.ratio.toFixed(1)}×`).join(', ')}`)
  }
  if (deepResult !== undefined) {
    console.log(
      `  ${check(deepResult.peakRssMiB <= 1024)} ${deep.toLocaleString('en')}-deep chain: peak RSS ${deepResult.peakRssMiB.toFixed(0)} MiB ≤ 1024`,
    )
  }
  const json = arg('json', '')
  if (json) writeFileSync(json, JSON.stringify({ node: process.version, results, deep: deepResult }, null, 2))
}
