// Compares expected and actual transcript output under doctest flags, and writes unified diffs of the two.
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
  const pattern = e.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?')
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

type Op = { readonly kind: ' ' | '-' | '+'; readonly text: string }

/**
 * A unified diff (`--- expected`, `+++ actual`, `@@` hunks; `-` lines expected, `+` lines actual) of two texts,
 * line by line, from a longest-common-subsequence alignment. Empty when the texts are equal.
 */
export function unifiedDiff(expected: string, actual: string, options: DiffOptions = {}): string {
  if (expected === actual) return ''
  const a = expected === '' ? [] : expected.split('\n')
  const b = actual === '' ? [] : actual.split('\n')
  const ops = diffLines(a, b)
  const context = options.context ?? 3
  const out = [`--- ${options.expectedLabel ?? 'expected'}`, `+++ ${options.actualLabel ?? 'actual'}`]
  // Positions of the ops in each text, to label hunks.
  const posA: number[] = []
  const posB: number[] = []
  let ia = 0
  let ib = 0
  for (const op of ops) {
    posA.push(ia)
    posB.push(ib)
    if (op.kind !== '+') ia++
    if (op.kind !== '-') ib++
  }
  let k = 0
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === ' ') k++
    if (k >= ops.length) break
    const start = Math.max(0, k - context)
    let end = k
    // Extend the hunk while the next change is within 2×context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++
      let gap = end
      while (gap < ops.length && ops[gap]!.kind === ' ') gap++
      if (gap < ops.length && gap - end <= 2 * context) end = gap
      else break
    }
    const stop = Math.min(ops.length, end + context)
    const hunk = ops.slice(start, stop)
    const countA = hunk.filter((op) => op.kind !== '+').length
    const countB = hunk.filter((op) => op.kind !== '-').length
    const fromA = countA === 0 ? posA[start]! : posA[start]! + 1
    const fromB = countB === 0 ? posB[start]! : posB[start]! + 1
    out.push(`@@ -${fromA},${countA} +${fromB},${countB} @@`)
    for (const op of hunk) out.push(`${op.kind}${visibleWhitespace(op)}`)
    k = stop
  }
  const max = options.maxLines ?? 400
  if (out.length > max + 2) return [...out.slice(0, max + 2), `… ${out.length - max - 2} more diff lines`].join('\n')
  return out.join('\n')
}

/** Marks a changed line that is empty or only whitespace, so the diff shows what differs. */
function visibleWhitespace(op: Op): string {
  if (op.kind === ' ' || op.text.trim() !== '') return op.text
  return op.text === '' ? '⏎ (empty line)' : op.text.replace(/ /g, '·').replace(/\t/g, '→')
}

/** Above this many cells the LCS table is not built; the differing middle is shown as removed, then added. */
const MAX_TABLE = 4_000_000

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const same = (lines: readonly string[]): Op[] => lines.map((text) => ({ kind: ' ', text }))
  const midA = a.slice(head, a.length - tail)
  const midB = b.slice(head, b.length - tail)
  const middle = (midA.length + 1) * (midB.length + 1) > MAX_TABLE
    ? [...midA.map((text): Op => ({ kind: '-', text })), ...midB.map((text): Op => ({ kind: '+', text }))]
    : lcsDiff(midA, midB)
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))]
}

function lcsDiff(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length
  const m = b.length
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]! })
      i++
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ kind: '-', text: a[i++]! })
    else ops.push({ kind: '+', text: b[j++]! })
  }
  while (i < n) ops.push({ kind: '-', text: a[i++]! })
  while (j < m) ops.push({ kind: '+', text: b[j++]! })
  return ops
}
