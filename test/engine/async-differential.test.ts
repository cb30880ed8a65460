// Differential test: dispatchAsync of 500 seeded random models (async twins, random settle orders) equals dispatch.
import { describe, expect, it } from 'vitest'
import { Dispatcher, NodeError, type NodeId, type Solution } from '../../engine/index.ts'
import {
  encDist,
  encId,
  encVal,
  vocabulary,
  type CallSpec,
  type DataSpec,
  type DispatcherSpec,
  type FunctionSpec,
  type ModelSpec,
} from './schedula/models.ts'
import { rng } from './helpers/random.ts'

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
function sample<T>(r: () => number, xs: readonly T[], n: number): T[] {
  const copy = [...xs]
  const out: T[] = []
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(r() * copy.length), 1)[0]!)
  return out
}

const FNS = ['sum', 'neg', 'add:1', 'add:3', 'mul:2', 'const:7', 'fail', 'fail']

/** A random model: data defaults and waits, weighted functions with domains and failures, maybe sub-dispatchers. */
function randomModel(r: () => number, depth: number, prefix: string): ModelSpec {
  const data = Array.from({ length: int(r, 4, 8) }, (_, i) => `${prefix}d${i}`)
  const nodes: ModelSpec['nodes'] = []
  for (const id of data) {
    const n: DataSpec = { data: id }
    if (r() < 0.3) n.default = int(r, -3, 9)
    if (r() < 0.2) n.initialDist = int(r, 0, 3)
    if (r() < 0.15) n.wait = pick(r, ['dsum', 'dmin'])
    nodes.push(n)
  }
  const nFun = int(r, 3, 8)
  for (let i = 0; i < nFun; i++) {
    const inputs = sample(r, data, int(r, 1, 3))
    const outputs = sample(
      r,
      data.filter((d) => !inputs.includes(d)),
      r() < 0.25 ? 2 : 1,
    )
    if (outputs.length === 0) continue
    const f: FunctionSpec = { function: `${prefix}f${i}`, fn: pick(r, FNS), inputs, outputs }
    if (r() < 0.5) f.weight = int(r, 0, 4)
    if (r() < 0.2) f.domain = `gt:${int(r, 0, inputs.length - 1)}:${int(r, -2, 5)}`
    nodes.push(f)
  }
  if (depth === 0 && r() < 0.4) {
    const child = randomModel(r, 1, 'c')
    const childData = child.nodes.filter((n): n is DataSpec => 'data' in n).map((n) => n.data)
    const inputs: Record<string, string> = {}
    for (const [k, p] of sample(r, data, int(r, 1, 2)).entries()) inputs[p] = childData[k]!
    const outputs: Record<string, string> = {}
    for (const c of sample(
      r,
      childData.filter((c) => !Object.values(inputs).includes(c)),
      int(r, 1, 2),
    ))
      outputs[c] = pick(r, data)
    const sub: DispatcherSpec = { dispatcher: 'S', model: child, inputs, outputs }
    if (r() < 0.5) sub.weight = int(r, 0, 2)
    nodes.push(sub)
  }
  return { name: prefix === '' ? 'm' : 'child', raises: depth === 0 && r() < 0.05, nodes }
}

function randomCall(r: () => number, model: ModelSpec): CallSpec {
  const data = model.nodes.filter((n): n is DataSpec => 'data' in n).map((n) => n.data)
  const inputs: Record<string, number> = {}
  for (const id of sample(r, data, int(r, 1, 3))) inputs[id] = int(r, -2, 9)
  const call: CallSpec = { inputs }
  if (r() < 0.6) call.outputs = sample(r, data, int(r, 1, 2))
  const options: NonNullable<CallSpec['options']> = {}
  if (call.outputs !== undefined && r() < 0.15) {
    options.wildcard = true
    call.outputs = [...(call.outputs ?? []), Object.keys(inputs)[0]!]
  }
  if (r() < 0.1) options.shrink = true
  if (r() < 0.1) options.rmUnusedNodes = true
  if (r() < 0.1) options.inputsDist = { [Object.keys(inputs)[0]!]: int(r, 0, 3) }
  call.options = options
  return call
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (...a: any[]) => unknown
/**
 * How the async twin of a function answers: at once (a plain value, as a sync function under dispatchAsync), or
 * settling after some microtasks, a macrotask, or a short timer (chosen per call).
 */
type Wrap = (fn: Fn) => Fn

function asyncWrap(r: () => number): Wrap {
  return (fn) =>
    (...a: unknown[]) =>
      r() < 0.2 ? fn(...a) : later(r, fn, a)
}

async function later(r: () => number, fn: Fn, a: unknown[]): Promise<unknown> {
  const k = r()
  if (k < 0.3) {
    for (let i = int(r, 0, 5); i > 0; i--) await Promise.resolve()
  } else if (k < 0.8) {
    await new Promise((resolve) => setImmediate(resolve))
  } else {
    await new Promise((resolve) => setTimeout(resolve, int(r, 0, 2)))
  }
  return fn(...a)
}
const syncWrap: Wrap = (fn) => fn

/**
 * Gives some sub-dispatchers an input domain, drawn from `r`: a generator of its own, so the models stay those the
 * seeds always made. `has`/`hasall` answer no until an input arrived (a domain asked again as inputs arrive).
 */
function addSubDomains(r: () => number, spec: ModelSpec): void {
  for (const n of spec.nodes) {
    if (!('dispatcher' in n) || r() >= 0.7) continue
    const ins = Object.keys(n.inputs)
    n.domain = pick(r, [`has:${pick(r, ins)}`, `hasall:${ins.join(',')}`, `sumgt:${int(r, -2, 8)}`, `sumgt:${int(r, -2, 8)}`, 'throw'])
  }
}

/** A sub-dispatcher domain (it receives the arrived inputs by parent id); `asked` counts the calls of async twins. */
function subDomainFn(name: string, asked: { n: number } | undefined): Fn {
  const [kind, arg] = name.split(':') as [string, string | undefined]
  const values = (d: object) => Reflect.ownKeys(d).map((k) => (d as Record<PropertyKey, number>)[k]!)
  return (d: Record<string, number>) => {
    if (asked !== undefined) asked.n++
    if (kind === 'throw') throw new Error('sub-dispatcher domain failed')
    if (kind === 'has') return arg! in d
    if (kind === 'hasall') return arg!.split(',').every((i) => i in d)
    return values(d).reduce((x, y) => x + y, 0) > Number(arg)
  }
}

function domainFn(name: string): Fn {
  const [, idx, val] = name.split(':')
  return (...a: number[]) => a[Number(idx)]! > Number(val)
}
function dataFn(name: string): Fn {
  const values = (est: object) => Reflect.ownKeys(est).map((k) => (est as Record<PropertyKey, number>)[k]!)
  return name === 'dsum' ? (est: object) => values(est).reduce((x, y) => x + y, 0) : (est: object) => Math.min(...values(est))
}

/** Builds a model; every function, domain and data function goes through `wrap` (sync twins: identity). */
function buildModel(spec: ModelSpec, wrap: Wrap, asyncDomains: boolean): Dispatcher {
  const dsp = new Dispatcher({ name: spec.name ?? '', raises: spec.raises ?? false })
  for (const n of spec.nodes) {
    if ('data' in n) {
      dsp.addData({
        id: n.data,
        ...('default' in n ? { defaultValue: n.default } : {}),
        ...(n.initialDist === undefined ? {} : { initialDist: n.initialDist }),
        ...(n.wait === undefined ? {} : { waitInputs: true, fn: wrap(dataFn(n.wait)) }),
      })
    } else if ('function' in n) {
      dsp.addFunction({
        id: n.function,
        fn: wrap(vocabulary(n.fn, n.outputs.length) as Fn),
        inputs: n.inputs,
        outputs: n.outputs,
        ...(n.weight === undefined ? {} : { weight: n.weight }),
        ...(n.domain === undefined ? {} : { inputDomain: asyncDomains ? wrap(domainFn(n.domain)) : domainFn(n.domain) }),
      })
    } else {
      dsp.addDispatcher({
        dispatcher: buildModel(n.model, wrap, asyncDomains),
        id: n.dispatcher,
        inputs: n.inputs,
        outputs: n.outputs,
        ...(n.weight === undefined ? {} : { weight: n.weight }),
        ...(n.domain === undefined
          ? {}
          : { inputDomain: asyncDomains ? wrap(subDomainFn(n.domain, asyncSubDomainCalls)) : subDomainFn(n.domain, undefined) }),
      })
    }
  }
  return dsp
}

/** Everything a solution says but timings: values in order, dist, workflow nodes and edges, errors, pipe, children. */
function view(sol: Solution): unknown {
  const wf = sol.workflow
  const errors = (m: ReadonlyMap<NodeId, NodeError>) => [...m].map(([id, e]) => [encId(id), e.kind, e.message, e.path.map(encId)])
  return {
    values: [...sol.entries()].map(([k, v]) => [encId(k), encVal(v)]),
    dist: [...sol.dist].map(([k, v]) => [encId(k), encDist(v)]),
    workflowNodes: [...wf.nodes.values()].map((n) => [encId(n.id), n.kind, n.visited, encDist(n.distance), encVal(n.results), n.domain]),
    workflowEdges: wf.edges.map((e) => [encId(e.from), encId(e.to), e.value === undefined ? '<NO VALUE>' : encVal(e.value)]),
    errors: errors(sol.errors),
    pipe: sol.pipe.map((s) => [s.path.map(encId), encDist(s.distance), s.error?.message]),
    subSolutions: [...sol.subSolutions].map(([id, s]) => [encId(id), view(s)]),
  }
}

function outcome(f: () => Solution): unknown {
  try {
    return view(f())
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message }
  }
}
async function outcomeAsync(f: () => Promise<Solution>): Promise<unknown> {
  try {
    return view(await f())
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message }
  }
}

function dispatchOptions(call: CallSpec): Record<string, unknown> {
  const o = call.options ?? {}
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}

const MODELS = 500
const CONCURRENCY = [1, 2, 8, Infinity]

/** What the models exercised, summed over every chunk (checked last). */
const seen = { models: 0, withSub: 0, withFailures: 0, thrown: 0, overlapped: 0, discarded: 0, subDomainFailures: 0 }
/** Calls of async sub-dispatcher domains (checked last). */
const asyncSubDomainCalls = { n: 0 }

describe('dispatchAsync returns the synchronous solution (500 seeded random models, async twins)', () => {
  for (let chunk = 0; chunk < MODELS; chunk += 50) {
    it(`models ${chunk}–${chunk + 49}, concurrency 1, 2, 8 and unlimited`, async () => {
      for (let i = chunk; i < chunk + 50; i++) {
        const r = rng(1000 + i)
        const spec = randomModel(r, 0, '')
        const call = randomCall(r, spec)
        const asyncDomains = r() < 0.5
        addSubDomains(rng(9000 + i), spec)
        seen.models++
        if (spec.nodes.some((n) => 'dispatcher' in n)) seen.withSub++
        const sync = buildModel(spec, syncWrap, false)
        const expected = outcome(() => sync.dispatch(call.inputs, call.outputs ?? undefined, dispatchOptions(call)))
        const text = JSON.stringify(expected)
        if (text.includes('"function')) seen.withFailures++
        if (text.includes('"sub-dispatcher domain"')) seen.subDomainFailures++
        if (typeof expected === 'object' && expected !== null && 'error' in expected) seen.thrown++
        for (const concurrency of CONCURRENCY) {
          const twin = buildModel(spec, asyncWrap(rng(i * 7 + concurrency)), asyncDomains)
          let running = 0
          let overlapped = false
          // Every other model without a listener: the driver then calls plain functions without making tasks.
          const listen = i % 2 === 0
          const onEvent = (e: { type: string }) => {
            if (e.type === 'start') {
              if (running > 0) overlapped = true
              running++
            } else if (e.type !== 'skip') {
              running--
            }
            if (e.type === 'discard') seen.discarded++
          }
          const got = await outcomeAsync(() =>
            twin.dispatchAsync(call.inputs, call.outputs ?? undefined, {
              ...dispatchOptions(call),
              concurrency,
              ...(listen ? { onEvent } : {}),
            }),
          )
          if (overlapped) seen.overlapped++
          expect(got, `model ${i}, concurrency ${concurrency}`).toEqual(expected)
        }
      }
    })
  }

  it('exercised sub-dispatchers (with async domains), failures, thrown dispatches, overlapping and discarded calls', () => {
    expect(seen.models).toBe(MODELS)
    expect(seen.withSub).toBeGreaterThan(100)
    expect(seen.withFailures).toBeGreaterThan(100)
    expect(seen.thrown).toBeGreaterThan(0)
    expect(seen.overlapped).toBeGreaterThan(150)
    expect(seen.discarded).toBeGreaterThan(0)
    expect(seen.subDomainFailures).toBeGreaterThan(5)
    expect(asyncSubDomainCalls.n).toBeGreaterThan(60)
  })
})
