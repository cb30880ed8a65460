// Builds the JSON models of fixtures/schedula-answers in Flowmark and records its answers in record.py's format.
import { readFileSync } from 'node:fs'
import { Dispatcher, Inf, NONE, SINK, START, SELF, Solution, type Distance, type NodeId } from '../../../engine/index.ts'

/** A data node of a JSON model (see record.py's docstring). */
export interface DataSpec {
  data: string
  default?: number
  initialDist?: number
  wait?: string
  wildcard?: boolean
}
/** A function node of a JSON model: `fn` names a function of the shared vocabulary. */
export interface FunctionSpec {
  function: string
  fn: string
  inputs: string[]
  outputs: string[]
  weight?: number
  domain?: string
  inpWeight?: Record<string, number>
}
/** A sub-dispatcher node of a JSON model. */
export interface DispatcherSpec {
  dispatcher: string
  model: ModelSpec
  inputs: Record<string, string | string[]>
  outputs: Record<string, string | string[]>
  domain?: string
  weight?: number
  includeDefaults?: boolean
}
/** A model as plain JSON data, built the same way by record.py (schedula) and `build` (Flowmark). */
export interface ModelSpec {
  name?: string
  raises?: boolean
  nodes: (DataSpec | FunctionSpec | DispatcherSpec)[]
}
/** One dispatch of a model. */
export interface CallSpec {
  inputs?: Record<string, number>
  outputs?: string[] | null
  options?: { inputsDist?: Record<string, number>; wildcard?: boolean; shrink?: boolean; noCall?: boolean; rmUnusedNodes?: boolean }
}
/** A recorded solution (values and dist in order, workflow nodes in order, edges with values, errors, children). */
export interface RecordedSolution {
  values: [string, unknown][]
  dist: [string, unknown][]
  workflowNodes: string[]
  workflowEdges: [string, string, unknown][]
  errors: string[]
  subSolutions: Record<string, RecordedSolution>
}
/** A recorded failure: the error's class name and the first line of its message. */
export interface RecordedError {
  error: string
  message: string
}
/** The structure of a model: nodes and edges in order, defaults, sub-dispatchers with their mappings. */
export interface RecordedModel {
  nodes: string[]
  edges: [string, string][]
  defaults: Record<string, { value: unknown; initialDist: unknown }>
  subDispatchers: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown>; model: RecordedModel }>
}

/** Reads `fixtures/schedula-answers/<name>/expected.json`. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  const url = new URL(`../../../fixtures/schedula-answers/${name}/expected.json`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as T
}

// Python's integers have no -0: JavaScript's -0 (from neg or mul of 0) is written as 0, as schedula's answers hold.
const norm = (v: number): number => (Object.is(v, -0) ? 0 : v)
const spread = (v: number, n: number): unknown => (n === 1 ? norm(v) : Array.from({ length: n }, (_, i) => norm(v + i)))
const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0)

/** The node function named `name` of the shared vocabulary, for a node with `nOut` outputs. */
export function vocabulary(name: string, nOut: number): (...a: number[]) => unknown {
  const [kind, arg] = name.split(':') as [string, string | undefined]
  const k = arg === undefined ? 0 : Number(arg)
  switch (kind) {
    case 'sum':
      return (...a) => spread(sum(a), nOut)
    case 'neg':
      return (...a) => spread(-sum(a), nOut)
    case 'add':
      return (...a) => spread(sum(a) + k, nOut)
    case 'mul':
      return (...a) => spread(sum(a) * k, nOut)
    case 'const':
      return () => spread(k, nOut)
    case 'fail':
      return () => {
        throw new Error('boom')
      }
    default:
      throw new Error(`unknown function ${name} in a schedula fixture`)
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function domain(name: string): (...a: any[]) => boolean {
  const [kind, ...rest] = name.split(':') as [string, ...string[]]
  if (kind === 'gt') return (...a: number[]) => a[Number(rest[0])]! > Number(rest[1])
  if (kind === 'has') return (d: object) => rest[0]! in d
  if (kind === 'hasall') return (d: object) => rest[0]!.split(',').every((i) => i in d)
  throw new Error(`unknown domain ${name} in a schedula fixture`)
}

function dataFn(name: string): (est: Readonly<Record<NodeId, unknown>>) => unknown {
  const values = (est: object) => Reflect.ownKeys(est).map((k) => (est as Record<PropertyKey, number>)[k]!)
  if (name === 'dsum') return (est) => sum(values(est))
  if (name === 'dmin') return (est) => Math.min(...values(est))
  if (name === 'dkeys') return (est) => Reflect.ownKeys(est).map((k) => encId(k as NodeId))
  throw new Error(`unknown data function ${name} in a schedula fixture`)
}

/** Builds a JSON model in Flowmark, node by node in the order given (as record.py does in schedula). */
export function build(spec: ModelSpec): Dispatcher {
  const dsp = new Dispatcher({ name: spec.name ?? '', raises: spec.raises ?? false })
  for (const n of spec.nodes) {
    if ('data' in n) {
      dsp.addData({
        id: n.data,
        ...('default' in n ? { defaultValue: n.default } : {}),
        ...(n.initialDist === undefined ? {} : { initialDist: n.initialDist }),
        ...(n.wait === undefined ? {} : { waitInputs: true, fn: dataFn(n.wait) }),
        ...(n.wildcard === undefined ? {} : { wildcard: n.wildcard }),
      })
    } else if ('function' in n) {
      dsp.addFunction({
        id: n.function,
        fn: vocabulary(n.fn, n.outputs.length),
        inputs: n.inputs,
        outputs: n.outputs,
        ...(n.weight === undefined ? {} : { weight: n.weight }),
        ...(n.domain === undefined ? {} : { inputDomain: domain(n.domain) }),
        ...(n.inpWeight === undefined ? {} : { inpWeight: n.inpWeight }),
      })
    } else {
      dsp.addDispatcher({
        dispatcher: build(n.model),
        id: n.dispatcher,
        inputs: n.inputs,
        outputs: n.outputs,
        ...(n.domain === undefined ? {} : { inputDomain: domain(n.domain) }),
        ...(n.weight === undefined ? {} : { weight: n.weight }),
        ...(n.includeDefaults ? { includeDefaults: true } : {}),
      })
    }
  }
  return dsp
}

/** A node id as record.py writes it (`<START>`, `<SINK>`, `<SELF>`). */
export function encId(id: NodeId): string {
  return id === START ? '<START>' : id === SINK ? '<SINK>' : id === SELF ? '<SELF>' : String(id)
}

/** A value as record.py writes it (`<NONE>`, nested arrays and objects). */
export function encVal(v: unknown): unknown {
  if (v === NONE) return '<NONE>'
  if (v instanceof Dispatcher) return '<Dispatcher>'
  if (Array.isArray(v)) return v.map(encVal)
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [encId(k as NodeId), encVal(x)]))
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Reflect.ownKeys(v).map((k) => [encId(k as NodeId), encVal((v as Record<PropertyKey, unknown>)[k])]))
  return v
}

/** A distance as record.py writes it: a number, or `{ inf, num }` beyond level 0. */
export function encDist(d: Distance | undefined): unknown {
  if (d instanceof Inf) return d.level === 0 ? d.value : { inf: d.level, num: d.value }
  return d
}

/** Records a Flowmark solution in record.py's format. */
export function recordSolution(sol: Solution): RecordedSolution {
  const wf = sol.workflow
  const subSolutions: Record<string, RecordedSolution> = {}
  for (const [id, node] of wf.nodes) if (node.solution instanceof Solution) subSolutions[encId(id)] = recordSolution(node.solution)
  return {
    values: [...sol.entries()].map(([k, v]) => [encId(k), encVal(v)]),
    dist: [...sol.dist].map(([k, v]) => [encId(k), encDist(v)]),
    workflowNodes: [...wf.nodes.keys()].map(encId),
    workflowEdges: wf.edges.map((e) => [encId(e.from), encId(e.to), e.value === undefined ? '<NO VALUE>' : encVal(e.value)]),
    errors: [...sol.errors.keys()].map(encId).sort(),
    subSolutions,
  }
}

/** Records a Flowmark model's structure in record.py's format. */
export function recordModel(dsp: Dispatcher): RecordedModel {
  const out: RecordedModel = { nodes: [], edges: dsp.edges.map((e) => [encId(e.from), encId(e.to)]), defaults: {}, subDispatchers: {} }
  for (const [id, node] of dsp.nodes) {
    out.nodes.push(encId(id))
    if (node.kind === 'dispatcher') {
      // schedula keeps a mapping value as given (a string or a list); Flowmark always holds a list: one id is a string.
      const one = (v: NodeId | readonly NodeId[]) => (Array.isArray(v) && v.length === 1 ? v[0] : v)
      const map = (m: ReadonlyMap<NodeId, NodeId | readonly NodeId[]>) =>
        Object.fromEntries([...m].map(([k, v]) => [encId(k), encVal(one(v))]))
      out.subDispatchers[encId(id)] = { inputs: map(node.inputs), outputs: map(node.outputs), model: recordModel(node.dispatcher) }
    }
  }
  for (const [id, d] of dsp.defaultValues) out.defaults[encId(id)] = { value: encVal(d.value), initialDist: encDist(d.initialDist) }
  return out
}

/** Records what a thrown error says, as record.py does. */
export function recordError(e: unknown): RecordedError {
  const err = e as Error
  return { error: err.constructor.name, message: String(err.message).trim().split('\n')[0] ?? '' }
}

/** Runs one recorded call on a Flowmark model: its solution, or the error it threw. */
export function runCall(dsp: Dispatcher, call: CallSpec): RecordedSolution | RecordedError {
  const o = call.options ?? {}
  try {
    const sol = dsp.dispatch(call.inputs ?? {}, call.outputs ?? undefined, {
      ...(o.inputsDist === undefined ? {} : { inputsDist: o.inputsDist }),
      ...(o.wildcard === undefined ? {} : { wildcard: o.wildcard }),
      ...(o.shrink === undefined ? {} : { shrink: o.shrink }),
      ...(o.noCall === undefined ? {} : { noCall: o.noCall }),
      ...(o.rmUnusedNodes === undefined ? {} : { rmUnusedNodes: o.rmUnusedNodes }),
    })
    return recordSolution(sol)
  } catch (e) {
    return recordError(e)
  }
}

/** What the differential test compares first: values in order, distances, errors, and the same of every child. */
export function valuesView(r: RecordedSolution | RecordedError): unknown {
  if ('error' in r) return { error: r.error === 'DispatcherError' ? 'DispatcherError' : 'other error' }
  return {
    values: r.values,
    dist: Object.fromEntries(r.dist),
    errors: r.errors,
    subSolutions: Object.fromEntries(Object.entries(r.subSolutions).map(([k, s]) => [k, valuesView(s)])),
  }
}

/** What the differential test compares second: workflow nodes in order and edges (with their values) in any order. */
export function workflowView(r: RecordedSolution | RecordedError): unknown {
  if ('error' in r) return { error: r.error === 'DispatcherError' ? 'DispatcherError' : 'other error' }
  const key = (e: [string, string, unknown]) => JSON.stringify(e)
  return {
    nodes: r.workflowNodes,
    edges: r.workflowEdges.map(key).sort(),
    subSolutions: Object.fromEntries(Object.entries(r.subSolutions).map(([k, s]) => [k, workflowView(s)])),
  }
}
