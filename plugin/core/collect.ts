// Walks an mdast tree in document order and collects the page's doctest session: transcripts, code, setup, draws.
import type { Code, Root } from 'mdast'
import type { Node, Parent } from 'unist'
import {
  checkSetupDirective,
  DISPATCHER,
  isFlowmarkDirective,
  parseDispatcher,
  TESTSETUP,
  type BlockDirective,
  type DispatcherSpec,
  type FlowmarkDirectiveName,
} from './directive.ts'
import { codeLang, isTranscript, parseFenceMeta } from './fence.ts'
import { diagnostic, startOf, type FileInfo } from './file.ts'
import { pageDefaults } from './frontmatter.ts'
import type { Diagnostic, DoctestFlags, SessionBlock, SessionRequest, SourcePoint } from './types.ts'

/** Defaults for every page, below the page's own frontmatter. */
export interface CollectOptions {
  /** Doctest flags for every page (a page's frontmatter `doctest:` overrides them key by key). */
  readonly flags?: DoctestFlags
  /** Per-block timeout in ms (default: the runner's, 10 000). */
  readonly timeout?: number
  /** Line of the frontmatter `doctest:` key, for diagnostics about it (default 1). */
  readonly frontmatterLine?: number
}

/** A Flowmark directive found on the page, in document order. */
export interface DirectiveSite {
  /** The directive node (container or leaf). */
  readonly node: BlockDirective
  /** Which directive it is. */
  readonly kind: FlowmarkDirectiveName
  /** The parsed `dispatcher` attributes, `undefined` for setup/cleanup and for invalid directives. */
  readonly spec: DispatcherSpec | undefined
  /** Id of the draw block, when the directive draws something. */
  readonly drawId: string | undefined
}

/** Everything a page contributes: the session to run, what to replace, what to hide, and the problems found. */
export interface PagePlan {
  /** The session of the page: every block in document order. */
  readonly request: SessionRequest
  /** Attribute, nesting, fence-flag and frontmatter problems (not the lint; see `lintPage`). */
  readonly diagnostics: readonly Diagnostic[]
  /** The Flowmark directives, in document order. */
  readonly directives: readonly DirectiveSite[]
  /** Fences outside directives that run but must not be shown (`hide`, `setup`, `cleanup` meta). */
  readonly hiddenFences: readonly Code[]
}

/**
 * The start point a session block gets for a fence: the first line of its content (the line after the opening
 * fence) and the fence's column, so that line *i* of `code.value` is at `start.line + i` in the file.
 * @param code A fenced code node.
 * @returns The point.
 */
export function fenceContentStart(code: Code): SourcePoint {
  const start = startOf(code)
  return code.position ? { line: start.line + 1, column: start.column } : start
}

/**
 * The id of a session block: its kind and the position of its node (`transcript@12:1`, `draw@30:1`). Ids derive
 * from positions only, so every adapter (remark, Sätteri) computes the same id for the same node.
 * @param kind The block kind.
 * @param node The fence or directive the block comes from.
 * @param ordinal Fallback for trees without positions.
 * @returns The id.
 */
export function blockId(kind: SessionBlock['kind'], node: Node, ordinal: number): string {
  const start = node.position?.start
  return start ? `${kind}@${start.line}:${start.column}` : `${kind}#${ordinal}`
}

/**
 * The id of the draw block of a `dispatcher` directive, as {@link collectPage} assigns it. Adapters use it to find
 * the directive's `DrawResult` in `SessionReport.draws`.
 * @param node The directive.
 * @param ordinal Fallback for trees without positions: the directive's index among the page's drawing directives.
 * @returns The id.
 */
export function drawIdOf(node: BlockDirective, ordinal = 0): string {
  return blockId('draw', node, ordinal)
}

/**
 * Walks a tree (with positions, as remark or Sätteri produce it after directive parsing) in document order and
 * collects the page's session: transcripts (TS/JS fences whose first line starts with `> `) anywhere on the page,
 * and plain TS/JS fences marked `hide` (run in place, not shown);
 * the fences of `:::dispatcher` containers (`code`, or `transcript` when prompted); the fences of `:::testsetup` /
 * `:::testcleanup` (`setup` / `cleanup`); a `draw` after each `:::dispatcher` container and for each
 * `::dispatcher` leaf. Page defaults come from `file.frontmatter.doctest`.
 * @param root The mdast root.
 * @param file The page.
 * @param options Defaults for every page.
 * @returns The page plan.
 */
export function collectPage(root: Root, file: FileInfo, options: CollectOptions = {}): PagePlan {
  const blocks: SessionBlock[] = []
  const diagnostics: Diagnostic[] = []
  const directives: DirectiveSite[] = []
  const hiddenFences: Code[] = []
  let ordinal = 0
  let draws = 0

  const page = pageDefaults(file.frontmatter, file, options.frontmatterLine)
  diagnostics.push(...page.diagnostics)
  const flags = options.flags || page.flags ? { ...options.flags, ...page.flags } : undefined
  const timeout = page.timeout ?? options.timeout

  const fenceBlock = (code: Code, context: 'page' | 'dispatcher' | 'setup' | 'cleanup'): SessionBlock | undefined => {
    const lang = codeLang(code.lang)
    if (!lang) return undefined
    const meta = parseFenceMeta(code.meta)
    for (const word of meta.unknown) {
      diagnostics.push(
        diagnostic(
          file,
          'warning',
          'fence-flag',
          startOf(code),
          `Unknown doctest flag \`${word}\` in the fence's meta; known: +SKIP, +ELLIPSIS, +NORMALIZE_WHITESPACE, +IGNORE_EXCEPTION_DETAIL (and - to clear).`,
        ),
      )
    }
    const start = fenceContentStart(code)
    const role = context === 'setup' || context === 'cleanup' ? context : meta.role
    const n = ordinal++
    if (role) {
      if (context === 'page') hiddenFences.push(code)
      if (isTranscript(code.value)) {
        diagnostics.push(
          diagnostic(
            file,
            'error',
            'directive-setup',
            startOf(code),
            `${context === 'page' ? `A \`${role}\` fence` : `\`:::test${role}\``} holds a transcript; its output would not be checked. Write plain code without \`> \` prompts.`,
          ),
        )
        return undefined
      }
      return { kind: role, id: blockId(role, code, n), code: code.value, start, lang }
    }
    if (isTranscript(code.value)) {
      if (context === 'page' && meta.hide) hiddenFences.push(code)
      return { kind: 'transcript', id: blockId('transcript', code, n), code: code.value, start, flags: meta.flags }
    }
    if (context === 'dispatcher') return { kind: 'code', id: blockId('code', code, n), code: code.value, start, lang }
    if (meta.hide) {
      // A hidden plain fence on the page runs where it stands, like every block.
      hiddenFences.push(code)
      return { kind: 'code', id: blockId('code', code, n), code: code.value, start, lang }
    }
    return undefined
  }

  const walk = (parent: Parent, context: 'page' | 'dispatcher' | 'setup' | 'cleanup', owner: BlockDirective | undefined): void => {
    for (const child of parent.children) {
      if (isFlowmarkDirective(child)) {
        if (owner) {
          diagnostics.push(
            diagnostic(
              file,
              'error',
              'directive-nesting',
              startOf(child),
              `\`${child.type === 'leafDirective' ? '::' : ':::'}${child.name}\` cannot sit inside \`:::${owner.name}\` (line ${startOf(owner).line}); close the outer block first.`,
            ),
          )
          continue
        }
        directive(child)
      } else if (child.type === 'code') {
        const block = fenceBlock(child as Code, context)
        if (block) blocks.push(block)
      } else if ('children' in child && Array.isArray(child.children)) {
        walk(child as Parent, context, owner)
      }
    }
  }

  const directive = (node: BlockDirective): void => {
    const kind = node.name as FlowmarkDirectiveName
    if (kind !== DISPATCHER) {
      diagnostics.push(...checkSetupDirective(node, file))
      if (node.type === 'containerDirective') walk(node, kind === TESTSETUP ? 'setup' : 'cleanup', node)
      directives.push({ node, kind, spec: undefined, drawId: undefined })
      return
    }
    const parsed = parseDispatcher(node, file)
    diagnostics.push(...parsed.diagnostics)
    if (node.type === 'containerDirective') walk(node, 'dispatcher', node)
    const spec = parsed.spec
    if (!spec) {
      directives.push({ node, kind, spec: undefined, drawId: undefined })
      return
    }
    const id = drawIdOf(node, draws++)
    const draw: SessionBlock =
      spec.from === undefined
        ? { kind: 'draw', id, name: spec.name, start: startOf(node), plotOptions: spec.plotOptions, tables: spec.tables }
        : { kind: 'draw', id, name: spec.name, from: spec.from, start: startOf(node), plotOptions: spec.plotOptions, tables: spec.tables }
    blocks.push(draw)
    directives.push({ node, kind, spec, drawId: id })
  }

  walk(root, 'page', undefined)
  const request: SessionRequest = {
    file: file.path,
    blocks,
    ...(timeout === undefined ? {} : { timeout }),
    ...(flags === undefined ? {} : { flags }),
  }
  return { request, diagnostics, directives, hiddenFences }
}
