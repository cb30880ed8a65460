// Doctests as Vitest tests: one `describe` per Markdown page, one `it` per example, one session per page.
import { globSync, readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { describe, it } from 'vitest'
import { pageSession } from '../core/page.ts'
import type { Diagnostic } from '../core/types.ts'
import { formatDiagnostic } from './report.ts'
import { listExamples, runSession, type DoctestReport } from './session.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Options of {@link describeDoctests}. */
export interface DescribeDoctestsOptions {
  /** Folder the globs are relative to, and paths are shown relative to (default `process.cwd()`). */
  readonly cwd?: string
  /** Per-block timeout in ms (default 10 000). */
  readonly timeout?: number
}

/** The error a failing doctest throws: the formatted diagnostic, with `expected`/`actual` for Vitest's diff. */
export class DoctestFailure extends FlowmarkPluginError {
  static {
    nameError(this, 'DoctestFailure')
  }
  /** Expected output (transcript statements). */
  readonly expected: string | undefined
  /** Actual output (transcript statements). */
  readonly actual: string | undefined
  constructor(diagnostic: Diagnostic, cwd: string) {
    super(formatDiagnostic({ ...diagnostic, diff: '' }, { cwd }))
    this.expected = diagnostic.expected
    this.actual = diagnostic.actual
    // The page position is in the message; frames of this helper would only point away from it.
    this.stack = `${this.name}: ${this.message}`
  }
}

/**
 * Declares the doctests of every Markdown page matching `patterns` (globs, relative to `cwd`): a `describe` per
 * page and an `it` per example (`line:col > statement`). A page's session runs once, when its first test runs;
 * every test then reads its own result, so filtering (`-t`) and reporters work as usual. `+SKIP` examples are
 * `it.skip`; page errors (bad directive attributes, text before a prompt) get their own test.
 * Call it at the top level of a `*.test.ts` file.
 */
export function describeDoctests(patterns: string | readonly string[], options: DescribeDoctestsOptions = {}): void {
  const cwd = options.cwd ?? process.cwd()
  const files = [...new Set((typeof patterns === 'string' ? [patterns] : patterns).flatMap((p) => globSync(p, { cwd })))]
    .map((f) => resolve(cwd, f))
    .sort()
  if (files.length === 0) throw new Error(`describeDoctests: no Markdown files match ${JSON.stringify(patterns)} (relative to ${cwd}).`)
  for (const file of files) {
    const name = relative(cwd, file) || file
    describe(name, () => {
      const page = pageSession(readFileSync(file, 'utf8'), file)
      const request = options.timeout === undefined ? page.request : { ...page.request, timeout: options.timeout }
      let pending: Promise<DoctestReport> | undefined
      const report = (): Promise<DoctestReport> => (pending ??= runSession(request))
      const examples = listExamples(request)
      const pageTimeout = (options.timeout ?? request.timeout ?? 10_000) * (request.blocks.length + 1) + 5_000
      const pageProblems = async (): Promise<Diagnostic[]> => {
        const r = await report()
        const owned = new Set(r.examples.flatMap((e) => (e.diagnostic === undefined ? [] : [e.diagnostic])))
        return [...page.diagnostics, ...r.diagnostics.filter((d) => !owned.has(d))].filter((d) => d.severity === 'error')
      }
      if (page.diagnostics.some((d) => d.severity === 'error') || request.blocks.some((b) => b.kind === 'transcript')) {
        it(
          'page has no doctest errors',
          async () => {
            const problems = await pageProblems()
            if (problems.length > 0) throw new Error(problems.map((d) => formatDiagnostic(d, { cwd })).join('\n'))
          },
          pageTimeout,
        )
      }
      // A page without examples still shows up (Vitest rejects an empty suite), as skipped.
      if (examples.length === 0 && !page.diagnostics.some((d) => d.severity === 'error')) it.skip('has no examples', () => undefined)
      examples.forEach((example, index) => {
        const title = `${example.start.line}:${example.start.column} ${example.kind === 'statement' ? '> ' : example.kind === 'draw' ? 'draw ' : ''}${example.source.split('\n')[0]}`
        const test = example.skip ? it.skip : it
        test(
          title,
          async () => {
            const result = (await report()).examples[index]
            if (result === undefined) throw new Error(`No result for example ${index} of ${name}; the page changed while the tests ran?`)
            if (result.status === 'failed' || result.status === 'not-run') {
              if (result.diagnostic !== undefined) throw new DoctestFailure(result.diagnostic, cwd)
              throw new Error(
                `${name}:${example.start.line}:${example.start.column} was not run: the page's session stopped at an earlier example.`,
              )
            }
          },
          pageTimeout,
        )
      })
    })
  }
}
