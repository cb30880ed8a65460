// Typed models and typed wrappers: tsc (run by `npm test`) checks the expectTypeOf assertions and the @ts-expect-error lines.
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  Blueprint,
  DispatchPipe,
  Dispatcher,
  NONE,
  SINK,
  START,
  SubDispatch,
  SubDispatchFunction,
  SubDispatchPipe,
  type Solution,
} from '../../engine/index.ts'
import { addArgs, bypass, combineDicts, partial, selector, summation } from '../../engine/helpers.ts'

type Shape = { a: number; b: number; c: number; label: string }

/** Holds code that must not compile (each line under @ts-expect-error): type-checked by tsc, never run. */
function typeOnly(_code: () => unknown): void {}

function typedModel(): Dispatcher<Shape> {
  const d = new Dispatcher<Shape>({ name: 'typed' })
  d.addData({ id: 'b', defaultValue: 2 })
  d.addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
  d.addFunction({ id: 'show', fn: (c: number) => `c = ${c}`, inputs: ['c'], outputs: ['label'] })
  return d
}

describe('typed models', () => {
  it('type the values read from a solution, and still dispatch', () => {
    const sol = typedModel().dispatch({ a: 1 }, ['label'])
    expectTypeOf(sol.get('c')).toEqualTypeOf<number | undefined>()
    expectTypeOf(sol.get('label')).toEqualTypeOf<string | undefined>()
    expectTypeOf(sol.toObject()).toEqualTypeOf<{ a?: number; b?: number; c?: number; label?: string }>()
    expect([sol.get('c'), sol.get('label')]).toEqual([3, 'c = 3'])
    // A typed solution is a Solution: it goes wherever one is expected.
    const plain: Solution = sol
    expect(plain.size).toBe(4)
    // It is the generic Solution<T>, which can be named directly.
    expectTypeOf(sol).toEqualTypeOf<Solution<{ a: number; b: number; c: number; label: string }>>()
    const named: Solution<{ c: number }> = sol
    expectTypeOf(named.get('c')).toEqualTypeOf<number | undefined>()
    expectTypeOf(plain.get('c')).toEqualTypeOf<unknown>()
  })

  it('check ids, argument types, result types and inputs', () => {
    const d = typedModel()
    typeOnly(() => {
      // @ts-expect-error 'zz' is not a data node of the shape
      d.addFunction({ id: 'bad1', fn: (a: number) => a, inputs: ['zz'], outputs: ['c'] })
    })
    typeOnly(() => {
      // @ts-expect-error `a` is a number, not a string
      d.addFunction({ id: 'bad2', fn: (a: string) => a.length, inputs: ['a'], outputs: ['c'] })
    })
    typeOnly(() => {
      // @ts-expect-error `c` is a number, the function returns a string
      d.addFunction({ id: 'bad3', fn: (a: number) => String(a), inputs: ['a'], outputs: ['c'] })
    })
    typeOnly(() => {
      // @ts-expect-error the default of `b` must be a number
      d.addData({ id: 'b', defaultValue: 'two' })
    })
    typeOnly(() => {
      // @ts-expect-error inputs must have the declared types
      d.dispatch({ a: 'one' })
    })
    typeOnly(() => {
      // @ts-expect-error outputs must be declared ids
      d.dispatch({ a: 1 }, ['nope'])
    })
    // Several outputs: a tuple (or an iterable) of their values; NONE leaves one unset; special tokens are allowed.
    d.addFunction({ id: 'split', fn: (c: number) => [c, NONE] as const, inputs: ['c'], outputs: ['a', 'b'] })
    d.addFunction({ id: 'seed', fn: () => 1, inputs: [START], outputs: ['a'] })
    d.addFunction({ id: 'sink', fn: (label: string) => label.length, inputs: ['label'], outputs: [SINK] })
    expect([...d.functionNodes.keys()]).toEqual(['add', 'show', 'split', 'seed', 'sink'])
  })

  it('cost nothing for untyped models: every id and every function fit, reads are unknown', () => {
    const d = new Dispatcher()
    d.addFunction({ fn: (a: number, b = 1) => [a + b, a - b], inputs: ['a'], outputs: ['x', 'y'] })
    d.addFunction({ fn: Math.max, inputs: ['p', 'q', 'r'] })
    expectTypeOf(d.dispatch({ a: 1 }).get('x')).toEqualTypeOf<unknown>()
    expect(d.dispatch({ a: 1 }).get('y')).toBe(0)
    expectTypeOf(d.dispatch()).toEqualTypeOf<Solution>()
    expectTypeOf(d).toEqualTypeOf<Dispatcher>()
    // A typed model is accepted where an untyped one is expected.
    const parent = new Dispatcher()
    parent.addDispatcher({ dispatcher: typedModel() })
    const copy: Dispatcher<Shape> = typedModel().copy()
    expect(copy.name).toBe('typed')
  })

  it('type blueprints like their dispatchers', () => {
    const blue = new Blueprint<Shape>().addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    typeOnly(() => {
      // @ts-expect-error 'zz' is not declared
      blue.addData({ id: 'zz' })
    })
    typeOnly(() => {
      // @ts-expect-error the default of `a` must be a number
      blue.setDefaultValue('a', 'one')
    })
    blue.setDefaultValue('b', 5)
    expectTypeOf(blue.register()).toEqualTypeOf<Dispatcher<Shape>>()
    expectTypeOf(blue.dispatch({ a: 1, b: 2 }).get('c')).toEqualTypeOf<number | undefined>()
    expect(blue.dispatch({ a: 1, b: 2 }).get('c')).toBe(3)
    expect(blue.dispatch({ a: 1 }).get('c')).toBe(6)
  })
})

describe('typed wrappers', () => {
  it('SubDispatchFunction and the pipes take typed positional arguments and return typed outputs', () => {
    const d = typedModel()
    const F = SubDispatchFunction(d, { inputs: ['a', 'b'], outputs: ['label'] })
    expectTypeOf(F).parameters.toEqualTypeOf<[a?: number, b?: number]>()
    expectTypeOf(F(1)).toEqualTypeOf<string>()
    typeOnly(() => {
      // @ts-expect-error `a` is a number
      F('one')
    })
    const G = SubDispatchPipe(d, { inputs: ['a'], outputs: ['c', 'label'] })
    expectTypeOf(G(1)).toEqualTypeOf<[number, string]>()
    const H = DispatchPipe(d, { inputs: ['a'], outputs: ['c'], outputType: 'dict' })
    expectTypeOf(H(1)).toEqualTypeOf<{ c: number }>()
    expect([F(1), G(1), H(1)]).toEqual(['c = 3', [3, 'c = 3'], { c: 3 }])
    expectTypeOf(SubDispatchFunction(d, { inputs: ['a'] })(1).get('c')).toEqualTypeOf<number | undefined>()
  })

  it('SubDispatch types its dictionaries and its result', () => {
    const d = typedModel()
    const all = SubDispatch(d)
    expectTypeOf(all({ a: 1 }).get('c')).toEqualTypeOf<number | undefined>()
    const values = SubDispatch(d, { outputs: ['c'], outputType: 'values' })
    expectTypeOf(values({ a: 1 })).toEqualTypeOf<number>()
    typeOnly(() => {
      // @ts-expect-error inputs must have the declared types
      values({ a: 'x' })
    })
    expect(values({ a: 1 })).toBe(3)
    const untyped = SubDispatch(new Dispatcher(), { outputs: ['c'], outputType: 'values' })
    expectTypeOf(untyped).returns.toEqualTypeOf<unknown>()
  })
})

describe('typed helpers', () => {
  it('infer what they return and reject misuse', () => {
    expectTypeOf(bypass(1)).toEqualTypeOf<1>()
    expectTypeOf(bypass(1, 'a')).toEqualTypeOf<readonly [1, 'a']>()
    expectTypeOf(summation(1, 2)).toEqualTypeOf<number>()
    expectTypeOf(summation('a', 'b')).toEqualTypeOf<string>()
    typeOnly(() => {
      // @ts-expect-error numbers and strings do not mix
      summation(1, 'b')
    })
    expectTypeOf(combineDicts({ a: 1, b: 'x' }, { b: 2 })).toEqualTypeOf<
      Omit<{ readonly a: 1; readonly b: 'x' }, 'b'> & { readonly b: 2 }
    >()
    const src = { a: 1, b: 'x' }
    expectTypeOf(selector(['a'], src)).toEqualTypeOf<Pick<{ a: number; b: string }, 'a'>>()
    expectTypeOf(selector(['a', 'b'], src, { outputType: 'list' })).toEqualTypeOf<[number, string]>()
    expectTypeOf(selector(['b'], src, { outputType: 'values' })).toEqualTypeOf<string>()
    typeOnly(() => {
      // @ts-expect-error 'z' is not a key of the dictionary
      selector(['z'], src)
    })
    const add = (a: number, b: string) => `${a}${b}`
    expectTypeOf(partial(add, 1)).toEqualTypeOf<(b: string) => string>()
    typeOnly(() => {
      // @ts-expect-error the bound argument must be a number
      partial(add, 'x')
    })
    expectTypeOf(addArgs(add, 2)).parameters.toEqualTypeOf<[unknown, unknown, number, string]>()
    expect([partial(add, 1)('x'), addArgs(add, 2)(null, null, 1, 'y')]).toEqual(['1x', '1y'])
  })
})
