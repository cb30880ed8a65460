// Reads the source text of a directive's opening line, for positions of attributes and for the authoring lint.

/** One attribute as written in the source, with 0-based indexes into the line. */
export interface AttributeToken {
  /** The attribute name (`id` / `class` for the `#x` / `.y` shortcuts). */
  readonly name: string
  /** Index of the first character of the name (or of `#`/`.`). */
  readonly nameStart: number
  /** The value as written (without quotes), `undefined` for a bare attribute. */
  readonly value: string | undefined
  /** Index of the first character of the value (after the opening quote), or of the name for bare attributes. */
  readonly valueStart: number
  /** The quote around the value, or `null` for unquoted and bare values. */
  readonly quote: '"' | "'" | null
  /** The value was quoted but the closing quote is missing on the line. */
  readonly unterminated: boolean
  /** The quoted value holds backslash-escaped quotes (`\"`), which directive syntax does not have. */
  readonly escaped: boolean
}

/** A directive opening line as written: `:::name[label]{attributes}`. */
export interface OpeningLine {
  /** Leading whitespace before the colons. */
  readonly indent: string
  /** The run of colons (`::` leaf, `:::` or more container). */
  readonly colons: string
  /** The directive name. */
  readonly name: string
  /** Whitespace between the name (or label) and `{`, which micromark refuses and other parsers ignore. */
  readonly spaceBeforeBrace: boolean
  /** Index of `{`, or -1 when there are no attributes. */
  readonly braceStart: number
  /** Whether the `{…}` group is closed on this line. */
  readonly braceClosed: boolean
  /** The attributes in source order. */
  readonly attributes: readonly AttributeToken[]
  /** The text after the closing `}` (should be empty). */
  readonly trailing: string
}

const OPENER = /^(\s*)(:{2,})([\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?)/u

/**
 * Parses a directive opening line loosely (more loosely than micromark), so that the lint can say why a line
 * failed to parse and the directive core can point at attribute positions.
 * @param line One line of source text.
 * @returns The parts of the opening, or `undefined` when the line does not start with `::name`.
 */
export function readOpeningLine(line: string): OpeningLine | undefined {
  const head = OPENER.exec(line)
  if (!head) return undefined
  const [whole, indent = '', colons = '', name = ''] = head
  let i = whole.length
  if (line[i] === '[') {
    let depth = 0
    for (; i < line.length; i++) {
      const c = line[i]
      if (c === '\\') {
        i++
        continue
      }
      if (c === '[') depth++
      else if (c === ']' && --depth === 0) {
        i++
        break
      }
    }
  }
  let j = i
  while (line[j] === ' ' || line[j] === '\t') j++
  if (line[j] !== '{') {
    return { indent, colons, name, spaceBeforeBrace: false, braceStart: -1, braceClosed: false, attributes: [], trailing: line.slice(i) }
  }
  const spaceBeforeBrace = j > i
  const attributes: AttributeToken[] = []
  let k = j + 1
  let closed = false
  while (k < line.length) {
    const c = line[k] ?? ''
    if (c === ' ' || c === '\t') {
      k++
      continue
    }
    if (c === '}') {
      closed = true
      k++
      break
    }
    const nameStart = k
    if (c === '#' || c === '.') {
      k++
      const start = k
      while (k < line.length && !/[\s}]/.test(line[k] ?? '')) k++
      attributes.push({
        name: c === '#' ? 'id' : 'class',
        nameStart,
        value: line.slice(start, k),
        valueStart: start,
        quote: null,
        unterminated: false,
        escaped: false,
      })
      continue
    }
    while (k < line.length && !/[\s=}]/.test(line[k] ?? '')) k++
    const attrName = line.slice(nameStart, k)
    if (line[k] !== '=') {
      attributes.push({
        name: attrName,
        nameStart,
        value: undefined,
        valueStart: nameStart,
        quote: null,
        unterminated: false,
        escaped: false,
      })
      if (k === nameStart) k++
      continue
    }
    k++
    const q = line[k]
    if (q === '"' || q === "'") {
      const start = k + 1
      let end = line.indexOf(q, start)
      let escaped = false
      while (end > 0 && line[end - 1] === '\\') {
        escaped = true
        end = line.indexOf(q, end + 1)
      }
      if (end < 0) {
        attributes.push({ name: attrName, nameStart, value: line.slice(start), valueStart: start, quote: q, unterminated: true, escaped })
        k = line.length
        break
      }
      attributes.push({
        name: attrName,
        nameStart,
        value: line.slice(start, end),
        valueStart: start,
        quote: q,
        unterminated: false,
        escaped,
      })
      k = end + 1
      continue
    }
    const start = k
    let depth = 0
    while (k < line.length) {
      const ch = line[k] ?? ''
      if (ch === '{' || ch === '[') depth++
      else if ((ch === '}' || ch === ']') && depth > 0) depth--
      else if (depth === 0 && /[\s}]/.test(ch)) break
      k++
    }
    attributes.push({
      name: attrName,
      nameStart,
      value: line.slice(start, k),
      valueStart: start,
      quote: null,
      unterminated: false,
      escaped: false,
    })
  }
  return { indent, colons, name, spaceBeforeBrace, braceStart: j, braceClosed: closed, attributes, trailing: closed ? line.slice(k) : '' }
}

/**
 * Writes attributes back in the portable form: values quoted when they hold anything but letters, digits,
 * `_` and `-`, with single quotes when the value contains a double quote (JSON).
 * @param attributes Name/value pairs in order; `undefined` values are written bare.
 * @returns The `{…}` group, e.g. `{name=dsp opt='{"depth": 1}'}`.
 */
export function portableAttributes(attributes: readonly (readonly [string, string | undefined])[]): string {
  const parts = attributes.map(([name, value]) => {
    if (value === undefined) return name
    if (/^[\w-]+$/u.test(value)) return `${name}=${value}`
    return value.includes('"') ? `${name}='${value}'` : `${name}="${value}"`
  })
  return `{${parts.join(' ')}}`
}

/**
 * The source line `line` (1-based) of a text, without its line ending.
 * @param source The whole file.
 * @param line 1-based line number.
 * @returns The line, or `undefined` past the end.
 */
export function sourceLine(source: string, line: number): string | undefined {
  let start = 0
  for (let n = 1; n < line; n++) {
    const next = source.indexOf('\n', start)
    if (next < 0) return undefined
    start = next + 1
  }
  const end = source.indexOf('\n', start)
  return source.slice(start, end < 0 ? source.length : end).replace(/\r$/, '')
}
