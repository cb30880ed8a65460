// Builds the DOT pages of a dispatcher (its model) or of a solution (its workflow), with their sub-pages.
import { END, PLOT, SELF, SINK, START, WRAPPED_MODEL, formatId, idText, type NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { functionName } from '../function-name.ts'
import { isDispatcher, isSolution } from '../internal/access.ts'
import type { Distance } from '../distance.ts'
import type { AnyFunction, ModelEdge, ModelNode } from '../model.ts'
import type { Solution } from '../solution.ts'
import type { Workflow, WorkflowNode } from '../workflow.ts'
import { Html, attributeList, dotName, mergeAttributes, table, type DotValue, type TableRow } from './dot.ts'
import { boundText, childPath, dotIdOf } from './escape.ts'
import { inspectValue } from './inspect.ts'
import {
  PlotError,
  PlotOptionError,
  checkAttributes,
  resolveOptions,
  type DotAttributes,
  type PlotOptions,
  type ResolvedOptions,
  type RowToken,
  type StyleKey,
} from './options.ts'
import { PlotImpl, PlotPageImpl } from './plot.ts'
import { GHOST_EDGE, GRAPH_DEFAULTS, NODE_DEFAULTS, NODE_STYLES, wrappedType } from './styles.ts'
import type { Plot, PlotNode, PlotPage } from './types.ts'

/** What a page draws: a model, or the workflow of a solution. */
type Source = { readonly kind: 'dmap'; readonly dsp: Dispatcher } | { readonly kind: 'workflow'; readonly sol: Solution }

/** Links from the data nodes of a sub-dispatcher page back to the parent page's data nodes. */
interface Remote {
  readonly parentPath: string
  /** Child data id → the parent ids that feed it. */
  readonly parents: ReadonlyMap<NodeId, readonly NodeId[]>
  /** Child data id → the parent ids it sets. */
  readonly children: ReadonlyMap<NodeId, readonly NodeId[]>
}

/** What a model-wrapping function declares (SubDispatchFunction & co.): START → inputs[i], outputs[j] → END. */
interface Signature {
  readonly inputs: readonly NodeId[]
  readonly outputs: readonly NodeId[] | undefined
}

interface Job {
  readonly source: Source
  readonly path: string
  readonly title: string
  readonly parent: string | undefined
  readonly level: number
  readonly remote: Remote | undefined
  /** The positional inputs and the outputs of the function wrapping the model drawn, if it declares them. */
  readonly signature: Signature | undefined
  /** Dispatchers drawn as models on the way down, with their page paths (cycle guard). */
  readonly ancestors: readonly { readonly dsp: Dispatcher; readonly path: string }[]
}

const SPECIAL_KIND = new Map<NodeId, 'start' | 'sink' | 'end' | 'self' | 'plot'>([
  [START, 'start'],
  [SINK, 'sink'],
  [END, 'end'],
  [SELF, 'self'],
  [PLOT, 'plot'],
])

/** Draws a dispatcher: its model, or with `workflow: true` its last solution. */
export function plotDispatcher(dsp: Dispatcher, options?: PlotOptions): Plot {
  const opts = resolveOptions(options)
  if (opts.workflow === true) {
    const sol = dsp.solution
    if (sol === undefined) {
      throw new PlotError(
        `Dispatcher.plot({ workflow: true }): dispatcher ${formatId(dsp.name)} has no solution yet; ` +
          'call dispatch() first, or plot the Solution it returns',
      )
    }
    return build({ kind: 'workflow', sol }, sol.dispatcher.name || 'workflow', opts)
  }
  return build({ kind: 'dmap', dsp }, dsp.name || 'dispatcher', opts)
}

/** Draws a solution: its workflow, or with `workflow: false` the model it dispatched. */
export function plotSolution(sol: Solution, options?: PlotOptions): Plot {
  const opts = resolveOptions(options)
  if (opts.workflow === false) return build({ kind: 'dmap', dsp: sol.dispatcher }, sol.dispatcher.name || 'dispatcher', opts)
  return build({ kind: 'workflow', sol }, sol.dispatcher.name || 'workflow', opts)
}

function build(source: Source, title: string, opts: ResolvedOptions): Plot {
  const pages: PlotPage[] = []
  const visit = (job: Job): void => {
    const { page, children } = buildPage(job, opts)
    pages.push(page)
    for (const c of children) visit(c)
  }
  const ancestors = source.kind === 'dmap' ? [{ dsp: source.dsp, path: '' }] : []
  visit({ source, path: '', title, parent: undefined, level: 0, remote: undefined, signature: undefined, ancestors })
  return new PlotImpl(pages)
}

/** The dispatcher a function wraps (`fn[WRAPPED_MODEL]`), if it is one. */
function wrappedModel(fn: AnyFunction | undefined): Dispatcher | undefined {
  if (fn === undefined) return undefined
  try {
    const m: unknown = (fn as unknown as Record<symbol, unknown>)[WRAPPED_MODEL]
    return isDispatcher(m) ? m : undefined
  } catch {
    return undefined
  }
}

/** A string own data property of a function (its `description`, say), without running getters. */
function ownString(fn: unknown, key: string): string | undefined {
  if (typeof fn !== 'function') return undefined
  try {
    const d = Object.getOwnPropertyDescriptor(fn, key)
    return typeof d?.value === 'string' ? d.value : undefined
  } catch {
    return undefined
  }
}

/** An own data property of a wrapper holding a list of node ids (`inputs`, `outputs`), if it has one. */
function ownIdList(fn: unknown, key: string): NodeId[] | undefined {
  try {
    const v: unknown = Object.getOwnPropertyDescriptor(fn, key)?.value
    return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'symbol') ? [...(v as NodeId[])] : undefined
  } catch {
    return undefined
  }
}

/** The solution of the last call of a wrapper (its own `solution` accessor, as the composition helpers define it). */
function lastSolution(fn: unknown): Solution | undefined {
  try {
    const d = Object.getOwnPropertyDescriptor(fn, 'solution')
    const v: unknown = d === undefined ? undefined : 'value' in d ? d.value : d.get?.call(fn)
    return isSolution(v) ? v : undefined
  } catch {
    return undefined
  }
}

function formatDistance(d: Distance): string {
  return typeof d === 'number' ? (Object.is(d, -0) ? '0' : String(d)) : d.toString()
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(3)} ms`
}

function nameOf(fn: unknown): string {
  return typeof fn === 'function' ? functionName(fn as AnyFunction) : inspectValue(fn, { maxLength: 60 })
}

/**
 * An input domain's name in a node's rows: its function's name, or, for an arrow written inline (whose only name is
 * the `inputDomain` option it was given in), its source text on one line, so the row reads `x => x > 0` and not
 * `input_domain | inputDomain`.
 */
function domainName(fn: unknown): string {
  if (typeof fn !== 'function') return nameOf(fn)
  const name = functionName(fn as AnyFunction)
  if (name !== 'inputDomain' && name !== 'unknown') return name
  // Type stripping leaves blanks where the annotations were: drop them before `)` and `,`.
  const source = Function.prototype.toString
    .call(fn)
    .replace(/\s+/g, ' ')
    .replace(/\s+([),])/g, '$1')
    .trim()
  return source.length > 60 ? `${source.slice(0, 59)}…` : source
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)]
}

interface DrawnNode {
  readonly id: NodeId
  readonly model: ModelNode | undefined
  readonly wf: WorkflowNode | undefined
  readonly ghost: boolean
}

/** What the parts of one page's drawing share: the job, the options, the nodes drawn and the DOT written so far. */
interface PageState {
  readonly job: Job
  readonly opts: ResolvedOptions
  readonly kind: Source['kind']
  readonly sol: Solution | undefined
  readonly dsp: Dispatcher
  readonly wf: Workflow | undefined
  readonly model: Dispatcher['nodes']
  readonly drawn: readonly DrawnNode[]
  /** Node id → its place among the drawn nodes. */
  readonly position: ReadonlyMap<NodeId, number>
  readonly dotIds: ReadonlyMap<NodeId, string>
  /** Node id → its badge number in the execution order. */
  readonly order: ReadonlyMap<NodeId, number>
  /** The DOT statements of nodes, clusters and edges. */
  readonly lines: string[]
  readonly nodes: PlotNode[]
  /** The sub-pages to draw next. */
  readonly children: Job[]
}

function buildPage(job: Job, opts: ResolvedOptions): { page: PlotPage; children: Job[] } {
  const { source } = job
  const sol = source.kind === 'workflow' ? source.sol : undefined
  const dsp = source.kind === 'workflow' ? source.sol.dispatcher : source.dsp
  const wf: Workflow | undefined = sol?.workflow
  const drawn = drawnNodes(job, opts, dsp, wf)
  const st: PageState = {
    job,
    opts,
    kind: source.kind,
    sol,
    dsp,
    wf,
    model: dsp.nodes,
    drawn,
    position: new Map<NodeId, number>(drawn.map((d, i) => [d.id, i])),
    dotIds: new Map<NodeId, string>(drawn.map((d) => [d.id, dotIdOf(d.id)])),
    order: visitOrder(sol, wf, opts),
    lines: [],
    nodes: [],
    children: [],
  }
  const clusters = new Map<string, string[]>()
  for (const d of drawn) drawNode(st, d, clusters)
  // Nodes with a `cluster` attribute are boxed together, one labelled cluster per name, in order of appearance.
  let k = 0
  for (const [label, members] of clusters) {
    st.lines.push(`\tsubgraph ${dotName(`cluster_${k++}`)} {`, `\t\tgraph ${attributeList(mergeAttributes({ label }))}`)
    for (const m of members) st.lines.push(`\t\t${dotName(m)}`)
    st.lines.push('\t}')
  }
  if (drawn.length === 0) {
    const attrs = mergeAttributes(NODE_STYLES.empty, opts.styles.empty, { label: 'empty', id: 'empty' })
    st.lines.push(`\t${dotName('empty')} ${attributeList(attrs)}`)
    st.nodes.push({
      dotId: 'empty',
      label: 'empty',
      kind: 'other',
      description: undefined,
      page: undefined,
      state: undefined,
      type: 'empty',
    })
  }
  drawEdges(st)
  return {
    page: new PlotPageImpl({
      path: job.path,
      title: job.title,
      kind: st.kind,
      parent: job.parent,
      dot: pageDot(st),
      engine: opts.engine,
      nodes: st.nodes,
    }),
    children: st.children,
  }
}

/** Which nodes a page draws, in which order: START first, then model order, then what only the workflow holds. */
function drawnNodes(job: Job, opts: ResolvedOptions, dsp: Dispatcher, wf: Workflow | undefined): DrawnNode[] {
  const model = dsp.nodes
  const withEdges = new Set<NodeId>()
  for (const e of dsp.edges) {
    withEdges.add(e.from)
    withEdges.add(e.to)
  }
  const drawn: DrawnNode[] = []
  const add = (id: NodeId) => {
    const w = wf?.nodes.get(id)
    drawn.push({ id, model: model.get(id), wf: w, ghost: wf !== undefined && w === undefined })
  }
  const signature = job.signature
  if (wf !== undefined || model.has(START) || (signature !== undefined && signature.inputs.length > 0)) add(START)
  for (const id of model.keys()) {
    if (id === START) continue
    if (wf === undefined) {
      if (id === SINK && !withEdges.has(SINK)) continue
      add(id)
    } else if (wf.nodes.has(id) || (opts.ghostUnreached && !(id === SINK && !withEdges.has(SINK)))) {
      add(id)
    }
  }
  if (wf !== undefined) for (const id of wf.nodes.keys()) if (!model.has(id) && id !== START) add(id)
  // A wrapper with declared outputs collects them in END (as schedula draws a SubDispatchFunction).
  if (signature?.outputs !== undefined && !drawn.some((d) => d.id === END))
    drawn.push({ id: END, model: undefined, wf: undefined, ghost: false })
  return drawn
}

/** The execution order badges: the visit order of the nodes the workflow kept (the search may visit a node it drops). */
function visitOrder(sol: Solution | undefined, wf: Workflow | undefined, opts: ResolvedOptions): Map<NodeId, number> {
  const order = new Map<NodeId, number>()
  if (sol === undefined || !opts.orderBadges) return order
  for (const step of sol.pipe) {
    if (step.path.length === 1 && step.nodeId !== START && !order.has(step.nodeId) && wf?.nodes.has(step.nodeId))
      order.set(step.nodeId, order.size + 1)
  }
  return order
}

/** One node: its PlotNode, its DOT statement, its sub-page (queued as a child job) and its cluster membership. */
function drawNode(st: PageState, d: DrawnNode, clusters: Map<string, string[]>): void {
  const { opts, sol, wf } = st
  const { id, model: node, wf: w, ghost } = d
  const dotId = st.dotIds.get(id)!
  const special = SPECIAL_KIND.get(id)
  const wrapperFn = node?.kind === 'function' ? node.fn : undefined
  const wrapped = wrappedModel(wrapperFn)
  const type: StyleKey =
    special ?? (node === undefined ? 'data' : node.kind === 'function' ? (wrapped ? wrappedType(node.fn) : 'function') : node.kind)
  const plotKind: PlotNode['kind'] = special ?? (node === undefined ? 'other' : node.kind)
  const error = ghost ? undefined : (w?.error ?? sol?.errors.get(id))
  let missing: { inputs: NodeId[]; outputs: NodeId[] } | undefined
  if (wf !== undefined && !ghost && node?.kind === 'function') {
    const inputs = unique(node.inputs).filter((i) => !wf.hasEdge(i, id))
    const outputs = unique(node.outputs).filter((o) => !wf.hasEdge(id, o))
    if (inputs.length > 0 || outputs.length > 0) missing = { inputs, outputs }
  }
  const state: PlotNode['state'] = wf === undefined ? undefined : ghost ? 'unreached' : error ? 'error' : missing ? 'missing' : 'ok'
  const page = subPage(st, d, wrapped)

  const description = node?.description || (node?.kind === 'function' ? ownString(node.fn, 'description') : undefined) || undefined
  const plotNode: PlotNode = {
    dotId,
    label: idText(id),
    kind: plotKind,
    description,
    page,
    state,
    type,
    ...(st.order.has(id) ? { order: st.order.get(id) } : {}),
    ...(sol !== undefined && !ghost && node?.kind !== 'function' && node?.kind !== 'dispatcher' && sol.has(id)
      ? { value: inspectValue(sol.get(id), { maxLength: opts.maxWidth * opts.maxLines }) }
      : {}),
    ...(error !== undefined ? { error: error.message } : {}),
  }
  st.nodes.push(plotNode)

  const base = baseAttributes(opts, type, special, ghost ? 'ghost' : error ? 'error' : missing ? 'warning' : undefined)
  const fontcolor = base.get('fontcolor')
  const layer = nodeLayer(st, d, { special, description, error, missing, page, color: typeof fontcolor === 'string' ? fontcolor : 'black' })
  const { own, user } = nodeOwnAttributes(st, id, plotNode)
  // The DOT `id` is what viewers find the node by: no layer may change it.
  const attrs = mergeAttributes(Object.fromEntries(base), layer, own, user, { id: dotId })
  st.lines.push(`\t${dotName(dotId)} ${attributeList(attrs)}`)
  const cluster = node?.attributes.cluster
  if (typeof cluster === 'string' && cluster !== '') {
    const members = clusters.get(cluster)
    if (members === undefined) clusters.set(cluster, [dotId])
    else members.push(dotId)
  }
}

/**
 * The page a sub-dispatcher or model-wrapping node opens, if it is drawn (within `depth`): the page of an ancestor
 * drawing the same model (a cycle), or a new page queued in `st.children`.
 */
function subPage(st: PageState, d: DrawnNode, wrapped: Dispatcher | undefined): string | undefined {
  const { job, opts, sol } = st
  const { id, model: node, wf: w } = d
  if (node === undefined || job.level >= opts.depth || (node.kind !== 'dispatcher' && wrapped === undefined)) return undefined
  let childSource: Source | undefined
  if (node.kind === 'dispatcher') {
    const sub = sol?.subSolutions.get(id)
    // Its workflow when it was started; its model otherwise (a model page, never reached, or a domain said no).
    childSource = sub !== undefined ? { kind: 'workflow', sol: sub } : { kind: 'dmap', dsp: node.dispatcher }
  } else if (wrapped !== undefined && node.kind === 'function') {
    const results = w?.results
    // Its workflow: the solution its call kept on the workflow node, else the one it returned, else the one its
    // last call recorded (if it ran in this dispatch).
    const kept = w?.solution ?? (isSolution(results) ? results : undefined)
    const last = kept === undefined && w?.started !== undefined ? lastSolution(node.fn) : undefined
    childSource =
      kept !== undefined
        ? { kind: 'workflow', sol: kept }
        : last !== undefined && last.dispatcher === wrapped
          ? { kind: 'workflow', sol: last }
          : { kind: 'dmap', dsp: wrapped }
  }
  if (childSource === undefined) return undefined
  const cycle = childSource.kind === 'dmap' ? job.ancestors.find((a) => a.dsp === (childSource as { dsp: Dispatcher }).dsp) : undefined
  if (cycle !== undefined) return cycle.path
  const path = childPath(job.path, id)
  let remote: Remote | undefined
  if (node.kind === 'dispatcher') {
    const parents = new Map<NodeId, NodeId[]>()
    for (const [p, cs] of node.inputs) for (const c of cs) parents.set(c, [...(parents.get(c) ?? []), p])
    remote = { parentPath: job.path, parents, children: node.outputs }
  }
  const wrapperFn = node.kind === 'function' ? node.fn : undefined
  const childDsp = childSource.kind === 'dmap' ? childSource.dsp : childSource.sol.dispatcher
  st.children.push({
    source: childSource,
    path,
    title: idText(id),
    parent: job.path,
    level: job.level + 1,
    remote,
    signature:
      wrapped !== undefined && ownIdList(wrapperFn, 'inputs') !== undefined
        ? { inputs: ownIdList(wrapperFn, 'inputs')!, outputs: ownIdList(wrapperFn, 'outputs') }
        : undefined,
    ancestors: [...job.ancestors, { dsp: childDsp, path }],
  })
  return path
}

/** A node's style before its own layers: its type's, then a ghost, error or warning look over it. */
function baseAttributes(
  opts: ResolvedOptions,
  type: StyleKey,
  special: string | undefined,
  level: 'ghost' | 'error' | 'warning' | undefined,
): Map<string, DotValue> {
  const base = mergeAttributes(NODE_STYLES[type], opts.styles[type])
  if (special === undefined && level !== undefined) {
    for (const [k, v] of mergeAttributes(NODE_STYLES[level], opts.styles[level])) base.set(k, v)
    if (level === 'ghost') {
      const style = base.get('style')
      base.set('style', `${typeof style === 'string' && style !== '' ? style : 'filled'},dashed`)
    }
  } else if (special !== undefined && level === 'ghost') {
    for (const [k, v] of mergeAttributes(NODE_STYLES.ghost, opts.styles.ghost)) base.set(k, v)
  }
  return base
}

/** What a node shows: the label (a name, or the table of its rows), the tooltip and the link to its page. */
function nodeLayer(
  st: PageState,
  d: DrawnNode,
  shown: {
    special: string | undefined
    description: string | undefined
    error: { readonly message: string } | undefined
    missing: { inputs: NodeId[]; outputs: NodeId[] } | undefined
    page: string | undefined
    color: string
  },
): Record<string, DotValue> {
  const { opts } = st
  const { id, model: node } = d
  const { special, description, color } = shown
  const layer: Record<string, DotValue> = { id: st.dotIds.get(id)! }
  if (special !== undefined) {
    layer.label = special
    if (description !== undefined) layer.tooltip = boundText(description, 20, 400)
  } else {
    const tableKind = node?.kind === 'dispatcher' ? 'dispatcher' : node?.kind === 'function' ? 'function' : 'data'
    const spec = opts.rows[tableKind]
    const rowCtx = {
      opts,
      sol: st.sol,
      wf: st.wf,
      dsp: st.dsp,
      remote: st.job.remote,
      error: shown.error,
      missing: shown.missing,
      dotIds: st.dotIds,
    }
    const rows = nodeRows(d, spec.tokens, rowCtx)
    const title = boundText(idText(id), opts.maxLines, opts.maxWidth)
    layer.label = table(title, rows, color, st.order.get(id))
    if (spec.tooltip) layer.tooltip = boundText(description ?? idText(id), 20, 400)
  }
  if (shown.page !== undefined) layer.URL = opts.pageUrl(shown.page)
  return layer
}

/** The node's own DOT attributes (`attributes.graphviz` of the model node) and the user's (`nodeStyle`), checked. */
function nodeOwnAttributes(
  st: PageState,
  id: NodeId,
  plotNode: PlotNode,
): { own: DotAttributes | undefined; user: DotAttributes | undefined } {
  const graphviz = st.model.get(id)?.attributes.graphviz
  let own: DotAttributes | undefined
  if (graphviz !== undefined) {
    try {
      own = checkAttributes(`attributes.graphviz of node ${formatId(id)}`, graphviz)
    } catch (e) {
      throw e instanceof PlotOptionError
        ? new PlotOptionError(
            e.option,
            `${e.message} (set at addData/addFunction time on node ${formatId(id)} of dispatcher ${formatId(st.dsp.name)})`,
          )
        : e
    }
  }
  let user: DotAttributes | undefined
  const ns = st.opts.nodeStyle
  if (typeof ns === 'function') {
    const r = ns({ id, node: plotNode, pagePath: st.job.path, pageKind: st.kind })
    if (r !== undefined) user = checkAttributes(`nodeStyle(${formatId(id)})`, r)
  } else if (ns !== undefined && typeof id === 'string' && Object.hasOwn(ns, id)) {
    user = ns[id]
  }
  return { own, user }
}

/** What an edge's label table can show besides the weight. */
interface EdgeValue {
  readonly has: boolean
  readonly value: unknown
  readonly wildcard: boolean
}

const NO_VALUE: EdgeValue = { has: false, value: undefined, wildcard: false }

/** Draws a page's edges: the model's (or the workflow's, with the model's unreached ones as ghosts), then a wrapper's. */
function drawEdges(st: PageState): void {
  const { opts, model, wf, position, dotIds } = st
  const signature = st.job.signature
  const edgeSpec = opts.rows.edge.tokens
  const inpId = new Map<NodeId, number[]>()
  const outId = new Map<NodeId, number[]>()
  signature?.inputs.forEach((id, i) => inpId.set(id, [...(inpId.get(id) ?? []), i]))
  signature?.outputs?.forEach((id, i) => outId.set(id, [...(outId.get(id) ?? []), i]))
  const drawnEdges = new Set<string>()
  const rowsOf = (e: ModelEdge, value: EdgeValue): TableRow[] => {
    const rows: TableRow[] = []
    for (const t of edgeSpec) {
      if (t.name === 'weight' && e.weight !== undefined && e.weight !== 1 && !(model.get(e.to)?.kind === 'dispatcher' && e.weight === 0)) {
        rows.push({ name: 'weight', value: boundText(String(e.weight), opts.maxLines, opts.maxWidth) })
      } else if (t.name === 'value' && value.has) {
        rows.push({ name: 'value', value: inspectValue(value.value, { maxLength: opts.maxWidth }) })
      } else if (t.name === 'wildcard' && value.wildcard) {
        rows.push({ name: 'wildcard', value: inspectValue(value.value, { maxLength: opts.maxWidth }) })
      } else if (t.name === 'inp_id' && e.from === START && inpId.has(e.to)) {
        rows.push({ name: 'inp_id', value: inpId.get(e.to)!.join(', ') })
      } else if (t.name === 'out_id' && e.to === END && outId.has(e.from)) {
        rows.push({ name: 'out_id', value: outId.get(e.from)!.join(', ') })
      }
    }
    return rows
  }
  const line = (e: ModelEdge, value: EdgeValue, ghost: boolean): void => {
    drawnEdges.add(`${dotIds.get(e.from)}>${dotIds.get(e.to)}`)
    st.lines.push(edgeLine(st, e.from, e.to, rowsOf(e, value), ghost))
  }
  if (wf === undefined) {
    for (const e of st.dsp.edges) if (position.has(e.from) && position.has(e.to)) line(e, NO_VALUE, false)
  } else {
    workflowEdges(st, wf, line)
  }
  if (signature === undefined) return
  // Model pages: START feeds every declared input; workflow pages show only what flowed.
  if (wf === undefined) {
    for (const id of inpId.keys()) {
      if (position.has(id) && !drawnEdges.has(`${dotIds.get(START)}>${dotIds.get(id)}`))
        line({ from: START, to: id, weight: undefined }, NO_VALUE, false)
    }
  }
  for (const id of outId.keys()) {
    if (position.has(id) && (wf === undefined || wf.nodes.has(id))) line({ from: id, to: END, weight: undefined }, NO_VALUE, false)
  }
}

/** One edge statement, its label table (if it has rows) as an `xlabel`. */
function edgeLine(st: PageState, from: NodeId, to: NodeId, rows: TableRow[], ghost: boolean): string {
  const attrs = new Map<string, DotValue>(ghost ? mergeAttributes(GHOST_EDGE) : [])
  const fontcolor = attrs.get('fontcolor')
  const color = ghost && typeof fontcolor === 'string' ? fontcolor : 'black'
  if (rows.length > 0) attrs.set('xlabel', table(`${boundText(idText(from), 1, 60)} --> ${boundText(idText(to), 1, 60)}`, rows, color))
  const list = attributeList(attrs)
  return `\t${dotName(st.dotIds.get(from)!)} -> ${dotName(st.dotIds.get(to)!)}${list === '' ? '' : ` ${list}`}`
}

/** A workflow page's edges, per drawn source node: the model's edges the workflow took (or ghosts), then its own. */
function workflowEdges(st: PageState, wf: Workflow, line: (e: ModelEdge, value: EdgeValue, ghost: boolean) => void): void {
  const { position } = st
  const bySource = new Map<NodeId, ModelEdge[]>()
  for (const e of st.dsp.edges) {
    const list = bySource.get(e.from)
    if (list === undefined) bySource.set(e.from, [e])
    else list.push(e)
  }
  const wfBySource = new Map<NodeId, { from: NodeId; to: NodeId; value: unknown }[]>()
  for (const e of wf.edges) {
    if (e.from === START && e.to === START) continue
    const list = wfBySource.get(e.from)
    if (list === undefined) wfBySource.set(e.from, [e])
    else list.push(e)
  }
  for (const d of st.drawn) {
    const u = d.id
    const done = new Set<NodeId>()
    for (const e of bySource.get(u) ?? []) {
      if (!position.has(e.to) || done.has(e.to)) continue
      const we = wf.edge(u, e.to)
      if (we !== undefined) {
        done.add(e.to)
        line(e, { has: true, value: we.value, wildcard: false }, false)
      } else if (st.opts.ghostUnreached) {
        done.add(e.to)
        line(e, NO_VALUE, true)
      }
    }
    // Edges the model does not hold (START to the inputs), in the order of their targets.
    const extra = (wfBySource.get(u) ?? []).filter((we) => !done.has(we.to) && position.has(we.to))
    extra.sort((a, b) => position.get(a.to)! - position.get(b.to)!)
    for (const we of extra) {
      done.add(we.to)
      // An input that is also recomputed (a wildcard dispatch): its START edge shows the value given.
      const wildcard = u === START && wf.predecessors(we.to).some((p) => p !== START)
      line({ from: u, to: we.to, weight: undefined }, { has: true, value: we.value, wildcard }, false)
    }
  }
}

/** The page's DOT text: the header (caption, defaults, body lines), the statements, the closing brace. */
function pageDot(st: PageState): string {
  const { opts, kind } = st
  const label = opts.caption === 'kind' ? new Html(kind) : opts.caption === 'title' ? st.job.title : undefined
  const graph = mergeAttributes({ label }, GRAPH_DEFAULTS, opts.graph)
  const nodeDefaults = mergeAttributes(NODE_DEFAULTS, opts.node)
  const edgeDefaults = mergeAttributes(opts.edge)
  const head = [`digraph ${kind} {`]
  if (graph.size > 0) head.push(`\tgraph ${attributeList(graph)}`)
  if (nodeDefaults.size > 0) head.push(`\tnode ${attributeList(nodeDefaults)}`)
  if (edgeDefaults.size > 0) head.push(`\tedge ${attributeList(edgeDefaults)}`)
  for (const b of opts.body) head.push(`\t${b}`)
  return [...head, ...st.lines, '}', ''].join('\n')
}

interface RowContext {
  readonly opts: ResolvedOptions
  readonly sol: Solution | undefined
  readonly wf: Workflow | undefined
  readonly dsp: Dispatcher
  readonly remote: Remote | undefined
  readonly error: { readonly message: string } | undefined
  readonly missing: { inputs: NodeId[]; outputs: NodeId[] } | undefined
  readonly dotIds: ReadonlyMap<NodeId, string>
}

/** Whether the workflow-side attribute of a `name|workflowName` token exists for the node. */
function hasWorkflowAttribute(name: string, w: WorkflowNode | undefined): boolean {
  if (w === undefined) return false
  if (name === 'solution_domain') return w.domain !== undefined
  if (name === 'solution_filters') return w.filterChain !== undefined
  return true
}

function nodeRows(d: DrawnNode, tokens: readonly RowToken[], ctx: RowContext): TableRow[] {
  const { opts, sol, wf } = ctx
  const node = d.model
  const w = d.wf
  const rows: TableRow[] = []
  const push = (name: string, value: string, href?: string) =>
    rows.push({ name, value: boundText(value, opts.maxLines, opts.maxWidth), ...(href === undefined ? {} : { href }) })
  const show = (v: unknown) => inspectValue(v, { maxLength: opts.maxWidth * opts.maxLines })
  for (const t of tokens) {
    const name = wf !== undefined && t.workflowName !== undefined && hasWorkflowAttribute(t.workflowName, w) ? t.workflowName : t.name
    switch (name) {
      case 'default_values': {
        const dv = ctx.dsp.defaultValues.get(d.id)
        if (dv !== undefined) {
          push('default', show(dv.value))
          if (dv.initialDist !== 0) push('initial_dist', formatDistance(dv.initialDist))
        }
        break
      }
      case 'wait_inputs':
        if (node?.kind === 'data' && node.waitInputs) push('wait_inputs', 'true')
        break
      case 'wildcard':
        if (node?.kind === 'data' && node.wildcard === false) push('wildcard', 'false')
        break
      case 'function':
        if ((node?.kind === 'data' || node?.kind === 'function') && node.fn !== undefined) push('function', nameOf(node.fn))
        break
      case 'callback':
        if (node?.kind === 'data' && node.callback !== undefined) push('callback', nameOf(node.callback))
        break
      case 'weight':
        if (node?.weight !== undefined) push('weight', String(node.weight))
        break
      case 'filters':
        if ((node?.kind === 'data' || node?.kind === 'function') && node.filters !== undefined) {
          node.filters.forEach((f, i) => push(`filter ${i}`, nameOf(f)))
        }
        break
      case 'solution_filters':
        if (w?.filterChain !== undefined) {
          w.filterChain.forEach((v, i) => push(i === 0 ? 'input_filter 0' : `output_filter ${i - 1}`, show(v)))
        }
        break
      case 'remote_links':
        if (ctx.remote !== undefined) {
          const r = ctx.remote
          ;(r.parents.get(d.id) ?? []).forEach((p, i) =>
            push(`remote parent ${i}`, `(${idText(p)})`, opts.pageUrl(r.parentPath, dotIdOf(p))),
          )
          ;(r.children.get(d.id) ?? []).forEach((p, i) =>
            push(`remote child ${i}`, `(${idText(p)})`, opts.pageUrl(r.parentPath, dotIdOf(p))),
          )
        }
        break
      case 'distance':
        if (w?.distance !== undefined) push('distance', formatDistance(w.distance))
        break
      case 'output':
        if (sol !== undefined && !d.ghost && node?.kind === 'data' && sol.has(d.id)) push('output', show(sol.get(d.id)))
        break
      case 'error':
        if (ctx.error !== undefined) push('error', ctx.error.message)
        break
      case 'description':
        if (node?.description) push('description', node.description)
        break
      case 'input_domain':
        if ((node?.kind === 'function' || node?.kind === 'dispatcher') && node.inputDomain !== undefined)
          push('input_domain', domainName(node.inputDomain))
        break
      case 'solution_domain':
        if (w?.domain !== undefined) push('solution_domain', String(w.domain))
        break
      case 'missing_inputs_outputs':
        if (ctx.missing !== undefined) {
          if (ctx.missing.inputs.length > 0) push('M_inputs', ctx.missing.inputs.map(formatId).join(', '))
          if (ctx.missing.outputs.length > 0) push('M_outputs', ctx.missing.outputs.map(formatId).join(', '))
        }
        break
      case 'started':
        if (!opts.hideTimestamps && w?.started !== undefined) push('started', new Date(w.started).toISOString())
        break
      case 'duration':
        if (!opts.hideTimestamps && w?.duration !== undefined) push('duration', formatDuration(w.duration))
        break
      default:
        break
    }
  }
  return rows
}
