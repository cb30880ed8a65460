// Docs-build benchmark: `flowmark-docs build` of the site cold, warm (full build and build cache), after a page edit and a model edit.
// Usage: npm run bench:docs [-- --page site/content/docs/concepts/weights.md --model fixtures/symmetric-cryptography/model.ts --json out.json --log builds.log]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { arg, machineLine, printHeader } from './harness.ts'

const root = process.cwd()
const page = resolve(arg('page', 'site/content/docs/concepts/weights.md'))
const model = resolve(arg('model', 'fixtures/symmetric-cryptography/model.ts'))
const cacheDir = join(root, 'node_modules', '.cache', 'flowmark')
const buildState = join(cacheDir, 'doctest', 'build-state.json')
const bin = join(root, 'plugin', 'bin.ts')
for (const file of [page, model, bin])
  if (!existsSync(file)) throw new Error(`bench:docs: ${file} does not exist (run it from the repository root after npm install)`)

const scratch = mkdtempSync(join(tmpdir(), 'flowmark-bench-docs-'))
const cpuFile = join(scratch, 'cpu.json')
// Loaded (through NODE_OPTIONS) into `flowmark-docs build` and the `astro build` it starts: each process appends the
// CPU time of all its threads (doctest workers included) at exit.
const preload = `data:text/javascript,${encodeURIComponent(
  `import { appendFileSync } from 'node:fs'; process.on('exit', () => { const c = process.cpuUsage(); appendFileSync(${JSON.stringify(cpuFile)}, (c.user + c.system) / 1000 + '\\n') })`,
)}`

interface Step {
  readonly name: string
  readonly wallMs: number
  readonly cpuMs: number
  readonly pagesRan: number
  readonly examplesRan: number
  readonly pagesReused: number
  /** `flowmark-docs build` found nothing changed and did not run `astro build`. */
  readonly upToDate: boolean
  readonly load: string
}

/** One `flowmark-docs build` (`npm run docs`), in its own processes; fails the benchmark when the build fails. */
function build(name: string, args: readonly string[] = []): Step {
  rmSync(cpuFile, { force: true })
  const load = machineLine().replace(/^.*load average /, '')
  const t0 = performance.now()
  const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NODE_OPTIONS: `--import ${preload}` }
  const run = spawnSync(process.execPath, ['--conditions=source', bin, 'build', ...args], {
    cwd: root,
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  })
  const wallMs = performance.now() - t0
  if (run.status !== 0)
    throw new Error(`bench:docs: the ${name} build failed (exit ${run.status}):\n${(run.stdout + run.stderr).slice(-4000)}`)
  const cpuMs = existsSync(cpuFile)
    ? readFileSync(cpuFile, 'utf8')
        .trim()
        .split('\n')
        .reduce((sum, line) => sum + Number(line), 0)
    : Number.NaN
  const upToDate = /flowmark-docs build: up to date/.test(run.stdout)
  const state = JSON.parse(readFileSync(buildState, 'utf8')) as { lastRun?: { ran: string[]; reused: string[]; examplesRan: number } }
  const last = upToDate ? { ran: [], reused: [], examplesRan: 0 } : (state.lastRun ?? { ran: [], reused: [], examplesRan: 0 })
  const log = arg('log', '')
  if (log) writeFileSync(log, `\n===== ${name}\n${run.stdout}${run.stderr}`, { flag: 'a' })
  return { name, wallMs, cpuMs, pagesRan: last.ran.length, examplesRan: last.examplesRan, pagesReused: last.reused.length, upToDate, load }
}

/** Runs `fn` with `file` changed by `edit`, and puts the original text back whatever happens. */
function withEdit<T>(file: string, edit: (text: string) => string, fn: () => T): T {
  const original = readFileSync(file, 'utf8')
  writeFileSync(file, edit(original))
  try {
    return fn()
  } finally {
    writeFileSync(file, original)
  }
}

printHeader('Flowmark docs-build benchmark — `flowmark-docs build` (npm run docs) of the site; CPU counts every thread of its processes')
const steps: Step[] = []
try {
  // Cold: no Flowmark cache (SVG, doctest results, API model, compile cache), no Astro cache, no output.
  for (const dir of [cacheDir, join(root, 'node_modules', '.astro'), join(root, 'dist', 'site')])
    rmSync(dir, { recursive: true, force: true })
  steps.push(build('cold (every cache removed)'))
  // What a warm build costs without the build cache (--force): Astro's and Flowmark's caches only (the old `docs`).
  steps.push(build('warm, nothing changed, --force (no build cache)', ['--force']))
  steps.push(build('warm, nothing changed'))
  // The edit adds an example, so the page's session must run again (a change outside the examples would not need to).
  steps.push(
    withEdit(
      page,
      (t) => `${t}\n\n\`\`\`ts\n> 6 * 7\n42\n\`\`\`\n`,
      () => build(`one page touched (${relative(root, page)})`),
    ),
  )
  steps.push(build('warm again (page restored)'))
  steps.push(
    withEdit(
      model,
      (t) => `${t}\n// touched by bench:docs\n`,
      () => build(`one model touched (${relative(root, model)})`),
    ),
  )
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
const cold = steps[0]!
console.log(
  '\nstep                                                          |  wall s | CPU s | × cold (wall) | astro build | pages ran | examples ran | pages reused | load before',
)
console.log(
  '--------------------------------------------------------------|---------|-------|---------------|-------------|-----------|--------------|--------------|------------',
)
for (const s of steps) {
  console.log(
    `${s.name.padEnd(61)} | ${(s.wallMs / 1000).toFixed(2).padStart(7)} | ${(s.cpuMs / 1000).toFixed(2).padStart(5)} | ` +
      `${(cold.wallMs / s.wallMs).toFixed(1).padStart(12)}× | ${(s.upToDate ? 'skipped' : 'ran').padStart(11)} | ${String(s.pagesRan).padStart(9)} | ${String(s.examplesRan).padStart(12)} | ${String(s.pagesReused).padStart(12)} | ${s.load}`,
  )
}
const forced = steps[1]!
const warm = steps[2]!
console.log(
  `Without the build cache (--force) a warm build is ${(cold.wallMs / forced.wallMs).toFixed(1)}× faster than cold (wall; CPU ${(cold.cpuMs / forced.cpuMs).toFixed(1)}×).`,
)
console.log(
  `\nTarget: ${cold.wallMs / warm.wallMs >= 10 ? 'ok  ' : 'MISS'} warm build with nothing changed ${(cold.wallMs / warm.wallMs).toFixed(1)}× faster than cold (wall; CPU ${(cold.cpuMs / warm.cpuMs).toFixed(1)}×) ≥ 10×`,
)
console.log("(pages ran/reused count the pages that reached the Flowmark plugin; the others came from Astro's content cache)")
const json = arg('json', '')
if (json) writeFileSync(json, JSON.stringify({ node: process.version, steps }, null, 2))
