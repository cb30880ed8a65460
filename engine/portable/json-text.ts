// A strict JSON parser that remembers where every value and key starts, to report problems at line:column.
//
// The engine has no runtime dependencies (see README), so libraries such as jsonc-parser or momoa cannot be used
// here; this parser is small and only does what the model loader needs: the same values as JSON.parse, syntax
// errors with a position, duplicate keys reported instead of silently dropped, and a JSON pointer → position map.

/** A place in a text: 0-based offset, 1-based line and column (columns count UTF-16 code units). */
export interface TextPosition {
  readonly offset: number
  readonly line: number
  readonly column: number
}

/** A JSON syntax error, with the position of the offending character. */
export class JsonSyntaxError extends Error {
  /** Where the text stops being JSON. */
  readonly position: TextPosition

  constructor(message: string, position: TextPosition) {
    super(`${position.line}:${position.column}: ${message}`)
    this.position = position
  }

  override get name(): string {
    return 'JsonSyntaxError'
  }
}

/** Positions of an object's keys and values, or an array's items. */
interface Places {
  /** Offset of the value itself. */
  readonly start: number
  /** For objects: key → [offset of the key, offset of its value]. */
  readonly keys?: Map<string, readonly [number, number]>
  /** For arrays: offset of each item. */
  readonly items?: number[]
}

/** A duplicate key found while parsing (JSON.parse would keep the last one silently). */
export interface DuplicateKey {
  /** JSON pointer of the duplicate member. */
  readonly pointer: string
  /** Offset of the second occurrence of the key. */
  readonly offset: number
  /** The key. */
  readonly key: string
}

/** A parsed JSON text: its value, and where each part of it is in the text. */
export class JsonText {
  /** The text parsed. */
  readonly text: string
  /** The value, as JSON.parse would return it. */
  readonly value: unknown
  /** Keys given twice in one object (the last value is kept in `value`). */
  readonly duplicates: readonly DuplicateKey[]
  readonly #places: WeakMap<object, Places>
  #lineStarts: number[] | undefined

  /** @internal Use `parseJsonText`. */
  constructor(text: string, value: unknown, places: WeakMap<object, Places>, duplicates: DuplicateKey[]) {
    this.text = text
    this.value = value
    this.#places = places
    this.duplicates = duplicates
  }

  /** Line and column of an offset. */
  position(offset: number): TextPosition {
    const starts = (this.#lineStarts ??= lineStarts(this.text))
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { offset, line: lo + 1, column: offset - starts[lo]! + 1 }
  }

  /**
   * Where the value at a JSON pointer starts (`key: true`: where its key starts). A pointer that goes further than
   * the document does gives the position of the deepest part that exists.
   */
  locate(pointer: string, key = false): TextPosition {
    let here: unknown = this.value
    let offset = this.#places.get(here as object)?.start ?? skipSpace(this.text, 0)
    if (pointer === '') return this.position(offset)
    for (const raw of pointer.slice(1).split('/')) {
      const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
      const places = typeof here === 'object' && here !== null ? this.#places.get(here) : undefined
      if (places === undefined) break
      if (places.items !== undefined) {
        const i = Number(token)
        if (!Number.isInteger(i) || places.items[i] === undefined) break
        offset = places.items[i]
        here = (here as unknown[])[i]
      } else {
        const at = places.keys?.get(token)
        if (at === undefined) break
        offset = key ? at[0] : at[1]
        here = (here as Record<string, unknown>)[token]
      }
    }
    return this.position(offset)
  }
}

function lineStarts(text: string): number[] {
  const out = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1)
  return out
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 10 || c === 13 || c === 9) i++
    else return i
  }
}

/** Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`). */
export function pointerToken(token: string | number): string {
  return typeof token === 'number' ? String(token) : token.replace(/~/g, '~0').replace(/\//g, '~1')
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** Parses JSON text, recording positions. Throws `JsonSyntaxError` (with line:column) on invalid JSON. */
export function parseJsonText(text: string): JsonText {
  const places = new WeakMap<object, Places>()
  const duplicates: DuplicateKey[] = []
  let i = 0
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, new JsonText(text, undefined, places, []).position(at))
  }
  const what = (at: number): string =>
    at >= text.length ? 'the end of the text' : `${JSON.stringify(text[at])}`

  const parseString = (): string => {
    const start = i
    i++ // opening quote
    let end = i
    for (;;) {
      const c = text.charCodeAt(end)
      if (Number.isNaN(c)) fail('unterminated string', start)
      if (c === 34) break
      if (c === 92) end += 2
      else if (c < 32) fail(`control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in a string; escape it (\\n, \\t, \\u00XX)`, end)
      else end++
    }
    const raw = text.slice(start, end + 1)
    i = end + 1
    if (raw.indexOf('\\') === -1) return raw.slice(1, -1)
    try {
      return JSON.parse(raw) as string
    } catch {
      const bad = /\\(?:u(?![0-9a-fA-F]{4})|[^"\\/bfnrtu])/.exec(raw)
      return fail('invalid escape sequence in a string', start + (bad?.index ?? 0))
    }
  }

  // The path to the value being parsed; a pointer string is built only for a duplicate key.
  const path: (string | number)[] = []
  const parseValue = (depth: number): unknown => {
    i = skipSpace(text, i)
    const c = text.charCodeAt(i)
    if (c === 123) return parseObject(depth)
    if (c === 91) return parseArray(depth)
    if (c === 34) return parseString()
    if (c === 116 && text.startsWith('true', i)) return (i += 4), true
    if (c === 102 && text.startsWith('false', i)) return (i += 5), false
    if (c === 110 && text.startsWith('null', i)) return (i += 4), null
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (m !== null) {
      i += m[0].length
      return Number(m[0])
    }
    return fail(`expected a value, found ${what(i)}`)
  }

  const parseObject = (depth: number): Record<string, unknown> => {
    if (depth > 10_000) fail('nesting deeper than 10000 levels')
    const start = i++
    const out: Record<string, unknown> = {}
    const keys = new Map<string, readonly [number, number]>()
    places.set(out, { start, keys })
    i = skipSpace(text, i)
    if (text.charCodeAt(i) === 125) return i++, out
    for (;;) {
      i = skipSpace(text, i)
      if (text.charCodeAt(i) === 125) fail("a comma before '}': JSON allows no trailing comma")
      if (text.charCodeAt(i) !== 34) fail(`expected a key in double quotes, found ${what(i)}`)
      const keyAt = i
      const key = parseString()
      i = skipSpace(text, i)
      if (text.charCodeAt(i) !== 58) fail(`expected ':' after the key ${JSON.stringify(key)}, found ${what(i)}`)
      i = skipSpace(text, i + 1)
      const valueAt = i
      path.push(key)
      const value = parseValue(depth + 1)
      if (keys.has(key)) duplicates.push({ pointer: path.map((t) => '/' + pointerToken(t)).join(''), offset: keyAt, key })
      path.pop()
      keys.set(key, [keyAt, valueAt])
      if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
      else out[key] = value
      i = skipSpace(text, i)
      const d = text.charCodeAt(i)
      if (d === 44) {
        i++
        continue
      }
      if (d === 125) return i++, out
      fail(`expected ',' or '}' after a member of the object, found ${what(i)}`)
    }
  }

  const parseArray = (depth: number): unknown[] => {
    if (depth > 10_000) fail('nesting deeper than 10000 levels')
    const start = i++
    const out: unknown[] = []
    const items: number[] = []
    places.set(out, { start, items })
    i = skipSpace(text, i)
    if (text.charCodeAt(i) === 93) return i++, out
    for (;;) {
      i = skipSpace(text, i)
      if (text.charCodeAt(i) === 93) fail("a comma before ']': JSON allows no trailing comma")
      items.push(i)
      path.push(out.length)
      out.push(parseValue(depth + 1))
      path.pop()
      i = skipSpace(text, i)
      const d = text.charCodeAt(i)
      if (d === 44) {
        i++
        continue
      }
      if (d === 93) return i++, out
      fail(`expected ',' or ']' after an item of the array, found ${what(i)}`)
    }
  }

  if (text.charCodeAt(0) === 0xfeff) i = 1
  const value = parseValue(0)
  i = skipSpace(text, i)
  if (i < text.length) fail(`unexpected ${what(i)} after the end of the JSON value`)
  return new JsonText(text, value, places, duplicates)
}
