// `astro dev` with the integration, on copies of the plain-Astro and Starlight fixtures: viewer served, a model edit
// re-runs the page's session, and a failing example opens Astro's error overlay at its Markdown line (Chromium).
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { cp, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../e2e/helpers/browser.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))

interface Site {
  readonly name: string
  readonly port: number
  /** Page file (relative to the copy) with the graph, and the lines of its two transcripts' checked statements. */
  readonly graphPage: string
  readonly lines: readonly [number, number]
  readonly plainPage: string
  /** Content-collection pages keep rendering (Astro's loader would drop them) and report through the overlay channel. */
  readonly collection: boolean
}

const SITES: readonly Site[] = [
  { name: 'astro-basic', port: 4391, graphPage: 'src/pages/index.md', lines: [12, 20], plainPage: 'src/pages/plain.md', collection: false },
  {
    name: 'starlight-basic',
    port: 4392,
    graphPage: 'src/content/docs/index.md',
    lines: [15, 23],
    plainPage: 'src/content/docs/plain.md',
    collection: true,
  },
]

for (const site of SITES) {
  describe(`astro dev (${site.name})`, () => {
    // A copy inside the repository (so `flowmark` and astro resolve) but gitignored.
    const root = join(repo, 'test', 'site', '__actual__', `dev-${site.name}`)
    const base = `http://localhost:${site.port}`
    let server: ChildProcess | undefined
    let log = ''
    let browser: Browser | undefined

    const get = async (path: string): Promise<{ status: number; body: string }> => {
      const r = await fetch(base + path)
      return { status: r.status, body: await r.text() }
    }
    /** Poll until `ok` holds (dev restarts take a few seconds). */
    const until = async (what: string, ok: () => Promise<boolean>, ms = 40_000): Promise<void> => {
      const end = Date.now() + ms
      while (Date.now() < end) {
        try {
          if (await ok()) return
        } catch {
          // server restarting
        }
        await new Promise((r) => setTimeout(r, 300))
      }
      throw new Error(`timed out waiting for ${what}\nserver log:\n${log.slice(-3000)}`)
    }
    const overlayText = async (path: string, pattern: RegExp): Promise<string> => {
      browser ??= await launchBrowser()
      const tab = await browser.newPage()
      try {
        await tab.goto(base + path)
        const overlay = tab.locator('vite-error-overlay')
        await overlay.waitFor({ state: 'attached', timeout: 30_000 })
        await expect.poll(async () => overlay.evaluate((el) => el.shadowRoot?.textContent ?? ''), { timeout: 20_000 }).toMatch(pattern)
        return await overlay.evaluate((el) => el.shadowRoot?.textContent ?? '')
      } finally {
        await tab.close()
      }
    }

    beforeAll(async () => {
      await rm(root, { recursive: true, force: true })
      await mkdir(root, { recursive: true })
      const fixture = join(repo, 'fixtures', site.name)
      await cp(join(fixture, 'src'), join(root, 'src'), { recursive: true })
      const config = await readFile(join(fixture, 'astro.config.mjs'), 'utf8')
      await writeFile(
        join(root, 'astro.config.mjs'),
        config.replace("'../../plugin/astro/index.ts'", "'../../../../plugin/astro/index.ts'"),
      )
      // A child process: Astro's dev server serves no pages inside Vitest (it checks process.env.VITEST).
      const env: NodeJS.ProcessEnv = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' }
      for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key]
      server = spawn(
        process.execPath,
        [
          '--conditions=source',
          join(repo, 'node_modules', 'astro', 'bin', 'astro.mjs'),
          'dev',
          '--root',
          root,
          '--port',
          String(site.port),
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      server.stdout?.on('data', (d: Buffer) => {
        log += d.toString()
      })
      server.stderr?.on('data', (d: Buffer) => {
        log += d.toString()
      })
      await until('the dev server', async () => (await get('/')).status === 200, 90_000)
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      if (server?.pid !== undefined && server.exitCode === null) {
        const exited = new Promise((r) => server?.once('exit', r))
        server.kill('SIGTERM')
        await exited
      }
    })

    it('renders graphs and serves the viewer; pages without graphs reference none', async () => {
      const page = await get('/')
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
      const plain = await get('/plain/')
      expect(plain.status).toBe(200)
      expect(plain.body).not.toContain('_flowmark/')
    }, 60_000)

    it('editing an imported model re-runs the session; the failure opens the overlay at the Markdown line', async () => {
      const model = join(root, 'src', 'models', 'adder.ts')
      const original = await readFile(model, 'utf8')
      const mark = log.length
      await writeFile(model, original.replace('=> a + b,', '=> a + b + 1,'))
      const [first, second] = site.lines
      const where = new RegExp(`${site.graphPage.replace(/[./]/g, '\\$&')}:${first}:1 doctest-mismatch`)
      if (site.collection) await until('the re-run', async () => where.test(log.slice(mark)))
      else await until('the failing page', async () => (await get('/')).status === 500)
      const shown = await overlayText('/', where)
      expect(shown).toContain(`:${second}:1`)
      expect(shown).toContain('+4')
      // The .mdx page imports the same model; Vite compiles it, so its module is invalidated and it fails too.
      await until('the failing MDX page', async () => {
        const r = await get('/mdx-page/')
        // (@astrojs/mdx wraps the error as an MDXError, keeping its message and position.)
        return r.status === 500 && /PageDoctestError|MDXError/.test(r.body)
      })

      const restored = log.length
      await writeFile(model, original)
      // Content collections: wait for the re-sync to finish (it re-attaches the file watchers of the collection).
      if (site.collection) await until('the re-sync', async () => /re-running the examples[\s\S]*Synced content/.test(log.slice(restored)))
      await until('the fixed pages', async () => {
        const [md, mdx] = [await get('/'), await get('/mdx-page/')]
        return md.status === 200 && md.body.includes('<flowmark-graph') && mdx.status === 200 && mdx.body.includes('<flowmark-graph')
      })
    }, 120_000)

    it('editing the page re-runs its session', async () => {
      const file = join(root, site.plainPage)
      const original = await readFile(file, 'utf8')
      const mark = log.length
      // Saved the way editors save atomically: a file written in place is empty for a moment, and the content
      // loader may read it then (a schema error) and not again on a loaded machine.
      const save = async (text: string): Promise<void> => {
        await writeFile(`${file}.tmp`, text)
        await rename(`${file}.tmp`, file)
      }
      await save(original.replace('[ 2, 4, 6 ]', '[ 2, 4, 7 ]'))
      const where = new RegExp(`${site.plainPage.replace(/[./]/g, '\\$&')}:\\d+:1 doctest-mismatch`)
      if (site.collection) await until('the re-run', async () => where.test(log.slice(mark)))
      else await until('the failing page', async () => (await get('/plain/')).status === 500)
      await overlayText('/plain/', where)
      await save(original)
      await until('the fixed page', async () => (await get('/plain/')).status === 200)
    }, 90_000)
  })
}
