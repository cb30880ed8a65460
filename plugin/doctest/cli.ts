// `flowmark-docs doctest <files or globs…> [options]`: runs the pages' examples, reports failures, `--update` rewrites pages safely.
import { existsSync } from 'node:fs'
import { stat, glob } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs as parseCommandLine } from 'node:util'
import { argsErrorMessage } from '../cli-args.ts'
import { pageSession } from '../core/page.ts'
import type { Diagnostic } from '../core/types.ts'
import { DEFAULT_MAX_PAGE_MB, PageTooLargeError, readPage, writePageSafely, type PageFile } from './page-file.ts'
import { formatDiagnostic } from './report.ts'
import { DEFAULT_GRACE_MS, DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, runSession, type DoctestReport } from './session.ts'
import { applyUpdates, isUpdatable } from './update.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Usage text of the `doctest` subcommand. */
export const DOCTEST_USAGE = `Usage: flowmark-docs doctest <files, folders or globs…> [options]

Runs the examples of each Markdown page once, in one session per page, and checks REPL transcripts
(\`> \` statements with their expected output).

Options:
  --update, -u           rewrite the expected output of failing statements in the page (written to a
                         temporary file, then renamed over the page; a page edited during the run is
                         left alone and reported)
  --timeout <ms>         stop a block that runs longer than this (default ${DEFAULT_TIMEOUT})
  --grace <ms>           after a page's last example, wait up to this long for timers and promises it
                         left pending, so that their errors fail the page (default ${DEFAULT_GRACE_MS})
  --max-memory <MB>      heap limit of each page's session; an example that exceeds it fails with
                         doctest-out-of-memory and the other pages still run (default ${DEFAULT_MAX_MEMORY_MB})
  --max-page-size <MB>   larger pages are reported as errors instead of being read (default ${DEFAULT_MAX_PAGE_MB})
  --strict               fail when no example was checked at all, or when any warning was reported
                         (with the environment variable CI set, a run that checked nothing fails too;
                         --no-strict turns that off)
  --help, -h             show this help

Failures are printed as file:line:col severity message [rule], followed by a diff; the last line is
"N passed, N failed …". A run that checked no example at all says so.

Exit codes:
  0  every example that ran passed
  1  an example failed, a page has errors (syntax, too large, changed during --update, …), or, with
     --strict or CI, nothing was checked (--strict: or a warning was reported)
  2  bad arguments
`

/** Where {@link main} writes (defaults: the process streams and working directory). */
export interface CliIO {
  readonly stdout?: { write(text: string): unknown }
  readonly stderr?: { write(text: string): unknown }
  readonly cwd?: string
  /** Environment variables (default `process.env`); `CI` makes a run that checked nothing fail. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Bad command-line arguments. */
export class DoctestUsageError extends FlowmarkPluginError {
  static {
    nameError(this, 'DoctestUsageError')
  }
}

interface Args {
  readonly patterns: string[]
  readonly timeout: number | undefined
  readonly graceMs: number | undefined
  readonly maxMemoryMb: number | undefined
  readonly maxPageMb: number
  readonly update: boolean
  /** `true`/`false` when given (`--strict`/`--no-strict`), else `undefined` (then `CI` decides for empty runs). */
  readonly strict: boolean | undefined
  readonly help: boolean
}

/** A whole number option value ≥ `min`, or a usage error naming the option and what it needs. */
function wholeNumber(value: string | undefined, option: string, unit: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new DoctestUsageError(
      `${option} needs a whole number of ${unit}${min > 0 ? ` (at least ${min})` : ' (0 or more)'}, got '${value}'.`,
    )
  }
  return n
}

function parseArgs(argv: readonly string[]): Args {
  let parsed
  try {
    parsed = parseCommandLine({
      args: [...argv],
      allowPositionals: true,
      allowNegative: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        update: { type: 'boolean', short: 'u' },
        strict: { type: 'boolean' },
        timeout: { type: 'string' },
        grace: { type: 'string' },
        'max-memory': { type: 'string' },
        'max-page-size': { type: 'string' },
      },
    })
  } catch (error) {
    throw new DoctestUsageError(`${argsErrorMessage(error)}.`)
  }
  const { values, positionals } = parsed
  const args: Args = {
    patterns: positionals,
    timeout: wholeNumber(values.timeout, '--timeout', 'milliseconds', 1),
    graceMs: wholeNumber(values.grace, '--grace', 'milliseconds', 0),
    maxMemoryMb: wholeNumber(values['max-memory'], '--max-memory', 'megabytes', 16),
    maxPageMb: wholeNumber(values['max-page-size'], '--max-page-size', 'megabytes', 1) ?? DEFAULT_MAX_PAGE_MB,
    update: values.update === true,
    strict: values.strict,
    help: values.help === true,
  }
  if (!args.help && args.patterns.length === 0) throw new DoctestUsageError('give at least one Markdown file, folder or glob.')
  return args
}

/**
 * Marker file of folders whose pages are generated at build time (the API pages): a folder run skips them, so what
 * `flowmark-docs doctest <folder>` runs does not depend on whether the site was built before.
 */
const GENERATED_MARKER = '.flowmark-api'

/** Whether `file` lies in a folder below `top` (or `top` itself) that holds {@link GENERATED_MARKER}. */
function isGenerated(file: string, top: string, markers: Map<string, boolean>): boolean {
  for (let dir = dirname(file); dir.length >= top.length && dir.startsWith(top); dir = dirname(dir)) {
    let marked = markers.get(dir)
    if (marked === undefined) {
      marked = existsSync(join(dir, GENERATED_MARKER))
      markers.set(dir, marked)
    }
    if (marked) return true
    if (dir === top) break
  }
  return false
}

/**
 * Expands files, folders (every `.md`/`.mdx` below them) and globs to a sorted list of absolute paths. Folders and
 * globs leave out generated pages (below a folder holding a `.flowmark-api` marker); a file named explicitly is kept.
 */
export async function expandPatterns(patterns: readonly string[], cwd: string): Promise<string[]> {
  const files = new Set<string>()
  for (const pattern of patterns) {
    if (/[*?[\]{}]/.test(pattern)) {
      const markers = new Map<string, boolean>()
      for await (const match of glob(pattern, { cwd, exclude: (name) => name === 'node_modules' })) {
        const file = resolve(cwd, match)
        if (!isGenerated(file, resolve(cwd), markers)) files.add(file)
      }
      continue
    }
    const path = resolve(cwd, pattern)
    const info = await stat(path).catch(() => undefined)
    if (info === undefined) throw new DoctestUsageError(`no such file or folder: ${pattern}`)
    if (info.isDirectory()) {
      const markers = new Map<string, boolean>()
      for await (const match of glob('**/*.{md,mdx}', { cwd: path, exclude: (name) => name === 'node_modules' })) {
        const file = resolve(path, match)
        if (!isGenerated(file, path, markers)) files.add(file)
      }
    } else files.add(path)
  }
  return [...files].sort()
}

/** Whether the environment says the run is on a CI service (`CI` set to anything but an empty string, `0` or `false`). */
function onCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env['CI']
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

/** One page's run: the page as read and its report, or the problem that kept it from running. */
type PageRun =
  | { readonly file: string; readonly page: PageFile; readonly diagnostics: readonly Diagnostic[]; readonly report: DoctestReport }
  | { readonly file: string; readonly page: undefined; readonly diagnostics: readonly Diagnostic[]; readonly report: undefined }

/** Reads, collects and runs one page; a page that cannot be read or is too large becomes a page error. */
async function runPage(file: string, args: Args, shown: string): Promise<PageRun> {
  let page: PageFile
  try {
    page = await readPage(file, args.maxPageMb)
  } catch (error) {
    const tooLarge = error instanceof PageTooLargeError
    const message = tooLarge
      ? error.message.replace(file, shown)
      : `${shown} could not be read: ${error instanceof Error ? error.message : String(error)}.`
    return {
      file,
      page: undefined,
      report: undefined,
      diagnostics: [
        {
          severity: 'error',
          file,
          start: { line: 1, column: 1 },
          rule: tooLarge ? 'doctest-page-too-large' : 'doctest-page-unreadable',
          message,
        },
      ],
    }
  }
  const session = pageSession(page.text, file)
  const request = {
    ...session.request,
    ...(args.timeout === undefined ? {} : { timeout: args.timeout }),
    ...(args.graceMs === undefined ? {} : { graceMs: args.graceMs }),
    ...(args.maxMemoryMb === undefined ? {} : { maxMemoryMb: args.maxMemoryMb }),
  }
  return { file, page, diagnostics: session.diagnostics, report: await runSession(request) }
}

/**
 * The `flowmark-docs doctest` command. Runs every page's session (via `pageSession` and `runSession`), prints each
 * diagnostic as `file:line:col severity message [rule]` with its diff, and ends with `N passed, N failed`.
 * With `--update`, failing statements get their actual output written into the page instead, through a temporary
 * file renamed over the page, and only when the page still has the content the run read.
 * @param argv The arguments after `doctest`.
 * @param io Output streams, working directory and environment (for tests).
 * @returns The exit code: 0 all passed, 1 failures or page errors (or, with `--strict`/`CI`, nothing checked),
 *   2 bad arguments.
 */
export async function main(argv: string[], io: CliIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  const cwd = io.cwd ?? process.cwd()
  const env = io.env ?? process.env
  let args: Args
  let files: string[]
  try {
    args = parseArgs(argv)
    if (args.help) {
      stdout.write(DOCTEST_USAGE)
      return 0
    }
    files = await expandPatterns(args.patterns, cwd)
    if (files.length === 0) throw new DoctestUsageError(`no Markdown files match ${args.patterns.join(' ')}.`)
  } catch (error) {
    if (!(error instanceof DoctestUsageError)) throw error
    stderr.write(`flowmark-docs doctest: ${error.message}\n\n${DOCTEST_USAGE}`)
    return 2
  }
  const shown = (file: string): string => relative(cwd, file) || file
  let passed = 0
  let failed = 0
  let skipped = 0
  let notRun = 0
  let pageErrors = 0
  let warnings = 0
  let updated = 0
  // Pages run concurrently (each in its own worker); their reports are printed in file order.
  const jobs = Math.max(1, Math.min(4, availableParallelism()))
  const runs = await mapConcurrently(files, jobs, (file) => runPage(file, args, shown(file)))
  for (const run of runs) {
    const { file, page, report } = run
    const extra: Diagnostic[] = []
    let rewritten = new Set<Diagnostic>()
    let written = 0
    if (report !== undefined) {
      passed += report.passed
      failed += report.failed
      notRun += report.examples.filter((e) => e.status === 'not-run').length
      skipped += report.examples.filter((e) => e.status === 'skipped').length
    }
    if (args.update && page !== undefined && report !== undefined) {
      const result = applyUpdates(page.text, report.examples)
      if (result.updated > 0) {
        const refuse = (rule: string, message: string): void => {
          extra.push({ severity: 'error', file, start: { line: 1, column: 1 }, rule, message })
        }
        if (!page.exactText) {
          refuse(
            'doctest-update-encoding',
            `${shown(file)}: not valid UTF-8, not updated (rewriting it would replace the bytes that are not UTF-8). Fix the file's encoding and run again.`,
          )
        } else if ((await writePageSafely(page, result.text)) === 'changed') {
          refuse(
            'doctest-update-conflict',
            `${shown(file)}: changed during the run, not updated (your edit is kept). Run \`flowmark-docs doctest --update\` again.`,
          )
        } else {
          rewritten = new Set(report.examples.filter(isUpdatable).flatMap((e) => (e.diagnostic === undefined ? [] : [e.diagnostic])))
          written = result.updated
          updated += written
        }
      }
    }
    const diagnostics: Diagnostic[] = [...run.diagnostics, ...(report?.diagnostics ?? []), ...extra]
      .filter((d) => !rewritten.has(d))
      .sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
    pageErrors += [...run.diagnostics, ...extra].filter((d) => d.severity === 'error').length
    warnings += diagnostics.filter((d) => d.severity === 'warning').length
    for (const diagnostic of diagnostics) stdout.write(`${formatDiagnostic(diagnostic, { cwd })}\n`)
    if (written > 0) stdout.write(`updated ${written} example${written === 1 ? '' : 's'} in ${shown(file)}\n`)
  }
  const checked = passed + failed
  const strict = args.strict === true
  const emptyFails = args.strict ?? onCI(env)
  if (checked === 0) {
    const unread = runs.filter((r) => r.report === undefined).length
    const why =
      unread > 0
        ? `${unread} page${unread === 1 ? '' : 's'} could not be run`
        : skipped + notRun > 0
          ? 'every example was skipped or not run'
          : 'no page has a transcript (`> ` statements) or a block that runs'
    stdout.write(
      `warning: no example was checked in ${files.length} file${files.length === 1 ? '' : 's'}: ${why}.${emptyFails ? ' This fails the run (--strict or CI).' : ' With --strict (or CI set) this fails the run.'}\n`,
    )
  }
  const notes = [
    skipped > 0 ? `${skipped} skipped` : '',
    notRun > 0 ? `${notRun} not run` : '',
    updated > 0 ? `${updated} updated` : '',
    pageErrors > 0 ? `${pageErrors} page error${pageErrors === 1 ? '' : 's'}` : '',
  ].filter((n) => n !== '')
  stdout.write(
    `${passed} passed, ${failed} failed${notes.length > 0 ? ` (${notes.join(', ')})` : ''} in ${files.length} file${files.length === 1 ? '' : 's'}\n`,
  )
  if (failed - updated > 0 || pageErrors > 0) return 1
  if (checked === 0 && emptyFails) return 1
  if (strict && warnings > 0) return 1
  return 0
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}
