// --update: rewrites the expected output of failed transcript statements in the Markdown source, in place.
import type { ExampleResult } from './session.ts'

/**
 * True for an example `--update` can fix: a failed transcript statement that ran and printed something else, and
 * whose output has no line that would read as a `> ` prompt (writing that would change the transcript's statements).
 * A statement whose callbacks threw after it finished (`doctest-async-error`) is not: its output is not the problem.
 */
export function isUpdatable(example: ExampleResult): boolean {
  return (
    example.status === 'failed' &&
    example.kind === 'statement' &&
    example.expectedLines !== undefined &&
    example.diagnostic?.rule !== 'doctest-async-error' &&
    example.actual !== undefined &&
    !example.actual.split('\n').some((line) => /^\s*>(?: |$)/.test(line))
  )
}

/**
 * Returns `markdown` with the expected-output lines of every failed statement (`status: 'failed'`, with
 * `expectedLines` and `actual`) replaced by the actual output, indented like the block. Statements that were
 * skipped or not run are left alone; so are syntax errors (they have no actual output). Lines are spliced from the
 * bottom up, so earlier positions stay valid. Every line keeps its own ending (`\n`, `\r\n` or none at the end of
 * the file); new lines take the ending of the line they replace (or of the statement's line), so a page with mixed
 * endings changes only where its output changes.
 */
export function applyUpdates(markdown: string, examples: readonly ExampleResult[]): { text: string; updated: number } {
  const lines: string[] = []
  const endings: string[] = []
  for (const match of markdown.matchAll(/([^\r\n]*(?:\r(?!\n)[^\r\n]*)*)(\r?\n|$)/g)) {
    lines.push(match[1]!)
    endings.push(match[2]!)
    if (match[2] === '') break
  }
  const fallback = markdown.includes('\r\n') ? '\r\n' : '\n'
  const todo = examples.filter(isUpdatable).sort((a, b) => b.expectedLines!.first - a.expectedLines!.first)
  for (const example of todo) {
    const { first, count } = example.expectedLines!
    const indent = ' '.repeat(Math.max(0, (example.indent ?? 1) - 1))
    const replacement = example.actual === '' ? [] : example.actual!.split('\n').map((line) => (line === '' ? '' : indent + line))
    // New lines end like the first line they replace (or the line before); the last keeps the last replaced ending.
    const at = Math.min(first - 1, lines.length)
    const ending = endings[at] || endings[at - 1] || fallback
    const lastEnding = count > 0 ? (endings[at + count - 1] ?? ending) : ending
    const newEndings = replacement.map((_, k) => (k === replacement.length - 1 && count > 0 ? lastEnding : ending))
    lines.splice(at, count, ...replacement)
    endings.splice(at, count, ...newEndings)
  }
  return { text: lines.map((line, k) => line + endings[k]).join(''), updated: todo.length }
}
