// The options of `plot()`: their types, defaults and validation (unknown or ill-typed options fail clearly).
import { FlowmarkError, nameError } from '../errors.ts'
import type { NodeId } from '../constants.ts'
import type { PlotNode } from './types.ts'

/**
 * DOT attributes by name. Strings are always written as quoted DOT strings (escaped), numbers and booleans as they
 * are. In option objects that are merged with defaults, `null` removes a default attribute.
 */
export type DotAttributes = Readonly<Record<string, string | number | boolean | null | undefined>>

/** What a page's label says: its kind (`dmap`/`workflow`), its title (the model's name), or nothing (`false`). */
export type PlotCaption = 'kind' | 'title' | false

/** Every value accepted by the `caption` option. */
export const PLOT_CAPTIONS: readonly PlotCaption[] = ['kind', 'title', false]

/** Graphviz layout engines a page may ask for. */
export type LayoutEngine = 'dot' | 'neato' | 'fdp' | 'sfdp' | 'circo' | 'twopi' | 'osage' | 'patchwork'

/** Every layout engine name accepted by the `engine` option. */
export const LAYOUT_ENGINES: readonly LayoutEngine[] = ['dot', 'neato', 'fdp', 'sfdp', 'circo', 'twopi', 'osage', 'patchwork']

/**
 * Style keys of the built-in style table: one per node type (schedula's names), plus the workflow levels
 * `warning` (missing inputs/outputs), `error` (failed) and `ghost` (never reached, with `ghostUnreached`).
 */
export type StyleKey =
  | 'start'
  | 'sink'
  | 'end'
  | 'self'
  | 'plot'
  | 'empty'
  | 'data'
  | 'function'
  | 'dispatcher'
  | 'subdispatch'
  | 'mapdispatch'
  | 'subdispatchfunction'
  | 'subdispatchpipe'
  | 'dispatchpipe'
  | 'run_model'
  | 'function-dispatcher'
  | 'warning'
  | 'error'
  | 'ghost'
  | 'legend-text'

/** What a `nodeStyle` function is told about the node it styles. */
export interface NodeStyleContext {
  /** The node id. */
  readonly id: NodeId
  /** The node as it will appear in `PlotPage.nodes`. */
  readonly node: PlotNode
  /** Path of the page being drawn. */
  readonly pagePath: string
  /** Kind of the page being drawn. */
  readonly pageKind: 'dmap' | 'workflow'
}

/**
 * Which rows a node or edge table shows, as tokens of a small language derived from schedula's:
 * `name` shows the row (or rows) of that attribute; `name|workflowName` shows `workflowName` on workflow pages when
 * the node has it, else `name`; `.tooltip` is not a row but sets the DOT tooltip. Tokens appear in the order given.
 *
 * Data nodes: `default_values` (`default`, `initial_dist`), `wait_inputs`, `wildcard`, `function`, `callback`,
 * `weight`, `filters`, `solution_filters` (`input_filter 0`, `output_filter N`), `remote_links`
 * (`remote parent N`/`remote child N` on sub-dispatcher pages), `distance`, `output` (the computed value), `error`,
 * `description`.
 * Function and dispatcher nodes: `function`, `input_domain`, `solution_domain`, `weight`, `filters`,
 * `solution_filters`, `missing_inputs_outputs` (`M_inputs`, `M_outputs`), `distance`, `started`, `duration`,
 * `error`, `description`.
 * Edges: `weight`, `wildcard`, `value` (what flowed along a workflow edge), `inp_id` and `out_id` (the argument and
 * result positions of a model-wrapping function, on its page's START and END edges).
 */
export interface RowOptions {
  /** Rows of data nodes. */
  readonly data?: readonly string[]
  /** Rows of function nodes (including functions that wrap a model). */
  readonly function?: readonly string[]
  /** Rows of sub-dispatcher nodes. */
  readonly dispatcher?: readonly string[]
  /** Rows of edge `xlabel` tables. */
  readonly edge?: readonly string[]
}

/** Options of `Dispatcher.plot()` and `Solution.plot()`. Every option is optional; unknown options are an error. */
export interface PlotOptions {
  /**
   * Draw a workflow (what a dispatch reached) instead of the model. `Solution.plot()` defaults to `true` (its own
   * workflow); `Dispatcher.plot()` defaults to `false`, and `true` draws the dispatcher's last solution.
   */
  readonly workflow?: boolean
  /**
   * How many levels of sub-pages to build (sub-dispatchers, sub-solutions, functions wrapping a model):
   * `0` only the root page, `1` its direct children… Default: all levels (`Infinity`).
   */
  readonly depth?: number
  /** Graphviz layout engine recorded on every page (`PlotPage.engine`). Default `'dot'`. */
  readonly engine?: LayoutEngine
  /**
   * The label printed under each page's drawing: `'kind'` (the default, as schedula does) prints the page kind
   * (`dmap` or `workflow`), `'title'` the page title (the root model's name, or the sub-model's name on a sub-page),
   * `false` nothing. A `label` given in `graph` replaces it.
   */
  readonly caption?: PlotCaption
  /** Graph attributes, merged key by key over the defaults (`bgcolor`, `label`, `splines`…); `null` removes one. */
  readonly graph?: DotAttributes
  /** Default node attributes (`node [...]`), merged over the defaults; `null` removes one. */
  readonly node?: DotAttributes
  /** Default edge attributes (`edge [...]`), merged over the defaults; `null` removes one. */
  readonly edge?: DotAttributes
  /** Raw DOT statements appended to the body of every page, unescaped: for trusted input only. */
  readonly body?: string | readonly string[]
  /** Attributes merged over the built-in style of a node type or workflow level (see `StyleKey`). */
  readonly styles?: Readonly<Partial<Record<StyleKey, DotAttributes>>>
  /**
   * Per-node overrides, merged last: attributes by node id text, or a function returning attributes for a node
   * (or `undefined` to keep its style). A node attribute `graphviz` (an object) given at `addData`/`addFunction`
   * time is merged just before these. (A node attribute `cluster`, a string, boxes the nodes sharing it in a
   * labelled Graphviz cluster.)
   */
  readonly nodeStyle?: Readonly<Record<string, DotAttributes>> | ((context: NodeStyleContext) => DotAttributes | undefined)
  /** Which rows the node and edge tables show (see `RowOptions`); each kind given replaces its default list. */
  readonly rows?: RowOptions
  /** Leave out every time, duration and date (the `started` and `duration` rows): reproducible docs and goldens. */
  readonly hideTimestamps?: boolean
  /** Workflow pages: show the execution-order number of each visited node as a badge in its title. */
  readonly orderBadges?: boolean
  /** Workflow pages: also draw the model nodes and edges the dispatch never reached, greyed and dashed. */
  readonly ghostUnreached?: boolean
  /**
   * The link written as the `URL` of navigable nodes (and in `remote` rows): given the target page path and, for
   * links to one node, its DOT id. Default: `#page=<path>` and `#page=<path>&node=<dotId>`, URI-encoded.
   */
  readonly pageUrl?: (path: string, dotId?: string) => string
  /** Most lines of a value shown in a row (longer values end with `…`). Default 5. */
  readonly maxLines?: number
  /** Most characters per line of a value shown in a row; longer lines are wrapped (at spaces when possible). Default 80. */
  readonly maxWidth?: number
}

/** Thrown for an invalid plot option: names the option, says what was expected and lists the valid choices. */
export class PlotOptionError extends FlowmarkError {
  declare readonly name: 'PlotOptionError'
  static {
    nameError(this, 'PlotOptionError')
  }
  /** The option concerned, as a path (`'rows.data'`). */
  readonly option: string

  constructor(option: string, message: string) {
    super(message)
    this.option = option
  }
}

/** Thrown when a plot cannot be drawn (e.g. `workflow: true` on a dispatcher that never dispatched). */
export class PlotError extends FlowmarkError {
  declare readonly name: 'PlotError'
  static {
    nameError(this, 'PlotError')
  }
}

/** The names of the options of `PlotOptions`, in documentation order. */
export const PLOT_OPTION_NAMES: readonly string[] = [
  'workflow',
  'depth',
  'engine',
  'caption',
  'graph',
  'node',
  'edge',
  'body',
  'styles',
  'nodeStyle',
  'rows',
  'hideTimestamps',
  'orderBadges',
  'ghostUnreached',
  'pageUrl',
  'maxLines',
  'maxWidth',
]

/** Valid row tokens by table kind (without the `.tooltip` pseudo-row). */
export const ROW_NAMES: Readonly<Record<keyof RowOptions, readonly string[]>> = {
  data: [
    'default_values',
    'wait_inputs',
    'wildcard',
    'function',
    'callback',
    'weight',
    'filters',
    'solution_filters',
    'remote_links',
    'distance',
    'output',
    'error',
    'description',
  ],
  function: [
    'function',
    'input_domain',
    'solution_domain',
    'weight',
    'filters',
    'solution_filters',
    'missing_inputs_outputs',
    'distance',
    'started',
    'duration',
    'error',
    'description',
  ],
  dispatcher: [
    'input_domain',
    'solution_domain',
    'weight',
    'missing_inputs_outputs',
    'distance',
    'started',
    'duration',
    'error',
    'description',
  ],
  edge: ['weight', 'wildcard', 'value', 'inp_id', 'out_id'],
}

/** The default rows, after schedula's defaults (minus what has no meaning here: async flags, leaf pages). */
export const DEFAULT_ROWS: Readonly<Record<keyof RowOptions, readonly string[]>> = {
  data: [
    '.tooltip',
    'default_values',
    'wait_inputs',
    'function',
    'weight',
    'remote_links',
    'filters|solution_filters',
    'distance',
    'error',
  ],
  function: [
    '.tooltip',
    'input_domain|solution_domain',
    'weight',
    'filters|solution_filters',
    'missing_inputs_outputs',
    'distance',
    'started',
    'duration',
    'error',
  ],
  dispatcher: ['.tooltip', 'input_domain|solution_domain', 'weight', 'distance', 'started', 'duration', 'error'],
  edge: ['wildcard', 'inp_id', 'out_id', 'weight'],
}

const STYLE_KEYS: readonly StyleKey[] = [
  'start',
  'sink',
  'end',
  'self',
  'plot',
  'empty',
  'data',
  'function',
  'dispatcher',
  'subdispatch',
  'mapdispatch',
  'subdispatchfunction',
  'subdispatchpipe',
  'dispatchpipe',
  'run_model',
  'function-dispatcher',
  'warning',
  'error',
  'ghost',
  'legend-text',
]

/** A parsed row token. */
export interface RowToken {
  readonly name: string
  readonly workflowName: string | undefined
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly workflow: boolean | undefined
  readonly depth: number
  readonly engine: LayoutEngine
  readonly caption: PlotCaption
  readonly graph: DotAttributes
  readonly node: DotAttributes
  readonly edge: DotAttributes
  readonly body: readonly string[]
  readonly styles: Readonly<Partial<Record<StyleKey, DotAttributes>>>
  readonly nodeStyle: PlotOptions['nodeStyle']
  readonly rows: Readonly<Record<keyof RowOptions, { tooltip: boolean; tokens: readonly RowToken[] }>>
  readonly hideTimestamps: boolean
  readonly orderBadges: boolean
  readonly ghostUnreached: boolean
  readonly pageUrl: (path: string, dotId?: string) => string
  readonly maxLines: number
  readonly maxWidth: number
}

/** The default `pageUrl`: `#page=<path>` (and `&node=<dotId>`), URI-encoded. */
export function defaultPageUrl(path: string, dotId?: string): string {
  return `#page=${encodeURIComponent(path)}${dotId === undefined ? '' : `&node=${encodeURIComponent(dotId)}`}`
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`
  // Objects were answered above: what is left prints as itself.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`
}

function closest(wanted: string, candidates: readonly string[]): string {
  let best = ''
  let score = Infinity
  for (const c of candidates) {
    const d = distance(wanted.toLowerCase(), c.toLowerCase())
    if (d < score) {
      score = d
      best = c
    }
  }
  if (score <= Math.max(2, wanted.length / 3)) return ` Did you mean \`${best}\`?`
  // A shared start of four letters or more (`defaults` for `default_values`) is a good hint too.
  const w = wanted.toLowerCase()
  const prefixed = candidates.find((c) => w.length >= 4 && c.toLowerCase().startsWith(w.slice(0, Math.max(4, w.length - 2))))
  return prefixed === undefined ? '' : ` Did you mean \`${prefixed}\`?`
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}

function checkKeys(where: string, value: object, valid: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (!valid.includes(k)) {
      const option = where === '' ? k : `${where}.${k}`
      throw new PlotOptionError(
        option,
        `plot(): unknown option \`${option}\`.${closest(k, valid)} Valid ${where === '' ? 'options' : `keys of \`${where}\``}: ${valid.join(', ')}`,
      )
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const p: unknown = Object.getPrototypeOf(v)
  return p === Object.prototype || p === null
}

/** Checks a DOT attribute object: identifier names, scalar values. */
export function checkAttributes(option: string, v: unknown): DotAttributes {
  if (!isPlainObject(v)) throw new PlotOptionError(option, `plot(): \`${option}\` must be an object of DOT attributes, got ${typeName(v)}`)
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw new PlotOptionError(
        `${option}.${k}`,
        `plot(): \`${option}\` has the attribute name ${JSON.stringify(k)}; DOT attribute names are letters, digits and _`,
      )
    }
    if (
      x !== null &&
      x !== undefined &&
      typeof x !== 'string' &&
      typeof x !== 'boolean' &&
      !(typeof x === 'number' && Number.isFinite(x))
    ) {
      throw new PlotOptionError(
        `${option}.${k}`,
        `plot(): \`${option}.${k}\` must be a string, a finite number, a boolean or null, got ${typeName(x)}`,
      )
    }
  }
  return v as DotAttributes
}

function checkBool(name: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw new PlotOptionError(name, `plot(): \`${name}\` must be true or false, got ${typeName(v)}`)
  return v
}

function checkCount(name: string, v: unknown, fallback: number, allowInfinity: boolean, min: number): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || (!Number.isInteger(v) && !(allowInfinity && v === Infinity))) {
    throw new PlotOptionError(
      name,
      `plot(): \`${name}\` must be an integer ≥ ${min}${allowInfinity ? ' or Infinity' : ''}, got ${typeName(v)}`,
    )
  }
  return v
}

/** Parses one row token (`name`, `name|workflowName`, `.tooltip`) of table kind `kind`. */
function parseToken(kind: keyof RowOptions, token: unknown, index: number): RowToken | 'tooltip' {
  const option = `rows.${kind}[${index}]`
  if (typeof token !== 'string') throw new PlotOptionError(option, `plot(): \`${option}\` must be a string token, got ${typeName(token)}`)
  if (token === '.tooltip' && kind !== 'edge') return 'tooltip'
  const parts = token.split('|')
  const valid = ROW_NAMES[kind]
  if (parts.length > 2)
    throw new PlotOptionError(option, `plot(): \`${option}\` is ${JSON.stringify(token)}; a token is \`name\` or \`name|workflowName\``)
  for (const p of parts) {
    if (!valid.includes(p)) {
      throw new PlotOptionError(
        option,
        `plot(): \`${option}\` names the unknown row ${JSON.stringify(p)}.${closest(p, valid)} Valid rows of ${kind} tables: ` +
          `${valid.join(', ')}${kind === 'edge' ? '' : ' (and `.tooltip`)'}`,
      )
    }
  }
  return { name: parts[0]!, workflowName: parts[1] }
}

function resolveRows(kind: keyof RowOptions, list: readonly string[]): { tooltip: boolean; tokens: RowToken[] } {
  let tooltip = false
  const tokens: RowToken[] = []
  list.forEach((t, i) => {
    const r = parseToken(kind, t, i)
    if (r === 'tooltip') tooltip = true
    else tokens.push(r)
  })
  return { tooltip, tokens }
}

/** Validates `options` and fills in the defaults. Throws a `PlotOptionError` naming the first bad option. */
export function resolveOptions(options: PlotOptions | undefined): ResolvedOptions {
  const o: unknown = options ?? {}
  if (!isPlainObject(o)) throw new PlotOptionError('', `plot(): options must be an object, got ${typeName(o)}`)
  checkKeys('', o, PLOT_OPTION_NAMES)
  const engine = o.engine ?? 'dot'
  if (typeof engine !== 'string' || !(LAYOUT_ENGINES as readonly string[]).includes(engine)) {
    throw new PlotOptionError('engine', `plot(): \`engine\` must be one of ${LAYOUT_ENGINES.join(', ')}, got ${typeName(engine)}`)
  }
  const caption = o.caption ?? 'kind'
  if (!(PLOT_CAPTIONS as readonly unknown[]).includes(caption)) {
    throw new PlotOptionError('caption', `plot(): \`caption\` must be 'kind', 'title' or false, got ${typeName(caption)}`)
  }
  let body: string[] = []
  if (typeof o.body === 'string') body = [o.body]
  else if (Array.isArray(o.body)) {
    o.body.forEach((s, i) => {
      if (typeof s !== 'string')
        throw new PlotOptionError(`body[${i}]`, `plot(): \`body[${i}]\` must be a string of DOT, got ${typeName(s)}`)
    })
    body = [...(o.body as string[])]
  } else if (o.body !== undefined) {
    throw new PlotOptionError('body', `plot(): \`body\` must be a string or an array of strings of DOT, got ${typeName(o.body)}`)
  }
  const styles = o.styles === undefined ? {} : o.styles
  if (!isPlainObject(styles))
    throw new PlotOptionError('styles', `plot(): \`styles\` must be an object by style key, got ${typeName(styles)}`)
  checkKeys('styles', styles, STYLE_KEYS)
  for (const [k, v] of Object.entries(styles)) checkAttributes(`styles.${k}`, v)
  const nodeStyle = o.nodeStyle
  if (nodeStyle !== undefined && typeof nodeStyle !== 'function') {
    if (!isPlainObject(nodeStyle)) {
      throw new PlotOptionError('nodeStyle', `plot(): \`nodeStyle\` must be an object by node id or a function, got ${typeName(nodeStyle)}`)
    }
    for (const [k, v] of Object.entries(nodeStyle)) checkAttributes(`nodeStyle.${k}`, v)
  }
  const rowsIn = o.rows === undefined ? {} : o.rows
  if (!isPlainObject(rowsIn))
    throw new PlotOptionError(
      'rows',
      `plot(): \`rows\` must be an object with data/function/dispatcher/edge lists, got ${typeName(rowsIn)}`,
    )
  checkKeys('rows', rowsIn, ['data', 'function', 'dispatcher', 'edge'])
  const rows = {} as Record<keyof RowOptions, { tooltip: boolean; tokens: RowToken[] }>
  for (const kind of ['data', 'function', 'dispatcher', 'edge'] as const) {
    const list = rowsIn[kind] ?? DEFAULT_ROWS[kind]
    if (!Array.isArray(list))
      throw new PlotOptionError(`rows.${kind}`, `plot(): \`rows.${kind}\` must be an array of row tokens, got ${typeName(list)}`)
    rows[kind] = resolveRows(kind, list)
  }
  if (o.pageUrl !== undefined && typeof o.pageUrl !== 'function') {
    throw new PlotOptionError('pageUrl', `plot(): \`pageUrl\` must be a function (path, dotId?) => string, got ${typeName(o.pageUrl)}`)
  }
  return {
    workflow: checkBool('workflow', o.workflow),
    depth: checkCount('depth', o.depth, Infinity, true, 0),
    engine: engine as LayoutEngine,
    caption: caption as PlotCaption,
    graph: o.graph === undefined ? {} : checkAttributes('graph', o.graph),
    node: o.node === undefined ? {} : checkAttributes('node', o.node),
    edge: o.edge === undefined ? {} : checkAttributes('edge', o.edge),
    body,
    styles,
    nodeStyle: nodeStyle as PlotOptions['nodeStyle'],
    rows,
    hideTimestamps: checkBool('hideTimestamps', o.hideTimestamps) ?? false,
    orderBadges: checkBool('orderBadges', o.orderBadges) ?? false,
    ghostUnreached: checkBool('ghostUnreached', o.ghostUnreached) ?? false,
    pageUrl: (o.pageUrl as ResolvedOptions['pageUrl'] | undefined) ?? defaultPageUrl,
    maxLines: checkCount('maxLines', o.maxLines, 5, false, 1),
    maxWidth: checkCount('maxWidth', o.maxWidth, 80, false, 8),
  }
}
