// Reads the body of `POST /dispatch`: its JSON, its shape (with a JSON pointer to a problem) and the node ids it names.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { didYouMean } from '../errors.ts'
import { readId, writeId } from '../portable/format.ts'
import { JsonSyntaxError, parseJsonText, pointerToken } from '../portable/json-text.ts'
import { decodeValue, ValueEncodingError } from '../portable/values.ts'

/** The request-level options a client may set (no functions; `timeout` bounded by the server). */
export interface DispatchRequestOptions {
  /** Milliseconds for this dispatch (at most the server's `maxTimeout`). */
  timeout?: number
  /** Most function calls running at once (at most the server's `concurrency`). */
  concurrency?: number
  /** Add the workflow (nodes reached and edges followed) to the answer. */
  workflow?: boolean
  /** As `dispatch`'s `wildcard`. */
  wildcard?: boolean | 'producible'
  /** As `dispatch`'s `shrink`. */
  shrink?: boolean
  /** As `dispatch`'s `rmUnusedNodes`. */
  rmUnusedNodes?: boolean
}

/** A checked `POST /dispatch` request. */
export interface DispatchRequest {
  readonly inputs: Map<NodeId, unknown>
  readonly outputs: NodeId[] | undefined
  readonly options: DispatchRequestOptions
}

/** Why a request is refused: the HTTP status, a sentence, and where in the body (a JSON pointer) when it applies. */
export interface RequestProblem {
  readonly status: 400 | 415 | 422
  readonly detail: string
  readonly pointer?: string
  /** For 422: the ids the model does not know. */
  readonly unknown?: readonly string[]
}

/** Limits the server puts on request options. */
export interface RequestLimits {
  readonly maxTimeout: number
  readonly concurrency: number
}

const BODY_KEYS = ['inputs', 'outputs', 'options']
const OPTION_KEYS = ['timeout', 'concurrency', 'workflow', 'wildcard', 'shrink', 'rmUnusedNodes']

/** Whether a Content-Type names JSON (`application/json`, `application/<x>+json`, with parameters). */
export function isJsonType(type: string | undefined): boolean {
  if (type === undefined) return false
  const media = type.split(';')[0]!.trim().toLowerCase()
  return media === 'application/json' || /^application\/[\w.-]+\+json$/.test(media)
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/**
 * Whether a reader below refused its part of the body. The values they return otherwise (the body with only its
 * known members, the options, the outputs array, the inputs Map) never have a `status` member.
 */
function isProblem(v: unknown): v is RequestProblem {
  return typeof v === 'object' && v !== null && 'status' in v
}

/** Checks the body text of a dispatch request against the model; a problem says what is wrong and where. */
export function readDispatchRequest(text: string, model: Dispatcher, limits: RequestLimits): DispatchRequest | RequestProblem {
  const b = readBody(text)
  if (isProblem(b)) return b
  const rawInputs = b.inputs ?? {}
  if (typeof rawInputs !== 'object' || rawInputs === null || Array.isArray(rawInputs)) {
    return { status: 400, detail: `"inputs" must be an object of data id → value, not ${typeOf(rawInputs)}`, pointer: '/inputs' }
  }
  const outputs = readOutputs(b.outputs)
  if (isProblem(outputs)) return outputs
  const options = b.options === undefined ? {} : readOptions(b.options, limits)
  if (isProblem(options)) return options
  const inputs = readInputs(rawInputs, model)
  if (isProblem(inputs)) return inputs
  return (outputs === undefined ? undefined : unknownOutputs(outputs, model)) ?? { inputs, outputs, options }
}

/** The body as a JSON object with no member but "inputs", "outputs" and "options" (an empty body is `{}`). */
function readBody(text: string): Record<string, unknown> | RequestProblem {
  let body: unknown
  try {
    body = text.trim() === '' ? {} : parseJsonText(text).value
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e
    const p = e.position
    return {
      status: 400,
      detail: `the body is not JSON: ${e.message.replace(/^\d+:\d+: /, '')} (line ${p.line}, column ${p.column})`,
      pointer: '',
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      status: 400,
      detail: `the body must be a JSON object {"inputs": {…}, "outputs": […], "options": {…}}, not ${typeOf(body)}`,
      pointer: '',
    }
  }
  const b = body as Record<string, unknown>
  for (const k of Object.keys(b)) {
    if (!BODY_KEYS.includes(k))
      return {
        status: 400,
        detail: `unknown member ${JSON.stringify(k)}; the body takes "inputs", "outputs" and "options"`,
        pointer: `/${pointerToken(k)}`,
      }
  }
  return b
}

/** `"outputs"`: an array of data ids (`null` or absent: everything reachable, undefined). */
function readOutputs(v: unknown): NodeId[] | undefined | RequestProblem {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) return { status: 400, detail: `"outputs" must be an array of data ids, not ${typeOf(v)}`, pointer: '/outputs' }
  const outputs: NodeId[] = []
  for (const [i, o] of (v as unknown[]).entries()) {
    if (typeof o !== 'string')
      return { status: 400, detail: `an output is a data id (a string), not ${typeOf(o)}`, pointer: `/outputs/${i}` }
    outputs.push(readId(o) ?? o)
  }
  return outputs
}

/** `"options"`: an object of the options a request may set, each of its type and within the server's limits. */
function readOptions(o: unknown, limits: RequestLimits): DispatchRequestOptions | RequestProblem {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    return { status: 400, detail: `"options" must be an object, not ${typeOf(o)}`, pointer: '/options' }
  const opts = o as Record<string, unknown>
  for (const k of Object.keys(opts)) {
    if (!OPTION_KEYS.includes(k))
      return {
        status: 400,
        detail: `unknown option ${JSON.stringify(k)}; the options a request may set are ${OPTION_KEYS.map((x) => `"${x}"`).join(', ')}`,
        pointer: `/options/${pointerToken(k)}`,
      }
  }
  const options: DispatchRequestOptions = {}
  const limited = readLimitedOptions(opts, limits, options)
  if (limited !== undefined) return limited
  for (const k of ['workflow', 'shrink', 'rmUnusedNodes'] as const) {
    if (opts[k] !== undefined) {
      if (typeof opts[k] !== 'boolean')
        return { status: 400, detail: `"${k}" is true or false; got ${JSON.stringify(opts[k])}`, pointer: `/options/${k}` }
      options[k] = opts[k]
    }
  }
  if (opts.wildcard !== undefined) {
    if (typeof opts.wildcard !== 'boolean' && opts.wildcard !== 'producible') {
      return {
        status: 400,
        detail: `"wildcard" is true, false or "producible"; got ${JSON.stringify(opts.wildcard)}`,
        pointer: '/options/wildcard',
      }
    }
    options.wildcard = opts.wildcard
  }
  return options
}

/** The options the server bounds, `timeout` and `concurrency`, copied into `options`; a problem when out of bounds. */
function readLimitedOptions(
  opts: Record<string, unknown>,
  limits: RequestLimits,
  options: DispatchRequestOptions,
): RequestProblem | undefined {
  if (opts.timeout !== undefined) {
    const t = opts.timeout
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > limits.maxTimeout) {
      return {
        status: 400,
        detail: `"timeout" is a number of milliseconds, more than 0 and at most ${limits.maxTimeout} (this server's limit); got ${JSON.stringify(t)}`,
        pointer: '/options/timeout',
      }
    }
    options.timeout = t
  }
  if (opts.concurrency !== undefined) {
    const n = opts.concurrency
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > limits.concurrency) {
      return {
        status: 400,
        detail: `"concurrency" is a whole number of calls from 1 to ${limits.concurrency} (this server's limit); got ${JSON.stringify(n)}`,
        pointer: '/options/concurrency',
      }
    }
    options.concurrency = n
  }
  return undefined
}

/**
 * `"inputs"`, decoded: plain JSON, or `{"$type": …}` tags for what JSON cannot carry; each key a data node of the model.
 * Keys stay keys of a Map, never properties.
 */
function readInputs(rawInputs: object, model: Dispatcher): Map<NodeId, unknown> | RequestProblem {
  const problems: ValueEncodingError[] = []
  const decoded = decodeValue(rawInputs, '/inputs', problems) as Record<string, unknown>
  if (problems.length > 0) return { status: 400, detail: problems[0]!.message, pointer: problems[0]!.pointer }
  const inputs = new Map<NodeId, unknown>()
  const unknown: string[] = []
  const data = model.dataNodes
  for (const key of Object.keys(decoded)) {
    const id = readId(key)
    if (id === undefined || !data.has(id)) unknown.push(key)
    else inputs.set(id, decoded[key])
  }
  if (unknown.length > 0) {
    const known = [...data.keys()].filter((k): k is string => typeof k === 'string')
    const hint = unknown.length === 1 ? didYouMean(unknown[0]!, known) : ''
    return {
      status: 422,
      pointer: `/inputs/${pointerToken(unknown[0]!)}`,
      unknown,
      detail: `the model has no data node ${unknown.map((u) => JSON.stringify(u)).join(', ')} to take as input; GET /openapi.json lists the inputs.${hint}`,
    }
  }
  return inputs
}

/** A 422 problem naming the outputs that are not data nodes of the model (undefined when all are). */
function unknownOutputs(outputs: readonly NodeId[], model: Dispatcher): RequestProblem | undefined {
  const data = model.dataNodes
  const bad = outputs.map((o, i) => [o, i] as const).filter(([o]) => !data.has(o))
  if (bad.length === 0) return undefined
  return {
    status: 422,
    pointer: `/outputs/${bad[0]![1]}`,
    unknown: bad.map(([o]) => writeId(o)),
    detail: `the model has no data node ${bad.map(([o]) => JSON.stringify(writeId(o))).join(', ')} to compute as output; GET /openapi.json lists the outputs`,
  }
}
