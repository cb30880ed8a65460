// Function wrappers (schedula-engine.md §7): SubDispatch, SubDispatchFunction, the pipes, MapDispatch and runModel.
import { describe, expect, it } from 'vitest'
import {
  CallError,
  DispatchPipe,
  Dispatcher,
  DispatcherError,
  MapDispatch,
  ModelError,
  NONE,
  NodeError,
  START,
  SubDispatch,
  SubDispatchFunction,
  SubDispatchPipe,
  WRAPPED_MODEL,
  isModelWrapper,
  runModel,
  runModelWith,
  type Solution,
} from '../../engine/index.ts'
import { SHAPES } from '../../bench/shapes.ts'

/** Captures what a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected the call to throw')
}

const firstLine = (e: Error) => e.message.split('\n')[0]
const entries = (sol: unknown) => [...(sol as Solution).entries()]

/** schedula's `m`: f(a) → (a + 1, a - 1) as b, c. */
function plusMinus(): Dispatcher {
  const m = new Dispatcher({ name: 'm', description: 'plus and minus one' })
  m.addFunction({ id: 'f', fn: (a: number) => [a + 1, a - 1], inputs: ['a'], outputs: ['b', 'c'] })
  return m
}

/** schedula's model of §7.2: k defaults to 10, b = a * k, c = b + 1. */
function scaled(): Dispatcher {
  const m = new Dispatcher({ name: 'm' })
  m.addData({ id: 'k', defaultValue: 10 })
  m.addFunction({ id: 'f', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
  m.addFunction({ id: 'g', fn: (b: number) => b + 1, inputs: ['b'], outputs: ['c'] })
  return m
}

describe('§7.1 SubDispatch', () => {
  it('returns the solution or the outputs as a dict, a list or values', () => {
    const m = plusMinus()
    expect(entries(SubDispatch(m, { outputs: ['b', 'c'] })({ a: 1 }, { x: 0 }))).toEqual([
      ['x', 0],
      ['a', 1],
      ['b', 2],
      ['c', 0],
    ])
    expect(SubDispatch(m, { outputs: ['b', 'c'], outputType: 'dict' })({ a: 1 }, { x: 0 })).toEqual({ b: 2, c: 0 })
    expect(SubDispatch(m, { outputs: ['b', 'c'], outputType: 'list' })({ a: 1 }, { x: 0 })).toEqual([2, 0])
    expect(SubDispatch(m, { outputs: ['b', 'c'], outputType: 'values' })({ a: 1 }, { x: 0 })).toEqual([2, 0])
    expect(SubDispatch(m, { outputs: ['b'], outputType: 'values' })({ a: 1 })).toBe(2)
  })

  it('throws a DispatcherError listing the available outputs when one is missing, unless allowMiss', () => {
    const m = plusMinus()
    const err = thrown(() => SubDispatch(m, { outputs: ['zz'], outputType: 'list' })({ a: 1 }))
    expect(err).toBeInstanceOf(DispatcherError)
    expect(err.message.split('\n').slice(0, 2)).toEqual(["Unreachable output-targets: 'zz' (in m).", "  Available outputs: ['a']"])
    expect(SubDispatch(m, { outputs: ['zz'], outputType: 'list', allowMiss: true })({ a: 1 })).toEqual([])
  })

  it('is a model wrapper: name, description, WRAPPED_MODEL, last solution', () => {
    const m = plusMinus()
    const sd = SubDispatch(m, { outputs: ['b'], outputType: 'values' })
    expect([sd.name, sd.description, sd.wrapperKind, sd[WRAPPED_MODEL], isModelWrapper(sd)]).toEqual([
      'm',
      'plus and minus one',
      'SubDispatch',
      m,
      true,
    ])
    expect(SubDispatch(m, { id: 'other', description: 'D' }).name).toBe('other')
    sd({ a: 5 })
    expect(sd.solution?.get('b')).toBe(6)
    expect(isModelWrapper(() => 1)).toBe(false)
    expect(() => SubDispatch(m, { outputType: 'list' })).toThrow(/outputType 'list' selects outputs, so give `outputs` too/)
    expect(() => SubDispatch(m, { outputType: 'bad' as never })).toThrow(ModelError)
  })

  it('works as a node of a larger model, which falls back to an alternative path when it fails', () => {
    const sub = new Dispatcher({ name: 'root' })
    sub.addFunction({ id: 'sqrt', fn: Math.sqrt, inputs: ['x'], outputs: ['r'], inputDomain: (x: number) => x >= 0 })
    const parent = new Dispatcher()
    parent.addFunction({ id: 'viaSub', fn: SubDispatch(sub, { outputs: ['r'], outputType: 'values' }), inputs: ['in'], outputs: ['out'] })
    parent.addFunction({ id: 'fallback', fn: (i: { x: number }) => `no real root of ${i.x}`, inputs: ['in'], outputs: ['out'], weight: 3 })
    expect(parent.dispatch({ in: { x: 9 } }).get('out')).toBe(3)
    const sol = parent.dispatch({ in: { x: -4 } })
    expect(sol.get('out')).toBe('no real root of -4')
    expect(sol.errors.get('viaSub')).toBeInstanceOf(NodeError)
    expect(sol.errors.get('viaSub')!.message).toMatch(/function 'viaSub' failed: DispatcherError: Unreachable output-targets: 'r'/)
  })

  it('deep-copies the inputs with copyInputs, so the model may modify them', () => {
    const m = new Dispatcher()
    m.addFunction({ id: 'push', fn: (l: number[]) => (l.push(1), l.length), inputs: ['l'], outputs: ['n'] })
    const list: number[] = []
    expect(SubDispatch(m, { outputs: ['n'], outputType: 'values', copyInputs: true })({ l: list })).toBe(1)
    expect(list).toEqual([])
  })
})

describe('§7.2 SubDispatchFunction', () => {
  it('takes positional inputs with the model defaults, and inputs by name', () => {
    const fn = SubDispatchFunction(scaled(), { id: 'F', inputs: ['a', 'k'], outputs: ['c'] })
    expect([fn.name, fn.signature, fn(2), fn(2, 3), fn.withInputs({ a: 2, k: 3 }), fn.withInputs({ b: 0 }, 2)]).toEqual([
      'F',
      'F(a, k = 10)',
      21,
      7,
      7,
      1,
    ])
  })

  it('says what is wrong with a call', () => {
    const fn = SubDispatchFunction(scaled(), { id: 'F', inputs: ['a', 'k'], outputs: ['c'] })
    const errors = [
      () => (fn as (...a: unknown[]) => unknown)(),
      () => (fn as (...a: unknown[]) => unknown)(1, 2, 3),
      () => fn.withInputs({ a: 2 }, 1),
      () => fn.withInputs({ zz: 2 }, 1),
    ].map(thrown)
    for (const e of errors) expect(e).toBeInstanceOf(CallError)
    expect(errors.map((e) => e.message)).toEqual([
      "F(): missing a required argument: 'a'",
      "F(): too many positional arguments: it takes 2 ('a', 'k'), got 3",
      "F(): multiple values for argument 'a'",
      "F(): unexpected input 'zz': it is not a data node of the model; the parameters are ('a', 'k')",
    ])
  })

  it('returns a list for several outputs and the solution without outputs; shrinks the model', () => {
    const m = scaled()
    expect(SubDispatchFunction(m, { id: 'G', inputs: ['a'], outputs: ['b', 'c'] })(1)).toEqual([10, 11])
    const H = SubDispatchFunction(m, { id: 'H', inputs: ['a'] })
    expect(entries(H(1))).toEqual([
      ['a', 1],
      ['k', 10],
      ['b', 10],
      ['c', 11],
    ])
    const B = SubDispatchFunction(m, { id: 'B', inputs: ['a'], outputs: ['b'] })
    expect([...B[WRAPPED_MODEL].nodes.keys()].sort()).toEqual(['a', 'b', 'f', 'k'])
    expect(B[WRAPPED_MODEL].name).toBe('B')
    expect(m.name).toBe('m')
  })

  it('rejects at construction an output the inputs cannot reach', () => {
    const err = thrown(() => SubDispatchFunction(scaled(), { id: 'X', inputs: ['b'], outputs: ['a'] }))
    expect(err).toBeInstanceOf(ModelError)
    expect(err.message).toMatch(/^SubDispatchFunction\('X'\): Unreachable output-targets: 'a'/)
  })
})

/** schedula's §7.3 models. */
function guarded(): Dispatcher {
  const m = new Dispatcher()
  m.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'], inputDomain: (a: number) => a > 0 })
  m.addFunction({ id: 'g', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
  return m
}

function alternative(): Dispatcher {
  const m = new Dispatcher()
  m.addFunction({ id: 'f1', fn: () => 'f1', inputs: ['a'], outputs: ['b'], inputDomain: (a: number) => a > 0 })
  m.addFunction({ id: 'f2', fn: () => 'f2', inputs: ['a'], outputs: ['b'], weight: 5 })
  return m
}

/** The wrappers compared: the function and the two pipes. */
type Wrapper = typeof SubDispatchFunction | typeof SubDispatchPipe | typeof DispatchPipe

function outcomes(make: Wrapper, m: Dispatcher, outputs: string[], args: number[]): unknown[] {
  const fn = make(m, { id: 'F', inputs: ['a'], outputs }) as unknown as (a: number) => unknown
  return args.map((a) => {
    try {
      return fn(a)
    } catch (err) {
      if (!(err instanceof DispatcherError)) throw err
      return `DispatcherError: ${firstLine(err)}`
    }
  })
}

describe('§7.3 SubDispatchPipe and DispatchPipe', () => {
  it('replay the recorded plan; a rejected domain breaks it (no alternative path)', () => {
    expect(outcomes(SubDispatchFunction, guarded(), ['c'], [1, -1])).toEqual([
      4,
      "DispatcherError: Unreachable output-targets: 'c' (in F).",
    ])
    expect(outcomes(SubDispatchPipe, guarded(), ['c'], [1, -1])).toEqual([4, "DispatcherError: Unreachable output-targets: 'c' (in F)."])
    expect(outcomes(DispatchPipe, guarded(), ['c'], [1, -1])).toEqual([
      4,
      expect.stringMatching(
        /^DispatcherError: The pipe is not respected \(in F\): the plan broke at 'f': its input domain rejected the arguments/,
      ),
    ])
    expect(SubDispatchPipe(guarded(), { id: 'F', inputs: ['a'], outputs: ['c'] }).pipe).toEqual(['a', 'f', 'b', 'g', 'c'])
    expect(DispatchPipe(guarded(), { id: 'F', inputs: ['a'], outputs: ['c'] }).pipe).toEqual(['a', 'f', 'b', 'g', 'c'])
  })

  it('do not take the alternative producer the full search takes; fallback: true does', () => {
    expect(outcomes(SubDispatchFunction, alternative(), ['b'], [1, -1])).toEqual(['f1', 'f2'])
    expect(outcomes(SubDispatchPipe, alternative(), ['b'], [1, -1])).toEqual([
      'f1',
      "DispatcherError: Unreachable output-targets: 'b' (in F).",
    ])
    expect(outcomes(DispatchPipe, alternative(), ['b'], [1, -1])).toEqual([
      'f1',
      expect.stringMatching(/^DispatcherError: The pipe is not respected/),
    ])
    const fb = SubDispatchPipe(alternative(), { id: 'F', inputs: ['a'], outputs: ['b'], fallback: true })
    expect([fb(1), fb(-1)]).toEqual(['f1', 'f2'])
    expect(fb.lastBreak).toEqual({ nodeId: 'f1', path: ['f1'], reason: 'domain', error: undefined })
    expect(DispatchPipe(alternative(), { id: 'F', inputs: ['a'], outputs: ['b'], fallback: true })(-1)).toBe('f2')
  })

  it('fallback: true finds a farther producer that the shrunk plan left out (a failing function without a domain)', () => {
    const m = new Dispatcher({ name: 'm' })
    let down = false
    m.addFunction({
      id: 'f',
      fn: (a: number) => {
        if (down) throw new Error('f down')
        return [a + 1, a + 2]
      },
      inputs: ['a'],
      outputs: ['b', 'c'],
    })
    m.addFunction({ id: 'g', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['b'], weight: 5 })
    const pipes = [DispatchPipe, SubDispatchPipe].map((make) => make(m, { inputs: ['a'], outputs: ['b'], fallback: true }))
    expect(pipes.map((p) => p(1))).toEqual([2, 2])
    down = true
    expect(m.dispatch({ a: 1 }, ['b']).get('b')).toBe(100)
    expect(pipes.map((p) => p(1))).toEqual([100, 100])
  })

  it('report a failing function with its error as the cause', () => {
    const m = new Dispatcher()
    m.addFunction({
      id: 'f',
      fn: (a: number) => {
        if (a === 0) throw new RangeError('division by zero')
        return 1 / a
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    m.addFunction({ id: 'g', fn: (b: number) => b * 2, inputs: ['b'], outputs: ['c'] })
    const sub = thrown(() => SubDispatchPipe(m, { id: 'F', inputs: ['a'], outputs: ['c'] })(0)) as DispatcherError
    expect(firstLine(sub)).toBe("Unreachable output-targets: 'c' (in F).")
    expect(sub.message).toMatch(/The plan broke at 'f': function 'f' failed: RangeError: division by zero/)
    expect(sub.cause).toBeInstanceOf(NodeError)
    expect((sub.cause as NodeError).cause).toBeInstanceOf(RangeError)
    const pipe = thrown(() => DispatchPipe(m, { id: 'F', inputs: ['a'], outputs: ['c'] })(0)) as DispatcherError
    expect(pipe.message).toMatch(/^The pipe is not respected \(in F\): the plan broke at 'f': function 'f' failed/)
    expect(pipe.nodeId).toBe('f')
    expect(DispatchPipe(m, { id: 'F', inputs: ['a'], outputs: ['c'] })(4)).toBe(0.5)
  })

  it('follow the raises policy and let a throwing domain escape, as dispatch does', () => {
    const m = new Dispatcher({ raises: true })
    m.addFunction({
      id: 'f',
      fn: () => {
        throw new Error('boom')
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    expect(thrown(() => SubDispatchPipe(m, { inputs: ['a'], outputs: ['b'] })(1)).message).toMatch(
      /^dispatch stopped: function 'f' failed: Error: boom/,
    )
    const d = new Dispatcher()
    d.addFunction({
      id: 'f',
      fn: (a: number) => a,
      inputs: ['a'],
      outputs: ['b'],
      inputDomain: () => {
        throw new Error('bad domain')
      },
    })
    expect(thrown(() => DispatchPipe(d, { inputs: ['a'], outputs: ['b'] })(1)).message).toMatch(
      /^input domain of 'f' threw: Error: bad domain/,
    )
  })

  it('check their arguments: only parameters, and the required ones', () => {
    const fn = SubDispatchPipe(scaled(), { id: 'F', inputs: ['a', 'k'], outputs: ['c'] })
    expect([fn(2), fn(2, 3), fn.withInputs({ k: 3 }, 2), fn.signature]).toEqual([21, 7, 7, 'F(a, k = 10)'])
    expect(thrown(() => (fn as (...a: unknown[]) => unknown)()).message).toBe("F(): missing a required argument: 'a'")
    expect(thrown(() => fn.withInputs({ b: 0 }, 2)).message).toMatch(/^F\(\): unexpected input 'b': not a parameter/)
    expect(thrown(() => (fn as (...a: unknown[]) => unknown)(1, 2, 3))).toBeInstanceOf(CallError)
    expect(thrown(() => SubDispatchPipe(scaled(), { id: 'X', inputs: ['b'], outputs: ['a'] }))).toBeInstanceOf(ModelError)
  })

  it('return every computed value in a Map without outputs, and dicts or lists on request', () => {
    const m = scaled()
    expect([...(SubDispatchPipe(m, { inputs: ['a'] })(2) as Map<string, number>)]).toEqual([
      ['a', 2],
      ['k', 10],
      ['b', 20],
      ['c', 21],
    ])
    expect(DispatchPipe(m, { inputs: ['a'], outputs: ['b', 'c'], outputType: 'dict' })(2)).toEqual({ b: 20, c: 21 })
    expect(DispatchPipe(m, { inputs: ['a'], outputs: ['c', 'b'] })(2)).toEqual([21, 20])
  })

  it('run data-node functions, filters, callbacks and waiting nodes as the search does', () => {
    const seen: unknown[] = []
    const m = new Dispatcher()
    m.addData({ id: 'b', filters: [(v) => (v as number) * 10], callback: (v) => seen.push(v) })
    m.addData({ id: 'c', waitInputs: true, fn: (est) => Object.values(est).reduce((x, y) => (x as number) + (y as number), 0) })
    m.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    m.addFunction({ id: 'g', fn: (b: number) => b, inputs: ['b'], outputs: ['c'] })
    m.addFunction({ id: 'h', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['c'] })
    const full = m.dispatch({ a: 1 }, ['c']).get('c')
    const pipe = DispatchPipe(m, { inputs: ['a'], outputs: ['c'] })
    expect(full).toBe(120)
    expect(pipe(1)).toBe(full)
    expect(pipe(2)).toBe(230)
    expect(seen).toEqual([20, 20, 30])
  })

  it('feed sub-dispatchers and take their outputs back, checking a sub-dispatcher domain', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addData({ id: 'k', defaultValue: 10 })
    sub.addFunction({ id: 'g', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
    const parent = new Dispatcher()
    parent.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['x1'] })
    parent.addDispatcher({ dispatcher: sub, id: 'S', inputs: { x1: 'a' }, outputs: { b: 'y' }, inputDomain: (i) => (i.x1 as number) < 100 })
    parent.addFunction({ id: 'neg', fn: (y: number) => -y, inputs: ['y'], outputs: ['z'] })
    const pipe = SubDispatchPipe(parent, { inputs: ['x'], outputs: ['z'] })
    expect(pipe.pipe).toEqual(['x', 'inc', 'x1', 'S/a', 'S/k', 'S/g', 'S/b', 'y', 'neg', 'z'])
    const direct = SubDispatchFunction(parent, { inputs: ['x'], outputs: ['z'] })
    for (const x of [0, 1, 7]) expect(pipe(x)).toBe(direct(x))
    expect(pipe(1)).toBe(-20)
    expect(thrown(() => pipe(200)).message).toMatch(/the plan broke at 'S': its input domain rejected the arguments/i)
  })

  it('drop NONE arguments and treat a NONE result as not computed', () => {
    const m = new Dispatcher()
    m.addFunction({ id: 'start', fn: () => 5, inputs: [START], outputs: ['five'] })
    m.addFunction({ id: 'maybe', fn: (a: number) => (a > 0 ? a : NONE), inputs: ['a'], outputs: ['b'] })
    m.addFunction({ id: 'sum', fn: (b: number, five: number) => b + five, inputs: ['b', 'five'], outputs: ['c'] })
    const pipe = SubDispatchPipe(m, { inputs: ['a'], outputs: ['c'] })
    expect(pipe(1)).toBe(6)
    expect(thrown(() => pipe(-1)).message).toMatch(/the plan broke at 'sum': one of its inputs was not computed/i)
  })

  it('DispatchPipe re-uses its buffer but stays correct when called from inside itself', () => {
    const m = new Dispatcher()
    let pipe: (n: number) => number = () => 0
    m.addFunction({ id: 'f', fn: (n: number) => (n <= 1 ? 1 : n * pipe(n - 1)), inputs: ['n'], outputs: ['fact'] })
    pipe = DispatchPipe(m, { inputs: ['n'], outputs: ['fact'] }) as unknown as (n: number) => number
    expect([pipe(5), pipe(3)]).toEqual([120, 6])
  })

  it('computes what dispatch computes on the benchmark shapes', () => {
    for (const make of Object.values(SHAPES)) {
      const shape = make(300)
      const dsp = shape.build()
      const inputs = Object.keys(shape.inputs)
      const values = Object.values(shape.inputs)
      const pipe = DispatchPipe(dsp, { inputs, shrink: false })
      const expected = [...dsp.dispatch(shape.inputs)]
      expect([...(pipe(...values) as Map<string, number>)]).toEqual(expected)
      expect([...(pipe(...values.map((v) => v + 1)) as Map<string, number>)]).toEqual([
        ...dsp.dispatch(Object.fromEntries(inputs.map((k, i) => [k, values[i]! + 1]))),
      ])
      expect(pipe.plan.functionCount).toBe(shape.n)
    }
  })
})

describe('§7.4 MapDispatch', () => {
  function sumProduct(): Dispatcher {
    const m = new Dispatcher()
    m.addFunction({ id: 'sp', fn: (a: number, b: number) => [a + b, a * b], inputs: ['a', 'b'], outputs: ['s', 'p'] })
    return m
  }

  it('maps a model over input sets with defaults', () => {
    const f = MapDispatch(sumProduct(), { factoryOptions: { outputs: ['s', 'p'], outputType: 'list' } })
    expect(f([{ a: 1, b: 2 }, { a: 3 }], { b: 10 })).toEqual([
      [3, 2],
      [13, 30],
    ])
    expect(f([])).toEqual([])
  })

  it('passes outputs of one step to the next with recursiveInputs', () => {
    const r = MapDispatch(sumProduct(), { recursiveInputs: { s: 'b' } })
    expect(r([{ a: 1, b: 0 }, { a: 1 }, { a: 1 }]).map((x) => (x as Solution).toObject())).toEqual([
      { a: 1, b: 0, p: 0, s: 1 },
      { a: 1, b: 1, p: 1, s: 2 },
      { a: 1, b: 2, p: 2, s: 3 },
    ])
    expect([...r.dsp!.nodes.keys()]).toEqual([
      'defaults',
      'prepare_inputs',
      'inputs',
      'inputs<1>',
      'inputs<2>',
      'inputs<3>',
      'run<1>',
      'outputs<1>',
      'recursive<2>',
      'recursive_data<2>',
      'run<2>',
      'outputs<2>',
      'recursive<3>',
      'recursive_data<3>',
      'run<3>',
      'outputs<3>',
      'bypass',
      'outputs',
    ])
    expect((r.dsp!.nodes.get('run<2>') as unknown as { fn: { [WRAPPED_MODEL]: unknown } }).fn[WRAPPED_MODEL]).toBe(r[WRAPPED_MODEL])
  })

  it('merges defaults per top-level key (as schedula), or level by level with merge: deep', () => {
    const m = new Dispatcher()
    m.addFunction({ id: 'f', fn: (b: unknown) => b, inputs: ['b'], outputs: ['c'] })
    const opts = { factoryOptions: { outputs: ['c'], outputType: 'values' } } as const
    expect(MapDispatch(m, opts)([{ b: { y: 2 } }, {}], { b: { x: 1 } })).toEqual([{ y: 2 }, { x: 1 }])
    expect(MapDispatch(m, { ...opts, merge: 'deep' })([{ b: { y: 2 } }, {}], { b: { x: 1 } })).toEqual([{ x: 1, y: 2 }, { x: 1 }])
  })

  it('maps over 1,000 input sets', () => {
    const f = MapDispatch(sumProduct(), { factoryOptions: { outputs: ['s', 'p'], outputType: 'list' } })
    const inputs = Array.from({ length: 1000 }, (_, i) => ({ a: i }))
    const out = f(inputs, { b: 2 })
    expect(out).toHaveLength(1000)
    expect(out).toEqual(inputs.map(({ a }) => [a + 2, a * 2]))
    expect(f.dsp!.nodes.size).toBe(3 * 1000 + 5)
    // The generated model is reused for the same length.
    const again = f.dsp
    expect(f(inputs, { b: 3 })[999]).toEqual([1002, 2997])
    expect(f.dsp).toBe(again)
  })

  it('maps a pipe as the factory, and names the step that failed', () => {
    const pipe = MapDispatch(sumProduct(), {
      factoryOptions: { outputs: ['s'] },
      factory: (d, o) => {
        const p = DispatchPipe(d, { inputs: ['a', 'b'], outputs: o.outputs as string[] })
        return (inp: { a: number; b: number }) => p.withInputs(inp)
      },
    })
    expect(
      pipe([
        { a: 1, b: 1 },
        { a: 2, b: 2 },
      ]),
    ).toEqual([2, 4])
    const err = thrown(() => pipe([{ a: 1, b: 1 }, { a: 2 }]))
    expect(err).toBeInstanceOf(DispatcherError)
    expect(err.message).toMatch(/step 'run<2>' failed: function 'run<2>' failed: CallError: .*missing a required argument: 'b'/)
    expect(() =>
      MapDispatch(sumProduct(), { recursiveInputs: ['s'], factoryOptions: { outputs: ['s'], outputType: 'list' } })([
        { a: 1, b: 1 },
        { a: 1 },
      ]),
    ).toThrow(/recursiveInputs needs each result to be a dictionary or a solution, but run<1> returned an array/)
  })
})

describe('§7.5 runModel', () => {
  it('runs a model given as an input: a Dispatcher is dispatched, a function is called', () => {
    const M = new Dispatcher({ name: 'M' })
    M.addFunction({ id: 'max', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
    const d = new Dispatcher()
    d.addFunction({ id: 'run', fn: runModel, inputs: ['model', 'inputs'], outputs: ['out'] })
    expect(entries(d.dispatch({ model: M, inputs: { a: 1, b: 2 } }).get('out'))).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
    ])
    expect(d.dispatch({ model: (x: { a: number; b: number }) => x.a + x.b, inputs: { a: 1, b: 2 } }).get('out')).toBe(3)
    expect(d.dispatch({ model: SubDispatch(M, { outputs: ['c'], outputType: 'values' }), inputs: { a: 4, b: 2 } }).get('out')).toBe(4)
    expect(() => runModel(5 as never)).toThrow(/must be a Dispatcher, a Blueprint or a function, got number/)
  })

  it('runModelWith rewrites the arguments first', () => {
    const M = new Dispatcher()
    M.addFunction({ id: 'max', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
    const run = runModelWith((model, a: number, b: number) => [model, { a, b }, ['c']])
    expect((run(M, 3, 9) as Solution).get('c')).toBe(9)
  })
})

describe('pipes, more cases', () => {
  it('recompute a wildcard input (an input that is also an output) as the full search does', () => {
    const m = new Dispatcher()
    m.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    m.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['a'] })
    m.addFunction({ id: 'h', fn: (a: number, b: number) => a - b, inputs: ['a', 'b'], outputs: ['c'] })
    for (const outputs of [['a'], ['a', 'c'], ['c']]) {
      const full = SubDispatchFunction(m, { inputs: ['a'], outputs })
      const pipe = SubDispatchPipe(m, { inputs: ['a'], outputs })
      for (const a of [1, 5]) expect(pipe(a)).toEqual(full(a))
    }
    expect(SubDispatchPipe(m, { inputs: ['a'], outputs: ['a', 'c'] })(1)).toEqual([20, -1])
  })

  it('work as a node of a larger model, which falls back to an alternative path when the plan breaks', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'sqrt', fn: Math.sqrt, inputs: ['x'], outputs: ['r'], inputDomain: (x: number) => x >= 0 })
    const parent = new Dispatcher()
    const pipe = DispatchPipe(sub, { inputs: ['x'], outputs: ['r'] })
    parent.addFunction({ id: 'viaPipe', fn: pipe, inputs: ['in'], outputs: ['out'] })
    parent.addFunction({ id: 'negative', fn: () => 'negative', inputs: ['in'], outputs: ['out'], weight: 3 })
    expect(parent.dispatch({ in: 9 }).get('out')).toBe(3)
    const sol = parent.dispatch({ in: -9 })
    expect(sol.get('out')).toBe('negative')
    expect(sol.errors.get('viaPipe')!.message).toMatch(/The pipe is not respected \(in sub\): the plan broke at 'sqrt'/)
    expect(pipe[WRAPPED_MODEL].name).toBe('sub')
  })

  it('accept a blueprint: each wrapper registers its own instance', () => {
    const m = scaled()
    const a = SubDispatchPipe(m.blue(), { inputs: ['a'], outputs: ['c'] })
    const b = SubDispatchPipe(m.blue(), { inputs: ['a'], outputs: ['c'] })
    expect([a(1), b(2)]).toEqual([11, 21])
    expect(a[WRAPPED_MODEL]).not.toBe(b[WRAPPED_MODEL])
    expect(SubDispatch(m.blue(), { outputs: ['c'], outputType: 'values' })({ a: 3 })).toBe(31)
    expect(() => SubDispatch(5 as never)).toThrow(/the model must be a Dispatcher or a Blueprint, got number/)
  })
})

/** A deterministic pseudo-random number generator (a linear congruential one), for reproducible random models. */
function rng(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s / 0x7fffffff
  }
}

/** A random model: functions over d0…dN (several producers per node, weights), a default, a waiting node, a sub-dispatcher. */
function randomModel(seed: number): { dsp: Dispatcher; inputs: string[] } {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!
  const d = new Dispatcher({ name: 'random' })
  const n = 4 + Math.floor(r() * 10)
  const ids = Array.from({ length: n }, (_, i) => `d${i}`)
  for (let f = 0, count = 4 + Math.floor(r() * 12); f < count; f++) {
    const ins = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(ids)))]
    const outs = [...new Set([pick(ids), pick(ids)].slice(0, 1 + Math.floor(r() * 2)))].filter((o) => !ins.includes(o))
    if (outs.length === 0) continue
    const fn = (...xs: number[]) => {
      const sum = xs.reduce((a, b) => a + b, f)
      return outs.length === 1 ? sum : outs.map((_, j) => sum * (j + 2))
    }
    d.addFunction({ id: `f${f}`, fn, inputs: ins, outputs: outs, ...(r() < 0.3 ? { weight: Math.floor(r() * 4) } : {}) })
  }
  if (r() < 0.6) {
    const child = new Dispatcher({ name: 'child' })
    const cids = ['c0', 'c1', 'c2', 'c3']
    for (let g = 0, count = 2 + Math.floor(r() * 4); g < count; g++) {
      const ins = [...new Set([pick(cids), pick(cids)])]
      child.addFunction({
        id: `g${g}`,
        fn: (...xs: number[]) => xs.reduce((a, b) => a + b, 50 + g),
        inputs: ins,
        outputs: [pick(cids.filter((c) => !ins.includes(c)))],
      })
    }
    if (r() < 0.5) child.addData({ id: 'c3', defaultValue: 7 })
    const inputs: Record<string, string> = { [pick(ids)]: 'c0' }
    const second = pick(ids)
    if (!(second in inputs)) inputs[second] = 'c1'
    const outputs: Record<string, string> = { c2: pick(ids) }
    if (r() < 0.5) outputs.c3 = pick(ids)
    const domain = r() < 0.3 ? { inputDomain: (i: Record<string, unknown>) => Object.keys(i).length > 0 } : {}
    try {
      d.addDispatcher({ dispatcher: child, id: 'S', inputs, outputs, ...domain })
    } catch (err) {
      if (!(err instanceof ModelError)) throw err // a mapping onto a function node, or onto a child id never created
    }
  }
  if (r() < 0.5) d.addData({ id: ids[n - 1]!, defaultValue: 100, initialDist: Math.floor(r() * 5) })
  if (r() < 0.3)
    d.addData({ id: ids[n - 2]!, waitInputs: true, fn: (est) => Object.values(est).reduce((a: number, b) => a + (b as number), 0) })
  const inputs = ids.slice(0, 1 + Math.floor(r() * 3)).filter((i) => d.nodes.has(i))
  return { dsp: d, inputs }
}

describe('pipes on random models', () => {
  it('compute what the full search computes (300 models, shrunk or not)', () => {
    let compared = 0
    for (let seed = 1; seed <= 300; seed++) {
      const { dsp, inputs } = randomModel(seed)
      if (inputs.length === 0) continue
      const values = inputs.map((_, i) => i + 1)
      const full = dsp.dispatch(Object.fromEntries(inputs.map((k, i) => [k, values[i]])))
      const outputs = [...full.keys()].filter((k): k is string => typeof k === 'string' && !inputs.includes(k))
      if (outputs.length === 0) continue
      for (const shrink of [false, true]) {
        const pipe = DispatchPipe(dsp, { inputs, outputs, outputType: 'dict', shrink })
        const search = SubDispatchFunction(dsp, { inputs, outputs, outputType: 'dict', shrink, allowMiss: true })
        expect({ seed, shrink, values: pipe(...values) }).toEqual({ seed, shrink, values: search(...values) })
        compared++
      }
    }
    expect(compared).toBeGreaterThan(300)
  })
})
