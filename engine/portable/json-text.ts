// A strict JSON parser that remembers where every value and key starts, to report problems at line:column.
//
// The engine has no runtime dependencies (see README), so libraries such as jsonc-parser or momoa cannot be used
// here; this parser is small and only does what the model loader needs: the same values as JSON.parse, syntax
// errors with a position, duplicate keys reported instead of silently dropped, and a JSON pointer → position map.
import { FlowmarkError, nameError } from '../errors.ts'

/** A place in a text: 0-based offset, 1-based line and column (columns count UTF-16 code units). */
export interface TextPosition {
  readonly offset: number
  readonly line: number
  readonly column: number
}

/** A JSON syntax error, with the position of the offending character. */
export class JsonSyntaxError extends FlowmarkError {
  static {
    nameError(this, 'JsonSyntaxError')
  }

  /** Where the text stops being JSON. */
  readonly position: TextPosition

  constructor(message: string, position: TextPosition) {
    super(`${position.line}:${position.column}: ${message}`)
    this.position = position
  }
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

/**
 * A parsed JSON text: its value, and where each part of it is in the text. Positions are found on demand, by
 * scanning the text along a pointer (only problems need them, so a valid document costs one native JSON.parse and
 * one light scan for duplicate keys).
 */
export class JsonText {
  /** The text parsed. */
  readonly text: string
  /** The value, as JSON.parse returns it. */
  readonly value: unknown
  /** Keys given twice in one object (the last value is kept in `value`). */
  readonly duplicates: readonly DuplicateKey[]
  #lineStarts: number[] | undefined

  /** @internal Use `parseJsonText`. */
  constructor(text: string, value: unknown, duplicates: DuplicateKey[]) {
    this.text = text
    this.value = value
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
    const t = this.text
    let i = skipSpace(t, t.charCodeAt(0) === 0xfeff ? 1 : 0)
    if (pointer === '') return this.position(i)
    const tokens = pointer
      .slice(1)
      .split('/')
      .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    for (let d = 0; d < tokens.length; d++) {
      const token = tokens[d]!
      const last = d === tokens.length - 1
      const c = t.charCodeAt(i)
      if (c === 91) {
        const want = Number(token)
        if (!Number.isInteger(want) || want < 0) break
        let j = skipSpace(t, i + 1)
        let k = 0
        while (k < want && t.charCodeAt(j) !== 93) {
          j = skipSpace(t, skipValue(t, j))
          if (t.charCodeAt(j) === 44) j = skipSpace(t, j + 1)
          k++
        }
        if (k < want || t.charCodeAt(j) === 93) break
        i = j
      } else if (c === 123) {
        let j = skipSpace(t, i + 1)
        let found = -1
        let foundKey = -1
        while (t.charCodeAt(j) === 34) {
          const keyAt = j
          const end = stringEnd(t, j)
          const raw = t.slice(j + 1, end)
          const name = raw.indexOf('\\') === -1 ? raw : (JSON.parse(t.slice(j, end + 1)) as string)
          j = skipSpace(t, skipSpace(t, end + 1) + 1) // past ':'
          if (name === token) [found, foundKey] = [j, keyAt] // the last occurrence wins, as in JSON.parse
          j = skipSpace(t, skipValue(t, j))
          if (t.charCodeAt(j) === 44) j = skipSpace(t, j + 1)
        }
        if (found === -1) break
        i = last && key ? foundKey : found
      } else break
    }
    return this.position(i)
  }
}

/** The offset of the closing quote of the string that starts at `i`. */
function stringEnd(t: string, i: number): number {
  let j = t.indexOf('"', i + 1)
  while (j !== -1) {
    let b = 0
    while (t.charCodeAt(j - 1 - b) === 92) b++
    if (b % 2 === 0) return j
    j = t.indexOf('"', j + 1)
  }
  return t.length
}

/** The offset just after the value that starts at `i` (the text is valid JSON). */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i)
  if (c === 34) return stringEnd(t, i) + 1
  if (c === 123 || c === 91) {
    let depth = 0
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j)
      if (d === 34) j = stringEnd(t, j)
      else if (d === 123 || d === 91) depth++
      else if ((d === 125 || d === 93) && --depth === 0) return j + 1
    }
    return t.length
  }
  let j = i
  while (j < t.length) {
    const d = t.charCodeAt(j)
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break
    j++
  }
  return j
}

/** Keys given twice in one object, found by a light scan of valid JSON text. */
function findDuplicates(t: string): DuplicateKey[] {
  const out: DuplicateKey[] = []
  // One frame per open container: the keys seen (objects) or null (arrays), and the current key or index.
  const keys: (string[] | Set<string> | null)[] = []
  const at: (string | number)[] = []
  let expectKey = false
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c === 34) {
      const end = stringEnd(t, i)
      if (expectKey) {
        const raw = t.slice(i + 1, end)
        const name = raw.indexOf('\\') === -1 ? raw : (JSON.parse(t.slice(i, end + 1)) as string)
        const seen = keys[keys.length - 1]!
        const dup = Array.isArray(seen) ? seen.includes(name) : seen.has(name)
        at[at.length - 1] = name
        if (dup) out.push({ pointer: at.map((x) => '/' + pointerToken(x)).join(''), offset: i, key: name })
        else if (Array.isArray(seen)) {
          seen.push(name)
          if (seen.length > 16) keys[keys.length - 1] = new Set(seen)
        } else seen.add(name)
        expectKey = false
      }
      i = end
    } else if (c === 123) {
      keys.push([])
      at.push('')
      expectKey = true
    } else if (c === 91) {
      keys.push(null)
      at.push(0)
    } else if (c === 125 || c === 93) {
      keys.pop()
      at.pop()
    } else if (c === 44) {
      if (keys[keys.length - 1] === null) (at[at.length - 1] as number)++
      else expectKey = true
    }
  }
  return out
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

/**
 * Parses JSON text (with the native JSON.parse) and finds its duplicate keys. Throws `JsonSyntaxError`, with the
 * line:column of the first character that is not JSON, on invalid text.
 */
export function parseJsonText(text: string): JsonText {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    syntaxCheck(text)
  }
  return new JsonText(text, value, findDuplicates(text))
}

/** Scans invalid JSON text to throw a `JsonSyntaxError` at the first character that is not JSON. */
function syntaxCheck(text: string): never {
  let i = 0
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, new JsonText(text, undefined, []).position(at))
  }
  const what = (at: number): string => (at >= text.length ? 'the end of the text' : `${JSON.stringify(text[at])}`)

  const parseString = (): string => {
    const start = i
    i++ // opening quote
    let end = i
    for (;;) {
      const c = text.charCodeAt(end)
      if (Number.isNaN(c)) fail('unterminated string', start)
      if (c === 34) break
      if (c === 92) end += 2
      else if (c < 32)
        fail(`control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in a string; escape it (\\n, \\t, \\u00XX)`, end)
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

  const parseValue = (depth: number): void => {
    i = skipSpace(text, i)
    const c = text.charCodeAt(i)
    if (c === 123 || c === 91) {
      if (depth > 10_000) fail('nesting deeper than 10000 levels')
      const close = c === 123 ? 125 : 93
      const what2 = c === 123 ? 'a member of the object' : 'an item of the array'
      i = skipSpace(text, i + 1)
      if (text.charCodeAt(i) === close) return void i++
      for (;;) {
        i = skipSpace(text, i)
        if (text.charCodeAt(i) === close) fail(`a comma before '${String.fromCharCode(close)}': JSON allows no trailing comma`)
        if (c === 123) {
          if (text.charCodeAt(i) !== 34) fail(`expected a key in double quotes, found ${what(i)}`)
          const key = parseString()
          i = skipSpace(text, i)
          if (text.charCodeAt(i) !== 58) fail(`expected ':' after the key ${JSON.stringify(key)}, found ${what(i)}`)
          i++
        }
        parseValue(depth + 1)
        i = skipSpace(text, i)
        const d = text.charCodeAt(i)
        if (d === 44) {
          i++
          continue
        }
        if (d === close) return void i++
        fail(`expected ',' or '${String.fromCharCode(close)}' after ${what2}, found ${what(i)}`)
      }
    }
    if (c === 34) return void parseString()
    if (c === 116 && text.startsWith('true', i)) return void (i += 4)
    if (c === 102 && text.startsWith('false', i)) return void (i += 5)
    if (c === 110 && text.startsWith('null', i)) return void (i += 4)
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (m !== null) return void (i += m[0].length)
    fail(`expected a value, found ${what(i)}`)
  }

  if (text.charCodeAt(0) === 0xfeff) i = 1
  parseValue(0)
  i = skipSpace(text, i)
  if (i < text.length) fail(`unexpected ${what(i)} after the end of the JSON value`)
  throw new SyntaxError('the text is not JSON') // JSON.parse refused it; the scan above says where
}
