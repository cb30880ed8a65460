// Page-level doctest defaults from frontmatter (`doctest: +ELLIPSIS` or a mapping), and frontmatter splitting.
import { diagnostic, type FileInfo } from './file.ts'
import { FLAG_NAMES, readFlagWords } from './fence.ts'
import type { Diagnostic, DoctestFlags } from './types.ts'

/** A Markdown text with its frontmatter taken out. */
export interface SplitFrontmatter {
  /** The top-level keys of the frontmatter (scalars as text, `doctest:` also as a one-level mapping), if any. */
  readonly frontmatter: Record<string, unknown> | undefined
  /** Line (1-based) of the `doctest:` key, when present. */
  readonly doctestLine: number | undefined
  /** The text with the frontmatter lines blanked, so positions in it equal positions in the original. */
  readonly body: string
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/

/** Strips surrounding quotes of a YAML scalar and reads `true` / `false` / numbers. */
function scalar(raw: string): unknown {
  const text = raw.replace(/\s+#.*$/, '').trim()
  if (/^(["']).*\1$/.test(text)) return text.slice(1, -1)
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  return text
}

/**
 * Takes YAML frontmatter (`---` … `---` at the very start) off a Markdown text. Only what Flowmark needs is read:
 * top-level `key: scalar` lines, and `doctest:` either as a scalar or as a one-level mapping of scalars.
 * @param markdown The whole file.
 * @returns The frontmatter keys, the line of `doctest:` and the body with the same line numbering.
 */
export function splitFrontmatter(markdown: string): SplitFrontmatter {
  const match = FENCE.exec(markdown)
  if (!match) return { frontmatter: undefined, doctestLine: undefined, body: markdown }
  const lines = (match[1] ?? '').split(/\r?\n/)
  const frontmatter: Record<string, unknown> = {}
  let doctestLine: number | undefined
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z_][\w-]*):(.*)$/.exec(lines[i] ?? '')
    if (!m) continue
    const key = m[1] ?? ''
    const value = (m[2] ?? '').trim()
    if (key === 'doctest') doctestLine = i + 2
    if (value !== '' || key !== 'doctest') {
      frontmatter[key] = scalar(value)
      continue
    }
    const mapping: Record<string, unknown> = {}
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] ?? '')) {
      i++
      const entry = /^\s+([A-Za-z_][\w-]*):(.*)$/.exec(lines[i] ?? '')
      if (entry) mapping[entry[1] ?? ''] = scalar(entry[2] ?? '')
    }
    frontmatter[key] = mapping
  }
  const blanked = match[0].replace(/[^\r\n]/g, '')
  return { frontmatter, doctestLine, body: blanked + markdown.slice(match[0].length) }
}

/** Page-level doctest settings. */
export interface PageDefaults {
  /** Default flags of every example on the page, if the page sets any. */
  readonly flags: DoctestFlags | undefined
  /** Per-block timeout in ms, if the page sets one. */
  readonly timeout: number | undefined
  /** Problems with the `doctest:` value. */
  readonly diagnostics: readonly Diagnostic[]
}

const MAPPING_KEYS: Readonly<Record<string, keyof DoctestFlags>> = Object.fromEntries(
  Object.entries(FLAG_NAMES).flatMap(([upper, key]) => [
    [key, key],
    [upper, key],
    [upper.toLowerCase(), key],
  ]),
)

/**
 * Reads the frontmatter `doctest:` value: `false` / `off` / `skip` (skip the page), a flag string
 * (`+ELLIPSIS +NORMALIZE_WHITESPACE timeout=20000`) or a mapping (`ellipsis: true`, `timeout: 20000`).
 * @param frontmatter The page's frontmatter (parsed by the host or by {@link splitFrontmatter}).
 * @param file The page, for diagnostics.
 * @param line Line of the `doctest:` key, when known.
 * @returns The page defaults and any problems.
 */
export function pageDefaults(frontmatter: Readonly<Record<string, unknown>> | undefined, file: FileInfo, line = 1): PageDefaults {
  const value = frontmatter?.['doctest']
  const at = { line, column: 1 }
  if (value === undefined || value === null || value === true) return { flags: undefined, timeout: undefined, diagnostics: [] }
  if (value === false || value === 'off' || value === 'skip') return { flags: { skip: true }, timeout: undefined, diagnostics: [] }
  const diagnostics: Diagnostic[] = []
  if (typeof value === 'string') {
    const words = readFlagWords(value.trim().split(/\s+/).filter(Boolean))
    for (const word of [...words.unknown, ...words.rest]) {
      diagnostics.push(
        diagnostic(
          file,
          'warning',
          'frontmatter-doctest',
          at,
          `Unknown doctest flag \`${word}\` in frontmatter \`doctest:\`; known: ${Object.keys(FLAG_NAMES)
            .map((n) => `+${n}`)
            .join(', ')}, skip, timeout=<ms>.`,
        ),
      )
    }
    return { flags: Object.keys(words.flags).length > 0 ? words.flags : undefined, timeout: words.timeout, diagnostics }
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const flags: { -readonly [K in keyof DoctestFlags]: DoctestFlags[K] } = {}
    let timeout: number | undefined
    for (const [key, entry] of Object.entries(value)) {
      if (key === 'timeout' && typeof entry === 'number' && entry > 0) {
        timeout = entry
        continue
      }
      const flag = MAPPING_KEYS[key]
      if (flag && typeof entry === 'boolean') {
        flags[flag] = entry
        continue
      }
      diagnostics.push(
        diagnostic(
          file,
          'warning',
          'frontmatter-doctest',
          at,
          `Frontmatter \`doctest.${key}\` is not understood: expected one of ${Object.values(FLAG_NAMES).join(', ')} (true/false) or timeout (ms).`,
        ),
      )
    }
    return { flags: Object.keys(flags).length > 0 ? flags : undefined, timeout, diagnostics }
  }
  diagnostics.push(
    diagnostic(
      file,
      'warning',
      'frontmatter-doctest',
      at,
      `Frontmatter \`doctest:\` must be false, a flag string such as "+ELLIPSIS", or a mapping; got ${JSON.stringify(value)}.`,
    ),
  )
  return { flags: undefined, timeout: undefined, diagnostics }
}
