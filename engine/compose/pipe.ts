// SubDispatchPipe and DispatchPipe: a model as a function that replays a precompiled plan, without the search.
import { NONE, formatId, type NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { DispatcherError, ModelError } from '../errors.ts'
import { MISSING, recordPlan, type Break, type Plan } from './plan.ts'
import type { Solution } from '../solution.ts'
import { replaySolution } from './replay-solution.ts'
import {
  ASYNC_RUN,
  asyncRunOptions,
  bindArguments,
  firstArgDict,
  functionModel,
  idList,
  signatureText,
  type DefaultOutputType,
  type PositionalArgs,
  type SearchWrapperOptions,
  type AsyncWrapperOptions,
  type NamedFirst,
  type WrapperResult,
} from './sub-dispatch.ts'
import type { TypedInputs } from './types.ts'
import type { Dict } from './helpers.ts'
import type { Blueprint } from './blueprint.ts'
import { CallError, brand, checkOutputType, modelOf, shapeOutputs, type ModelWrapper, type OutputType } from './wrapper.ts'

/** Options of `SubDispatchPipe` and `DispatchPipe`. */
export interface PipeOptions<
  T extends object,
  I extends readonly unknown[],
  O extends readonly unknown[],
  OT extends OutputType,
> extends SearchWrapperOptions<T, OT> {
  /** The positional parameters: data ids, in order. */
  inputs: I
  /** The outputs. Omitted: every data node the plan computes (returned as a Map with `outputType: 'all'`). */
  outputs?: O
  /** Shrink the model to `inputs` → `outputs` before recording (default true). */
  shrink?: boolean
  /** Wildcard recording: an input that is also an output is recomputed (default true). */
  wildcard?: boolean
  /**
   * When a call cannot follow the plan (a domain rejects its arguments, a function fails, a value is `NONE`) and
   * outputs are missing: `false` (default) throws a `DispatcherError` naming the node where the plan broke; `true`
   * runs the full search for that call instead, with its alternative paths (as `SubDispatchFunction` would).
   */
  fallback?: boolean
  /**
   * The first argument of each call holds inputs by name (parameters only), the positional ones follow (schedula's
   * `first_arg_as_kw`): `P({ b: 2 }, 1)` is `P.withInputs({ b: 2 }, 1)`.
   */
  firstArgAsKw?: boolean
}

/** The function made by `SubDispatchPipe` or `DispatchPipe`. */
export interface PipeFn<
  T extends object,
  I extends readonly unknown[],
  O extends readonly unknown[],
  OT extends OutputType,
> extends ModelWrapper {
  /** Replays the plan with these inputs, in order (missing ones take the model's defaults). */
  (...args: PositionalArgs<T, I>): PipeResult<T, O, OT>
  /** Replays the plan with inputs by name (parameters only), after the positional ones. */
  withInputs(named: TypedInputs<T>, ...positional: PositionalArgs<T, I>): PipeResult<T, O, OT>
  /** The recorded plan. */
  readonly plan: Plan
  /** The recorded visit order: node paths (`'S/a'` inside sub-dispatcher `S`). */
  readonly pipe: readonly string[]
  /** The parameter ids, in order. */
  readonly inputs: readonly NodeId[]
  /** The output ids. */
  readonly outputs: readonly NodeId[]
  /** The signature as text, `F(a, k = 10)`. */
  readonly signature: string
  /** Why the last call broke the plan (undefined when it followed the plan). */
  readonly lastBreak: Break | undefined
  /**
   * The solution of the last call (schedula's pipe solution; a dispatch keeps it on the node that called the pipe):
   * the recorded search with this call's values, made when first read (or the full search's, when `fallback` ran).
   */
  readonly solution: Solution | undefined
}

/** What a pipe returns: like the other wrappers, but `'all'` is a Map of the computed values (no Solution is built). */
export type PipeResult<T extends object, O extends readonly unknown[], OT extends OutputType> = OT extends 'all'
  ? Map<NodeId, unknown>
  : WrapperResult<T, O, OT>

function describeBreak(br: Break | undefined): string {
  if (br === undefined) return 'a value the plan relies on was NONE or not computed'
  const at = formatId(br.nodeId) + (br.path.length > 1 ? ` (at ${br.path.map(String).join('/')})` : '')
  if (br.reason === 'domain') return `the plan broke at ${at}: its input domain rejected the arguments`
  if (br.reason === 'error') return `the plan broke at ${at}: ${br.error!.message}`
  return `the plan broke at ${at}: one of its inputs was not computed (NONE, or skipped upstream)`
}

/** What a pipe records at construction: its model, the plan and how calls are bound, shaped and rescued. */
interface PipeSetup {
  readonly kind: 'SubDispatchPipe' | 'DispatchPipe'
  readonly name: string
  /** The description of the pipe function: the option's, or the model's. */
  readonly description: string
  /** The (shrunk) model the plan was recorded on. */
  readonly model: Dispatcher
  /** The model the fallback searches: the whole one (made on first use). */
  readonly fallbackModel: () => Dispatcher
  readonly plan: Plan
  readonly inputs: readonly NodeId[]
  readonly requested: NodeId[] | undefined
  readonly outputs: readonly NodeId[]
  readonly type: OutputType
  readonly inputsDist: Map<NodeId, never>
  readonly wildcard: boolean
  readonly allowMiss: boolean
  readonly fallback: boolean
  /** The options of `dispatchAsync` for an asynchronous pipe (undefined: a synchronous one). */
  readonly asyncRun: Record<string, unknown> | undefined
}

function makePipe<T extends object, I extends readonly unknown[], O extends readonly unknown[], OT extends OutputType>(
  kind: 'SubDispatchPipe' | 'DispatchPipe',
  source: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, I, O, OT>,
): PipeFn<T, I, O, OT> {
  const setup = recordPipe(kind, source, options)
  const { name, model, plan, inputs, outputs } = setup
  const calls = new PipeCalls(setup)
  const fn = options.firstArgAsKw
    ? (named?: Dict, ...args: unknown[]): unknown =>
        calls.run(args, (firstArgDict(name, named) ?? {}) as Readonly<Record<PropertyKey, unknown>>)
    : (...args: unknown[]): unknown => calls.run(args, undefined)
  return brand(fn, model, name, setup.description, kind, {
    withInputs: (named: Readonly<Record<PropertyKey, unknown>>, ...positional: unknown[]) => calls.run(positional, named),
    plan,
    pipe: plan.pipe,
    inputs,
    outputs,
    signature: signatureText(name, model, inputs),
    get lastBreak() {
      return calls.lastBreak
    },
    get solution() {
      return calls.solution()
    },
  }) as unknown as PipeFn<T, I, O, OT>
}

/** Checks the options, shrinks the model and records the plan; throws a `ModelError` when an output is unreachable. */
function recordPipe<T extends object, I extends readonly unknown[], O extends readonly unknown[], OT extends OutputType>(
  kind: 'SubDispatchPipe' | 'DispatchPipe',
  source: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, I, O, OT>,
): PipeSetup {
  const where = kind
  const dsp = modelOf(source, where)
  const inputs = idList(options.inputs, where, 'inputs')
  const requested = options.outputs === undefined ? undefined : idList(options.outputs, where, 'outputs')
  const name = options.id ?? (dsp.name || 'fun')
  const type = checkOutputType(options.outputType ?? (requested === undefined ? 'all' : requested.length === 1 ? 'values' : 'list'), where)
  const inputsDist = new Map(options.inputsDist instanceof Map ? options.inputsDist : Object.entries(options.inputsDist ?? {})) as Map<
    NodeId,
    never
  >
  const wildcard = options.wildcard ?? true
  const model = functionModel(dsp as Dispatcher, where, name, inputs, requested, inputsDist, options.shrink ?? true, wildcard)
  // The fallback searches the whole model: the shrunk one keeps only the planned producers of functions without a
  // domain, so a farther producer of a value whose planned function failed would be missing (made on first use).
  let searched: Dispatcher | undefined
  const fallbackModel = (): Dispatcher =>
    (searched ??=
      (options.shrink ?? true) ? functionModel(dsp as Dispatcher, where, name, inputs, requested, inputsDist, false, wildcard) : model)
  const plan = recordPlan(model, inputs, requested, { inputsDist, wildcard }, `${where}(${formatId(name)})`)
  const unreached = plan.outputIds.filter((_, i) => plan.outputSlots[i]! < 0)
  if (unreached.length > 0) {
    throw new ModelError(
      `${where}(${formatId(name)}): Unreachable output-targets: ${unreached.map(formatId).join(', ')}; the recorded ` +
        `dispatch from [${inputs.map(formatId).join(', ')}] does not reach them. Add the inputs they need.`,
    )
  }
  return {
    kind,
    name,
    description: options.description ?? dsp.description,
    model,
    fallbackModel,
    plan,
    inputs,
    requested,
    outputs: plan.outputIds,
    type,
    inputsDist,
    wildcard,
    allowMiss: options.allowMiss ?? false,
    fallback: options.fallback ?? false,
    asyncRun: (options as unknown as { [ASYNC_RUN]?: Record<string, unknown> })[ASYNC_RUN],
  }
}

/** Throws the `DispatcherError` of a call that broke the plan with outputs missing, naming where and why. */
function failBrokenPlan(s: PipeSetup, br: Break | undefined, missing: readonly NodeId[], computed: () => NodeId[]): never {
  const why = describeBreak(br)
  const hint =
    'A pipe has no alternative paths: pass `fallback: true` to run the full search when the plan breaks, or use SubDispatchFunction.'
  const message =
    s.kind === 'DispatchPipe'
      ? `The pipe is not respected (in ${s.name}): ${why}; outputs ${missing.map(formatId).join(', ')} were not computed. ${hint}`
      : `Unreachable output-targets: ${missing.map(formatId).join(', ')} (in ${s.name}).\n  Available outputs: ` +
        `[${computed().map(formatId).join(', ')}]\n  ${why[0]!.toUpperCase()}${why.slice(1)}. ${hint}`
  const opts: { nodeId?: NodeId; path?: readonly NodeId[]; cause?: unknown } = {}
  if (br !== undefined) {
    opts.nodeId = br.nodeId
    opts.path = br.path
    if (br.error !== undefined) opts.cause = br.error
  }
  throw new DispatcherError(message, opts)
}

/**
 * The calls of one pipe: each binds its arguments into a value buffer, replays the plan, and shapes the result (or
 * fails, or runs the full search). A `DispatchPipe` keeps one buffer between calls (a nested call, or one whose
 * solution was handed out, gets a fresh one); the last call is kept for its solution, made only when read.
 */
class PipeCalls {
  /** Why the last call broke the plan (undefined when it followed the plan). */
  lastBreak: Break | undefined
  private readonly s: PipeSetup
  /** Whether calls replay in the kept buffer (an asynchronous pipe's calls may overlap: each has its own). */
  private readonly reuse: boolean
  private buffer: unknown[] | undefined
  private busy = false
  // The last call's record, for its solution: the buffer it replayed in, or the solution of the full search a
  // fallback ran. A buffer whose solution was handed out is not reused by the next call.
  private lastVals: unknown[] | undefined
  private lastPositional: readonly unknown[] = []
  private lastGiven: Map<NodeId, unknown> | undefined
  private lastSolution: Solution | undefined
  private handedOut = false

  constructor(setup: PipeSetup) {
    this.s = setup
    this.reuse = setup.kind === 'DispatchPipe' && setup.asyncRun === undefined
  }

  /** One call: binds the arguments, replays the plan (awaiting async steps in an async pipe) and shapes the result. */
  run(positional: readonly unknown[], named: Readonly<Record<PropertyKey, unknown>> | ReadonlyMap<NodeId, unknown> | undefined): unknown {
    const plan = this.s.plan
    if (this.handedOut) {
      if (this.lastVals === this.buffer) this.buffer = undefined
      this.handedOut = false
    }
    this.lastVals = undefined
    this.lastSolution = undefined
    const own = !this.reuse || this.busy
    let vals: unknown[]
    if (own) vals = plan.newBuffer()
    else {
      if (this.buffer === undefined) this.buffer = plan.newBuffer()
      else plan.reset(this.buffer)
      vals = this.buffer
    }
    const given = this.bind(vals, positional, named)
    if (this.s.asyncRun !== undefined) {
      return plan.replayAsync(vals).then((br) => {
        this.remember(br, vals, positional, given)
        this.lastSolution = undefined
        return this.shape(br, vals, given, positional)
      })
    }
    if (!own) this.busy = true
    try {
      const br = plan.replay(vals)
      this.remember(br, vals, positional, given)
      return this.shape(br, vals, given, positional)
    } finally {
      if (!own) this.busy = false
    }
  }

  /** The solution of the last call (made when first read, then kept; its buffer is then not reused). */
  solution(): Solution | undefined {
    if (this.lastSolution === undefined && this.lastVals !== undefined) {
      const { plan, inputs } = this.s
      let given = this.lastGiven
      if (given === undefined) {
        given = new Map()
        for (let i = 0; i < inputs.length; i++) {
          const v = i < this.lastPositional.length ? this.lastPositional[i] : plan.inputDefaults[i]
          if (v !== MISSING) given.set(inputs[i]!, v)
        }
      }
      this.lastSolution = replaySolution(plan, this.lastVals, this.lastBreak, this.s.requested, given)
      this.handedOut = true
    }
    return this.lastSolution
  }

  /** Sets the plan's inputs in `vals`: positional arguments, or named ones bound to the parameters (returned). */
  private bind(
    vals: unknown[],
    positional: readonly unknown[],
    named: Readonly<Record<PropertyKey, unknown>> | ReadonlyMap<NodeId, unknown> | undefined,
  ): Map<NodeId, unknown> | undefined {
    const { plan, inputs, name } = this.s
    const nIn = inputs.length
    if (named !== undefined) {
      const given = bindArguments(name, this.s.model, inputs, positional, named, false)
      for (let i = 0; i < nIn; i++) plan.setInput(vals, i, given.has(inputs[i]!) ? given.get(inputs[i]!) : plan.inputDefaults[i])
      return given
    }
    if (positional.length > nIn) {
      throw new CallError(
        name,
        `too many positional arguments: it takes ${nIn} (${inputs.map(formatId).join(', ')}), got ${positional.length}`,
      )
    }
    for (let i = 0; i < nIn; i++) {
      const v = i < positional.length ? positional[i] : plan.inputDefaults[i]
      if (v === MISSING) throw new CallError(name, `missing a required argument: ${formatId(inputs[i]!)}`)
      plan.setInput(vals, i, v)
    }
    return undefined
  }

  private remember(br: Break | undefined, vals: unknown[], positional: readonly unknown[], given: Map<NodeId, unknown> | undefined): void {
    this.lastBreak = br
    this.lastVals = vals
    this.lastPositional = positional
    this.lastGiven = given
  }

  /** The call's result from the replayed values (or, when the plan broke and `fallback` is on, from a full search). */
  private shape(br: Break | undefined, vals: unknown[], given: Map<NodeId, unknown> | undefined, positional: readonly unknown[]): unknown {
    const s = this.s
    const slots = s.plan.outputSlots
    let missing: NodeId[] | undefined
    for (let i = 0; i < slots.length; i++) {
      const v = vals[slots[i]!]
      if (v === MISSING || v === NONE) (missing ??= []).push(s.outputs[i]!)
    }
    if (missing !== undefined && !(s.allowMiss && s.type !== 'values' && s.type !== 'all')) {
      if (s.fallback) return this.search(given, positional)
      if (s.type !== 'all' || s.requested !== undefined) failBrokenPlan(s, br, missing, () => computedIds(s.plan, vals))
    }
    return replayResult(s, vals)
  }

  /** The fallback: the full search for this call's inputs, its solution kept as the last call's. */
  private search(given: Map<NodeId, unknown> | undefined, positional: readonly unknown[]): unknown {
    const s = this.s
    if (given === undefined) {
      given = new Map()
      for (let i = 0; i < positional.length; i++) given.set(s.inputs[i]!, positional[i])
    }
    const dist = new Map([...s.inputsDist].filter(([id]) => !given.has(id)))
    const options = { inputsDist: dist, wildcard: s.wildcard, rmUnusedNodes: true }
    const done = (sol: Solution): unknown => {
      this.lastSolution = sol
      this.lastVals = undefined
      return s.type === 'all' ? new Map(sol) : shapeOutputs(s.name, sol, s.outputs, s.type, s.allowMiss)
    }
    if (s.asyncRun !== undefined)
      return s
        .fallbackModel()
        .dispatchAsync(given, s.requested, { ...options, ...s.asyncRun })
        .then(done)
    return done(s.fallbackModel().dispatch(given, s.requested, options))
  }
}

/** The outputs of a replay as the output type asks: one value, a list, a dict, or every computed value in a Map. */
function replayResult(s: PipeSetup, vals: readonly unknown[]): unknown {
  const { type, outputs } = s
  const slots = s.plan.outputSlots
  if (type === 'values' && slots.length === 1) return vals[slots[0]!]
  if (type === 'list' || type === 'values') {
    const out: unknown[] = []
    for (let i = 0; i < slots.length; i++) {
      const v = vals[slots[i]!]
      if (v !== MISSING && v !== NONE) out.push(v)
    }
    return out
  }
  if (type === 'dict') {
    const out: Record<PropertyKey, unknown> = {}
    for (let i = 0; i < slots.length; i++) {
      const v = vals[slots[i]!]
      if (v !== MISSING && v !== NONE) out[outputs[i]!] = v
    }
    return out
  }
  return valueMap(s.plan, vals)
}

/** The computed root values of a replay, in computation order. */
function valueMap(plan: Plan, vals: readonly unknown[]): Map<NodeId, unknown> {
  const m = new Map<NodeId, unknown>()
  const ids = plan.rootIds
  const slots = plan.rootSlots
  for (let i = 0; i < ids.length; i++) {
    const v = vals[slots[i]!]
    if (v !== MISSING && v !== NONE) m.set(ids[i]!, v)
  }
  return m
}

function computedIds(plan: Plan, vals: readonly unknown[]): NodeId[] {
  return [...valueMap(plan, vals).keys()]
}

/**
 * Like `SubDispatchFunction`, but the search runs once, at construction: a structural dispatch from `inputs` to
 * `outputs` is recorded as a plan (the nodes to compute in order and where each value goes), and every call replays
 * it with the new input values, without the priority queue. That is the fast path for calling a model many times.
 * Domains and failures are still checked at call time, but a pipe has no alternative paths: when a call breaks the
 * plan and outputs are missing, it throws a `DispatcherError` ("Unreachable output-targets", naming the node where it
 * broke and why), or, with `fallback: true`, runs the full search for that call. Each call uses its own value
 * buffer, so the function is re-entrant.
 *
 * Differences from schedula, on purpose: a break is an error only when requested outputs are missing (schedula
 * stops at the first break even when the outputs do not depend on it); the error names the node and the reason
 * (domain, failure with its cause, missing input) instead of only "Unreachable output-targets"; `fallback` is new.
 *
 * @example
 * const m = new Dispatcher()
 * m.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'], inputDomain: (a: number) => a > 0 })
 * m.addFunction({ id: 'g', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
 * const F = SubDispatchPipe(m, { id: 'F', inputs: ['a'], outputs: ['c'] })
 * F(1)      // 4
 * F.pipe    // ['a', 'f', 'b', 'g', 'c']
 * F(-1)     // throws DispatcherError: Unreachable output-targets: 'c' … the plan broke at 'f': its input domain rejected …
 */
export function SubDispatchPipe<
  T extends object,
  const I extends readonly unknown[],
  const O extends readonly unknown[] | undefined = undefined,
  OT extends OutputType = DefaultOutputType<O>,
  const KW extends boolean = false,
>(
  dsp: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, I, Exclude<O, undefined>, OT> & { outputs?: O; firstArgAsKw?: KW },
): [KW] extends [true]
  ? NamedFirst<PipeFn<T, I, O extends readonly unknown[] ? O : [], OT>, T, I, PipeResult<T, O extends readonly unknown[] ? O : [], OT>>
  : PipeFn<T, I, O extends readonly unknown[] ? O : [], OT> {
  return makePipe('SubDispatchPipe', dsp, options as PipeOptions<T, I, readonly unknown[], OT>) as never
}

/**
 * The fastest variant of `SubDispatchPipe`: it replays the plan in one value buffer kept between calls (a nested
 * call of the same pipe gets a fresh buffer), and a broken plan throws `DispatcherError("The pipe is not respected
 * …")` naming the node and the reason (or, with `fallback: true`, runs the full search).
 *
 * @example
 * const m = new Dispatcher()
 * m.addFunction({ id: 'f', fn: (a: number) => 1 / a, inputs: ['a'], outputs: ['b'] })
 * const F = DispatchPipe(m, { id: 'F', inputs: ['a'], outputs: ['b'] })
 * F(4) // 0.25
 */
export function DispatchPipe<
  T extends object,
  const I extends readonly unknown[],
  const O extends readonly unknown[] | undefined = undefined,
  OT extends OutputType = DefaultOutputType<O>,
  const KW extends boolean = false,
>(
  dsp: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, I, Exclude<O, undefined>, OT> & { outputs?: O; firstArgAsKw?: KW },
): [KW] extends [true]
  ? NamedFirst<PipeFn<T, I, O extends readonly unknown[] ? O : [], OT>, T, I, PipeResult<T, O extends readonly unknown[] ? O : [], OT>>
  : PipeFn<T, I, O extends readonly unknown[] ? O : [], OT> {
  return makePipe('DispatchPipe', dsp, options as PipeOptions<T, I, readonly unknown[], OT>) as never
}

/**
 * `SubDispatchPipe` for models with async functions: each call replays the plan and awaits only the steps whose
 * function returned a promise (the synchronous steps run as in `SubDispatchPipe`), so it returns a promise of the
 * same result. Overlapping calls each use their own buffer; with `fallback: true` a broken plan runs `dispatchAsync`.
 *
 * @example
 * const m = new Dispatcher()
 * m.addFunction({ id: 'f', fn: async (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
 * m.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['c'] })
 * await SubDispatchPipeAsync(m, { inputs: ['a'], outputs: ['c'] })(1) // 20
 */
export function SubDispatchPipeAsync<T extends object>(
  dsp: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, readonly NodeId[], readonly NodeId[], OutputType> & AsyncWrapperOptions,
): ((...args: unknown[]) => Promise<unknown>) &
  ModelWrapper & { readonly pipe: readonly NodeId[]; readonly signature: string; readonly solution: Solution | undefined } {
  const { concurrency, signal, timeout, ...rest } = options
  return makePipe('SubDispatchPipe', dsp, { ...rest, [ASYNC_RUN]: asyncRunOptions(options) } as never) as never
}

/**
 * `DispatchPipe` for models with async functions (see {@link SubDispatchPipeAsync}): a broken plan rejects with
 * `DispatcherError("The pipe is not respected …")`, or runs `dispatchAsync` with `fallback: true`.
 *
 * @example
 * const m = new Dispatcher()
 * m.addFunction({ id: 'f', fn: async (a: number) => 1 / a, inputs: ['a'], outputs: ['b'] })
 * await DispatchPipeAsync(m, { inputs: ['a'], outputs: ['b'] })(4) // 0.25
 */
export function DispatchPipeAsync<T extends object>(
  dsp: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, readonly NodeId[], readonly NodeId[], OutputType> & AsyncWrapperOptions,
): ((...args: unknown[]) => Promise<unknown>) &
  ModelWrapper & { readonly pipe: readonly NodeId[]; readonly signature: string; readonly solution: Solution | undefined } {
  const { concurrency, signal, timeout, ...rest } = options
  return makePipe('DispatchPipe', dsp, { ...rest, [ASYNC_RUN]: asyncRunOptions(options) } as never) as never
}
