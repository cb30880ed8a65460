// One page through Flowmark inside Astro, shared by the unified and Sätteri adapters: plan, session, replacements.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Code, Root, RootContent } from 'mdast'
import type { Node } from 'unist'
import { treeSession } from '../core/page.ts'
import type { PagePlan } from '../core/collect.ts'
import { perPageRenderer, transformDirective, type DirectiveOutput, type RenderPlot } from '../core/output.ts'
import type { BlockDirective } from '../core/directive.ts'
import type { FileInfo } from '../core/file.ts'
import type { Diagnostic, SessionReport } from '../core/types.ts'
import { finishPage, localImports, type RunState } from './state.ts'
import { loadResult, storeResult } from './page-cache.ts'

/** A page being processed: its plan, the session's report, and what the replacements produced. */
export interface PageRun {
  readonly file: FileInfo
  readonly plan: PagePlan
  /** The session's report (`undefined` when the page has no block to run). */
  readonly report: SessionReport | undefined
  /** Every diagnostic of the page so far (plan, lint, session, drawing). */
  readonly diagnostics: Diagnostic[]
  /** Local files the page's examples import. */
  readonly deps: ReadonlySet<string>
  /** Set when a replacement contains a graph. */
  hasGraph: boolean
  /** How many drawing directives were transformed (fallback ordinal for trees without positions). */
  draws: number
  /** Lines of the file before the text the processor parsed (frontmatter that Astro's content loader cut off). */
  readonly lineOffset: number
  /** Draws a plot (the integration's renderer and cache; distinct ids for a plot drawn twice on the page). */
  readonly renderPlot: RenderPlot
}

/**
 * How many lines of the file precede the text the Markdown processor was given. Astro's Markdown pages keep the
 * frontmatter as blank space (offset 0), but content collections hand over the body alone, trimmed; tree positions
 * are then relative to the body and must be shifted to be file positions.
 * @param path The page's file.
 * @param source The text the processor parsed.
 * @returns The number of lines to add to tree positions.
 */
export function lineOffset(path: string, source: string): number {
  let full: string
  try {
    full = readFileSync(path, 'utf8')
  } catch {
    return 0
  }
  const body = source.trim()
  if (full === source || body === '') return 0
  const at = full.indexOf(body)
  if (at === -1) return 0
  // Lines before the first text in the file, minus lines before it in what the processor saw (Astro pages keep the
  // frontmatter's lines as blank space, so this is 0 there).
  return newlines(full, at) - newlines(source, source.indexOf(body))
}

function newlines(text: string, end: number): number {
  let n = 0
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) n++
  return n
}

const shift = (d: Diagnostic, by: number): Diagnostic =>
  by === 0
    ? d
    : {
        ...d,
        start: { line: d.start.line + by, column: d.start.column },
        ...(d.end ? { end: { line: d.end.line + by, column: d.end.column } } : {}),
      }

/**
 * Cheap test on the raw source: can this page hold anything Flowmark handles (a directive, or a fence in a language
 * sessions run: transcripts, and `setup`/`cleanup`/`hide` fences that must disappear)? Lets the Sätteri factory skip
 * most documents before they are parsed.
 * @param source The page's Markdown.
 */
export function mayHaveExamples(source: string): boolean {
  return source.includes('::') || /^[ \t]*(?:`{3,}|~{3,})[ \t]*(?:ts|typescript|mts|cts|js|javascript|mjs|cjs)\b/im.test(source)
}

/**
 * The graph renderer of an integration instance: `renderPlot` with one Graphviz instance and its SVG cache under the
 * `cacheDir` option. The renderer module is imported on first use, so pages without graphs never load it.
 */
function plotRenderer(state: RunState): RenderPlot {
  return async (plot, options) => {
    const render = await import('../render/index.ts')
    state.renderer ??= new render.GraphRenderer({ cacheDir: resolve(state.root, state.options.cacheDir, 'svg') })
    return render.renderPlot(plot, { ...options, renderer: state.renderer as InstanceType<typeof render.GraphRenderer> })
  }
}

/**
 * Plan the page from its tree and run its session (once, all blocks in order, off the main thread).
 * @param root The page's mdast (with positions and directive nodes).
 * @param file The page.
 * @param state The integration's state (options: timeout, doctest mode).
 * @returns The run, or `undefined` when the page has nothing for Flowmark.
 */
export async function startPage(root: Root, file: FileInfo, state: RunState): Promise<PageRun | undefined> {
  const session = treeSession(root, file, { timeout: state.options.timeout })
  const { plan } = session
  const offset = file.source === undefined ? 0 : lineOffset(file.path, file.source)
  const diagnostics = session.diagnostics.map((d) => shift(d, offset))
  const defaults = state.options.plot
  // Block starts become file positions (the session reports failures there); draw ids stay tree-based, as the core
  // computes them from the tree again when it replaces the directive. The integration's default plot options sit
  // below each directive's own.
  const request = {
    ...session.request,
    blocks: session.request.blocks.map((b) => {
      const moved = offset === 0 ? b : { ...b, start: { line: b.start.line + offset, column: b.start.column } }
      return moved.kind === 'draw' && Object.keys(defaults).length > 0
        ? { ...moved, plotOptions: { ...defaults, ...moved.plotOptions } }
        : moved
    }),
  }
  if (request.blocks.length === 0 && plan.directives.length === 0 && diagnostics.length === 0) return undefined
  const codes = request.blocks.flatMap((b) => (b.kind === 'draw' ? (b.from === undefined ? [] : [`import x from '${b.from}'`]) : [b.code]))
  let report: SessionReport | undefined
  /** Every module the session loaded (from the worker, or from the cache entry), when known. */
  let modules: readonly string[] | undefined
  const failures: Diagnostic[] = []
  if (request.blocks.length > 0) {
    const cache = state.results
    const cached = cache === undefined ? undefined : loadResult(cache, request)
    if (cached !== undefined && cache !== undefined) {
      report = cached.report
      modules = cached.modules
      cache.stats.reused.add(file.path)
      cache.stats.examplesReused += exampleCount(report)
    } else {
      try {
        const { runSession } = await import('../doctest/index.ts')
        const fresh = await runSession(request)
        report = fresh
        modules = fresh.modules
        if (cache !== undefined) {
          cache.stats.ran.add(file.path)
          cache.stats.examplesRan += exampleCount(fresh)
          storeResult(cache, request, fresh, modules, state.watchFiles)
        }
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause)
        failures.push({
          severity: 'error',
          file: file.path,
          start: { line: 1, column: 1 },
          rule: 'doctest-session',
          message: `The page's doctest session failed to run: ${reason}`,
        })
      }
    }
  }
  return {
    file,
    plan,
    report,
    diagnostics: [...diagnostics, ...failures, ...(report?.diagnostics ?? [])],
    // What the session loaded, as Node resolved it (transitively); the page's own relative imports when unknown.
    deps: modules === undefined ? localImports(file.path, codes) : new Set(modules),
    hasGraph: false,
    draws: 0,
    lineOffset: offset,
    renderPlot: perPageRenderer(plotRenderer(state)),
  }
}

/** How many examples a report covers (statements, code blocks and draws). */
function exampleCount(report: SessionReport): number {
  const examples = (report as { examples?: readonly unknown[] }).examples
  return examples?.length ?? report.passed + report.failed + report.skipped
}

/**
 * The replacement of one Flowmark directive (a `dispatcher` figure, or removal of `testsetup`/`testcleanup`).
 * @param node The directive as found in the tree.
 * @param run The page.
 * @returns The core's output; its diagnostics are added to the page's.
 */
export async function replaceDirective(node: BlockDirective, run: PageRun): Promise<DirectiveOutput> {
  // The core matches the report's diagnostics to the directive by tree line.
  const report =
    run.report && run.lineOffset !== 0
      ? { ...run.report, diagnostics: run.report.diagnostics.map((d) => shift(d, -run.lineOffset)) }
      : run.report
  const out = await transformDirective(node, { file: run.file, report, renderPlot: run.renderPlot, ordinal: run.draws })
  if (node.name === 'dispatcher') run.draws++
  run.diagnostics.push(...out.diagnostics.map((d) => shift(d, run.lineOffset)))
  if (out.kind === 'replace' && out.parts.graphHtml.includes('<flowmark-graph')) run.hasGraph = true
  return out
}

/**
 * Whether a fence is one the page runs but must not show (`hide`, `setup`, `cleanup` meta outside directives).
 * Compared by position, because adapters may hand over a different object for the same node.
 * @param node A `code` node.
 * @param run The page.
 */
export function isHiddenFence(node: Code, run: PageRun): boolean {
  const at = node.position?.start
  if (!at) return run.plan.hiddenFences.includes(node)
  return run.plan.hiddenFences.some((f) => f.position?.start.line === at.line && f.position.start.column === at.column)
}

/**
 * Finish the page: record its diagnostics (throws in dev on failures, see `finishPage`) and return the viewer tags
 * to append when it has a graph.
 * @param run The page.
 * @param state The integration's state.
 * @returns HTML to append once, or `undefined`.
 */
export async function endPage(run: PageRun, state: RunState): Promise<string | undefined> {
  const sorted = [...run.diagnostics].sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
  return (await finishPage(state, run.file.path, dedupe(sorted), run.hasGraph, run.deps)).assetsHtml
}

function dedupe(diags: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return diags.filter((d) => {
    const key = `${d.start.line}:${d.start.column}:${d.rule}:${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Make replacement content safe for MDX: every mdast `html` node becomes `<Fragment set:html="…" />` (an MDX JSX
 * flow element), which both MDX pipelines accept (Sätteri's `mdxToJs` rejects `html` nodes).
 * @param node A node of a replacement.
 * @returns A copy with the `html` nodes converted (other nodes are shared, not copied).
 */
export function mdxSafe<T extends Node>(node: T): T {
  const n = node as unknown as { type: string; value?: string; children?: Node[] }
  if (n.type === 'html') {
    return {
      type: 'mdxJsxFlowElement',
      name: 'Fragment',
      attributes: [{ type: 'mdxJsxAttribute', name: 'set:html', value: n.value ?? '' }],
      children: [],
    } as unknown as T
  }
  if (!Array.isArray(n.children) || !n.children.some(hasHtml)) return node
  return { ...node, children: n.children.map((c) => mdxSafe(c)) }
}

function hasHtml(node: Node): boolean {
  const n = node as { type: string; children?: Node[] }
  return n.type === 'html' || (Array.isArray(n.children) && n.children.some(hasHtml))
}

/**
 * The node that carries the viewer tags at the end of a page with graphs.
 * @param html The tags (see `assetTags`).
 * @param mdx Whether the page is MDX.
 */
export function assetsNode(html: string, mdx: boolean): RootContent {
  const node: RootContent = { type: 'html', value: html }
  return mdx ? mdxSafe(node) : node
}
