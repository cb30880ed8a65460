// The session worker: runs a page's compiled blocks once, in order, in this thread's global scope, and posts outcomes.
import { Console } from 'node:console'
import { createRequire } from 'node:module'
import { Writable } from 'node:stream'
import vm from 'node:vm'
import { parentPort } from 'node:worker_threads'
import { DOCS_PLOT_DEFAULTS, type DrawResult, type NodeTableRow } from '../core/types.ts'
import { errorHeader, firstSentence, formatThrown, formatValue } from './format.ts'
import { activeResources, hasPending, ownerOfStack, settle, type UnitSpan } from './late-errors.ts'
import {
  SESSION_GLOBAL,
  type UnitOutcome,
  type UnitRef,
  type WorkerBlock,
  type WorkerUnit,
  type WorkerMessage,
  type WorkerSession,
} from './protocol.ts'
import * as engine from 'flowmark'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'
import { endPage, pageHitTakenModule, startPage, TRACKING, withoutPageQuery } from './module-tracker.ts'
import { removeNewGlobals, sharedChanges, snapshotShared, type SharedSnapshot } from './isolation.ts'

if (parentPort === null)
  throw new Error('plugin/doctest/worker.ts runs only as a worker thread started by runSession() (through worker-entry.ts).')
const port = parentPort
const post = (message: WorkerMessage): void => port.postMessage(message)

let captured = ''
/** Output kept per unit; beyond it the text is cut (an example printing in a loop must not exhaust memory). */
const MAX_OUTPUT = 1_000_000
const append = (text: string): void => {
  if (captured.length >= MAX_OUTPUT) return
  captured += text
  if (captured.length >= MAX_OUTPUT) captured = `${captured.slice(0, MAX_OUTPUT)}\n… (output cut at ${MAX_OUTPUT} characters)\n`
}
/** Errors thrown by callbacks (timers, rejected promises nobody awaited) of the running unit while it ran. */
let asyncErrors: unknown[] = []

const sink = new Writable({
  decodeStrings: false,
  write(chunk: string | Buffer, _encoding, callback) {
    append(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
    callback()
  },
})
const sessionConsole = new Console({ stdout: sink, stderr: sink, colorMode: false })
Object.defineProperty(globalThis, 'console', { value: sessionConsole, writable: true, configurable: true, enumerable: false })
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined
    callback?.()
    return true
  }
}
process.on('uncaughtException', lateError)
// In a worker, process.exit() ends the thread; say so first, so the session can tell it from an emptied event loop,
// and say whose code called it (a timer may call it after its statement finished).
const exit = process.exit.bind(process)
process.exit = (code?: number | string | null) => {
  const owner = late.file === '' ? undefined : (ownerOfStack(new Error().stack ?? '', late.file, late.spans) ?? late.running)
  exitCalledNow = true
  post({ type: 'exit-called', code: code ?? process.exitCode ?? 0, ...(owner === undefined ? {} : { owner }) })
  return exit(code)
}
process.on('unhandledRejection', lateError)

/** What attributing asynchronous errors needs: the page, where its units are, which one runs, which ran last. */
const late: { file: string; spans: UnitSpan[]; running: UnitRef | undefined; last: UnitRef | undefined } = {
  file: '',
  spans: [],
  running: undefined,
  last: undefined,
}

/**
 * An error thrown by a callback, or a promise rejection nobody handled. When it comes from the running unit (by its
 * stack, or when the stack names no unit), it is that unit's error, as in the REPL. When its stack points at an
 * earlier unit, or no unit runs (between units, during a draw, after the last one), it is posted for the unit that
 * started it (by the stack, else the one that finished last), which the session then fails.
 */
function lateError(error: unknown): void {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : ''
  const owner = late.file === '' ? undefined : ownerOfStack(stack, late.file, late.spans)
  const running = late.running
  if (running !== undefined && (owner === undefined || (owner.block === running.block && owner.unit === running.unit))) {
    asyncErrors.push(error)
    return
  }
  const target = owner ?? late.last ?? running
  if (target === undefined) return // nothing ran yet: no example can own it
  post({ type: 'async-error', owner: target, error: { header: withoutPageQuery(errorHeader(error)), stack: withoutPageQuery(stack) } })
}

/** The session's helper on `globalThis`: `hoist` publishes functions of async units, `code` holds the unit {@link runUnit} evaluates. */
const helper = { hoist: (bindings: Record<string, unknown>) => Object.assign(globalThis, bindings), code: '' }
Object.defineProperty(globalThis, SESSION_GLOBAL, { value: helper, enumerable: false })
/** The script that evaluates `helper.code` as global (direct, sloppy) eval code. */
const EVAL_UNIT = `eval(${SESSION_GLOBAL}.code)`

/** Built-in modules whose exports every page on this worker shares and that {@link reusable} checks. */
const SHARED_BUILTINS = [
  'fs',
  'fs/promises',
  'crypto',
  'path',
  'url',
  'util',
  'events',
  'os',
  'assert',
  'stream',
  'buffer',
  'timers',
  'module',
  'vm',
  'worker_threads',
  'console',
]
/** Module namespaces checked after each page: Flowmark's engine and {@link SHARED_BUILTINS}. */
const sharedModules = [engine as object, ...SHARED_BUILTINS.map((name) => process.getBuiltinModule(name) as object)]
/**
 * The snapshot of what pages share ({@link snapshotShared}), taken before the first page that may leave the worker to
 * another. A page that changed none of it leaves it exact (its new globals are removed), so the next page starts
 * from it without taking a new one; after any other page the worker ends.
 */
let shared: SharedSnapshot | undefined
/** Whether the running page called `require` (CommonJS modules are cached for the whole thread). */
let required = false
/** Whether the running page called `process.exit` (the thread then ends anyway). */
let exitCalledNow = false

port.on('message', (session: WorkerSession) => {
  // While a page runs, the port does not keep the thread alive: an emptied event loop then ends the worker, which
  // the session reports as a promise nothing can settle. Between pages it does (the worker waits for the next one).
  port.unref()
  startPage()
  required = false
  exitCalledNow = false
  const before = session.mayReuse ? (shared ??= snapshotShared(sharedModules)) : undefined
  const baseline = activeResources()
  run(session).then(
    () => {
      const modules = endPage()
      const files = modules.files === null ? null : [...modules.files]
      const reasons = before === undefined ? ['the page asked for a fresh worker'] : reusable(modules, before, baseline)
      const stuck = before === undefined ? [] : removeNewGlobals(before)
      shared = before !== undefined && reasons.length === 0 ? { ...before, globals: Reflect.ownKeys(globalThis) } : undefined
      port.ref()
      post({
        type: 'session-done',
        modules: files,
        reusable: reasons.length === 0,
        reasons,
        stuckGlobals: stuck.filter((k): k is string => typeof k === 'string'),
        ownModules: modules.own,
        takenModules: modules.taken,
      })
    },
    // Only a bug in this worker gets here; report it rather than hang.
    (error: unknown) => post({ type: 'worker-error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  )
})

/**
 * Why the next page must not run on this worker (empty: it may). The page's globals are removed afterwards; what
 * else it could have left for the next page is checked here: CommonJS modules and `require` (cached for the thread),
 * changed built-ins, engine exports or environment, and timers or I/O still pending. The modules it loaded were
 * its own instances (see module-tracker.ts): no later page gets them.
 */
function reusable(
  modules: ReturnType<typeof endPage>,
  before: ReturnType<typeof snapshotShared>,
  baseline: ReadonlyMap<string, number>,
): string[] {
  const reasons: string[] = []
  if (!TRACKING) reasons.push('module loading is not tracked on this Node')
  if (modules.taken.length > 0) reasons.push('it asked for a module an earlier page on this worker had loaded')
  if (required || modules.formats.some((f) => f !== 'module' && f !== 'module-typescript' && f !== 'builtin' && f !== 'json'))
    reasons.push('it loaded CommonJS or native modules')
  const builtins = modules.builtins.filter((b) => !SHARED_BUILTINS.includes(b.replace(/^node:/, '')))
  if (builtins.length > 0) reasons.push(`it imported node:${builtins[0]}`)
  if (exitCalledNow) reasons.push('it called process.exit')
  if (hasPending(baseline)) reasons.push('it left timers or I/O pending')
  reasons.push(...sharedChanges(before).map((what) => `it changed ${what}`))
  return reasons
}

async function run(session: WorkerSession): Promise<void> {
  // Like the Node REPL, the session has `require` (resolving from the page's folder).
  const require = createRequire(session.file)
  const tracked = Object.assign((id: string): unknown => {
    required = true
    return require(id)
  }, require)
  Object.defineProperty(globalThis, 'require', { value: tracked, writable: true, configurable: true, enumerable: false })
  late.file = session.file
  late.running = undefined
  late.last = undefined
  late.spans = session.blocks.flatMap((block, index) =>
    block.kind === 'units' ? block.units.map((unit, unitIndex) => ({ block: index, unit: unitIndex, ...unit.span })) : [],
  )
  const baseline = activeResources()
  try {
    await runBlocks(session)
  } finally {
    // Timers and I/O the examples left behind may still throw or exit: give them a short grace period.
    await settle(baseline, session.graceMs)
  }
}

/** Runs the blocks in order; stops after the unit or draw that asked for a module an earlier page had loaded. */
async function runBlocks(session: WorkerSession): Promise<void> {
  for (const [index, block] of session.blocks.entries()) {
    if (pageHitTakenModule()) return
    post({ type: 'block-start', block: index })
    if (block.kind === 'draw') {
      await draw(session.file, index, block)
      continue
    }
    for (const [unitIndex, unit] of block.units.entries()) {
      if (pageHitTakenModule()) return
      post({ type: 'unit-start', block: index, unit: unitIndex })
      late.running = { block: index, unit: unitIndex }
      const outcome = await runUnit(session.file, unit)
      late.running = undefined
      late.last = { block: index, unit: unitIndex }
      post({ type: 'unit-done', block: index, unit: unitIndex, outcome })
    }
  }
}

async function runUnit(file: string, unit: WorkerUnit): Promise<UnitOutcome> {
  const { wantsValue } = unit
  captured = ''
  asyncErrors = []
  let value: unknown
  let thrown: { error: unknown } | undefined
  try {
    const result = evaluate(file, unit)
    // A script's completion value is printed as it is (a Promise prints as `Promise { … }`); the async wrapper's
    // promise is awaited and carries the value in `{ value }`.
    value = unit.mode === 'script' ? result : ((await result) as { value?: unknown } | undefined)?.value
  } catch (error) {
    thrown = { error }
  }
  // Let callbacks scheduled for "right now" (queued microtasks, immediate timers) print into this statement.
  await new Promise((resolve) => setImmediate(resolve))
  if (thrown === undefined && asyncErrors.length > 0) thrown = { error: asyncErrors[0] }
  let output = captured
  captured = ''
  if (thrown !== undefined) {
    output += `${formatThrown(thrown.error)}\n`
    const error = thrown.error
    const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : ''
    return { output: withoutPageQuery(output), error: { header: withoutPageQuery(errorHeader(error)), stack: withoutPageQuery(stack) } }
  }
  if (wantsValue && value !== undefined) output += `${formatValue(value)}\n`
  return { output: withoutPageQuery(output) }
}

/**
 * Runs a unit in this thread's global scope and returns its completion value. A script's top-level `var` and function
 * declarations would be global bindings nothing can delete (the worker could then serve no page naming them); the
 * same code run by a direct `eval` at script level declares them as deletable globals, with the same completion value
 * and hoisting. The eval code is padded with line breaks and named after the page (`//# sourceURL`), so its stack
 * frames show page lines; the wrapper's own frame falls on the line after the unit, which the session drops. Dynamic
 * imports resolve against the wrapper script, the page. File names a `sourceURL` cannot hold (blanks, quotes), and
 * units that ask for strict mode, run as plain scripts instead.
 */
function evaluate(file: string, unit: WorkerUnit): unknown {
  const { script, lineOffset } = unit
  const options = { filename: file, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
  if (!unit.deletable || lineOffset < 0 || /[\s"']/.test(file)) {
    return new vm.Script(script, { ...options, lineOffset }).runInThisContext({ displayErrors: false })
  }
  helper.code = `${'\n'.repeat(lineOffset)}${script}\n//# sourceURL=${file}`
  try {
    return new vm.Script(EVAL_UNIT, { ...options, lineOffset: unit.span.first + unit.span.count - 1 }).runInThisContext({
      displayErrors: false,
    })
  } finally {
    helper.code = ''
  }
}

async function draw(file: string, index: number, block: Extract<WorkerBlock, { kind: 'draw' }>): Promise<void> {
  captured = ''
  try {
    const result = await drawBlock(file, block)
    post({ type: 'draw-done', block: index, result })
  } catch (error) {
    post({
      type: 'draw-error',
      block: index,
      message: withoutPageQuery(error instanceof DrawProblem ? error.message : `Drawing \`${block.name}\` failed: ${errorHeader(error)}`),
    })
  }
  captured = ''
}

/** A draw block problem whose message is complete as it is. */
class DrawProblem extends FlowmarkPluginError {
  static {
    nameError(this, 'DrawProblem')
  }
}

async function drawBlock(file: string, block: Extract<WorkerBlock, { kind: 'draw' }>): Promise<DrawResult> {
  let value: unknown
  if (block.from !== undefined) {
    let module: Record<string, unknown>
    try {
      module = (await new vm.Script(`import(${JSON.stringify(block.from)})`, {
        filename: file,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      }).runInThisContext()) as Record<string, unknown>
    } catch (error) {
      throw new DrawProblem(
        `Cannot import \`${block.from}\` for drawing \`${block.name}\`: ${errorHeader(error)}. The module is resolved against the page's folder (relative path) or as a package.`,
      )
    }
    if (!(block.name in module)) {
      const names = Object.keys(module)
        .slice(0, 12)
        .map((n) => `\`${n}\``)
        .join(', ')
      throw new DrawProblem(`Module \`${block.from}\` has no export \`${block.name}\` (its exports: ${names || 'none'}).`)
    }
    value = module[block.name]
  } else {
    try {
      value = vm.runInThisContext(block.name, { filename: file })
    } catch (error) {
      throw new DrawProblem(
        `Cannot draw \`${block.name}\`: ${errorHeader(error)}. Define it in a code block above the draw, or name the module to import it from.`,
      )
    }
  }
  const plottable = value as { plot?: unknown; description?: unknown } | null | undefined
  if (plottable === null || plottable === undefined || typeof plottable.plot !== 'function') {
    throw new DrawProblem(
      `Cannot draw \`${block.name}\`: it is ${describe(value)}, but a draw block needs a Dispatcher or a Solution (a value with a plot() method).`,
    )
  }
  const plot = (await (plottable.plot as (options: unknown) => unknown).call(plottable, {
    ...DOCS_PLOT_DEFAULTS,
    ...block.plotOptions,
  })) as { toJSON?: () => unknown } | null
  const json = plain(typeof plot?.toJSON === 'function' ? plot.toJSON() : plot, block.name)
  const root = json.pages[0]!
  const tables: Partial<Record<'data' | 'func' | 'dsp', NodeTableRow[]>> = {}
  const kinds = { data: 'data', func: 'function', dsp: 'dispatcher' } as const
  for (const table of block.tables) {
    tables[table] = root.nodes
      .filter((node) => node.kind === kinds[table])
      .map((node) => ({ id: node.label, description: firstSentence(node.description) }))
  }
  // A Dispatcher has its own description; a Solution borrows its dispatcher's.
  const owner = plottable as { description?: unknown; dispatcher?: { description?: unknown } }
  const text = typeof owner.description === 'string' ? owner.description : owner.dispatcher?.description
  const description = typeof text === 'string' && text !== '' ? text : undefined
  return { id: block.id, plot: json, tables, title: root.title, description }
}

/** Checks the plot JSON shape and copies it through JSON, so only plain data crosses the thread. */
function plain(value: unknown, name: string): DrawResult['plot'] {
  let copy: unknown
  try {
    copy = JSON.parse(JSON.stringify(value))
  } catch (error) {
    throw new DrawProblem(`\`${name}.plot()\` returned something that is not plain JSON (${errorHeader(error)}).`)
  }
  const pages = (copy as { pages?: unknown } | null)?.pages
  if (
    !Array.isArray(pages) ||
    pages.length === 0 ||
    !pages.every((p) => typeof p === 'object' && p !== null && Array.isArray((p as { nodes?: unknown }).nodes))
  ) {
    throw new DrawProblem(
      `\`${name}.plot()\` returned ${describe(value)} with no pages: expected a Plot (engine/plot/types.ts) whose toJSON() has \`pages\`, each with \`nodes\`.`,
    )
  }
  return copy as DrawResult['plot']
}

/** A short description of a value for messages: `undefined`, `a number (3)`, `an object of class Foo`. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`
  if (typeof value !== 'object') return `a ${typeof value} (${formatValue(value).slice(0, 40)})`
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name
  return name === undefined || name === 'Object' ? 'a plain object' : `an object of class ${name}`
}
