// Renderer benchmark: cold (fresh process: WASM load + layout) vs warm (loaded instance) vs cached (disk) renders.
// Usage: node --conditions=source bench/render.ts [--sizes 50,500] [--runs 7] [--cold-runs 3] [--json out.json]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Dispatcher } from '../engine/index.ts'
import type { PlotJSON } from '../engine/plot/types.ts'
import { printHeader } from './harness.ts'

/** A deterministic dataflow model with about `n` nodes (55% data, 45% functions, two inputs per function). */
function model(n: number): Dispatcher {
  const dsp = new Dispatcher({ name: `bench_${n}` })
  let seed = 42
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % k
  }
  const data: string[] = []
  const inputs = Math.max(2, Math.round(n * 0.1))
  for (let k = 0; k < inputs; k++) {
    dsp.addData({ id: `in_${k}`, description: `Input ${k}.` })
    data.push(`in_${k}`)
  }
  const functions = Math.round((n - inputs) / 2)
  for (let k = 0; k < functions; k++) {
    const a = data[data.length - 1 - rand(Math.min(data.length, 12))] as string
    let b = data[rand(data.length)] as string
    if (b === a) b = data[(data.indexOf(a) + 1) % data.length] as string
    const out = `value_${k}`
    dsp.addFunction({
      id: `compute_${k}`,
      fn: (x: number, y: number) => x + y,
      inputs: [a, b],
      outputs: [out],
      description: `Combines ${a} and ${b}.`,
    })
    data.push(out)
  }
  return dsp
}

function plotOf(n: number, splines?: string): PlotJSON {
  return model(n)
    .plot(splines === undefined ? {} : { graph: { splines } })
    .toJSON()
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Child mode: import the renderer, render once without cache, print the times (ms) as JSON. */
async function child(n: number): Promise<void> {
  const plot = plotOf(n)
  const t0 = performance.now()
  const { GraphRenderer, renderPlot } = await import('../plugin/render/index.ts')
  const renderer = new GraphRenderer({ cacheDir: false })
  const t1 = performance.now()
  await renderer.graphviz()
  const t2 = performance.now()
  await renderPlot(plot, { renderer })
  const t3 = performance.now()
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, loadMs: t2 - t1, renderMs: t3 - t2, totalMs: t3 - t0 }))
}

interface Row {
  nodes: number
  edges: number
  svgKiB: number
  coldMs: number
  coldLoadMs: number
  warmMs: number
  warmPolylineMs: number
  cachedMs: number
  coldOverWarm: number
  warmOverCached: number
  coldOverCached: number
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const opt = (name: string, fallback: string): string => {
    const k = args.indexOf(name)
    return k >= 0 ? (args[k + 1] ?? fallback) : fallback
  }
  if (args[0] === '--child') {
    await child(Number(args[1]))
    return
  }
  const sizes = opt('--sizes', '50,500').split(',').map(Number)
  const runs = Number(opt('--runs', '7'))
  const coldRuns = Number(opt('--cold-runs', '3'))
  const json = opt('--json', '')
  const { GraphRenderer, renderPlot } = await import('../plugin/render/index.ts')
  const self = fileURLToPath(import.meta.url)
  const cacheRoot = mkdtempSync(join(tmpdir(), 'flowmark-bench-render-'))
  const rows: Row[] = []
  try {
    for (const n of sizes) {
      const plot = plotOf(n)
      const page = plot.pages[0] as PlotJSON['pages'][number]
      const edges = (page.dot.match(/->/g) ?? []).length
      // Cold: a fresh Node process each time (module import, WASM compile, first layout, post-processing).
      const cold: { loadMs: number; totalMs: number }[] = []
      for (let r = 0; r < coldRuns; r++) {
        const out = execFileSync(process.execPath, ['--conditions=source', self, '--child', String(n)], { encoding: 'utf8' })
        cold.push(JSON.parse(out) as { loadMs: number; totalMs: number })
      }
      // Warm: Graphviz loaded, no cache: every render lays out again.
      const warmRenderer = new GraphRenderer({ cacheDir: false })
      await renderPlot(plot, { renderer: warmRenderer })
      const warm: number[] = []
      let html = ''
      for (let r = 0; r < runs; r++) {
        const t = performance.now()
        html = (await renderPlot(plot, { renderer: warmRenderer })).html
        warm.push(performance.now() - t)
      }
      // Warm with splines=polyline instead of the default ortho: what the edge routing costs.
      const poly = plotOf(n, 'polyline')
      await renderPlot(poly, { renderer: warmRenderer })
      const warmPoly: number[] = []
      for (let r = 0; r < runs; r++) {
        const t = performance.now()
        await renderPlot(poly, { renderer: warmRenderer })
        warmPoly.push(performance.now() - t)
      }
      // Cached: a new renderer per run (as a new build would have) reading the disk cache; Graphviz never loads.
      const dir = join(cacheRoot, String(n))
      await renderPlot(plot, { renderer: new GraphRenderer({ cacheDir: dir }) })
      const cached: number[] = []
      for (let r = 0; r < runs; r++) {
        const renderer = new GraphRenderer({
          cacheDir: dir,
          loadGraphviz: () => {
            throw new Error('cache miss in the cached benchmark')
          },
        })
        const t = performance.now()
        await renderPlot(plot, { renderer })
        cached.push(performance.now() - t)
        if (renderer.stats.loads !== 0) throw new Error('Graphviz was loaded on a cached render')
      }
      const coldMs = median(cold.map((c) => c.totalMs)),
        warmMs = median(warm),
        cachedMs = median(cached)
      rows.push({
        nodes: page.nodes.length,
        edges,
        svgKiB: Math.round(html.length / 1024),
        coldMs,
        coldLoadMs: median(cold.map((c) => c.loadMs)),
        warmMs,
        warmPolylineMs: median(warmPoly),
        cachedMs,
        coldOverWarm: coldMs / warmMs,
        warmOverCached: warmMs / cachedMs,
        coldOverCached: coldMs / cachedMs,
      })
    }
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true })
  }
  const f = (x: number, d = 1): string => x.toFixed(d)
  printHeader(`Flowmark render benchmark — renderPlot, median of ${runs} (cold: ${coldRuns} fresh processes)`)
  console.log('nodes  edges  html KiB  cold ms (WASM load)  warm ms  (polyline)  cached ms  cold/warm  warm/cached  cold/cached')
  for (const r of rows) {
    console.log(
      `${String(r.nodes).padStart(5)}  ${String(r.edges).padStart(5)}  ${String(r.svgKiB).padStart(8)}  ${f(r.coldMs).padStart(7)} (${f(r.coldLoadMs).padStart(5)})      ${f(r.warmMs).padStart(7)}  (${f(r.warmPolylineMs).padStart(8)})  ${f(r.cachedMs, 2).padStart(9)}  ${f(r.coldOverWarm, 2).padStart(9)}×  ${f(r.warmOverCached, 1).padStart(10)}×  ${f(r.coldOverCached, 1).padStart(10)}×`,
    )
  }
  if (json) writeFileSync(json, JSON.stringify(rows, null, 2))
}

await main()
