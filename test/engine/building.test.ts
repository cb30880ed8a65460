// Building a model (schedula-engine.md §1–§3): ids, auto-naming, tokens, inf, the constructor, add*/copy, validation.
import { describe, expect, it } from 'vitest'
import {
  Dispatcher,
  DispatcherError,
  EMPTY,
  END,
  FlowmarkError,
  Inf,
  ModelError,
  NONE,
  NodeError,
  PLOT,
  SELF,
  SINK,
  START,
  compareDistance,
  functionName,
  idText,
  inf,
  isNodeId,
  isSpecialNodeId,
  type DataNode,
  type FunctionNode,
  type NodeId,
  type Solution,
  type SubDispatcherNode,
} from '../../engine/index.ts'

/** Captures what a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to throw')
}

const entries = (sol: Solution) => [...sol.entries()]
const abs = (x: unknown) => Math.abs(x as number)

/** An anonymous arrow: in JS an arrow assigned to a property or a variable takes its name, one from an array does not. */
const anonymous = [(x: number) => x][0]!

describe('§1.2 node kinds and attributes', () => {
  it('keeps default values outside the graph, as { value, initialDist } by data id', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1, initialDist: 3 })
    d.addData({ id: 'b' })
    expect(d.defaultValues).toEqual(new Map([['a', { value: 1, initialDist: 3 }]]))
    expect(d.nodes.get('a')).not.toHaveProperty('defaultValue')
  })

  it('gives each kind its own attributes', () => {
    const d = new Dispatcher()
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'x' })
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] })
    d.addDispatcher({ dispatcher: sub, inputs: { b: 'x' }, outputs: { x: 'c' }, id: 'S' })
    const a = d.nodes.get('a') as DataNode
    const f = d.nodes.get('f') as FunctionNode
    const s = d.nodes.get('S') as SubDispatcherNode
    expect([a.kind, a.waitInputs]).toEqual(['data', false])
    expect([f.kind, f.inputs, f.outputs, f.fn]).toEqual(['function', ['a'], ['b'], Math.max])
    expect([s.kind, s.dispatcher, s.inputs, s.outputs]).toEqual(['dispatcher', sub, new Map([['b', ['x']]]), new Map([['x', ['c']]])])
  })

  it('links data → function → data, data → dispatcher (weight 0) and dispatcher → data (no weight)', () => {
    const d = new Dispatcher()
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'x' })
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] })
    d.addDispatcher({ dispatcher: sub, inputs: { b: 'x' }, outputs: { x: 'c' }, id: 'S' })
    expect(d.edges).toEqual([
      { from: 'f', to: 'b', weight: undefined },
      { from: 'a', to: 'f', weight: undefined },
      { from: 'b', to: 'S', weight: 0 },
      { from: 'S', to: 'c', weight: undefined },
    ])
  })
})

describe('§1.3 node ids and the index counter', () => {
  it('consumes one index per addData (re-adds included), addFunction and addDispatcher call', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' }) // 0
    d.addData({ id: 'a' }) // 1: a re-add takes a new index
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] }) // 2, b: 3
    d.addDispatcher({ dispatcher: new Dispatcher({ name: 'sub' }), inputs: [], outputs: [] }) // 4
    expect([...d.nodes.values()].map((n) => [n.id, n.index])).toEqual([
      ['a', 1],
      ['f', 2],
      ['b', 3],
      ['sub', 4],
    ])
  })

  it('gives a function its index before the data nodes it creates, but after an automatic START/SINK', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: () => 1, outputs: ['x', 'y'] })
    d.addFunction({ id: 'g', fn: () => 1, inputs: ['p'] })
    expect([...d.nodes.values()].map((n) => [n.id, n.index])).toEqual([
      [START, 0],
      ['f', 1],
      ['x', 2],
      ['y', 3],
      [SINK, 4],
      ['g', 5],
      ['p', 6],
    ])
  })

  it('names functions after the function, made unique as f, f<0>, f<1>; a given id is only a guess', () => {
    // Adapted: functools.partial(f) → f.bind(null) (named 'bound f'; the prefix is stripped);
    // a lambda → an anonymous arrow, whose id is 'unknown' (schedula's is '<lambda>').
    const d = new Dispatcher()
    function f(x: number) {
      return x
    }
    expect([
      d.addFunction({ fn: f, inputs: ['a'], outputs: ['b'] }),
      d.addFunction({ fn: f, inputs: ['a'], outputs: ['c'] }),
      d.addFunction({ fn: f.bind(null), inputs: ['a'], outputs: ['e'] }),
      d.addFunction({ fn: anonymous, inputs: ['a'], outputs: ['g'] }),
      d.addFunction({ id: 'a', fn: f, inputs: ['a'], outputs: ['h'] }),
      d.addFunction({ id: 'my id', inputs: ['a'], outputs: ['i'] }),
    ]).toEqual(['f', 'f<0>', 'f<1>', 'unknown', 'a<0>', 'my id'])
  })

  it('strips every `bound ` prefix and falls back to unknown for nameless functions', () => {
    function g() {}
    expect(functionName(g.bind(null).bind(null))).toBe('g')
    expect(functionName(anonymous)).toBe('unknown')
  })

  it('throws a ModelError when a function node has neither an id nor a function', () => {
    const d = new Dispatcher()
    for (const bad of [{}, { inputs: ['a'] }]) {
      const err = thrown(() => d.addFunction(bad))
      expect(err).toBeInstanceOf(ModelError)
      expect((err as Error).message).toMatch(/id/)
    }
  })

  it('names sub-dispatcher nodes after the given id, else the child name, else unknown', () => {
    const d = new Dispatcher()
    expect([
      d.addDispatcher({ dispatcher: new Dispatcher({ name: 'sub' }), inputs: [], outputs: [] }),
      d.addDispatcher({ dispatcher: new Dispatcher({ name: 'sub' }), inputs: [], outputs: [] }),
      d.addDispatcher({ dispatcher: new Dispatcher(), inputs: [], outputs: [] }),
      d.addDispatcher({ dispatcher: new Dispatcher({ name: 'sub' }), inputs: [], outputs: [], id: 'S' }),
    ]).toEqual(['sub', 'sub<0>', 'unknown', 'S'])
  })

  it('makes an automatic id unique against nodes of any kind', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'unknown', fn: Math.max, inputs: ['x'], outputs: ['y'] })
    expect(d.addData()).toBe('unknown<0>')
  })
})

describe('§1.4 special constants and inf', () => {
  it('makes tokens distinct from the strings of the same text', () => {
    expect(START === ('start' as unknown)).toBe(false)
    expect(idText(START)).toBe('start')
    const m = new Map<NodeId, number>([
      [SINK, 1],
      ['sink', 2],
    ])
    expect(m.size).toBe(2)
    expect(([START, SINK, END, SELF, PLOT] as NodeId[]).map(idText)).toEqual(['start', 'sink', 'end', 'self', 'plot'])
    expect([NONE, EMPTY].map((s) => s.description)).toEqual(['none', 'empty'])
  })

  it('accepts strings and the special tokens as node ids, and nothing else', () => {
    expect([START, SINK, END, SELF, PLOT, 'a', ''].every(isNodeId)).toBe(true)
    expect([NONE, EMPTY, Symbol('start'), 1, null, undefined].some(isNodeId)).toBe(false)
    expect(isSpecialNodeId(START)).toBe(true)
    expect(isSpecialNodeId('start')).toBe(false)
  })

  it('compares inf(level, value) by level, then value; a number x is inf(0, x)', () => {
    expect(compareDistance(inf(1, 2), 10 ** 9)).toBeGreaterThan(0)
    expect(compareDistance(inf(0, 2.5), 2.5)).toBe(0)
    expect(inf(1, 2).plus(1)).toEqual(inf(1, 3))
    expect(inf(1, 2).plus(inf(2, 1))).toEqual(inf(3, 3))
    expect(String(inf(1, 3))).toBe('inf(1, 3)')
    expect(inf(1)).toEqual(inf(1, 0))
  })

  it('sorts mixed distances as schedula does', () => {
    const sorted = [inf(1, 0), 5, inf(0, 7), inf(2, -1)].sort(compareDistance)
    expect(sorted).toEqual([5, inf(0, 7), inf(1, 0), inf(2, -1)])
  })

  it('rejects non-finite parts of inf and NaN distances', () => {
    expect(() => inf(Infinity)).toThrow(ModelError)
    expect(() => inf(0, NaN)).toThrow(ModelError)
    expect(() => compareDistance(NaN, 1)).toThrow(/NaN/)
    expect(new Inf(2, 1).toJSON()).toEqual({ inf: 2, num: 1 })
  })

  // sh.Token, sh.counter and sh.DiGraph have no public counterpart (ids are symbols, the counter and graph are internal).
})

describe('§2 the Dispatcher constructor', () => {
  it('stores name, description, raises and executor; starts with no nodes, defaults or solution', () => {
    // Adapted: schedula's raises='' (record silently) does not exist here; a policy function is used instead.
    const raises = () => false
    const d = new Dispatcher({ name: 'model', description: 'my model', raises, executor: 'async' })
    expect([d.name, d.description, d.raises, d.executor]).toEqual(['model', 'my model', raises, 'async'])
    expect(d.defaultValues.size).toBe(0)
    expect(d.nodes.size).toBe(0)
    expect(d.solution).toBeUndefined()
  })

  it('defaults to no name, no description, raises false', () => {
    const d = new Dispatcher()
    expect([d.name, d.description, d.raises, d.executor, d.stopper]).toEqual(['', '', false, undefined, undefined])
  })

  it('copyStructure makes an empty dispatcher with the same settings, overridable', () => {
    const raises = () => false
    const d = new Dispatcher({ name: 'model', description: 'my model', raises, executor: 'async' })
    d.addData({ id: 'a', defaultValue: 1 })
    const c = d.copyStructure({ name: 'other' })
    expect([c.name, c.description, c.raises, c.executor, c.nodes.size, c.defaultValues.size]).toEqual([
      'other',
      'my model',
      raises,
      'async',
      0,
      0,
    ])
  })

  it('keeps the last solution in `solution`', () => {
    const d = new Dispatcher()
    const sol = d.dispatch({ a: 1 })
    expect(d.solution).toBe(sol)
  })

  // Was a bug found by these tests; fixed in the engine.
  it('rejects unknown constructor options, naming the option', () => {
    expect(() => new Dispatcher({ nmae: 'x' } as never)).toThrow(/nmae/)
  })
})

describe('§3.1 addData', () => {
  it('returns the given id, or unknown, unknown<0>, unknown<1> …', () => {
    const d = new Dispatcher()
    expect([
      d.addData({ id: 'a' }),
      d.addData({ id: 'b', defaultValue: 1, initialDist: 2 }),
      d.addData(),
      d.addData({ defaultValue: 0 }),
      d.addData({}), // d.add_data(None)
    ]).toEqual(['a', 'b', 'unknown', 'unknown<0>', 'unknown<1>'])
    const b = d.nodes.get('b') as DataNode
    expect([b.kind, b.waitInputs, b.index]).toEqual(['data', false, 1])
    expect(d.defaultValues).toEqual(
      new Map<NodeId, unknown>([
        ['b', { value: 1, initialDist: 2 }],
        ['unknown<0>', { value: 0, initialDist: 0 }],
      ]),
    )
  })

  it('stores every attribute given', () => {
    const d = new Dispatcher()
    const fn = (est: object) => Object.values(est).length
    const callback = () => undefined
    d.addData({ id: 'c', waitInputs: true, fn, callback, filters: [abs], wildcard: false, description: 'C', weight: 2 })
    expect(d.nodes.get('c')).toMatchObject({
      kind: 'data',
      waitInputs: true,
      fn,
      callback,
      filters: [abs],
      wildcard: false,
      description: 'C',
      weight: 2,
    })
  })

  it('stores extra attributes in `attributes`, merged on a re-add', () => {
    const d = new Dispatcher()
    d.addData({ id: 'c', attributes: { unit: 'm' } })
    expect(d.nodes.get('c')!.attributes).toEqual({ unit: 'm' })
    d.addData({ id: 'c', attributes: { color: 'red' } })
    expect(d.nodes.get('c')!.attributes).toEqual({ unit: 'm', color: 'red' })
  })

  it('gives each node its own attribute bag (those of a function node do not leak to data nodes)', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: Math.abs, inputs: ['a'], outputs: ['b'], attributes: { color: 'red' } })
    expect(d.nodes.get('f')!.attributes).toEqual({ color: 'red' })
    expect(d.nodes.get('a')!.attributes).toEqual({})
  })

  it('stores optional attributes only when given (empty filters are none)', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', filters: [] })
    const a = d.nodes.get('a') as DataNode
    expect([a.fn, a.callback, a.filters, a.wildcard, a.description, a.weight]).toEqual(Array(6).fill(undefined))
    expect(a.attributes).toEqual({})
  })

  it('re-adding a data node takes a new index and keeps its attributes, default and waitInputs', () => {
    // Deliberate difference 1: schedula resets wait_inputs to False and removes the default on a re-add.
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1, waitInputs: true, description: 'x' })
    d.addData({ id: 'a' })
    expect(d.nodes.get('a')).toMatchObject({ waitInputs: true, index: 1, description: 'x' })
    expect(d.defaultValues.get('a')).toEqual({ value: 1, initialDist: 0 })
  })

  it('re-adding with new options updates them; defaultValue EMPTY removes the default', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1, waitInputs: true, description: 'x' })
    d.addData({ id: 'a', waitInputs: false, description: 'y', defaultValue: EMPTY })
    expect(d.nodes.get('a')).toMatchObject({ waitInputs: false, description: 'y' })
    expect(d.defaultValues.has('a')).toBe(false)
  })

  it('throws a ModelError when the id is taken by a function or dispatcher node', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', inputs: ['a'] })
    d.addDispatcher({ dispatcher: new Dispatcher(), id: 'S', inputs: [], outputs: [] })
    for (const id of ['f', 'S']) {
      const err = thrown(() => d.addData({ id }))
      expect(err).toBeInstanceOf(ModelError)
      expect((err as ModelError).nodeId).toBe(id)
    }
  })

  it('gives START the default NONE, SINK waitInputs and a collecting fn, SELF the dispatcher as default', () => {
    const d = new Dispatcher({ name: 'me' })
    for (const t of [START, SINK, SELF] as NodeId[]) d.addData({ id: t })
    expect([...d.nodes.values()].map((n) => [n.id, (n as DataNode).waitInputs, n.index])).toEqual([
      [START, false, 0],
      [SINK, true, 1],
      [SELF, false, 2],
    ])
    expect((d.nodes.get(SINK) as DataNode).fn).toBeTypeOf('function')
    expect((d.nodes.get(START) as DataNode).fn).toBeUndefined()
    expect([...d.defaultValues].map(([k, v]) => [k, v.value])).toEqual([
      [START, NONE],
      [SELF, d],
    ])
  })
})

describe('§3.2 addFunction', () => {
  it('defaults inputs to [START] and outputs to [SINK]; SINK collects results by producer', () => {
    const d = new Dispatcher()
    const fid = d.addFunction({ id: 'f', fn: () => 1 })
    const f = d.nodes.get('f') as FunctionNode
    expect([fid, f.inputs, f.outputs, [...d.nodes.keys()]]).toEqual(['f', [START], [SINK], [START, SINK, 'f']])
    expect([...d.defaultValues].map(([k, v]) => [k, v.value])).toEqual([[START, NONE]])
    expect(entries(d.dispatch())).toEqual([[SINK, { f: 1 }]])
  })

  it('does not trigger a function declared with inputs: [] (no input edge, no START)', () => {
    const d = new Dispatcher()
    let calls = 0
    d.addFunction({ id: 'f', fn: () => ++calls, inputs: [], outputs: ['b'] })
    expect([...d.nodes.keys()]).toEqual(['f', 'b'])
    expect(entries(d.dispatch({ a: 1 }))).toEqual([['a', 1]])
    expect(calls).toBe(0)
  })

  it('stores weight, description, domain, filters and attributes on the node, inpWeight/outWeight on edges', () => {
    const d = new Dispatcher()
    const inputDomain = (a: number) => a > 0
    d.addFunction({
      id: 'f',
      fn: Math.max,
      inputs: ['a', 'b'],
      outputs: ['c', 'e'],
      weight: 3,
      inpWeight: { a: 2 },
      outWeight: { e: 0.5 },
      inputDomain,
      filters: [abs],
      description: 'F',
      attributes: { color: 'red' },
    })
    expect(d.nodes.get('f')).toMatchObject({
      kind: 'function',
      inputs: ['a', 'b'],
      outputs: ['c', 'e'],
      index: 0,
      description: 'F',
      weight: 3,
      attributes: { color: 'red' },
      inputDomain,
      filters: [abs],
    })
    expect(d.edges).toEqual([
      { from: 'f', to: 'c', weight: undefined },
      { from: 'f', to: 'e', weight: 0.5 },
      { from: 'a', to: 'f', weight: 2 },
      { from: 'b', to: 'f', weight: undefined },
    ])
  })

  it('accepts weight maps as Maps too', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'], inpWeight: new Map([['a', 4]]) })
    expect(d.edges).toContainEqual({ from: 'a', to: 'f', weight: 4 })
  })

  it('creates unknown inputs and outputs as plain data nodes, in list order', () => {
    const d = new Dispatcher()
    d.addData({ id: 'b', defaultValue: 1 })
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['c', 'a', 'b'], outputs: ['e', 'd'] })
    expect([...d.nodes.keys()]).toEqual(['b', 'f', 'c', 'a', 'e', 'd'])
    expect([...d.dataNodes.values()].every((n) => !n.waitInputs && n.fn === undefined)).toBe(true)
  })

  it('throws a ModelError for a non-data input or output and rolls back everything the call created', () => {
    // Unlisted difference: schedula keeps the SINK created by a failed call (its list is ['f', 'a', 'b', sink]);
    // ours validates before creating anything, so nothing is left behind.
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] })
    for (const [options, side] of [
      [{ inputs: ['f'] }, 'input'],
      [{ inputs: ['new'], outputs: ['f'] }, 'output'],
    ] as const) {
      const err = thrown(() => d.addFunction({ id: 'g', fn: Math.min, ...options }))
      expect(err).toBeInstanceOf(ModelError)
      expect((err as ModelError).nodeId).toBe('f')
      expect((err as Error).message).toMatch(new RegExp(`${side} 'f' is a function node`))
    }
    expect([...d.nodes.keys()]).toEqual(['f', 'a', 'b'])
    // With the default inputs or outputs too: no START or SINK is left by a call that fails.
    expect(() => d.addFunction({ id: 'g', fn: Math.min, outputs: ['f'] })).toThrow(/output 'f' is a function node/)
    expect(() => d.addFunction({ id: 'g', fn: Math.min, inputs: ['f'] })).toThrow(/input 'f' is a function node/)
    expect([...d.nodes.keys()]).toEqual(['f', 'a', 'b'])
    const d2 = new Dispatcher()
    expect(() => d2.addFunction({ inputs: ['x'] })).toThrow(ModelError)
    expect([...d2.nodes.keys()]).toEqual([])
  })

  it('rejects a string as inputs or outputs', () => {
    // Deliberate difference 2: schedula iterates the string character by character.
    const d = new Dispatcher()
    expect(() => d.addFunction({ id: 'f', fn: Math.max, inputs: 'ab' as never })).toThrow(/\["ab"\]/)
    expect(() => d.addFunction({ id: 'f', fn: Math.max, outputs: 'ab' as never })).toThrow(ModelError)
    expect(d.nodes.size).toBe(0)
  })

  it('accepts a node without a function; dispatching it records a failure at call time', () => {
    const d = new Dispatcher()
    expect(d.addFunction({ id: 'f', inputs: ['a'], outputs: ['b'] })).toBe('f')
    const sol = d.dispatch({ a: 1 })
    expect(entries(sol)).toEqual([['a', 1]])
    expect(sol.errors.get('f')).toBeInstanceOf(NodeError)
    expect(sol.errors.get('f')!.kind).toBe('function')
  })

  it('validates its arguments: ids, functions, filters, weights, weight maps', () => {
    const d = new Dispatcher()
    const bad: [object, RegExp][] = [
      [{ id: 5 }, /id must be a string/],
      [{ id: 'f', inputs: ['a', 3] }, /item 1/],
      [{ id: 'f', inputs: 'a' }, /array of node ids/],
      [{ id: 'f', outputs: { a: 1 } }, /array of node ids/],
      [{ fn: 'max' }, /expected a function/],
      [{ id: 'f', inputDomain: true }, /inputDomain: expected a function/],
      [{ id: 'f', filters: Math.abs }, /expected an array of functions/],
      [{ id: 'f', filters: [Math.abs, 1] }, /filters\[1\]/],
      [{ id: 'f', weight: '3' }, /weight must be a number/],
      [{ id: 'f', weight: NaN }, /weight must be a number/],
      [{ id: 'f', inputs: ['a'], inpWeight: { a: '2' } }, /inpWeight\['a'\]: a weight must be a number/],
      [{ id: 'f', inputs: ['a'], inpWeight: { b: 2 } }, /'b' is not one of \['a'\]/],
      [{ id: 'f', outputs: ['b'], outWeight: { a: 2 } }, /'a' is not one of \['b'\]/],
      [{ id: 'f', inpWeight: [2] }, /expected an object or a Map/],
    ]
    for (const [options, message] of bad) {
      const err = thrown(() => d.addFunction(options))
      expect(err, JSON.stringify(options)).toBeInstanceOf(ModelError)
      expect((err as Error).message).toMatch(message)
    }
    expect(d.nodes.size).toBe(0)
  })

  it('rejects unknown options, naming the option and listing the valid ones', () => {
    const d = new Dispatcher()
    const err = thrown(() => d.addFunction({ id: 'f', input: ['a'] } as never)) as Error
    expect(err).toBeInstanceOf(ModelError)
    expect(err.message).toMatch(/unknown option `input`/)
    expect(err.message).toMatch(/Did you mean 'inputs'\?/)
    expect(err.message).toMatch(/Valid options: id, fn, ref, inputs, outputs, inputDomain, weight, inpWeight, outWeight/)
    expect(() => d.addFunction(null as never)).toThrow(/options must be an object/)
  })
})

describe('§3.3 addFunc', () => {
  // A JS function has no keyword-only parameters: `d` is a constant of the body, as `d=4` was keyword-only in Python.
  function f(a: number, b: number, c = 3, ...args: number[]) {
    const d = 4
    return a + b + c + d + args.length
  }

  it('infers inputs from the parameters, stopping at the first default unless inputsKwargs', () => {
    // Adapted: inputs_defaults=True has no counterpart, so the default c=3 is set by hand;
    // inputs='pq' (split into characters by schedula) is written ['p', 'q'].
    const d = new Dispatcher()
    expect([
      d.addFunc(f, { outputs: ['x'] }),
      d.addFunc(f, { outputs: ['y'], inputsKwargs: true }),
      d.addFunc(f, { outputs: ['z'], inputsKwargs: true, id: 'F' }),
      d.addFunc(f, { outputs: ['w'], inputs: ['p', 'q'] }),
    ]).toEqual(['f', 'f<0>', 'F', 'f<1>'])
    expect([...d.functionNodes].map(([k, v]) => [k, v.inputs])).toEqual([
      ['f', ['a', 'b']],
      ['f<0>', ['a', 'b', 'c']],
      ['F', ['a', 'b', 'c']],
      ['f<1>', ['p', 'q']],
    ])
    d.setDefaultValue('c', 3)
    expect(entries(d.dispatch({ a: 1, b: 2, p: 10, q: 20 }))).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['p', 10],
      ['q', 20],
      ['w', 37],
      ['x', 10],
      ['y', 10],
      ['z', 10],
    ])
  })

  it('reads arrows, async functions and methods', () => {
    const d = new Dispatcher()
    const single = [(x: number) => x][0]!
    const obj = {
      m(u: number, v: number) {
        return u + v
      },
    }
    d.addFunc(single, { outputs: ['y'] })
    d.addFunc(async (p: number, q = 1) => p + q, { outputs: ['r'], id: 'as' })
    d.addFunc(obj.m, { outputs: ['w'] })
    expect([...d.functionNodes.values()].map((n) => [n.id, n.inputs])).toEqual([
      ['unknown', ['x']],
      ['as', ['p']],
      ['m', ['u', 'v']],
    ])
  })

  it('throws a ModelError when the inputs cannot be read, unless they are given', () => {
    const d = new Dispatcher()
    const destructured = ({ a }: { a: number }) => a
    expect(() => d.addFunc(destructured)).toThrow(/destructuring/)
    expect(() => d.addFunc(f.bind(null))).toThrow(/bound/)
    expect(() => d.addFunc(class {} as never)).toThrow(ModelError)
    expect(() => d.addFunc('f' as never)).toThrow(ModelError)
    expect(d.addFunc(f.bind(null), { inputs: ['a', 'b'], outputs: ['c'] })).toBe('f')
  })

  it('rejects unknown options, naming the option', () => {
    const d = new Dispatcher()
    expect(() => d.addFunc(f, { output: ['c'] } as never)).toThrow(/unknown option `output`/)
  })

  it("inputsDefaults: literal parameter defaults become input defaults, by position (schedula's docstring model)", () => {
    // schedula 1.5.78, add_func docstring: f(a, b, c, d=3, m=5); g(a, b, c, *args, d=0) has no default among its
    // inputs a, b, c. Its answer: {'a': 1, 'b': 3, 'c': 0, 'l': 3, 'd': 2, 'e': 0, 'm': 0, 'i': 6}.
    function f5(a: number, b: number, c: number, d = 3, m = 5) {
      return a + b - c + d - m
    }
    function g(a: number, b: number, c: number, ...args: number[]) {
      return (a + b) * c + args.length
    }
    const d = new Dispatcher()
    d.addFunc(f5, { outputs: ['d'] })
    d.addFunc(f5, { outputs: ['m'], inputsDefaults: true, inputs: ['b', 'e', 'a', 'l'] })
    d.addFunc(f5, { outputs: ['i'], inputsKwargs: true })
    d.addFunc(g, { outputs: ['e'], inputsDefaults: true })
    expect(d.defaultValues.get('l')).toEqual({ value: 3, initialDist: 0 })
    expect(d.dispatch({ a: 1, b: 3, c: 0 }).toObject()).toEqual({ a: 1, b: 3, c: 0, l: 3, d: 2, e: 0, m: 0, i: 6 })
  })

  it('inputsDefaults reads literals only; other defaults are given by id', () => {
    const d = new Dispatcher()
    function h(x: number, s = "it's", list = [1, null], n = -2.5, t = Math.PI) {
      return [x, s, list, n, t]
    }
    d.addFunc(h, { outputs: ['r'], inputsKwargs: true, inputs: ['x', 's', 'list', 'n'], inputsDefaults: true })
    expect([...d.defaultValues].map(([k, v]) => [k, v.value])).toEqual([
      ['s', "it's"],
      ['list', [1, null]],
      ['n', -2.5],
    ])
    const e = new Dispatcher()
    expect(() => e.addFunc(h, { outputs: ['r'], inputsKwargs: true, inputsDefaults: true })).toThrow(
      /the default of parameter 't' is `Math.PI`, not a literal .*give it as `inputsDefaults: \{ "t": value \}`/,
    )
    expect(e.nodes.size).toBe(0)
    e.addFunc(h, { outputs: ['r'], inputsKwargs: true, inputsDefaults: { t: Math.PI } })
    expect(e.defaultValues.get('t')?.value).toBe(Math.PI)
    expect(() => e.addFunc(h, { outputs: ['r2'], inputsDefaults: { zz: 1 } })).toThrow(/'zz', which is not an input/)
  })

  it('has a decorator form: addFunc(options) adds the function it is given and returns it', () => {
    const d = new Dispatcher()
    const add = d.addFunc({ outputs: ['c'] })(function add(a: number, b: number) {
      return a + b
    })
    expect(add(1, 2)).toBe(3)
    expect(d.getNode('add').kind).toBe('function')
    expect(d.dispatch({ a: 1, b: 2 }).get('c')).toBe(3)
  })
})

describe('§3.5 addDispatcher', () => {
  function makeSub(): Dispatcher {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'k', defaultValue: 100 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a + k, inputs: ['a', 'k'], outputs: ['b'] })
    return sub
  }

  it('maps parent → child inputs and child → parent outputs, arrays for several ids', () => {
    const sub = makeSub()
    const d = new Dispatcher()
    expect([
      d.addDispatcher({ dispatcher: sub, inputs: { x: 'a', kk: 'k' }, outputs: { b: 'y' } }),
      d.addDispatcher({ dispatcher: sub, inputs: ['a'], outputs: ['b'] }),
      d.addDispatcher({
        dispatcher: sub,
        inputs: { x: ['a', 'k'] },
        outputs: { b: ['y1', 'y2'] },
        id: 'S2',
        inpWeight: { x: 5 },
        weight: 1,
        inputDomain: (kw) => (kw.x as number) > 0,
      }),
    ]).toEqual(['sub', 'sub<0>', 'S2'])
    const n = d.nodes.get('sub') as SubDispatcherNode
    expect([n.kind, n.inputs, n.outputs]).toEqual([
      'dispatcher',
      new Map([
        ['x', ['a']],
        ['kk', ['k']],
      ]),
      new Map([['b', ['y']]]),
    ])
    expect(d.edges.filter((e) => ['sub', 'S2'].includes(e.from as string) || ['sub', 'S2'].includes(e.to as string))).toEqual([
      { from: 'sub', to: 'y', weight: undefined },
      { from: 'kk', to: 'sub', weight: 0 },
      { from: 'x', to: 'sub', weight: 0 },
      { from: 'x', to: 'S2', weight: 5 },
      { from: 'S2', to: 'y1', weight: undefined },
      { from: 'S2', to: 'y2', weight: undefined },
    ])
    expect(d.nodes.get('S2')!.weight).toBe(1)
    // `sub` maps kk → k, so the child's own default k=100 is not used and, kk missing, `sub` cannot produce y.
    expect(entries(d.dispatch({ x: 1 }))).toEqual([
      ['x', 1],
      ['y1', 2],
      ['y2', 2],
    ])
    expect(entries(d.dispatch({ a: 2 }))).toEqual([
      ['a', 2],
      ['b', 102],
    ])
  })

  it('maps every child data node but the special ones to itself when inputs/outputs are omitted', () => {
    const sub = makeSub()
    sub.addData({ id: SELF })
    sub.addFunction({ id: 'h', fn: () => 1, outputs: ['z'] }) // creates START
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub })
    const n = d.nodes.get('sub') as SubDispatcherNode
    expect([...n.inputs.keys()]).toEqual(['k', 'a', 'b', 'z'])
    expect([...n.outputs.keys()]).toEqual(['k', 'a', 'b', 'z'])
  })

  it('includeDefaults moves the defaults of mapped inputs to the parent, without mutating the child given', () => {
    // Deliberate difference 5: schedula pops the default from the child object ({} afterwards); ours copies the child.
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'a', defaultValue: 7 })
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, includeDefaults: true })
    expect(d.defaultValues).toEqual(new Map([['x', { value: 7, initialDist: 0 }]]))
    expect(sub.defaultValues).toEqual(new Map([['a', { value: 7, initialDist: 0 }]]))
    const inner = (d.nodes.get('sub') as SubDispatcherNode).dispatcher
    expect(inner).not.toBe(sub)
    expect(inner.defaultValues.size).toBe(0)
    expect(entries(d.dispatch())).toEqual([
      ['x', 7],
      ['y', 7],
    ])
  })

  it('includeDefaults drops the defaults of every child id of an array mapping, taking the first one', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'a', defaultValue: 1 })
    sub.addData({ id: 'k', defaultValue: 2 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a + k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: { x: ['a', 'k'] }, outputs: { b: 'y' }, includeDefaults: true, id: 'S' })
    expect(d.defaultValues).toEqual(new Map([['x', { value: 1, initialDist: 0 }]]))
    expect((d.nodes.get('S') as SubDispatcherNode).dispatcher.defaultValues.size).toBe(0)
  })

  it('prepends the prefixes to the parent-side ids', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const d2 = new Dispatcher()
    d2.addDispatcher({ dispatcher: sub.copy(), inputsPrefix: 'in_', outputsPrefix: 'out_' })
    expect([...d2.dataNodes.keys()].sort()).toEqual(['in_a', 'in_b', 'out_a', 'out_b'])
    const n = d2.nodes.get('sub') as SubDispatcherNode
    expect(n.inputs).toEqual(
      new Map([
        ['in_a', ['a']],
        ['in_b', ['b']],
      ]),
    )
    expect(n.outputs).toEqual(
      new Map([
        ['a', ['out_a']],
        ['b', ['out_b']],
      ]),
    )
  })

  it('names an unnamed child unknown and dispatches it', () => {
    // Adapted: schedula also accepts a dict of add_from_lists keywords; ours takes a Dispatcher built with addFromLists.
    const child = new Dispatcher()
    child.addFromLists({ functions: [{ fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] }] })
    const d3 = new Dispatcher()
    expect(d3.addDispatcher({ dispatcher: child, inputs: ['a', 'b'], outputs: ['c'] })).toBe('unknown')
    expect(entries(d3.dispatch({ a: 1, b: 4 }))).toEqual([
      ['a', 1],
      ['b', 4],
      ['c', 4],
    ])
  })

  it('adds SINK to the child when the mapping names it', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'a' })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, inputs: ['a'], outputs: new Map([[SINK, 'res']]) })
    expect(sub.nodes.has(SINK)).toBe(true)
  })

  it('validates the child, the mappings and the weights', () => {
    const sub = makeSub()
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['p'], outputs: ['q'] })
    const bad: [object, RegExp][] = [
      [{ dispatcher: {} }, /must be a Dispatcher/],
      [{ dispatcher: sub, inputs: { x: 'aa' } }, /'aa' is not a node of the child dispatcher 'sub'.*Did you mean 'a'\?/],
      [{ dispatcher: sub, inputs: { x: 'g' } }, /'g' is a function node of the child/],
      [{ dispatcher: sub, inputs: [], outputs: { nope: 'y' } }, /'nope' is not a node/],
      [{ dispatcher: sub, inputs: { f: 'a' } }, /parent input 'f' is a function node/],
      [{ dispatcher: sub, inputs: [], outputs: { b: 'f' } }, /parent output 'f' is a function node/],
      [{ dispatcher: sub, inputs: { x: [] } }, /maps to no id/],
      [{ dispatcher: sub, inputs: { x: 1 } }, /value of 'x'/],
      [{ dispatcher: sub, inputs: 'a' }, /expected an object or a Map, got the string "a"/],
      [{ dispatcher: sub, inputs: ['a', 'a'] }, /'a' is mapped twice/],
      [{ dispatcher: sub, weight: 'heavy' }, /weight must be a number/],
      [{ dispatcher: sub, inputs: ['a'], inpWeight: { a: null } }, /weight must be a number/],
      [{ dispatcher: sub, inputs: ['a'], inpWeight: { k: 1 } }, /'k' is not one of \['a'\]/],
      [{ dispatcher: sub, inputDomain: 'yes' }, /inputDomain: expected a function/],
      [{ dispatcher: sub, id: 3 }, /id must be a string/],
    ]
    for (const [options, message] of bad) {
      const err = thrown(() => d.addDispatcher(options as never))
      expect(err, String(message)).toBeInstanceOf(ModelError)
      expect((err as Error).message).toMatch(message)
    }
    expect([...d.nodes.keys()]).toEqual(['f', 'p', 'q'])
  })

  it('refuses to contain itself', () => {
    const d = new Dispatcher()
    expect(() => d.addDispatcher({ dispatcher: d })).toThrow(/cannot contain itself/)
  })

  it("takes several ids as one key of a Map mapping (schedula's tuple key): each maps to the value", () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'g', fn: (c: number) => c * 10, inputs: ['c'], outputs: ['x'] })
    child.addFunction({ id: 'h', fn: (c: number) => c + 1, inputs: ['c'], outputs: ['y'], weight: 5 })
    const d = new Dispatcher()
    d.addDispatcher({
      dispatcher: child,
      id: 'S',
      inputs: new Map([[['a', 'b'], 'c']]),
      outputs: new Map([[['x', 'y'], 'p']]),
    })
    const node = d.subDispatcherNodes.get('S')!
    expect([...node.inputs]).toEqual([
      ['a', ['c']],
      ['b', ['c']],
    ])
    expect([...node.outputs]).toEqual([
      ['x', ['p']],
      ['y', ['p']],
    ])
    expect(d.predecessors('S')).toEqual(['a', 'b'])
    // The parent's p comes from the child output computed first (x, at the smaller distance).
    expect(d.dispatch({ a: 1 }).get('p')).toBe(10)
    expect(d.dispatch({ b: 2 }).get('p')).toBe(20)
    expect(() => new Dispatcher().addDispatcher({ dispatcher: child, inputs: new Map([[[], 'c']]) })).toThrow(/a key lists no id/)
    expect(() => new Dispatcher().addDispatcher({ dispatcher: child, inputs: new Map([[['a', 'a'], 'c']]) })).toThrow(/'a' is mapped twice/)
  })

  it('refuses to contain itself indirectly: the second link of a cycle is a ModelError naming the cycle', () => {
    const p = new Dispatcher({ name: 'p' })
    const q = new Dispatcher({ name: 'q' })
    const r = new Dispatcher({ name: 'r' })
    p.addFunction({ id: 'f', fn: (x: number) => x, inputs: ['a'], outputs: ['b'] })
    q.addDispatcher({ dispatcher: p, id: 'P', inputs: { a: 'a' }, outputs: { b: 'c' } })
    r.addDispatcher({ dispatcher: q, id: 'Q', inputs: { a: 'a' }, outputs: { c: 'd' } })
    const err = thrown(() => p.addDispatcher({ dispatcher: r, id: 'R', inputs: { a: 'a' }, outputs: { d: 'e' } }))
    expect(err).toBeInstanceOf(ModelError)
    expect((err as Error).message).toBe(
      "Dispatcher.addDispatcher: dispatcher 'p' cannot contain 'r', which already contains it ('p' → 'r' → 'q' → 'p'): " +
        'a dispatcher cannot contain itself, even indirectly; add a copy() of the child instead',
    )
    expect([...p.nodes.keys()]).toEqual(['f', 'a', 'b'])
    // A copy breaks the cycle: it is a model of its own.
    p.addDispatcher({ dispatcher: r.copy(), id: 'R', inputs: { a: 'a' }, outputs: { d: 'e' } })
    expect(p.dispatch({ a: 1 }).get('e')).toBe(1)
  })

  it('rejects unknown options, naming the option and listing the valid ones', () => {
    const d = new Dispatcher()
    const err = thrown(() => d.addDispatcher({ dispatcher: makeSub(), include_defaults: true } as never)) as Error
    expect(err).toBeInstanceOf(ModelError)
    expect(err.message).toMatch(/unknown option `include_defaults`.*Valid options: dispatcher, id, inputs, outputs/)
  })
})

describe('§3.6 addFromLists', () => {
  it('adds data, then functions, then dispatchers and returns their ids', () => {
    // Adapted: Python's min(3) fails ('int' object is not iterable); `min` below fails the same way.
    const min = (xs: number[]) => Math.min(...xs)
    const child = new Dispatcher()
    child.addFunction({ fn: min, inputs: ['c'], outputs: ['d'] })
    const d = new Dispatcher()
    expect(
      d.addFromLists({
        data: [{ id: 'a', defaultValue: 1 }],
        functions: [{ fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] }],
        dispatchers: [{ dispatcher: child, id: 'S', inputs: ['c'], outputs: ['d'] }],
      }),
    ).toEqual({ data: ['a'], functions: ['max'], dispatchers: ['S'] })
    const sol = d.dispatch({ b: 3 })
    expect(entries(sol)).toEqual([
      ['a', 1],
      ['b', 3],
      ['c', 3],
    ])
    expect(sol.getSubSolution('S')!.errors.get('min')!.path).toEqual(['S', 'min'])
  })

  it('returns empty id lists for empty lists', () => {
    expect(new Dispatcher().addFromLists({})).toEqual({ data: [], functions: [], dispatchers: [] })
  })
})

describe('§3.7 setDefaultValue', () => {
  it('sets value and initial distance; EMPTY (the default) removes it', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' })
    d.setDefaultValue('a', 5, 2)
    expect(d.defaultValues).toEqual(new Map([['a', { value: 5, initialDist: 2 }]]))
    d.setDefaultValue('a')
    expect(d.defaultValues.size).toBe(0)
    d.setDefaultValue('a', 5)
    d.setDefaultValue('a', EMPTY)
    expect(d.defaultValues.size).toBe(0)
  })

  it('accepts inf distances and null / NONE values', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' })
    d.addData({ id: 'b' })
    d.setDefaultValue('a', null, inf(1, 0))
    d.setDefaultValue('b', NONE)
    expect(d.defaultValues).toEqual(
      new Map<NodeId, unknown>([
        ['a', { value: null, initialDist: inf(1, 0) }],
        ['b', { value: NONE, initialDist: 0 }],
      ]),
    )
  })

  // Was a bug found by these tests; fixed in the engine.
  it('keeps an explicit undefined default value', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: undefined })
    expect(d.defaultValues.get('a')).toEqual({ value: undefined, initialDist: 0 })
  })

  it('throws a ModelError for a missing id or a non-data node', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' })
    const missing = thrown(() => d.setDefaultValue('aa', 1)) as ModelError
    expect(missing).toBeInstanceOf(ModelError)
    expect([missing.nodeId, missing.message]).toEqual(['aa', expect.stringMatching(/'aa' is not a node.*Did you mean 'a'\?/)])
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] })
    const fn = thrown(() => d.setDefaultValue('f', 1)) as ModelError
    expect(fn).toBeInstanceOf(ModelError)
    expect([fn.nodeId, fn.message]).toEqual(['f', expect.stringMatching(/'f' is a function node/)])
  })

  // Was a bug found by these tests; fixed in the engine.
  it('rejects a distance that is not a number or inf with a ModelError', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' })
    expect(() => d.setDefaultValue('a', 1, '2' as never)).toThrow(ModelError)
  })

  it('rejects a distance that is not a number or inf', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a' })
    expect(() => d.setDefaultValue('a', 1, '2' as never)).toThrow(/a distance must be a number or inf/)
    expect(() => d.setDefaultValue('a', 1, NaN)).toThrow(/NaN/)
    expect(() => d.addData({ id: 'b', defaultValue: 1, initialDist: {} as never })).toThrow(/initialDist/)
    expect(d.defaultValues.size).toBe(0)
  })
})

describe('addData argument validation', () => {
  it('rejects bad ids, callables, filters and weights with a ModelError', () => {
    const d = new Dispatcher()
    const bad: [object, RegExp][] = [
      [{ id: 1 }, /id must be a string or a special token/],
      [{ id: NONE }, /id must be a string or a special token/],
      [{ id: 'a', fn: 'sum' }, /\.fn: expected a function/],
      [{ id: 'a', callback: 1 }, /\.callback: expected a function/],
      [{ id: 'a', filters: [1] }, /filters\[0\]: expected a function/],
      [{ id: 'a', weight: '1' }, /weight must be a number/],
    ]
    for (const [options, message] of bad) {
      const err = thrown(() => d.addData(options))
      expect(err, String(message)).toBeInstanceOf(ModelError)
      expect((err as Error).message).toMatch(message)
    }
    expect(d.nodes.size).toBe(0)
  })

  it('rejects unknown options, naming the option and listing the valid ones', () => {
    const d = new Dispatcher()
    const err = thrown(() => d.addData({ id: 'a', default_value: 1 } as never)) as Error
    expect(err).toBeInstanceOf(ModelError)
    expect(err.message).toMatch(/unknown option `default_value`.*Valid options: id, defaultValue, initialDist, waitInputs/)
  })

  it('gives every building error the FlowmarkError base', () => {
    expect(thrown(() => new Dispatcher().addData({ bad: 1 } as never))).toBeInstanceOf(FlowmarkError)
    expect(DispatcherError.prototype).toBeInstanceOf(FlowmarkError)
  })
})

describe('§3.8 copy', () => {
  it('copies the model deeply and shares the functions', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
    const c = d.copy()
    c.addData({ id: 'z' })
    expect(c).not.toBe(d)
    expect(d.nodes.has('z')).toBe(false)
    expect((c.nodes.get('f') as FunctionNode).fn).toBe(Math.max)
    expect(c.edges).toEqual(d.edges)
  })

  it('copies defaults, nested dispatchers, settings and the index counter; SELF points to the copy', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'g', fn: (a: number) => a * 2, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher({ name: 'root', description: 'R', raises: true })
    d.addData({ id: 'x', defaultValue: 3, initialDist: 1 })
    d.addData({ id: SELF })
    d.addDispatcher({ dispatcher: sub, inputs: { x: 'a' }, outputs: { b: 'y' }, id: 'S' })
    const c = d.copy()
    expect([c.name, c.description, c.raises]).toEqual(['root', 'R', true])
    expect(c.defaultValues.get('x')).toEqual({ value: 3, initialDist: 1 })
    expect(c.defaultValues.get(SELF)!.value).toBe(c)
    const inner = (c.nodes.get('S') as SubDispatcherNode).dispatcher
    expect(inner).not.toBe(sub)
    inner.addData({ id: 'extra' })
    expect(sub.nodes.has('extra')).toBe(false)
    c.addData({ id: 'n1' })
    d.addData({ id: 'n1' })
    expect(c.nodes.get('n1')!.index).toBe(d.nodes.get('n1')!.index)
    expect(entries(c.dispatch())).toEqual([
      [SELF, c],
      ['x', 3],
      ['y', 6],
    ])
  })

  it('leaves the original untouched when the copy is edited', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1 })
    d.addFunction({ id: 'f', fn: Math.max, inputs: ['a'], outputs: ['b'] })
    const c = d.copy()
    c.setDefaultValue('a', 2)
    c.addFunction({ id: 'g', fn: Math.min, inputs: ['b'], outputs: ['a'] })
    expect(d.defaultValues.get('a')!.value).toBe(1)
    expect(d.successors('b')).toEqual([])
    expect(entries(d.dispatch())).toEqual([
      ['a', 1],
      ['b', 1],
    ])
  })
})
