// Node descriptions as schedula looks them up (own text, consumer @param, producer @returns, sub-models) and node tables.
import { WRAPPED_MODEL, idText, isSpecialNodeId, type Dispatcher, type NodeId } from 'flowmark'
import type { AnyFunction, ModelNode } from 'flowmark'
import type { NodeTableRow } from '../core/types.ts'
import { firstSentence } from './text.ts'
import type { ApiDoc, ApiParameter, DispatcherTables } from './types.ts'

/** What the API knows about a function value: its doc, its parameters (in order) and its page. */
export interface FunctionDocs {
  readonly doc: ApiDoc
  readonly parameters: readonly ApiParameter[]
  /** Link to the function's API page (`api:<slug>` or a URL). */
  readonly href?: string
}

/** How the lookup finds documentation: functions by identity, dispatchers by identity (for links). */
export interface DocLookup {
  /** Docs of a function value (the `fn` of a node), if it is a documented export. */
  readonly functionDocs: (fn: AnyFunction) => FunctionDocs | undefined
  /** Link to a dispatcher's own API page, if it is a documented export. */
  readonly dispatcherHref?: (dsp: Dispatcher) => string | undefined
}

/** A function that wraps a model (SubDispatch, SubDispatchFunction, …): the engine brands it with WRAPPED_MODEL. */
interface Wrapped {
  readonly [WRAPPED_MODEL]: Dispatcher
  readonly description?: unknown
  readonly inputs?: unknown
}

function wrappedModel(fn: unknown): Dispatcher | undefined {
  if (typeof fn !== 'function') return undefined
  const model = (fn as Partial<Wrapped>)[WRAPPED_MODEL]
  return model === undefined ? undefined : model
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * The description of a node, looked up the way schedula does it:
 *
 * - the node's own `description` wins;
 * - a function node: the summary of its function's doc comment; for a model-wrapping function, its `description`,
 *   then the wrapped model's description or name;
 * - a sub-dispatcher node: the child model's description, then its name;
 * - a data node: the `@param` of each consuming function for the argument at the node's position (a rest parameter
 *   covers the positions after it; a model-wrapping function with an `inputs` list is searched inside), then the
 *   `@returns` of a producing function that has a single output (or wraps a model), then the descriptions of the
 *   nodes it maps to inside sub-dispatchers (inputs first, then outputs).
 *
 * @param dsp The dispatcher holding the node.
 * @param id The node id.
 * @param lookup Where the function docs come from.
 * @returns The full description as Markdown (`''` when nothing documents the node). Tables show its first sentence.
 */
export function describeNode(dsp: Dispatcher, id: NodeId, lookup: DocLookup): string {
  return describe(dsp, id, lookup, new Set())
}

function describe(dsp: Dispatcher, id: NodeId, lookup: DocLookup, seen: Set<string>): string {
  const node = dsp.nodes.get(id)
  if (node === undefined) return ''
  const own = text(node.description)
  if (own !== '') return own
  if (node.kind === 'function') return functionDescription(node.fn, lookup)
  if (node.kind === 'dispatcher') return text(node.dispatcher.description) || text(node.dispatcher.name)

  // Data node: guard against cycles through sub-dispatcher mappings.
  const key = `${seenKey(dsp)}\u0000${idText(id)}`
  if (seen.has(key)) return ''
  seen.add(key)

  const successors = dsp
    .successors(id)
    .map((s) => dsp.nodes.get(s))
    .filter((n): n is ModelNode => n !== undefined)
  const predecessors = dsp
    .predecessors(id)
    .map((s) => dsp.nodes.get(s))
    .filter((n): n is ModelNode => n !== undefined)

  for (const s of successors) {
    if (s.kind !== 'function' || s.fn === undefined) continue
    const position = s.inputs.indexOf(id)
    if (position < 0) continue
    const found = parameterDescription(s.fn, position, lookup, seen)
    if (found !== '') return found
  }
  for (const p of predecessors) {
    if (p.kind !== 'function' || p.fn === undefined) continue
    const inner = wrappedModel(p.fn)
    if (p.outputs.length !== 1 && inner === undefined) continue
    const returns = lookup.functionDocs(p.fn)?.doc.returns
    if (returns !== undefined && returns !== '') return returns
  }
  for (const s of successors) {
    if (s.kind !== 'dispatcher') continue
    for (const child of s.inputs.get(id) ?? []) {
      const found = describe(s.dispatcher, child, lookup, seen)
      if (found !== '') return found
    }
  }
  for (const p of predecessors) {
    if (p.kind !== 'dispatcher') continue
    for (const [child, parents] of p.outputs) {
      if (!parents.includes(id)) continue
      const found = describe(p.dispatcher, child, lookup, seen)
      if (found !== '') return found
    }
  }
  return ''
}

const ids = new WeakMap<Dispatcher, number>()
let nextId = 0
function seenKey(dsp: Dispatcher): number {
  let n = ids.get(dsp)
  if (n === undefined) {
    n = nextId++
    ids.set(dsp, n)
  }
  return n
}

function functionDescription(fn: AnyFunction | undefined, lookup: DocLookup): string {
  if (fn === undefined) return ''
  const docs = lookup.functionDocs(fn)
  if (docs !== undefined && docs.doc.summary !== '') return docs.doc.summary
  const inner = wrappedModel(fn)
  if (inner === undefined) return ''
  return text((fn as Partial<Wrapped>).description) || text(inner.description) || text(inner.name)
}

function parameterDescription(fn: AnyFunction, position: number, lookup: DocLookup, seen: Set<string>): string {
  const docs = lookup.functionDocs(fn)
  if (docs !== undefined) {
    const params = docs.parameters
    const last = params[params.length - 1]
    const param = position < params.length ? params[position] : last?.rest === true ? last : undefined
    if (param !== undefined && param.doc !== '') return param.doc
  }
  const inner = wrappedModel(fn)
  const inputs = (fn as Partial<Wrapped>).inputs
  if (inner !== undefined && Array.isArray(inputs) && position < inputs.length) {
    return describe(inner, inputs[position] as NodeId, lookup, seen)
  }
  return ''
}

/**
 * The three node tables of a dispatcher page, sorted by id text: data nodes (special ids such as START left out),
 * functions (plain function nodes), and sub-dispatchers (sub-dispatcher nodes and model-wrapping function nodes).
 * Each row has the first sentence of the node's description and, where the API knows one, a link: a function row
 * links to the page of its function, a sub-dispatcher row to the page of its model.
 *
 * @param dsp The dispatcher.
 * @param lookup Where the function docs and dispatcher pages come from.
 * @returns The rows of each table.
 */
export function dispatcherTables(dsp: Dispatcher, lookup: DocLookup): DispatcherTables {
  const data: NodeTableRow[] = []
  const func: NodeTableRow[] = []
  const dsps: NodeTableRow[] = []
  const row = (id: NodeId, href: string | undefined): NodeTableRow => {
    const description = firstSentence(describeNode(dsp, id, lookup))
    return href === undefined ? { id: idText(id), description } : { id: idText(id), description, href }
  }
  for (const [id, node] of dsp.nodes) {
    if (node.kind === 'data') {
      if (!isSpecialNodeId(id)) data.push(row(id, undefined))
    } else if (node.kind === 'dispatcher') {
      dsps.push(row(id, lookup.dispatcherHref?.(node.dispatcher)))
    } else {
      const inner = wrappedModel(node.fn)
      const href = node.fn === undefined ? undefined : lookup.functionDocs(node.fn)?.href
      if (inner !== undefined) dsps.push(row(id, href ?? lookup.dispatcherHref?.(inner)))
      else func.push(row(id, href))
    }
  }
  const byId = (a: NodeTableRow, b: NodeTableRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  return { data: data.sort(byId), func: func.sort(byId), dsp: dsps.sort(byId) }
}
