// --update: rewrites the expected output of failed transcript statements in the Markdown source, in place.
import type { ExampleResult } from './session.ts'

/**
 * True for an example `--update` can fix: a failed transcript statement that ran and printed something else, and
 * whose output has no line that would read as a `> ` prompt (writing that would change the transcript's statements).
 */
export function isUpdatable(example: ExampleResult): boolean {
  return example.status === 'failed' && example.kind === 'statement' && example.expectedLines !== undefined &&
    example.actual !== undefined && !example.actual.split('\n').some((line) => /^\s*>(?: |$)/.test(line))
}

/**
 * Returns `markdown` with the expected-output lines of every failed statement (`status: 'failed'`, with
 * `expectedLines` and `actual`) replaced by the actual output, indented like the block. Statements that were
 * skipped or not run are left alone; so are syntax errors (they have no actual output). Lines are spliced from the
 * bottom up, so earlier positions stay valid; the line ending style (`\n` or `\r\n`) is kept.
 */
export function applyUpdates(markdown: string, examples: readonly ExampleResult[]): { text: string; updated: number } {
  const eol = markdown.includes('\r\n') ? '\r\n' : '\n'
  const lines = markdown.split(/\r?\n/)
  const todo = examples
    .filter(isUpdatable)
    .sort((a, b) => b.expectedLines!.first - a.expectedLines!.first)
  for (const example of todo) {
    const { first, count } = example.expectedLines!
    const indent = ' '.repeat(Math.max(0, (example.indent ?? 1) - 1))
    const replacement = example.actual === '' ? [] : example.actual!.split('\n').map((line) => (line === '' ? '' : indent + line))
    lines.splice(first - 1, count, ...replacement)
  }
  return { text: lines.join(eol), updated: todo.length }
}
