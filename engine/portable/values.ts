// Values in JSON: plain JSON as it is, and a `{ "$type": … }` tag for what JSON cannot carry (Map, Date, bigint, …).
import { ModelError, nameError } from '../errors.ts'
import { pointerToken } from './json-text.ts'

/**
 * A value that cannot be written as JSON (a function, a symbol, a class instance, a cycle), or a `$type` tag that
 * cannot be read back. `pointer` is the JSON pointer of the value inside the document or the inputs.
 */
export class ValueEncodingError extends ModelError {
  static {
    nameError(this, 'ValueEncodingError')
  }

  /** JSON pointer of the value. */
  readonly pointer: string

  constructor(message: string, pointer: string) {
    super(message)
    this.pointer = pointer
  }
}

/** The typed arrays a value may hold, by constructor name. */
const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const
type TypedName = keyof typeof TYPED

/** The `$type` tags this encoding uses. */
export const VALUE_TAGS: readonly string[] = [
  'undefined',
  'number',
  'bigint',
  'Date',
  'Map',
  'Set',
  'ArrayBuffer',
  'object',
  ...Object.keys(TYPED),
]

function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`
  if (typeof v === 'symbol') return `a symbol (${v.toString()})`
  if (typeof v === 'object' && v !== null) return `an instance of ${v.constructor?.name ?? 'a class'}`
  return typeof v
}

/**
 * Encodes a value as JSON data. Plain JSON (strings, finite numbers, booleans, null, arrays, plain objects) is kept
 * as it is; `undefined`, NaN/±Infinity/-0, bigint, Date, Map, Set, ArrayBuffer and typed arrays become
 * `{ "$type": name, "value": … }` (bytes in base64); a plain object that has a `$type` key of its own is wrapped as
 * `{ "$type": "object", "value": … }`. Anything else (functions, symbols, class instances, cycles) throws a
 * `ValueEncodingError` naming where it is: such values are refused, never written as `{}`.
 */
export function encodeValue(value: unknown, pointer = ''): unknown {
  const seen = new Set<object>()
  const enc = (v: unknown, at: string): unknown => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v
      case 'number':
        if (Number.isFinite(v) && !Object.is(v, -0)) return v
        return { $type: 'number', value: Object.is(v, -0) ? '-0' : String(v) }
      case 'bigint':
        return { $type: 'bigint', value: v.toString() }
      case 'undefined':
        return { $type: 'undefined' }
      case 'object': {
        if (v === null) return null
        if (seen.has(v)) throw new ValueEncodingError(`${where(at)}: the value refers to itself (a cycle); JSON cannot hold it`, at)
        seen.add(v)
        try {
          if (Array.isArray(v)) return v.map((x, i) => enc(x, `${at}/${i}`))
          if (v instanceof Date) return { $type: 'Date', value: Number.isNaN(v.getTime()) ? null : v.toISOString() }
          if (v instanceof Map)
            return { $type: 'Map', value: [...v].map(([k, x], i) => [enc(k, `${at}/value/${i}/0`), enc(x, `${at}/value/${i}/1`)]) }
          if (v instanceof Set) return { $type: 'Set', value: [...v].map((x, i) => enc(x, `${at}/value/${i}`)) }
          if (v instanceof ArrayBuffer) return { $type: 'ArrayBuffer', value: toBase64(new Uint8Array(v)) }
          if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
            const name = (Object.keys(TYPED) as TypedName[]).find((n) => v instanceof TYPED[n])
            if (name !== undefined) return { $type: name, value: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) }
          }
          if (!isPlainObject(v)) {
            throw new ValueEncodingError(
              `${where(at)}: ${describe(v)} cannot be written as JSON; convert it to plain data first (objects, arrays, ` +
                'strings, numbers, booleans, null, Map, Set, Date, bigint, typed arrays)',
              at,
            )
          }
          const out: Record<string, unknown> = {}
          for (const k of Object.keys(v)) {
            const x = enc((v as Record<string, unknown>)[k], `${at}/${pointerToken(k)}`)
            if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true })
            else out[k] = x
          }
          for (const s of Object.getOwnPropertySymbols(v)) {
            if (Object.prototype.propertyIsEnumerable.call(v, s)) {
              throw new ValueEncodingError(`${where(at)}: the object has a symbol key (${s.toString()}), which JSON cannot hold`, at)
            }
          }
          return '$type' in out ? { $type: 'object', value: out } : out
        } finally {
          seen.delete(v)
        }
      }
      default:
        throw new ValueEncodingError(`${where(at)}: ${describe(v)} cannot be written as JSON`, at)
    }
  }
  return enc(value, pointer)
}

function where(pointer: string): string {
  return pointer === '' ? 'the value' : `the value at ${pointer}`
}

/**
 * Decodes what `encodeValue` wrote. Throws a `ValueEncodingError` with the pointer of a malformed `$type` tag.
 * `problems`, when given, collects every problem instead (the result then has `undefined` in their place).
 */
export function decodeValue(json: unknown, pointer = '', problems?: ValueEncodingError[]): unknown {
  const dec = (v: unknown, at: string): unknown => {
    if (typeof v !== 'object' || v === null) return v
    if (Array.isArray(v)) return v.map((x, i) => dec(x, `${at}/${i}`))
    const o = v as Record<string, unknown>
    if (!('$type' in o)) {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(o)) {
        const x = dec(o[k], `${at}/${pointerToken(k)}`)
        if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true })
        else out[k] = x
      }
      return out
    }
    const fail = (why: string, sub = ''): undefined => {
      const e = new ValueEncodingError(`${where(at + sub)}: ${why}`, at + sub)
      if (problems === undefined) throw e
      problems.push(e)
      return undefined
    }
    const tag = o.$type
    const extra = Object.keys(o).filter((k) => k !== '$type' && k !== 'value')
    if (extra.length > 0)
      return fail(
        `a {"$type"} tag has only "$type" and "value", not ${extra.map((k) => JSON.stringify(k)).join(', ')}; to keep a "$type" key in plain data, wrap the object as {"$type": "object", "value": {…}}`,
      )
    const value = o.value
    const str = (): string | undefined => (typeof value === 'string' ? value : fail(`"${String(tag)}" takes a string "value"`, '/value'))
    switch (tag) {
      case 'undefined':
        return undefined
      case 'number': {
        const s = str()
        if (s === undefined) return undefined
        if (s === 'NaN') return NaN
        if (s === 'Infinity') return Infinity
        if (s === '-Infinity') return -Infinity
        if (s === '-0') return -0
        return fail(`"number" tags hold "NaN", "Infinity", "-Infinity" or "-0", not ${JSON.stringify(s)}`, '/value')
      }
      case 'bigint': {
        const s = str()
        if (s === undefined) return undefined
        if (!/^-?\d+$/.test(s)) return fail(`${JSON.stringify(s)} is not an integer`, '/value')
        return BigInt(s)
      }
      case 'Date': {
        if (value === null) return new Date(NaN)
        const s = str()
        if (s === undefined) return undefined
        const d = new Date(s)
        return Number.isNaN(d.getTime()) ? fail(`${JSON.stringify(s)} is not an ISO date`, '/value') : d
      }
      case 'Map':
      case 'Set':
        if (!Array.isArray(value)) return fail(`"${tag}" takes an array "value"`, '/value')
        if (tag === 'Set') return new Set(value.map((x, i) => dec(x, `${at}/value/${i}`)))
        return new Map(
          value.map((pair, i) => {
            if (!Array.isArray(pair) || pair.length !== 2) {
              fail('each entry of a "Map" is a [key, value] pair', `/value/${i}`)
              return [undefined, undefined]
            }
            return [dec(pair[0], `${at}/value/${i}/0`), dec(pair[1], `${at}/value/${i}/1`)]
          }),
        )
      case 'object':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('"object" takes an object "value"', '/value')
        {
          const out: Record<string, unknown> = {}
          for (const k of Object.keys(value)) out[k] = dec((value as Record<string, unknown>)[k], `${at}/value/${pointerToken(k)}`)
          return out
        }
      default: {
        if (typeof tag === 'string' && (tag === 'ArrayBuffer' || tag in TYPED)) {
          const s = str()
          if (s === undefined) return undefined
          let bytes: Uint8Array
          try {
            bytes = fromBase64(s)
          } catch {
            return fail('the bytes are not valid base64', '/value')
          }
          if (tag === 'ArrayBuffer') return bytes.buffer
          const T = TYPED[tag as TypedName]
          if (bytes.byteLength % T.BYTES_PER_ELEMENT !== 0)
            return fail(`${bytes.byteLength} bytes do not make whole ${tag} elements`, '/value')
          return new T(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / T.BYTES_PER_ELEMENT)
        }
        return fail(`unknown "$type" ${JSON.stringify(tag)}; known: ${VALUE_TAGS.join(', ')}`, '/$type')
      }
    }
  }
  return dec(json, pointer)
}
