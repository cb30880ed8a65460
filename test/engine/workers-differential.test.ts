// Differential test: 200 seeded random models of referenced functions, on worker threads, equal the synchronous dispatch.
import { afterAll, describe, expect, it } from 'vitest'
import { Dispatcher, type NodeError, type NodeId, type Solution } from '../../engine/index.ts'
import { functionRef } from '../../engine/ref.ts'
import { createWorkerExecutor } from '../../engine/workers/index.ts'
import * as vocabulary from '../../fixtures/workers/vocabulary.ts'
import { encDist, encId, encVal } from './schedula/models.ts'
import { rng } from './helpers/random.ts'

const MODULE = new URL('../../fixtures/workers/vocabulary.ts', import.meta.url).href
type Name = keyof typeof vocabulary
for (const name of Object.keys(vocabulary) as Name[]) functionRef(vocabulary[name], MODULE, name)
const SINGLE: Name[] = ['sum', 'neg', 'add3', 'mul2', 'fail', 'failOdd', 'fail']
const PAIRED: Partial<Record<Name, Name>> = { sum: 'sumPair', neg: 'negPair', add3: 'add3Pair', mul2: 'mul2Pair' }

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
function sample<T>(r: () => number, xs: readonly T[], n: number): T[] {
  const pool = [...xs]
  const out: T[] = []
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]!)
  return out
}

/** A random model: defaults, weights, input domains (run in this thread), failing references, maybe a sub-model. */
function randomModel(r: () => number, depth: number): { dsp: Dispatcher; data: string[]; produced: Set<string> } {
  const prefix = depth === 0 ? '' : 'c'
  const dsp = new Dispatcher({ name: depth === 0 ? 'm' : 'child', raises: depth === 0 && r() < 0.15 })
  const data = Array.from({ length: int(r, 4, 8) }, (_, i) => `${prefix}d${i}`)
  const produced = new Set<string>()
  for (const id of data) {
    if (r() < 0.3) dsp.addData({ id, defaultValue: int(r, -3, 9), ...(r() < 0.3 ? { initialDist: int(r, 0, 2) } : {}) })
    else if (r() < 0.1) dsp.addData({ id, waitInputs: true, fn: (est) => Reflect.ownKeys(est).length })
    else dsp.addData({ id })
  }
  for (let i = int(r, 4, 10); i > 0; i--) {
    const inputs = sample(r, data, int(r, 1, 2))
    const outputs = sample(
      r,
      data.filter((d) => !inputs.includes(d)),
      r() < 0.25 ? 2 : 1,
    )
    for (const o of outputs) produced.add(o)
    const single = pick(r, SINGLE)
    const name = outputs.length === 2 ? PAIRED[single] : single
    if (name === undefined || outputs.length === 0) continue
    const limit = int(r, -2, 5)
    const at = int(r, 0, inputs.length - 1)
    dsp.addFunction({
      id: `${prefix}f${i}`,
      fn: vocabulary[name],
      inputs,
      outputs,
      ...(r() < 0.5 ? { weight: int(r, 0, 4) } : {}),
      ...(r() < 0.2 ? { inputDomain: (...a: number[]) => a[at]! > limit } : {}),
    })
  }
  if (depth === 0 && r() < 0.4) {
    const child = randomModel(r, 1)
    const inputs: Record<string, string> = {}
    for (const [k, p] of sample(r, data, int(r, 1, 2)).entries()) inputs[p] = child.data[k]!
    const outputs: Record<string, string> = {}
    for (const c of sample(
      r,
      child.data.filter((c) => !Object.values(inputs).includes(c)),
      int(r, 1, 2),
    ))
      outputs[c] = pick(r, data)
    dsp.addDispatcher({ id: 'S', dispatcher: child.dsp, inputs, outputs, ...(r() < 0.5 ? { weight: int(r, 0, 2) } : {}) })
  }
  return { dsp, data, produced }
}

/** Everything a solution says but timings and placement. */
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
const failure = (e: unknown) => ({ error: (e as Error).name, message: (e as Error).message })

const MODELS = 200
const ex = createWorkerExecutor({ size: 2 })
afterAll(() => ex.close())
const seen = { models: 0, withSub: 0, withFailures: 0, thrown: 0, onWorkers: 0, threads: new Set<number>() }

describe('dispatchAsync on worker threads returns the synchronous solution (200 seeded random models)', () => {
  for (let chunk = 0; chunk < MODELS; chunk += 50) {
    it(`models ${chunk}–${chunk + 49}`, async () => {
      for (let i = chunk; i < chunk + 50; i++) {
        const r = rng(5000 + i)
        const { dsp, data, produced } = randomModel(r, 0)
        // Inputs mostly where no function writes (so that the functions have work), sometimes anywhere.
        const sources = data.filter((d) => !produced.has(d) || r() < 0.2)
        const inputs: Record<string, number> = {}
        for (const id of sample(r, sources.length > 0 ? sources : data, int(r, 1, 3))) inputs[id] = int(r, -2, 9)
        const outputs = r() < 0.5 ? sample(r, data, int(r, 1, 2)) : undefined
        const concurrency = pick(r, [1, 2, Infinity])
        seen.models++
        if (dsp.nodes.has('S')) seen.withSub++
        let expected: unknown
        try {
          expected = view(dsp.dispatch(inputs, outputs))
        } catch (e) {
          expected = failure(e)
          seen.thrown++
        }
        if (JSON.stringify(expected).includes("function '")) seen.withFailures++
        let got: unknown
        try {
          const sol = await dsp.dispatchAsync(inputs, outputs, { executor: ex, concurrency })
          got = view(sol)
          for (const step of sol.pipe) {
            if (step.thread === undefined) continue
            seen.onWorkers++
            seen.threads.add(step.thread)
          }
        } catch (e) {
          got = failure(e)
        }
        expect(got, `model ${i}, concurrency ${concurrency}`).toEqual(expected)
      }
    })
  }

  it('exercised sub-models, failures, thrown dispatches, and calls on both worker threads', () => {
    expect(seen.models).toBe(MODELS)
    expect(seen.withSub).toBeGreaterThan(40)
    expect(seen.withFailures).toBeGreaterThan(30)
    expect(seen.thrown).toBeGreaterThan(0)
    expect(seen.onWorkers).toBeGreaterThan(150) // calls that ran on a worker (about 220 with these seeds)
    expect(seen.threads.size).toBeGreaterThanOrEqual(2)
  })
})
