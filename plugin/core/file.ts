// The page being processed (path, source, frontmatter) and helpers that turn nodes into positioned diagnostics.
import type { Node } from 'unist'
import type { Diagnostic, SourcePoint } from './types.ts'

/** What the core knows about the page being processed; adapters fill it from their own file objects. */
export interface FileInfo {
  /** Path of the Markdown file (used for diagnostics and to resolve `from` and imports). */
  readonly path: string
  /**
   * The source text the tree's positions refer to. Optional, but without it the lint can only check what the
   * tree shows and attribute errors point at the directive's start instead of at the attribute.
   */
  readonly source?: string
  /** Parsed frontmatter, when the host parsed it (Astro: `file.data.astro.frontmatter`). */
  readonly frontmatter?: Readonly<Record<string, unknown>>
}

/**
 * The start of a node, or line 1 column 1 for nodes without positions.
 * @param node Any unist node.
 * @returns A 1-based point.
 */
export function startOf(node: Node): SourcePoint {
  const start = node.position?.start
  return start ? { line: start.line, column: start.column } : { line: 1, column: 1 }
}

/**
 * The end of a node, if the node has a position.
 * @param node Any unist node.
 * @returns A 1-based point or `undefined`.
 */
export function endOf(node: Node): SourcePoint | undefined {
  const end = node.position?.end
  return end ? { line: end.line, column: end.column } : undefined
}

/**
 * Builds a diagnostic for a file.
 * @param file The page.
 * @param severity `'error'` or `'warning'`.
 * @param rule The machine-readable rule name.
 * @param start Where the problem starts.
 * @param message What went wrong and how to fix it.
 * @param end Where the problem ends, if known.
 * @returns The diagnostic.
 */
export function diagnostic(
  file: FileInfo,
  severity: Diagnostic['severity'],
  rule: string,
  start: SourcePoint,
  message: string,
  end?: SourcePoint,
): Diagnostic {
  return end ? { severity, file: file.path, start, end, message, rule } : { severity, file: file.path, start, message, rule }
}
