// Doctest benchmark: ms per example over a generated page of trivial examples and over the site's pages (wall and CPU).
// Usage: npm run bench:doctest [-- --examples 1000 --rounds 3 --site site/content/docs --json out.json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { pageSession } from '../plugin/core/page.ts'
import type { SessionRequest } from '../plugin/core/types.ts'
import { REUSE_ENV, runSession, sessionWorkerStats, type DoctestReport } from '../plugin/doctest/session.ts'
import { expandPatterns } from '../plugin/doctest/cli.ts'
import { arg, median, printHeader, timeAsync } from './harness.ts'

/** A page of `n` plain transcript statements (no imports, no I/O), in blocks of 20. */
function trivialPage(n: number): string {
  const blocks: string[] = ['# Trivial examples', '']
  for (let b = 0; b < n; b += 20) {
    const lines: string[] = []
    for (let i = b; i < Math.min(n, b + 20); i++) {
      if (i % 4 === 0) lines.push(`> const v${i} = ${i}`)
      else if (i % 4 === 1) lines.push(`> v${i - 1} + ${i}`, String(2 * i - 1))
      else if (i % 4 === 2) lines.push(`> 'x'.repeat(${i % 5})`, `'${'x'.repeat(i % 5)}'`)
      else lines.push(`> [${i}, v${i - 3}]`, `[ ${i}, ${i - 3} ]`)
    }
    blocks.push('```ts', ...lines, '```', '')
  }
  return blocks.join('\n')
}

interface Row {
  readonly name: string
  readonly pages: number
  readonly examples: number
  readonly wallMs: number
  readonly cpuMs: number
  /** Session workers per measured run: started, pages on a reused worker, ended after a page, pages run again. */
  readonly workers: { readonly started: number; readonly reused: number; readonly retired: number; readonly rerun: number }
}

/** The change of {@link sessionWorkerStats} since `before`, per run. */
function workersPerRun(before: ReturnType<typeof sessionWorkerStats>, rounds: number): Row['workers'] {
  const now = sessionWorkerStats()
  const per = (key: 'started' | 'reused' | 'retired' | 'rerun'): number => ((now[key] ?? 0) - (before[key] ?? 0)) / rounds
  return { started: per('started'), reused: per('reused'), retired: per('retired'), rerun: per('rerun') }
}

/** Runs the pages' sessions (all started together, as a site build does) and checks that none failed. */
async function runAll(requests: readonly SessionRequest[]): Promise<DoctestReport[]> {
  const reports = await Promise.all(requests.map((r) => runSession(r)))
  for (const report of reports) {
    if (report.failed > 0) {
      const first = report.diagnostics.find((d) => d.severity === 'error')
      throw new Error(`${report.file}: ${report.failed} example(s) failed, first: line ${first?.start.line}: ${first?.message}`)
    }
  }
  return reports
}

/** Like {@link measure}, with worker reuse off: every session starts a fresh worker (what a page that retires costs). */
async function measureFresh(name: string, requests: readonly SessionRequest[], rounds: number): Promise<Row> {
  const previous = process.env[REUSE_ENV]
  process.env[REUSE_ENV] = '0'
  try {
    return await measure(name, requests, rounds)
  } finally {
    if (previous === undefined) delete process.env[REUSE_ENV]
    else process.env[REUSE_ENV] = previous
  }
}

async function measure(name: string, requests: readonly SessionRequest[], rounds: number): Promise<Row> {
  await runAll(requests) // warm-up: module loading of this process, file system caches
  const walls: number[] = []
  const cpus: number[] = []
  let examples = 0
  const before = sessionWorkerStats()
  for (let r = 0; r < rounds; r++) {
    const { wallMs, cpuMs, value } = await timeAsync(() => runAll(requests))
    walls.push(wallMs)
    cpus.push(cpuMs)
    examples = value.reduce((sum, report) => sum + report.examples.filter((e) => e.status === 'passed').length, 0)
  }
  return { name, pages: requests.length, examples, wallMs: median(walls), cpuMs: median(cpus), workers: workersPerRun(before, rounds) }
}

const count = Number(arg('examples', '1000'))
const rounds = Number(arg('rounds', '3'))
const siteDir = resolve(arg('site', 'site/content/docs'))
const dir = mkdtempSync(join(tmpdir(), 'flowmark-bench-doctest-'))
try {
  const trivialFile = join(dir, 'trivial.md')
  writeFileSync(trivialFile, trivialPage(count))
  const trivial = pageSession(readFileSync(trivialFile, 'utf8'), trivialFile).request
  const one = pageSession('```ts\n> 1 + 1\n2\n```\n', join(dir, 'one.md')).request
  // The site's own pages, without generated ones (API pages hold a `.flowmark-api` marker beside them).
  const siteFiles = await expandPatterns([siteDir], process.cwd())
  const site = siteFiles.map((f) => pageSession(readFileSync(f, 'utf8'), f).request).filter((r) => r.blocks.length > 0)

  printHeader(`Flowmark doctest benchmark — medians of ${rounds} runs after a warm-up; CPU counts every thread of the process`)
  const rows = [
    await measure("one example (a session's fixed cost)", [one], rounds),
    await measureFresh('one example on a fresh worker (10 sessions)', Array<SessionRequest>(10).fill(one), rounds),
    await measure(`generated page, ${count} trivial examples`, [trivial], rounds),
    await measure(`site pages (${relative(process.cwd(), siteDir)})`, site, rounds),
  ]
  console.log('\ncase                                         | pages | examples |  wall ms |   CPU ms | wall ms/ex | CPU ms/ex')
  console.log('---------------------------------------------|-------|----------|----------|----------|------------|----------')
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(44)} | ${String(r.pages).padStart(5)} | ${String(r.examples).padStart(8)} | ${r.wallMs.toFixed(0).padStart(8)} | ` +
        `${r.cpuMs.toFixed(0).padStart(8)} | ${(r.wallMs / r.examples).toFixed(2).padStart(10)} | ${(r.cpuMs / r.examples).toFixed(2).padStart(9)}`,
    )
  }
  console.log('\nSession workers per run: started / pages on a reused worker / ended after a page / pages run again')
  for (const r of rows) {
    const w = r.workers
    console.log(`${r.name.padEnd(44)} | ${[w.started, w.reused, w.retired, w.rerun].map((n) => n.toFixed(1).padStart(5)).join(' |')}`)
  }
  const fixed = rows[0]!
  const gen = rows[2]!
  console.log(
    `\nA fresh worker's start (fresh − reused worker, one example): ${(rows[1]!.cpuMs / rows[1]!.examples - fixed.cpuMs).toFixed(1)} ms CPU`,
  )
  const perExample = (gen.wallMs - fixed.wallMs) / Math.max(1, gen.examples - fixed.examples)
  console.log(`\nPer plain example beyond a session's fixed cost (generated page − one example): ${perExample.toFixed(3)} ms wall`)
  console.log(
    `Target: ${gen.wallMs / gen.examples <= 2 ? 'ok  ' : 'MISS'} generated page ${(gen.wallMs / gen.examples).toFixed(2)} ms per example ≤ 2`,
  )
  const json = arg('json', '')
  if (json) writeFileSync(json, JSON.stringify({ node: process.version, rows }, null, 2))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
