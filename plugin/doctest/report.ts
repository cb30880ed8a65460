// Plain-text rendering of doctest diagnostics and reports, as the CLI and the Vitest helper print them.
import { relative } from 'node:path'
import type { Diagnostic, SessionReport } from '../core/types.ts'

/** Options of {@link formatDiagnostic}. */
export interface FormatOptions {
  /** Paths are shown relative to this folder (default: as given in the diagnostic). */
  readonly cwd?: string
}

/**
 * One diagnostic as `file:line:col severity message`, followed (for output mismatches) by the unified diff,
 * indented by two spaces. This is the format editors and CI log readers link to.
 */
export function formatDiagnostic(diagnostic: Diagnostic, options: FormatOptions = {}): string {
  const file = options.cwd === undefined ? diagnostic.file : relative(options.cwd, diagnostic.file) || diagnostic.file
  const head = `${file}:${diagnostic.start.line}:${diagnostic.start.column} ${diagnostic.severity} ${diagnostic.message} [${diagnostic.rule}]`
  if (diagnostic.diff === undefined || diagnostic.diff === '') return head
  return `${head}\n${diagnostic.diff
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`
}

/** Every diagnostic of a report, formatted, one after the other (empty when the page passed without warnings). */
export function formatReport(report: SessionReport, options: FormatOptions = {}): string {
  return report.diagnostics.map((d) => formatDiagnostic(d, options)).join('\n')
}
