// Code fences as doctest input: which languages run, what counts as a transcript, and the flags in fence meta.
import type { DoctestFlags } from './types.ts'

/** The languages a session can run. */
export type CodeLang = 'ts' | 'js'

const LANGS: Readonly<Record<string, CodeLang>> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  cts: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  cjs: 'js',
}

/**
 * Maps a fence's info-string language to the language a session runs.
 * @param lang The `lang` of an mdast `code` node (`ts`, `typescript`, `js`, …), possibly null.
 * @returns `'ts'` or `'js'`, or `undefined` for any other language (those fences are never run).
 */
export function codeLang(lang: string | null | undefined): CodeLang | undefined {
  return lang ? LANGS[lang.toLowerCase()] : undefined
}

/** A transcript's prompt line: optional indentation (group 1), then `>` followed by a space or the end of the line. */
export const TRANSCRIPT_PROMPT = /^(\s*)>(?: |$)/

/**
 * Whether a fence's content is a REPL transcript: its first non-blank line starts with the `> ` prompt.
 * The doctest engine's transcript parser uses the same rule ({@link TRANSCRIPT_PROMPT}).
 * @param value The fence content (mdast `code.value`).
 * @returns True for transcripts.
 */
export function isTranscript(value: string): boolean {
  const first = value.split('\n').find((line) => line.trim() !== '')
  return first !== undefined && TRANSCRIPT_PROMPT.test(first)
}

/** Doctest option names (Python doctest's spelling) and the {@link DoctestFlags} field each one sets. */
export const FLAG_NAMES: Readonly<Record<string, keyof DoctestFlags>> = {
  SKIP: 'skip',
  ELLIPSIS: 'ellipsis',
  NORMALIZE_WHITESPACE: 'normalizeWhitespace',
  IGNORE_EXCEPTION_DETAIL: 'ignoreExceptionDetail',
  FRESH_WORKER: 'freshWorker',
}

/** Mutable form of {@link DoctestFlags}, used while reading flags. */
type FlagsBuilder = { -readonly [K in keyof DoctestFlags]: DoctestFlags[K] }

/** What a list of flag words (`+ELLIPSIS -SKIP skip timeout=2000`) says. */
export interface FlagWords {
  /** The flags set or cleared (only the ones named). */
  readonly flags: DoctestFlags
  /** `timeout=<ms>`, when given. */
  readonly timeout: number | undefined
  /** Words that look like flags (`+X`/`-X`) but name no known flag. */
  readonly unknown: readonly string[]
  /** Words that are not flags at all (left for other tools, e.g. `title="…"`). */
  readonly rest: readonly string[]
}

/**
 * Reads doctest flag words: `+NAME` sets and `-NAME` clears a flag, bare `skip` means `+SKIP`, `timeout=<ms>`
 * sets the block timeout. Names are case-insensitive.
 * @param words The words, e.g. fence meta split on whitespace.
 * @returns The flags, the timeout, the unknown flag words and the other words.
 */
export function readFlagWords(words: readonly string[]): FlagWords {
  const flags: FlagsBuilder = {}
  const unknown: string[] = []
  const rest: string[] = []
  let timeout: number | undefined
  for (const word of words) {
    const sign = word[0]
    if (sign === '+' || sign === '-') {
      const key = FLAG_NAMES[word.slice(1).toUpperCase()]
      if (key) flags[key] = sign === '+'
      else unknown.push(word)
    } else if (word.toLowerCase() === 'skip') {
      flags.skip = true
    } else if (/^timeout=\d+$/i.test(word)) {
      timeout = Number(word.slice('timeout='.length))
    } else {
      rest.push(word)
    }
  }
  return { flags, timeout, unknown, rest }
}

/** What a fence's meta string says to Flowmark. */
export interface FenceMeta extends FlagWords {
  /** `setup` / `cleanup`: the fence runs as hidden setup or cleanup code. */
  readonly role: 'setup' | 'cleanup' | undefined
  /** `hide`: the fence runs but is not shown. */
  readonly hide: boolean
}

/**
 * Parses a fence's meta string (the info string after the language): doctest flags, `setup`, `cleanup`, `hide`.
 * Other words (for the highlighter, e.g. `title="x.ts"`) are returned in `rest` and otherwise ignored.
 * @param meta The `meta` of an mdast `code` node.
 * @returns The meaning of the meta for doctests.
 */
export function parseFenceMeta(meta: string | null | undefined): FenceMeta {
  const words = meta ? meta.trim().split(/\s+/).filter(Boolean) : []
  const mine = new Set(['setup', 'cleanup', 'hide'])
  const read = readFlagWords(words.filter((w) => !mine.has(w.toLowerCase())))
  const lower = words.map((w) => w.toLowerCase())
  const role = lower.includes('setup') ? 'setup' : lower.includes('cleanup') ? 'cleanup' : undefined
  return { ...read, role, hide: lower.includes('hide') }
}
