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

function makePipe<T extends object, I extends readonly unknown[], O extends readonly unknown[], OT extends OutputType>(
  kind: 'SubDispatchPipe' | 'DispatchPipe',
  source: Dispatcher<T> | Blueprint<T>,
  options: PipeOptions<T, I, O, OT>,
): PipeFn<T, I, O, OT> {
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
  const outputs = plan.outputIds
  const allowMiss = options.allowMiss ?? false
  const fallback = options.fallback ?? false
  const asyncRun = (options as unknown as { [ASYNC_RUN]?: Record<string, unknown> })[ASYNC_RUN]
  // An asynchronous pipe's calls may overlap: each replays in its own buffer.
  const reuse = kind === 'DispatchPipe' && asyncRun === undefined
  let buffer: unknown[] | undefined
  let busy = false
  let lastBreak: Break | undefined
  // The last call's record, for its solution (made only when read): the buffer it replayed in, or the solution of the
  // full search a fallback ran. A buffer whose solution was handed out is not reused by the next call.
  let lastVals: unknown[] | undefined
  let lastPositional: readonly unknown[] = []
  let lastGiven: Map<NodeId, unknown> | undefined
  let lastSolution: Solution | undefined
  let handedOut = false
  const nIn = inputs.length

  const fail = (br: Break | undefined, missing: readonly NodeId[], computed: () => NodeId[]): never => {
    const why = describeBreak(br)
    const hint =
      'A pipe has no alternative paths: pass `fallback: true` to run the full search when the plan breaks, or use SubDispatchFunction.'
    const message =
      kind === 'DispatchPipe'
        ? `The pipe is not respected (in ${name}): ${why}; outputs ${missing.map(formatId).join(', ')} were not computed. ${hint}`
        : `Unreachable output-targets: ${missing.map(formatId).join(', ')} (in ${name}).\n  Available outputs: ` +
          `[${computed().map(formatId).join(', ')}]\n  ${why[0]!.toUpperCase()}${why.slice(1)}. ${hint}`
    const opts: { nodeId?: NodeId; path?: readonly NodeId[]; cause?: unknown } = {}
    if (br !== undefined) {
      opts.nodeId = br.nodeId
      opts.path = br.path
      if (br.error !== undefined) opts.cause = br.error
    }
    throw new DispatcherError(message, opts)
  }

  const run = (
    positional: readonly unknown[],
    named: Readonly<Record<PropertyKey, unknown>> | ReadonlyMap<NodeId, unknown> | undefined,
  ): unknown => {
    let vals: unknown[]
    if (handedOut) {
      if (lastVals === buffer) buffer = undefined
      handedOut = false
    }
    lastVals = undefined
    lastSolution = undefined
    const own = !reuse || busy
    if (own) vals = plan.newBuffer()
    else {
      if (buffer === undefined) buffer = plan.newBuffer()
      else plan.reset(buffer)
      vals = buffer
    }
    let given: Map<NodeId, unknown> | undefined
    if (named === undefined) {
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
    } else {
      given = bindArguments(name, model, inputs, positional, named, false)
      for (let i = 0; i < nIn; i++) plan.setInput(vals, i, given.has(inputs[i]!) ? given.get(inputs[i]!) : plan.inputDefaults[i])
    }
    if (asyncRun !== undefined) {
      return plan.replayAsync(vals).then((br) => {
        lastBreak = br
        lastVals = vals
        lastPositional = positional
        lastGiven = given
        lastSolution = undefined
        return shape(br, vals, given, positional)
      })
    }
    if (!own) busy = true
    try {
      const br = plan.replay(vals)
      lastBreak = br
      lastVals = vals
      lastPositional = positional
      lastGiven = given
      return shape(br, vals, given, positional)
    } finally {
      if (!own) busy = false
    }
  }

  /** The call's result from the replayed values (or, when the plan broke and `fallback` is on, from a full search). */
  const shape = (
    br: Break | undefined,
    vals: unknown[],
    given: Map<NodeId, unknown> | undefined,
    positional: readonly unknown[],
  ): unknown => {
    {
      const slots = plan.outputSlots
      let missing: NodeId[] | undefined
      for (let i = 0; i < slots.length; i++) {
        const v = vals[slots[i]!]
        if (v === MISSING || v === NONE) (missing ??= []).push(outputs[i]!)
      }
      if (missing !== undefined && !(allowMiss && type !== 'values' && type !== 'all')) {
        if (fallback) {
          if (given === undefined) {
            given = new Map()
            for (let i = 0; i < positional.length; i++) given.set(inputs[i]!, positional[i])
          }
          const dist = new Map([...inputsDist].filter(([id]) => !given!.has(id)))
          const options = { inputsDist: dist, wildcard, rmUnusedNodes: true }
          const done = (sol: Solution): unknown => {
            lastSolution = sol
            lastVals = undefined
            return type === 'all' ? new Map(sol) : shapeOutputs(name, sol, outputs, type, allowMiss)
          }
          if (asyncRun !== undefined)
            return fallbackModel()
              .dispatchAsync(given, requested, { ...options, ...asyncRun })
              .then(done)
          return done(fallbackModel().dispatch(given, requested, options))
        }
        if (type !== 'all' || requested !== undefined) fail(br, missing, () => computedIds(plan, vals))
      }
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
      return valueMap(plan, vals)
    }
  }

  const fn = options.firstArgAsKw
    ? (named?: Dict, ...args: unknown[]): unknown => run(args, (firstArgDict(name, named) ?? {}) as Readonly<Record<PropertyKey, unknown>>)
    : (...args: unknown[]): unknown => run(args, undefined)
  return brand(fn, model, name, options.description ?? dsp.description, kind, {
    withInputs: (named: Readonly<Record<PropertyKey, unknown>>, ...positional: unknown[]) => run(positional, named),
    plan,
    pipe: plan.pipe,
    inputs,
    outputs,
    signature: signatureText(name, model, inputs),
    get lastBreak() {
      return lastBreak
    },
    get solution() {
      if (lastSolution === undefined && lastVals !== undefined) {
        let given = lastGiven
        if (given === undefined) {
          given = new Map()
          for (let i = 0; i < nIn; i++) {
            const v = i < lastPositional.length ? lastPositional[i] : plan.inputDefaults[i]
            if (v !== MISSING) given.set(inputs[i]!, v)
          }
        }
        lastSolution = replaySolution(plan, lastVals, lastBreak, requested, given)
        handedOut = true
      }
      return lastSolution
    },
  }) as unknown as PipeFn<T, I, O, OT>
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
