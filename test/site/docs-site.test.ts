// Builds Flowmark's own docs (root astro.config.mjs, what `npm run docs` runs) and checks the output: every example
// passed, graphs only where drawn, the viewer files exist, the sidebar lists the pages, and Pagefind search answers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { join, extname } from 'node:path'
import { build } from 'astro'
import { chromium } from 'playwright-core'

process.env['ASTRO_TELEMETRY_DISABLED'] = '1'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const out = join(repo, 'dist', 'site')
const CHROMIUM = '/usr/bin/chromium'
let buildMs = 0

async function htmlFiles(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== '_astro' && entry.name !== 'pagefind') found.push(...await htmlFiles(path))
    else if (entry.name.endsWith('.html')) found.push(path)
  }
  return found
}

let server: Server | undefined
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' }

beforeAll(async () => {
  const t0 = performance.now()
  await build({ root: repo, logLevel: 'error' })
  buildMs = Math.round(performance.now() - t0)
  console.log(`docs site built in ${buildMs} ms`)
}, 300_000)

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
})

describe('docs site (npm run docs)', () => {
  it('builds every page; graphs and the viewer only on pages that draw', async () => {
    const pages = await htmlFiles(out)
    expect(pages.length).toBeGreaterThan(5)
    let withGraph = 0
    for (const file of pages) {
      const html = await readFile(file, 'utf8')
      const graphs = (html.match(/<flowmark-graph\b/g) ?? []).length
      const viewer = (html.match(/<script type="module" src="\/_flowmark\/viewer\.[0-9a-f]{10}\.js"/g) ?? []).length
      expect(viewer, file).toBe(graphs > 0 ? 1 : 0)
      expect(html, file).not.toContain('flowmark-dispatcher__error')
      if (graphs > 0) withGraph++
    }
    expect(withGraph).toBeGreaterThan(0)
    const assets = await readdir(join(out, '_flowmark'))
    expect(assets.filter((f) => f.endsWith('.js'))).toHaveLength(1)
    expect(assets.filter((f) => f.endsWith('.css'))).toHaveLength(1)
  })

  it('the sidebar lists every docs page', async () => {
    const home = await readFile(join(out, 'start', 'getting-started', 'index.html'), 'utf8')
    const docs = join(repo, 'site', 'content', 'docs')
    const sources = (await readdir(docs, { recursive: true })).filter((f) => /\.(md|mdx)$/.test(f) && f.includes('/'))
    for (const source of sources) {
      const slug = source.replace(/\.(md|mdx)$/, '').replace(/\/index$/, '')
      expect(home, source).toContain(`href="/${slug}/"`)
    }
  })

  it('Pagefind search finds pages', async () => {
    expect(existsSync(join(out, 'pagefind', 'pagefind.js'))).toBe(true)
    server = createServer((req, res) => {
      let path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')
      if (path.endsWith('/')) path += 'index.html'
      const file = join(out, path)
      readFile(file).then(
        (body) => { res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream'); res.end(body) },
        () => { res.statusCode = 404; res.end() },
      )
    })
    await new Promise<void>((r) => server?.listen(4394, r))
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
    try {
      const page = await browser.newPage()
      await page.goto('http://localhost:4394/start/getting-started/', { waitUntil: 'networkidle' })
      await page.click('button[data-open-modal]')
      await page.keyboard.type('dispatcher')
      await page.waitForSelector('.pagefind-ui__result', { timeout: 20_000 })
      expect(await page.locator('.pagefind-ui__result').count()).toBeGreaterThan(0)
      // The graph viewer defines its element on a page that draws.
      await page.goto('http://localhost:4394/start/getting-started/', { waitUntil: 'networkidle' })
      expect(await page.evaluate(() => customElements.get('flowmark-graph') !== undefined)).toBe(true)
    } finally {
      await browser.close()
    }
  }, 60_000)
})
