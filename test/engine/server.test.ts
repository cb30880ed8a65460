// flowmark/server against a real server on a loopback port: every status code, request ids, SSE, abort, OpenAPI, CLI.
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Dispatcher, type NodeContext } from 'flowmark'
import {
  createApp,
  openApiDocument,
  redact,
  serve,
  ServerOptionError,
  ServerSetupError,
  type AccessLogEntry,
  type RunningServer,
} from 'flowmark/server'
import { importPeer } from '../../engine/server/peers.ts'
import { main } from '../../engine/cli.ts'

/** A promise with its resolve function (Promise.withResolvers, which the es2023 lib of this project lacks). */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Resolves when the slow function has started; `aborted` records what its signal said when it ended. */
const slow = { started: deferred<void>(), aborted: deferred<boolean>() }

function model(): Dispatcher {
  const dsp = new Dispatcher({ name: 'calc' })
  dsp.addData({ id: 'a', description: 'The first term.', attributes: { schema: { type: 'number' }, example: 1 } })
  dsp.addData({ id: 'b', defaultValue: 2 })
  dsp.addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
  dsp.addFunction({
    id: 'boom',
    fn: () => {
      throw new Error('cannot open /srv/app/secret/data.json\n    at boom (file:///srv/app/model.ts:3:9)')
    },
    inputs: ['c'],
    outputs: ['d'],
  })
  dsp.addFunction({
    id: 'wait',
    context: true,
    inputs: ['ms'],
    outputs: ['waited'],
    fn: (ms: number, ctx: NodeContext) =>
      new Promise((resolve, reject) => {
        slow.started.resolve()
        const t = setTimeout(() => {
          slow.aborted.resolve(false)
          resolve(ms)
        }, ms)
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t)
          slow.aborted.resolve(true)
          reject(new Error('aborted'))
        })
      }),
  })
  dsp.addData({ id: 'constructor' })
  dsp.addFunction({ id: 'echo', fn: (x: unknown) => x, inputs: ['constructor'], outputs: ['echoed'] })
  return dsp
}

const logs: AccessLogEntry[] = []
let server: RunningServer
let secured: RunningServer

beforeAll(async () => {
  server = await serve(createApp(model(), { bodyLimit: 400, timeout: 5_000, onLog: (e) => logs.push(e) }), { port: 0 })
  secured = await serve(createApp(model(), { token: 'correct-horse-battery', cors: ['https://app.example'] }), { port: 0 })
})
afterAll(async () => {
  await server?.close()
  await secured?.close()
})

async function post(
  body: unknown,
  headers: Record<string, string> = {},
  base = server.url,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers; text: string }> {
  const r = await fetch(`${base}/dispatch`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  })
  const text = await r.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    /* not JSON: an event stream */
  }
  return { status: r.status, json, headers: r.headers, text }
}

/** No answer shows a stack frame or a file path. */
function clean(text: string): void {
  expect(text).not.toMatch(/\n\s+at\s|\bat \S+ \(|file:\/\/|\/srv\/|\/work\/|node_modules/)
}

describe('flowmark/server: POST /dispatch', () => {
  it('binds 127.0.0.1 by default', () => expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/))

  it("200: the solution as JSON, with a request id (the client's when it is a safe token)", async () => {
    const r = await post({ inputs: { a: 1 }, outputs: ['c'] }, { 'X-Request-Id': 'req-42' })
    expect(r.status).toBe(200)
    expect(r.headers.get('x-request-id')).toBe('req-42')
    expect(r.json).toEqual({
      status: 200,
      values: { a: 1, b: 2, c: 3 },
      errors: {},
      dist: { '@start': -1, a: 0, b: 0, add: 1, c: 2 },
      requestId: 'req-42',
    })
    const bad = await post({ inputs: { a: 1 } }, { 'X-Request-Id': 'no spaces\tor tabs' })
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('200 with options.workflow: the workflow nodes and edges', async () => {
    const r = await post({ inputs: { a: 1 }, outputs: ['c'], options: { workflow: true } })
    const wf = r.json.workflow as { nodes: { id: string }[]; edges: { from: string; to: string }[] }
    expect(wf.nodes.map((n) => n.id)).toEqual(['@start', 'a', 'b', 'add', 'c'])
    expect(wf.edges).toContainEqual({ from: 'add', to: 'c' })
  })

  it('400: not JSON, with the line and column', async () => {
    const r = await post('{"inputs": {"a": 1},\n}')
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toBe('application/problem+json')
    expect(r.json).toMatchObject({ status: 400, title: 'Bad Request', pointer: '' })
    expect(r.json.detail).toMatch(/^the body is not JSON: .*\(line 2, column 1\)$/)
    expect(r.json.requestId).toBe(r.headers.get('x-request-id'))
  })

  it.each([
    [[1, 2], '', /must be a JSON object/],
    [{ inputs: [1] }, '/inputs', /"inputs" must be an object/],
    [{ inputs: {}, outputs: ['c', 3] }, '/outputs/1', /an output is a data id/],
    [{ inputs: {}, output: ['c'] }, '/output', /unknown member "output"/],
    [{ inputs: {}, options: { timeout: 60_000 } }, '/options/timeout', /at most 5000/],
    [{ inputs: {}, options: { onEvent: 'x' } }, '/options/onEvent', /unknown option "onEvent"/],
    [{ inputs: { a: { $type: 'bigint', value: 'x' } } }, '/inputs/a/value', /not an integer/],
  ])('400: wrong shape %j → pointer %s', async (body, pointer, detail) => {
    const r = await post(body)
    expect(r.status).toBe(400)
    expect(r.json.pointer).toBe(pointer)
    expect(r.json.detail).toMatch(detail)
  })

  it('413: a body over the limit', async () => {
    const r = await post({ inputs: { a: 'x'.repeat(500) } })
    expect(r.status).toBe(413)
    expect(r.json.detail).toBe("the body is larger than this server's limit of 400 bytes")
    expect(r.headers.get('x-request-id')).toBeTruthy()
  })

  it('415: a body that is not JSON by its content type', async () => {
    const r = await post('a=1', { 'Content-Type': 'application/x-www-form-urlencoded' })
    expect(r.status).toBe(415)
    expect(r.json.detail).toMatch(/Content-Type: application\/json/)
  })

  it('422: inputs or outputs naming unknown nodes, with a suggestion', async () => {
    const r = await post({ inputs: { aa: 1 } })
    expect(r.status).toBe(422)
    expect(r.json).toMatchObject({ pointer: '/inputs/aa', unknown: ['aa'] })
    expect(r.json.detail).toBe('the model has no data node "aa" to take as input; GET /openapi.json lists the inputs. Did you mean \'a\'?')
    const o = await post({ inputs: { a: 1 }, outputs: ['c', 'zz'] })
    expect(o.status).toBe(422)
    expect(o.json).toMatchObject({ pointer: '/outputs/1', unknown: ['zz'] })
  })

  it('__proto__ and constructor as input ids pollute nothing', async () => {
    const r = await post('{"inputs": {"__proto__": {"polluted": true}, "a": 1}}')
    expect(r.status).toBe(422)
    expect(r.json.unknown).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // A model with a data node named `constructor` takes it like any other id.
    const c = await post('{"inputs": {"constructor": {"__proto__": {"polluted": true}}}, "outputs": ["echoed"]}')
    expect(c.status).toBe(200)
    expect(c.json.values).toEqual({ constructor: { ['__proto__']: { polluted: true } }, echoed: { ['__proto__']: { polluted: true } } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('424: a requested output not computed — the partial solution and the errors, without stack or path', async () => {
    const r = await post({ inputs: { a: 1 }, outputs: ['d'] })
    expect(r.status).toBe(424)
    expect(r.json).toMatchObject({ status: 424, values: { a: 1, b: 2, c: 3 }, missing: ['d'], detail: 'not computed: "d" (see errors)' })
    expect(r.json.errors).toEqual({ boom: "function 'boom' failed: Error: cannot open <path>" })
    clean(r.text)
  })

  it('504: the dispatch timeout expires — the partial solution', async () => {
    const r = await post({ inputs: { a: 1, ms: 2_000 }, options: { timeout: 50 } })
    expect(r.status).toBe(504)
    expect(r.json.values).toMatchObject({ a: 1, b: 2, ms: 2_000 })
    expect(r.json.values).not.toHaveProperty('waited')
    expect(r.json.detail).toMatch(/^the dispatch did not finish within 50 ms; the solution is partial/)
  })

  it('499: a client that goes away aborts the dispatch through its AbortSignal', async () => {
    slow.started = deferred()
    slow.aborted = deferred()
    const client = new AbortController()
    const request = fetch(`${server.url}/dispatch`, {
      method: 'POST',
      body: JSON.stringify({ inputs: { ms: 4_000 } }),
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'gone' },
      signal: client.signal,
    }).catch((e: unknown) => e)
    await slow.started.promise
    client.abort()
    expect(await request).toBeInstanceOf(Error)
    expect(await slow.aborted.promise).toBe(true)
    await expect.poll(() => logs.find((l) => l.requestId === 'gone')?.status).toBe(499)
  })

  it('streams progress as server-sent events, then the solution', async () => {
    const r = await post({ inputs: { a: 1 }, outputs: ['d'] }, { Accept: 'text/event-stream' })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = r.text
      .trim()
      .split('\n\n')
      .map((block) => {
        const line = (k: string) =>
          block
            .split('\n')
            .find((l) => l.startsWith(`${k}: `))
            ?.slice(k.length + 2)
        return { event: line('event'), data: JSON.parse(line('data') ?? 'null') as Record<string, unknown> }
      })
    expect(events.map((e) => `${e.event} ${String(e.data.node ?? e.data.status)}`)).toEqual([
      'start add',
      'finish add',
      'start boom',
      'fail boom',
      'solution 424',
    ])
    expect(events[3]!.data.error).toBe('cannot open <path>')
    expect(events.at(-1)!.data).toMatchObject({ values: { a: 1, b: 2, c: 3 }, missing: ['d'] })
    clean(r.text)
  })
})

describe('flowmark/server: the other endpoints', () => {
  it('404 for an unknown endpoint, as JSON with the request id', async () => {
    const r = await fetch(`${server.url}/nope`)
    expect(r.status).toBe(404)
    expect(await r.json()).toMatchObject({ status: 404, detail: 'no endpoint GET /nope; see GET /openapi.json' })
    expect(r.headers.get('x-request-id')).toBeTruthy()
  })

  it('GET /health and GET /model (the portable model)', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', model: 'calc', viewer: null })
    const doc = (await (await fetch(`${server.url}/model`)).json()) as { flowmark: number; nodes: { id: string; ref?: unknown }[] }
    expect(doc.flowmark).toBe(1)
    expect(doc.nodes.find((n) => n.id === 'add')?.ref).toBeNull()
  })

  it('without a viewer, / says how to get one and /model.svg answers 501', async () => {
    const page = await (await fetch(`${server.url}/`)).text()
    expect(page).toContain('npm install @flowmark/docs')
    const svg = await fetch(`${server.url}/model.svg`)
    expect(svg.status).toBe(501)
    expect(((await svg.json()) as { detail: string }).detail).toMatch(/npm install @flowmark\/docs/)
    expect((await fetch(`${server.url}/reference`)).status).toBe(501)
  })

  it("GET /openapi.json is a valid OpenAPI 3.1 document with the model's inputs, schemas and errors", async () => {
    // The document is walked by path below: typed loosely on purpose.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Record<string, any>
    const result = await new Validator().validate(doc)
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.components.schemas.Inputs.properties.a).toEqual({ type: 'number', description: 'The first term.' })
    expect(doc.components.schemas.Inputs.properties.b).toEqual({ default: 2 })
    expect(doc.components.schemas.DispatchRequest.properties.outputs.items.enum).toEqual([
      'a',
      'b',
      'c',
      'd',
      'ms',
      'waited',
      'constructor',
      'echoed',
    ])
    expect(Object.keys(doc.paths['/dispatch'].post.responses)).toEqual(['200', '400', '413', '415', '422', '424', '499', '500', '504'])
    expect(doc.paths['/dispatch'].post.requestBody.content['application/json'].example).toEqual({ inputs: { a: 1 } })
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const securedDoc = openApiDocument(model(), { bearer: true, schemas: { c: { type: 'integer' } } }) as Record<string, any>
    expect((await new Validator().validate(securedDoc)).valid).toBe(true)
    expect(securedDoc.security).toEqual([{ bearer: [] }])
    expect(securedDoc.components.schemas.Values.properties.c).toEqual({ type: 'integer' })
  })
})

describe('flowmark/server: security and setup', () => {
  it('401 without the bearer token, or with a wrong one; /health stays open', async () => {
    expect((await post({ inputs: {} }, {}, secured.url)).status).toBe(401)
    const wrong = await post({ inputs: {} }, { Authorization: 'Bearer wrong-token-here' }, secured.url)
    expect(wrong.status).toBe(401)
    expect(wrong.json.detail).toBe('the bearer token is not the one this service was started with')
    expect(wrong.headers.get('x-request-id')).toBeTruthy()
    expect((await post({ inputs: { a: 1 } }, { Authorization: 'Bearer correct-horse-battery' }, secured.url)).status).toBe(200)
    expect((await fetch(`${secured.url}/health`)).status).toBe(200)
  })

  it('CORS is off unless origins are configured', async () => {
    const pre = { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } }
    expect((await fetch(`${server.url}/dispatch`, pre)).headers.get('access-control-allow-origin')).toBeNull()
    expect((await fetch(`${secured.url}/dispatch`, pre)).headers.get('access-control-allow-origin')).toBe('https://app.example')
    const other = await fetch(`${secured.url}/health`, { headers: { Origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses bad options with a message naming them', () => {
    expect(() => createApp(model(), { timeout: -1 })).toThrow(ServerOptionError)
    expect(() => createApp(model(), { token: 'short' })).toThrow('`token` must be a string of at least 8 characters')
    expect(() => createApp({} as Dispatcher)).toThrow('the model must be a Dispatcher')
  })

  it('a missing optional package is an error that says what to install', async () => {
    const missing = 'flowmark-test-missing-peer'
    const err = await importPeer('hono', 'flowmark/server', () => import(/* @vite-ignore */ missing)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerSetupError)
    expect((err as Error).message).toMatch(
      /needs the package 'hono', which is not installed; install it beside flowmark: `npm install hono @hono\/node-server`/,
    )
  })

  it('redacts stack frames and paths from messages', () => {
    expect(redact("ENOENT: no such file or directory, open '/home/me/x.json'\n    at open (node:fs:1:1)")).toBe(
      "ENOENT: no such file or directory, open '<path>'",
    )
    expect(redact('see file:///C:/app/m.ts and C:\\app\\m.ts')).toBe('see <path> and <path>')
    expect(redact('ratio 1/2 is fine')).toBe('ratio 1/2 is fine')
  })
})

describe('flowmark serve', () => {
  it('serves a portable model until stopped', async () => {
    let out = ''
    let err = ''
    const stop = new AbortController()
    const listening = deferred<string>()
    const code = main(['serve', 'fixtures/portable-model/model.json', '--port', '0', '--viewer', 'none'], {
      stdout: {
        write: (t: string) => {
          out += t
          const m = /on (http:\/\/\S+?)\/ /.exec(out)
          if (m) listening.resolve(m[1]!)
        },
      },
      stderr: {
        write: (t: string) => {
          err += t
        },
      },
      cwd: new URL('../../', import.meta.url).pathname,
      signal: stop.signal,
    })
    const url = await Promise.race([
      listening.promise,
      code.then(() => {
        throw new Error(`serve ended: ${err}`)
      }),
    ])
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const r = await fetch(`${url}/dispatch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"inputs": {"price": 2.5, "quantity": 20}, "outputs": ["total"]}',
    })
    expect(r.status).toBe(200)
    expect(((await r.json()) as { values: { total: number } }).values.total).toBeCloseTo(54)
    stop.abort()
    expect(await code).toBe(0)
    expect(err).toBe('')
  })

  it('runs the function nodes on worker threads with --executor workers --workers N', async () => {
    let out = ''
    let err = ''
    const stop = new AbortController()
    const listening = deferred<string>()
    const args = ['serve', 'fixtures/workers/model.json', '--port', '0', '--viewer', 'none', '--executor', 'workers', '--workers', '1']
    const code = main(args, {
      stdout: {
        write: (t: string) => {
          out += t
          const m = /on (http:\/\/\S+?)\/ /.exec(out)
          if (m) listening.resolve(m[1]!)
        },
      },
      stderr: {
        write: (t: string) => {
          err += t
        },
      },
      cwd: new URL('../../', import.meta.url).pathname,
      signal: stop.signal,
    })
    const url = await Promise.race([
      listening.promise,
      code.then(() => {
        throw new Error(`serve ended: ${err}`)
      }),
    ])
    const r = await fetch(`${url}/dispatch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"inputs": {"text": "hi", "rounds": 10}, "outputs": ["thread"]}',
    })
    expect(r.status).toBe(200)
    // A worker's threadId: the main thread's is 0.
    expect(((await r.json()) as { values: { thread: number } }).values.thread).toBeGreaterThan(0)
    stop.abort()
    expect(await code).toBe(0)
    expect(err).toBe('')
    const bad = await main(['serve', 'fixtures/workers/model.json', '--workers', '2'], {
      stderr: { write: (t: string) => (err += t) },
      stdout: { write: () => 0 },
    })
    expect(bad).toBe(2)
    expect(err).toMatch(/^flowmark serve: --workers N goes with --executor workers/)
  })

  it('exits 2 on bad arguments', async () => {
    let err = ''
    const code = await main(['serve', 'fixtures/portable-model/model.json', '--port', 'x'], {
      stderr: {
        write: (t: string) => {
          err += t
        },
      },
      stdout: { write: () => 0 },
    })
    expect(code).toBe(2)
    expect(err).toMatch(/^flowmark serve: --port takes a port number from 0 to 65535, not 'x'/)
  })
})
