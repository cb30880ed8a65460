#!/usr/bin/env node
// The engine's command line, `flowmark run` / `validate` / `serve`: run, check or serve a model from a shell or a job.
import { readFileSync, realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import type { NodeId } from './constants.ts'
import { Dispatcher } from './dispatcher.ts'
import { DispatcherAbort, DispatcherError, FlowmarkError, TimeoutError, nameError } from './errors.ts'
import type { DispatchEvent } from './internal/async-driver.ts'
import type { DispatchAsyncOptions } from './internal/async-options.ts'
import type { Executor } from './model.ts'
import { readId } from './portable/format.ts'
import { loadModel } from './portable/node.ts'
import { parseModelText, ModelValidationError } from './portable/validate.ts'
import { decodeValue, ValueEncodingError } from './portable/values.ts'
import { solutionToJSON } from './portable/solution-json.ts'
import { parseRef, RefError } from './ref.ts'
import { SERVE_USAGE } from './server/usage.ts'
import type { Solution } from './solution.ts'

const USAGE = `Usage:
  flowmark run <model.json | module#export> [--inputs <file.json | ->] [--outputs a,b]
               [--executor async | --executor workers [--workers N]] [--concurrency N] [--timeout <ms>]
      Load the model (a portable model file, an ephemeral job map, or an export of a module that is a
      Dispatcher or a function without parameters returning one), dispatch it with the inputs (a JSON object,
      "-" for stdin) through dispatchAsync (functions may be async; at most N calls at once, default no limit;
      --timeout bounds the whole dispatch) and print the solution as JSON: {"values", "errors", "dist"}.
      --executor workers runs the function nodes on N worker threads (default: one per core; needs the
      package piscina, and every function node a module#export reference, as in model files). On a
      terminal, a progress line (nodes done / running / failed) goes to stderr. Exit code: 0 when every
      requested output was computed (or none was requested and the dispatch finished), 1 when some could not
      be (or the time ran out, or a critical node failed), 2 for an invalid model or arguments.
  flowmark validate <model.json> [--outputs a,b]
      Check the model and import its references without running it; list every problem as file:line:column.
${SERVE_USAGE}  flowmark --version
`

/** Output streams and working directory of the command line (replaceable for tests and embedding). */
export interface EngineCliIO {
  readonly stdout?: { write(text: string): unknown }
  readonly stderr?: { write(text: string): unknown; isTTY?: boolean }
  readonly stdin?: AsyncIterable<string | Uint8Array>
  readonly cwd?: string
  /** `flowmark serve`: stops the server when aborted (besides SIGINT and SIGTERM). */
  readonly signal?: AbortSignal
}

/** Bad command-line arguments (exit code 2). */
export class UsageError extends FlowmarkError {
  static {
    nameError(this, 'UsageError')
  }
}

/** The version of the package this file belongs to. */
export function version(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'flowmark' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // no package.json here: go up
    }
    if (dir.pathname === '/') return 'unknown'
  }
}

function splitList(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  let out = ''
  const dec = new TextDecoder()
  for await (const chunk of stream) out += typeof chunk === 'string' ? chunk : dec.decode(chunk, { stream: true })
  return out + dec.decode()
}

/** Loads the model of `run`/`validate`: a JSON file, or `module#export`. */
async function loadTarget(
  target: string,
  cwd: string,
  outputs: readonly string[] | undefined,
  inputs: readonly string[],
): Promise<Dispatcher> {
  const path = resolve(cwd, target)
  if (/\.json$/i.test(target)) {
    try {
      readFileSync(path, { flag: 'r' }).subarray(0, 0)
    } catch (e) {
      throw new UsageError(`cannot read the model file '${target}': ${(e as Error).message}`)
    }
    const o: { outputs?: readonly string[]; inputs?: readonly string[]; file: string } = { inputs, file: target }
    if (outputs !== undefined) o.outputs = outputs
    return loadModel(path, o)
  }
  if (!target.includes('#')) throw new UsageError(`'${target}' is neither a .json model file nor a module#export reference`)
  const ref = parseRef(target)
  const looksLikePath = ref.module.startsWith('.') || isAbsolute(ref.module) || /\.[cm]?[jt]s$/.test(ref.module)
  const moduleUrl = looksLikePath ? pathToFileURL(resolve(cwd, ref.module)).href : ref.module
  const ns = (await import(moduleUrl).catch((e: unknown) => {
    throw new UsageError(`cannot import '${ref.module}': ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  })) as Record<string, unknown>
  let value = ns[ref.export]
  if (value === undefined) throw new UsageError(`'${ref.module}' has no export '${ref.export}'`)
  if (typeof value === 'function' && !(value instanceof Dispatcher) && value.length === 0) value = await (value as () => unknown)()
  if (!(value instanceof Dispatcher))
    throw new UsageError(`export '${ref.export}' of '${ref.module}' is not a Dispatcher (nor a function without parameters returning one)`)
  return value
}

/** What every command gets: the output streams, the working directory, and the caller's `io` (stdin, signal). */
interface CommandContext {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown; isTTY?: boolean }
  readonly cwd: string
  readonly io: EngineCliIO
}

/**
 * Runs the engine's command line with `argv` (without `node` and the script) and returns the exit code:
 * 0 success, 1 outputs not computed or a failed run, 2 invalid model or arguments.
 */
export async function main(argv: readonly string[], io: EngineCliIO = {}): Promise<number> {
  const ctx: CommandContext = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, cwd: io.cwd ?? process.cwd(), io }
  const [command, ...rest] = argv
  try {
    if (command === '--version' || command === '-v') {
      ctx.stdout.write(`${version()}\n`)
      return 0
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      ;(command === undefined ? ctx.stderr : ctx.stdout).write(USAGE)
      return command === undefined ? 2 : 0
    }
    if (command === 'serve') return await serve(rest, ctx)
    if (command === 'run') return await runCommand(rest, ctx)
    if (command === 'validate') return await validateCommand(rest, ctx)
    throw new UsageError(
      `unknown command '${command}'${command === 'plot' ? " (plots are drawn by the docs package's CLI: flowmark-docs plot model.json)" : ''}`,
    )
  } catch (e) {
    return reportFailure(e, command, ctx.stderr)
  }
}

/** Writes why a command failed and returns its exit code: 2 for arguments and models, 1 for anything else. */
function reportFailure(e: unknown, command: string | undefined, stderr: CommandContext['stderr']): number {
  if (e instanceof UsageError) {
    stderr.write(`flowmark ${command ?? ''}: ${e.message}\n\n${USAGE}`)
    return 2
  }
  if (e instanceof ModelValidationError || e instanceof RefError) {
    stderr.write(`flowmark ${command}: ${e.message}\n`)
    return 2
  }
  if (
    e instanceof FlowmarkError &&
    (e.name === 'ModelError' || e.name === 'WorkerError' || e.name === 'ServerSetupError' || e.name === 'ServerOptionError')
  ) {
    stderr.write(`flowmark ${command}: ${e.message}\n`)
    return 2
  }
  stderr.write(`flowmark ${command}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  return 1
}

/** `flowmark serve`: loaded only then, as the server needs the optional packages hono and @hono/node-server. */
async function serve(args: readonly string[], { stdout, stderr, cwd, io }: CommandContext): Promise<number> {
  const { serveCommand } = await import('./server/command.ts')
  return await serveCommand(args, {
    stdout,
    stderr,
    cwd,
    env: process.env,
    load: (target) => loadTarget(target, cwd, undefined, []),
    usage: (message) => {
      throw new UsageError(message)
    },
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  })
}

/** Parses a command's flags (a `UsageError` for an unknown or malformed one) and checks that it names one model. */
function parseCommand<O extends ParseArgsOptionsConfig>(
  command: string,
  args: readonly string[],
  options: O,
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[] }>>['values']; model: string } {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[] }>>
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const { values, positionals } = parsed
  if (positionals.length !== 1)
    throw new UsageError(`${command} takes one model (a .json file or module#export), got ${positionals.length}`)
  return { values, model: positionals[0]! }
}

/** `flowmark validate`: loads the model (checking it and importing its references) and says how many nodes it has. */
async function validateCommand(args: readonly string[], { stdout, cwd }: CommandContext): Promise<number> {
  const { values, model } = parseCommand('validate', args, { outputs: { type: 'string' } })
  const dsp = await loadTarget(model, cwd, splitList(values.outputs), [])
  let all = 0
  let fns = 0
  let subs = 0
  const count = (d: Dispatcher): void => {
    for (const n of d.nodes.values()) {
      all++
      if (n.kind === 'function') fns++
      if (n.kind === 'dispatcher') {
        subs++
        count(n.dispatcher)
      }
    }
  }
  count(dsp)
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  stdout.write(`${model}: valid (${plural(all, 'node')}: ${plural(fns, 'function')}, ${plural(subs, 'sub-dispatcher')})\n`)
  return 0
}

/** `flowmark run`: reads the flags and the inputs, loads the model and runs it (on worker threads with `--executor workers`). */
async function runCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, model } = parseCommand('run', args, {
    inputs: { type: 'string' },
    outputs: { type: 'string' },
    timeout: { type: 'string' },
    concurrency: { type: 'string' },
    executor: { type: 'string' },
    workers: { type: 'string' },
  })
  const outputs = splitList(values.outputs)
  const { timeout, concurrency, workers } = readRunFlags(values)
  const inputs = values.inputs === undefined ? new Map<NodeId, unknown>() : await readInputs(values.inputs, ctx)
  const inputIds = [...inputs.keys()].filter((k): k is string => typeof k === 'string')
  const dsp = await loadTarget(model, ctx.cwd, outputs, inputIds)
  if (values.executor !== 'workers')
    return await run(dsp, inputs, outputs, { timeout, concurrency, executor: undefined }, ctx.stdout, ctx.stderr)
  const { createWorkerExecutor } = await import('./workers/index.ts')
  const executor = createWorkerExecutor(workers === undefined ? {} : { size: workers })
  try {
    return await run(dsp, inputs, outputs, { timeout, concurrency, executor }, ctx.stdout, ctx.stderr)
  } finally {
    await executor.close()
  }
}

/** The numeric flags of `run` and `--executor`, checked: `--timeout`, `--concurrency`, `--workers`. */
function readRunFlags(values: { timeout?: string; concurrency?: string; executor?: string; workers?: string }): {
  timeout: number | undefined
  concurrency: number | undefined
  workers: number | undefined
} {
  let timeout: number | undefined
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout)
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError(`--timeout takes a positive number of milliseconds, not '${values.timeout}'`)
  }
  let concurrency: number | undefined
  if (values.concurrency !== undefined) {
    concurrency = values.concurrency === 'Infinity' ? Infinity : Number(values.concurrency)
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new UsageError(`--concurrency takes a whole number of calls, at least 1 (or Infinity), not '${values.concurrency}'`)
    }
  }
  if (values.executor !== undefined && values.executor !== 'async' && values.executor !== 'workers') {
    throw new UsageError(`--executor takes 'async' (calls run in this process) or 'workers' (on worker threads), not '${values.executor}'`)
  }
  let workers: number | undefined
  if (values.workers !== undefined) {
    if (values.executor !== 'workers') throw new UsageError('--workers N goes with --executor workers')
    workers = Number(values.workers)
    if (!Number.isInteger(workers) || workers < 1)
      throw new UsageError(`--workers takes a whole number of threads, at least 1, not '${values.workers}'`)
  }
  return { timeout, concurrency, workers }
}

/** The inputs of `run --inputs <file | ->`: a JSON object of data id → value (tagged values decoded), read from a file or stdin. */
async function readInputs(file: string, { cwd, io }: CommandContext): Promise<Map<NodeId, unknown>> {
  const name = file === '-' ? '<stdin>' : file
  let text: string
  try {
    text =
      file === '-' ? await readAll(io.stdin ?? (process.stdin as AsyncIterable<Uint8Array>)) : await readFile(resolve(cwd, file), 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read the inputs '${name}': ${(e as Error).message}`)
  }
  const json = parseModelText(text, name)
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    throw new UsageError(`the inputs (${name}) must be a JSON object of data id → value`)
  }
  const problems: ValueEncodingError[] = []
  const decoded = decodeValue(json.value, '', problems) as Record<string, unknown>
  if (problems.length > 0) {
    throw new UsageError(
      problems
        .map((p) => {
          const pos = json.locate(p.pointer)
          return `${name}:${pos.line}:${pos.column}: ${p.message}`
        })
        .join('\n'),
    )
  }
  return new Map(Object.entries(decoded).map(([k, v]) => [readId(k) ?? k, v]))
}

/** Options of `flowmark run` for the asynchronous dispatch. */
interface RunOptions {
  readonly timeout: number | undefined
  readonly concurrency: number | undefined
  /** The worker executor of `--executor workers`. */
  readonly executor: Executor | undefined
}

async function run(
  dsp: Dispatcher,
  inputs: Map<NodeId, unknown>,
  outputs: string[] | undefined,
  opts: RunOptions,
  stdout: { write(text: string): unknown },
  stderr: { write(text: string): unknown; isTTY?: boolean },
): Promise<number> {
  const tty = stderr.isTTY === true
  const started = performance.now()
  let running = 0
  let done = 0
  let failed = 0
  let shown = -Infinity
  const line = (): string => `flowmark run: ${done} done, ${running} running, ${failed} failed`
  // Every event of the dispatch updates the counts; a terminal sees them at most every 100 ms.
  const onEvent = (e: DispatchEvent): void => {
    if (e.type === 'start') running++
    else {
      if (running > 0) running--
      if (e.type === 'finish' || e.type === 'skip') done++
      else if (e.type === 'fail') failed++
    }
    const now = performance.now()
    if (tty && now - shown > 100) {
      shown = now
      stderr.write(`\r\x1b[K${line()}, ${Math.round(now - started)} ms`)
    }
  }
  const options: DispatchAsyncOptions = { onEvent }
  if (opts.timeout !== undefined) options.timeout = opts.timeout
  if (opts.concurrency !== undefined) options.concurrency = opts.concurrency
  if (opts.executor !== undefined) options.executor = opts.executor
  let sol: Solution
  let stopped: string | undefined
  try {
    sol = await dsp.dispatchAsync(inputs, outputs, options)
  } catch (e) {
    if (!(e instanceof DispatcherAbort || e instanceof DispatcherError) || e.solution === undefined) throw e
    sol = e.solution
    stopped =
      e instanceof DispatcherAbort && e.cause instanceof TimeoutError
        ? `stopped after --timeout ${opts.timeout} ms; the solution above is partial`
        : `stopped: ${e.message}; the solution above is partial`
  }
  if (tty) stderr.write(`\r\x1b[K${line()}, ${sol.size} values in ${Math.round(performance.now() - started)} ms\n`)
  let json: string
  try {
    json = JSON.stringify(solutionToJSON(sol), null, 2)
  } catch (e) {
    if (!(e instanceof ValueEncodingError)) throw e
    stderr.write(`flowmark run: the solution cannot be printed as JSON: ${e.message}\n`)
    return 1
  }
  stdout.write(json + '\n')
  if (stopped !== undefined) {
    stderr.write(`flowmark run: ${stopped}\n`)
    return 1
  }
  const missing = (outputs ?? []).filter((o) => !sol.has(o))
  if (missing.length > 0) {
    stderr.write(
      `flowmark run: not computed: ${missing.map((m) => `"${m}"`).join(', ')}` +
        (sol.errors.size > 0 ? `; failures: ${[...sol.errors.values()].map((e) => e.message).join('; ')}` : '') +
        '\n',
    )
    return 1
  }
  return 0
}

function invokedDirectly(): boolean {
  const entry = process.argv[1]
  if (entry === undefined) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2))
}
