// Portable models: every fixture model written as JSON, read back, gives the same document, plot and solution.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { Dispatcher, type Solution } from '../../engine/index.ts'
import { fromJSON, functionRef, loadModel, refOf, saveModel, solutionToJSON, toJSON, type ModelDoc } from '../../engine/portable/index.ts'
import { pagesText } from './plot-dot.ts'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures')
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'engine', 'portable', 'schema.json'), 'utf8')) as object
const validateSchema = new Ajv2020({ allErrors: true }).compile(schema)

// Closures have no module to name them by: the test gives each one a reference into a virtual module whose
// namespace is this registry, and loads the documents with an importer that serves it (the same functions return).
const REGISTRY = 'fixture:registry'
const registry: Record<string, unknown> = {}
const importer = (specifier: string) =>
  specifier === REGISTRY ? Promise.resolve(registry) : (import(specifier) as Promise<Record<string, unknown>>)

function register(fn: unknown): void {
  if (typeof fn !== 'function' || refOf(fn) !== undefined) return
  const name = `f${Object.keys(registry).length}`
  registry[name] = fn
  functionRef(fn as (...a: unknown[]) => unknown, REGISTRY, name)
}

function registerAll(dsp: Dispatcher): void {
  for (const n of dsp.nodes.values()) {
    if (n.kind === 'dispatcher') {
      register(n.inputDomain)
      registerAll(n.dispatcher)
      continue
    }
    register(n.fn)
    for (const f of n.filters ?? []) register(f)
    if (n.kind === 'function') register(n.inputDomain)
    else register(n.callback)
  }
}

interface Case {
  readonly name: string
  model(): Dispatcher | Promise<Dispatcher>
  run(dsp: Dispatcher): Solution
}

const plotCases: Case[] = readdirSync(FIXTURES)
  .filter((d) => d.startsWith('plot-') && existsSync(join(FIXTURES, d, 'input.ts')))
  .sort()
  .map((d) => ({
    name: d,
    async model() {
      return ((await import(join(FIXTURES, d, 'input.ts'))) as { model(): Dispatcher }).model()
    },
    run(dsp: Dispatcher) {
      return dsp.dispatch({})
    },
  }))
for (const c of plotCases) {
  const mod = (await import(join(FIXTURES, c.name, 'input.ts'))) as { run?(dsp: Dispatcher): Solution }
  if (mod.run !== undefined) (c as { run: Case['run'] }).run = mod.run
}

const cases: Case[] = [
  ...plotCases,
  {
    name: 'symmetric-cryptography',
    async model() {
      return ((await import(join(FIXTURES, 'symmetric-cryptography', 'model.ts'))) as { createModel(): Dispatcher }).createModel()
    },
    run: (dsp) => dsp.dispatch(['decrypted', 'key_fpath', 'encrypted_fpath'], undefined, { noCall: true }),
  },
  {
    name: 'api-package',
    async model() {
      return ((await import(join(FIXTURES, 'api-package', 'index.ts'))) as { mainModel: Dispatcher }).mainModel
    },
    run: (dsp) => dsp.dispatch({ x: 1, z: 2, w: 3 }),
  },
  {
    name: 'render-hostile',
    async model() {
      return ((await import(join(FIXTURES, 'render-hostile', 'model.ts'))) as { hostileModel(): Dispatcher }).hostileModel()
    },
    run: (dsp) => dsp.dispatch({ '</script><b>': 1 }),
  },
  {
    name: 'directive-leaf-from',
    async model() {
      return ((await import(join(FIXTURES, 'directive-leaf-from', 'model.ts'))) as { fuel: Dispatcher }).fuel
    },
    run: (dsp) => dsp.dispatch({ distance: 100 }),
  },
  {
    name: 'starlight-basic adder',
    async model() {
      return ((await import(join(FIXTURES, 'starlight-basic', 'src', 'models', 'adder.ts'))) as { adder: Dispatcher }).adder
    },
    run: (dsp) => dsp.dispatch({ a: 1, b: 2 }),
  },
]

/** What a solution is made of, comparable with toEqual (errors by message, sub-solutions recursively). */
function shape(sol: Solution): unknown {
  return {
    entries: [...sol],
    dist: [...sol.dist],
    errors: [...sol.errors].map(([k, e]) => [k, e.message]),
    pipe: sol.pipe.map((s) => s.path),
    subs: [...sol.subSolutions].map(([k, s]) => [k, shape(s)]),
  }
}

describe('portable round trip over the fixture models', () => {
  it('covers the models of fixtures/', () => expect(cases.length).toBeGreaterThanOrEqual(13))

  for (const c of cases) {
    it(c.name, async () => {
      const original = await c.model()
      registerAll(original)
      const doc = toJSON(original)
      const text = JSON.stringify(doc, null, 2)
      expect(validateSchema(JSON.parse(text)), JSON.stringify(validateSchema.errors)).toBe(true)
      const back = await fromJSON(text, { importer })
      // The same document again, the same drawing, the same dispatch.
      expect(JSON.stringify(toJSON(back), null, 2)).toBe(text)
      expect([...back.nodes.values()].map((n) => [n.id, n.kind, n.index])).toEqual(
        [...original.nodes.values()].map((n) => [n.id, n.kind, n.index]),
      )
      expect(back.edges).toEqual(original.edges)
      expect(pagesText(back.plot({ hideTimestamps: true }))).toBe(pagesText(original.plot({ hideTimestamps: true })))
      const [a, b] = [c.run(await c.model()), c.run(back)]
      expect(shape(b)).toEqual(shape(a))
      expect(pagesText(b.plot({ hideTimestamps: true }))).toBe(pagesText(a.plot({ hideTimestamps: true })))
    })
  }

  it('publishes on the site the schema shipped in the package', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'site', 'public', 'schema', 'model-1.json'), 'utf8')).toBe(
      readFileSync(join(import.meta.dirname, '..', '..', 'engine', 'portable', 'schema.json'), 'utf8'),
    )
  })

  it('checks the example model files against the schema', () => {
    for (const file of ['model.json', 'discount.json', 'broken.json', 'async.json']) {
      expect(validateSchema(JSON.parse(readFileSync(join(FIXTURES, 'portable-model', file), 'utf8'))), file).toBe(true)
    }
  })

  it('saves a model with references relative to the new file, or absolute when they share no folder', async () => {
    const order = await loadModel(join(FIXTURES, 'portable-model', 'model.json'))
    const cache = join(FIXTURES, '..', 'node_modules', '.cache')
    const near = mkdtempSync(join(existsSync(cache) ? cache : join(FIXTURES, '..', 'node_modules'), 'flowmark-portable-'))
    const far = mkdtempSync(join(tmpdir(), 'flowmark-portable-'))
    try {
      for (const [dir, ref] of [
        [near, `${relative(near, join(FIXTURES, 'portable-model'))}/work.ts#subtotal`],
        [far, `file://${join(FIXTURES, 'portable-model', 'work.ts')}#subtotal`],
      ] as const) {
        const file = join(dir, 'order.json')
        await saveModel(order, file)
        const saved = JSON.parse(readFileSync(file, 'utf8')) as ModelDoc
        expect(saved.nodes.find((n) => n.id === 'subtotal')).toMatchObject({ ref })
        const again = await loadModel(file)
        expect(again.dispatch({ price: 2.5, quantity: 20 }).get('total')).toBe(54)
        expect(again.dispatch({ price: 2.5, quantity: 4 }).get('total')).toBe(12)
      }
    } finally {
      rmSync(near, { recursive: true, force: true })
      rmSync(far, { recursive: true, force: true })
    }
  })

  it('refuses a closure without a reference, naming the node', () => {
    const dsp = new Dispatcher({ name: 'c' })
    dsp.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
    dsp.addData({ id: 'when', defaultValue: new (class Clock {})() })
    expect(() => toJSON(dsp)).toThrow(
      'toJSON: the model cannot be written as JSON (2 problems):\n' +
        "  the function of node 'inc' has no reference (a closure?); add it with addFunction({ ref: './module.ts#name' }), register it with functionRef(fn, import.meta.url), or pass its module in { modules }\n" +
        "  the default value of node 'when': the value: an instance of Clock cannot be written as JSON; convert it to plain data first (objects, arrays, strings, numbers, booleans, null, Map, Set, Date, bigint, typed arrays)",
    )
  })

  it('carries the asynchronous options of function nodes both ways', async () => {
    const file = join(FIXTURES, 'portable-model', 'async.json')
    const { $schema: _, ...written } = JSON.parse(readFileSync(file, 'utf8')) as ModelDoc
    const dsp = await loadModel(file)
    const node = dsp.nodes.get('rate_service')!
    expect(node.kind === 'function' && [node.context, node.timeout, node.critical]).toEqual([true, 50, undefined])
    expect(toJSON(dsp, { baseUrl: new URL(`file://${file}`) })).toEqual(written)
    const sol = await dsp.dispatchAsync({ country: 'FR', net: 100 }, ['total'], { concurrency: 2 })
    expect(Object.fromEntries(sol)).toEqual({ country: 'FR', net: 100, rate: 0.2, total: 120 })
    expect(sol.errors.get('rate_service')?.message).toMatch(/took longer than its timeout of 50 ms/)
  })

  it('writes executor "async" and refuses a custom executor object, naming the node', () => {
    const dsp = new Dispatcher({ name: 'e' })
    const inc = (x: number) => x + 1
    functionRef(inc, 'fixture:registry', 'inc')
    dsp.addFunction({ id: 'here', fn: inc, inputs: ['x'], outputs: ['y'], executor: 'async', timeout: 0 })
    expect(toJSON(dsp).nodes[0]).toEqual({
      kind: 'function',
      id: 'here',
      ref: 'fixture:registry#inc',
      inputs: ['x'],
      outputs: ['y'],
      timeout: 0,
      executor: 'async',
    })
    dsp.addFunction({ id: 'remote', fn: inc, inputs: ['y'], outputs: ['z'], executor: { run: async (call) => call.fn(...call.args) } })
    expect(() => toJSON(dsp)).toThrow(
      'toJSON: the model cannot be written as JSON (1 problem):\n' +
        "  function node 'remote': its executor is an object, which JSON cannot hold; a document can name only executor 'async' (in this thread): " +
        "remove the node's executor and pass yours to dispatchAsync({ executor }) instead",
    )
  })

  it('writes "ref": null only when asked', () => {
    const dsp = new Dispatcher({ name: 'c' })
    dsp.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
    const doc: ModelDoc = toJSON(dsp, { allowMissingRefs: true })
    expect(doc.nodes.find((n) => n.id === 'inc')).toEqual({ kind: 'function', id: 'inc', ref: null, inputs: ['x'], outputs: ['y'] })
  })

  it('prints solutions with the value encoding', () => {
    const dsp = new Dispatcher()
    dsp.addData({ id: 'when', defaultValue: new Date(Date.UTC(2026, 0, 2)) })
    dsp.addData({ id: 'big', defaultValue: 2n ** 70n })
    dsp.addData({ id: 'bytes' })
    expect(solutionToJSON(dsp.dispatch({ bytes: new Uint8Array([1, 2, 255]) }))).toEqual({
      values: {
        bytes: { $type: 'Uint8Array', value: 'AQL/' },
        when: { $type: 'Date', value: '2026-01-02T00:00:00.000Z' },
        big: { $type: 'bigint', value: '1180591620717411303424' },
      },
      errors: {},
      dist: { '@start': -1, bytes: 0, when: 0, big: 0 },
    })
  })
})
