// The step rules shared by the search and the plan replay: bad multi-output results, throwing iterators, error names.
import { describe, expect, it } from 'vitest'
import {
  CallError,
  Dispatcher,
  DispatcherAbort,
  DispatcherError,
  DispatchPipe,
  FlowmarkError,
  ModelError,
  NodeError,
  PlotError,
  PlotOptionError,
} from '../../engine/index.ts'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected the call to throw')
}

/** `a → f → (b, c)`, plus a fallback `a → g → b` that is farther (weight 5). */
function model(f: (a: number) => unknown, raises = false): Dispatcher {
  const d = new Dispatcher({ name: 'm', raises })
  d.addFunction({ id: 'f', fn: f, inputs: ['a'], outputs: ['b', 'c'] })
  d.addFunction({ id: 'g', fn: (a: number) => a * 100, inputs: ['a'], outputs: ['b'], weight: 5 })
  return d
}

function* endless(): Generator<number> {
  for (let i = 0; ; i++) yield i
}

const throwingIterable = (err: unknown): Iterable<unknown> => ({
  [Symbol.iterator]: () => ({
    next(): IteratorResult<unknown> {
      throw err
    },
  }),
})

describe('a function returning the wrong number of values for its outputs', () => {
  it.each([
    ['fewer', (a: number) => [a], /returned 1 value;/],
    ['more', (a: number) => [a, a, a], /returned 3 values;/],
    ['more, from an endless iterator (read one past the outputs, not to the end)', () => endless(), /returned more than 2 values;/],
  ] as const)("%s: is the node's recorded failure, and the search takes the other path", (_name, f, message) => {
    const sol = model(f).dispatch({ a: 2 })
    const error = sol.errors.get('f')
    expect(error).toBeInstanceOf(NodeError)
    expect(error!.kind).toBe('function')
    expect(error!.message).toMatch(message)
    expect(error!.message).toMatch(/declares 2 outputs \['b', 'c'\]/)
    expect(sol.has('c')).toBe(false)
    expect(sol.get('b')).toBe(200) // from g: f set nothing
  })

  it('stops the dispatch when the dispatcher raises', () => {
    const err = thrown(() => model((a) => [a], true).dispatch({ a: 2 }))
    expect(err).toBeInstanceOf(DispatcherError)
    expect((err as DispatcherError).message).toMatch(/^dispatch stopped: function 'f' failed: TypeError: .*returned 1 value;/)
    expect((err as DispatcherError).nodeId).toBe('f')
  })

  it('exactly as many values, NONE included, is fine', () => {
    const sol = model((a) => [a + 1, a + 2]).dispatch({ a: 2 })
    expect([sol.errors.size, sol.get('b'), sol.get('c')]).toEqual([0, 3, 4])
  })

  it('is a failure of the pipe too (its plan breaks at f)', () => {
    const d = model((a) => [a])
    const strict = thrown(() => DispatchPipe(d, { inputs: ['a'], outputs: ['b'] })(2))
    expect(strict).toBeInstanceOf(DispatcherError)
    expect((strict as DispatcherError).nodeId).toBe('f')
    expect(((strict as DispatcherError).cause as NodeError).message).toMatch(/returned 1 value;/)
  })
})

describe('a returned iterable whose iterator throws', () => {
  it("is recorded as the node's failure, with the thrown value as cause, instead of escaping dispatch()", () => {
    const boom = new RangeError('boom')
    const sol = model(() => throwingIterable(boom)).dispatch({ a: 2 })
    expect(sol.errors.get('f')!.cause).toBe(boom)
    expect(sol.get('b')).toBe(200)
  })

  it('is recorded by the pipe too', () => {
    const boom = new RangeError('boom')
    const err = thrown(() =>
      DispatchPipe(
        model(() => throwingIterable(boom)),
        { inputs: ['a'], outputs: ['b'] },
      )(2),
    )
    expect(((err as DispatcherError).cause as NodeError).cause).toBe(boom)
  })
})

describe('dispatch and DispatchPipe agree on a result that is not iterable', () => {
  it.each([
    ['an object without a prototype', () => Object.create(null) as unknown],
    ['a number', () => 1],
    ['undefined', () => undefined],
  ])('%s: the same DispatcherError from both', (_name, f) => {
    const d = model(f)
    const viaDispatch = thrown(() => d.dispatch({ a: 2 }))
    const viaPipe = thrown(() => DispatchPipe(d, { inputs: ['a'], outputs: ['b'] })(2))
    expect(viaDispatch).toBeInstanceOf(DispatcherError)
    expect(viaPipe).toBeInstanceOf(DispatcherError)
    expect((viaPipe as Error).message).toBe((viaDispatch as Error).message)
    expect((viaDispatch as Error).message).toMatch(/^function 'f' declares 2 outputs \['b', 'c'\] but returned .*, which is not iterable/)
  })
})

describe('dispatch and DispatchPipe agree on a promise', () => {
  it("is the node's failure with the same message in both", async () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: async (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const viaDispatch = d.dispatch({ a: 1 }).errors.get('f')!
    const viaPipe = (thrown(() => DispatchPipe(d, { inputs: ['a'], outputs: ['b'] })(1)) as DispatcherError).cause as NodeError
    expect(viaPipe.message).toBe(viaDispatch.message)
    expect(viaDispatch.message).toMatch(/returned a promise, but this dispatch is synchronous/)
  })
})

describe('error names', () => {
  it.each([
    ['FlowmarkError', new FlowmarkError('x')],
    ['ModelError', new ModelError('x')],
    ['NodeError', new NodeError('f', ['f'], 'function', new Error('x'))],
    ['DispatcherError', new DispatcherError('x')],
    ['DispatcherAbort', new DispatcherAbort()],
    ['CallError', new CallError('F', 'x')],
    ['PlotError', new PlotError('x')],
    ['PlotOptionError', new PlotOptionError('rows', 'x')],
  ])('%s has its literal name on its own prototype, not read from the (minifiable) class name', (name, err) => {
    expect(err.name).toBe(name)
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(err), 'name')?.value).toBe(name)
    expect(Object.keys(err)).not.toContain('name')
    expect(err).toBeInstanceOf(FlowmarkError)
  })

  it('a renamed subclass (as a minifier leaves it) keeps the name it was given', () => {
    const Renamed = class extends ModelError {}
    expect(new Renamed('x').name).toBe('ModelError')
    expect(String(new Renamed('oops'))).toBe('ModelError: oops')
  })
})
