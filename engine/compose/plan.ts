// A dispatch recorded as a flat plan of steps over value slots, and its replay without the search (the pipes' engine).
import { NONE, START, formatId, type NodeId } from '../constants.ts'
import type { Distance } from '../distance.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { ModelError, NodeError, formatPath, type FailureKind } from '../errors.ts'
import { DATA, DISPATCHER, FUNCTION } from '../internal/compile.ts'
import type { DataNodeImpl, FunctionNodeImpl, SubDispatcherNodeImpl } from '../internal/graph.ts'
import { EDGE_ON, search, type Trace } from '../internal/search.ts'
import {
  StepFailed,
  callDomain,
  domainError,
  isAsyncDomain,
  isThenable,
  outputValues,
  promiseFailure,
  recordFailure,
  subDomainPromise,
} from '../internal/step-rules.ts'
import { View } from '../internal/view.ts'
import type { AnyFunction, Filter, RaisesPolicy } from '../model.ts'

/** Step kinds. */
const FN = 0
const DATA_STEP = 1
const COPY = 2
const SUB_DOMAIN = 3

/** Marks a slot that holds no value (yet). */
export const MISSING: unique symbol = Symbol('flowmark.missing')

/** Why a replay could not compute a node. */
export interface Break {
  /** The node that did not compute (its id in its own model). */
  readonly nodeId: NodeId
  /** Its path from the root model. */
  readonly path: readonly NodeId[]
  /** `'domain'`: its input domain rejected the arguments; `'error'`: it failed; `'input'`: an input was missing. */
  readonly reason: 'domain' | 'error' | 'input'
  /** The recorded failure, for `'error'`. */
  readonly error: NodeError | undefined
}

/** What a step of a plan needs to report a failure: its node id, its path, and its dispatcher's failure policy. */
export interface StepInfo {
  /** The node id in its own model. */
  readonly id: NodeId
  /** The path of the node from the root model. */
  readonly path: readonly NodeId[]
  /** The `raises` policy of the node's dispatcher. */
  readonly raises: RaisesPolicy
}

/** A replay stopped at function step `k`, whose result is a promise (see `Plan.replayAsync`). */
class Suspended {
  readonly k: number
  readonly promise: PromiseLike<unknown>
  readonly broken: Break | undefined
  constructor(k: number, promise: PromiseLike<unknown>, broken: Break | undefined) {
    this.k = k
    this.promise = promise
    this.broken = broken
  }
}

/**
 * A recorded dispatch: the nodes to compute in order, each reading and writing numbered value slots. Built from one
 * structural (`noCall`) search, so it follows the same tie-breaking and the same choice among alternative producers.
 */
export class Plan {
  /** Number of value slots. */
  readonly size: number
  /** Number of steps. */
  readonly steps: number
  /** Number of function nodes in the plan. */
  readonly functionCount: number
  /** @internal Kind of each step (function, data, copy, sub-dispatcher domain). */
  readonly kind: Uint8Array
  /** @internal The function of each function or data step. */
  readonly fn: (AnyFunction | undefined)[]
  /** @internal The input domain of each step that has one. */
  readonly domain: (AnyFunction | undefined)[]
  /** @internal The filters of each step that has some. */
  readonly filters: (readonly Filter[] | undefined)[]
  /** @internal The callback of each data step that has one. */
  readonly callback: (((v: unknown) => unknown) | undefined)[]
  /** @internal 1 for data steps that wait for every producer. */
  readonly waits: Uint8Array
  /** @internal Step `k` reads the slots `args[argStart[k]] … args[argStart[k + 1] - 1]`. */
  readonly argStart: Int32Array
  /** @internal Slots read by the steps. */
  readonly args: Int32Array
  /** @internal Step `k` writes the slots `outs[outStart[k]] … outs[outStart[k + 1] - 1]` (-1: output not used). */
  readonly outStart: Int32Array
  /** @internal Slots written by the steps. */
  readonly outs: Int32Array
  /** For DATA steps: the producer id of each source slot (estimation keys). */
  readonly producers: (readonly NodeId[] | undefined)[]
  /** For SUB_DOMAIN steps: the parent ids of the source slots. */
  readonly received: (readonly NodeId[] | undefined)[]
  /** @internal Node id, path and failure policy of each step. */
  readonly info: StepInfo[]
  /** @internal The output ids of each function step (for the step rules' messages). */
  readonly outIds: (readonly NodeId[] | undefined)[]
  /** Slots filled before the first step (defaults), and their values. */
  readonly constSlots: Int32Array
  readonly constValues: unknown[]
  /** For each parameter: the slots its value goes to, and its default (MISSING when none). */
  readonly inputSlots: readonly Int32Array[]
  readonly inputDefaults: readonly unknown[]
  readonly inputIds: readonly NodeId[]
  /** Root data nodes in computation order (ids and slots), for `'all'` results. */
  readonly rootIds: readonly NodeId[]
  readonly rootSlots: Int32Array
  /** Slot of each requested output at the root (-1 when the recording did not reach it). */
  readonly outputIds: readonly NodeId[]
  readonly outputSlots: Int32Array
  /** Node ids of the plan in order (`path` joined by '/'), as the pipe of the recording. */
  readonly pipe: readonly string[]
  /** @internal Where the values of the recording's levels live in a buffer, by level key (see `PlanLayout`). */
  readonly levelBase: ReadonlyMap<string, number>
  /** @internal Extra slots by key (see `PlanLayout`). */
  readonly extraSlots: ReadonlyMap<string, number>
  readonly #rerun: () => Trace
  #layout: PlanLayout | null | undefined

  /** @internal Plans are made by `recordPlan`. */
  constructor(b: PlanBuilder) {
    this.size = b.size
    this.steps = b.kind.length
    this.functionCount = b.kind.filter((k) => k === FN).length
    this.kind = Uint8Array.from(b.kind)
    this.fn = b.fn
    this.domain = b.domain
    this.filters = b.filters
    this.callback = b.callback
    this.waits = Uint8Array.from(b.waits)
    this.argStart = Int32Array.from([...b.argStart, b.args.length])
    this.args = Int32Array.from(b.args)
    this.outStart = Int32Array.from([...b.outStart, b.outs.length])
    this.outs = Int32Array.from(b.outs)
    this.producers = b.producers
    this.received = b.received
    this.info = b.info
    this.outIds = b.outIds
    this.constSlots = Int32Array.from(b.constSlots)
    this.constValues = b.constValues
    this.inputSlots = b.inputSlots.map((l) => Int32Array.from(l))
    this.inputDefaults = b.inputDefaults
    this.inputIds = b.inputIds
    this.rootIds = b.rootIds
    this.rootSlots = Int32Array.from(b.rootSlots)
    this.outputIds = b.outputIds
    this.outputSlots = Int32Array.from(b.outputSlots)
    this.pipe = b.pipe
    this.levelBase = b.levelBase
    this.extraSlots = b.extraSlots
    this.#rerun = b.rerun!
  }

  /**
   * @internal The recording's search and where its values live (for a replay's solution). The search is not kept
   * with the plan: it is run again, as it was recorded, when a solution is first read, and kept from then on. Null
   * when the model changed since the recording (the search no longer visits what the plan holds).
   */
  get layout(): PlanLayout | null {
    if (this.#layout === undefined) {
      const root = this.#rerun()
      this.#layout = root.run.pipeSize === this.pipe.length ? { root, base: this.levelBase, extra: this.extraSlots } : null
    }
    return this.#layout
  }

  /** A fresh value buffer with the defaults in place. */
  newBuffer(): unknown[] {
    const vals = new Array<unknown>(this.size).fill(MISSING)
    this.reset(vals)
    return vals
  }

  /** Clears a buffer for the next replay and puts the defaults in place. */
  reset(vals: unknown[]): void {
    vals.fill(MISSING)
    const cs = this.constSlots
    const cv = this.constValues
    for (let i = 0; i < cs.length; i++) vals[cs[i]!] = cv[i]
  }

  /** Writes the value of parameter `i` into its slots. */
  setInput(vals: unknown[], i: number, value: unknown): void {
    const slots = this.inputSlots[i]!
    for (let k = 0; k < slots.length; k++) vals[slots[k]!] = value
  }

  /**
   * Replays the plan on a prepared buffer. Returns undefined when every step computed, else the first break. Steps
   * whose arguments are missing are skipped (their outputs stay missing); errors thrown by input domains, and
   * failures under a `raises` policy, propagate as in `dispatch`.
   */
  replay(vals: unknown[]): Break | undefined {
    return this.#replay(vals, 0, undefined, false) as Break | undefined
  }

  /**
   * The replay of a plan whose functions may return promises: it runs synchronously up to a function that returns
   * one, awaits only that promise, finishes the step (filters, outputs) and goes on from the next step. Domains,
   * filters and data-node functions must answer synchronously (a promise there is the step's failure, as in
   * `replay`).
   */
  async replayAsync(vals: unknown[]): Promise<Break | undefined> {
    let r = this.#replay(vals, 0, undefined, true)
    while (r instanceof Suspended) {
      let broken = r.broken
      try {
        const res = await r.promise
        broken = this.#finishCall(r.k, res, vals, broken)
      } catch (err) {
        broken ??= errorBreak(this.#fail(r.k, 'function', err))
      }
      r = this.#replay(vals, r.k + 1, broken, true)
    }
    return r
  }

  #replay(vals: unknown[], from: number, brokenIn: Break | undefined, suspend: boolean): Break | undefined | Suspended {
    const kind = this.kind
    const fns = this.fn
    const doms = this.domain
    const filters = this.filters
    const argStart = this.argStart
    const args = this.args
    const outStart = this.outStart
    const outs = this.outs
    const n = this.steps
    let broken = brokenIn
    for (let k = from; k < n; k++) {
      const a0 = argStart[k]!
      const o0 = outStart[k]!
      const kd = kind[k]!
      if (kd === FN) {
        const na = argStart[k + 1]! - a0
        const f = fns[k]!
        let res: unknown = MISSING
        // Fast path: one or two arguments, no domain, every argument present. Anything else takes the general call.
        if (na <= 2 && na > 0 && doms[k] === undefined) {
          const x = vals[args[a0]!]
          const y = na === 2 ? vals[args[a0 + 1]!] : undefined
          if (x !== MISSING && x !== NONE && (na === 1 || (y !== MISSING && y !== NONE))) {
            try {
              res = na === 1 ? f(x) : f(x, y)
            } catch (err) {
              broken ??= errorBreak(this.#fail(k, 'function', err))
              continue
            }
          }
        }
        if (res === MISSING) {
          const r = this.#slowCall(k, vals)
          if (r === MISSING) {
            broken ??= this.#break(k, 'input')
            continue
          }
          if (r === DOMAIN_FALSE) {
            broken ??= this.#break(k, 'domain')
            continue
          }
          if (r instanceof NodeError) {
            broken ??= errorBreak(r)
            continue
          }
          res = r
        }
        if (suspend && isThenable(res)) return new Suspended(k, res, broken)
        const fl = filters[k]
        if (fl !== undefined) {
          const r = this.#filter(k, res, fl)
          if (r instanceof NodeError) {
            broken ??= errorBreak(r)
            continue
          }
          res = r
        }
        if (isThenable(res)) {
          broken ??= errorBreak(this.#fail(k, 'function', promiseFailure(this.info[k]!.id, res)))
          continue
        }
        const o1 = outStart[k + 1]!
        if (o1 - o0 === 1) {
          const t = outs[o0]!
          if (t >= 0 && res !== NONE) vals[t] = res
        } else {
          const failed = this.#spread(k, res, o0, o1, vals)
          if (failed !== undefined) broken ??= errorBreak(failed)
        }
      } else if (kd === COPY) {
        const v = vals[args[a0]!]
        if (v !== MISSING) vals[outs[o0]!] = v
      } else if (kd === DATA_STEP) {
        const r = this.#data(k, vals)
        if (r !== undefined) broken ??= r
      } else {
        const r = this.#subDomain(k, vals)
        if (r !== undefined) broken ??= r
      }
    }
    return broken
  }

  /** The rest of function step `k` after its awaited result: filters, the promise check, the outputs. */
  #finishCall(k: number, value: unknown, vals: unknown[], broken: Break | undefined): Break | undefined {
    let res = value
    const fl = this.filters[k]
    if (fl !== undefined) {
      const r = this.#filter(k, res, fl)
      if (r instanceof NodeError) return broken ?? errorBreak(r)
      res = r
    }
    if (isThenable(res)) return broken ?? errorBreak(this.#fail(k, 'function', promiseFailure(this.info[k]!.id, res)))
    const o0 = this.outStart[k]!
    const o1 = this.outStart[k + 1]!
    if (o1 - o0 === 1) {
      const t = this.outs[o0]!
      if (t >= 0 && res !== NONE) vals[t] = res
      return broken
    }
    const failed = this.#spread(k, res, o0, o1, vals)
    return failed !== undefined ? (broken ?? errorBreak(failed)) : broken
  }

  #break(k: number, reason: Break['reason']): Break {
    const info = this.info[k]!
    return { nodeId: info.id, path: info.path, reason, error: undefined }
  }

  /** The general call: NONE arguments dropped, domain checked. Returns MISSING, DOMAIN_FALSE, a NodeError or the result. */
  #slowCall(k: number, vals: unknown[]): unknown {
    const a0 = this.argStart[k]!
    const a1 = this.argStart[k + 1]!
    const argv: unknown[] = []
    for (let a = a0; a < a1; a++) {
      const v = vals[this.args[a]!]
      if (v === MISSING) return MISSING
      if (v !== NONE) argv.push(v)
    }
    const dom = this.domain[k]
    if (dom !== undefined) {
      const ok = callDomain(dom, argv)
      if (ok instanceof StepFailed) {
        const err = domainError(this.info[k]!, ok.cause)
        // A promise is not answered here: the plan breaks at the node (a fallback runs the search, which can wait).
        if (isAsyncDomain(ok)) return this.#fail(k, 'function', err)
        throw err
      }
      if (!ok) return DOMAIN_FALSE
    }
    try {
      return this.fn[k]!(...argv)
    } catch (err) {
      return this.#fail(k, 'function', err)
    }
  }

  #filter(k: number, value: unknown, filters: readonly Filter[]): unknown {
    let v = value
    for (const f of filters) {
      try {
        v = f(v)
      } catch (err) {
        return this.#fail(k, 'filter', err)
      }
    }
    return v
  }

  /** Records a failure by the node's dispatcher policy (the step rules): the NodeError, or throws when it raises. */
  #fail(k: number, kind: FailureKind, err: unknown): NodeError {
    return recordFailure(this.info[k]!, kind, err)
  }

  /** Writes the values of a several-output result to its slots (the step rules); returns the failure, if any. */
  #spread(k: number, res: unknown, o0: number, o1: number, vals: unknown[]): NodeError | undefined {
    const values = outputValues(this.info[k]!, this.outIds[k]!, res)
    if (values instanceof StepFailed) return this.#fail(k, 'function', values.cause)
    for (let o = o0; o < o1; o++) {
      const t = this.outs[o]!
      const v = values[o - o0]
      if (t >= 0 && v !== NONE) vals[t] = v
    }
    return undefined
  }

  #data(k: number, vals: unknown[]): Break | undefined {
    const a0 = this.argStart[k]!
    const a1 = this.argStart[k + 1]!
    const producers = this.producers[k]!
    const waits = this.waits[k] === 1
    const fn = this.fn[k]
    let value: unknown = MISSING
    let est: Record<NodeId, unknown> | undefined
    for (let a = a0; a < a1; a++) {
      const v = vals[this.args[a]!]
      if (v === MISSING) {
        if (waits) return this.#break(k, 'input')
        continue
      }
      if (value === MISSING) value = v
      if (fn !== undefined || waits) (est ??= Object.create(null) as Record<NodeId, unknown>)[producers[a - a0]!] = v
    }
    if (value === MISSING) return this.#break(k, 'input')
    if (fn !== undefined) {
      try {
        value = fn(est)
      } catch (err) {
        const e = this.#fail(k, 'data', err)
        return errorBreak(e)
      }
    }
    const fl = this.filters[k]
    if (fl !== undefined) {
      const r = this.#filter(k, value, fl)
      if (r instanceof NodeError) return errorBreak(r)
      value = r
    }
    const cb = this.callback[k]
    if (cb !== undefined) {
      try {
        cb(value)
      } catch (err) {
        this.#fail(k, 'callback', err) // a callback failure does not fail the node
      }
    }
    vals[this.outs[this.outStart[k]!]!] = value
    return undefined
  }

  #subDomain(k: number, vals: unknown[]): Break | undefined {
    const a0 = this.argStart[k]!
    const a1 = this.argStart[k + 1]!
    const o0 = this.outStart[k]!
    const flag = this.args[a0]!
    if (vals[flag] !== true) {
      const ids = this.received[k]!
      const received = Object.create(null) as Record<NodeId, unknown>
      for (let a = a0 + 1; a < a1; a++) {
        const v = vals[this.args[a]!]
        if (v !== MISSING) received[ids[a - a0 - 1]!] = v
      }
      let ok: boolean
      try {
        const answer: unknown = this.domain[k]!(received)
        if (isThenable(answer)) throw subDomainPromise(this.info[k]!.id, answer) // as the synchronous search: a failure
        ok = Boolean(answer)
      } catch (err) {
        const e = this.#fail(k, 'sub-dispatcher domain', err)
        return errorBreak(e)
      }
      if (!ok) return this.#break(k, 'domain')
      vals[flag] = true
    }
    for (let a = a0 + 1; a < a1; a++) {
      const dst = this.outs[o0 + a - a0 - 1]!
      const v = vals[this.args[a]!]
      if (dst >= 0 && v !== MISSING) vals[dst] = v
    }
    return undefined
  }
}

const DOMAIN_FALSE: unique symbol = Symbol('flowmark.domainFalse')

/** Mutable lists a Plan is built from. */
class PlanBuilder {
  size = 0
  kind: number[] = []
  fn: (AnyFunction | undefined)[] = []
  domain: (AnyFunction | undefined)[] = []
  filters: (readonly Filter[] | undefined)[] = []
  callback: (((v: unknown) => unknown) | undefined)[] = []
  waits: number[] = []
  argStart: number[] = []
  args: number[] = []
  outStart: number[] = []
  outs: number[] = []
  producers: (readonly NodeId[] | undefined)[] = []
  received: (readonly NodeId[] | undefined)[] = []
  info: StepInfo[] = []
  outIds: (readonly NodeId[] | undefined)[] = []
  constSlots: number[] = []
  constValues: unknown[] = []
  inputSlots: number[][] = []
  inputDefaults: unknown[] = []
  inputIds: NodeId[] = []
  rootIds: NodeId[] = []
  rootSlots: number[] = []
  outputIds: NodeId[] = []
  outputSlots: number[] = []
  pipe: string[] = []
  levelBase = new Map<string, number>()
  extraSlots = new Map<string, number>()
  rerun: (() => Trace) | undefined

  step(kind: number, info: StepInfo, args: readonly number[], outs: readonly number[]): number {
    const k = this.kind.length
    this.kind.push(kind)
    this.fn.push(undefined)
    this.domain.push(undefined)
    this.filters.push(undefined)
    this.callback.push(undefined)
    this.waits.push(0)
    this.producers.push(undefined)
    this.received.push(undefined)
    this.info.push(info)
    this.outIds.push(undefined)
    this.argStart.push(this.args.length)
    for (const a of args) this.args.push(a)
    this.outStart.push(this.outs.length)
    for (const o of outs) this.outs.push(o)
    return k
  }
}

/** Options of `recordPlan`. */
/**
 * @internal Where a replay keeps the values of the recording's search: each level's data slots from `base`, and
 * extra slots by key (`levelKey:slot:edge` for a value reaching a data node that is not plain, `w:slot` for a root
 * wildcard input's own value).
 */
export interface PlanLayout {
  readonly root: Trace
  readonly base: ReadonlyMap<string, number>
  readonly extra: ReadonlyMap<string, number>
}

/** Key of a level in the layout's extra slots. */
export function levelKey(lv: Trace): string {
  return lv.indexPath.join('.')
}

/** A data node that simply holds what its producer wrote (no wait, function, filters or callback). */
export function isPlainData(lv: Trace, s: number): boolean {
  const n = lv.c.nodes[s] as DataNodeImpl
  return !lv.waits(s) && n.fn === undefined && n.filters === undefined && n.callback === undefined
}

/** @internal The buffer slot the value reaching data node `s` of `lv` through edge `e` (START: -1) went to, or -1. */
export function edgeTargetSlot(layout: PlanLayout, lv: Trace, s: number, e: number): number {
  const base = layout.base.get(levelKey(lv))
  if (base === undefined) return -1
  return isPlainData(lv, s) ? base + s : (layout.extra.get(`${levelKey(lv)}:${s}:${e}`) ?? -1)
}

/** @internal The buffer slot consumers read data node `u` of `lv` from, or -1. */
export function sourceSlot(layout: PlanLayout, lv: Trace, u: number): number {
  if (lv.parent === null && lv.wildcards.has(u)) return layout.extra.get(`w:${u}`) ?? -1
  const base = layout.base.get(levelKey(lv))
  return base === undefined ? -1 : base + u
}

export interface RecordOptions {
  readonly inputsDist: ReadonlyMap<NodeId, Distance>
  readonly wildcard: boolean
}

/**
 * The structural search a call makes: the model pruned to the ancestors of the outputs (as `dispatch` does when given
 * outputs, which a plain `noCall` dispatch does not), no function called. Returns the root search level.
 */
export function structuralRun(
  dsp: Dispatcher,
  inputs: readonly NodeId[],
  outputs: readonly NodeId[] | undefined,
  options: RecordOptions,
): Trace {
  const view = outputs !== undefined && outputs.length > 0 ? View.pruned(dsp, outputs, inputs, options.wildcard) : View.full(dsp)
  return search({
    view,
    inputs: new Map(inputs.map((id) => [id, NONE])),
    inputsDist: options.inputsDist,
    outputs: outputs?.slice(),
    options: { noCall: true, stopper: undefined, rmUnusedNodes: false, wildcard: options.wildcard, waitIn: undefined, noDomain: false },
  })
}

/** How many of `outputs` a structural run of `dsp` reaches. */
export function reachedOutputs(dsp: Dispatcher, inputs: readonly NodeId[], outputs: readonly NodeId[], options: RecordOptions): number {
  const root = structuralRun(dsp, inputs, outputs, options)
  return outputs.filter((o) => root.hasValue(o)).length
}

/**
 * Records the plan of dispatching `dsp` from `inputs` to `outputs` (every reachable node when `outputs` is
 * undefined): one structural search, then its visit order, the producer it chose for each data node, the feeds into
 * sub-dispatchers and the values coming out of them, all turned into steps over slots.
 */
export function recordPlan(
  dsp: Dispatcher,
  inputs: readonly NodeId[],
  outputs: readonly NodeId[] | undefined,
  options: RecordOptions,
  where: string,
): Plan {
  const root = structuralRun(dsp, inputs, outputs, options)
  const rec = new PlanRecorder(dsp, root, inputs, where)
  const ins = [...inputs]
  const outs = outputs?.slice()
  rec.b.rerun = () => structuralRun(dsp, ins, outs, options)
  const run = root.run
  const started = new Set<Trace>()
  for (let i = 0; i < run.pipeSize; i++) {
    const lv = run.levels[run.pipeLevel[i]!]!
    const s = run.pipeSlot[i]!
    if (!started.has(lv)) {
      started.add(lv)
      rec.startValues(lv)
    }
    rec.visit(lv, s)
  }
  return rec.finish(outputs)
}

/** The state of one recording: the plan being built and where each level's values live. */
class PlanRecorder {
  readonly b = new PlanBuilder()
  readonly root: Trace
  readonly where: string
  readonly base = new Map<Trace, number>()
  readonly extra = new Map<string, number>()
  readonly inputIndex: Map<NodeId, number>
  readonly domainPairs = new Map<Trace, { src: number; dst: number; pid: NodeId }[]>()
  readonly visitedBefore = new Set<string>()

  constructor(dsp: Dispatcher, root: Trace, inputs: readonly NodeId[], where: string) {
    this.root = root
    this.where = where
    this.baseOf(root)
    // Inputs and defaults (START values): a parameter's slots, or a constant.
    this.inputIndex = new Map(inputs.map((id, i) => [id, i]))
    this.b.inputIds = [...inputs]
    this.b.inputSlots = inputs.map(() => [])
    this.b.inputDefaults = inputs.map((id) => {
      const dv = dsp.defaultValues.get(id)
      return dv === undefined ? MISSING : dv.value
    })
  }

  /** First value slot of a level (levels get consecutive ranges, in the order they are met). */
  baseOf(lv: Trace): number {
    let o = this.base.get(lv)
    if (o === undefined) {
      o = this.b.size
      this.b.size += lv.c.size
      this.base.set(lv, o)
    }
    return o
  }

  /** A slot beyond the levels' ranges, one per key. */
  extraSlot(key: string): number {
    let s = this.extra.get(key)
    if (s === undefined) this.extra.set(key, (s = this.b.size++))
    return s
  }

  slotOf(lv: Trace, s: number): number {
    return this.baseOf(lv) + s
  }

  isPlain(lv: Trace, s: number): boolean {
    return isPlainData(lv, s)
  }

  levelKey(lv: Trace): string {
    return levelKey(lv)
  }

  /** Where the value that reaches data node `s` through edge `e` (or from START, e = -1) is written. */
  targetOf(lv: Trace, s: number, e: number): number {
    return this.isPlain(lv, s) ? this.slotOf(lv, s) : this.extraSlot(`${this.levelKey(lv)}:${s}:${e}`)
  }

  /** Where consumers read data node `u` from (wildcard inputs: the input value, kept apart). */
  sourceOf(lv: Trace, u: number): number {
    return lv.parent === null && lv.wildcards.has(u) ? this.extraSlot(`w:${u}`) : this.slotOf(lv, u)
  }

  infoOf(lv: Trace, s: number): StepInfo {
    return { id: lv.c.nodes[s]!.id, path: [...lv.path, lv.c.nodes[s]!.id], raises: lv.dsp.raises }
  }

  /** The START values of a level, when it is first met: input parameters' slots, or constants. */
  startValues(lv: Trace): void {
    const defaults = lv.dsp.defaultValues
    const excluded = new Set<NodeId>()
    if (lv.parent !== null) {
      const sub = lv.parent.c.nodes[lv.parentSlot] as SubDispatcherNodeImpl
      for (const ids of sub.inputs.values()) if (ids.length === 1) excluded.add(ids[0]!)
    }
    for (const s of lv.startLog) {
      const id = lv.c.nodes[s]!.id
      const i = lv.parent === null ? this.inputIndex.get(id) : undefined
      // A data node computed by a function ignores its START value: a pipe has no alternative path.
      const fromFunction = hasFunctionProducer(lv, s)
      if (i !== undefined) {
        if (lv.wildcards.has(s)) this.b.inputSlots[i]!.push(this.sourceOf(lv, s))
        if (!fromFunction) this.b.inputSlots[i]!.push(this.targetOf(lv, s, -1))
        continue
      }
      const dv = defaults.get(id)
      if (dv === undefined || fromFunction || excluded.has(id)) continue
      this.b.constSlots.push(this.targetOf(lv, s, -1))
      this.b.constValues.push(dv.value)
    }
  }

  /** Turns one visit of the recording into steps. */
  visit(lv: Trace, s: number): void {
    const c = lv.c
    const node = c.nodes[s]!
    this.visitedBefore.add(`${this.levelKey(lv)}:${s}`)
    this.b.pipe.push(formatPath([...lv.path, node.id]))
    if (c.kind[s] === FUNCTION) this.functionStep(lv, s)
    else if (c.kind[s] === DATA) {
      this.dataStep(lv, s)
      this.feeds(lv, s)
      this.leaving(lv, s)
    }
  }

  /** A function node: its call, reading its arguments' slots and writing its outputs' slots. */
  functionStep(lv: Trace, s: number): void {
    const c = lv.c
    const node = c.nodes[s]!
    const where = this.where
    const f = node as FunctionNodeImpl
    if (f.fn === undefined) {
      throw new ModelError(`${where}: function node ${formatId(f.id)} has no function, so the plan cannot call it; give it \`fn\``, {
        nodeId: f.id,
      })
    }
    const args: number[] = []
    for (let a = c.argStart[s]!; a < c.argStart[s + 1]!; a++) {
      const e = c.argEdge[a]!
      args.push(e < 0 ? this.extraSlot('nothing') : this.sourceOf(lv, c.edgeFrom[e]!))
    }
    const outs: number[] = []
    for (let o = c.outStart[s]!; o < c.outStart[s + 1]!; o++) {
      const e = c.outEdge[o]!
      outs.push(e >= 0 && lv.edgeOn[e] === EDGE_ON ? this.targetOf(lv, c.edgeTo[e]!, e) : -1)
    }
    const k = this.b.step(FN, this.infoOf(lv, s), args, outs)
    this.b.fn[k] = f.fn
    this.b.outIds[k] = f.outputs
    if (f.inputDomain !== undefined) this.b.domain[k] = f.inputDomain
    if (f.filters !== undefined) this.b.filters[k] = f.filters
  }

  /** A data node: its own step unless plain (then its producer wrote it in place). */
  dataStep(lv: Trace, s: number): void {
    const c = lv.c
    const node = c.nodes[s]!
    if (!this.isPlain(lv, s)) {
      const d = node as DataNodeImpl
      const sources: number[] = []
      const producers: NodeId[] = []
      for (let p = c.predStart[s]!; p < c.predStart[s + 1]!; p++) {
        const e = c.predEdge[p]!
        if (lv.edgeOn[e] !== EDGE_ON) continue
        sources.push(this.targetOf(lv, s, e))
        producers.push(c.nodes[c.edgeFrom[e]!]!.id)
      }
      if (lv.startOn[s] === 1 && (sources.length === 0 || lv.waits(s))) {
        sources.unshift(this.targetOf(lv, s, -1))
        producers.unshift(START)
      }
      const k = this.b.step(DATA_STEP, this.infoOf(lv, s), sources, [this.slotOf(lv, s)])
      this.b.producers[k] = producers
      this.b.waits[k] = lv.waits(s) ? 1 : 0
      this.b.fn[k] = d.fn as AnyFunction | undefined
      if (d.filters !== undefined) this.b.filters[k] = d.filters
      this.b.callback[k] = d.callback
    }
    if (lv.parent === null && !(lv.wildcards.has(s) && !hasFunctionProducer(lv, s)) && node.id !== START) {
      this.b.rootIds.push(node.id)
      this.b.rootSlots.push(this.slotOf(lv, s))
    }
  }

  /** Feeds of data node `s` into sub-dispatchers (through their domain, when they have one). */
  feeds(lv: Trace, s: number): void {
    const c = lv.c
    const node = c.nodes[s]!
    for (let e = c.succStart[s]!; e < c.succStart[s + 1]!; e++) {
      const w = c.edgeTo[e]!
      if (c.kind[w] !== DISPATCHER || lv.edgeOn[e] !== EDGE_ON) continue
      const child = lv.children.get(w)
      if (child === undefined) continue
      const sub = c.nodes[w] as SubDispatcherNodeImpl
      const mapped = sub.inputs.get(node.id) ?? []
      const childSlots: number[] = []
      for (const cid of mapped) {
        const cs = child.c.slotOf.get(cid)
        if (cs === undefined || child.startOn[cs] !== 1 || hasFunctionProducer(child, cs)) continue
        childSlots.push(this.targetOf(child, cs, -1))
      }
      if (sub.inputDomain === undefined) {
        for (const t of childSlots) this.b.step(COPY, this.infoOf(lv, w), [this.sourceOf(lv, s)], [t])
        continue
      }
      // A child with a domain starts at the first feed its domain accepts (checked with every input received so far,
      // at each new one, as the search does); until then nothing is copied into it.
      let pairs = this.domainPairs.get(child)
      if (pairs === undefined) this.domainPairs.set(child, (pairs = []))
      if (childSlots.length === 0) pairs.push({ src: this.sourceOf(lv, s), dst: -1, pid: node.id })
      for (const t of childSlots) pairs.push({ src: this.sourceOf(lv, s), dst: t, pid: node.id })
      const flag = this.extraSlot(`started:${this.levelKey(child)}`)
      const k = this.b.step(
        SUB_DOMAIN,
        this.infoOf(lv, w),
        [flag, ...pairs.map((x) => x.src)],
        pairs.map((x) => x.dst),
      )
      this.b.domain[k] = sub.inputDomain as AnyFunction
      this.b.received[k] = pairs.map((x) => x.pid)
    }
  }

  /** Values leaving a sub-dispatcher for its parent. */
  leaving(lv: Trace, s: number): void {
    const node = lv.c.nodes[s]!
    const parent = lv.parent
    if (parent !== null) {
      const w = lv.parentSlot
      const targets = parent.view.outMap(w).get(node.id)
      if (targets === undefined) return
      const pc = parent.c
      for (const pid of targets) {
        const ps = pc.slotOf.get(pid)
        if (ps === undefined || this.visitedBefore.has(`${this.levelKey(parent)}:${ps}`)) continue
        let out = -1
        for (let e = pc.succStart[w]!; e < pc.succStart[w + 1]!; e++) if (pc.edgeTo[e] === ps) out = e
        if (out < 0 || parent.edgeOn[out] !== EDGE_ON) continue
        this.b.step(COPY, this.infoOf(lv, s), [this.slotOf(lv, s)], [this.targetOf(parent, ps, out)])
      }
    }
  }

  /** Outputs: their root slots (the recording must have reached them). */
  finish(outputs: readonly NodeId[] | undefined): Plan {
    const root = this.root
    const b = this.b
    const rootVisited = (s: number) => root.visited[s] === 1 && (root.inDist[s] === 1 || root.wildcards.has(s))
    b.outputIds = outputs === undefined ? [...b.rootIds] : [...outputs]
    b.outputSlots = b.outputIds.map((id) => {
      const s = root.c.slotOf.get(id)
      return s !== undefined && rootVisited(s) ? this.slotOf(root, s) : -1
    })
    for (const [lv, base] of this.base) b.levelBase.set(levelKey(lv), base)
    b.extraSlots = this.extra
    return new Plan(b)
  }
}

/** Whether data node `s` of the recording took its value from a function or a sub-dispatcher (not from START). */
/** The break for a step that failed with `error`. */
function errorBreak(error: NodeError): Break {
  return { nodeId: error.nodeId, path: error.path, reason: 'error', error }
}

function hasFunctionProducer(lv: Trace, s: number): boolean {
  const c = lv.c
  for (let p = c.predStart[s]!; p < c.predStart[s + 1]!; p++) if (lv.edgeOn[c.predEdge[p]!] === EDGE_ON) return true
  return false
}
