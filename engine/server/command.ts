// `flowmark serve <model>`: parses the serve options, loads the model and a viewer provider, runs the server until stopped.
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { Dispatcher } from '../dispatcher.ts'
import { parseRef } from '../ref.ts'
import { createApp, type ServerOptions } from './app.ts'
import { serve } from './node.ts'
import { DEFAULT_VIEWER } from './usage.ts'
import type { ViewerProvider } from './viewer.ts'

/** What `flowmark serve` needs from the command line around it. */
export interface ServeCommandIO {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** Loads the model named on the command line (as `flowmark run` does). */
  readonly load: (target: string) => Promise<Dispatcher>
  /** Throws the command line's usage error (exit code 2) with this message. */
  readonly usage: (message: string) => never
  /** Stops the server when aborted (besides SIGINT and SIGTERM). */
  readonly signal?: AbortSignal
}

function number(
  io: ServeCommandIO,
  flag: string,
  text: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (text === undefined) return undefined
  const n = text === 'Infinity' ? Infinity : Number(text)
  if (!check(n)) io.usage(`--${flag} takes ${what}, not '${text}'`)
  return n
}

/** Imports a viewer provider from `module#export` (a function returning the provider, or the provider itself). */
async function loadViewer(spec: string, io: ServeCommandIO, explicit: boolean): Promise<ViewerProvider | undefined> {
  const ref = (() => {
    try {
      return parseRef(spec.includes('#') ? spec : `${spec}#viewer`)
    } catch (e) {
      return io.usage(`--viewer takes module#export (e.g. ${DEFAULT_VIEWER}) or none: ${(e as Error).message}`)
    }
  })()
  const looksLikePath = ref.module.startsWith('.') || isAbsolute(ref.module)
  let ns: Record<string, unknown>
  try {
    ns = (await import(looksLikePath ? pathToFileURL(resolve(io.cwd, ref.module)).href : ref.module)) as Record<string, unknown>
  } catch (e) {
    const code = (e as { code?: unknown }).code
    if (!explicit && (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')) return undefined
    return io.usage(`cannot load the viewer '${ref.module}': ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  }
  const made = ns[ref.export]
  const viewer = typeof made === 'function' ? await (made as () => unknown)() : made
  if (
    typeof viewer !== 'object' ||
    viewer === null ||
    typeof (viewer as ViewerProvider).page !== 'function' ||
    typeof (viewer as ViewerProvider).svg !== 'function'
  ) {
    return io.usage(`'${spec}' is not a viewer provider (an object with page() and svg(), or a function returning one)`)
  }
  return viewer as ViewerProvider
}

/** Runs `flowmark serve` with the arguments after `serve`; resolves with the exit code once the server has stopped. */
export async function serveCommand(args: readonly string[], io: ServeCommandIO): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        cors: { type: 'string' },
        timeout: { type: 'string' },
        'body-limit': { type: 'string' },
        concurrency: { type: 'string' },
        executor: { type: 'string' },
        workers: { type: 'string' },
        viewer: { type: 'string' },
        title: { type: 'string' },
        log: { type: 'boolean' },
      },
    })
  } catch (e) {
    return io.usage((e as Error).message)
  }
  const { values: v, positionals } = parsed
  if (positionals.length !== 1) io.usage(`serve takes one model (a .json file or module#export), got ${positionals.length}`)
  const port = number(io, 'port', v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number from 0 to 65535') ?? 3000
  const timeout = number(io, 'timeout', v.timeout, (n) => Number.isFinite(n) && n > 0, 'a positive number of milliseconds')
  const bodyLimit = number(io, 'body-limit', v['body-limit'], (n) => Number.isInteger(n) && n > 0, 'a positive whole number of bytes')
  const concurrency = number(
    io,
    'concurrency',
    v.concurrency,
    (n) => n === Infinity || (Number.isInteger(n) && n >= 1),
    'a whole number of calls, at least 1 (or Infinity)',
  )
  if (v.executor !== undefined && v.executor !== 'async' && v.executor !== 'workers')
    io.usage(`--executor takes 'async' (calls run in this process) or 'workers' (on worker threads), not '${v.executor}'`)
  if (v.workers !== undefined && v.executor !== 'workers') io.usage('--workers N goes with --executor workers')
  const workers = number(io, 'workers', v.workers, (n) => Number.isInteger(n) && n >= 1, 'a whole number of threads, at least 1')
  const token = v.token ?? io.env.FLOWMARK_TOKEN
  const options: { -readonly [K in keyof ServerOptions]: ServerOptions[K] } = {}
  if (token !== undefined && token !== '') options.token = token
  if (v.cors !== undefined)
    options.cors =
      v.cors === '*'
        ? '*'
        : v.cors
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
  if (timeout !== undefined) options.timeout = timeout
  if (bodyLimit !== undefined) options.bodyLimit = bodyLimit
  if (concurrency !== undefined) options.concurrency = concurrency
  if (v.title !== undefined) options.title = v.title
  if (v.log === true) options.onLog = (e) => io.stderr.write(`${e.method} ${e.path} ${e.status} ${e.ms.toFixed(1)} ms ${e.requestId}\n`)
  const model = await io.load(positionals[0]!)
  const viewer = v.viewer === 'none' ? undefined : await loadViewer(v.viewer ?? DEFAULT_VIEWER, io, v.viewer !== undefined)
  if (viewer !== undefined) options.viewer = viewer
  // The worker pool is loaded only when asked for (it needs the optional package piscina) and closed with the server.
  const pool =
    v.executor === 'workers'
      ? (await import('../workers/index.ts')).createWorkerExecutor(workers === undefined ? {} : { size: workers })
      : undefined
  if (pool !== undefined) options.executor = pool
  const app = createApp(model, options)
  const server = await serve(app, { port, ...(v.host === undefined ? {} : { host: v.host }) }).catch((e: unknown) => {
    const code = (e as { code?: unknown }).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return io.usage(
        `cannot listen on ${v.host ?? '127.0.0.1'}:${port} (${String(code)}${code === 'EADDRINUSE' ? ': another process uses this port; pick another with --port' : ''})`,
      )
    }
    throw e
  })
  io.stdout.write(
    `flowmark serve: ${positionals[0]} on ${server.url}/ (API: ${server.url}/openapi.json` +
      `${viewer === undefined ? '' : `, reference: ${server.url}/reference`}${options.token === undefined ? '' : '; bearer token required'})\n`,
  )
  if (viewer === undefined && v.viewer !== 'none') {
    io.stderr.write(`flowmark serve: no graph viewer (install @flowmark/docs for / and /model.svg: npm install @flowmark/docs)\n`)
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      io.signal?.removeEventListener('abort', stop)
      done()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    if (io.signal?.aborted === true) stop()
    else io.signal?.addEventListener('abort', stop)
  })
  await server.close()
  await pool?.close()
  return 0
}
