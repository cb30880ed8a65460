// Helper utilities (schedula-engine.md §6): merging, selecting, bypass, summation, renaming, nested dicts, partial, addArgs.
import { describe, expect, it, vi } from 'vitest'
import { Dispatcher, ModelError, SINK, START } from '../../engine/index.ts'
import {
  addArgs,
  areInNestedDicts,
  bypass,
  combineDicts,
  combineDictsWith,
  combineNestedDicts,
  deepCopy,
  getNestedDicts,
  kkDict,
  mapDict,
  mapList,
  parentArgument,
  parentFunc,
  partial,
  replicateValue,
  selector,
  stackNestedKeys,
  summation,
} from '../../engine/helpers.ts'

describe('§6 combineDicts', () => {
  it('merges shallowly, later dicts winning; one dict gives a shallow copy', () => {
    expect(combineDicts({ a: 1, b: 1 }, { b: 2 })).toEqual({ a: 1, b: 2 })
    const inner = [1]
    const one = { a: inner }
    const copy = combineDicts(one)
    expect(copy).toEqual({ a: [1] })
    expect(copy).not.toBe(one)
    expect(copy.a).toBe(inner)
  })

  it('deep-copies the values with copy, and merges into base in place', () => {
    const inner = [1]
    const deep = combineDictsWith({ copy: true }, { a: inner })
    expect(deep).toEqual({ a: [1] })
    expect(deep.a).not.toBe(inner)
    const base: Record<string, unknown> = { z: 0 }
    expect(combineDictsWith({ base }, { a: 1 })).toBe(base)
    expect(base).toEqual({ z: 0, a: 1 })
  })

  it('reads Maps (a Solution) as dictionaries, and rejects other values with a clear error', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    expect(combineDicts(d.dispatch({ a: 1 }), { c: 3 })).toEqual({ a: 1, b: 2, c: 3 })
    expect(combineDicts(new Map([['x', 1]]))).toEqual({ x: 1 })
    expect(() => combineDicts([1] as never)).toThrow(/expected a plain object or a Map, got an array/)
  })
})

describe('§6 kkDict, bypass, summation', () => {
  it('kkDict maps string keys to themselves and merges objects; a repeated key is an error', () => {
    expect(kkDict('a', { b: 'B' })).toEqual({ a: 'a', b: 'B' })
    expect(() => kkDict('a', { a: 1 })).toThrow(ModelError)
    expect(() => kkDict('a', { a: 1 })).toThrow(/key 'a' is given twice/)
  })

  it('bypass returns its single argument or the arguments as an array', () => {
    expect(bypass(1)).toBe(1)
    expect(bypass(1, 2)).toEqual([1, 2])
    expect(bypass()).toEqual([])
  })

  it('summation folds with + (numbers, strings, bigints)', () => {
    expect(summation(1, 2, 3.5)).toBe(6.5)
    expect(summation('a', 'b')).toBe('ab')
    expect(summation(1n, 2n)).toBe(3n)
    expect(summation()).toBe(0)
    expect(() => summation(...([1, 'b'] as unknown as number[]))).toThrow(/argument 1 is a string but the sum so far is a number/)
  })
})

describe('§6 mapDict, mapList', () => {
  it('mapDict merges then renames; unmapped keys are kept; the later of two keys mapped to one name wins', () => {
    expect(mapDict({ a: 'A' }, { a: 1, b: 2 })).toEqual({ A: 1, b: 2 })
    expect(mapDict({ a: 'x', b: 'x' }, { a: 1, b: 2 })).toEqual({ x: 2 })
  })

  it('mapList names positional values: names, key maps for dicts, lists for arrays', () => {
    expect(mapList(['a', { x: 'X' }, ['p', 'q']], 1, { x: 2 }, [3, 4])).toEqual({ a: 1, X: 2, p: 3, q: 4 })
    expect(() => mapList([['p']], 5)).toThrow(/item 0 is mapped by a list, so its value must be an array/)
  })
})

describe('§6 selector', () => {
  it('selects as a dict, a list or values', () => {
    expect(selector(['a'], { a: 1, b: 2 })).toEqual({ a: 1 })
    expect(selector(['a', 'b'], { a: 1, b: 2 }, { outputType: 'list' })).toEqual([1, 2])
    expect(selector(['b'], { a: 1, b: 2 }, { outputType: 'values' })).toBe(2)
    expect(selector(['a', 'b'], { a: 1, b: 2 }, { outputType: 'values' })).toEqual([1, 2])
    expect(selector(['a', 'z'] as never, { a: 1 }, { allowMiss: true })).toEqual({ a: 1 })
  })

  it('names the missing key and the available ones', () => {
    expect(() => selector(['z'] as never, { a: 1 })).toThrow(ModelError)
    expect(() => selector(['z'] as never, { a: 1 })).toThrow(/key 'z' is missing; available keys: \['a'\]/)
  })

  it('reads Maps and solutions, special ids included, and deep-copies with copy', () => {
    const m = new Map<string | symbol, unknown>([
      [START, 0],
      ['a', [1]],
    ])
    expect(selector([START, 'a'], m, { outputType: 'list' })).toEqual([0, [1]])
    const picked = selector(['a'], m, { copy: true }) as { a: number[] }
    expect(picked.a).toEqual([1])
    expect(picked.a).not.toBe(m.get('a'))
  })
})

describe('§6 replicateValue, deepCopy', () => {
  it('replicates deep copies by default', () => {
    const r = replicateValue([1], 3)
    expect(r).toEqual([[1], [1], [1]])
    expect(r[0]).not.toBe(r[1])
    expect(replicateValue('x')).toEqual(['x', 'x'])
    const shared = replicateValue([1], 2, false)
    expect(shared[0]).toBe(shared[1])
    expect(() => replicateValue(1, -1)).toThrow(/non-negative integer/)
  })

  it('deepCopy copies plain data (cycles kept) and shares functions and class instances', () => {
    class Box {
      v = 1
    }
    const box = new Box()
    const fn = () => 1
    const src: Record<string, unknown> = { a: [1, { b: 2 }], m: new Map([['k', [1]]]), s: new Set([1]), box, fn }
    src.self = src
    const c = deepCopy(src)
    expect(c).toEqual(src)
    expect(c.a).not.toBe(src.a)
    expect(c.m).not.toBe(src.m)
    expect(c.self).toBe(c)
    expect(c.box).toBe(box)
    expect(c.fn).toBe(fn)
  })

  it('deepCopy and Dispatcher.copy handle a default nested 200 000 objects deep (no recursion)', () => {
    type Chain = { n?: Chain; depth: number }
    const root: Chain = { depth: 0 }
    let at = root
    for (let i = 1; i <= 200_000; i++) at = at.n = { depth: i }
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: root })
    const copied = d.copy().defaultValues.get('a')!.value as Chain
    let walk: Chain | undefined = copied
    let depth = 0
    let shared = 0
    for (let src: Chain | undefined = root; src !== undefined; src = src.n, walk = walk?.n) {
      if (walk === src) shared++
      depth = walk!.depth
    }
    expect([depth, shared]).toEqual([200_000, 0])
  })
})

describe('§6 nested dicts', () => {
  const n = { a: { b: 1, c: { d: 2 } } }

  it('stackNestedKeys yields key paths and leaves, to a depth', () => {
    expect([...stackNestedKeys(n)]).toEqual([
      [['a', 'b'], 1],
      [['a', 'c', 'd'], 2],
    ])
    expect([...stackNestedKeys(n, 1)]).toEqual([[['a'], { b: 1, c: { d: 2 } }]])
  })

  it('getNestedDicts reads, creating missing levels; areInNestedDicts checks a path', () => {
    expect(getNestedDicts(n, ['a', 'c', 'd'])).toBe(2)
    const empty: Record<string, unknown> = {}
    expect(getNestedDicts(empty, ['x', 'y'], () => [])).toEqual([])
    expect(empty).toEqual({ x: { y: [] } })
    expect(() => getNestedDicts(n, ['a', 'b', 'z'])).toThrow(/value at 'a'\/'b' is not an object/)
    expect(areInNestedDicts(n, ['a', 'c'])).toBe(true)
    expect(areInNestedDicts(n, ['a', 'z'])).toBe(false)
  })

  it('combineNestedDicts merges level by level, later wins, leaves replace sub-dicts, inputs untouched', () => {
    const x = { a: { b: 1, c: 2 } }
    expect(combineNestedDicts(x, { a: { b: 3 }, e: 4 })).toEqual({ a: { b: 3, c: 2 }, e: 4 })
    expect(x).toEqual({ a: { b: 1, c: 2 } })
    expect(combineNestedDicts({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 })
  })
})

describe('§6 addArgs, partial, parentFunc', () => {
  function f(a: number, b = 1): number {
    return a + b
  }

  it('addArgs ignores the first n arguments, keeps the name and calls the callback with every argument', () => {
    const cb = vi.fn()
    const g = addArgs(f, 2, cb)
    expect(g.name).toBe('f')
    expect(g('x', 'y', 1, 5)).toBe(6)
    expect(cb).toHaveBeenCalledWith(6, 'x', 'y', 1, 5)
    expect(addArgs(f)(null, 2)).toBe(3)
  })

  it('partial fixes leading arguments and keeps the name, so the node id is the same', () => {
    const add3 = partial((a: number, b: number, c: number) => a + b + c, 1, 2)
    expect(add3(3)).toBe(6)
    const p = partial(f, 4)
    expect(p.name).toBe('f')
    const d = new Dispatcher()
    expect(d.addFunction({ fn: p, inputs: [], outputs: ['y'] })).toBe('f')
  })

  it('parentFunc unwraps both; parentArgument translates positions (negative: consumed)', () => {
    const g = addArgs(f, 2)
    const p = partial(g, 'x')
    expect(parentFunc(p)).toBe(f)
    expect(parentArgument(p, 0)).toEqual([f, -1])
    expect(parentArgument(addArgs(f), 2)).toEqual([f, 1])
    expect(parentArgument(f, 0)).toEqual([f, 0])
  })

  it('as node functions: addArgs makes a function wait for data it does not read', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'ready', fn: () => true, inputs: [START], outputs: ['go'] })
    d.addFunction({ id: 'inc', fn: addArgs((x: number) => x + 1), inputs: ['go', 'x'], outputs: ['y'] })
    expect(d.dispatch({ x: 1 }).get('y')).toBe(2)
    expect(d.dispatch({ x: 1 }, ['y']).has(SINK)).toBe(false)
  })

  it('rejects what is not a function', () => {
    expect(() => addArgs(5 as never)).toThrow(/expected a function, got number/)
    expect(() => partial(5 as never)).toThrow(ModelError)
  })
})
