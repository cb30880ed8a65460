// Small functions that glue models together: merging and selecting dictionaries, bypass, summation, partial application.
import type { NodeId } from '../constants.ts'
import { ModelError } from '../errors.ts'

/** Anything with named values: a plain object, or a Map such as a `Solution`. */
export type Dict = Readonly<Record<PropertyKey, unknown>> | ReadonlyMap<NodeId, unknown> | ReadonlyMap<string | symbol, unknown>

/** A key of a `Dict`: a string or a symbol (the special node ids are symbols). */
export type DictKey = string | symbol

/** The `[key, value]` pairs of a plain object (string and symbol keys) or of a Map. */
function entriesOf(d: Dict, where: string): [DictKey, unknown][] {
  if (d instanceof Map) return [...(d as ReadonlyMap<DictKey, unknown>).entries()]
  if (typeof d === 'object' && d !== null && !Array.isArray(d)) {
    if (typeof (d as { entries?: unknown }).entries === 'function' && typeof (d as { get?: unknown }).get === 'function') {
      // A ReadonlyMap that is not a Map (a Solution): read it through its iterator.
      return [...(d as ReadonlyMap<DictKey, unknown>).entries()]
    }
    return Reflect.ownKeys(d).map((k) => [k, (d as Record<DictKey, unknown>)[k]])
  }
  throw new ModelError(`${where}: expected a plain object or a Map, got ${describe(d)}`)
}

function isMapLike(d: unknown): d is ReadonlyMap<DictKey, unknown> {
  return (
    d instanceof Map ||
    (typeof d === 'object' &&
      d !== null &&
      typeof (d as Map<unknown, unknown>).get === 'function' &&
      typeof (d as Map<unknown, unknown>).has === 'function' &&
      typeof (d as Map<unknown, unknown>).entries === 'function')
  )
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? `an object (${v.constructor?.name ?? 'Object'})` : typeof v
}

function keyText(k: DictKey): string {
  return typeof k === 'string' ? `'${k}'` : String(k.description).toUpperCase()
}

/** Whether `v` is a plain object (`{}` or `Object.create(null)`), the only kind of value deep merges descend into. */
function isPlainObject(v: unknown): v is Record<DictKey, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * A deep copy of plain data: plain objects, arrays, Maps, Sets and Dates are copied, everything else (functions,
 * class instances, primitives) is shared. Cycles are preserved. Browser-safe (no `structuredClone`, which rejects
 * functions).
 */
export function deepCopy<V>(value: V, memo: Map<unknown, unknown> = new Map()): V {
  // Iterative (a work list of containers to fill), so a value nested 10⁵ levels deep does not overflow the stack.
  const todo: [source: object, copy: object][] = []
  const shell = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v
    const done = memo.get(v)
    if (done !== undefined) return done
    let out: object
    if (Array.isArray(v)) out = []
    else if (v instanceof Map) out = new Map()
    else if (v instanceof Set) out = new Set()
    else if (v instanceof Date) return new Date(v.getTime())
    else if (!isPlainObject(v)) return v
    else out = Object.getPrototypeOf(v) === null ? (Object.create(null) as object) : {}
    memo.set(v, out)
    todo.push([v, out])
    return out
  }
  const root = shell(value)
  while (todo.length > 0) {
    const [src, out] = todo.pop()!
    if (Array.isArray(src)) for (const x of src) (out as unknown[]).push(shell(x))
    else if (src instanceof Map) for (const [k, x] of src) (out as Map<unknown, unknown>).set(k, shell(x))
    else if (src instanceof Set) for (const x of src) (out as Set<unknown>).add(shell(x))
    else for (const k of Reflect.ownKeys(src)) (out as Record<DictKey, unknown>)[k] = shell((src as Record<DictKey, unknown>)[k])
  }
  return root as V
}

/** Turns a union into an intersection (used to type merges). */
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

/** The type of the merge of a list of objects, later keys winning. */
export type Merged<A extends readonly object[]> = A extends readonly [infer H, ...infer R extends readonly object[]]
  ? Omit<H, keyof Merged<R>> & Merged<R>
  : A extends readonly []
    ? {} // eslint-disable-line @typescript-eslint/no-empty-object-type
    : UnionToIntersection<A[number]>

/**
 * Merges dictionaries into a new plain object, later ones winning (a shallow merge: nested objects are shared).
 * Maps (a `Solution`, for instance) are read as dictionaries.
 *
 * @example
 * combineDicts({ a: 1, b: 1 }, { b: 2 }) // { a: 1, b: 2 }
 */
export function combineDicts<const A extends readonly object[]>(...dicts: A): Merged<A> {
  return combineDictsWith({}, ...(dicts as unknown as Dict[])) as Merged<A>
}

/** Options of `combineDictsWith`. */
export interface CombineOptions {
  /** Deep-copy the values (plain objects, arrays, Maps, Sets; see `deepCopy`). */
  copy?: boolean
  /** Merge into this object (updated in place and returned) instead of a new one. */
  base?: Record<DictKey, unknown>
}

/**
 * `combineDicts` with options: merge into `base` (updated in place), or deep-copy the values with `copy`.
 *
 * @example
 * const a = [1]
 * combineDictsWith({ copy: true }, { a }).a === a // false
 */
export function combineDictsWith(options: CombineOptions, ...dicts: Dict[]): Record<DictKey, unknown> {
  const out = options.base ?? {}
  for (const d of dicts) for (const [k, v] of entriesOf(d, 'combineDicts')) out[k] = options.copy ? deepCopy(v) : v
  return out
}

/** Options of `combineNestedDictsWith`. */
export interface NestedCombineOptions {
  /**
   * Longest key path merged (schedula's `depth`): `1` merges the top level only (a shallow merge), `2` two levels,
   * and so on; a value at the last level replaces what was there. `0` merges nothing. Default `-1`: every level.
   */
  depth?: number
  /** Merge into this object, updated in place (its nested objects too) and returned, instead of a new one. */
  base?: Record<DictKey, unknown>
}

/**
 * `combineNestedDicts` with options: limit the merged depth, or merge into `base` (updated in place).
 *
 * @example
 * combineNestedDictsWith({ depth: 1 }, { a: { b: 1, c: 2 } }, { a: { b: 3 } }) // { a: { b: 3 } }
 * const base = { a: { z: 9 } }
 * combineNestedDictsWith({ base }, { a: { b: 1 } }) === base // true; base is { a: { z: 9, b: 1 } }
 */
export function combineNestedDictsWith(options: NestedCombineOptions, ...dicts: Dict[]): Record<DictKey, unknown> {
  const depth = options.depth ?? -1
  if (!Number.isInteger(depth) || depth < -1) {
    throw new ModelError(`combineNestedDicts: depth must be -1 (every level) or a whole number ≥ 0, got ${String(depth)}`)
  }
  const out = options.base ?? {}
  if (depth === 0) return out
  // Levels created here are new objects, and only they (or base's own) are merged into in place: inputs stay as given.
  const owned = new WeakSet<object>()
  const merge = (into: Record<DictKey, unknown>, d: Dict, level: number) => {
    for (const [k, v] of entriesOf(d, 'combineNestedDicts')) {
      if (level === depth || !isPlainObject(v)) {
        into[k] = v
        continue
      }
      const cur = into[k]
      let target: Record<DictKey, unknown>
      if (isPlainObject(cur) && (owned.has(cur) || options.base !== undefined)) target = cur
      else {
        target = isPlainObject(cur) ? { ...cur } : {}
        owned.add(target)
        into[k] = target
      }
      merge(target, v, level + 1)
    }
  }
  for (const d of dicts) merge(out, d, 1)
  return out
}

/**
 * Deep merge: plain objects are merged level by level, later ones winning; any other value (arrays included)
 * replaces what was there. The inputs are not modified (merged levels are new objects). `combineNestedDictsWith`
 * takes schedula's `depth` and `base` options.
 *
 * @example
 * combineNestedDicts({ a: { b: 1, c: 2 } }, { a: { b: 3 }, e: 4 }) // { a: { b: 3, c: 2 }, e: 4 }
 */
export function combineNestedDicts(...dicts: Dict[]): Record<DictKey, unknown> {
  return combineNestedDictsWith({}, ...dicts)
}

/**
 * Builds a dictionary from keys and dictionaries: each string key maps to itself, each object is merged in.
 * A key given twice is a mistake: `ModelError` naming it.
 *
 * @example
 * kkDict('a', { b: 'B' }) // { a: 'a', b: 'B' }
 */
export function kkDict(...items: (string | Readonly<Record<string, unknown>>)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const put = (k: string, v: unknown) => {
    if (k in out) throw new ModelError(`kkDict: key '${k}' is given twice; each key may appear once`)
    out[k] = v
  }
  for (const it of items) {
    if (typeof it === 'string') put(it, it)
    else for (const [k, v] of Object.entries(it)) put(k, v)
  }
  return out
}

/** What `bypass` returns: the single argument itself, or the arguments as an array. */
export type Bypassed<A extends readonly unknown[]> = A extends readonly [infer X] ? X : A

/**
 * Returns its argument (one) or its arguments as an array (several): the identity node of a model, for renaming
 * data or joining several data nodes into one.
 *
 * @example
 * bypass(1)    // 1
 * bypass(1, 2) // [1, 2]
 */
export function bypass<const A extends readonly unknown[]>(...inputs: A): Bypassed<A> {
  return (inputs.length === 1 ? inputs[0] : inputs.slice()) as Bypassed<A>
}

/**
 * Adds its arguments left to right with `+`: numbers add up, strings concatenate, bigints add up.
 * With no argument it returns 0.
 *
 * @example
 * summation(1, 2, 3.5)  // 6.5
 * summation('a', 'b')   // 'ab'
 */
export function summation(...inputs: number[]): number
export function summation(...inputs: bigint[]): bigint
export function summation(...inputs: string[]): string
export function summation(...inputs: (number | bigint | string)[]): number | bigint | string {
  if (inputs.length === 0) return 0
  let acc = inputs[0]!
  for (let i = 1; i < inputs.length; i++) {
    const x = inputs[i]!
    if (typeof acc !== typeof x) {
      throw new ModelError(`summation: argument ${i} is a ${typeof x} but the sum so far is a ${typeof acc}; add values of one type`)
    }
    acc = (acc as number) + (x as number)
  }
  return acc
}

/** Options of `mapDict` and `mapList`. */
export interface MapOptions {
  /** Deep-copy the values (see `deepCopy`). */
  copy?: boolean
  /** Write into this object (updated in place and returned) instead of a new one. */
  base?: Record<DictKey, unknown>
}

/**
 * Merges dictionaries, then renames their keys with `keyMap` (old → new). Keys not in the map keep their name;
 * when two keys get the same name, the later one wins.
 *
 * @example
 * mapDict({ a: 'A' }, { a: 1, b: 2 }) // { A: 1, b: 2 }
 */
export function mapDict(
  keyMap: Readonly<Record<DictKey, DictKey>> | ReadonlyMap<DictKey, DictKey>,
  ...dicts: Dict[]
): Record<DictKey, unknown> {
  return mapDictWith({}, keyMap, ...dicts)
}

/** `mapDict` with options (`copy`, `base`). */
export function mapDictWith(
  options: MapOptions,
  keyMap: Readonly<Record<DictKey, DictKey>> | ReadonlyMap<DictKey, DictKey>,
  ...dicts: Dict[]
): Record<DictKey, unknown> {
  const rename = new Map<DictKey, DictKey>(entriesOf(keyMap, 'mapDict: keyMap') as [DictKey, DictKey][])
  const out = options.base ?? {}
  for (const d of dicts) {
    for (const [k, v] of entriesOf(d, 'mapDict')) out[rename.get(k) ?? k] = options.copy ? deepCopy(v) : v
  }
  return out
}

/** One entry of a `mapList` key map: a name, a `mapDict` key map for a dictionary value, or a nested list. */
export type KeyMapItem = DictKey | Readonly<Record<DictKey, DictKey>> | readonly KeyMapItem[]

/**
 * Names positional values: `keyMap[i]` says what to do with `inputs[i]`. A name stores the value under it, an
 * object renames the keys of a dictionary value (`mapDict`), a list names the items of an array value.
 *
 * @example
 * mapList(['a', { x: 'X' }, ['p', 'q']], 1, { x: 2 }, [3, 4]) // { a: 1, X: 2, p: 3, q: 4 }
 */
export function mapList(keyMap: readonly KeyMapItem[], ...inputs: unknown[]): Record<DictKey, unknown> {
  return mapListWith({}, keyMap, ...inputs)
}

/** `mapList` with options (`copy`, `base`). */
export function mapListWith(options: MapOptions, keyMap: readonly KeyMapItem[], ...inputs: unknown[]): Record<DictKey, unknown> {
  const out = options.base ?? {}
  const n = Math.min(keyMap.length, inputs.length)
  for (let i = 0; i < n; i++) {
    const key = keyMap[i]!
    const value = inputs[i]
    if (typeof key === 'string' || typeof key === 'symbol') {
      out[key] = options.copy ? deepCopy(value) : value
    } else if (Array.isArray(key)) {
      if (!Array.isArray(value))
        throw new ModelError(`mapList: item ${i} is mapped by a list, so its value must be an array, got ${describe(value)}`)
      mapListWith({ ...options, base: out }, key, ...(value as unknown[]))
    } else {
      mapDictWith({ ...options, base: out }, key as Readonly<Record<DictKey, DictKey>>, value as Dict)
    }
  }
  return out
}

/** How `selector` shapes what it selects. */
export type SelectorOutput = 'dict' | 'list' | 'values'

/** Options of `selector`. */
export interface SelectorOptions<O extends SelectorOutput = SelectorOutput> {
  /** `'dict'` (default): an object of the keys; `'list'`: an array of values; `'values'`: like `bypass`. */
  outputType?: O
  /** Skip missing keys instead of throwing. */
  allowMiss?: boolean
  /** Deep-copy the values (see `deepCopy`). */
  copy?: boolean
}

/** Value type of `D` at key `K` (objects and Maps). */
export type ValueAt<D, K> = D extends ReadonlyMap<unknown, infer V> ? V : K extends keyof D ? D[K] : unknown

/** Key type of `D` (objects and Maps). */
export type KeyOf<D> = D extends ReadonlyMap<infer K, unknown> ? K : keyof D

/** What `selector` returns for an output type. */
export type Selected<D, K extends readonly unknown[], O extends SelectorOutput> = O extends 'list'
  ? { -readonly [I in keyof K]: ValueAt<D, K[I]> }
  : O extends 'values'
    ? K extends readonly [infer X]
      ? ValueAt<D, X>
      : { -readonly [I in keyof K]: ValueAt<D, K[I]> }
    : D extends ReadonlyMap<unknown, infer V>
      ? Record<K[number] & PropertyKey, V>
      : Pick<D, K[number] & keyof D>

/**
 * Picks `keys` out of a dictionary (a plain object or a Map such as a `Solution`), as an object (`'dict'`), an array
 * (`'list'`) or `bypass`-style values (`'values'`: the value itself for one key). A missing key is a `ModelError`
 * naming it, unless `allowMiss` (then it is skipped).
 *
 * @example
 * selector(['a'], { a: 1, b: 2 })                                 // { a: 1 }
 * selector(['a', 'b'], { a: 1, b: 2 }, { outputType: 'list' })    // [1, 2]
 * selector(['b'], { a: 1, b: 2 }, { outputType: 'values' })       // 2
 * selector(['a', 'z'], { a: 1 }, { allowMiss: true })              // { a: 1 }
 */
export function selector<D extends Dict, const K extends readonly KeyOf<D>[], O extends SelectorOutput = 'dict'>(
  keys: K,
  dictionary: D,
  options: SelectorOptions<O> = {},
): Selected<D, K, O> {
  const type = options.outputType ?? 'dict'
  if (type !== 'dict' && type !== 'list' && type !== 'values') {
    throw new ModelError(`selector: outputType must be 'dict', 'list' or 'values', got ${JSON.stringify(type)}`)
  }
  const map = isMapLike(dictionary)
  const has = (k: DictKey) =>
    map ? (dictionary as ReadonlyMap<DictKey, unknown>).has(k) : Object.prototype.hasOwnProperty.call(dictionary, k)
  const get = (k: DictKey) => (map ? (dictionary as ReadonlyMap<DictKey, unknown>).get(k) : (dictionary as Record<DictKey, unknown>)[k])
  const picked: [DictKey, unknown][] = []
  for (const k of keys as readonly DictKey[]) {
    if (!has(k)) {
      if (options.allowMiss) continue
      const available = map ? [...(dictionary as ReadonlyMap<DictKey, unknown>).keys()] : Reflect.ownKeys(dictionary)
      throw new ModelError(
        `selector: key ${keyText(k)} is missing; available keys: [${available.map((x) => keyText(x)).join(', ')}]. Pass { allowMiss: true } to skip missing keys`,
      )
    }
    const v = get(k)
    picked.push([k, options.copy ? deepCopy(v) : v])
  }
  if (type === 'dict') {
    const out: Record<DictKey, unknown> = {}
    for (const [k, v] of picked) out[k] = v
    return out as Selected<D, K, O>
  }
  const values = picked.map(([, v]) => v)
  return (type === 'list' ? values : bypass(...values)) as Selected<D, K, O>
}

/**
 * `n` copies of a value in an array (deep copies unless `copy` is false, so each consumer may modify its own).
 *
 * @example
 * replicateValue([1], 3) // [[1], [1], [1]] — three distinct arrays
 */
export function replicateValue<V>(value: V, n = 2, copy = true): V[] {
  if (!Number.isInteger(n) || n < 0) throw new ModelError(`replicateValue: n must be a non-negative integer, got ${n}`)
  return Array.from({ length: n }, () => (copy ? deepCopy(value) : value))
}

/** The wrapped function of `addArgs`/`partial` (what `parentFunc` unwraps). */
const PARENT: unique symbol = Symbol('flowmark.parentFunc')
/** How many leading arguments a wrapper adds (positive, `addArgs`) or consumes (negative, `partial`). */
const SHIFT: unique symbol = Symbol('flowmark.argShift')

interface Wrapped {
  [PARENT]?: (...args: never[]) => unknown
  [SHIFT]?: number
}

/** A tuple of `N` `unknown`s (N up to 16; larger counts give `unknown[]`). */
export type Ignored<N extends number, Acc extends unknown[] = []> = number extends N
  ? unknown[]
  : Acc['length'] extends N
    ? Acc
    : Acc['length'] extends 16
      ? unknown[]
      : Ignored<N, [...Acc, unknown]>

function copyIdentity(to: object, from: (...args: never[]) => unknown): void {
  Object.defineProperty(to, 'name', { value: from.name, configurable: true })
  const description = (from as { description?: unknown }).description
  if (typeof description === 'string')
    Object.defineProperty(to, 'description', { value: description, configurable: true, enumerable: true })
}

/**
 * A function that ignores its first `n` positional arguments and calls `fn` with the rest; it keeps `fn`'s name
 * (and `description`). Used to make a function wait for extra data nodes it does not read. `callback(result,
 * ...allArgs)` runs after each call.
 *
 * @example
 * const g = addArgs((a: number, b = 1) => a + b, 2)
 * g('x', 'y', 1, 5) // 6
 */
export function addArgs<A extends unknown[], R, const N extends number = 1>(
  fn: (...args: A) => R,
  n: N = 1 as N,
  callback?: (result: R, ...args: unknown[]) => void,
): (...args: [...Ignored<N>, ...A]) => R {
  if (typeof fn !== 'function') throw new ModelError(`addArgs: expected a function, got ${describe(fn)}`)
  if (!Number.isInteger(n) || n < 0) throw new ModelError(`addArgs: n must be a non-negative integer, got ${n}`)
  const wrapper = function (this: unknown, ...args: unknown[]): R {
    const res = fn.apply(this, args.slice(n) as A)
    if (callback !== undefined) callback(res, ...args)
    return res
  }
  copyIdentity(wrapper, fn)
  ;(wrapper as Wrapped)[PARENT] = fn
  ;(wrapper as Wrapped)[SHIFT] = n
  return wrapper
}

/**
 * Partial application: fixes the first arguments of `fn`; the result takes the rest. It keeps `fn`'s name (and
 * `description`), so a node added from it gets the same default id. TypeScript checks the bound arguments and types
 * the remaining ones.
 *
 * @example
 * const add = (a: number, b: number) => a + b
 * partial(add, 1)(2) // 3
 */
export function partial<B extends unknown[], A extends unknown[], R>(fn: (...args: [...B, ...A]) => R, ...bound: B): (...rest: A) => R {
  if (typeof fn !== 'function') throw new ModelError(`partial: expected a function, got ${describe(fn)}`)
  const wrapper = function (this: unknown, ...rest: A): R {
    return fn.apply(this, [...bound, ...rest] as [...B, ...A])
  }
  copyIdentity(wrapper, fn)
  ;(wrapper as Wrapped)[PARENT] = fn
  ;(wrapper as Wrapped)[SHIFT] = -bound.length
  return wrapper
}

/**
 * Unwraps `addArgs` and `partial` down to the innermost function.
 *
 * @example
 * const f = (a: number) => a
 * parentFunc(partial(addArgs(f, 2), 'x')) === f // true
 */
export function parentFunc<F extends (...args: never[]) => unknown>(fn: F): (...args: never[]) => unknown {
  let f: (...args: never[]) => unknown = fn
  while ((f as Wrapped)[PARENT] !== undefined) f = (f as Wrapped)[PARENT]!
  return f
}

/**
 * Like `parentFunc`, also translating argument position `position` of `fn` into a position of the innermost
 * function. A negative result means the argument does not reach it (it is ignored by `addArgs`).
 *
 * @example
 * const f = (a: number, b: number) => a + b
 * parentArgument(partial(addArgs(f, 2), 'x'), 0) // [f, -1]: position 0 is the second ignored argument
 * parentArgument(addArgs(f), 2)                  // [f, 1]
 */
export function parentArgument(fn: (...args: never[]) => unknown, position: number): [(...args: never[]) => unknown, number] {
  let f = fn
  let p = position
  while ((f as Wrapped)[PARENT] !== undefined) {
    const shift = (f as Wrapped)[SHIFT] ?? 0
    if (p < 0) return [parentFunc(f), p]
    // addArgs (shift > 0) drops `shift` leading arguments; partial (shift < 0) prepends -shift bound arguments.
    p = p - shift
    if (shift > 0 && p < 0) return [parentFunc(f), -1]
    f = (f as Wrapped)[PARENT]!
  }
  return [f, p]
}

/**
 * The leaves of a nested dictionary as `[keyPath, value]` pairs, depth first; `depth` limits how deep it goes
 * (`-1`: all the way).
 *
 * @example
 * [...stackNestedKeys({ a: { b: 1, c: { d: 2 } } })] // [[['a', 'b'], 1], [['a', 'c', 'd'], 2]]
 */
export function* stackNestedKeys(nested: Dict, depth = -1, key: readonly DictKey[] = []): Generator<[DictKey[], unknown]> {
  for (const [k, v] of entriesOf(nested, 'stackNestedKeys')) {
    const path = [...key, k]
    if (depth !== 1 && (isPlainObject(v) || v instanceof Map)) yield* stackNestedKeys(v as Dict, depth - 1, path)
    else yield [path, v]
  }
}

/**
 * The value at a key path of nested plain objects, creating the missing levels (and the leaf, with `init()`).
 *
 * @example
 * getNestedDicts({}, ['x', 'y'], () => []) // [] (and the object is now { x: { y: [] } })
 */
export function getNestedDicts(nested: Record<DictKey, unknown>, keys: readonly DictKey[], init: () => unknown = () => ({})): unknown {
  let cur: Record<DictKey, unknown> = nested
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    if (!(k in cur)) cur[k] = i === keys.length - 1 ? init() : {}
    if (i === keys.length - 1) return cur[k]
    const next = cur[k]
    if (typeof next !== 'object' || next === null) {
      throw new ModelError(
        `getNestedDicts: the value at ${keys
          .slice(0, i + 1)
          .map(keyText)
          .join('/')} is not an object, so the path cannot go further`,
      )
    }
    cur = next as Record<DictKey, unknown>
  }
  return cur
}

/**
 * Whether a key path exists in nested plain objects.
 *
 * @example
 * areInNestedDicts({ a: { c: 1 } }, ['a', 'c']) // true
 */
export function areInNestedDicts(nested: Readonly<Record<DictKey, unknown>>, keys: readonly DictKey[]): boolean {
  let cur: unknown = nested
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null || !(k in cur)) return false
    cur = (cur as Record<DictKey, unknown>)[k]
  }
  return true
}
