// `createApp(model)`: a Hono app serving a model — dispatch (JSON or server-sent progress), OpenAPI, model, viewer, health.
import type { Context, Hono as HonoApp, MiddlewareHandler } from 'hono'
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { DispatcherAbort, DispatcherError, FlowmarkError, TimeoutError } from '../errors.ts'
import type { DispatchEvent } from '../internal/async-driver.ts'
import type { DispatchAsyncOptions } from '../internal/async-options.ts'
import type { Executor } from '../model.ts'
import { writeId } from '../portable/format.ts'
import { solutionToJSON, type SolutionJSON } from '../portable/solution-json.ts'
import { toJSON } from '../portable/to-json.ts'
import type { Solution } from '../solution.ts'
import { ServerOptionError } from './errors.ts'
import { openApiDocument, type JsonSchema } from './openapi.ts'
import { importPeer } from './peers.ts'
import { isJsonType, readDispatchRequest, type DispatchRequest } from './request.ts'
import { noViewerPage, type ViewerContext, type ViewerProvider } from './viewer.ts'

const FEATURE = 'flowmark/server'
const [{ Hono }, { bodyLimit }, { cors }, { bearerAuth }, { streamSSE }] = await Promise.all([
  importPeer('hono', FEATURE, () => import('hono')),
  importPeer('hono', FEATURE, () => import('hono/body-limit')),
  importPeer('hono', FEATURE, () => import('hono/cors')),
  importPeer('hono', FEATURE, () => import('hono/bearer-auth')),
  importPeer('hono', FEATURE, () => import('hono/streaming')),
])

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024
/** Default (and largest) time a dispatch may take: 30 s. */
export const DEFAULT_TIMEOUT = 30_000

/** One line of the access log, given to `onLog` when a request ends. */
export interface AccessLogEntry {
  readonly requestId: string
  readonly method: string
  readonly path: string
  /** The status answered; 499 when the client went away before the answer (the dispatch was aborted). */
  readonly status: number
  /** Milliseconds from the request to the answer (for a stream: to its last event). */
  readonly ms: number
}

/** Options of {@link createApp}. */
export interface ServerOptions {
  /** Draws the model for `GET /` and `GET /model.svg` (and the API reference page): e.g. `docsViewer()` from `@flowmark/docs/server`. */
  readonly viewer?: ViewerProvider
  /** When set, every endpoint but `/health` needs `Authorization: Bearer <token>`. */
  readonly token?: string
  /** Origins allowed to call the service from a browser (CORS); none by default. `'*'` allows any. */
  readonly cors?: string | readonly string[]
  /** Largest request body in bytes (default 1 MiB); a larger one is answered 413. */
  readonly bodyLimit?: number
  /** Milliseconds a dispatch may take (default 30 000): the default and the largest `options.timeout` of a request. */
  readonly timeout?: number
  /** Most function calls running at once per dispatch (default: no limit); requests may ask for fewer. */
  readonly concurrency?: number
  /** Where function calls run (`dispatchAsync`'s `executor`; default `'async'`, in this thread). */
  readonly executor?: 'async' | Executor
  /** Title of the OpenAPI document and the pages (default: the model's name). */
  readonly title?: string
  /** Version of the service's API in the OpenAPI document (default `1.0.0`). */
  readonly version?: string
  /** JSON Schemas of data nodes for the OpenAPI document, by id (see `OpenApiOptions.schemas`). */
  readonly schemas?: Readonly<Record<string, JsonSchema>>
  /** Called once per request when it ends (an access log). */
  readonly onLog?: (entry: AccessLogEntry) => void
}

type Env = { Variables: { requestId: string; status?: number } }

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  424: 'Failed Dependency',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  504: 'Gateway Timeout',
}

/**
 * Takes out of a message what must not leave the server: stack frames and file paths or `file:` URLs (replaced by
 * `<path>`).
 */
export function redact(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n')
    .replace(/\bfile:\/\/[^\s'"`)]+/g, '<path>')
    .replace(/(^|[\s'"`(=:])(?:[A-Za-z]:\\|\\\\)[^\s'"`)]+/g, '$1<path>')
    .replace(/(^|[\s'"`(=:])(?:~|\.{1,2})?\/(?:[^\s/'"`)]+\/)+[^\s'"`)]*/g, '$1<path>')
}

/** Answers an error as RFC 9457 problem details, with the request id. */
function problem(c: Context<Env>, status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  const body = { status, title: TITLES[status] ?? 'Error', detail: redact(detail), ...extra, requestId: c.get('requestId') }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': c.get('requestId') },
  })
}

function checkOptions(model: Dispatcher, options: ServerOptions): void {
  const where = 'createApp'
  if (model === null || typeof model !== 'object' || typeof (model as { dispatchAsync?: unknown }).dispatchAsync !== 'function') {
    throw new ServerOptionError(`${where}: the model must be a Dispatcher (e.g. \`new Dispatcher()\` or \`await loadModel(path)\`)`)
  }
  const positive = (name: string, v: number | undefined, integer: boolean): void => {
    if (v === undefined) return
    if (typeof v !== 'number' || !(v > 0) || (integer ? !(Number.isInteger(v) || v === Infinity) : !Number.isFinite(v))) {
      throw new ServerOptionError(
        `${where}: \`${name}\` must be a positive ${integer ? 'whole number' : 'finite number'}; got ${JSON.stringify(v)}`,
      )
    }
  }
  positive('bodyLimit', options.bodyLimit, true)
  positive('timeout', options.timeout, false)
  positive('concurrency', options.concurrency, true)
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8 || /\s/.test(options.token))) {
    throw new ServerOptionError(
      `${where}: \`token\` must be a string of at least 8 characters without spaces (e.g. \`openssl rand -hex 24\`)`,
    )
  }
  if (options.viewer !== undefined && (typeof options.viewer.page !== 'function' || typeof options.viewer.svg !== 'function')) {
    throw new ServerOptionError(
      `${where}: \`viewer\` must be a viewer provider, an object with \`page(context)\` and \`svg(context)\` methods (e.g. \`docsViewer()\` from @flowmark/docs/server)`,
    )
  }
}

/** The workflow of a solution as JSON: nodes reached (in order) and edges followed. */
function workflowJSON(sol: Solution): Record<string, unknown> {
  const nodes = [...sol.workflow.nodes.values()].map((n) => ({
    id: writeId(n.id),
    kind: n.kind,
    visited: n.visited,
    ...(n.duration === undefined ? {} : { duration: n.duration }),
    ...(n.domain === undefined ? {} : { domain: n.domain }),
  }))
  return { nodes, edges: sol.workflow.edges.map((e) => ({ from: writeId(e.from), to: writeId(e.to) })) }
}

/** The answer to a dispatch: its status and body (solution, missing outputs, why it stopped). */
interface Outcome {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** Turns a finished (or stopped) dispatch into its answer. */
function outcome(req: DispatchRequest, sol: Solution | undefined, err: unknown, timeout: number, clientGone: boolean): Outcome {
  let status = 200
  let detail: string | undefined
  if (err !== undefined) {
    if (err instanceof DispatcherAbort && err.cause instanceof TimeoutError) {
      status = 504
      detail = `the dispatch did not finish within ${timeout} ms; the solution is partial (raise options.timeout, up to the server's limit)`
    } else if (err instanceof DispatcherAbort && clientGone) {
      status = 499
      detail = 'the client closed the connection; the dispatch was aborted'
    } else if (err instanceof DispatcherError || err instanceof DispatcherAbort) {
      status = 424
      detail = `the dispatch stopped: ${err.message}`
    } else {
      // Anything else is not the dispatch's answer but a fault of the server: rethrown as it is, for the 500 handler.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw err
    }
  }
  if (sol === undefined) return { status: status === 200 ? 500 : status, body: { detail: detail ?? 'the dispatch produced no solution' } }
  let json: SolutionJSON
  try {
    json = solutionToJSON(sol)
  } catch (e) {
    if (!(e instanceof FlowmarkError)) throw e
    return { status: 500, body: { detail: `the solution cannot be written as JSON: ${e.message}` } }
  }
  for (const k of Object.keys(json.errors)) json.errors[k] = redact(json.errors[k]!)
  const missing = (req.outputs ?? []).filter((o) => !sol.has(o)).map((o) => writeId(o))
  if (status === 200 && missing.length > 0) {
    status = 424
    detail =
      `not computed: ${missing.map((m) => JSON.stringify(m)).join(', ')}` +
      (sol.errors.size > 0 ? ' (see errors)' : ' (no path reaches them from these inputs)')
  }
  const body: Record<string, unknown> = { status, ...json }
  if (missing.length > 0) body.missing = missing
  if (req.options.workflow === true) body.workflow = workflowJSON(sol)
  if (detail !== undefined) body.detail = redact(detail)
  return { status, body }
}

/**
 * A signal that aborts when the client goes away before the answer is sent. On Node (@hono/node-server) it listens to
 * the response's `close` event, which is cheaper than building the full `Request` object for `c.req.raw.signal`;
 * elsewhere it is the request's own signal.
 */
function clientSignal(c: Context<Env>): AbortSignal {
  type Outgoing = { once(event: 'close', fn: () => void): unknown; readonly writableFinished: boolean }
  const outgoing = (c.env as { outgoing?: Outgoing } | undefined)?.outgoing
  if (outgoing === undefined || typeof outgoing.once !== 'function') return c.req.raw.signal
  const controller = new AbortController()
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort(new Error('the client closed the connection'))
  })
  return controller.signal
}

/** One progress event as server-sent-event data. */
/** A failed node's error as text for an event: an `Error`'s message, a thrown primitive as written, else its kind. */
function failureText(error: unknown): string {
  if (error instanceof Error) return error.message
  switch (typeof error) {
    case 'string':
      return error
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return `${error}`
    case 'symbol':
      return error.toString()
    default:
      return error === null ? 'null' : Object.prototype.toString.call(error)
  }
}

function eventData(e: DispatchEvent): string {
  const data: Record<string, unknown> = { node: writeId(e.nodeId), path: e.path.map((p: NodeId) => writeId(p)), time: e.time }
  if (e.duration !== undefined) data.duration = e.duration
  if (e.type === 'fail' && e.error !== undefined) data.error = redact(failureText(e.error))
  return JSON.stringify(data)
}

/**
 * A Hono app serving `model`:
 * - `POST /dispatch` — body `{ inputs, outputs?, options? }` → the solution as JSON (`values`, `errors`, `dist`; the
 *   workflow with `options.workflow`), or with `Accept: text/event-stream` progress events then the solution;
 *   400 (with a JSON `pointer`), 413, 415, 422, 424 (partial solution), 499, 504 (partial solution) otherwise;
 * - `GET /openapi.json` (OpenAPI 3.1), `GET /reference` (its readable page, from the viewer), `GET /model` (the
 *   portable model), `GET /` and `GET /model.svg` (the graph, from the viewer), `GET /health`.
 *
 * Every answer carries `X-Request-Id`; errors are `application/problem+json` and never hold a stack or a file path.
 * Bodies are limited to 1 MiB and dispatches to 30 s by default; CORS is off unless `cors` names origins. Run it
 * with `serve(app)` (Node) or any runtime Hono supports (`app.fetch`).
 * @param model The model to serve.
 * @param options Limits, token, CORS, viewer, schemas, access log.
 */
export function createApp(model: Dispatcher, options: ServerOptions = {}): HonoApp<Env> {
  checkOptions(model, options)
  const title = options.title ?? (model.name !== '' ? model.name : 'Flowmark model')
  const app = new Hono<Env>()
  // Request id first, so that every answer (errors from later middleware included) carries it; then the access log.
  app.use(requestIdAndLog(options.onLog))
  if (options.cors !== undefined) {
    const origin = typeof options.cors === 'string' ? options.cors : [...options.cors]
    app.use(cors({ origin, allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'Accept'], exposeHeaders: ['X-Request-Id'] }))
  }
  if (options.token !== undefined) app.use(bearerToken(options.token))
  addReadRoutes(app, model, options, title)
  app.post('/dispatch', jsonBodyOnly(options.bodyLimit ?? DEFAULT_BODY_LIMIT), dispatchRoute(model, options))
  app.notFound((c) => problem(c, 404, `no endpoint ${c.req.method} ${c.req.path.replace(/[^\w./-]/g, '')}; see GET /openapi.json`))
  app.onError(answerError)
  return app
}

/** Gives each request its id (the client's `X-Request-Id` when it is a safe token) and logs it when it ends. */
function requestIdAndLog(onLog: ServerOptions['onLog']): MiddlewareHandler<Env> {
  return async (c, next) => {
    const given = c.req.header('X-Request-Id')
    const id = given !== undefined && /^[\w.=-]{1,128}$/.test(given) ? given : crypto.randomUUID()
    c.set('requestId', id)
    const started = performance.now()
    await next()
    if (!c.res.headers.has('X-Request-Id')) c.res.headers.set('X-Request-Id', id)
    // A stream logs itself when its last event is sent.
    if (onLog !== undefined && !c.res.headers.get('Content-Type')?.startsWith('text/event-stream')) {
      onLog({
        requestId: id,
        method: c.req.method,
        path: c.req.path,
        status: c.get('status') ?? c.res.status,
        ms: performance.now() - started,
      })
    }
  }
}

/** Asks every endpoint but `/health` for `Authorization: Bearer <token>`, answering 401 problems. */
function bearerToken(token: string): MiddlewareHandler<Env> {
  const auth = bearerAuth({
    token,
    noAuthenticationHeader: { message: (c) => problem(c as Context<Env>, 401, 'this service needs `Authorization: Bearer <token>`') },
    invalidAuthenticationHeader: { message: (c) => problem(c as Context<Env>, 401, 'the Authorization header must be `Bearer <token>`') },
    invalidToken: { message: (c) => problem(c as Context<Env>, 401, 'the bearer token is not the one this service was started with') },
  })
  return async (c, next) => (c.req.path === '/health' ? next() : auth(c as never, next))
}

/** The `GET` endpoints: health, the OpenAPI document and the portable model (each written once), the viewer's pages. */
function addReadRoutes(app: HonoApp<Env>, model: Dispatcher, options: ServerOptions, title: string): void {
  const viewer = options.viewer
  let openapi: string | undefined
  let modelJson: string | undefined
  app.get('/health', (c) => c.json({ status: 'ok', model: title, viewer: viewer?.name ?? null }))
  app.get('/openapi.json', (c) => {
    openapi ??= JSON.stringify(
      openApiDocument(model, {
        title,
        bearer: options.token !== undefined,
        viewer: viewer !== undefined,
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(options.schemas === undefined ? {} : { schemas: options.schemas }),
      }),
    )
    return c.body(openapi, 200, { 'Content-Type': 'application/json' })
  })
  app.get('/model', (c) => {
    modelJson ??= JSON.stringify(toJSON(model, { allowMissingRefs: true, schema: true }))
    return c.body(modelJson, 200, { 'Content-Type': 'application/json' })
  })
  addViewerRoutes(app, viewer, {
    model,
    title,
    links: { openapi: '/openapi.json', reference: '/reference', model: '/model', svg: '/model.svg', assets: '/assets/' },
  })
}

/** The pages the viewer draws (`/`, `/model.svg`, `/reference`) and its assets; without a viewer, 501 problems. */
function addViewerRoutes(app: HonoApp<Env>, viewer: ViewerProvider | undefined, context: ViewerContext): void {
  const noViewer = (c: Context<Env>, what: string): Response =>
    problem(
      c,
      501,
      `${what} needs a viewer, and none is installed: \`npm install @flowmark/docs\` and restart \`flowmark serve\` (or pass \`createApp(model, { viewer: docsViewer() })\`)`,
    )
  app.get('/', async (c) => c.html(viewer === undefined ? noViewerPage(context) : await viewer.page(context)))
  app.get('/model.svg', async (c) =>
    viewer === undefined
      ? noViewer(c, 'drawing the model')
      : c.body(await viewer.svg(context), 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' }),
  )
  app.get('/reference', async (c) =>
    viewer?.reference === undefined ? noViewer(c, 'the API reference page') : c.html(await viewer.reference(context)),
  )
  // Browsers ask for it on every page; no icon rather than a 404 in their console.
  app.get('/favicon.ico', (c) => c.body(null, 204))
  app.get('/assets/*', async (c) => {
    const name = c.req.path.slice('/assets/'.length)
    const asset = name.split('/').includes('..') || viewer?.asset === undefined ? undefined : await viewer.asset(name)
    if (asset === undefined) return problem(c, 404, `no asset '${name.replace(/[^\w.-]/g, '')}'`)
    return c.body(asset.body as string, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=3600' })
  })
}

/** Refuses a body that is not JSON (415) or is larger than `maxSize` bytes (413). */
function jsonBodyOnly(maxSize: number): MiddlewareHandler<Env> {
  const limit = bodyLimit({
    maxSize,
    onError: (c) => problem(c as Context<Env>, 413, `the body is larger than this server's limit of ${maxSize} bytes`),
  })
  return async (c, next) => {
    if (!isJsonType(c.req.header('Content-Type'))) {
      return problem(
        c,
        415,
        `the body must be JSON, sent with \`Content-Type: application/json\` (got ${JSON.stringify(c.req.header('Content-Type') ?? 'none')})`,
      )
    }
    return limit(c, next)
  }
}

/** `POST /dispatch`: reads the request, dispatches the model within the limits, answers JSON or a stream of events. */
function dispatchRoute(model: Dispatcher, options: ServerOptions): (c: Context<Env>) => Promise<Response> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  const concurrency = options.concurrency ?? Infinity
  const limits = { maxTimeout: timeout, concurrency }
  return async (c) => {
    const req = readDispatchRequest(await c.req.text(), model, limits)
    if ('status' in req) {
      const extra: Record<string, unknown> = {}
      if (req.pointer !== undefined) extra.pointer = req.pointer
      if (req.unknown !== undefined) extra.unknown = req.unknown
      return problem(c, req.status, req.detail, extra)
    }
    const signal = clientSignal(c)
    const limitMs = req.options.timeout ?? timeout
    const opts: DispatchAsyncOptions = { signal, timeout: limitMs }
    const n = req.options.concurrency ?? concurrency
    if (n !== Infinity) opts.concurrency = n
    if (options.executor !== undefined) opts.executor = options.executor
    for (const k of ['wildcard', 'shrink', 'rmUnusedNodes'] as const)
      if (req.options[k] !== undefined) (opts as Record<string, unknown>)[k] = req.options[k]
    const settle = async (p: Promise<Solution>): Promise<Outcome> => {
      try {
        return outcome(req, await p, undefined, limitMs, signal.aborted)
      } catch (err) {
        const sol = err instanceof DispatcherAbort || err instanceof DispatcherError ? err.solution : undefined
        return outcome(req, sol, err, limitMs, signal.aborted)
      }
    }
    if ((c.req.header('Accept') ?? '').includes('text/event-stream'))
      return streamDispatch(c, model, req, opts, signal, settle, options.onLog)
    const out = await settle(model.dispatchAsync(req.inputs, req.outputs, opts))
    if (out.status >= 400 && out.body.values === undefined) return problem(c, out.status, String(out.body.detail))
    c.set('status', out.status)
    return c.json({ ...out.body, requestId: c.get('requestId') }, out.status as 200)
  }
}

/** Answers a dispatch as server-sent events: one per progress event, then `solution`; logs the request at its end. */
function streamDispatch(
  c: Context<Env>,
  model: Dispatcher,
  req: DispatchRequest,
  opts: DispatchAsyncOptions,
  signal: AbortSignal,
  settle: (p: Promise<Solution>) => Promise<Outcome>,
  onLog: ServerOptions['onLog'],
): Response {
  const id = c.get('requestId')
  const started = performance.now()
  return streamSSE(c, async (stream) => {
    const run = model.dispatchStream(req.inputs, req.outputs, opts)
    let n = 0
    try {
      for await (const e of run) await stream.writeSSE({ event: e.type, id: String(n++), data: eventData(e) })
    } catch {
      // the dispatch's error is read from run.solution below
    }
    const out = await settle(run.solution)
    if (!signal.aborted) await stream.writeSSE({ event: 'solution', id: String(n), data: JSON.stringify({ ...out.body, requestId: id }) })
    onLog?.({
      requestId: id,
      method: 'POST',
      path: '/dispatch',
      status: signal.aborted ? 499 : out.status,
      ms: performance.now() - started,
    })
  })
}

/** The last handler: an HTTP exception's own answer (with the request id), anything else a 500 problem without details. */
function answerError(err: Error, c: Context<Env>): Response {
  const status = (err as { status?: unknown }).status
  const res = (err as { getResponse?: () => Response }).getResponse
  if (typeof status === 'number' && typeof res === 'function') {
    const r = res.call(err)
    r.headers.set('X-Request-Id', c.get('requestId'))
    return r
  }
  return problem(
    c,
    500,
    `the server failed on this request (${err instanceof Error ? err.name : 'error'}); the request id is in X-Request-Id`,
  )
}
