// Up-front checks of a model document: every problem at once, each with its JSON pointer (and line:column when
// the document came from a text), before anything is imported or run.
import { ModelError, nameError } from '../errors.ts'
import { parseRef } from '../ref.ts'
import { parseJsonText, pointerToken, type JsonText } from './json-text.ts'
import { FORMAT_VERSION, SPECIAL_ID_NAMES, readId } from './format.ts'
import { decodeValue, type ValueEncodingError } from './values.ts'

/** One problem found in a document. */
export interface ModelProblem {
  /** JSON pointer of the value concerned (`/nodes/3/inputs/0`). */
  readonly pointer: string
  /** What is wrong and how to fix it. */
  readonly message: string
  /** The file the document came from, when known. */
  readonly file?: string
  /** 1-based line in that file (when the document was parsed from text). */
  readonly line?: number
  /** 1-based column in that file. */
  readonly column?: number
}

/**
 * A model document that cannot be used. `problems` lists every problem found (not only the first), each with its
 * JSON pointer and, for documents read from text, its line and column; the message lists them all, one per line,
 * as `file:line:column: message (at pointer)`.
 */
export class ModelValidationError extends ModelError {
  static {
    nameError(this, 'ModelValidationError')
  }

  /** Every problem, in document order. */
  readonly problems: readonly ModelProblem[]

  constructor(problems: readonly ModelProblem[], what = 'model') {
    const n = problems.length
    super(`invalid ${what}: ${n} problem${n === 1 ? '' : 's'}\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}`)
    this.problems = problems
  }
}

/** One problem as a line: `file:line:column: message (at /pointer)`. */
export function formatProblem(p: ModelProblem): string {
  const place = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':')
  return `${place === '' ? '' : place + ': '}${p.message} (at ${p.pointer === '' ? '/' : p.pointer})`
}

/** A problem before it has a position: `key` puts it on the member's key rather than its value. */
export interface RawProblem {
  readonly pointer: string
  readonly message: string
  readonly key?: boolean
}

/** Adds file, line and column to raw problems (positions only when the document has a text). */
export function placeProblems(raw: readonly RawProblem[], text: JsonText | undefined, file: string | undefined): ModelProblem[] {
  return raw.map((p) => {
    const out: { pointer: string; message: string; file?: string; line?: number; column?: number } = {
      pointer: p.pointer,
      message: p.message,
    }
    if (file !== undefined) out.file = file
    if (text !== undefined) {
      const pos = text.locate(p.pointer, p.key ?? false)
      out.line = pos.line
      out.column = pos.column
    }
    return out
  })
}

/** Parses a document's text; a syntax error becomes a one-problem `ModelValidationError`. */
export function parseModelText(text: string, file?: string): JsonText {
  try {
    const parsed = parseJsonText(text)
    return parsed
  } catch (e) {
    const pos = (e as { position?: { line: number; column: number } }).position
    if (pos === undefined) throw e
    const message = `not JSON: ${(e as Error).message.replace(/^\d+:\d+: /, '')}`
    throw new ModelValidationError([{ pointer: '', message, ...(file === undefined ? {} : { file }), line: pos.line, column: pos.column }])
  }
}

const MODEL_KEYS = ['$schema', 'flowmark', 'name', 'description', 'raises', 'executor', 'nodes']
const COMMON_KEYS = ['kind', 'id', 'description', 'attributes']
const NODE_KEYS: Record<string, readonly string[]> = {
  data: [...COMMON_KEYS, 'default', 'initialDist', 'waitInputs', 'wildcard', 'weight', 'fn', 'callback', 'filters'],
  function: [
    ...COMMON_KEYS,
    'ref',
    'inputs',
    'outputs',
    'inputDomain',
    'weight',
    'inpWeight',
    'outWeight',
    'filters',
    'context',
    'timeout',
    'critical',
    'executor',
  ],
  dispatcher: [...COMMON_KEYS, 'model', 'inputs', 'outputs', 'inputDomain', 'weight', 'inpWeight'],
}

/** Options of `validateModel`. */
export interface ValidateOptions {
  /** Outputs that will be requested: each must be a data node that something can produce (or an input). */
  outputs?: readonly string[]
  /** Inputs that will be given (ids): they make outputs producible. */
  inputs?: readonly string[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const show = (v: unknown): string =>
  v === undefined
    ? 'nothing'
    : Array.isArray(v)
      ? 'an array'
      : v === null
        ? 'null'
        : typeof v === 'object'
          ? 'an object'
          : `${typeof v} ${JSON.stringify(v)}`

function closest(word: string, words: readonly string[]): string {
  let best = ''
  let bestD = Infinity
  for (const w of words) {
    const d = editDistance(word.toLowerCase(), w.toLowerCase())
    if (d < bestD) [best, bestD] = [w, d]
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : ''
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}

/**
 * Checks a document (already parsed) against format version 1 and the engine's rules: shape and types, duplicate
 * ids, unknown keys, malformed references, values that cannot be decoded, inputs and outputs that are not data
 * nodes, mappings to ids the child model lacks, and (with `options.outputs`) outputs nothing can produce.
 * Returns every problem found; an empty list means the document can be loaded (references are imported later).
 */
export function validateModel(doc: unknown, options: ValidateOptions = {}, base = ''): RawProblem[] {
  const problems: RawProblem[] = []
  const add = (pointer: string, message: string, key = false): void => {
    problems.push(key ? { pointer, message, key } : { pointer, message })
  }
  checkModel(doc, base, add, options, true)
  return problems
}

type Add = (pointer: string, message: string, key?: boolean) => void

function checkModel(doc: unknown, at: string, add: Add, options: ValidateOptions, root: boolean): void {
  if (!isObj(doc)) {
    add(at, `a model is a JSON object like {"flowmark": ${FORMAT_VERSION}, "nodes": […]}, not ${show(doc)}`)
    return
  }
  checkModelHead(doc, at, add)
  if (!('nodes' in doc)) {
    add(at, 'missing "nodes": the list of the model\'s nodes')
    return
  }
  if (!Array.isArray(doc.nodes)) {
    add(`${at}/nodes`, `"nodes" must be an array of nodes, not ${show(doc.nodes)}`)
    return
  }
  // Node id → index of the node that declares it (its kind is read from there; no record per node is built).
  const kinds = new Map<string, number>()
  const nodes = doc.nodes as unknown[]
  const valid: number[] = []
  for (let i = 0; i < nodes.length; i++) if (checkNode(nodes[i], i, at, kinds, add, options)) valid.push(i)
  // Across nodes: the kinds of the ids that functions and sub-dispatchers connect to.
  const kindOf = (id: string): string | undefined => {
    const k = kinds.get(id)
    const kind = k === undefined ? undefined : (nodes[k] as Obj).kind
    return typeof kind === 'string' && kind in NODE_KEYS ? kind : undefined
  }
  for (const i of valid) {
    const n = nodes[i] as Obj
    const p = `${at}/nodes/${i}`
    if (n.kind === 'function') checkFunctionLinks(n, p, add, kindOf, (id) => `${at}/nodes/${kinds.get(id)!}/id`)
    else if (n.kind === 'dispatcher') checkDispatcherLinks(n, p, add, kindOf)
  }
  if (root && options.outputs !== undefined) checkOutputs(nodes, at, add, options, kindOf)
}

/** The members of a model other than its nodes: known keys, the format version, strings and `raises`. */
function checkModelHead(doc: Obj, at: string, add: Add): void {
  for (const k of Object.keys(doc)) {
    if (!MODEL_KEYS.includes(k))
      add(`${at}/${pointerToken(k)}`, `unknown key "${k}" in a model${closest(k, MODEL_KEYS)}; a model has ${MODEL_KEYS.join(', ')}`, true)
  }
  if (!('flowmark' in doc)) add(at, `missing "flowmark": ${FORMAT_VERSION} (the format version) in a model`)
  else if (doc.flowmark !== FORMAT_VERSION) {
    add(`${at}/flowmark`, `"flowmark" is the format version; this engine reads version ${FORMAT_VERSION}, not ${show(doc.flowmark)}`)
  }
  for (const k of ['$schema', 'name', 'description', 'executor']) {
    if (k in doc && typeof doc[k] !== 'string') add(`${at}/${pointerToken(k)}`, `"${k}" must be a string, not ${show(doc[k])}`)
  }
  if ('raises' in doc && typeof doc.raises !== 'boolean') add(`${at}/raises`, `"raises" must be true or false, not ${show(doc.raises)}`)
}

/**
 * Checks node `i` of a model on its own (its kind, id and members) and records its id in `kinds`; returns whether it
 * takes part in the checks across nodes (a known kind and a usable id).
 */
function checkNode(n: unknown, i: number, at: string, kinds: Map<string, number>, add: Add, options: ValidateOptions): boolean {
  const p = `${at}/nodes/${i}`
  if (!isObj(n)) {
    add(p, `a node is an object with "kind" and "id", not ${show(n)}`)
    return false
  }
  const kind = n.kind
  if (kind === undefined) add(p, 'missing "kind": "data", "function" or "dispatcher"')
  else if (typeof kind !== 'string' || !(kind in NODE_KEYS)) {
    add(
      `${p}/kind`,
      `"kind" is "data", "function" or "dispatcher", not ${show(kind)}${typeof kind === 'string' ? closest(kind, Object.keys(NODE_KEYS)) : ''}`,
    )
  }
  const id = n.id
  const idOk = checkIdText(id, `${p}/id`, add, 'the node id', true)
  if (id === undefined) add(p, 'missing "id": the node\'s id')
  if (idOk) {
    const first = kinds.get(id as string)
    if (first !== undefined)
      add(`${p}/id`, `duplicate node id "${id as string}" (first at ${at}/nodes/${first}/id); ids are unique in a model`)
    else kinds.set(id as string, i)
  }
  if (typeof kind !== 'string' || !(kind in NODE_KEYS)) return false
  checkNodeMembers(n, kind, p, add)
  if (kind === 'data') checkData(n, p, add)
  else if (kind === 'function') checkFunction(n, p, add)
  else checkDispatcher(n, p, add, options)
  return idOk
}

/** The members every kind of node may have: known keys, `description`, `attributes`, `weight`, `inputDomain`, `filters`. */
function checkNodeMembers(n: Obj, kind: string, p: string, add: Add): void {
  const keys = NODE_KEYS[kind]!
  for (const k of Object.keys(n)) {
    if (!keys.includes(k))
      add(`${p}/${pointerToken(k)}`, `unknown key "${k}" in a ${kind} node${closest(k, keys)}; it has ${keys.join(', ')}`, true)
  }
  if ('description' in n && typeof n.description !== 'string')
    add(`${p}/description`, `"description" must be a string, not ${show(n.description)}`)
  if ('attributes' in n) {
    if (!isObj(n.attributes)) add(`${p}/attributes`, `"attributes" must be an object, not ${show(n.attributes)}`)
    else decodeInto(n.attributes, `${p}/attributes`, add)
  }
  if ('weight' in n) checkNumber(n.weight, `${p}/weight`, add, '"weight"')
  if ('inputDomain' in n) checkRef(n.inputDomain, `${p}/inputDomain`, add)
  if ('filters' in n) {
    if (!Array.isArray(n.filters)) add(`${p}/filters`, `"filters" must be an array of references, not ${show(n.filters)}`)
    else n.filters.forEach((f, j) => checkRef(f, `${p}/filters/${j}`, add))
  }
}

/** A function's inputs and outputs must be data nodes of the model, not the function itself. */
function checkFunctionLinks(
  n: Obj,
  p: string,
  add: Add,
  kindOf: (id: string) => string | undefined,
  declaredAt: (id: string) => string,
): void {
  for (const side of ['inputs', 'outputs'] as const) {
    const list = n[side]
    if (!Array.isArray(list)) continue
    list.forEach((x, j) => {
      if (typeof x !== 'string') return
      if (x === n.id)
        add(`${p}/${side}/${j}`, `function "${x}" lists itself among its ${side}; give the function or the data node another id`)
      else {
        const k = kindOf(x)
        if (k !== undefined && k !== 'data')
          add(
            `${p}/${side}/${j}`,
            `${side === 'inputs' ? 'input' : 'output'} "${x}" of function "${n.id as string}" is a ${k} node (${declaredAt(x)}); inputs and outputs must be data nodes`,
          )
      }
    })
  }
}

/** The parent ids a sub-dispatcher maps (the keys of `inputs`, the values of `outputs`) must be data nodes. */
function checkDispatcherLinks(n: Obj, p: string, add: Add, kindOf: (id: string) => string | undefined): void {
  for (const [side, parentIsKey] of [
    ['inputs', true],
    ['outputs', false],
  ] as const) {
    const m = n[side]
    if (!isObj(m)) continue
    for (const [k, v] of Object.entries(m)) {
      const parents = parentIsKey
        ? [[k, `${p}/${side}/${pointerToken(k)}`, true] as const]
        : Array.isArray(v)
          ? v.map((x, j) => [x, `${p}/${side}/${pointerToken(k)}/${j}`, false] as const)
          : [[v, `${p}/${side}/${pointerToken(k)}`, false] as const]
      for (const [id, q, isKey] of parents) {
        if (typeof id !== 'string') continue
        const kk = kindOf(id)
        if (kk !== undefined && kk !== 'data')
          add(
            q,
            `parent ${side === 'inputs' ? 'input' : 'output'} "${id}" of sub-dispatcher "${n.id as string}" is a ${kk} node; map only data nodes`,
            isKey,
          )
      }
    }
  }
}

function checkOutputs(nodes: unknown[], at: string, add: Add, options: ValidateOptions, kindOf: (id: string) => string | undefined): void {
  const produced = new Set<string>(options.inputs ?? [])
  for (const n of nodes) {
    if (!isObj(n)) continue
    if (n.kind === 'data' && 'default' in n && typeof n.id === 'string') produced.add(n.id)
    if (n.kind === 'function') {
      if (Array.isArray(n.outputs)) for (const o of n.outputs) if (typeof o === 'string') produced.add(o)
    }
    if (n.kind === 'dispatcher' && isObj(n.outputs)) {
      for (const v of Object.values(n.outputs)) for (const o of Array.isArray(v) ? v : [v]) if (typeof o === 'string') produced.add(o)
    }
  }
  const known = [
    ...new Set(
      nodes
        .filter(isObj)
        .flatMap((n): unknown[] => [
          n.id,
          ...(Array.isArray(n.inputs) ? (n.inputs as unknown[]) : []),
          ...(Array.isArray(n.outputs) ? (n.outputs as unknown[]) : []),
        ])
        .filter((x): x is string => typeof x === 'string'),
    ),
  ]
  for (const o of options.outputs ?? []) {
    const k = kindOf(o)
    if (k !== undefined && k !== 'data') add(at, `requested output "${o}" is a ${k} node, not a data node`)
    else if (!known.includes(o)) add(at, `requested output "${o}" is not a node of the model${closest(o, known)}`)
    else if (!produced.has(o))
      add(
        at,
        `requested output "${o}" cannot be produced: no function or sub-dispatcher computes it, it has no default, and it is not an input`,
      )
  }
}

function checkIdText(id: unknown, at: string, add: Add, what: string, quiet = false): boolean {
  if (id === undefined && quiet) return false
  if (typeof id !== 'string') {
    add(at, `${what} must be a string, not ${show(id)}`)
    return false
  }
  if (id.startsWith('@') && readId(id) === undefined) {
    add(
      at,
      `unknown special id "${id}"; the special ids are ${SPECIAL_ID_NAMES.join(', ')}, and an id that starts with "@" is written with two ("@${id}")`,
    )
    return false
  }
  return true
}

function checkRef(ref: unknown, at: string, add: Add, nullable = false): void {
  if (ref === null && nullable) return
  if (typeof ref !== 'string') {
    add(at, `a function reference is a string "module#export", not ${show(ref)}`)
    return
  }
  try {
    parseRef(ref)
  } catch (e) {
    add(at, (e as Error).message)
  }
}

function checkNumber(v: unknown, at: string, add: Add, what: string): void {
  if (typeof v === 'number' || v === 'Infinity' || v === '-Infinity') return
  add(at, `${what} must be a number (or "Infinity", "-Infinity"), not ${show(v)}`)
}

function checkIdList(v: unknown, at: string, add: Add, what: string): void {
  if (!Array.isArray(v)) {
    add(at, `${what} must be an array of data node ids, not ${show(v)}`)
    return
  }
  v.forEach((x, j) => checkIdText(x, `${at}/${j}`, add, `each of ${what}`))
}

function decodeInto(json: unknown, at: string, add: Add): void {
  const errors: ValueEncodingError[] = []
  decodeValue(json, at, errors)
  for (const e of errors) add(e.pointer, e.message.replace(/^the value at \S+: /, ''))
}

function checkWeights(v: unknown, at: string, add: Add, ids: unknown, what: string): void {
  if (!isObj(v)) {
    add(at, `"${what}" must be an object of id → number, not ${show(v)}`)
    return
  }
  const list = Array.isArray(ids) ? ids : isObj(ids) ? Object.keys(ids) : undefined
  for (const [k, w] of Object.entries(v)) {
    checkNumber(w, `${at}/${pointerToken(k)}`, add, `the weight of "${k}"`)
    if (list !== undefined && !list.includes(k))
      add(
        `${at}/${pointerToken(k)}`,
        `"${what}" names "${k}", which is not one of the node's ${what === 'outWeight' ? 'outputs' : 'inputs'}`,
        true,
      )
  }
}

function checkData(n: Obj, p: string, add: Add): void {
  if ('default' in n) decodeInto(n.default, `${p}/default`, add)
  if ('initialDist' in n) {
    const d = n.initialDist
    const ok =
      typeof d === 'number' ||
      d === 'Infinity' ||
      d === '-Infinity' ||
      (isObj(d) &&
        Object.keys(d).every((k) => k === 'inf' || k === 'num') &&
        Number.isFinite(d.inf) &&
        (d.num === undefined || Number.isFinite(d.num)))
    if (!ok)
      add(`${p}/initialDist`, `"initialDist" is a number, "Infinity", or {"inf": level, "num": value} with finite numbers, not ${show(d)}`)
  }
  if ('initialDist' in n && !('default' in n))
    add(`${p}/initialDist`, '"initialDist" is the distance of the default value, but the node has no "default"', true)
  for (const k of ['waitInputs', 'wildcard'])
    if (k in n && typeof n[k] !== 'boolean') add(`${p}/${k}`, `"${k}" must be true or false, not ${show(n[k])}`)
  for (const k of ['fn', 'callback']) if (k in n) checkRef(n[k], `${p}/${k}`, add)
}

function checkFunction(n: Obj, p: string, add: Add): void {
  if (!('ref' in n)) add(p, `missing "ref": the function's reference "module#export" (null only for a model written without its code)`)
  else checkRef(n.ref, `${p}/ref`, add, true)
  if ('inputs' in n) checkIdList(n.inputs, `${p}/inputs`, add, '"inputs"')
  if ('outputs' in n) checkIdList(n.outputs, `${p}/outputs`, add, '"outputs"')
  if ('inpWeight' in n) checkWeights(n.inpWeight, `${p}/inpWeight`, add, n.inputs ?? ['@start'], 'inpWeight')
  if ('outWeight' in n) checkWeights(n.outWeight, `${p}/outWeight`, add, n.outputs ?? ['@sink'], 'outWeight')
  for (const k of ['context', 'critical'])
    if (k in n && typeof n[k] !== 'boolean') add(`${p}/${k}`, `"${k}" must be true or false, not ${show(n[k])}`)
  if ('timeout' in n && !(typeof n.timeout === 'number' && n.timeout >= 0)) {
    add(
      `${p}/timeout`,
      `"timeout" is the milliseconds the call may take under dispatchAsync, a number not negative, not ${show(n.timeout)}`,
    )
  }
  if ('executor' in n && n.executor !== 'async') {
    add(
      `${p}/executor`,
      `"executor" can only be "async" (in this thread), not ${show(n.executor)}; a custom executor is an object: pass it to dispatchAsync({ executor })`,
    )
  }
}

function checkMapping(v: unknown, at: string, add: Add, what: string): boolean {
  if (!isObj(v)) {
    add(at, `"${what}" must be an object of id → id (or list of ids), not ${show(v)}`)
    return false
  }
  for (const [k, x] of Object.entries(v)) {
    const q = `${at}/${pointerToken(k)}`
    checkIdText(k, q, add, 'a mapped id')
    if (Array.isArray(x)) {
      if (x.length === 0) add(q, `"${k}" maps to no id; give at least one`)
      x.forEach((y, j) => checkIdText(y, `${q}/${j}`, add, 'a mapped id'))
    } else checkIdText(x, q, add, 'a mapped id')
  }
  return true
}

function checkDispatcher(n: Obj, p: string, add: Add, options: ValidateOptions): void {
  const hasIn = 'inputs' in n && checkMapping(n.inputs, `${p}/inputs`, add, 'inputs')
  const hasOut = 'outputs' in n && checkMapping(n.outputs, `${p}/outputs`, add, 'outputs')
  if (!('inputs' in n)) add(p, 'missing "inputs": parent id → child id(s)')
  if (!('outputs' in n)) add(p, 'missing "outputs": child id → parent id(s)')
  if ('inpWeight' in n) checkWeights(n.inpWeight, `${p}/inpWeight`, add, n.inputs, 'inpWeight')
  const model = n.model
  if (model === undefined) add(p, 'missing "model": the child model inline, or the path of its model file')
  else if (typeof model === 'string') {
    if (model === '') add(`${p}/model`, '"model" is the path of a model file; it is empty')
  } else if (isObj(model)) {
    checkModel(model, `${p}/model`, add, options, false)
    // Mapped child ids must be data nodes of the child.
    const childNodes = Array.isArray(model.nodes) ? (model.nodes as unknown[]).filter(isObj) : []
    const childKinds = new Map<string, string>()
    for (const c of childNodes) {
      if (typeof c.id === 'string') childKinds.set(c.id, String(c.kind))
      if (c.kind === 'function')
        for (const side of ['inputs', 'outputs'])
          if (Array.isArray(c[side]))
            for (const x of c[side] as unknown[]) if (typeof x === 'string' && !childKinds.has(x)) childKinds.set(x, 'data')
      if (c.kind === 'dispatcher') {
        if (isObj(c.inputs)) for (const x of Object.keys(c.inputs)) if (!childKinds.has(x)) childKinds.set(x, 'data')
        if (isObj(c.outputs))
          for (const v of Object.values(c.outputs))
            for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && !childKinds.has(x)) childKinds.set(x, 'data')
      }
      if (c.kind === 'function' && !('inputs' in c)) childKinds.set('@start', 'data')
      if (c.kind === 'function' && !('outputs' in c)) childKinds.set('@sink', 'data')
    }
    const known = [...childKinds.keys()]
    const checkChild = (id: unknown, q: string, key: boolean): void => {
      if (typeof id !== 'string' || id === '@sink') return
      const k = childKinds.get(id)
      if (k === undefined) add(q, `"${id}" is not a node of the child model${closest(id, known)}; map only its data nodes`, key)
      else if (k !== 'data') add(q, `"${id}" is a ${k} node of the child model; map only its data nodes`, key)
    }
    if (hasIn) {
      for (const [k, v] of Object.entries(n.inputs as Obj)) {
        const q = `${p}/inputs/${pointerToken(k)}`
        if (Array.isArray(v)) v.forEach((x, j) => checkChild(x, `${q}/${j}`, false))
        else checkChild(v, q, false)
      }
    }
    if (hasOut) for (const k of Object.keys(n.outputs as Obj)) checkChild(k, `${p}/outputs/${pointerToken(k)}`, true)
  } else add(`${p}/model`, `"model" is the child model (an object) or the path of its model file, not ${show(model)}`)
}
