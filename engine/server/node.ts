// `serve(app)`: runs a `createApp` app on Node's HTTP server (through @hono/node-server), on 127.0.0.1 by default.
import type { AddressInfo } from 'node:net'
import { ServerOptionError } from './errors.ts'
import { importPeer } from './peers.ts'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port (default 3000; 0 picks a free one). */
  readonly port?: number
  /** Address to bind (default `127.0.0.1`: only this machine). Give `0.0.0.0` or `::` to accept other machines. */
  readonly host?: string
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  readonly url: string
  /** The port bound (useful with `port: 0`). */
  readonly port: number
  /** Stops accepting connections, ends idle ones, and resolves when the server is closed. */
  close(): Promise<void>
}

/**
 * Starts `app` (from `createApp`, or any object with a `fetch(request)` method) on Node's HTTP server and resolves
 * once it listens. Needs the optional package `@hono/node-server`.
 */
export async function serve(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: ServeOptions = {},
): Promise<RunningServer> {
  const port = options.port ?? 3000
  const host = options.host ?? '127.0.0.1'
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ServerOptionError(`serve: \`port\` must be a whole number from 0 to 65535; got ${JSON.stringify(port)}`)
  if (typeof host !== 'string' || host === '')
    throw new ServerOptionError(`serve: \`host\` must be an address such as 127.0.0.1; got ${JSON.stringify(host)}`)
  const node = await importPeer('@hono/node-server', 'serve() of flowmark/server', () => import('@hono/node-server'))
  return new Promise((resolve, reject) => {
    const server = node.serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject)
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address
      resolve({
        url: `http://${shown}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err === undefined ? done() : fail(err)))
            ;(server as { closeIdleConnections?: () => void }).closeIdleConnections?.()
          }),
      })
    })
    server.once('error', reject)
  })
}
