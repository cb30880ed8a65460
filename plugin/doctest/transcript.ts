// Parses a Node-REPL-style transcript (`> ` statements, `... ` continuations, expected output) and its doctest flags.
import { FLAG_NAMES, TRANSCRIPT_PROMPT as PROMPT, isTranscript } from '../core/fence.ts'
import type { DoctestFlags } from '../core/types.ts'

/** Mutable form of {@link DoctestFlags}, for merging. */
type FlagSet = { -readonly [K in keyof DoctestFlags]: DoctestFlags[K] }

// The flag names a `// doctest: +FLAG -FLAG` comment accepts, and the transcript test, are the directive core's.
export { FLAG_NAMES, isTranscript }

/** One `> ` statement of a transcript with the output expected after it. Lines and columns are 0-based in the block. */
export interface TranscriptStatement {
  /** Line of the `> ` prompt within the block's code. */
  readonly line: number
  /** Column of the `>` within that line. */
  readonly column: number
  /** Number of source lines: the prompt line plus its `... ` continuations. */
  readonly lineCount: number
  /** The statement as written, prompts removed (for messages and test names). */
  readonly text: string
  /**
   * The statement as code to run: prompts (and a `// doctest:` comment) replaced by spaces, so columns match the
   * block; lines joined with `\n`.
   */
  readonly source: string
  /** Expected output: the lines after the statement up to the next prompt, trailing whitespace and blank lines removed. */
  readonly expected: string
  /** Line (within the block) of the first expected-output line (the line after the statement). */
  readonly outputLine: number
  /** Number of expected-output lines kept (after trailing blank lines were dropped). */
  readonly outputLineCount: number
  /** Flags set by a `// doctest:` comment on the statement (only the ones it names). */
  readonly flags: DoctestFlags
}

/** A problem found while parsing a transcript, 0-based position within the block. */
export interface TranscriptProblem {
  readonly line: number
  readonly column: number
  readonly severity: 'error' | 'warning'
  readonly rule: 'doctest-syntax' | 'doctest-flag'
  readonly message: string
}

/** A parsed transcript: its statements in order, and problems found on the way. */
export interface Transcript {
  readonly statements: readonly TranscriptStatement[]
  readonly problems: readonly TranscriptProblem[]
}

const CONTINUATION = /^(\s*)\.\.\.(?: |$)/
const FLAG_COMMENT = /\/\/\s*doctest:(.*)$/

/** Removes trailing whitespace from every line and drops trailing blank lines (how outputs are compared). */
export function normalizeOutput(text: string): string {
  const lines = text.split('\n').map((line) => line.replace(/\s+$/, ''))
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines.join('\n')
}

/**
 * Parses the flags of a `// doctest: +ELLIPSIS -SKIP` comment text (the part after `doctest:`).
 * Unknown names are returned in `unknown`, so the caller can warn about them.
 */
export function parseFlagList(text: string): { flags: DoctestFlags; unknown: string[] } {
  const flags: FlagSet = {}
  const unknown: string[] = []
  for (const token of text.split(/[\s,]+/).filter((t) => t !== '')) {
    const match = /^([+-])([A-Za-z_]+)$/.exec(token)
    const key = match === null ? undefined : FLAG_NAMES[match[2]!.toUpperCase()]
    if (match === null || key === undefined) {
      unknown.push(token)
      continue
    }
    flags[key] = match[1] === '+'
  }
  return { flags, unknown }
}

/** Merges flag sets left to right: later sets override the keys they name. */
export function mergeFlags(...sets: readonly (DoctestFlags | undefined)[]): DoctestFlags {
  const merged: FlagSet = {}
  for (const set of sets) {
    if (set === undefined) continue
    for (const key of Object.values(FLAG_NAMES)) {
      const value = set[key]
      if (value !== undefined) merged[key] = value
    }
  }
  return merged
}

/**
 * Splits transcript code into statements. A `> ` line starts a statement; `... ` lines right after it continue it;
 * every other line up to the next `> ` line is expected output (so, once output started, a line beginning with `...`
 * is output, which `ELLIPSIS` can use). Text before the first prompt is reported as a problem.
 */
export function parseTranscript(code: string): Transcript {
  const lines = code.split('\n')
  const statements: TranscriptStatement[] = []
  const problems: TranscriptProblem[] = []
  let i = 0
  while (i < lines.length && !PROMPT.test(lines[i]!)) {
    if (lines[i]!.trim() !== '') {
      problems.push({
        line: i,
        column: lines[i]!.search(/\S/),
        severity: 'error',
        rule: 'doctest-syntax',
        message:
          'Text before the first `> ` prompt of a transcript. Start statements with `> ` (continue them with `... `), or move this text out of the code block.',
      })
      break
    }
    i++
  }
  while (i < lines.length && !PROMPT.test(lines[i]!)) i++
  while (i < lines.length) {
    const start = i
    const prompt = PROMPT.exec(lines[i]!)!
    const column = prompt[1]!.length
    const source: string[] = [blankPrefix(lines[i]!, prompt[0].length)]
    const text: string[] = [lines[i]!.slice(prompt[0].length)]
    i++
    for (let m = CONTINUATION.exec(lines[i] ?? ''); i < lines.length && m !== null; m = CONTINUATION.exec(lines[i] ?? '')) {
      source.push(blankPrefix(lines[i]!, m[0].length))
      text.push(lines[i]!.slice(m[0].length))
      i++
    }
    const outputStart = i
    while (i < lines.length && !PROMPT.test(lines[i]!)) i++
    const output = lines.slice(outputStart, i).map((line) => line.replace(/\s+$/, ''))
    while (output.length > 0 && output[output.length - 1] === '') output.pop()
    let flags: DoctestFlags = {}
    source.forEach((line, offset) => {
      const comment = FLAG_COMMENT.exec(line)
      if (comment === null) return
      // The comment talks to the runner, not to the code: blank it (so `{ a: 1 } // doctest: …` is still an object).
      source[offset] = line.slice(0, comment.index).padEnd(line.length, ' ')
      const parsed = parseFlagList(comment[1]!)
      flags = mergeFlags(flags, parsed.flags)
      if (parsed.unknown.length > 0) {
        problems.push({
          line: start + offset,
          column: comment.index,
          severity: 'warning',
          rule: 'doctest-flag',
          message: `Unknown doctest flag${parsed.unknown.length > 1 ? 's' : ''} ${parsed.unknown.map((u) => `\`${u}\``).join(', ')}: write \`+NAME\` or \`-NAME\` with NAME one of ${Object.keys(FLAG_NAMES).join(', ')}.`,
        })
      }
    })
    statements.push({
      line: start,
      column,
      lineCount: source.length,
      text: text.join('\n'),
      source: source.join('\n'),
      expected: output.join('\n'),
      outputLine: outputStart,
      outputLineCount: output.length,
      flags,
    })
  }
  return { statements, problems }
}

/** Replaces the first `n` characters of a line (the prompt) with spaces, keeping the columns of the code. */
function blankPrefix(line: string, n: number): string {
  return ' '.repeat(n) + line.slice(n)
}
