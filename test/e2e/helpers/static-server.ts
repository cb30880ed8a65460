// A tiny static file server (node:http) for e2e tests of a built site: directory URLs serve index.html, misses 404.html.
import { createServer, type Server } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { AddressInfo } from 'node:net'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
}

/** A running static server: its base URL (`http://127.0.0.1:<port>`), every path it answered 404, and `close()`. */
export interface StaticServer {
  /** Base URL without a trailing slash. */
  readonly url: string
  /** Request paths that were not found (each answered 404). */
  readonly misses: string[]
  /** Stops the server. */
  close(): Promise<void>
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/**
 * Serves `dir` on 127.0.0.1 at a free port. `/a/b/` and `/a/b` serve `a/b/index.html`; unknown paths get the site's
 * `404.html` (if any) with status 404. Paths never leave `dir`.
 * @param dir The built site (Astro's `outDir`).
 */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = normalize(dir + sep)
  const misses: string[] = []
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
      const file = normalize(join(root, path))
      const candidates = file.startsWith(root) ? [file, join(file, 'index.html')] : []
      for (const c of candidates) {
        if (await isFile(c)) {
          res.writeHead(200, { 'content-type': TYPES[extname(c).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-store' })
          res.end(await readFile(c))
          return
        }
      }
      misses.push(path)
      const notFound = join(root, '404.html')
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
      res.end((await isFile(notFound)) ? await readFile(notFound) : 'not found')
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(String(e))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    misses,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
