// Doctest failure reporting for Astro: collects diagnostics of every page, formats them by file:line, builds errors.
import { relative, isAbsolute } from 'node:path'
import type { Diagnostic } from '../core/types.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/**
 * Format one diagnostic as `file:line:column rule: message`, followed by its diff (indented) when it has one.
 * @param d The diagnostic.
 * @param root Absolute project root; files under it are shown relative to it.
 * @returns One or more lines of text.
 */
export function formatDiagnostic(d: Diagnostic, root: string): string {
  const file = isAbsolute(d.file) && root !== '' ? relative(root, d.file) || d.file : d.file
  let text = `${file}:${d.start.line}:${d.start.column} ${d.rule}: ${d.message}`
  if (d.diff !== undefined && d.diff !== '') text += '\n' + d.diff.replace(/\n$/, '').replace(/^/gm, '    ')
  return text
}

/**
 * Thrown by `build()` of astro (from `astro:build:done`) when examples failed (the `astro build` command logs its
 * message once and exits with status 1 instead): lists every failure of every page,
 * ordered by file and line.
 */
export class DoctestBuildError extends FlowmarkPluginError {
  static {
    nameError(this, 'DoctestBuildError')
  }
  /** All error diagnostics of the build. */
  readonly failures: readonly Diagnostic[]
  /**
   * @param failures The failures (at least one).
   * @param root Project root, for relative file names in the message.
   */
  constructor(failures: readonly Diagnostic[], root: string) {
    const files = new Set(failures.map((f) => f.file)).size
    super(
      `flowmark: ${failures.length} example${failures.length === 1 ? '' : 's'} failed in ${files} page${files === 1 ? '' : 's'}:\n` +
        failures.map((f) => formatDiagnostic(f, root)).join('\n') +
        "\nFix the examples (or their expected output), or set `doctest: 'warn'` in flowmark() to build anyway.",
    )
    this.failures = failures
  }
}

/**
 * Thrown while rendering one page in `astro dev`, shaped like Astro's own errors (`loc`, `title`, `hint`) so the
 * error overlay opens the Markdown file at the failing example.
 */
export class PageDoctestError extends FlowmarkPluginError {
  static {
    nameError(this, 'PageDoctestError')
  }
  /** Where the first failure is (read by Astro's overlay). */
  readonly loc: { file: string; line: number; column: number }
  /** Short title shown by the overlay. */
  readonly title: string
  /** How to fix it. */
  readonly hint: string
  /** The page's failures. */
  readonly failures: readonly Diagnostic[]
  /**
   * @param failures The page's error diagnostics (at least one).
   * @param root Project root, for relative file names.
   */
  constructor(failures: readonly Diagnostic[], root: string) {
    const first = failures[0] as Diagnostic
    super(failures.map((f) => formatDiagnostic(f, root)).join('\n'))
    this.title = `${failures.length} example${failures.length === 1 ? '' : 's'} failed`
    this.hint = "Fix the example or its expected output; set `doctest: 'warn'` in flowmark() to render anyway."
    this.loc = { file: first.file, line: first.start.line, column: first.start.column }
    this.failures = failures
  }
}

/** Collects the diagnostics of every rendered page (one entry per file, replaced when the page renders again). */
export class DiagnosticCollector {
  readonly #byFile = new Map<string, readonly Diagnostic[]>()

  /**
   * Record the diagnostics of a page, replacing what an earlier render of the same page recorded.
   * @param file The page's file.
   * @param diagnostics Its diagnostics (errors and warnings).
   */
  set(file: string, diagnostics: readonly Diagnostic[]): void {
    if (diagnostics.length === 0) this.#byFile.delete(file)
    else this.#byFile.set(file, diagnostics)
  }

  /** Forget everything (start of a build). */
  clear(): void {
    this.#byFile.clear()
  }

  /**
   * The diagnostics of a severity, ordered by file, line and column.
   * @param severity `'error'` or `'warning'`.
   */
  list(severity: Diagnostic['severity']): Diagnostic[] {
    const out: Diagnostic[] = []
    for (const diags of this.#byFile.values()) for (const d of diags) if (d.severity === severity) out.push(d)
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start.line - b.start.line || a.start.column - b.start.column))
  }
}
