// Invalid portable models: each kind of mistake gives its exact message at its exact file:line:column, all at once.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'
import {
  decodeValue,
  encodeValue,
  formatProblem,
  fromJSON,
  ModelValidationError,
  parseJsonText,
  resolveRefs,
} from '../../engine/portable/index.ts'

const BASE = new URL('../../fixtures/portable-model/model.json', import.meta.url)
const ROOT = new URL('../../', import.meta.url).pathname

/** [kind of mistake, document text, options, every problem as `file:line:column: message (at pointer)`]. */
const TABLE: [string, string, { outputs?: string[] }, string[]][] = [
  [
    'not JSON: a trailing comma',
    '{"flowmark": 1, "nodes": [],}',
    {},
    ["model.json:1:29: not JSON: a comma before '}': JSON allows no trailing comma (at /)"],
  ],
  ['not JSON: an unterminated string', '{"flowmark": 1,\n "name": "order}', {}, ['model.json:2:10: not JSON: unterminated string (at /)']],
  [
    'a key given twice',
    '{"flowmark": 1, "name": "a", "name": "b", "nodes": []}',
    {},
    ['model.json:1:30: duplicate key "name" in an object; JSON keeps only the last one, so write each key once (at /name)'],
  ],
  [
    'not an object',
    '[{"kind": "data", "id": "a"}]',
    {},
    ['model.json:1:1: a model is a JSON object like {"flowmark": 1, "nodes": […]}, not an array (at /)'],
  ],
  ['no format version', '{"nodes": []}', {}, ['model.json:1:1: missing "flowmark": 1 (the format version) in a model (at /)']],
  [
    'another format version',
    '{"flowmark": 2, "nodes": []}',
    {},
    ['model.json:1:14: "flowmark" is the format version; this engine reads version 1, not number 2 (at /flowmark)'],
  ],
  [
    'an unknown top-level key',
    '{"flowmark": 1, "nodes": [], "node": []}',
    {},
    [
      'model.json:1:30: unknown key "node" in a model (did you mean "nodes"?); a model has $schema, flowmark, name, description, raises, executor, nodes (at /node)',
    ],
  ],
  [
    'a name that is not a string',
    '{"flowmark": 1, "name": 7, "nodes": []}',
    {},
    ['model.json:1:25: "name" must be a string, not number 7 (at /name)'],
  ],
  [
    'nodes that are not an array',
    '{"flowmark": 1, "nodes": {"a": {}}}',
    {},
    ['model.json:1:26: "nodes" must be an array of nodes, not an object (at /nodes)'],
  ],
  [
    'a node that is not an object',
    '{"flowmark": 1, "nodes": ["a"]}',
    {},
    ['model.json:1:27: a node is an object with "kind" and "id", not string "a" (at /nodes/0)'],
  ],
  [
    'a node without kind',
    '{"flowmark": 1, "nodes": [{"id": "a"}]}',
    {},
    ['model.json:1:27: missing "kind": "data", "function" or "dispatcher" (at /nodes/0)'],
  ],
  [
    'an unknown kind',
    '{"flowmark": 1, "nodes": [{"kind": "fuction", "id": "f"}]}',
    {},
    ['model.json:1:36: "kind" is "data", "function" or "dispatcher", not string "fuction" (did you mean "function"?) (at /nodes/0/kind)'],
  ],
  [
    'a node without id',
    '{"flowmark": 1, "nodes": [{"kind": "data"}]}',
    {},
    ['model.json:1:27: missing "id": the node\'s id (at /nodes/0)'],
  ],
  [
    'an unknown special id',
    '{"flowmark": 1, "nodes": [{"kind": "data", "id": "@begin"}]}',
    {},
    [
      'model.json:1:50: unknown special id "@begin"; the special ids are @start, @sink, @end, @self, @plot, and an id that starts with "@" is written with two ("@@begin") (at /nodes/0/id)',
    ],
  ],
  [
    'a duplicate node id',
    '{"flowmark": 1, "nodes": [\n  {"kind": "data", "id": "a"},\n  {"kind": "function", "id": "a", "ref": "./work.ts#same"}\n]}',
    {},
    ['model.json:3:30: duplicate node id "a" (first at /nodes/0/id); ids are unique in a model (at /nodes/1/id)'],
  ],
  [
    'an unknown node key',
    '{"flowmark": 1, "nodes": [{"kind": "data", "id": "a", "defualt": 1}]}',
    {},
    [
      'model.json:1:55: unknown key "defualt" in a data node (did you mean "default"?); it has kind, id, description, attributes, default, initialDist, waitInputs, wildcard, weight, fn, callback, filters (at /nodes/0/defualt)',
    ],
  ],
  [
    'a function without ref',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "inputs": ["a"]}]}',
    {},
    [
      'model.json:1:27: missing "ref": the function\'s reference "module#export" (null only for a model written without its code) (at /nodes/0)',
    ],
  ],
  [
    'inputs that are not a list',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "inputs": "a"}]}',
    {},
    ['model.json:1:94: "inputs" must be an array of data node ids, not string "a" (at /nodes/0/inputs)'],
  ],
  [
    'an input that is a function node',
    '{"flowmark": 1, "nodes": [\n  {"kind": "function", "id": "f", "ref": "./work.ts#same", "inputs": ["a"], "outputs": ["b"]},\n  {"kind": "function", "id": "g", "ref": "./work.ts#same", "inputs": ["f"], "outputs": ["c"]}\n]}',
    {},
    [
      'model.json:3:71: input "f" of function "g" is a function node (/nodes/0/id); inputs and outputs must be data nodes (at /nodes/1/inputs/0)',
    ],
  ],
  [
    'a function among its own outputs',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "inputs": ["a"], "outputs": ["f"]}]}',
    {},
    [
      'model.json:1:113: function "f" lists itself among its outputs; give the function or the data node another id (at /nodes/0/outputs/0)',
    ],
  ],
  [
    'a weight that is not a number',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "weight": "heavy"}]}',
    {},
    ['model.json:1:94: "weight" must be a number (or "Infinity", "-Infinity"), not string "heavy" (at /nodes/0/weight)'],
  ],
  [
    'an input weight for a non-input',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "inputs": ["a"], "inpWeight": {"b": 2}}]}',
    {},
    ['model.json:1:115: "inpWeight" names "b", which is not one of the node\'s inputs (at /nodes/0/inpWeight/b)'],
  ],
  [
    'a malformed reference',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts"}]}',
    {},
    ["model.json:1:66: malformed reference \"./work.ts\": expected 'module#export', e.g. './work.ts#hash' (at /nodes/0/ref)"],
  ],
  [
    'an initial distance without default',
    '{"flowmark": 1, "nodes": [{"kind": "data", "id": "a", "initialDist": 3}]}',
    {},
    ['model.json:1:55: "initialDist" is the distance of the default value, but the node has no "default" (at /nodes/0/initialDist)'],
  ],
  [
    'an unknown value tag',
    '{"flowmark": 1, "nodes": [{"kind": "data", "id": "a", "default": {"$type": "Temporal", "value": "P1D"}}]}',
    {},
    [
      'model.json:1:76: unknown "$type" "Temporal"; known: undefined, number, bigint, Date, Map, Set, ArrayBuffer, object, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array (at /nodes/0/default/$type)',
    ],
  ],
  [
    'a bigint that is not an integer',
    '{"flowmark": 1, "nodes": [{"kind": "data", "id": "a", "default": [1, {"$type": "bigint", "value": "1.5"}]}]}',
    {},
    ['model.json:1:99: "1.5" is not an integer (at /nodes/0/default/1/value)'],
  ],
  [
    'a mapping to a node the child lacks',
    '{"flowmark": 1, "nodes": [{"kind": "dispatcher", "id": "S", "inputs": {"x": "amount"}, "outputs": {"reduced": "y"},\n  "model": {"flowmark": 1, "nodes": [{"kind": "function", "id": "g", "ref": "./work.ts#same", "inputs": ["amont"], "outputs": ["reduced"]}]}}]}',
    {},
    ['model.json:1:77: "amount" is not a node of the child model (did you mean "amont"?); map only its data nodes (at /nodes/0/inputs/x)'],
  ],
  [
    'a sub-dispatcher without outputs',
    '{"flowmark": 1, "nodes": [{"kind": "dispatcher", "id": "S", "model": "./discount.json", "inputs": {"x": "amount"}}]}',
    {},
    ['model.json:1:27: missing "outputs": child id → parent id(s) (at /nodes/0)'],
  ],
  [
    'a missing model file',
    '{"flowmark": 1, "nodes": [{"kind": "dispatcher", "id": "S", "model": "./nowhere.json", "inputs": {}, "outputs": {}}]}',
    {},
    [
      'model.json:1:70: cannot read the model file "./nowhere.json": ENOENT: no such file or directory, open \'fixtures/portable-model/nowhere.json\' (at /nodes/0/model)',
    ],
  ],
  [
    'a model file that contains itself',
    '{"flowmark": 1, "nodes": [{"kind": "dispatcher", "id": "S", "model": "./model.json", "inputs": {}, "outputs": {}}]}',
    {},
    [
      'model.json:1:70: the model file "./model.json" contains itself (fixtures/portable-model/model.json → fixtures/portable-model/model.json) (at /nodes/0/model)',
    ],
  ],
  [
    'a missing module',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./nowhere.ts#same"}]}',
    {},
    [
      'model.json:1:66: module not found for reference of node \'f\' "./nowhere.ts#same": nothing at fixtures/portable-model/nowhere.ts (at /nodes/0/ref)',
    ],
  ],
  [
    'a missing export',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#sub_total"}]}',
    {},
    [
      "model.json:1:66: reference of node 'f' \"./work.ts#sub_total\": the module has no export 'sub_total'; its function exports: addVat, applyDiscount, isBulk, same, subtotal (at /nodes/0/ref)",
    ],
  ],
  [
    'an export that is not a function',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#VAT_RATE"}]}',
    {},
    ["model.json:1:66: reference of node 'f' \"./work.ts#VAT_RATE\": export 'VAT_RATE' is number, not a function (at /nodes/0/ref)"],
  ],
  [
    'asynchronous options of the wrong type',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "timeout": -5, "critical": "yes", "context": 1}]}',
    {},
    [
      'model.json:1:95: "timeout" is the milliseconds the call may take under dispatchAsync, a number not negative, not number -5 (at /nodes/0/timeout)',
      'model.json:1:111: "critical" must be true or false, not string "yes" (at /nodes/0/critical)',
      'model.json:1:129: "context" must be true or false, not number 1 (at /nodes/0/context)',
    ],
  ],
  [
    'an executor that is not "async"',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "executor": "workers"}]}',
    {},
    [
      'model.json:1:96: "executor" can only be "async" (in this thread), not string "workers"; a custom executor is an object: pass it to dispatchAsync({ executor }) (at /nodes/0/executor)',
    ],
  ],
  [
    'an output nothing produces',
    '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "inputs": ["a"], "outputs": ["b"]}, {"kind": "data", "id": "c"}]}',
    { outputs: ['c', 'bb'] },
    [
      'model.json:1:1: requested output "c" cannot be produced: no function or sub-dispatcher computes it, it has no default, and it is not an input (at /)',
      'model.json:1:1: requested output "bb" is not a node of the model (did you mean "b"?) (at /)',
    ],
  ],
]

async function problems(text: string, options: { outputs?: string[] }): Promise<string[]> {
  try {
    await fromJSON(text, { baseUrl: BASE, file: 'model.json', readFile: (u) => readFile(u, 'utf8'), ...options })
  } catch (e) {
    if (!(e instanceof ModelValidationError)) throw e
    return e.problems.map((p) => formatProblem(p).replaceAll(ROOT, ''))
  }
  return []
}

describe('invalid portable models', () => {
  it('has at least 20 kinds of mistakes', () => expect(TABLE.length).toBeGreaterThanOrEqual(20))

  it.each(TABLE)('%s', async (_kind, text, options, expected) => {
    expect(await problems(text, options)).toEqual(expected)
  })

  it('reports every problem of a document at once, in file order', async () => {
    const text =
      '{"flowmark": 1, "nodes": [\n  {"kind": "data", "id": "a", "weight": "x"},\n  {"kind": "function", "id": "f", "ref": "nope"},\n  {"kind": "blob", "id": "g"}\n], "extra": true}'
    expect(await problems(text, {})).toEqual([
      'model.json:2:41: "weight" must be a number (or "Infinity", "-Infinity"), not string "x" (at /nodes/0/weight)',
      "model.json:3:42: malformed reference \"nope\": expected 'module#export', e.g. './work.ts#hash' (at /nodes/1/ref)",
      'model.json:4:12: "kind" is "data", "function" or "dispatcher", not string "blob" (at /nodes/2/kind)',
      'model.json:5:4: unknown key "extra" in a model; a model has $schema, flowmark, name, description, raises, executor, nodes (at /extra)',
    ])
  })

  it('reports problems of a referenced model file in that file', async () => {
    const text = '{"flowmark": 1, "nodes": [{"kind": "dispatcher", "id": "S", "model": "./broken-sub.json", "inputs": {}, "outputs": {}}]}'
    const files: Record<string, string> = { 'broken-sub.json': '{"flowmark": 1,\n "nodes": [{"kind": "data", "id": 3}]}' }
    try {
      await fromJSON(text, { baseUrl: BASE, file: 'model.json', readFile: async (u) => files[u.pathname.split('/').pop()!]! })
      expect.unreachable()
    } catch (e) {
      expect((e as ModelValidationError).problems.map(formatProblem).map((l) => l.replaceAll(ROOT, ''))).toEqual([
        'fixtures/portable-model/broken-sub.json:2:35: the node id must be a string, not number 3 (at /nodes/0/id)',
      ])
    }
  })

  it('builds nothing and imports nothing when the structure is wrong', async () => {
    const imported: string[] = []
    const text = '{"flowmark": 1, "nodes": [{"kind": "function", "id": "f", "ref": "./work.ts#same", "weight": null}]}'
    await expect(
      fromJSON(text, {
        baseUrl: BASE,
        importer: async (s) => {
          imported.push(s)
          return {}
        },
      }),
    ).rejects.toThrow(ModelValidationError)
    expect(imported).toEqual([])
  })
})

describe('the position-recording JSON parser', () => {
  it('reads what JSON.parse reads', () => {
    const text = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "__proto__": {"b": {}}, "c": ""}'
    const parsed = parseJsonText(text)
    expect(parsed.value).toEqual(JSON.parse(text))
    expect(Object.getPrototypeOf(parsed.value)).toBe(Object.prototype)
    expect(parsed.locate('/a/4')).toEqual({ offset: 31, line: 1, column: 32 })
    expect(parsed.locate('/__proto__/b', true)).toEqual({ offset: 65, line: 1, column: 66 })
  })

  it('refuses control characters in strings and bad escapes, with positions', () => {
    expect(() => parseJsonText('"a\tb"')).toThrow('1:3: control character U+0009 in a string; escape it (\\n, \\t, \\u00XX)')
    expect(() => parseJsonText('{"a": "\\x"}')).toThrow('1:8: invalid escape sequence in a string')
    expect(() => parseJsonText('{"a": 1} 2')).toThrow('1:10: unexpected "2" after the end of the JSON value')
  })
})

describe('values JSON cannot carry', () => {
  it('round-trips Map, Set, Date, bigint, typed arrays, undefined, NaN and -0', () => {
    const value = {
      m: new Map<unknown, unknown>([
        [1, 'a'],
        ['k', new Set([2n])],
      ]),
      d: new Date(Date.UTC(2026, 11, 4)),
      f: new Float64Array([1.5, -0]),
      u: undefined,
      n: [NaN, -Infinity, -0],
      tagged: { $type: 'mine' },
    }
    const json = JSON.parse(JSON.stringify(encodeValue(value)))
    expect(json.tagged).toEqual({ $type: 'object', value: { $type: 'mine' } })
    expect(decodeValue(json)).toEqual(value)
  })

  it('refuses functions, class instances and cycles instead of writing {}', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encodeValue({ a: [() => 1] })).toThrow('the value at /a/0: a function cannot be written as JSON')
    expect(() => encodeValue(new (class Point {})(), '/values/p')).toThrow(
      'the value at /values/p: an instance of Point cannot be written as JSON',
    )
    expect(() => encodeValue(cyclic)).toThrow('the value at /self: the value refers to itself (a cycle); JSON cannot hold it')
  })
})

describe('addFunction({ ref })', () => {
  it('stands for the function until resolveRefs imports it', async () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ ref: './work.ts#subtotal', inputs: ['price', 'quantity'], outputs: ['net'] })
    expect([...dsp.nodes.keys()]).toEqual(['subtotal', 'price', 'quantity', 'net'])
    expect(dsp.dispatch({ price: 2, quantity: 3 }).errors.get('subtotal')?.message).toBe(
      "function 'subtotal' failed: RefError: the function of node 'subtotal' is the reference \"./work.ts#subtotal\", which has not " +
        'been imported yet; await resolveRefs(dispatcher, { baseUrl }) before dispatching (loadModel and fromJSON do it for you)',
    )
    await resolveRefs(dsp, { baseUrl: BASE })
    expect(dsp.dispatch({ price: 2, quantity: 3 }).get('net')).toBe(6)
  })

  it('names the node of a malformed or missing reference', async () => {
    expect(() => new Dispatcher().addFunction({ id: 'f', ref: 'work.ts' })).toThrow(
      "malformed reference of node 'f' \"work.ts\": expected 'module#export', e.g. './work.ts#hash'",
    )
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'g', ref: './work.ts#nothing', inputs: ['a'], outputs: ['b'] })
    await expect(resolveRefs(dsp, { baseUrl: BASE })).rejects.toThrow(
      "resolveRefs: 1 reference could not be imported:\n  g: reference of node 'g' \"./work.ts#nothing\": the module has no export 'nothing'",
    )
  })
})
