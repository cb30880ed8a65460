// Markdown page → doctest session: parses with remark (+ remark-directive) and collects the blocks in order.
import type { Root } from 'mdast'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { collectPage, type CollectOptions, type PagePlan } from './collect.ts'
import type { FileInfo } from './file.ts'
import { splitFrontmatter } from './frontmatter.ts'
import { lintPage } from './lint.ts'
import type { Diagnostic, SessionRequest } from './types.ts'

export { collectPage, blockId, drawIdOf, fenceContentStart } from './collect.ts'
export type { CollectOptions, DirectiveSite, PagePlan } from './collect.ts'

/** Options of {@link pageSession} and {@link treeSession}. */
export interface PageSessionOptions extends CollectOptions {
  /** Run the authoring lint too (default `true`). */
  readonly lint?: boolean
}

/** A page's session and every problem found while collecting it. */
export interface PageSession {
  /** The blocks to run, in document order. */
  readonly request: SessionRequest
  /** Attribute errors, frontmatter problems and lint warnings, in document order. */
  readonly diagnostics: Diagnostic[]
}

/** Orders diagnostics by position (stable for equal positions). */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.start.line - b.start.line || a.start.column - b.start.column
}

/**
 * The tree-level form of {@link pageSession}, for adapters that already hold a parsed tree with positions
 * (unified after remark-directive, Sätteri with `features.directive` and `position: true`).
 * @param root The mdast root.
 * @param file The page (pass `source` for exact positions and the full lint, `frontmatter` for page defaults).
 * @param options Defaults for every page; `lint: false` skips the lint.
 * @returns The session request, the diagnostics, and the full plan (directives, hidden fences).
 */
export function treeSession(root: Root, file: FileInfo, options: PageSessionOptions = {}): PageSession & { readonly plan: PagePlan } {
  const plan = collectPage(root, file, options)
  const diagnostics = [...plan.diagnostics, ...(options.lint === false ? [] : lintPage(root, file))].sort(byPosition)
  return { request: plan.request, diagnostics, plan }
}

/**
 * Parses a Markdown page (frontmatter allowed) with remark-parse and remark-directive and collects its doctest
 * session: transcripts, `:::dispatcher` code, `:::testsetup` / `:::testcleanup` code and one draw per
 * `dispatcher` directive, in document order, plus attribute errors and lint warnings with their positions.
 * @param markdown The page source.
 * @param file Path of the page (for diagnostics and to resolve imports).
 * @param options Defaults for every page.
 * @returns The session request and the diagnostics.
 */
export function pageSession(markdown: string, file: string, options: PageSessionOptions = {}): PageSession {
  const split = splitFrontmatter(markdown)
  const root = unified().use(remarkParse).use(remarkDirective).parse(split.body)
  const info: FileInfo = split.frontmatter
    ? { path: file, source: split.body, frontmatter: split.frontmatter }
    : { path: file, source: split.body }
  const { request, diagnostics } = treeSession(
    root,
    info,
    split.doctestLine === undefined ? options : { ...options, frontmatterLine: split.doctestLine },
  )
  return { request, diagnostics }
}
