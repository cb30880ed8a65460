// Compares expected and actual transcript output under doctest flags, and writes unified diffs of the two.
import { structuredPatch, type StructuredPatchHunk } from 'diff'
import type { DoctestFlags } from '../core/types.ts'
import { normalizeOutput } from './transcript.ts'

/**
 * True when `actual` output satisfies `expected` under `flags`. Both are compared after {@link normalizeOutput};
 * Stack frames (`    at …`) under an `Uncaught …` line are never compared.
 * `normalizeWhitespace` collapses every whitespace run to one space; `ellipsis` lets `...` match any text (also
 * across lines); `ignoreExceptionDetail` compares only the error name of an `Uncaught …` line and what follows it.
 */
export function outputMatches(expected: string, actual: string, flags: DoctestFlags): boolean {
  const e = withoutStackFrames(normalizeOutput(expected))
  const a = withoutStackFrames(normalizeOutput(actual))
  if (flags.ignoreExceptionDetail === true) {
    const ie = uncaughtIndex(e)
    const ia = uncaughtIndex(a)
    if (ie >= 0 && ia >= 0) {
      return textMatches(e.slice(0, ie), a.slice(0, ia), flags) && exceptionName(e.slice(ie)) === exceptionName(a.slice(ia))
    }
  }
  return textMatches(e, a, flags)
}

function textMatches(expected: string, actual: string, flags: DoctestFlags): boolean {
  let e = expected
  let a = actual
  if (flags.normalizeWhitespace === true) {
    e = e.replace(/\s+/g, ' ').trim()
    a = a.replace(/\s+/g, ' ').trim()
  }
  if (e === a) return true
  if (flags.ellipsis !== true || !e.includes('...')) return false
  const pattern = e
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?')
  return new RegExp(`^${pattern}$`).test(a)
}

/**
 * Drops `    at …` stack-frame lines that follow an `Uncaught …` line: the session never prints them, and a transcript
 * pasted from a real REPL session may hold them (the REPL shows frames of rejected top-level awaits).
 */
function withoutStackFrames(text: string): string {
  const out: string[] = []
  let inError = false
  for (const line of text.split('\n')) {
    if (line.startsWith('Uncaught ')) inError = true
    else if (inError && /^\s+at /.test(line)) continue
    else if (!/^\s/.test(line)) inError = false
    out.push(line)
  }
  return out.join('\n')
}

/** Offset of the first line that starts with `Uncaught `, or -1. */
function uncaughtIndex(text: string): number {
  if (text.startsWith('Uncaught ')) return 0
  const at = text.indexOf('\nUncaught ')
  return at < 0 ? -1 : at + 1
}

/** The error name of an `Uncaught TypeError: …` (or `Uncaught [MyError: …] {…}`) text; the whole first line otherwise. */
function exceptionName(text: string): string {
  const firstLine = text.split('\n', 1)[0]!
  const match = /^Uncaught \[?([A-Za-z_$][\w$]*)(?=[:\] ]|$)/.exec(firstLine)
  return match === null ? firstLine : match[1]!
}

/** Options of {@link unifiedDiff}. */
export interface DiffOptions {
  /** Label of the `---` side (default `expected`). */
  readonly expectedLabel?: string
  /** Label of the `+++` side (default `actual`). */
  readonly actualLabel?: string
  /** Unchanged lines shown around each change (default 3). */
  readonly context?: number
  /** At most this many diff lines are written; the rest is summarized in one line (default 400). */
  readonly maxLines?: number
}

/**
 * Edits beyond which jsdiff gives up aligning two outputs (its cost grows with (n + m) · edits), and total lines
 * beyond which it is not tried at all; the diff then shows the differing middle removed, then added.
 */
const MAX_EDITS = 1_000
const MAX_ALIGNED_LINES = 20_000

/**
 * A unified diff (`--- expected`, `+++ actual`, `@@` hunks; `-` lines expected, `+` lines actual) of two texts,
 * line by line, computed by jsdiff (`structuredPatch`). Empty when the texts are equal. Changed lines that are empty
 * or only whitespace are made visible (`⏎ (empty line)`, `·` for spaces, `→` for tabs).
 */
export function unifiedDiff(expected: string, actual: string, options: DiffOptions = {}): string {
  if (expected === actual) return ''
  const context = options.context ?? 3
  // jsdiff compares lines with their newline; both texts get one, so no "\ No newline at end of file" lines appear.
  const asFile = (text: string): string => (text === '' ? '' : `${text}\n`)
  const lines = countLines(expected) + countLines(actual)
  const patch =
    lines > MAX_ALIGNED_LINES
      ? undefined
      : structuredPatch('expected', 'actual', asFile(expected), asFile(actual), undefined, undefined, { context, maxEditLength: MAX_EDITS })
  const hunks = patch?.hunks ?? [wholeReplacement(expected, actual, context)]
  const out = [`--- ${options.expectedLabel ?? 'expected'}`, `+++ ${options.actualLabel ?? 'actual'}`]
  for (const hunk of hunks) {
    // As GNU diff (and jsdiff's formatPatch) write it: an empty side starts at the line before.
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart
    out.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`)
    for (const line of hunk.lines) {
      if (line.startsWith('\\')) continue
      out.push(visibleWhitespace(line))
    }
  }
  const max = options.maxLines ?? 400
  if (out.length > max + 2) return [...out.slice(0, max + 2), `… ${out.length - max - 2} more diff lines`].join('\n')
  return out.join('\n')
}

/**
 * One hunk for texts too different to align: the lines both share at the start and at the end stay (up to `context`
 * of them shown), every other expected line is removed and every other actual line added.
 */
function wholeReplacement(expected: string, actual: string, context: number): StructuredPatchHunk {
  const a = expected === '' ? [] : expected.split('\n')
  const b = actual === '' ? [] : actual.split('\n')
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const before = a.slice(Math.max(0, head - context), head)
  const after = a.slice(a.length - tail, a.length - tail + Math.min(tail, context))
  const removed = a.slice(head, a.length - tail)
  const added = b.slice(head, b.length - tail)
  return {
    oldStart: head - before.length + 1,
    oldLines: before.length + removed.length + after.length,
    newStart: head - before.length + 1,
    newLines: before.length + added.length + after.length,
    lines: [...before.map((l) => ` ${l}`), ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`), ...after.map((l) => ` ${l}`)],
  }
}

function countLines(text: string): number {
  let n = 1
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++
  return n
}

/** Marks a changed diff line (`-…`/`+…`) that is empty or only whitespace, so the diff shows what differs. */
function visibleWhitespace(line: string): string {
  const kind = line[0]
  const text = line.slice(1)
  if (kind === ' ' || text.trim() !== '') return line
  return `${kind}${text === '' ? '⏎ (empty line)' : text.replace(/ /g, '·').replace(/\t/g, '→')}`
}
