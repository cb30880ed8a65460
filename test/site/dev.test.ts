// `astro dev` with the integration: viewer served, a model edit re-runs the page's session, and a failing example
// opens Astro's error overlay at its Markdown position (checked in headless Chromium).
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { cp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { chromium, type Browser } from 'playwright-core'

process.env['ASTRO_TELEMETRY_DISABLED'] = '1'

const repo = fileURLToPath(new URL('../../', import.meta.url))
// A copy of the plain fixture, inside the repository (so `flowmark` and astro resolve) but gitignored.
const root = join(repo, 'test', 'site', '__actual__', 'dev-site')
const PORT = 4391
const base = `http://localhost:${PORT}`
const CHROMIUM = '/usr/bin/chromium'

let server: ChildProcess | undefined
let serverLog = ''
let browser: Browser | undefined

async function get(path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(base + path)
  return { status: r.status, body: await r.text() }
}

/** Poll a page until `ok` holds (dev restarts take a few seconds). */
async function until(path: string, ok: (r: { status: number; body: string }) => boolean, ms = 30_000): Promise<{ status: number; body: string }> {
  const end = Date.now() + ms
  let last = { status: 0, body: '' }
  while (Date.now() < end) {
    try {
      last = await get(path)
      if (ok(last)) return last
    } catch {
      // server restarting
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`timed out waiting for ${path}; last status ${last.status}: ${last.body.slice(0, 200)}\nserver log:\n${serverLog.slice(-2000)}`)
}

beforeAll(async () => {
  await rm(root, { recursive: true, force: true })
  await mkdir(root, { recursive: true })
  const fixture = join(repo, 'fixtures', 'astro-basic')
  await cp(join(fixture, 'src'), join(root, 'src'), { recursive: true })
  const config = await readFile(join(fixture, 'astro.config.mjs'), 'utf8')
  await writeFile(join(root, 'astro.config.mjs'), config.replace("'../../plugin/astro/index.ts'", "'../../../../plugin/astro/index.ts'"))
  // A child process: Astro's dev server does not serve pages inside Vitest (it checks process.env.VITEST).
  const env = { ...process.env }
  delete env['VITEST']
  delete env['VITEST_POOL_ID']
  delete env['VITEST_WORKER_ID']
  delete env['NODE_OPTIONS']
  server = spawn(process.execPath, [join(repo, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'dev', '--root', root, '--port', String(PORT)], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  server.stdout?.on('data', (d: Buffer) => { serverLog += d.toString() })
  server.stderr?.on('data', (d: Buffer) => { serverLog += d.toString() })
  await until('/', (r) => r.status !== 0, 60_000)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r))
    server.kill('SIGTERM')
    await exited
  }
})

describe('astro dev', () => {
  it('renders graphs and serves the viewer; pages without graphs reference none', async () => {
    const page = await until('/', (r) => r.status === 200)
    expect(page.body).toContain('<flowmark-graph')
    const js = page.body.match(/\/_flowmark\/viewer\.[0-9a-f]{10}\.js/)?.[0]
    const css = page.body.match(/\/_flowmark\/viewer\.[0-9a-f]{10}\.css/)?.[0]
    expect(js).toBeDefined()
    expect(css).toBeDefined()
    const script = await get(js as string)
    expect(script.status).toBe(200)
    expect(script.body).toContain('flowmark-graph')
    expect((await get(css as string)).status).toBe(200)
    expect((await get('/_flowmark/viewer.0000000000.js')).status).toBe(404)
    const plain = await until('/plain/', (r) => r.status === 200)
    expect(plain.body).not.toContain('_flowmark/')
  }, 60_000)

  it('editing an imported model re-runs the session; the failure opens the overlay at the Markdown line', async () => {
    const model = join(root, 'src', 'models', 'adder.ts')
    const original = await readFile(model, 'utf8')
    await writeFile(model, original.replace('defaultValue: 2', 'defaultValue: 3'))
    const failed = await until('/', (r) => r.status === 500)
    expect(failed.body).toContain('PageDoctestError')

    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed for the overlay check (CI installs Debian's chromium)`).toBe(true)
    {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      })
      const tab = await browser.newPage()
      await tab.goto(base + '/')
      const overlay = tab.locator('vite-error-overlay')
      await overlay.waitFor({ state: 'attached', timeout: 20_000 })
      await expect.poll(async () => overlay.evaluate((el) => el.shadowRoot?.textContent ?? ''), { timeout: 20_000 })
        .toMatch(/src\/pages\/index\.md:12:1 doctest-mismatch/)
      const shown = await overlay.evaluate((el) => el.shadowRoot?.textContent ?? '')
      expect(shown).toContain('index.md:20:1')
      expect(shown).toContain('+4')
    }

    await writeFile(model, original)
    const fixed = await until('/', (r) => r.status === 200)
    expect(fixed.body).toContain('<flowmark-graph')
  }, 90_000)

  it('editing the page re-runs its session', async () => {
    const file = join(root, 'src', 'pages', 'plain.md')
    const original = await readFile(file, 'utf8')
    await writeFile(file, original.replace('[ 2, 4, 6 ]', '[ 2, 4, 7 ]'))
    const failed = await until('/plain/', (r) => r.status === 500)
    expect(failed.body).toContain('PageDoctestError')
    await writeFile(file, original)
    await until('/plain/', (r) => r.status === 200)
  }, 60_000)
})
