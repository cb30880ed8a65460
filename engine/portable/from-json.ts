// Reads a portable model document: validate everything first, import every reference, then build the Dispatcher.
import type { NodeId } from '../constants.ts'
import { Dispatcher } from '../dispatcher.ts'
import { inf, type Distance } from '../distance.ts'
import type { AddDataOptions, AddFunctionOptions, AnyFunction } from '../model.ts'
import { baseHref, defaultImporter, importRef, RefError, type Importer } from '../ref.ts'
import { readId, type DistanceDoc, type ModelDoc, type NumberDoc } from './format.ts'
import { JsonText } from './json-text.ts'
import { placeProblems, validateModel, ModelValidationError, parseModelText, type ModelProblem, type RawProblem } from './validate.ts'
import { decodeValue } from './values.ts'

/** Options of `fromJSON`. */
export interface FromJSONOptions {
  /** URL the document's relative references (`./work.ts#f`, `./sub.json`) are resolved against. */
  baseUrl?: string | URL
  /** Name of the document's file in messages (default: the path of `baseUrl` when it is a file URL). */
  file?: string
  /** Reads the model files that sub-dispatchers refer to (given by `loadModel`; needed only for such references). */
  readFile?: (url: URL) => Promise<string>
  /** Imports the referenced modules (default: dynamic `import()`). */
  importer?: Importer
  /** Outputs that will be requested: validation checks that something can produce each one. */
  outputs?: readonly string[]
  /** Ids of the inputs that will be given (they count as produced for `outputs`). */
  inputs?: readonly string[]
}

/** One document being loaded: its value, text (for positions), file name and base URL. */
interface Source {
  readonly doc: unknown
  readonly text: JsonText | undefined
  readonly file: string | undefined
  readonly baseUrl: string | URL | undefined
}

/** A reference to import, where it was written, and the function once imported. */
interface Wanted {
  readonly ref: string
  readonly nodeId: NodeId
  readonly source: Source
  readonly pointer: string
  fn?: AnyFunction
}

function fileOf(baseUrl: string | URL | undefined): string | undefined {
  if (baseUrl === undefined) return undefined
  const u = new URL(baseHref(baseUrl))
  return u.protocol === 'file:' ? decodeURIComponent(u.pathname) : u.href
}

/**
 * Builds a Dispatcher from a model document (its JSON text, a `JsonText`, or the parsed value). First every check runs on the
 * whole document and the model files it refers to — shape, ids, mappings, values, requested outputs — then every
 * function reference is imported; when anything fails, a `ModelValidationError` lists all the problems, each with
 * its JSON pointer and, for text, its `file:line:column`, and nothing is built. References are resolved against
 * `baseUrl`.
 */
export async function fromJSON(doc: unknown, options: FromJSONOptions = {}): Promise<Dispatcher> {
  const file = options.file ?? fileOf(options.baseUrl)
  const text = doc instanceof JsonText ? doc : typeof doc === 'string' ? parseModelText(doc, file) : undefined
  const root: Source = { doc: text === undefined ? doc : text.value, text, file, baseUrl: options.baseUrl }
  const problems: ModelProblem[] = []
  const subFiles = new Map<string, Source>() // by the href of the file
  const wanted: Wanted[] = []

  const check = async (
    src: Source,
    validateOptions: { outputs?: readonly string[]; inputs?: readonly string[] },
    chain: readonly string[],
  ): Promise<void> => {
    const raw: RawProblem[] =
      src.text === undefined
        ? []
        : src.text.duplicates.map((d) => ({
            pointer: d.pointer,
            message: `duplicate key "${d.key}" in an object; JSON keeps only the last one, so write each key once`,
            key: true,
          }))
    raw.push(...validateModel(src.doc, validateOptions))
    problems.push(...placeProblems(raw, src.text, src.file))
    if (raw.length > 0) return
    const later: Promise<void>[] = []
    collect(src.doc as ModelDoc, '', src, wanted, (pointer, path) => {
      const place = (message: string): void => {
        problems.push(...placeProblems([{ pointer, message }], src.text, src.file))
      }
      if (options.readFile === undefined) {
        place(
          `the sub-dispatcher's model is the file "${path}", but nothing can read files here; load the model with loadModel(path), or pass { readFile }`,
        )
        return
      }
      let url: URL
      try {
        url = new URL(path, src.baseUrl === undefined ? undefined : baseHref(src.baseUrl))
      } catch {
        place(`cannot resolve the model file "${path}"${src.baseUrl === undefined ? ' without a baseUrl' : ''}`)
        return
      }
      if (chain.includes(url.href)) {
        place(`the model file "${path}" contains itself (${[...chain, url.href].map((h) => fileOf(h)).join(' → ')})`)
        return
      }
      if (subFiles.has(url.href)) return
      const reading = options.readFile(url).then(
        async (t) => {
          const subFile = fileOf(url)
          let parsed: JsonText
          try {
            parsed = parseModelText(t, subFile)
          } catch (e) {
            if (e instanceof ModelValidationError) problems.push(...e.problems)
            else throw e
            return
          }
          const sub: Source = { doc: parsed.value, text: parsed, file: subFile, baseUrl: url }
          subFiles.set(url.href, sub)
          await check(sub, {}, [...chain, url.href])
        },
        (e: unknown) => place(`cannot read the model file "${path}": ${e instanceof Error ? e.message : String(e)}`),
      )
      later.push(reading)
    })
    await Promise.all(later)
  }

  const rootChain = options.baseUrl === undefined ? [] : [baseHref(options.baseUrl)]
  const vopts: { outputs?: readonly string[]; inputs?: readonly string[] } = {}
  if (options.outputs !== undefined) vopts.outputs = options.outputs
  if (options.inputs !== undefined) vopts.inputs = options.inputs
  await check(root, vopts, rootChain)
  if (problems.length > 0) throw new ModelValidationError(sortProblems(problems))

  // Import every reference (each module once), collecting every failure.
  const modules = new Map<string, Promise<Record<string, unknown>>>()
  const base = options.importer ?? defaultImporter
  const importer: Importer = (s) => {
    let p = modules.get(s)
    if (p === undefined) modules.set(s, (p = base(s)))
    return p
  }
  const resolved = new Map<string, Promise<AnyFunction>>() // by base URL and reference
  await Promise.all(
    wanted.map(async (w) => {
      try {
        const o: { baseUrl?: string | URL; nodeId: NodeId; importer?: Importer } = { nodeId: w.nodeId, importer }
        if (w.source.baseUrl !== undefined) o.baseUrl = w.source.baseUrl
        const key = `${String(w.source.baseUrl)}\u0000${w.ref}`
        const known = resolved.get(key)
        if (known !== undefined) {
          // The same reference again: reuse the function, but name this node in its own error.
          w.fn = await known.catch(() => importRef(w.ref, o))
          return
        }
        const p = importRef(w.ref, o)
        resolved.set(key, p)
        w.fn = await p
      } catch (e) {
        if (!(e instanceof RefError)) throw e
        problems.push(...placeProblems([{ pointer: w.pointer, message: e.message }], w.source.text, w.source.file))
      }
    }),
  )
  if (problems.length > 0) throw new ModelValidationError(sortProblems(problems))

  const fns = new Map<string, AnyFunction>()
  for (const w of wanted) fns.set(`${w.source.file ?? ''}\u0000${w.pointer}`, w.fn!)
  return build(root, fns, subFiles)
}

function sortProblems(problems: ModelProblem[]): ModelProblem[] {
  return problems.sort(
    (a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  )
}

/** Lists the references of a (valid) document and calls `onFile` for each sub-model given by file. */
function collect(doc: ModelDoc, at: string, source: Source, wanted: Wanted[], onFile: (pointer: string, path: string) => void): void {
  doc.nodes.forEach((n, i) => {
    const p = `${at}/nodes/${i}`
    const nodeId = readId(n.id)!
    const want = (ref: string | null | undefined, pointer: string): void => {
      if (typeof ref === 'string') wanted.push({ ref, nodeId, source, pointer })
    }
    if (n.kind === 'data') {
      want(n.fn, `${p}/fn`)
      want(n.callback, `${p}/callback`)
    } else if (n.kind === 'function') {
      want(n.ref, `${p}/ref`)
    }
    if (n.kind !== 'dispatcher') (n.filters ?? []).forEach((f, j) => want(f, `${p}/filters/${j}`))
    if (n.kind !== 'data') want(n.inputDomain, `${p}/inputDomain`)
    if (n.kind === 'dispatcher') {
      if (typeof n.model === 'string') onFile(`${p}/model`, n.model)
      else collect(n.model, `${p}/model`, source, wanted, onFile)
    }
  })
}

function number(n: NumberDoc): number {
  return n === 'Infinity' ? Infinity : n === '-Infinity' ? -Infinity : n
}

function distance(d: DistanceDoc): Distance {
  return typeof d === 'object' ? inf(d.inf, d.num ?? 0) : number(d)
}

function weights(w: Record<string, NumberDoc> | undefined): Map<NodeId, number> | undefined {
  return w === undefined ? undefined : new Map(Object.entries(w).map(([k, v]) => [readId(k)!, number(v)]))
}

function mapping(m: Record<string, string | string[]>): Map<NodeId, NodeId | NodeId[]> {
  return new Map(Object.entries(m).map(([k, v]) => [readId(k)!, Array.isArray(v) ? v.map((x) => readId(x)!) : readId(v)!]))
}

/**
 * Replays the document's nodes in order. Nodes are written in index order, and a data node that a function
 * created implicitly is written after it: such a node is updated in place, or given a new index by `addData` when
 * nodes created after it come first (as `addData` did in the original), so the rebuilt model has the same node
 * order, indices and edges as the one written.
 */
function build(src: Source, fns: Map<string, AnyFunction>, subFiles: Map<string, Source>, at = '', doc = src.doc as ModelDoc): Dispatcher {
  const fn = (pointer: string): AnyFunction => fns.get(`${src.file ?? ''}\u0000${pointer}`)!
  const options: ConstructorParameters<typeof Dispatcher>[0] = {}
  if (doc.name !== undefined) options.name = doc.name
  if (doc.description !== undefined) options.description = doc.description
  if (doc.raises !== undefined) options.raises = doc.raises
  if (doc.executor !== undefined) options.executor = doc.executor
  const dsp = new Dispatcher(options)
  let last = -1 // the highest index among the nodes replayed so far
  doc.nodes.forEach((n, i) => {
    const p = `${at}/nodes/${i}`
    const id = readId(n.id)!
    const attributes = n.attributes === undefined ? undefined : (decodeValue(n.attributes) as Record<string, unknown>)
    if (n.kind === 'data') {
      const o: AddDataOptions = {}
      if (n.waitInputs !== undefined) o.waitInputs = n.waitInputs
      if (n.wildcard !== undefined) o.wildcard = n.wildcard
      if (n.weight !== undefined) o.weight = number(n.weight)
      if (n.fn !== undefined) o.fn = fn(`${p}/fn`)
      if (n.callback !== undefined) o.callback = fn(`${p}/callback`)
      if (n.filters !== undefined) o.filters = n.filters.map((_, j) => fn(`${p}/filters/${j}`))
      if (n.description !== undefined) o.description = n.description
      if (attributes !== undefined) o.attributes = attributes
      // A node created earlier by a function is updated in place, unless the document puts it after nodes created
      // later: then the original was updated by addData after them, which gave it a new index; so does this.
      const existing = dsp.nodes.get(id)
      if (existing === undefined || Object.keys(o).length > 0 || existing.index < last) dsp.addData({ id, ...o })
      if ('default' in n) dsp.setDefaultValue(id, decodeValue(n.default), n.initialDist === undefined ? 0 : distance(n.initialDist))
    } else if (n.kind === 'function') {
      const o: AddFunctionOptions = { id }
      if (n.ref !== null) o.fn = fn(`${p}/ref`)
      if (n.inputs !== undefined) o.inputs = n.inputs.map((x) => readId(x)!)
      if (n.outputs !== undefined) o.outputs = n.outputs.map((x) => readId(x)!)
      if (n.inputDomain !== undefined) o.inputDomain = fn(`${p}/inputDomain`)
      if (n.weight !== undefined) o.weight = number(n.weight)
      const iw = weights(n.inpWeight)
      if (iw !== undefined) o.inpWeight = iw
      const ow = weights(n.outWeight)
      if (ow !== undefined) o.outWeight = ow
      if (n.filters !== undefined) o.filters = n.filters.map((_, j) => fn(`${p}/filters/${j}`))
      if (n.context !== undefined) o.context = n.context
      if (n.timeout !== undefined) o.timeout = n.timeout
      if (n.critical !== undefined) o.critical = n.critical
      if (n.executor !== undefined) o.executor = n.executor
      if (n.description !== undefined) o.description = n.description
      if (attributes !== undefined) o.attributes = attributes
      dsp.addFunction(o)
    } else {
      let child: Dispatcher
      if (typeof n.model === 'string') {
        const sub = subFiles.get(new URL(n.model, baseHref(src.baseUrl!)).href)!
        child = build(sub, fns, subFiles)
      } else child = build(src, fns, subFiles, `${p}/model`, n.model)
      const o: Parameters<Dispatcher['addDispatcher']>[0] = {
        dispatcher: child,
        id,
        inputs: mapping(n.inputs),
        outputs: mapping(n.outputs),
      }
      if (n.inputDomain !== undefined) o.inputDomain = fn(`${p}/inputDomain`)
      if (n.weight !== undefined) o.weight = number(n.weight)
      const iw = weights(n.inpWeight)
      if (iw !== undefined) o.inpWeight = iw
      if (n.description !== undefined) o.description = n.description
      if (attributes !== undefined) o.attributes = attributes
      dsp.addDispatcher(o)
    }
    last = Math.max(last, dsp.nodes.get(id)!.index)
  })
  return dsp
}
