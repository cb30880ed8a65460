// The `dispatcher` directive's attributes: their meaning, validation with positioned errors, and the parsed form.
import type { PhrasingContent } from 'mdast'
import type { ContainerDirective, LeafDirective } from 'mdast-util-directive'
import type { Node } from 'unist'
import { diagnostic, startOf, type FileInfo } from './file.ts'
import { readOpeningLine, sourceLine, type AttributeToken } from './opening.ts'
import type { Diagnostic, SourcePoint } from './types.ts'
import { LAYOUT_ENGINES as ENGINE_LAYOUTS, PLOT_OPTION_NAMES } from 'flowmark/plot'

/** Name of the directive that draws a model (container `:::dispatcher` or leaf `::dispatcher`). */
export const DISPATCHER = 'dispatcher'
/** Name of the container whose code runs hidden (where it stands, in page order; put it before the examples). */
export const TESTSETUP = 'testsetup'
/** Name of the container whose code runs hidden (where it stands; put it after the examples). */
export const TESTCLEANUP = 'testcleanup'

/** The directive names Flowmark handles. */
export type FlowmarkDirectiveName = typeof DISPATCHER | typeof TESTSETUP | typeof TESTCLEANUP

/** A block-level directive node (the only kinds Flowmark handles; text directives are never touched). */
export type BlockDirective = ContainerDirective | LeafDirective

/**
 * Whether a node is a container or leaf directive that Flowmark handles.
 * @param node Any unist node.
 * @returns True for `:::dispatcher`, `::dispatcher`, `:::testsetup` and `:::testcleanup`.
 */
export function isFlowmarkDirective(node: Node): node is BlockDirective {
  if (node.type !== 'containerDirective' && node.type !== 'leafDirective') return false
  const name = (node as BlockDirective).name
  return name === DISPATCHER || name === TESTSETUP || name === TESTCLEANUP
}

/** The attributes of `dispatcher`, each with the one-line description used in error messages and docs. */
export const DISPATCHER_ATTRIBUTES: Readonly<Record<string, string>> = {
  name: 'required: the value to draw (a variable of the page session, or the export of `from`)',
  from: 'leaf form only: module to import `name` from, relative to the page',
  code: 'flag: show the code of the block (hidden by default)',
  workflow: 'flag: draw the workflow of a solution instead of the model',
  depth: 'integer: how many levels of sub-models to draw (0: only the top page; -1 or absent: all)',
  engine: 'Graphviz layout engine: dot, neato, fdp, sfdp, circo, twopi, osage or patchwork',
  index: "flag: add an index of the plot's pages (sub-models nested), linked to each page",
  height: 'maximum height of the graph in pixels (default: 70% of the window)',
  width: 'CSS width of the graph area, e.g. `80%` or `600px` (a bare number means px)',
  description: "flag or text: show the drawn value's description, or the given text",
  data: 'flag: add the table of data nodes',
  func: 'flag: add the table of functions',
  dsp: 'flag: add the table of sub-dispatchers',
  opt: 'JSON object of further plot options, e.g. opt=\'{"graph": {"ratio": "1"}}\'',
  'opt.<option>':
    'one plot option, safe in every Markdown processor: opt.ghostUnreached=true, opt.graph.ratio=1 (values are JSON when they parse, else text)',
  id: 'id of the graph element, also the prefix of its deep links `#id:page:node` (also `#id`)',
  class: 'extra CSS classes of the figure (also `.name`)',
}

/** Graphviz layout engines accepted by `engine` (the engine's list). */
export const LAYOUT_ENGINES: readonly string[] = ENGINE_LAYOUTS

/** The node tables a directive can ask for, in display order. */
export const TABLE_KINDS = ['data', 'func', 'dsp'] as const

/** A parsed, valid `dispatcher` directive. */
export interface DispatcherSpec {
  /** `'container'` for `:::dispatcher`, `'leaf'` for `::dispatcher`. */
  readonly form: 'container' | 'leaf'
  /** The value to draw. */
  readonly name: string
  /** Module to import `name` from (leaf form). */
  readonly from: string | undefined
  /** Show the code of the container. */
  readonly code: boolean
  /** Add an index of the plot's pages below the graph (schedula's `index`; not a plot option). */
  readonly index: boolean
  /** Options for `value.plot(options)`: `workflow`, `depth`, `engine` and the keys of `opt`. */
  readonly plotOptions: Readonly<Record<string, unknown>>
  /** The node tables to add, in display order. */
  readonly tables: readonly (typeof TABLE_KINDS)[number][]
  /** `true`: show the drawn value's description; a string: show this text; `false`: nothing. */
  readonly description: boolean | string
  /** Maximum height of the graph in CSS pixels (the viewer's `data-fm-height`). */
  readonly height: number | undefined
  /** CSS width of the graph area. */
  readonly width: string | undefined
  /** Id of the graph element (deep links `#id:page:node`). */
  readonly id: string | undefined
  /** Extra classes of the figure. */
  readonly className: string | undefined
  /** The `[label]` of the directive (caption), as phrasing content. */
  readonly label: readonly PhrasingContent[] | undefined
}

/** The outcome of reading a directive's attributes. */
export interface ParsedDispatcher {
  /** The parsed directive, or `undefined` when an error makes it unusable (nothing is drawn then). */
  readonly spec: DispatcherSpec | undefined
  /** Errors and warnings, positioned at the attribute when the source is known. */
  readonly diagnostics: readonly Diagnostic[]
}

/** Attributes whose values are free text, where an unquoted space splits the value into a stray attribute. */
const FREE_TEXT = new Set(['description', 'from', 'class', 'opt'])
const CSS_LENGTH = /^(\d+(\.\d+)?|\.\d+)(px|%|em|rem|vh|vw|vmin|vmax|ch|ex|cm|mm|in|pt|pc|lh|svh|lvh|dvh)?$/
const IDENTIFIER_PATH = /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u

/**
 * The label of a directive: the `directiveLabel` paragraph of a container, or a leaf's children.
 * @param node The directive.
 * @returns The label's phrasing content, or `undefined` when there is none.
 */
export function directiveLabel(node: BlockDirective): PhrasingContent[] | undefined {
  if (node.type === 'leafDirective') return node.children.length > 0 ? node.children : undefined
  const first = node.children[0]
  if (first?.type === 'paragraph' && (first.data as { directiveLabel?: boolean } | undefined)?.directiveLabel) {
    return first.children
  }
  return undefined
}

/**
 * The value of an `opt.<option>` attribute: JSON when it parses (`true`, `1`, `"x"`, `["a"]`), else the text.
 * @param text The attribute value.
 * @returns The option value.
 */
export function optionValue(text: string): unknown {
  if (text === '') return true
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * Writes a plot-options object as `opt.<path>=<value>` attributes, which hold no `{` or `}` and so parse the same
 * in every Markdown processor (objects are flattened; other values are written as JSON).
 * @param options A JSON object of plot options.
 * @param prefix The attribute name prefix (`opt`, then the path so far).
 * @returns Attribute name/value pairs, e.g. `[['opt.graph.ratio', '"1"']]`.
 */
export function dottedOptions(options: Readonly<Record<string, unknown>>, prefix = 'opt'): [string, string][] {
  const out: [string, string][] = []
  for (const [key, value] of Object.entries(options)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      out.push(...dottedOptions(value as Record<string, unknown>, `${prefix}.${key}`))
    else out.push([`${prefix}.${key}`, typeof value === 'string' && optionValue(value) === value ? value : JSON.stringify(value)])
  }
  return out
}

/**
 * Reads and validates the attributes of a `dispatcher` directive. Unknown attributes, values of the wrong form and
 * bad `opt` JSON are errors that name the attribute, say what was expected and, for unknown names, list the valid
 * ones. Any error makes the directive unusable (`spec` is `undefined`); warnings do not.
 * @param node A `dispatcher` container or leaf directive.
 * @param file The page (its `source` gives exact attribute positions).
 * @returns The parsed directive and its diagnostics.
 */
export function parseDispatcher(node: BlockDirective, file: FileInfo): ParsedDispatcher {
  const r = attributeReader(node, file)
  const { form, opener } = r
  checkAttributeNames(r)
  const name = r.text('name')
  if (name === undefined || name === '') {
    r.error(
      'directive-name',
      r.start,
      `\`${opener}\` needs \`name=<value>\`: the ${form === 'leaf' ? 'export of `from` or the session variable' : 'session variable'} to draw, e.g. \`${opener}{name=dsp}\`.`,
    )
  } else if (!IDENTIFIER_PATH.test(name)) {
    r.error(
      'directive-attribute',
      r.at('name', 0, true),
      `Attribute \`name\` of \`${opener}\` must be a variable name or a dotted path (\`dsp\`, \`models.fuel\`), got \`${name}\`.`,
    )
  }

  const from = r.text('from')
  if (from !== undefined) {
    if (form === 'container') {
      r.error(
        'directive-attribute',
        r.at('from'),
        `Attribute \`from\` is for the leaf form only: write \`::dispatcher{from="${from}" name=${name ?? 'dsp'}}\` on a line of its own, or import the module in the container's code.`,
      )
    } else if (from === '') {
      r.error('directive-attribute', r.at('from', 0, true), 'Attribute `from` needs a module path, e.g. `from="./model.ts"`.')
    }
  }

  const plotOptions: Record<string, unknown> = {}
  readOptJson(r, plotOptions)
  readDottedOptions(r, plotOptions)
  const index = readPlotAttributes(r, plotOptions)
  const { height, width } = readSize(r)

  const descriptionText = r.text('description')
  const description =
    descriptionText === undefined || descriptionText === 'false'
      ? false
      : descriptionText === '' || descriptionText === 'true'
        ? true
        : descriptionText
  const tables = TABLE_KINDS.filter((kind) => r.flag(kind))
  const code = r.flag('code')
  if (form === 'leaf' && code) {
    r.warn(
      'directive-attribute',
      r.at('code'),
      `Attribute \`code\` has no effect on the leaf form \`::dispatcher\`: it has no code to show.`,
    )
  }

  if (r.failed() || name === undefined) return { spec: undefined, diagnostics: r.diagnostics }
  return {
    spec: {
      form,
      name,
      from: form === 'leaf' ? from : undefined,
      code,
      index,
      plotOptions,
      tables,
      description,
      height,
      width,
      id: r.text('id') || undefined,
      className: r.text('class') || undefined,
      label: directiveLabel(node),
    },
    diagnostics: r.diagnostics,
  }
}

/** Reads the attributes of one `dispatcher` directive and collects the diagnostics about them. */
interface AttributeReader {
  readonly form: 'container' | 'leaf'
  /** `:::dispatcher` or `::dispatcher`, as messages name it. */
  readonly opener: string
  readonly attributes: Readonly<Record<string, string | null | undefined>>
  /** The attribute tokens of the opening line as written (for positions and quoting hints). */
  readonly tokens: readonly AttributeToken[]
  readonly start: SourcePoint
  readonly diagnostics: Diagnostic[]
  /** Where attribute `name` (or its value, or a character of it) is written; the directive's start if unknown. */
  at(name: string, offset?: number, onValue?: boolean): SourcePoint
  /** Records an error: the directive becomes unusable. */
  error(rule: string, point: SourcePoint, message: string): void
  warn(rule: string, point: SourcePoint, message: string): void
  /** True once an error was recorded. */
  failed(): boolean
  /** An attribute's text, undefined when absent. */
  text(key: string): string | undefined
  /** A flag attribute: present or `true` is true, absent or `false` is false, anything else an error. */
  flag(key: string): boolean
}

function attributeReader(node: BlockDirective, file: FileInfo): AttributeReader {
  const form = node.type === 'containerDirective' ? 'container' : 'leaf'
  const opener = `${form === 'container' ? ':::' : '::'}${node.name}`
  const attributes = node.attributes ?? {}
  const diagnostics: Diagnostic[] = []
  const start = startOf(node)
  // From the directive's column on, so that openings inside block quotes (`> ::dispatcher{…}`) are read too.
  const lineText = file.source === undefined || !node.position ? undefined : sourceLine(file.source, start.line)?.slice(start.column - 1)
  const tokens = lineText === undefined ? [] : (readOpeningLine(lineText)?.attributes ?? [])
  let failed = false
  const r: AttributeReader = {
    form,
    opener,
    attributes,
    tokens,
    start,
    diagnostics,
    at: (name, offset = 0, onValue = false) => {
      const token = tokens.findLast((t) => t.name === name)
      if (!token) return start
      return { line: start.line, column: start.column + (onValue ? token.valueStart : token.nameStart) + offset }
    },
    error: (rule, point, message) => {
      failed = true
      diagnostics.push(diagnostic(file, 'error', rule, point, message))
    },
    warn: (rule, point, message) => {
      diagnostics.push(diagnostic(file, 'warning', rule, point, message))
    },
    failed: () => failed,
    text: (key) => {
      const value = attributes[key]
      return value === null || value === undefined ? undefined : value
    },
    flag: (key) => {
      const value = r.text(key)
      if (value === undefined || value === 'false') return false
      if (value === '' || value === 'true') return true
      r.error(
        'directive-attribute',
        r.at(key, 0, true),
        `Attribute \`${key}\` of \`${opener}\` is a flag: write \`${key}\` or \`${key}=false\`, not \`${key}="${value}"\`.`,
      )
      return false
    },
  }
  return r
}

/** Unknown attribute names are errors (with a quoting hint when the name looks like the rest of an unquoted value). */
function checkAttributeNames(r: AttributeReader): void {
  const valid = Object.keys(DISPATCHER_ATTRIBUTES).join(', ')
  for (const key of Object.keys(r.attributes)) {
    if (key in DISPATCHER_ATTRIBUTES || key.startsWith('opt.')) continue
    let hint = ''
    const index = r.tokens.findIndex((t) => t.name === key)
    const before = index > 0 ? r.tokens[index - 1] : undefined
    if (r.attributes[key] === '' && before && before.quote === null && before.value !== undefined && FREE_TEXT.has(before.name)) {
      hint = ` If \`${key}\` belongs to the value of \`${before.name}\`, quote the value: ${before.name}="${before.value} ${key}".`
    }
    r.error('directive-attribute', r.at(key), `Unknown attribute \`${key}\` on \`${r.opener}\`. Valid attributes: ${valid}.${hint}`)
  }
}

/** The plot options of `opt='{…}'` (a JSON object of known option names) into `plotOptions`. */
function readOptJson(r: AttributeReader, plotOptions: Record<string, unknown>): void {
  const { opener } = r
  const opt = r.text('opt')
  if (opt === undefined || opt.trim() === '') return
  try {
    const parsed: unknown = JSON.parse(opt)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      r.error(
        'directive-opt',
        r.at('opt', 0, true),
        `Attribute \`opt\` of \`${opener}\` must be a JSON object (\`opt='{"engine": "neato"}'\`), got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}.`,
      )
    } else {
      for (const key of Object.keys(parsed)) {
        if (PLOT_OPTION_NAMES.includes(key)) continue
        const offset = opt.indexOf(JSON.stringify(key))
        r.error(
          'directive-opt',
          r.at('opt', Math.max(offset, 0), true),
          `Unknown plot option \`${key}\` in \`opt\` of \`${opener}\`. Plot options: ${PLOT_OPTION_NAMES.join(', ')}.`,
        )
      }
      Object.assign(plotOptions, parsed)
    }
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    const offset = /position (\d+)/.exec(reason)
    const point = r.at('opt', offset ? Number(offset[1]) : 0, true)
    const quoteHint = opt.includes("'") ? '' : ' Wrap JSON in single quotes so its double quotes need no escaping: opt=\'{"depth": 1}\'.'
    r.error('directive-opt', point, `Attribute \`opt\` of \`${opener}\` is not valid JSON: ${reason}.${quoteHint}`)
  }
}

/** The plot options of `opt.<name>[.<key>…]=value` attributes into `plotOptions` (they win over `opt`). */
function readDottedOptions(r: AttributeReader, plotOptions: Record<string, unknown>): void {
  for (const key of Object.keys(r.attributes)) {
    if (!key.startsWith('opt.')) continue
    const path = key.slice('opt.'.length).split('.')
    const top = path[0] ?? ''
    if (!PLOT_OPTION_NAMES.includes(top) || path.some((part) => part === '')) {
      r.error(
        'directive-opt',
        r.at(key),
        `Unknown plot option \`${top}\` in attribute \`${key}\` of \`${r.opener}\`. Plot options: ${PLOT_OPTION_NAMES.join(', ')}.`,
      )
      continue
    }
    let target: Record<string, unknown> = plotOptions
    for (const part of path.slice(0, -1)) {
      const next = target[part]
      if (next === null || typeof next !== 'object' || Array.isArray(next)) target[part] = {}
      else target[part] = { ...(next as Record<string, unknown>) }
      target = target[part] as Record<string, unknown>
    }
    const last = path[path.length - 1] ?? top
    if (last in target) {
      r.warn('directive-opt', r.at(key), `Plot option \`${path.join('.')}\` is set both in \`opt\` and by \`${key}\`; \`${key}\` wins.`)
    }
    target[last] = optionValue(r.text(key) ?? '')
  }
}

/** The plot options set by attributes of their own (`workflow`, `depth`, `engine`) into `plotOptions`; returns `index`. */
function readPlotAttributes(r: AttributeReader, plotOptions: Record<string, unknown>): boolean {
  const { opener } = r
  const setOption = (key: string, value: unknown): void => {
    if (key in plotOptions) {
      r.warn('directive-opt', r.at(key), `Plot option \`${key}\` is set both by the attribute and in \`opt\`; the attribute wins.`)
    }
    plotOptions[key] = value
  }
  if (r.text('workflow') !== undefined) setOption('workflow', r.flag('workflow'))
  const index = r.flag('index')
  const depth = r.text('depth')
  if (depth !== undefined) {
    if (depth === '-1') {
      if ('depth' in plotOptions) setOption('depth', undefined)
      delete plotOptions['depth']
    } else if (/^\d+$/.test(depth)) setOption('depth', Number(depth))
    else
      r.error(
        'directive-attribute',
        r.at('depth', 0, true),
        `Attribute \`depth\` of \`${opener}\` must be an integer ≥ -1 (-1 opens every level), got \`${depth}\`.`,
      )
  }
  const engine = r.text('engine')
  if (engine !== undefined) {
    if (LAYOUT_ENGINES.includes(engine)) setOption('engine', engine)
    else
      r.error(
        'directive-attribute',
        r.at('engine', 0, true),
        `Attribute \`engine\` of \`${opener}\` must be one of ${LAYOUT_ENGINES.join(', ')}, got \`${engine}\`.`,
      )
  }
  return index
}

/** The graph's `height` (maximum, in pixels) and `width` (a CSS length; a bare number means px). */
function readSize(r: AttributeReader): { height: number | undefined; width: string | undefined } {
  const { opener } = r
  const heightText = r.text('height')
  let height: number | undefined
  if (heightText !== undefined) {
    if (/^\d+(px)?$/.test(heightText) && Number.parseInt(heightText, 10) > 0) height = Number.parseInt(heightText, 10)
    else
      r.error(
        'directive-attribute',
        r.at('height', 0, true),
        `Attribute \`height\` of \`${opener}\` is the graph's maximum height in pixels (\`500\` or \`500px\`), got \`${heightText}\`.`,
      )
  }
  const value = r.text('width')
  let width: string | undefined
  if (value !== undefined) {
    if (CSS_LENGTH.test(value)) width = /\d$/.test(value) ? `${value}px` : value
    else
      r.error(
        'directive-attribute',
        r.at('width', 0, true),
        `Attribute \`width\` of \`${opener}\` must be a CSS length such as \`500px\`, \`60vh\` or \`100%\` (a bare number means px), got \`${value}\`.`,
      )
  }
  return { height, width }
}

/**
 * Checks that a `testsetup` / `testcleanup` directive is a container without attributes.
 * @param node The directive.
 * @param file The page.
 * @returns Errors, if any.
 */
export function checkSetupDirective(node: BlockDirective, file: FileInfo): Diagnostic[] {
  const out: Diagnostic[] = []
  if (node.type === 'leafDirective') {
    out.push(
      diagnostic(
        file,
        'error',
        'directive-form',
        startOf(node),
        `\`::${node.name}\` must be a container: write \`:::${node.name}\`, the code fences, then \`:::\`.`,
      ),
    )
  }
  const keys = Object.keys(node.attributes ?? {})
  if (keys.length > 0) {
    out.push(
      diagnostic(
        file,
        'error',
        'directive-attribute',
        startOf(node),
        `\`:::${node.name}\` takes no attributes, got ${keys.map((k) => `\`${k}\``).join(', ')}.`,
      ),
    )
  }
  return out
}
