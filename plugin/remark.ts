// @flowmark/docs/remark: the unified adapter of the directive core. Runs a page's examples once and draws its models.
import type { Root, RootContent } from 'mdast'
import type { Node, Parent } from 'unist'
import type { VFile } from 'vfile'
import { PluginOptionsError } from './core/errors.ts'
import type { FileInfo } from './core/file.ts'
import { splitFrontmatter } from './core/frontmatter.ts'
import { perPageRenderer, transformDirective, type RenderPlot } from './core/output.ts'
import { treeSession } from './core/page.ts'
import { carryHast } from './core/hast.ts'
import type { Diagnostic, DoctestFlags, SessionReport, SessionRequest } from './core/types.ts'

/** Runs a page session: `runSession` of `@flowmark/docs/doctest`, or any function of the same shape. */
export type RunSession = (request: SessionRequest) => Promise<SessionReport>

/** Options of {@link remarkDispatcher}. */
export interface RemarkDispatcherOptions {
  /**
   * What failing examples do. `'error'` (default): every failure and every directive error is a fatal vfile
   * message and the transform throws at the end, which fails the build. `'warn'`: the same messages, not fatal.
   * `'off'`: doctest failures are not reported (the session still runs, to draw); directive errors warn.
   */
  readonly doctest?: 'error' | 'warn' | 'off'
  /** Report authoring-lint warnings (default `true`). */
  readonly lint?: boolean
  /** Doctest flags for every page (frontmatter `doctest:` overrides them). */
  readonly flags?: DoctestFlags
  /** Per-block timeout in ms (default: the runner's, 10 000). */
  readonly timeout?: number
  /** Session runner (default: `runSession` of `@flowmark/docs/doctest`, loaded on first use). */
  readonly runSession?: RunSession
  /** Graph renderer (default: `renderPlot` of `@flowmark/docs/render`, loaded on first use). */
  readonly renderPlot?: RenderPlot
  /**
   * How drawn graphs enter the tree. `'hast'` (default): as parsed elements (nodes whose `data` carries hast), which a
   * default `remark-rehype` → `rehype-stringify` pipeline keeps. `'raw'`: as mdast `html` nodes, as remark-stringify
   * or an Astro pipeline wants them; remark-rehype then drops them unless given `allowDangerousHtml: true` (and
   * rehype-raw or `rehype-stringify`'s `allowDangerousHtml`).
   */
  readonly html?: 'hast' | 'raw'
}

const OPTION_TYPES: Readonly<Record<keyof RemarkDispatcherOptions, string>> = {
  doctest: "'error' | 'warn' | 'off'",
  lint: 'boolean',
  flags: 'object of doctest flags (skip, ellipsis, normalizeWhitespace, ignoreExceptionDetail)',
  timeout: 'positive number (ms)',
  runSession: 'function (request) => Promise<SessionReport>',
  renderPlot: 'function (plot, options) => Promise<RenderedGraph>',
  html: "'hast' | 'raw'",
}

/**
 * Checks plugin options and fills in defaults.
 * @param options What the user passed (`undefined` and `null` mean defaults).
 * @returns The options, validated.
 * @throws PluginOptionsError naming the bad option, what was expected, and the valid options.
 */
export function validateOptions(options: unknown): RemarkDispatcherOptions {
  if (options === undefined || options === null) return {}
  const valid = Object.keys(OPTION_TYPES).join(', ')
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new PluginOptionsError(
      `remarkDispatcher: options must be an object (${valid}), got ${Array.isArray(options) ? 'an array' : typeof options}.`,
    )
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!(key in OPTION_TYPES)) throw new PluginOptionsError(`remarkDispatcher: unknown option \`${key}\`. Valid options: ${valid}.`)
  }
  const bad = (key: keyof RemarkDispatcherOptions): never => {
    throw new PluginOptionsError(
      `remarkDispatcher: option \`${key}\` must be ${OPTION_TYPES[key]}, got ${JSON.stringify(o[key]) ?? typeof o[key]}.`,
    )
  }
  if (o['doctest'] !== undefined && !['error', 'warn', 'off'].includes(o['doctest'] as string)) bad('doctest')
  if (o['lint'] !== undefined && typeof o['lint'] !== 'boolean') bad('lint')
  if (o['flags'] !== undefined) {
    const flags = o['flags']
    const keys = ['skip', 'ellipsis', 'normalizeWhitespace', 'ignoreExceptionDetail']
    if (typeof flags !== 'object' || flags === null || Object.entries(flags).some(([k, v]) => !keys.includes(k) || typeof v !== 'boolean'))
      bad('flags')
  }
  if (o['timeout'] !== undefined && !(typeof o['timeout'] === 'number' && o['timeout'] > 0)) bad('timeout')
  if (o['runSession'] !== undefined && typeof o['runSession'] !== 'function') bad('runSession')
  if (o['renderPlot'] !== undefined && typeof o['renderPlot'] !== 'function') bad('renderPlot')
  if (o['html'] !== undefined && o['html'] !== 'hast' && o['html'] !== 'raw') bad('html')
  return o
}

/** `runSession` of `plugin/doctest`, imported on first use so that injected runners never load it. */
const defaultRunSession: RunSession = async (request) => (await import('./doctest/index.ts')).runSession(request)
/** `renderPlot` of `plugin/render`, imported on first use. */
const defaultRenderPlot: RenderPlot = async (plot, options) => (await import('./render/index.ts')).renderPlot(plot, options)

/** Whether the processor has remark-directive's syntax (a micromark extension with a flow construct on `:`). */
function hasDirectiveSyntax(data: Record<string, unknown>): boolean {
  const list = data['micromarkExtensions']
  return Array.isArray(list) && list.some((ext: { flow?: Record<number, unknown> }) => ext?.flow?.[58] !== undefined)
}

/** The frontmatter of the page: from Astro, from a `yaml` node (remark-frontmatter), or from the source. */
function frontmatterOf(
  tree: Root,
  file: VFile,
  source: string | undefined,
): { data: Record<string, unknown> | undefined; line: number | undefined } {
  const astro = (file.data as { astro?: { frontmatter?: Record<string, unknown> } }).astro?.frontmatter
  if (astro) return { data: astro, line: undefined }
  const yaml = tree.children.find((n) => (n as Node).type === 'yaml') as { value?: string } | undefined
  const text = yaml?.value !== undefined ? `---\n${yaml.value}\n---\n` : source
  if (text === undefined) return { data: undefined, line: undefined }
  const split = splitFrontmatter(text)
  return { data: split.frontmatter, line: split.doctestLine }
}

/** Adds a diagnostic to the file as a vfile message. */
function report(file: VFile, d: Diagnostic, fatal: boolean): void {
  const place = d.end ? { start: d.start, end: d.end } : d.start
  const message = file.message(d.message, { place, ruleId: d.rule, source: 'flowmark' })
  message.fatal = d.severity === 'error' ? fatal : false
  if (d.expected !== undefined) message.expected = [d.expected]
  if (d.actual !== undefined) message.actual = d.actual
  if (d.diff !== undefined) message.note = d.diff
}

/**
 * The remark plugin: run it after remark-directive. For each page it collects the session (transcripts anywhere,
 * `:::dispatcher` code, `:::testsetup` / `:::testcleanup`, one draw per `dispatcher` directive), runs it once,
 * reports every failing example and every directive problem as a positioned vfile message
 * (`source: 'flowmark'`, `ruleId` = the diagnostic's rule), renders each drawing, and replaces the directives
 * (see `transformDirective` in `plugin/core/output.ts` for the markup). Fences marked `hide`, `setup` or
 * `cleanup` are removed; transcripts stay as code blocks.
 * @param options Plugin options; unknown options throw {@link PluginOptionsError}.
 * @returns The async transformer.
 */
export function remarkDispatcher(this: unknown, options?: RemarkDispatcherOptions): (tree: Root, file: VFile) => Promise<void> {
  const settings = validateOptions(options)
  const mode = settings.doctest ?? 'error'
  const runSession = settings.runSession ?? defaultRunSession
  const renderPlot = settings.renderPlot ?? defaultRenderPlot
  const processor = this as { data?: () => Record<string, unknown> } | undefined
  const data = typeof processor?.data === 'function' ? processor.data() : undefined

  return async (tree, file) => {
    const source = file.value === undefined ? undefined : String(file.value)
    if (data && !hasDirectiveSyntax(data) && source !== undefined && /^\s*:{2,}(dispatcher|testsetup|testcleanup)\b/m.test(source)) {
      file.fail(
        'remarkDispatcher needs remark-directive: add `.use(remarkDirective)` before `.use(remarkDispatcher)`; without it `:::dispatcher` blocks are plain paragraphs.',
        { ruleId: 'missing-remark-directive', source: 'flowmark' },
      )
    }
    const front = frontmatterOf(tree, file, source)
    const path = file.path || 'input.md'
    const info: FileInfo = {
      path,
      ...(source === undefined ? {} : { source }),
      ...(front.data ? { frontmatter: front.data } : {}),
    }
    const { request, diagnostics, plan } = treeSession(tree, info, {
      ...(settings.flags ? { flags: settings.flags } : {}),
      ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
      ...(front.line === undefined ? {} : { frontmatterLine: front.line }),
      lint: settings.lint !== false,
    })
    const all: Diagnostic[] = [...diagnostics]

    let session: SessionReport | undefined
    if (request.blocks.length > 0) {
      try {
        session = await runSession(request)
        all.push(...session.diagnostics.filter((d) => mode !== 'off' || !d.rule.startsWith('doctest')))
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause)
        all.push({
          severity: 'error',
          file: path,
          start: { line: 1, column: 1 },
          rule: 'doctest-session',
          message: `The page's doctest session failed to run: ${reason}`,
        })
      }
    }

    const parents = new Map<Node, Parent>()
    const index = (parent: Parent): void => {
      for (const child of parent.children) {
        parents.set(child, parent)
        if ('children' in child && Array.isArray(child.children)) index(child as Parent)
      }
    }
    index(tree)

    const replacements = new Map<Node, RootContent | undefined>()
    const pageRender = perPageRenderer(renderPlot)
    let ordinal = 0
    for (const site of plan.directives) {
      const output = await transformDirective(site.node, {
        file: info,
        report: session,
        renderPlot: pageRender,
        ...(site.drawId ? { ordinal: ordinal++ } : {}),
      })
      all.push(...output.diagnostics)
      replacements.set(site.node, output.kind === 'replace' ? output.node : undefined)
    }
    for (const fence of plan.hiddenFences) replacements.set(fence, undefined)
    for (const [node, replacement] of replacements) {
      const parent = parents.get(node)
      if (!parent) continue
      const at = parent.children.indexOf(node)
      if (at < 0) continue
      if (replacement) parent.children.splice(at, 1, settings.html === 'raw' ? replacement : carryHast(replacement))
      else parent.children.splice(at, 1)
    }

    all.sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
    for (const d of all) report(file, d, mode === 'error')
    const fatal = all.filter((d) => d.severity === 'error')
    if (mode === 'error' && fatal.length > 0) {
      const first = fatal[0]
      const where = first ? ` (first at ${first.start.line}:${first.start.column}: ${first.message.split('\n')[0]})` : ''
      file.fail(`${fatal.length} Flowmark error${fatal.length === 1 ? '' : 's'} in ${path}${where}`, {
        ...(first ? { place: first.start } : {}),
        ruleId: 'flowmark-errors',
        source: 'flowmark',
      })
    }
  }
}

export default remarkDispatcher
