// Writes a Dispatcher as a portable model document (format 1): nodes in creation order, functions by reference.
import { NONE, SELF, SINK, START, formatId, type NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type { Distance } from '../distance.ts'
import { ModelError } from '../errors.ts'
import { inThreadExecutor } from '../internal/async-driver.ts'
import type { AnyFunction, DataNode, FunctionNode, ModelNode, SubDispatcherNode } from '../model.ts'
import { formatRef, refOf, relativeRef, type FunctionRef } from '../ref.ts'
import {
  FORMAT_VERSION,
  writeId,
  type DataNodeDoc,
  type DispatcherNodeDoc,
  type DistanceDoc,
  type FunctionNodeDoc,
  type ModelDoc,
  type NumberDoc,
} from './format.ts'
import { encodeValue, ValueEncodingError } from './values.ts'

/** Options of `toJSON`. */
export interface ToJSONOptions {
  /**
   * URL of the file the document will be saved as: references to modules beside it are written relative to it
   * (`./work.ts#hash`), so the model and its code can move together.
   */
  baseUrl?: string | URL
  /**
   * Modules whose exported functions may be referenced, by module URL: `{ [url]: await import(url) }`. A function
   * that has no recorded reference is looked up among these exports.
   */
  modules?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /** Write a function without a reference as `"ref": null` instead of failing (the model then cannot run). */
  allowMissingRefs?: boolean
  /** Add `"$schema"` (the published schema URL, or the URL given). */
  schema?: boolean | string
}

/**
 * The portable document of a model (see the *Portable models* page): plain JSON, with every function named by its
 * reference. Throws a `ModelError` listing every node whose function has no reference (closures: add them with
 * `addFunction({ ref })` or `functionRef`, or pass their module in `modules`), whose values cannot be written as
 * JSON, or whose options (a `raises` function, a `stopper`, a node's custom `Executor` object) have no JSON form.
 */
export function toJSON(dsp: Dispatcher, options: ToJSONOptions = {}): ModelDoc {
  const byFunction = new Map<AnyFunction, FunctionRef>()
  for (const [url, ns] of Object.entries(options.modules ?? {})) {
    for (const [name, v] of Object.entries(ns)) {
      if (typeof v === 'function' && !byFunction.has(v as AnyFunction)) byFunction.set(v as AnyFunction, { module: url, export: name })
    }
  }
  const problems: string[] = []
  const doc = writeModel(dsp, options, byFunction, [], problems)
  if (problems.length > 0) {
    throw new ModelError(
      `toJSON: the model cannot be written as JSON (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => '  ' + p).join('\n')}`,
    )
  }
  if (options.schema)
    return { $schema: typeof options.schema === 'string' ? options.schema : 'https://flowmark.dev/schema/model-1.json', ...doc }
  return doc
}

function pathText(path: readonly NodeId[]): string {
  return path.map((id) => formatId(id)).join('/')
}

function num(n: number): NumberDoc {
  return Number.isFinite(n) ? n : n > 0 ? 'Infinity' : '-Infinity'
}

function dist(d: Distance): DistanceDoc {
  return typeof d === 'number' ? num(d) : { inf: d.level, num: d.value }
}

/** What writing the nodes of one model needs: the model, where it is, where problems go, and its edges' weights. */
interface NodeWriter {
  readonly dsp: Dispatcher
  readonly options: ToJSONOptions
  readonly byFunction: Map<AnyFunction, FunctionRef>
  readonly path: readonly NodeId[]
  readonly problems: string[]
  /** The weight of each edge, by its ends (an edge without a weight maps to undefined). */
  readonly edgeWeight: Map<NodeId, Map<NodeId, number | undefined>>
}

function writeModel(
  dsp: Dispatcher,
  options: ToJSONOptions,
  byFunction: Map<AnyFunction, FunctionRef>,
  path: readonly NodeId[],
  problems: string[],
): ModelDoc {
  const doc: ModelDoc = { ...writeHead(dsp, path, problems), nodes: [] }
  const edgeWeight = new Map<NodeId, Map<NodeId, number | undefined>>()
  for (const e of dsp.edges) {
    let m = edgeWeight.get(e.from)
    if (m === undefined) edgeWeight.set(e.from, (m = new Map<NodeId, number | undefined>()))
    m.set(e.to, e.weight)
  }
  const w: NodeWriter = { dsp, options, byFunction, path, problems, edgeWeight }
  const nodes = [...dsp.nodes.values()].sort((a, b) => a.index - b.index)
  for (const n of nodes)
    doc.nodes.push(n.kind === 'data' ? writeData(w, n) : n.kind === 'function' ? writeFunction(w, n) : writeDispatcher(w, n))
  return doc
}

/** A model's members other than its nodes (a `raises` function or a `stopper` are problems: JSON cannot hold them). */
function writeHead(dsp: Dispatcher, path: readonly NodeId[], problems: string[]): Omit<ModelDoc, 'nodes'> {
  const where = path.length === 0 ? 'the model' : `sub-dispatcher ${pathText(path)}`
  const head: Omit<ModelDoc, 'nodes'> = { flowmark: FORMAT_VERSION }
  if (dsp.name !== '') head.name = dsp.name
  if (dsp.description !== '') head.description = dsp.description
  if (typeof dsp.raises === 'function') problems.push(`${where}: \`raises\` is a function, which JSON cannot hold; use true or false`)
  else if (dsp.raises) head.raises = true
  if (dsp.stopper !== undefined)
    problems.push(`${where}: a \`stopper\` is a run-time object; pass it to dispatch() instead of storing it in the model`)
  if (dsp.executor !== undefined) head.executor = dsp.executor
  return head
}

/** The reference text of one of a node's functions; a function without a reference is a problem (undefined). */
function refText(w: NodeWriter, fn: AnyFunction | undefined, node: ModelNode, what: string): string | undefined {
  if (fn === undefined) return undefined
  const ref = refOf(fn) ?? w.byFunction.get(fn)
  if (ref === undefined) {
    w.problems.push(
      `${what} of node ${pathText([...w.path, node.id])} has no reference (a closure?); add it with addFunction({ ref: './module.ts#name' }), ` +
        'register it with functionRef(fn, import.meta.url), or pass its module in { modules }',
    )
    return undefined
  }
  return formatRef(relativeRef(ref, w.options.baseUrl))
}

/** A node's value as JSON; one JSON cannot hold is a problem (undefined). */
function encode(w: NodeWriter, v: unknown, node: ModelNode, what: string): unknown {
  try {
    return encodeValue(v)
  } catch (e) {
    if (!(e instanceof ValueEncodingError)) throw e
    w.problems.push(`${what} of node ${pathText([...w.path, node.id])}: ${e.message}`)
    return undefined
  }
}

/** The members every kind of node has: description and attributes. */
function writeCommon(w: NodeWriter, n: ModelNode, out: { description?: string; attributes?: Record<string, unknown> }): void {
  if (n.description !== undefined) out.description = n.description
  if (Object.keys(n.attributes).length > 0) out.attributes = encode(w, n.attributes, n, 'the attributes') as Record<string, unknown>
}

/** The weights of the edges between `node` and `ids` (into the node, or out of it), by id; undefined when none has one. */
function edgeWeights(
  w: NodeWriter,
  node: NodeId,
  ids: Iterable<NodeId>,
  side: 'in' | 'out',
  skipZero = false,
): Record<string, NumberDoc> | undefined {
  const weights: Record<string, NumberDoc> = {}
  for (const id of ids) {
    const weight = side === 'in' ? w.edgeWeight.get(id)?.get(node) : w.edgeWeight.get(node)?.get(id)
    if (weight !== undefined && !(skipZero && weight === 0)) weights[writeId(id)] = num(weight)
  }
  return Object.keys(weights).length > 0 ? weights : undefined
}

/** A data node: its default (unless automatic), functions by reference, flags and weight. */
function writeData(w: NodeWriter, n: DataNode): DataNodeDoc {
  const d: DataNodeDoc = { kind: 'data', id: writeId(n.id) }
  const dv = w.dsp.defaultValues.get(n.id)
  const automatic = dv !== undefined && ((n.id === START && dv.value === NONE) || (n.id === SELF && dv.value === w.dsp))
  if (dv !== undefined && !automatic) {
    d.default = encode(w, dv.value, n, 'the default value')
    if (!(typeof dv.initialDist === 'number' && dv.initialDist === 0)) d.initialDist = dist(dv.initialDist)
  }
  if (n.id !== SINK) {
    if (n.waitInputs) d.waitInputs = true
    const fn = refText(w, n.fn, n, 'the data-node function')
    if (fn !== undefined) d.fn = fn
  }
  if (n.wildcard !== undefined) d.wildcard = n.wildcard
  if (n.weight !== undefined) d.weight = num(n.weight)
  const cb = refText(w, n.callback, n, 'the callback')
  if (cb !== undefined) d.callback = cb
  if (n.filters !== undefined) d.filters = n.filters.map((f, i) => refText(w, f, n, `filter ${i}`) ?? '')
  writeCommon(w, n, d)
  return d
}

/** A function node: its reference, inputs and outputs (unless the defaults), edge weights and options. */
function writeFunction(w: NodeWriter, n: FunctionNode): FunctionNodeDoc {
  let ref: string | null
  if (n.fn === undefined) ref = null
  else if (w.options.allowMissingRefs && refOf(n.fn) === undefined && !w.byFunction.has(n.fn)) ref = null
  else ref = refText(w, n.fn, n, 'the function') ?? null
  const f: FunctionNodeDoc = { kind: 'function', id: writeId(n.id), ref }
  if (!(n.inputs.length === 1 && n.inputs[0] === START)) f.inputs = n.inputs.map(writeId)
  if (!(n.outputs.length === 1 && n.outputs[0] === SINK)) f.outputs = n.outputs.map(writeId)
  const dom = refText(w, n.inputDomain, n, 'the input domain')
  if (dom !== undefined) f.inputDomain = dom
  if (n.weight !== undefined) f.weight = num(n.weight)
  const inpW = edgeWeights(w, n.id, new Set(n.inputs), 'in')
  if (inpW !== undefined) f.inpWeight = inpW
  const outW = edgeWeights(w, n.id, new Set(n.outputs), 'out')
  if (outW !== undefined) f.outWeight = outW
  if (n.filters !== undefined) f.filters = n.filters.map((x, i) => refText(w, x, n, `filter ${i}`) ?? '')
  if (n.context === true) f.context = true
  if (n.timeout !== undefined) f.timeout = n.timeout
  if (n.critical === true) f.critical = true
  if (n.executor === inThreadExecutor) f.executor = 'async'
  else if (n.executor !== undefined) {
    w.problems.push(
      `function node ${pathText([...w.path, n.id])}: its executor is an object, which JSON cannot hold; a document can name ` +
        "only executor 'async' (in this thread): remove the node's executor and pass yours to dispatchAsync({ executor }) instead",
    )
  }
  writeCommon(w, n, f)
  checkEdges(n, (a, b) => w.edgeWeight.get(a)?.has(b) === true, w.path, w.problems)
  return f
}

/** A sub-dispatcher node: its child model (written in place) and its id mappings. */
function writeDispatcher(w: NodeWriter, n: SubDispatcherNode): DispatcherNodeDoc {
  const mapping = (m: ReadonlyMap<NodeId, readonly NodeId[]>): Record<string, string | string[]> => {
    const o: Record<string, string | string[]> = {}
    for (const [k, vs] of m) o[writeId(k)] = vs.length === 1 ? writeId(vs[0]!) : vs.map(writeId)
    return o
  }
  const s: DispatcherNodeDoc = {
    kind: 'dispatcher',
    id: writeId(n.id),
    model: writeModel(n.dispatcher, w.options, w.byFunction, [...w.path, n.id], w.problems),
    inputs: mapping(n.inputs),
    outputs: mapping(n.outputs),
  }
  const dom = refText(w, n.inputDomain, n, 'the input domain')
  if (dom !== undefined) s.inputDomain = dom
  if (n.weight !== undefined) s.weight = num(n.weight)
  const inpW = edgeWeights(w, n.id, n.inputs.keys(), 'in', true)
  if (inpW !== undefined) s.inpWeight = inpW
  writeCommon(w, n, s)
  return s
}

/** A function node whose edges differ from its inputs and outputs (a cut sub-model) has no faithful JSON form. */
function checkEdges(n: FunctionNode, hasEdge: (a: NodeId, b: NodeId) => boolean, path: readonly NodeId[], problems: string[]): void {
  const missing = [...new Set(n.inputs)].filter((i) => !hasEdge(i, n.id)).concat([...new Set(n.outputs)].filter((o) => !hasEdge(n.id, o)))
  if (missing.length > 0) {
    problems.push(
      `function node ${pathText([...path, n.id])}: its edges to ${missing.map((m) => formatId(m)).join(', ')} were removed (a sub-model cut by ` +
        'getSubDsp/shrinkDsp?); format 1 stores the edges implied by inputs and outputs only',
    )
  }
}
