// `flowmark doctest <files or globs…> [--timeout ms] [--update]`: runs the pages' examples and reports failures.
import { existsSync } from 'node:fs'
import { readFile, stat, writeFile, glob } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { pageSession } from '../core/page.ts'
import type { Diagnostic } from '../core/types.ts'
import { formatDiagnostic } from './report.ts'
import { runSession } from './session.ts'
import { applyUpdates, isUpdatable } from './update.ts'

/** Usage text of the `doctest` subcommand. */
export const DOCTEST_USAGE = `Usage: flowmark doctest <files, folders or globs…> [--timeout <ms>] [--update]

Runs the examples of each Markdown page once, in one session per page, and checks REPL transcripts
(\`> \` statements with their expected output).

  --timeout <ms>  stop a block that runs longer than this (default 10000)
  --update, -u    rewrite the expected output of failing statements in place
  --help, -h      show this help

Failures are printed as file:line:col with a diff; the last line is "N passed, N failed".
Exit code: 0 when everything passed, 1 when an example failed or a page has errors, 2 for bad arguments.
`

/** Where {@link main} writes (defaults: the process streams and working directory). */
export interface CliIO {
  readonly stdout?: { write(text: string): unknown }
  readonly stderr?: { write(text: string): unknown }
  readonly cwd?: string
}

/** Bad command-line arguments. */
export class DoctestUsageError extends Error {
  override name = 'DoctestUsageError'
}

interface Args {
  readonly patterns: string[]
  readonly timeout: number | undefined
  readonly update: boolean
  readonly help: boolean
}

function parseArgs(argv: readonly string[]): Args {
  const patterns: string[] = []
  let timeout: number | undefined
  let update = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--update' || arg === '-u') update = true
    else if (arg === '--timeout' || arg.startsWith('--timeout=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
      const ms = Number(value)
      if (value === undefined || !Number.isInteger(ms) || ms <= 0) {
        throw new DoctestUsageError(`--timeout needs a positive whole number of milliseconds, got ${value === undefined ? 'nothing' : `'${value}'`}.`)
      }
      timeout = ms
    } else if (arg.startsWith('-')) throw new DoctestUsageError(`unknown option '${arg}'.`)
    else patterns.push(arg)
  }
  if (!help && patterns.length === 0) throw new DoctestUsageError('give at least one Markdown file, folder or glob.')
  return { patterns, timeout, update, help }
}

/**
 * Marker file of folders whose pages are generated at build time (the API pages): a folder run skips them, so what
 * `flowmark doctest <folder>` runs does not depend on whether the site was built before.
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

/**
 * The `flowmark doctest` command. Runs every page's session (via `pageSession` and `runSession`), prints each
 * diagnostic as `file:line:col severity message [rule]` with its diff, and ends with `N passed, N failed`.
 * With `--update`, failing statements get their actual output written into the page instead.
 * @param argv The arguments after `doctest`.
 * @param io Output streams and working directory (for tests).
 * @returns The exit code: 0 all passed, 1 failures or page errors, 2 bad arguments.
 */
export async function main(argv: string[], io: CliIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  const cwd = io.cwd ?? process.cwd()
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
    stderr.write(`flowmark doctest: ${error.message}\n\n${DOCTEST_USAGE}`)
    return 2
  }
  let passed = 0
  let failed = 0
  let skipped = 0
  let notRun = 0
  let pageErrors = 0
  let updated = 0
  // Pages run concurrently (each in its own worker); their reports are printed in file order.
  const jobs = Math.max(1, Math.min(4, availableParallelism()))
  const pages = await mapConcurrently(files, jobs, async (file) => {
    const markdown = await readFile(file, 'utf8')
    const page = pageSession(markdown, file)
    const request = args.timeout === undefined ? page.request : { ...page.request, timeout: args.timeout }
    return { file, markdown, page, report: await runSession(request) }
  })
  for (const { file, markdown, page, report } of pages) {
    passed += report.passed
    failed += report.failed
    notRun += report.examples.filter((e) => e.status === 'not-run').length
    skipped += report.examples.filter((e) => e.status === 'skipped').length
    const rewritten = new Set(args.update ? report.examples.filter(isUpdatable).map((e) => e.diagnostic) : [])
    const diagnostics: Diagnostic[] = [...page.diagnostics, ...report.diagnostics]
      .filter((d) => !rewritten.has(d))
      .sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
    pageErrors += page.diagnostics.filter((d) => d.severity === 'error').length
    for (const diagnostic of diagnostics) stdout.write(`${formatDiagnostic(diagnostic, { cwd })}\n`)
    if (args.update) {
      const result = applyUpdates(markdown, report.examples)
      if (result.updated > 0) {
        await writeFile(file, result.text)
        updated += result.updated
        stdout.write(`updated ${result.updated} example${result.updated === 1 ? '' : 's'} in ${relative(cwd, file) || file}\n`)
      }
    }
  }
  const notes = [skipped > 0 ? `${skipped} skipped` : '', notRun > 0 ? `${notRun} not run` : '', updated > 0 ? `${updated} updated` : '', pageErrors > 0 ? `${pageErrors} page error${pageErrors === 1 ? '' : 's'}` : '']
    .filter((n) => n !== '')
  stdout.write(`${passed} passed, ${failed} failed${notes.length > 0 ? ` (${notes.join(', ')})` : ''} in ${files.length} file${files.length === 1 ? '' : 's'}\n`)
  return failed - (args.update ? updated : 0) > 0 || pageErrors > 0 ? 1 : 0
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
