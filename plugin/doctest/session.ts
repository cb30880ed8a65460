// runSession: compiles a page's blocks, runs them once in a worker thread with per-block timeouts, checks transcripts.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Diagnostic, DoctestFlags, DrawResult, SessionBlock, SessionRequest, SessionReport, SourcePoint } from '../core/types.ts'
import { outputMatches, unifiedDiff } from './compare.ts'
import { compileCached } from './compile.ts'
import { watchHeap, workerResourceLimits } from './heap-watch.ts'
import { DEFAULT_GRACE_MS } from './late-errors.ts'
import type { UnitOutcome, UnitRef, WorkerBlock, WorkerMessage, WorkerSession, WorkerUnit } from './protocol.ts'
import { mergeFlags, normalizeOutput, parseTranscript, type TranscriptStatement } from './transcript.ts'

/** Default time a single block may run before the session is stopped (ms). */
export const DEFAULT_TIMEOUT = 10_000

/** Default heap limit of a page's session, in megabytes (`maxMemoryMb`, `--max-memory`). */
export const DEFAULT_MAX_MEMORY_MB = 1024

export { DEFAULT_GRACE_MS }

/** What happened to one example: a transcript statement, a code/setup/cleanup block, or a draw block. */
export interface ExampleResult {
  /** Id of the block the example belongs to. */
  readonly blockId: string
  readonly kind: 'statement' | 'code' | 'draw'
  /** Page position of the example (the `> ` prompt; the block start for code and draws). */
  readonly start: SourcePoint
  /** The statement text (prompts removed), the block's first line, or the drawn name. */
  readonly source: string
  /**
   * `passed`, `failed`, `skipped` (`+SKIP`), or `not-run` (the session stopped earlier, after a timeout or crash).
   */
  readonly status: 'passed' | 'failed' | 'skipped' | 'not-run'
  /** Statements: the expected and actual output (normalized). */
  readonly expected?: string
  readonly actual?: string
  /**
   * Statements: page lines of the expected output, `[first, first + count)`; `count` is 0 when no output is
   * written, and `first` is then the line after the statement. For `--update`.
   */
  readonly expectedLines?: { readonly first: number; readonly count: number }
  /** Column where the block's code lines start (indentation of updated output lines). */
  readonly indent?: number
  /** The failure, when `status` is `failed` (or the reason for `not-run`). */
  readonly diagnostic?: Diagnostic
}

/** A {@link SessionReport} with the result of every example, in page order (for test runners and `--update`). */
export interface DoctestReport extends SessionReport {
  readonly examples: readonly ExampleResult[]
  /**
   * Every file the page's code loaded (absolute paths, sorted): its imports, transitively, as Node resolved them,
   * `require` calls and the modules of draws. Set only when the session ran to its end on a Node with
   * `module.registerHooks`; result caches key a page's output by these files' contents.
   */
  readonly modules?: readonly string[]
}

/** Internal: an example with its mutable result. */
interface Slot {
  readonly blockIndex: number
  readonly block: SessionBlock
  readonly kind: ExampleResult['kind']
  readonly start: SourcePoint
  readonly source: string
  readonly statement?: TranscriptStatement
  readonly flags: DoctestFlags
  status: ExampleResult['status']
  /** Page line of the compiled unit's first line, and its column map (for stack frames). */
  unit?: { readonly line: number; readonly lines: number; readonly sourceColumn: (line: number, column: number) => number }
  actual?: string
  diagnostic?: Diagnostic
}

/** A page compiled for its session: every example's slot, and the blocks the worker runs. */
interface Plan {
  readonly req: SessionRequest
  /** Absolute path of the page. */
  readonly file: string
  readonly diagnostics: Diagnostic[]
  readonly draws: Map<string, DrawResult>
  readonly slots: Slot[]
  /** For each worker block, for each unit, the slot it fills. */
  readonly unitSlots: Slot[][]
  /** For each worker block that is a draw, its slot. */
  readonly drawSlots: Slot[]
  readonly workerBlocks: WorkerBlock[]
  /** Some flag asks for a worker of the page's own (`+FRESH_WORKER`). */
  fresh: boolean
}

/**
 * Runs the blocks of one page (`req.blocks`, in the order given) once, in one shared scope, in a worker thread,
 * and checks every transcript statement against its expected output. Failures do not stop the page: each one is a
 * {@link Diagnostic} at its page line. A block that runs longer than `req.timeout` (default 10 s) stops the
 * worker; that example fails with `doctest-timeout` and the later examples are reported `not-run` (their scope is
 * gone), with one `doctest-not-run` warning saying how many. Draw blocks plot the named value in the worker and
 * return plain {@link DrawResult}s. Never rejects for problems of the page itself.
 *
 * Workers are reused: a page runs on a worker that earlier pages left clean (see {@link sessionWorkerStats}), unless a
 * `+FRESH_WORKER` flag or `FLOWMARK_DOCTEST_REUSE=0` asks for a new one. The page gets its own instances of the
 * modules it loads there (see module-tracker.ts); a page that asks for a module an earlier page on its worker loaded
 * in a way that cannot be given its own instance (a `data:` module, a file loaded by `require`) is stopped there and
 * run again on a new worker.
 */
export async function runSession(req: SessionRequest): Promise<DoctestReport> {
  const startedAt = performance.now()
  let plan = planSession(req)
  let modules: string[] | undefined
  if (plan.workerBlocks.length > 0) {
    const limits = { timeout: req.timeout ?? DEFAULT_TIMEOUT, maxMemoryMb: req.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB }
    const choice = { names: pageNames(req), avoid: new Set(takenBefore.get(plan.file)), fresh: false }
    for (;;) {
      const session = { file: plan.file, blocks: plan.workerBlocks, graceMs: req.graceMs ?? DEFAULT_GRACE_MS, mayReuse: reuseAllowed(plan) }
      const events = sessionEvents(plan, (loaded) => {
        modules = [...new Set(loaded.map((url) => fileURLToPath(url)))].sort()
      })
      const outcome = await withWorkerSlot(() => runWorker(session, limits, choice, events))
      if (outcome === 'done' || choice.fresh) break
      // The page asked for a module an earlier page had loaded: drop what it did there, run it on a new worker.
      stats.rerun++
      plan = planSession(req)
      choice.fresh = true
    }
  }
  return finalReport(plan, startedAt, modules)
}

/** Compiles every example of a page into its slot and the worker's blocks; syntax errors fail their slots now. */
function planSession(req: SessionRequest): Plan {
  const plan: Plan = {
    req,
    file: resolve(req.file),
    diagnostics: [],
    draws: new Map(),
    slots: [],
    unitSlots: [],
    drawSlots: [],
    workerBlocks: [],
    fresh: req.flags?.freshWorker === true,
  }
  for (const [blockIndex, block] of req.blocks.entries()) {
    if (block.kind === 'draw') {
      const slot: Slot = { blockIndex, block, kind: 'draw', start: block.start, source: block.name, flags: {}, status: 'not-run' }
      plan.slots.push(slot)
      plan.drawSlots[plan.workerBlocks.length] = slot
      plan.workerBlocks.push({
        kind: 'draw',
        id: block.id,
        name: block.name,
        from: block.from,
        plotOptions: block.plotOptions,
        tables: block.tables,
      })
      continue
    }
    const { units, owners } = block.kind === 'transcript' ? planTranscript(plan, blockIndex, block) : planCode(plan, blockIndex, block)
    if (units.length > 0) {
      plan.unitSlots[plan.workerBlocks.length] = owners
      plan.workerBlocks.push({ kind: 'units', units })
    }
  }
  return plan
}

type CodeBlock = Extract<SessionBlock, { kind: 'code' | 'setup' | 'cleanup' }>
type TranscriptBlock = Extract<SessionBlock, { kind: 'transcript' }>

const at = (block: SessionBlock, line: number, column: number): SourcePoint => ({
  line: block.start.line + line,
  column: block.start.column + column,
})

/** The units of a transcript block: one per statement (skipped and unparsable statements get none). */
function planTranscript(plan: Plan, blockIndex: number, block: TranscriptBlock): { units: WorkerUnit[]; owners: Slot[] } {
  const { req } = plan
  const units: WorkerUnit[] = []
  const owners: Slot[] = []
  const transcript = parseTranscript(block.code)
  for (const problem of transcript.problems) {
    plan.diagnostics.push({
      severity: problem.severity,
      file: req.file,
      start: at(block, problem.line, problem.column),
      message: problem.message,
      rule: problem.rule,
    })
  }
  for (const statement of transcript.statements) {
    const flags = mergeFlags(req.flags, block.flags, statement.flags)
    if (flags.freshWorker === true) plan.fresh = true
    const slot: Slot = {
      blockIndex,
      block,
      kind: 'statement',
      start: at(block, statement.line, statement.column),
      source: statement.text,
      statement,
      flags,
      status: flags.skip === true ? 'skipped' : 'not-run',
    }
    plan.slots.push(slot)
    if (slot.status === 'skipped') continue
    const compiled = compileCached(statement.source, { wantsValue: true })
    if (!compiled.ok) {
      fail(plan, slot, {
        severity: 'error',
        file: req.file,
        start: at(block, statement.line + compiled.line, compiled.column),
        rule: 'doctest-syntax',
        message: `${compiled.message} (in \`> ${firstLine(statement.text)}\`)`,
      })
      continue
    }
    units.push({
      script: compiled.script,
      mode: compiled.mode,
      lineOffset: block.start.line + statement.line - 2,
      wantsValue: true,
      deletable: compiled.deletable,
      span: { first: block.start.line + statement.line, count: statement.lineCount },
    })
    slot.unit = { line: block.start.line + statement.line, lines: statement.lineCount, sourceColumn: compiled.sourceColumn }
    owners.push(slot)
  }
  return { units, owners }
}

/** The unit of a code, setup or cleanup block (none when it does not parse). */
function planCode(plan: Plan, blockIndex: number, block: CodeBlock): { units: WorkerUnit[]; owners: Slot[] } {
  const slot: Slot = { blockIndex, block, kind: 'code', start: block.start, source: firstLine(block.code), flags: {}, status: 'not-run' }
  plan.slots.push(slot)
  const compiled = compileCached(block.code, { wantsValue: false })
  if (!compiled.ok) {
    fail(plan, slot, {
      severity: 'error',
      file: plan.req.file,
      start: at(block, compiled.line, compiled.column),
      rule: 'doctest-syntax',
      message: `${compiled.message} (in the ${block.kind} block)`,
    })
    return { units: [], owners: [] }
  }
  const lines = block.code.split('\n').length
  slot.unit = { line: block.start.line, lines, sourceColumn: compiled.sourceColumn }
  return {
    units: [
      {
        script: compiled.script,
        mode: compiled.mode,
        lineOffset: block.start.line - 2,
        wantsValue: false,
        deletable: compiled.deletable,
        span: { first: block.start.line, count: lines },
      },
    ],
    owners: [slot],
  }
}

function fail(plan: Plan, slot: Slot, diagnostic: Diagnostic): void {
  slot.status = 'failed'
  slot.diagnostic = diagnostic
  plan.diagnostics.push(diagnostic)
}

/** What the worker's messages do to the plan's slots. */
function sessionEvents(plan: Plan, done: (modules: readonly string[]) => void): WorkerEvents {
  const { req } = plan
  return {
    unit(block, unit, outcome) {
      check(plan, plan.unitSlots[block]![unit]!, outcome)
    },
    asyncError(owner, error) {
      const slot = plan.unitSlots[owner.block]?.[owner.unit]
      if (slot !== undefined) lateFailure(plan, slot, error)
    },
    done(loaded) {
      if (loaded !== null) done(loaded)
    },
    draw(block, result) {
      plan.drawSlots[block]!.status = 'passed'
      plan.draws.set(result.id, result)
    },
    drawError(block, message) {
      const slot = plan.drawSlots[block]!
      fail(plan, slot, { severity: 'error', file: req.file, start: slot.start, rule: 'doctest-draw', message })
    },
    stopped(block, unit, rule, message) {
      const slot = unit === undefined ? plan.drawSlots[block] : plan.unitSlots[block]?.[unit]
      if (slot !== undefined)
        fail(plan, slot, { severity: 'error', file: req.file, start: slot.start, rule, message: message(describeSlot(slot)) })
      else {
        // The worker failed before running any example (it could not start, for instance).
        const first = plan.slots.find((s) => s.status === 'not-run')
        plan.diagnostics.push({
          severity: 'error',
          file: req.file,
          start: first?.start ?? { line: 1, column: 1 },
          rule,
          message: message('the page session'),
        })
      }
      const left = plan.slots.filter((s) => s.status === 'not-run')
      if (left.length > 0) {
        plan.diagnostics.push({
          severity: 'warning',
          file: req.file,
          start: left[0]!.start,
          rule: 'doctest-not-run',
          message: `${left.length} later example${left.length === 1 ? ' was' : 's were'} not run, because the page's session was stopped at ${slot === undefined ? 'an earlier block' : `line ${slot.start.line}`} (its variables are gone). Fix that example and run again.`,
        })
      }
    },
  }
}

/** Fails a unit whose callbacks threw after it finished (an error it would otherwise never be blamed for). */
function lateFailure(plan: Plan, slot: Slot, error: { readonly header: string; readonly stack: string }): void {
  const { file } = plan
  const stack = slot.unit === undefined ? error.stack : pageStack(error.stack, file, slot.unit, slot.block.start.column)
  fail(plan, slot, {
    severity: 'error',
    file: plan.req.file,
    start: slot.start,
    rule: 'doctest-async-error',
    message: `${describeSlot(slot)} started work (a timer, callback or promise) that threw ${error.header} after the example had finished; await that work in the example, or catch its error${framesNote(stack, file)}`,
  })
}

/** Checks a unit's outcome: a statement's output against its transcript, a code block's against throwing. */
function check(plan: Plan, slot: Slot, raw: UnitOutcome): void {
  const { file, req } = plan
  const block = slot.block
  const outcome =
    raw.error === undefined || slot.unit === undefined
      ? raw
      : { ...raw, error: { ...raw.error, stack: pageStack(raw.error.stack, file, slot.unit, block.start.column) } }
  const actual = normalizeOutput(outcome.output)
  slot.actual = actual
  if (slot.statement === undefined) {
    // What a plain code block prints is shown to nobody; only an exception fails it.
    if (outcome.error === undefined) {
      slot.status = 'passed'
      return
    }
    const where = stackPoint(outcome.error.stack, file, slot.unit) ?? block.start
    fail(plan, slot, {
      severity: 'error',
      file: req.file,
      start: where,
      rule: 'doctest-error',
      message: `The ${block.kind} block starting at line ${block.start.line} threw ${outcome.error.header}${framesNote(outcome.error.stack, file)}`,
    })
    return
  }
  const expected = slot.statement.expected
  if (outputMatches(expected, actual, slot.flags)) {
    slot.status = 'passed'
    return
  }
  const unexpectedError = outcome.error !== undefined && !/^Uncaught /m.test(expected)
  const statement = `\`> ${firstLine(slot.statement.text)}\``
  fail(plan, slot, {
    severity: 'error',
    file: req.file,
    start: slot.start,
    rule: unexpectedError ? 'doctest-error' : 'doctest-mismatch',
    message: unexpectedError
      ? `${statement} threw ${outcome.error.header}, but the transcript expects no error${framesNote(outcome.error.stack, file)}`
      : `${statement} printed something else than the transcript says. Fix the expected lines (or run \`flowmark-docs doctest --update\`).`,
    expected,
    actual,
    diff: unifiedDiff(expected, actual),
  })
}

/** The report of a finished session: every example's result in page order, the diagnostics sorted by position. */
function finalReport(plan: Plan, startedAt: number, modules: string[] | undefined): DoctestReport {
  const { slots, diagnostics } = plan
  const examples: ExampleResult[] = slots.map((slot) => {
    const statement = slot.statement
    return {
      blockId: slot.block.id,
      kind: slot.kind,
      start: slot.start,
      source: slot.source,
      status: slot.status,
      ...(statement === undefined
        ? {}
        : {
            expected: statement.expected,
            expectedLines: { first: slot.block.start.line + statement.outputLine, count: statement.outputLineCount },
            indent: slot.block.start.column,
          }),
      ...(slot.actual === undefined ? {} : { actual: slot.actual }),
      ...(slot.diagnostic === undefined ? {} : { diagnostic: slot.diagnostic }),
    }
  })
  diagnostics.sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
  return {
    file: plan.req.file,
    passed: slots.filter((s) => s.status === 'passed').length,
    failed: slots.filter((s) => s.status === 'failed').length,
    skipped: slots.filter((s) => s.status === 'skipped' || s.status === 'not-run').length,
    diagnostics,
    draws: plan.draws,
    durationMs: performance.now() - startedAt,
    examples,
    ...(modules === undefined ? {} : { modules }),
  }
}

interface WorkerEvents {
  /** The session ran to its end; `modules`: what the page's code loaded (`file:` URLs), `null` when unknown. */
  done(modules: readonly string[] | null): void
  unit(block: number, unit: number, outcome: UnitOutcome): void
  /** A callback started by unit `owner` threw after that unit had finished. */
  asyncError(owner: UnitRef, error: { readonly header: string; readonly stack: string }): void
  draw(block: number, result: DrawResult): void
  drawError(block: number, message: string): void
  /** The session ended early while `block` (and `unit`, if a unit) ran; `message` gets the running example. */
  stopped(block: number, unit: number | undefined, rule: string, message: (example: string) => string): void
}

/**
 * At most this many session workers run at once in this process (callers such as a site build may start every
 * page's session together); the others wait their turn. Time spent waiting does not count against the timeout.
 */
export const MAX_WORKERS = Math.max(2, availableParallelism())

let running = 0
const waiting: (() => void)[] = []

/** Runs `task` once fewer than {@link MAX_WORKERS} sessions are running. */
async function withWorkerSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve))
  running++
  try {
    return await task()
  } finally {
    running--
    waiting.shift()?.()
  }
}

/** Whether this module runs from the TypeScript sources (this repository) rather than from the built `dist/`. */
const FROM_SOURCE = import.meta.url.endsWith('.ts')

/** The worker's entry module next to this file (`.ts` when running from source, `.js` when built). */
const WORKER_URL = new URL(FROM_SOURCE ? './worker-entry.ts' : './worker-entry.js', import.meta.url)

/**
 * Node options of the session worker. From source, `--conditions=source` makes pages' `import … from 'flowmark'`
 * load this repository's `.ts` files (Node strips their types); an installed, built package must not use it, since
 * Node refuses to strip types below node_modules.
 */
const WORKER_EXEC_ARGV = [...(FROM_SOURCE ? ['--conditions=source'] : []), '--disable-warning=ExperimentalWarning']

/**
 * Where session workers keep Node's module compile cache (V8 code cache plus stripped TypeScript, validated by Node
 * against each file's content): `node_modules/.cache/flowmark/compile` of the working directory when it has a
 * `node_modules` folder, else Node's default (`NODE_COMPILE_CACHE`, or a folder in the system's temp dir). Every page
 * starts a fresh worker that imports its modules again; with the cache, importing the engine costs a fifth of the CPU.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 */
export function compileCacheDir(cwd: string = process.cwd()): string | undefined {
  if (process.env['NODE_COMPILE_CACHE'] !== undefined && process.env['NODE_COMPILE_CACHE'] !== '') return undefined
  return existsSync(join(cwd, 'node_modules')) ? join(cwd, 'node_modules', '.cache', 'flowmark', 'compile') : undefined
}

/**
 * The worker's environment: the process's, plus `NODE_COMPILE_CACHE` when {@link compileCacheDir} names a folder.
 * Node reads it when the worker starts, so the worker's own modules load through the cache too.
 */
function workerEnv(): { env?: NodeJS.ProcessEnv } {
  const dir = compileCacheDir()
  return dir === undefined ? {} : { env: { ...process.env, NODE_COMPILE_CACHE: dir } }
}

/** The limits of one session: time per block, heap size. */
interface SessionLimits {
  readonly timeout: number
  readonly maxMemoryMb: number
}

/** Environment variable that turns worker reuse off (`0`, `false`, `off`, `no`): every page gets a new worker. */
export const REUSE_ENV = 'FLOWMARK_DOCTEST_REUSE'

/** A started session worker, idle in the pool or running a page. */
interface PooledWorker {
  readonly worker: Worker
  readonly maxMemoryMb: number
  /**
   * URLs of the module instances pages loaded on this worker (never unloaded: the worker ends when there are too
   * many); a page refused one of them before runs elsewhere.
   */
  readonly loaded: Set<string>
  /** Global names earlier pages declared that could not be deleted (now `undefined`): a page naming one runs elsewhere. */
  readonly stuck: Set<string>
  /** What the running page's session listens to; `undefined` while idle. */
  session: { message(message: WorkerMessage): void; error(error: Error): void; exit(code: number): void } | undefined
  stderr: string
  /** Ends the worker when no page took it within `IDLE_MS` (set while it is idle in the pool). */
  idleTimer?: NodeJS.Timeout | undefined
}

/**
 * How long a clean worker waits in the pool for the next page before it is ended. An idle worker must not keep the
 * process alive: `worker.unref()` alone does not release it (its message port stays active), so a CLI run or a build
 * would never exit. Pages of one run follow each other closely, so a short wait keeps the reuse.
 */
const IDLE_MS = 500

/**
 * A worker whose pages loaded more module instances than this is ended after its page rather than pooled: modules are
 * never unloaded, and every page loads its own instances, so a worker that served many pages with models would keep
 * growing (and their memory would count against the heap limit of the pages that follow).
 */
const MAX_LOADED_MODULES = 500

const idle: PooledWorker[] = []
const stats = { started: 0, reused: 0, retired: 0, rerun: 0, lastReasons: [] as readonly string[] }

/**
 * How many session workers this process started, how many pages ran on a worker an earlier page had used, how many
 * workers were ended after a page because it may have left state behind (`lastReasons`: why, the last time), and how
 * many pages ran again on a new worker because they asked for a module an earlier page on their worker had loaded
 * without a page query of its own (a `data:` module, a file loaded by `require`).
 */
export function sessionWorkerStats(): {
  readonly started: number
  readonly reused: number
  readonly retired: number
  readonly rerun: number
  readonly lastReasons: readonly string[]
} {
  return { ...stats }
}

/** Per page file, the modules its sessions were refused (see {@link runWorker}): workers that loaded them are avoided. */
const takenBefore = new Map<string, readonly string[]>()

function reuseAllowed(plan: Plan): boolean {
  return !plan.fresh && !/^(0|false|off|no)$/i.test(process.env[REUSE_ENV] ?? '')
}

/** Remembers the modules a page's session was refused, so that its next session avoids the workers holding them. */
function learnTaken(file: string, taken: readonly string[]): void {
  takenBefore.set(file, [...new Set([...(takenBefore.get(file) ?? []), ...taken])])
}

/** Every identifier-like word of a page's code (to keep it off workers where such a global name is stuck). */
function pageNames(req: SessionRequest): Set<string> {
  const names = new Set<string>()
  for (const block of req.blocks) {
    const text = block.kind === 'draw' ? block.name : block.code
    for (const match of text.matchAll(/[A-Za-z_$][\w$]*/g)) names.add(match[0])
  }
  return names
}

/** How a session picks its worker: the page's names, modules it was refused before, and whether it needs a new worker anyway. */
interface WorkerChoice {
  /** Every identifier-like word of the page ({@link pageNames}). */
  readonly names: ReadonlySet<string>
  /** Modules (`data:` URLs, files loaded by `require`) the page was refused on a worker that had loaded them. */
  readonly avoid: ReadonlySet<string>
  /** Run on a new worker, whatever the pool holds. */
  readonly fresh: boolean
}

/**
 * An idle worker with the same heap limit, no stuck global the page names and none of the modules the page was
 * refused before, or a new one.
 */
function acquireWorker(maxMemoryMb: number, choice: WorkerChoice, mayReuse: boolean): PooledWorker {
  const fits = (w: PooledWorker): boolean =>
    w.maxMemoryMb === maxMemoryMb && ![...w.stuck].some((n) => choice.names.has(n)) && ![...choice.avoid].some((url) => w.loaded.has(url))
  const index = mayReuse && !choice.fresh ? idle.findIndex(fits) : -1
  if (index >= 0) {
    const [entry] = idle.splice(index, 1)
    clearTimeout(entry!.idleTimer)
    entry!.idleTimer = undefined
    entry!.worker.ref()
    stats.reused++
    return entry!
  }
  stats.started++
  const worker = new Worker(WORKER_URL, {
    execArgv: WORKER_EXEC_ARGV,
    ...workerEnv(),
    stdout: true,
    stderr: true,
    resourceLimits: workerResourceLimits(maxMemoryMb),
  })
  const entry: PooledWorker = { worker, maxMemoryMb, loaded: new Set(), stuck: new Set(), session: undefined, stderr: '' }
  worker.stdout.resume()
  worker.stderr.on('data', (chunk: Buffer) => {
    entry.stderr += chunk.toString('utf8')
  })
  worker.on('message', (message: WorkerMessage) => entry.session?.message(message))
  worker.on('error', (error: Error) => entry.session?.error(error))
  worker.on('exit', (code) => {
    const at = idle.indexOf(entry)
    if (at >= 0) idle.splice(at, 1)
    entry.session?.exit(code)
  })
  return entry
}

/**
 * Puts a worker the page left clean back in the pool (unreferenced: it does not keep the process alive). When the
 * pool is full, the worker idle the longest is ended.
 */
function releaseWorker(entry: PooledWorker, keep: WorkerKeep): void {
  entry.session = undefined
  entry.stderr = ''
  for (const name of keep.stuck) entry.stuck.add(name)
  for (const url of keep.modules) entry.loaded.add(url)
  if (entry.loaded.size > MAX_LOADED_MODULES) {
    void entry.worker.terminate()
    return
  }
  if (idle.length >= MAX_WORKERS) {
    // The worker idle the longest goes: the pages that follow are likely those this one just served.
    const oldest = idle.shift()!
    clearTimeout(oldest.idleTimer)
    void oldest.worker.terminate()
  }
  entry.worker.unref()
  entry.idleTimer = setTimeout(() => {
    const at = idle.indexOf(entry)
    if (at >= 0) idle.splice(at, 1)
    void entry.worker.terminate()
  }, IDLE_MS)
  entry.idleTimer.unref()
  idle.push(entry)
}

/** What a worker the page left clean keeps: the global names stuck on it, the module instances the page loaded. */
interface WorkerKeep {
  readonly stuck: readonly string[]
  /** The URLs of the module instances the page loaded of its own (see `ownModules` in protocol.ts). */
  readonly modules: readonly string[]
}

/** What a worker keeps of the page that said `session-done`. */
function keepOf(message: Extract<WorkerMessage, { type: 'session-done' }>): WorkerKeep {
  return { stuck: message.stuckGlobals, modules: message.ownModules }
}

/**
 * Runs a compiled session on a pooled or fresh worker; resolves when it finished, timed out, ran out of memory or
 * crashed (`done`), or when the page asked for a module an earlier page on the worker had loaded (`taken`: the
 * page's results do not count, it must run again on a new worker). The worker's heap is limited (`resourceLimits`):
 * without a limit, V8 would abort the whole process when an example exhausts the heap; with one, only the worker
 * stops (`ERR_WORKER_OUT_OF_MEMORY`). Afterwards the worker goes back to the pool when the page left it clean (see
 * worker.ts), else it is ended.
 */
function runWorker(session: WorkerSession, limits: SessionLimits, choice: WorkerChoice, events: WorkerEvents): Promise<'done' | 'taken'> {
  const { timeout } = limits
  const entry = acquireWorker(limits.maxMemoryMb, choice, session.mayReuse)
  const { worker } = entry
  return new Promise((done) => {
    let block = -1
    let unit: number | undefined
    let timer: NodeJS.Timeout | undefined
    let finished = false
    let exitCalled: number | string | undefined
    const finish = (keep: WorkerKeep | undefined, outcome: 'done' | 'taken' = 'done'): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      unwatch()
      if (keep !== undefined) releaseWorker(entry, keep)
      else {
        entry.session = undefined
        if (session.mayReuse) stats.retired++
        void worker.terminate()
      }
      done(outcome)
    }
    const stop = (rule: string, message: (example: string) => string): void => {
      if (finished) return
      events.stopped(block, unit, rule, message)
      finish(undefined)
    }
    const outOfMemory = (appliedMb: number): void => {
      stop(
        'doctest-out-of-memory',
        (example) =>
          `${example} ran out of memory: the page's session reached its heap limit of ${appliedMb} MB and was stopped. Make the example use less memory, or raise the limit (\`--max-memory <MB>\`, \`maxMemoryMb\` option).`,
      )
    }
    const unwatch = watchHeap(worker, limits.maxMemoryMb, outOfMemory)
    entry.session = {
      message(message) {
        switch (message.type) {
          case 'block-start':
            block = message.block
            unit = undefined
            clearTimeout(timer)
            timer = setTimeout(() => {
              stop(
                'doctest-timeout',
                (example) =>
                  `${example} did not finish within ${timeout} ms (an endless loop, or a promise that never settles?). The page's session was stopped. Make the example finish, or raise the limit (\`--timeout\`, \`timeout\` option).`,
              )
            }, timeout)
            break
          case 'unit-start':
            unit = message.unit
            break
          case 'unit-done':
            events.unit(message.block, message.unit, message.outcome)
            break
          case 'draw-done':
            events.draw(message.block, message.result)
            break
          case 'draw-error':
            events.drawError(message.block, message.message)
            break
          case 'session-done':
            if (message.takenModules.length > 0) {
              learnTaken(session.file, message.takenModules)
              return finish(undefined, 'taken')
            }
            events.done(message.modules)
            if (!message.reusable) stats.lastReasons = message.reasons
            finish(message.reusable && session.mayReuse && exitCalled === undefined ? keepOf(message) : undefined)
            break
          case 'exit-called':
            exitCalled = message.code
            // The exit belongs to the unit whose code called it (a timer of an earlier example, say).
            if (message.owner !== undefined) {
              block = message.owner.block
              unit = message.owner.unit
            }
            break
          case 'async-error':
            events.asyncError(message.owner, message.error)
            break
          case 'worker-error':
            stop('doctest-crash', (example) => `The doctest worker failed while running ${example}: ${message.message}`)
            break
        }
      },
      error(error) {
        if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
          outOfMemory(limits.maxMemoryMb)
          return
        }
        stop('doctest-crash', (example) => `The doctest session crashed while running ${example}: ${error.stack ?? error.message}`)
      },
      exit(code) {
        const stderr = entry.stderr
        if (exitCalled !== undefined) {
          stop('doctest-crash', (example) => `${example} called process.exit(${exitCalled}), which ended the page's session.`)
        } else if (code === 0) {
          // The worker's event loop ran empty while an example still waited: nothing can settle its promise any more.
          stop(
            'doctest-timeout',
            (example) =>
              `${example} waits for a promise that can never settle: nothing is left (no timer, I/O or message) that could settle it. The page's session ended there.`,
          )
        } else {
          stop(
            'doctest-crash',
            (example) =>
              `The doctest session ended (exit code ${code}) while running ${example}.${stderr === '' ? '' : ` Its stderr: ${stderr.trim()}`}`,
          )
        }
      },
    }
    worker.postMessage(session)
  })
}

function describeSlot(slot: Slot): string {
  if (slot.kind === 'statement') return `\`> ${firstLine(slot.source)}\``
  if (slot.kind === 'draw') return `the draw of \`${slot.source}\``
  return `the ${slot.block.kind} block starting at line ${slot.start.line}`
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n')
  return lines.length > 1 ? `${lines[0]} …` : lines[0]!
}

/**
 * Rewrites the stack frames of a unit to page positions: frames on the unit's lines get the column of the source
 * (undoing the session's rewrites) plus the block's indentation; frames of the session's wrapper around the unit
 * (the line after it) are dropped. The page's top-level code runs as eval code: its frames (`at eval (page.md:3:1)`)
 * read as a script's (`at page.md:3:1`).
 */
function pageStack(stack: string, file: string, unit: NonNullable<Slot['unit']>, blockColumn: number): string {
  const wrapperLine = unit.line + unit.lines
  return stack
    .split('\n')
    .flatMap((raw) => {
      const line = scriptFrame(raw, file)
      const index = line.indexOf(`${file}:`)
      if (index < 0) return [line]
      const match = /^:(\d+):(\d+)/.exec(line.slice(index + file.length))
      if (match === null) return [line]
      const at = Number(match[1])
      if (at === wrapperLine) return []
      if (at < unit.line || at >= wrapperLine) return [line]
      const column = unit.sourceColumn(at - unit.line, Number(match[2])) + blockColumn - 1
      return [line.slice(0, index) + `${file}:${at}:${column}` + line.slice(index + file.length + match[0].length)]
    })
    .join('\n')
}

/**
 * A frame of the page's eval code as a script's frame reads: V8 names the top-level code and the anonymous functions
 * of eval code `eval` (`at eval (page.md:3:1)`, `at async eval (…)`, `at Timeout.eval [as _onTimeout] (…)`), where a
 * script's frames have no name (`at page.md:3:1`, `at Timeout._onTimeout (…)`). Other frames are kept as they are.
 */
function scriptFrame(line: string, file: string): string {
  const match = /^(\s+at (?:async )?)(?:(.*)\.)?eval(?: \[as ([^\]]+)\])? \((.*)\)$/.exec(line)
  if (match === null || !match[4]!.startsWith(`${file}:`)) return line
  const [, prefix, type, method, location] = match
  if (method !== undefined) return `${prefix}${type === undefined ? '' : `${type}.`}${method} (${location})`
  return type === undefined ? `${prefix}${location}` : line
}

/**
 * The innermost stack frame inside the unit's own lines (where the block called into the failure), else the
 * innermost frame anywhere in the page, as a page position.
 */
function stackPoint(stack: string, file: string, unit: Slot['unit']): SourcePoint | undefined {
  const points: SourcePoint[] = []
  for (const line of stack.split('\n')) {
    const index = line.indexOf(`${file}:`)
    if (index < 0) continue
    const match = /^:(\d+):(\d+)/.exec(line.slice(index + file.length))
    if (match !== null) points.push({ line: Number(match[1]), column: Number(match[2]) })
  }
  const own = unit === undefined ? undefined : points.find((p) => p.line >= unit.line && p.line < unit.line + unit.lines)
  return own ?? points[0]
}

/** `.` plus the page's stack frames (`at page.md:12:3`) on their own lines, when there are any. */
function framesNote(stack: string, file: string): string {
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && line.includes(`${file}:`))
    .map((line) => line.trim())
  return frames.length === 0 ? '.' : `.\n${frames.map((frame) => `    ${frame}`).join('\n')}`
}

/** An example of a request before it runs: what {@link listExamples} returns. */
export interface PlannedExample {
  readonly blockId: string
  readonly kind: ExampleResult['kind']
  readonly start: SourcePoint
  readonly source: string
  /** The statement is marked `+SKIP` (by itself, its block or the page). */
  readonly skip: boolean
}

/**
 * The examples of a request in the order {@link runSession} reports them (`report.examples[i]` is the result of
 * `listExamples(req)[i]`), without running anything: one per transcript statement, one per code/setup/cleanup
 * block, one per draw. Test runners use it to declare one test per example before the session runs.
 */
export function listExamples(req: SessionRequest): PlannedExample[] {
  const list: PlannedExample[] = []
  for (const block of req.blocks) {
    if (block.kind === 'draw') list.push({ blockId: block.id, kind: 'draw', start: block.start, source: block.name, skip: false })
    else if (block.kind === 'transcript') {
      for (const statement of parseTranscript(block.code).statements) {
        list.push({
          blockId: block.id,
          kind: 'statement',
          source: statement.text,
          start: { line: block.start.line + statement.line, column: block.start.column + statement.column },
          skip: mergeFlags(req.flags, block.flags, statement.flags).skip === true,
        })
      }
    } else list.push({ blockId: block.id, kind: 'code', start: block.start, source: firstLine(block.code), skip: false })
  }
  return list
}
