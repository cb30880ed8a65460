// Builds the fixture sites across {unified, Sätteri} × {plain Astro, Starlight} (each site holds .md and .mdx pages)
// with Astro's programmatic build(), and checks the HTML: graphs with SVG, doctest output, viewer only where needed.
import { describe, it, expect, beforeAll } from 'vitest'
import { readFile, readdir, mkdir, writeFile, rm, cp } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { build } from 'astro'

process.env['ASTRO_TELEMETRY_DISABLED'] = '1'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string): string => join(repo, 'fixtures', name)
const PROCESSORS = ['satteri', 'unified'] as const
type Processor = (typeof PROCESSORS)[number]
const times: Record<string, number> = {}

/** Build a fixture with one processor; returns the wall time in ms. */
async function buildSite(site: string, processor: Processor): Promise<number> {
  process.env['FLOWMARK_PROCESSOR'] = processor
  const root = fixture(site)
  await rm(join(root, 'dist', processor), { recursive: true, force: true })
  const t0 = performance.now()
  try {
    await build({ root, logLevel: 'error' })
  } finally {
    delete process.env['FLOWMARK_PROCESSOR']
  }
  const ms = Math.round(performance.now() - t0)
  times[`${site} (${processor})`] = ms
  return ms
}

const page = (site: string, processor: Processor, route: string): Promise<string> =>
  readFile(join(fixture(site), 'dist', processor, route, 'index.html'), 'utf8')

/** Visible text of some HTML (tags dropped, entities of the transcripts decoded). */
function text(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}

/** The `src` of every script a page loads and the `href` of every stylesheet. */
function loadedFiles(html: string): string[] {
  const out: string[] = []
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) out.push(m[1] as string)
  for (const m of html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"|<link\b[^>]*href="([^"]+)"[^>]*rel="stylesheet"/g))
    out.push((m[1] ?? m[2]) as string)
  return out
}

/** Does any script the page loads (inline or by file) define the `<flowmark-graph>` element? */
async function loadsViewer(site: string, processor: Processor, html: string): Promise<boolean> {
  const inline = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string)
  if (inline.some((s) => s.includes('flowmark-graph'))) return true
  for (const src of loadedFiles(html)) {
    if (!src.startsWith('/')) continue
    const file = join(fixture(site), 'dist', processor, src)
    if (existsSync(file) && /["'`]flowmark-graph["'`]/.test(await readFile(file, 'utf8'))) return true
  }
  return false
}

function checkGraphPage(html: string, expectedOutputs: readonly string[]): void {
  // One figure per directive, holding the renderer's element with an inline SVG (laid out at build time).
  expect(html.match(/<figure class="flowmark-dispatcher[^"]*"/g)?.length).toBe(1)
  expect(html).toMatch(/<flowmark-graph\b[^>]*>[\s\S]*<svg\b[\s\S]*<\/svg>[\s\S]*<\/flowmark-graph>/)
  expect(html).not.toContain('flowmark-dispatcher__error')
  // The transcripts are shown with their (checked) output.
  // (Expressive Code, Starlight's highlighter, writes one element per line: no newline between the lines.)
  const shown = text(html)
  for (const out of expectedOutputs) {
    const [statement, output] = out.split('\n') as [string, string]
    const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    expect(shown).toMatch(new RegExp(`${escape(statement)}\\s*${escape(output)}(?![0-9])`))
  }
  // The viewer is referenced exactly once.
  expect(html.match(/<script type="module" src="\/_flowmark\/viewer\.[0-9a-f]{10}\.js"/g)?.length).toBe(1)
  expect(html.match(/<link rel="stylesheet" href="\/_flowmark\/viewer\.[0-9a-f]{10}\.css"/g)?.length).toBe(1)
  // No directive source leaks into the page.
  expect(shown).not.toContain(':::dispatcher{')
}

for (const processor of PROCESSORS) {
  describe(`plain Astro, ${processor}`, () => {
    const site = 'astro-basic'
    beforeAll(async () => {
      await buildSite(site, processor)
    }, 180_000)

    it('.md page: graph with SVG, doctest output shown, viewer once', async () => {
      const html = await page(site, processor, '')
      checkGraphPage(html, ["> model.dispatch({ a: 1 }).get('c')\n3", "> model.dispatch({ a: 40 }).get('c')\n42"])
      expect(await loadsViewer(site, processor, html)).toBe(true)
    })

    it('.mdx page: graph with SVG, doctest output shown, MDX expressions intact', async () => {
      const html = await page(site, processor, 'mdx-page')
      checkGraphPage(html, ["> model.dispatch({ a: 5, b: 5 }).get('c')\n10", "> model.dispatch({ a: 1, b: 1 }).get('c')\n2"])
      expect(text(html)).toContain('MDX expressions still work.')
    })

    it('page without graphs loads no viewer script or style', async () => {
      const html = await page(site, processor, 'plain')
      expect(text(html)).toContain('[ 2, 4, 6 ]')
      // The `setup` fence ran (the transcript uses `factor`) but is not shown.
      expect(text(html)).toContain('x * factor')
      expect(text(html)).not.toContain('hidden setup code')
      expect(html).not.toContain('_flowmark/')
      expect(html).not.toContain('<flowmark-graph')
      expect(await loadsViewer(site, processor, html)).toBe(false)
    })

    it('writes the viewer files the pages reference', async () => {
      const html = await page(site, processor, '')
      for (const src of loadedFiles(html).filter((s) => s.startsWith('/_flowmark/'))) {
        const body = await readFile(join(fixture(site), 'dist', processor, src), 'utf8')
        expect(body.length).toBeGreaterThan(100)
      }
      const js = (await readdir(join(fixture(site), 'dist', processor, '_flowmark'))).filter((f) => f.endsWith('.js'))
      expect(js).toHaveLength(1)
      expect(await readFile(join(fixture(site), 'dist', processor, '_flowmark', js[0] as string), 'utf8')).toContain('flowmark-graph')
    })
  })

  describe(`Starlight, ${processor}`, () => {
    const site = 'starlight-basic'
    beforeAll(async () => {
      await buildSite(site, processor)
    }, 180_000)

    it('.md page: graph, caption, doctest output; Starlight asides and text directives untouched', async () => {
      const html = await page(site, processor, '')
      checkGraphPage(html, ["> model.dispatch({ a: 1 }).get('c')\n3", "> model.dispatch({ a: 40 }).get('c')\n42"])
      expect(html).toMatch(/<figcaption[^>]*class="flowmark-dispatcher__caption"[^>]*>The adder model<\/figcaption>/)
      expect(html).toContain('starlight-aside--note')
      expect(text(html)).toContain('the meeting is at 10:30.')
    })

    it('.mdx page: graph and doctest output next to a Starlight component', async () => {
      const html = await page(site, processor, 'mdx-page')
      checkGraphPage(html, ["> model.dispatch({ a: 5, b: 5 }).get('c')\n10", "> model.dispatch({ a: 1, b: 1 }).get('c')\n2"])
      expect(html).toContain('sl-badge')
    })

    it("page without graphs loads no viewer script or style (Starlight's own scripts only)", async () => {
      const html = await page(site, processor, 'plain')
      expect(text(html)).toContain('[ 2, 4, 6 ]')
      expect(text(html)).not.toContain('hidden setup code')
      expect(html).not.toContain('_flowmark/')
      expect(await loadsViewer(site, processor, html)).toBe(false)
      // Measured: what the page loads, against the graph page of the same build.
      const graph = await page(site, processor, '')
      const plainFiles = loadedFiles(html)
      const graphFiles = loadedFiles(graph)
      expect(graphFiles.filter((f) => !plainFiles.includes(f)).every((f) => f.startsWith('/_flowmark/'))).toBe(true)
      expect(plainFiles.filter((f) => f.startsWith('/_flowmark/'))).toEqual([])
    })
  })
}

describe('failing examples', () => {
  for (const processor of PROCESSORS) {
    it(`fail the build and list every failure by file:line (${processor})`, async () => {
      let error: unknown
      try {
        await buildSite('astro-broken', processor)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(Error)
      const message = (error as Error).message
      expect(message).toContain('2 examples failed in 2 pages')
      expect(message).toMatch(/src\/pages\/index\.md:9:1 doctest-mismatch/)
      expect(message).toMatch(/src\/pages\/second\.mdx:8:1 doctest-error/)
      expect(message).toContain('-4\n')
    }, 180_000)
  }
})

describe('doctest modes', () => {
  for (const mode of ['warn', 'off'] as const) {
    it(`doctest: '${mode}' builds the broken fixture`, async () => {
      process.env['FLOWMARK_DOCTEST'] = mode
      try {
        await buildSite('astro-broken', 'satteri')
      } finally {
        delete process.env['FLOWMARK_DOCTEST']
      }
      expect(text(await page('astro-broken', 'satteri', ''))).toContain('> xs.length')
    }, 180_000)
  }
})

describe('content cache', () => {
  for (const processor of PROCESSORS) {
    it(`warm builds re-run only what changed: nothing, then the pages that load an edited model (${processor})`, async () => {
      // A copy of the Starlight fixture (content collection: Astro caches its rendered Markdown by page digest, and
      // hands the processor the body without its frontmatter). index.md and mdx-page.mdx import models/adder.ts,
      // plain.md imports nothing.
      const root = join(repo, 'test', 'site', '__actual__', `stale-starlight-${processor}`)
      await rm(root, { recursive: true, force: true })
      await mkdir(root, { recursive: true })
      await cp(join(fixture('starlight-basic'), 'src'), join(root, 'src'), { recursive: true })
      const config = await readFile(join(fixture('starlight-basic'), 'astro.config.mjs'), 'utf8')
      await writeFile(
        join(root, 'astro.config.mjs'),
        config.replace("'../../plugin/astro/index.ts'", "'../../../../plugin/astro/index.ts'"),
      )
      const stateFile = join(root, 'node_modules', '.cache', 'flowmark', 'doctest', 'build-state.json')
      const lastRun = async (): Promise<{ status: string; ran: string[]; reused: string[] }> => {
        const state = JSON.parse(await readFile(stateFile, 'utf8')) as { status: string; lastRun: { ran: string[]; reused: string[] } }
        const rel = (files: string[]): string[] => files.map((f) => f.slice(root.length + 1)).sort()
        return { status: state.status, ran: rel(state.lastRun.ran), reused: rel(state.lastRun.reused) }
      }
      const viewerExists = async (): Promise<boolean> => {
        const html = await readFile(join(root, 'dist', processor, 'index.html'), 'utf8')
        const src = /<script type="module" src="(\/_flowmark\/viewer\.[0-9a-f]{10}\.js)"/.exec(html)?.[1]
        return src !== undefined && existsSync(join(root, 'dist', processor, src))
      }
      const pages = ['src/content/docs/index.md', 'src/content/docs/mdx-page.mdx', 'src/content/docs/plain.md']
      process.env['FLOWMARK_PROCESSOR'] = processor
      try {
        await build({ root, logLevel: 'error' })
        expect(await readFile(join(root, 'dist', processor, 'index.html'), 'utf8')).toContain('<flowmark-graph')
        expect(await lastRun()).toEqual({ status: 'passed', ran: pages, reused: [] })

        // Nothing changed: no session runs. Astro's content cache serves the .md pages (they never reach the plugin);
        // MDX is compiled by Vite on every build, so mdx-page.mdx reaches it and gets its results from Flowmark's
        // cache. The pages and the viewer files are all there.
        await rm(join(root, 'dist', processor), { recursive: true, force: true })
        await build({ root, logLevel: 'error' })
        expect(await lastRun()).toEqual({ status: 'passed', ran: [], reused: [pages[1]] })
        expect(await readFile(join(root, 'dist', processor, 'index.html'), 'utf8')).toContain('<flowmark-graph')
        expect(await viewerExists()).toBe(true)

        // The model changed: the two pages that import it run again (and fail at their file lines); plain.md does not.
        const model = join(root, 'src', 'models', 'adder.ts')
        const original = await readFile(model, 'utf8')
        await writeFile(model, original.replace('defaultValue: 2', 'defaultValue: 3'))
        const t0 = performance.now()
        await expect(build({ root, logLevel: 'error' })).rejects.toThrow(
          /src\/content\/docs\/index\.md:15:1 doctest-mismatch[\s\S]*index\.md:23:1 doctest-mismatch/,
        )
        times[`starlight-basic copy, rebuild after a model edit (${processor})`] = Math.round(performance.now() - t0)
        expect(await lastRun()).toEqual({ status: 'failed', ran: pages.slice(0, 2), reused: pages.slice(2) })

        // Back to the original model: after the failed build every page is rendered again, and none runs. index.md
        // failed against the edited model (failures are never stored); mdx-page.mdx passed against it, and keeps its
        // result for the original model beside the new one (a page keeps its latest few).
        await writeFile(model, original)
        await build({ root, logLevel: 'error' })
        expect(await lastRun()).toEqual({ status: 'passed', ran: [], reused: pages })
      } finally {
        delete process.env['FLOWMARK_PROCESSOR']
      }
    }, 400_000)
  }
})

describe('build times', () => {
  it('are recorded', async () => {
    const dir = join(repo, 'test', 'site', '__actual__')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'build-times.json'), JSON.stringify(times, null, 2) + '\n')
    console.log('fixture build times (ms):', times)
    expect(Object.keys(times).length).toBeGreaterThan(0)
  })
})
