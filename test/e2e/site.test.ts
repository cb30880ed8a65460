// The built docs site in headless Chromium: graphs render and navigate, dark mode, keyboard, Pagefind, clean consoles.
import { execFile } from 'node:child_process'
import { existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { launchBrowser } from './helpers/browser.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import { serveStatic, type StaticServer } from './helpers/static-server.ts'

const run = promisify(execFile)

const repo = fileURLToPath(new URL('../../', import.meta.url))
const shots = fileURLToPath(new URL('./__actual__/', import.meta.url))
const CONTENT = 'site/content/docs/'
/** Set to a built site (e.g. `dist/site` after `npm run docs`) to test it instead of building one. */
const PREBUILT = process.env['FLOWMARK_E2E_SITE']

/** A docs page: its source, its URL path, and how many graphs its directives draw. */
interface SitePage {
  readonly file: string
  readonly route: string
  readonly graphs: number
}

/** A page of the docs from its file below site/content/docs, with its route as Starlight writes it. */
function sitePage(file: string): SitePage {
  const slug = file
    .slice(CONTENT.length)
    .replace(/\.mdx?$/, '')
    .replace(/(^|\/)index$/, '')
  const { request } = pageSession(readFileSync(join(repo, file), 'utf8'), join(repo, file))
  return { file, route: slug === '' ? '/' : `/${slug.toLowerCase()}/`, graphs: request.blocks.filter((b) => b.kind === 'draw').length }
}

/** The hand-written pages (`start/tutorial.md` → `/start/tutorial/`), but the 404 page (written as `/404.html`). */
const pages: SitePage[] = globSync([`${CONTENT}**/*.md`, `${CONTENT}**/*.mdx`], { cwd: repo, exclude: [`${CONTENT}404.md`] })
  .sort()
  .map(sitePage)
/** The generated API pages (served by a content loader, so found in the built site); {@link API_SAMPLE} are visited. */
let apiPages: SitePage[] = []

/** The API pages of the built site: `api/…/index.html` files, with the graphs each draws. */
function builtApiPages(): SitePage[] {
  return globSync('api/**/index.html', { cwd: outDir })
    .sort()
    .map((f) => {
      const route = `/${f
        .split(sep)
        .join('/')
        .replace(/index\.html$/, '')}`
      const html = readFileSync(join(outDir, f), 'utf8')
      // Each drawing is a <figure class="flowmark-dispatcher"> (`<flowmark-graph>` may also appear in prose and meta tags).
      return { file: route, route, graphs: (html.match(/<figure class="flowmark-dispatcher[" ]/g) ?? []).length }
    })
}
const API_SAMPLE = 12
/** The smallest label height (CSS px, the text's box, about 1.2 × its font size) a graph may show when first fitted. */
const MIN_LABEL_PX = 9
/**
 * The same for a drawing wider than the stage at that size: it opens whole, fitted to the stage's width (a reader sees
 * all of it, then zooms), so its labels may be smaller, down to this.
 */
const MIN_WHOLE_LABEL_PX = 6
const byFile = (file: string): SitePage => {
  const p = pages.find((q) => q.file === `${CONTENT}${file}`)
  if (p === undefined) throw new Error(`${CONTENT}${file} is not a page of the docs any more; update site.test.ts`)
  return p
}
const tutorial = byFile('start/tutorial.md')
const subDispatchers = byFile('concepts/sub-dispatchers.md')

const tmp = mkdtempSync(join(tmpdir(), 'flowmark-site-e2e-'))
const outDir = PREBUILT === undefined ? join(tmp, 'site') : resolve(repo, PREBUILT)
let buildError: Error | undefined
/** What the build logged at level `warn` and above (a clean build logs nothing). */
let buildWarnings = ''
let buildMs = 0
let server: StaticServer
let browser: Browser
/** Console errors/warnings, page errors, failed requests and HTTP errors, each with the page it happened on. */
const problems: string[] = []
const timings: Record<string, number> = {}

/** Variables Vitest puts into `process.env` (its own, and `import.meta.env`'s as seen in tests). */
const VITEST_ENV = new Set(['TEST', 'NODE_ENV', 'MODE', 'DEV', 'PROD', 'SSR', 'BASE_URL', 'FORCE_TTY'])

/**
 * The environment of the build: this one without Vitest's variables. With Vitest's `DEV=1`, `MODE=test`, Astro
 * builds a development-mode site (Starlight writes "search is only available in production builds" instead of
 * Pagefind's UI), so the build gets a clean environment with `NODE_ENV=production`, as `npm run docs` has.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !VITEST_ENV.has(k)))
  return { ...env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' }
}

/**
 * Builds the real site (astro.config.mjs) into `outDir` with Astro's programmatic `build()` in a child Node process
 * (an in-process build leaves the test's event loop, which also serves the site, too busy), with its own Astro cache
 * so that parallel builds do not race on `data-store.json`.
 */
async function buildSite(): Promise<void> {
  const t0 = performance.now()
  for (let attempt = 1; ; attempt++) {
    const config = { root: repo, outDir, cacheDir: join(tmp, `astro-cache-${attempt}`), logLevel: 'warn' }
    // Plain `-e` (ES module syntax is detected): `--input-type` would be inherited by the build's worker threads.
    const script = `import { build } from 'astro'\nawait build(${JSON.stringify(config)})\n`
    try {
      const { stdout, stderr } = await run(join(repo, 'node_modules/.bin/node'), ['--conditions=source', '-e', script], {
        cwd: repo,
        env: buildEnv(),
        maxBuffer: 64 * 1024 * 1024,
      })
      buildError = undefined
      buildWarnings = `${stdout}\n${stderr}`.trim()
      break
    } catch (e) {
      const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string }
      buildError = new Error(`astro build of the docs site failed:\n${`${stdout}\n${stderr}`.trim().slice(-8000)}`)
      // A doctest failure still writes every page; only a build that wrote nothing is worth a second try.
      if (attempt >= 2 || existsSync(join(outDir, 'index.html'))) break
    }
  }
  buildMs = Math.round(performance.now() - t0)
}

/** A fresh page at `route` whose console errors, page errors and failed requests are recorded; `before` runs before it loads. */
async function open(
  route: string,
  options: BrowserContextOptions | BrowserContext = {},
  before?: (page: Page) => void,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = 'newPage' in options ? options : await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })
  const page = await context.newPage()
  const where = route
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${where}: console ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`${where}: page error: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`${where}: request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`))
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${where}: HTTP ${r.status()} for ${r.url()}`)
  })
  before?.(page)
  await page.goto(`${server.url}${route}`, { waitUntil: 'load' })
  return { context, page }
}

/** Runs `fn` over `items`, `limit` at a time (page loads are slow on a busy machine; Chromium handles a few at once). */
async function concurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** Waits until every `<flowmark-graph>` of the page is enhanced by the viewer. */
async function viewerReady(page: Page, count: number): Promise<void> {
  await expect.poll(() => page.locator('flowmark-graph[data-fm-enhanced]').count(), { timeout: 20_000 }).toBe(count)
}

const visiblePath = (graph: ReturnType<Page['locator']>): Promise<string[]> =>
  graph
    .locator('.fm-page')
    .evaluateAll((els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => (e as HTMLElement).dataset.fmPath ?? '?'))
const crumbs = (graph: ReturnType<Page['locator']>): Promise<string[]> =>
  graph.locator('.fm-crumbs li').evaluateAll((els) => els.map((e) => e.textContent ?? ''))

/** Computed colours of the first data node of a graph (shape fill, label fill) and of the graph's stage. */
async function colours(page: Page, graph = 0): Promise<{ data: string; function: string; label: string; stage: string }> {
  return page
    .locator('flowmark-graph')
    .nth(graph)
    .evaluate((el) => {
      const shape = (kind: string): Element | null =>
        el.querySelector(`.fm-page:not([hidden]) g.node.fm-kind-${kind} [fill]:not([fill="none"]):not(text)`)
      const text = el.querySelector('.fm-page:not([hidden]) g.node.fm-kind-data text')
      const stage = el.querySelector('.fm-viewport')
      const fill = (e: Element | null): string => (e === null ? 'none' : getComputedStyle(e).fill)
      return {
        data: fill(shape('data')),
        function: fill(shape('function')),
        label: fill(text),
        stage: stage === null ? 'none' : getComputedStyle(stage).backgroundColor,
      }
    })
}

/**
 * Geometry of each graph of the page as shown: the SVG box, how many node boxes stick out of it (clipped), the
 * smallest label height in CSS pixels (readability) and how many node boxes overlap another one.
 */
async function geometry(
  page: Page,
): Promise<
  { width: number; height: number; nodes: number; clipped: number; minText: number; overlaps: number; overflow: boolean; wide: boolean }[]
> {
  return page.locator('flowmark-graph').evaluateAll((graphs) =>
    graphs.map((g) => {
      const svg = g.querySelector('.fm-page:not([hidden]) svg')
      const box = svg?.getBoundingClientRect()
      const nodes = [...g.querySelectorAll('.fm-page:not([hidden]) g.node')].map((n) => n.getBoundingClientRect())
      const texts = [...g.querySelectorAll('.fm-page:not([hidden]) g.node text')]
        .map((t) => t.getBoundingClientRect().height)
        .filter((h) => h > 0)
      const clipped =
        box === undefined
          ? nodes.length
          : nodes.filter((r) => r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1).length
      let overlaps = 0
      nodes.forEach((a, i) =>
        nodes.slice(i + 1).forEach((b) => {
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left),
            h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
          if (w > 2 && h > 2) overlaps++
        }),
      )
      // A graph too big to fit at a readable scale opens at that scale, marked `data-fm-overflow`, for the reader to pan.
      const overflow = g.querySelector('.fm-page:not([hidden])')?.hasAttribute('data-fm-overflow') ?? false
      // Fitted to the stage's width: the drawing (its outer graph group) spans the stage from side to side.
      const drawing = g.querySelector('.fm-page:not([hidden]) svg > g.graph')?.getBoundingClientRect()
      const wide = box !== undefined && drawing !== undefined && drawing.width >= box.width * 0.9
      return {
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        nodes: nodes.length,
        clipped,
        minText: texts.length ? Math.min(...texts) : 0,
        overlaps,
        overflow,
        wide,
      }
    }),
  )
}

/** Relative luminance (WCAG) of an `rgb(…)` colour. */
function luminance(c: string): number {
  const [r, g, b] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const s = Number(v) / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/**
 * Colour problems of the nodes of every page of every graph (shown or not), from computed styles so the theme
 * applies: a label with less than 3:1 contrast against what is behind it (the last filled shape before it in the
 * node, as Graphviz paints; 2:1 for the deliberately faded unreached nodes), and in dark mode a node still filled
 * with a light colour. Each as `graph › page › node: what`. Also returns the index of each graph with a problem.
 */
async function colourProblems(page: Page, dark: boolean): Promise<{ problems: string[]; graphs: number[] }> {
  const found = await page.locator('flowmark-graph').evaluateAll((graphs) =>
    graphs.flatMap((g, gi) =>
      [...g.querySelectorAll('.fm-page')].flatMap((section) =>
        [...section.querySelectorAll('g.node')].map((node) => {
          let behind = ''
          let main = ''
          const labels: { text: string; fill: string; bg: string }[] = []
          for (const el of node.querySelectorAll('polygon, ellipse, path, rect, text')) {
            const fill = getComputedStyle(el).fill
            if (el.tagName !== 'text') {
              if (fill !== 'none' && !fill.startsWith('rgba(0, 0, 0, 0)')) {
                behind = fill
                main ||= fill
              }
              continue
            }
            if (behind !== '' && (el.textContent ?? '').trim() !== '') labels.push({ text: el.textContent ?? '', fill, bg: behind })
          }
          return {
            graph: gi,
            where: `${g.getAttribute('data-fm-title')} › ${(section as HTMLElement).dataset.fmPath || '(root)'} › ${node.getAttribute('aria-label')}`,
            faded: node.classList.contains('fm-state-unreached'),
            main,
            labels,
          }
        }),
      ),
    ),
  )
  const problems: string[] = []
  const graphs = new Set<number>()
  for (const n of found) {
    const before = problems.length
    if (dark && n.main !== '' && luminance(n.main) > 0.3) problems.push(`${n.where}: light fill ${n.main} in dark mode`)
    for (const l of n.labels) {
      const ratio = contrast(l.fill, l.bg)
      if (ratio < (n.faded ? 2 : 3)) problems.push(`${n.where} › "${l.text}": ${l.fill} on ${l.bg} (${ratio.toFixed(2)}:1)`)
    }
    if (problems.length > before) graphs.add(n.graph)
  }
  return { problems, graphs: [...graphs] }
}

describe('docs site in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true })
    if (PREBUILT === undefined) await buildSite()
    apiPages = builtApiPages()
    server = await serveStatic(outDir)
    browser = await launchBrowser()
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    // FLOWMARK_E2E_KEEP=1 keeps the built site for a look (or a rerun with FLOWMARK_E2E_SITE).
    if (process.env['FLOWMARK_E2E_KEEP'] === undefined) rmSync(tmp, { recursive: true, force: true })
    else console.info(`site e2e: built site kept in ${outDir}`)
    if (buildMs > 0) timings['build'] = buildMs
    console.info(`site e2e timings (ms): ${JSON.stringify(timings)}`)
  })

  it('builds without errors (every example passes, Pagefind index written)', () => {
    if (buildError !== undefined) throw buildError
    expect(existsSync(join(outDir, 'pagefind', 'pagefind.js'))).toBe(true)
    expect(apiPages.length).toBeGreaterThan(0)
    for (const p of [...pages, ...apiPages]) expect(existsSync(join(outDir, p.route, 'index.html')), `${p.file} → ${p.route}`).toBe(true)
    expect(readFileSync(join(outDir, '404.html'), 'utf8')).toContain('Page not found')
  })

  it.skipIf(PREBUILT !== undefined)('builds without warnings (e.g. Vite on an import it cannot analyse)', () => {
    if (buildError !== undefined) throw buildError
    expect(buildWarnings).toBe('')
  })

  it('documents every public export of every entry point of both packages in the API reference', () => {
    const missing: string[] = []
    for (const dir of ['engine', 'plugin']) {
      const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) as {
        name: string
        exports: Record<string, string | { source?: string }>
      }
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        const source = typeof target === 'string' ? undefined : target.source
        if (source === undefined || !source.endsWith('.ts')) continue
        // `@flowmark/docs/remark` is documented under /api/flowmark/docs/remark/ (the route drops the `@`).
        const moduleName = `${pkg.name.replace(/^@/, '')}${subpath.slice(1)}`
        // The generated pages of a module sit at /api/<module name>/<export>/, one per export, titled by the export's name.
        const depth = `/api/${moduleName}/x/`.split('/').length
        const titles = new Set(
          apiPages
            .filter((p) => p.route.startsWith(`/api/${moduleName}/`) && p.route.split('/').length === depth)
            .map((p) => /<h1 id="_top"[^>]*>([^<]*)<\/h1>/.exec(readFileSync(join(outDir, p.route, 'index.html'), 'utf8'))?.[1]),
        )
        for (const name of exportedNames(join(repo, dir, source))) if (!titles.has(name)) missing.push(`${moduleName}: ${name}`)
      }
    }
    expect(missing, 'exports without an API page').toEqual([])
  })

  it('renders every graph of the tutorial: visible SVG with its nodes, fitted, readable, not clipped', async () => {
    const t0 = performance.now()
    expect(tutorial.graphs).toBeGreaterThanOrEqual(3)
    const { context, page } = await open(tutorial.route)
    await viewerReady(page, tutorial.graphs)
    const graphs = page.locator('flowmark-graph')
    for (let i = 0; i < tutorial.graphs; i++) {
      const graph = graphs.nth(i)
      await graph.scrollIntoViewIfNeeded()
      await expect.poll(() => graph.locator('.fm-page:not([hidden]) svg').isVisible()).toBe(true)
      expect(await graph.locator('.fm-page:not([hidden]) g.node').count()).toBeGreaterThan(1)
      // The drawing is one tab stop (roving tabindex): arrows move between its nodes.
      expect(await graph.locator('.fm-page:not([hidden]) g.node[tabindex="0"]').count()).toBe(1)
      await graph.screenshot({ path: join(shots, `site-tutorial-graph-${i + 1}.png`) })
    }
    const geo = await geometry(page)
    geo.forEach((g, i) => {
      const at = `tutorial graph ${i + 1}: ${JSON.stringify(g)}`
      expect(g.width, at).toBeGreaterThan(300)
      expect(g.height, at).toBeGreaterThan(150)
      expect(g.clipped, at).toBe(0)
      expect(g.overlaps, at).toBe(0)
      // A fitted graph whose labels shrink further is unreadable without zooming.
      expect(g.minText, at).toBeGreaterThanOrEqual(MIN_LABEL_PX)
    })
    // The page as a reader sees it around the second graph (a full-page capture repeats Starlight's fixed header).
    await graphs.nth(1).scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(shots, 'site-tutorial-light.png') })
    await context.close()
    timings['tutorial'] = Math.round(performance.now() - t0)
  })

  it('enters the sub-dispatcher by clicking its node, leaves it with the breadcrumb, and deep-links to it', async () => {
    const { context, page } = await open(subDispatchers.route)
    await viewerReady(page, subDispatchers.graphs)
    const graph = page.locator('flowmark-graph:has(g.node[data-fm-page])').first()
    const sub = graph.locator('.fm-page:not([hidden]) g.node[data-fm-page]').first()
    const subPath = (await sub.getAttribute('data-fm-page')) ?? ''
    expect(subPath).not.toBe('')
    const [rootCrumb = ''] = await crumbs(graph)
    expect(await visiblePath(graph)).toEqual([''])
    await graph.scrollIntoViewIfNeeded()
    await sub.click()
    expect(await visiblePath(graph)).toEqual([subPath])
    expect(await crumbs(graph)).toEqual([rootCrumb, subPath.split('/').at(-1)])
    const id = (await graph.getAttribute('id')) ?? ''
    expect(new URL(page.url()).hash).toBe(`#${id}:${encodeURIComponent(subPath)}`)
    expect(await graph.locator('.fm-page:not([hidden]) g.node').count()).toBeGreaterThan(1)
    expect((await geometry(page)).find((g) => g.nodes > 0 && g.clipped > 0)).toBeUndefined()
    await graph.screenshot({ path: join(shots, 'site-sub-dispatcher-inside.png') })
    await graph.locator(`.fm-crumbs button:has-text("${rootCrumb}")`).click()
    expect(await visiblePath(graph)).toEqual([''])
    expect(await crumbs(graph)).toEqual([rootCrumb])
    await graph.screenshot({ path: join(shots, 'site-sub-dispatcher-root.png') })
    await context.close()

    // A deep link opens the sub-page on load.
    const deep = await open(`${subDispatchers.route}#${id}:${encodeURIComponent(subPath)}`)
    await viewerReady(deep.page, subDispatchers.graphs)
    expect(await visiblePath(deep.page.locator(`flowmark-graph#${id}`))).toEqual([subPath])
    await deep.context.close()
  })

  it('opens the sub-dispatcher from the keyboard: Tab enters the graph, arrows reach its node, Enter opens it', async () => {
    const { context, page } = await open(subDispatchers.route)
    await viewerReady(page, subDispatchers.graphs)
    const graph = page.locator('flowmark-graph:has(g.node[data-fm-page])').first()
    const subPath = (await graph.locator('g.node[data-fm-page]').first().getAttribute('data-fm-page')) ?? ''
    // Start the Tab sequence just before the figure, as a reader who clicked the text above it.
    await graph.evaluate((el) => {
      const figure = el.closest('figure') ?? el
      const p = figure.previousElementSibling as HTMLElement | null
      const anchor = p ?? document.body
      anchor.setAttribute('tabindex', '-1')
      anchor.focus()
    })
    let presses = 0
    for (; presses < 20; presses++) {
      await page.keyboard.press('Tab')
      if (await page.evaluate(() => document.activeElement?.matches('g.node') ?? false)) break
    }
    // Skip link, search, zoom ×3, full screen, menu: the drawing comes within a few Tabs, not after every node.
    expect(presses, 'Tab did not reach the drawing').toBeLessThan(10)
    // Arrow keys toward the sub-dispatcher node, as a sighted keyboard user does.
    let reached = false
    for (let k = 0; k < 30 && !reached; k++) {
      const step = await page.evaluate((path) => {
        const a = document.activeElement
        const target = document.querySelector(`.fm-page:not([hidden]) g.node[data-fm-page="${path}"]`)
        if (!a || !target) return 'lost'
        if (a === target) return 'done'
        const p = a.getBoundingClientRect(),
          q = target.getBoundingClientRect()
        const dx = q.left + q.width / 2 - (p.left + p.width / 2),
          dy = q.top + q.height / 2 - (p.top + p.height / 2)
        return Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? 'ArrowRight' : 'ArrowLeft') : dy > 0 ? 'ArrowDown' : 'ArrowUp'
      }, subPath)
      if (step === 'lost') break
      if (step === 'done') reached = true
      else await page.keyboard.press(step)
    }
    expect(reached, 'arrow keys did not reach the sub-dispatcher node').toBe(true)
    await page.keyboard.press('Enter')
    expect(await visiblePath(graph)).toEqual([subPath])
    // The focus moves into the opened page, so Tab keeps walking its nodes.
    expect(await page.evaluate(() => document.activeElement?.closest('.fm-page')?.getAttribute('data-fm-path'))).toBe(subPath)
    await graph.screenshot({ path: join(shots, 'site-keyboard-inside.png') })
    // Backspace goes back up and puts the focus on the sub-dispatcher node again.
    await page.keyboard.press('Backspace')
    expect(await visiblePath(graph)).toEqual([''])
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-fm-page'))).toBe(subPath)
    await context.close()
  })

  it("recolours the graphs in dark mode: Starlight's theme select and the system preference", async () => {
    const { context, page } = await open(tutorial.route)
    await viewerReady(page, tutorial.graphs)
    const light = await colours(page)
    expect(light.data).toMatch(/^rgb/)
    expect(contrast(light.label, light.data)).toBeGreaterThanOrEqual(4.5)

    await page.locator('starlight-theme-select select').first().selectOption('dark')
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    const dark = await colours(page)
    expect(dark.data).not.toBe(light.data)
    expect(dark.function).not.toBe(light.function)
    expect(dark.label).not.toBe(light.label)
    expect(dark.stage).not.toBe(light.stage)
    // Readable: labels against their node, nodes against the stage.
    expect(contrast(dark.label, dark.data), JSON.stringify(dark)).toBeGreaterThanOrEqual(4.5)
    expect(contrast(dark.label, dark.function), JSON.stringify(dark)).toBeGreaterThanOrEqual(4.5)
    const first = page.locator('flowmark-graph').first()
    await first.scrollIntoViewIfNeeded()
    await first.screenshot({ path: join(shots, 'site-tutorial-graph-1-dark.png') })
    await page.screenshot({ path: join(shots, 'site-tutorial-dark.png') })

    // Back to light with the same control.
    await page.locator('starlight-theme-select select').first().selectOption('light')
    expect(await colours(page)).toEqual(light)
    await context.close()

    // A reader whose system is dark, who never touched the select.
    const system = await open(tutorial.route, { colorScheme: 'dark' })
    await viewerReady(system.page, tutorial.graphs)
    expect(await colours(system.page)).toEqual(dark)
    await system.context.close()
  })

  it('keeps node labels readable and nodes themed, in both themes, on every graph page', async () => {
    const t0 = performance.now()
    const faint: string[] = []
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme })
      await concurrently(
        pages.filter((q) => q.graphs > 0),
        4,
        async (p) => {
          const { page } = await open(p.route, context)
          await viewerReady(page, p.graphs)
          expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme)
          const found = await colourProblems(page, colorScheme === 'dark')
          faint.push(...found.problems.map((f) => `${colorScheme} ${p.route}: ${f}`))
          for (const k of found.graphs) {
            const graph = page.locator('flowmark-graph').nth(k)
            await graph.scrollIntoViewIfNeeded()
            await graph.screenshot({ path: join(shots, `site-colours-${colorScheme}${p.route.replace(/\/+/g, '-')}${k + 1}.png`) })
          }
          await page.close()
        },
      )
      await context.close()
    }
    faint.sort()
    timings['contrast'] = Math.round(performance.now() - t0)
    expect(faint).toEqual([])
  }, 120_000)

  it('copies runnable code: the pasted transcript has no prompts, outputs or doctest flags, and runs', async () => {
    const { context, page } = await open(byFile('start/getting-started.md').route)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
    const copy = async (text: string): Promise<string> => {
      const block = page.locator('.expressive-code').filter({ hasText: text }).first()
      await block.scrollIntoViewIfNeeded()
      await block.hover()
      await block.locator('.copy button').click()
      return page.evaluate(() => navigator.clipboard.readText())
    }
    const copied = await copy('const prices = new Dispatcher')
    expect(copied.split('\n')[0]).toBe("import { Dispatcher, idText } from 'flowmark'")
    expect(copied).not.toMatch(/^(> |\.\.\. )/m)
    expect(copied).not.toMatch(/^'(vat_rate|add_vat|remove_vat)'$/m)
    // Pasted into a file beside the package, with one line of ours, it runs (outside node_modules: Node strips types).
    mkdirSync(join(repo, '.cache'), { recursive: true })
    const dir = mkdtempSync(join(repo, '.cache', 'copied-code-'))
    try {
      const file = join(dir, 'copied.ts')
      writeFileSync(file, `${copied}\nconsole.log(prices.dispatch({ net: 100 }).get('gross'))\n`)
      const { stdout } = await run(process.execPath, ['--conditions=source', file], { cwd: dir })
      expect(stdout.trim()).toBe('120')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    await context.close()
    // A `// doctest:` flag talks to the test runner, not to the reader's program: it is not copied.
    const tutorialPage = await open(tutorial.route)
    await tutorialPage.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
    const block = tutorialPage.page.locator('.expressive-code').filter({ hasText: 'IGNORE_EXCEPTION_DETAIL' }).first()
    await block.scrollIntoViewIfNeeded()
    await block.hover()
    await block.locator('.copy button').click()
    const flagged = await tutorialPage.page.evaluate(() => navigator.clipboard.readText())
    expect(flagged).toContain("} from './model.ts'")
    expect(flagged).toContain("decryptMessage(stranger, encryptMessage(key, 'hello'))")
    expect(flagged).not.toContain('doctest:')
    expect(flagged).not.toContain('Uncaught')
    await tutorialPage.context.close()
  }, 120_000)

  it("finds a page with Starlight's Pagefind search", async () => {
    const { context, page } = await open(tutorial.route)
    const open_ = page.locator('site-search button[data-open-modal]')
    await expect.poll(() => open_.isEnabled()).toBe(true)
    await open_.click()
    const input = page.locator('site-search dialog input[type="search"], site-search dialog .pagefind-ui__search-input').first()
    await input.waitFor({ state: 'visible', timeout: 30_000 })
    await input.fill('sub-dispatcher')
    const result = page.locator('site-search .pagefind-ui__result-link')
    await result.first().waitFor({ timeout: 30_000 })
    const hrefs = await result.evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
    expect(hrefs).toContain(subDispatchers.route)
    await page.screenshot({ path: join(shots, 'site-search.png') })
    await context.close()
  })

  it('names each code block that is a region landmark, and takes the name back when it no longer is one', async () => {
    const { context, page } = await open(subDispatchers.route)
    /** The code blocks that are regions, with their names, and any name left on a block that is not one. */
    const regions = (): Promise<{ names: (string | null)[]; stray: number }> =>
      page.evaluate(() => {
        const pres = [...document.querySelectorAll('.expressive-code pre')]
        const isRegion = (p: Element): boolean => p.getAttribute('role') === 'region'
        return {
          names: pres.filter(isRegion).map((p) => p.getAttribute('aria-label')),
          stray: pres.filter((p) => !isRegion(p) && p.hasAttribute('aria-label')).length,
        }
      })
    const check = async (): Promise<void> => {
      const { names, stray } = await regions()
      expect(
        names.every((n) => n !== null && /^Code example \d+/.test(n)),
        JSON.stringify(names),
      ).toBe(true)
      expect(new Set(names).size).toBe(names.length)
      expect(stray).toBe(0)
    }
    // Expressive Code gives a block that scrolls sideways role="region" (and tabindex="0"), later, from a
    // ResizeObserver and an idle callback: two blocks added here play its part on cue. They carry no tabindex and do
    // not scroll, so Expressive Code itself leaves them alone.
    await page.evaluate(() => {
      const block = (title: string): string =>
        `<div class="expressive-code"><figure class="frame"><figcaption class="header"><span class="title">${title}</span></figcaption><pre data-test-block><code>x</code></pre></figure></div>`
      document.querySelector('main')?.insertAdjacentHTML('beforeend', block('model.ts') + block(''))
    })
    const setRole = (on: boolean): Promise<void> =>
      page.evaluate((on) => {
        for (const pre of document.querySelectorAll('pre[data-test-block]'))
          if (on) pre.setAttribute('role', 'region')
          else pre.removeAttribute('role')
      }, on)
    const added = (): Promise<(string | null)[]> =>
      page.evaluate(() => [...document.querySelectorAll('pre[data-test-block]')].map((p) => p.getAttribute('aria-label')))
    await setRole(true)
    await expect
      .poll(added, { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^Code example \d+: model\.ts$/), expect.stringMatching(/^Code example \d+$/)])
    await check()
    await setRole(false)
    await expect.poll(added, { timeout: 10_000 }).toEqual([null, null])
    await check()
    // The page's own blocks, whatever Expressive Code has made of them by now, at a desktop's and a phone's width.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.waitForTimeout(1000)
    await check()
    await context.close()
  })

  it('loads the viewer exactly on the pages with graphs, and every page loads cleanly', async () => {
    const t0 = performance.now()
    const seen: string[] = []
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    // Every hand-written page, and an even spread of the generated API pages.
    const step = Math.max(1, Math.floor(apiPages.length / API_SAMPLE))
    const visited = [...pages, ...apiPages.filter((_, k) => k % step === 0).slice(0, API_SAMPLE + 1)]
    /** Graphs that, fitted in the page, clip or overlap nodes or shrink labels below {@link MIN_LABEL_PX}. */
    const small: string[] = []
    await concurrently(visited, 4, async (p) => {
      const scripts: string[] = []
      const { page } = await open(p.route, context, (pg) =>
        pg.on('request', (r) => {
          if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname)
        }),
      )
      const viewer = scripts.filter((s) => s.startsWith('/_flowmark/'))
      const defined = await page.evaluate(() => customElements.get('flowmark-graph') !== undefined)
      const count = await page.locator('flowmark-graph').count()
      seen.push(`${p.route} graphs=${count} viewer=${viewer.length}`)
      expect(count, `${p.file}: graphs drawn vs. draw directives`).toBe(p.graphs)
      if (p.graphs === 0) {
        expect(viewer, `${p.file} has no graph but loads the viewer`).toEqual([])
        expect(defined).toBe(false)
        expect(await page.locator('link[rel="stylesheet"][href*="/_flowmark/"]').count()).toBe(0)
      } else {
        expect(viewer).toHaveLength(1)
        await viewerReady(page, p.graphs)
        const geo = await geometry(page)
        expect(
          geo.filter((g) => g.nodes === 0),
          `${p.file}: a graph without nodes`,
        ).toEqual([])
        geo.forEach((g, k) => {
          // Fitted to the stage's width (whole, or a tall drawing shown full width from its top, marked overflow).
          const least = g.wide && (g.clipped === 0 || g.overflow) ? MIN_WHOLE_LABEL_PX : MIN_LABEL_PX
          if ((g.clipped > 0 && !g.overflow) || g.overlaps > 0 || g.minText < least)
            small.push(`${p.route} graph ${k + 1}: ${JSON.stringify(g)}`)
        })
      }
      await page.close()
    })
    await context.close()
    timings['all-pages'] = Math.round(performance.now() - t0)
    expect(seen.some((s) => s.endsWith('viewer=0'))).toBe(true)
    expect(small.sort(), 'graphs unreadable as first shown').toEqual([])
  }, 120_000)

  it('has no axe landmark-unique violation on any graph page, nor label-content-name-mismatch in its graphs, light or dark', async () => {
    const t0 = performance.now()
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
    const graphPages = [...pages, ...apiPages].filter((p) => p.graphs > 0)
    expect(graphPages.length).toBeGreaterThan(5)
    const found: string[] = []
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme })
      await concurrently(graphPages, 3, async (p) => {
        const { page } = await open(p.route, context)
        await viewerReady(page, p.graphs)
        await page.addScriptTag({ content: axeSource })
        const violations = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> }
            }
          ).axe
          const r = await axe.run(document, { runOnly: { type: 'rule', values: ['label-content-name-mismatch', 'landmark-unique'] } })
          // Landmarks anywhere on the page (the site names Expressive Code's scrollable code regions); a label that
          // leaves out visible text only in the graphs (Starlight's search button shows its Ctrl K keycaps outside
          // its name: a hint, which its aria-keyshortcuts carries).
          const inGraph = (target: unknown): boolean =>
            typeof target === 'string' && document.querySelector(target)?.closest('flowmark-graph') !== null
          return r.violations.flatMap((v) =>
            v.nodes.filter((n) => v.id === 'landmark-unique' || inGraph(n.target[0])).map((n) => `${v.id} ${n.target.join(' ')}`),
          )
        })
        found.push(...violations.map((v) => `${colorScheme} ${p.route}: ${v}`))
        await page.close()
      })
      await context.close()
    }
    timings['axe'] = Math.round(performance.now() - t0)
    expect(found.sort()).toEqual([])
  }, 240_000)

  it('takes the "remote" rows of the tax sub-model page to the node on the parent page', async () => {
    const { context, page } = await open(subDispatchers.route)
    await viewerReady(page, subDispatchers.graphs)
    const graph = page.locator('flowmark-graph:has(g.node[data-fm-page="tax"])').first()
    const id = (await graph.getAttribute('id')) ?? ''
    await graph.scrollIntoViewIfNeeded()
    await graph.locator('.fm-page:not([hidden]) g.node[data-fm-page="tax"]').click()
    expect(await visiblePath(graph)).toEqual(['tax'])
    const link = graph.locator(`.fm-page:not([hidden]) g.node a[*|href^="#${id}-p0-"]`).first()
    expect(await link.count()).toBe(1)
    const target =
      (await link.evaluate((a) => a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? a.getAttribute('href')))?.slice(1) ?? ''
    // The link names an element that exists: the node on the parent page.
    expect(await page.locator(`[id="${target}"]`).count()).toBe(1)
    await link.locator('text').first().click()
    expect(await visiblePath(graph)).toEqual([''])
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(target)
    expect(await graph.locator('g.node.fm-selected').getAttribute('id')).toBe(target)
    await graph.screenshot({ path: join(shots, 'site-remote-link.png') })
    await context.close()
  })

  it('on a phone, light and dark: every tutorial graph whole at first, its toolbar on one row (screenshots)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        hasTouch: true,
        isMobile: true,
        deviceScaleFactor: 2,
        colorScheme,
      })
      const { page } = await open(tutorial.route, context)
      await viewerReady(page, tutorial.graphs)
      const geo = await geometry(page)
      geo.forEach((g, i) => expect(g.clipped, `tutorial graph ${i + 1} on a phone: ${JSON.stringify(g)}`).toBe(0))
      const rows = await page
        .locator('flowmark-graph .fm-bar')
        .evaluateAll((bars) =>
          bars.map(
            (bar) =>
              new Set(
                [...bar.querySelectorAll('.fm-btn, .fm-search input')]
                  .filter((e) => (e as HTMLElement).offsetParent !== null)
                  .map((e) => Math.round(e.getBoundingClientRect().top)),
              ).size,
          ),
        )
      expect(
        rows.every((n) => n === 1),
        `toolbar rows per graph: ${rows.join(', ')}`,
      ).toBe(true)
      const first = page.locator('flowmark-graph').first()
      await first.evaluate((el) => el.scrollIntoView({ block: 'center' }))
      await page.screenshot({ path: join(shots, `site-phone-tutorial-${colorScheme}.png`) })
      await context.close()
    }
  })

  it('had no console errors, page errors or failed requests on any page visited', () => {
    expect(problems).toEqual([])
    expect(server.misses).toEqual([])
  })
})

/** The names a module exports (values and types), as the TypeScript compiler sees them. */
function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    customConditions: ['source'],
  })
  const checker = program.getTypeChecker()
  const module = program.getSourceFile(file)
  const symbol = module === undefined ? undefined : checker.getSymbolAtLocation(module)
  return symbol === undefined
    ? []
    : checker
        .getExportsOfModule(symbol)
        .map((e) => e.name)
        .sort()
}
