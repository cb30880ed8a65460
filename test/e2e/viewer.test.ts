// The viewer in headless Chromium, on pages written by `flowmark-docs plot`: navigation, search, deep links, themes, escaping.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Browser, type BrowserContext, type Page } from 'playwright-core'
import { launchBrowser } from './helpers/browser.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const shots = fileURLToPath(new URL('./__actual__/', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'flowmark-viewer-'))

let browser: Browser
let mixedUrl: string
let hostileUrl: string
let nestedUrl: string
let hostileModelUrl: string
let twoUrl: string
const problems: string[] = []

/** Runs the CLI the way a user does in the repository. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--conditions=source', join(root, 'plugin/cli.ts'), ...args], { cwd: root })
}

/** A page that records console errors, page errors and dialogs (a dialog would mean injected script ran). */
async function open(url: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 }, ...options })
  const page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  await page.goto(url)
  await page
    .waitForSelector('flowmark-graph[data-fm-enhanced]', { timeout: options.javaScriptEnabled === false ? 1 : 10_000 })
    .catch(() => undefined)
  return { context, page }
}

const visiblePath = (page: Page): Promise<string[]> =>
  page.$$eval('flowmark-graph .fm-page', (els) =>
    els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).dataset.fmPath ?? '?'),
  )
const crumbs = (page: Page): Promise<string[]> => page.$$eval('.fm-crumbs li', (els) => els.map((e) => e.textContent ?? ''))
/** Opens the toolbar's "More" menu and presses its entry `action` (back, forward, legend, download). */
async function menu(page: Page, action: string, graph = 'flowmark-graph'): Promise<void> {
  await page.click(`${graph} [data-fm-action="more"]`)
  await page.click(`${graph} .fm-menu [data-fm-action="${action}"]`)
}

/** Centre of an element on screen. */
const centreOf = (page: Page, selector: string): Promise<{ x: number; y: number } | null> =>
  page.evaluate((sel) => {
    const el = sel === ':focus' ? document.activeElement : document.querySelector(sel)
    if (!el) return null
    const r = el.getBoundingClientRect()
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 }
  }, selector)

/**
 * Walks the focus with arrow keys from the focused node to the node matching `selector` (at most 30 presses, each
 * toward the target along the larger offset): what a keyboard user does. Returns whether the target got the focus.
 */
async function arrowTo(page: Page, selector: string): Promise<boolean> {
  for (let k = 0; k < 30; k++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return true
    const from = await centreOf(page, ':focus'),
      to = await centreOf(page, `.fm-page:not([hidden]) ${selector}`)
    if (!from || !to) return false
    const dx = to.x - from.x,
      dy = to.y - from.y
    await page.keyboard.press(Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? 'ArrowRight' : 'ArrowLeft') : dy > 0 ? 'ArrowDown' : 'ArrowUp')
  }
  return page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)
}

const viewBox = (page: Page): Promise<string | null> =>
  page.$eval('flowmark-graph .fm-page:not([hidden]) svg', (s) => s.getAttribute('viewBox'))

describe('viewer in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true })
    const cache = join(tmp, 'cache')
    const a = await cli('plot', 'fixtures/render-schedula/plot.ts#mixedWorkflow', '--out', join(tmp, 'mixed'), '--cache', cache)
    expect(a.stdout).toContain('index.html')
    await cli('plot', 'fixtures/render-hostile/plot.ts#hostile', '--out', join(tmp, 'hostile'), '--cache', cache)
    await cli('plot', 'fixtures/plot-sub-dispatcher/input.ts#model', '--out', join(tmp, 'nested'), '--cache', cache)
    await cli('plot', 'fixtures/render-hostile/model.ts#hostile', '--out', join(tmp, 'hostile-model'), '--cache', cache)
    nestedUrl = pathToFileURL(join(tmp, 'nested', 'index.html')).href
    hostileModelUrl = pathToFileURL(join(tmp, 'hostile-model', 'index.html')).href
    // Two graphs of the same plot on one page (distinct ids), rendered through the library API.
    const { renderPlot, standalonePage, GraphRenderer } = await import('../../plugin/render/index.ts')
    const { mixedWorkflow } = await import('../../fixtures/render-schedula/plot.ts')
    const renderer = new GraphRenderer({ cacheDir: cache })
    const graphs = [
      (await renderPlot(mixedWorkflow, { renderer, id: 'one' })).html,
      (await renderPlot(mixedWorkflow, { renderer, id: 'two' })).html,
    ]
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(tmp, 'two.html'), await standalonePage(graphs, { title: 'Two graphs' }))
    twoUrl = pathToFileURL(join(tmp, 'two.html')).href
    mixedUrl = pathToFileURL(join(tmp, 'mixed', 'index.html')).href
    hostileUrl = pathToFileURL(join(tmp, 'hostile', 'index.html')).href
    browser = await launchBrowser()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('renders the graph with its controls and focusable nodes', async () => {
    const { context, page } = await open(mixedUrl)
    expect(await visiblePath(page)).toEqual([''])
    expect(await crumbs(page)).toEqual(['main_model'])
    expect(await page.locator('.fm-page:not([hidden]) g.node').count()).toBe(13)
    // One tab stop for the whole drawing (roving tabindex).
    expect(await page.locator('.fm-page:not([hidden]) g.node[tabindex="0"]').count()).toBe(1)
    const box = await page.locator('.fm-page:not([hidden]) svg').boundingBox()
    expect(box?.width).toBeGreaterThan(500)
    expect(box?.height).toBeGreaterThan(300)
    // Tooltip with the description on hover.
    await page.hover('g.node[aria-label^="data x"]')
    await expect.poll(() => page.locator('.fm-tooltip').textContent()).toContain('Input x.')
    // Its edges light up: x feeds sum_xx, sum_xz, my_sub and sdf; start feeds x.
    expect((await page.locator('.fm-page:not([hidden]) g.edge.fm-hot title').allTextContents()).sort()).toEqual([
      'start → x',
      'x → my_sub',
      'x → sdf',
      'x → sum_xx',
      'x → sum_xz',
    ])
    expect(
      await page
        .locator('g.edge.fm-hot path')
        .first()
        .evaluate((p) => getComputedStyle(p).stroke),
    ).toBe('rgb(0, 140, 255)')
    await page.screenshot({ path: join(shots, 'mixed-light.png') })
    await context.close()
  })

  it('leaves a foreign hash alone on load, and "/" jumps to the search box', async () => {
    const { context, page } = await open(`${mixedUrl}#some-heading`)
    expect(await visiblePath(page)).toEqual([''])
    expect(new URL(page.url()).hash).toBe('#some-heading')
    await page.focus('.fm-viewport')
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search')
    await context.close()
  })

  it('enters a sub-model page by clicking its node and leaves it with the breadcrumb, back and forward', async () => {
    const { context, page } = await open(mixedUrl)
    await page.click('g.node[data-fm-page="my_sub"]')
    expect(await visiblePath(page)).toEqual(['my_sub'])
    expect(await crumbs(page)).toEqual(['main_model', 'my_sub'])
    expect(new URL(page.url()).hash).toBe('#fm-main_model:my_sub')
    await page.screenshot({ path: join(shots, 'mixed-sub-page.png') })
    await page.click('.fm-crumbs button:has-text("main_model")')
    expect(await visiblePath(page)).toEqual([''])
    await menu(page, 'back')
    expect(await visiblePath(page)).toEqual(['my_sub'])
    await menu(page, 'forward')
    expect(await visiblePath(page)).toEqual([''])
    expect(await page.locator('[data-fm-action="forward"]').isDisabled()).toBe(true)
    await context.close()
  })

  it('opens a sub-model from the keyboard (arrows to the node, Enter)', async () => {
    const { context, page } = await open(mixedUrl)
    await page.focus('.fm-page:not([hidden]) g.node[tabindex="0"]')
    expect(await arrowTo(page, 'g.node[data-fm-page="sdf"]')).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(
      /^function sdf\b.*: A sub model\. \(opens its graph\)$/,
    )
    await page.keyboard.press('Enter')
    expect(await visiblePath(page)).toEqual(['sdf'])
    await context.close()
  })

  it('searches node names across pages and selects the hit on its page', async () => {
    const { context, page } = await open(mixedUrl)
    await page.fill('.fm-search input', 'doub')
    const hits = page.locator('.fm-results [role="option"]')
    await expect.poll(() => hits.count()).toBe(2)
    expect(await hits.allTextContents()).toEqual(['doublemain_model › my_sub', 'doublemain_model › sdf'])
    await page.screenshot({ path: join(shots, 'mixed-search.png') })
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    expect(await visiblePath(page)).toEqual(['sdf'])
    expect(await page.locator('.fm-page:not([hidden]) g.node.fm-selected').getAttribute('aria-label')).toMatch(/^function double\b/)
    expect(new URL(page.url()).hash).toBe('#fm-main_model:sdf:double')
    await context.close()
  })

  it('follows a deep link to a node on a sub-page and highlights it', async () => {
    const { context, page } = await open(`${mixedUrl}#fm-main_model:my_sub:add`)
    expect(await visiblePath(page)).toEqual(['my_sub'])
    const selected = page.locator('g.node.fm-selected')
    expect(await selected.count()).toBe(1)
    expect(await selected.getAttribute('aria-label')).toMatch(/^function add\b.*: Adds two numbers\.$/)
    const filter = await selected.evaluate((g) => getComputedStyle(g).filter)
    expect(filter).toContain('drop-shadow')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(shots, 'mixed-deep-link.png') })
    // A later hash change on the same page moves the selection.
    await page.evaluate(() => {
      location.hash = '#fm-main_model::failing'
    })
    await expect.poll(() => visiblePath(page)).toEqual([''])
    expect(await page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^function failing\b.*\(failed\)/)
    await context.close()
  })

  it('zooms with Ctrl+wheel and the buttons, leaves plain wheel to the page, pans by dragging', async () => {
    const { context, page } = await open(mixedUrl)
    const start = await viewBox(page)
    const svg = page.locator('.fm-page:not([hidden]) svg')
    const b = await svg.boundingBox()
    if (!b) throw new Error('no svg box')
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2)
    await page.mouse.wheel(0, 300)
    await page.waitForTimeout(100)
    expect(await viewBox(page)).toBe(start)
    await page.keyboard.down('Control')
    await page.mouse.wheel(0, -300)
    await page.keyboard.up('Control')
    await expect.poll(() => viewBox(page)).not.toBe(start)
    const zoomed = (await viewBox(page))?.split(' ').map(Number) ?? []
    expect(zoomed[2]).toBeLessThan(Number(start?.split(' ')[2]))
    await page.mouse.move(b.x + 20, b.y + 20)
    await page.mouse.down()
    await page.mouse.move(b.x + 120, b.y + 80, { steps: 5 })
    await page.mouse.up()
    const panned = (await viewBox(page))?.split(' ').map(Number) ?? []
    expect(panned[0]).toBeLessThan(zoomed[0] as number)
    expect(await visiblePath(page)).toEqual([''])
    await page.click('[data-fm-action="fit"]')
    const fitted = Number((await viewBox(page))?.split(' ')[2])
    await page.click('[data-fm-action="zoomIn"]')
    expect(Number((await viewBox(page))?.split(' ')[2])).toBeCloseTo(fitted / 1.25, 1)
    await context.close()
  })

  it('shows the legend and downloads the current page as SVG', async () => {
    const { context, page } = await open(`${mixedUrl}#fm-main_model:my_sub`)
    await menu(page, 'legend')
    expect(await page.locator('.fm-legend').isVisible()).toBe(true)
    // The panel opens below the toolbar, so it covers none of its buttons, and takes the focus (its close button).
    const legendBox = await page.locator('.fm-legend').boundingBox()
    const barBox = await page.locator('.fm-bar').boundingBox()
    expect(legendBox?.y ?? 0).toBeGreaterThanOrEqual((barBox?.y ?? 0) + (barBox?.height ?? 0))
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close legend')
    expect(await page.locator('.fm-legend li').count()).toBeGreaterThan(5)
    await page.screenshot({ path: join(shots, 'mixed-legend.png') })
    await page.keyboard.press('Escape')
    expect(await page.locator('.fm-legend').isVisible()).toBe(false)
    // Focus goes back to the menu button the legend was opened from.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-fm-action'))).toBe('more')
    // The close button closes it too.
    await menu(page, 'legend')
    await page.click('.fm-legend .fm-close')
    expect(await page.locator('.fm-legend').isVisible()).toBe(false)
    const [download] = await Promise.all([page.waitForEvent('download'), menu(page, 'download')])
    expect(download.suggestedFilename()).toBe('main_model-my_sub.svg')
    const file = join(tmp, 'download.svg')
    await download.saveAs(file)
    const { readFileSync } = await import('node:fs')
    const svg = readFileSync(file, 'utf8')
    expect(svg).toMatch(/^<\?xml/)
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"')
    expect(svg).toMatch(/<svg[^>]* width="\d+pt"/)
    await context.close()
  })

  it('goes full screen and back', async () => {
    const { context, page } = await open(mixedUrl)
    const button = page.locator('[data-fm-action="fullscreen"]')
    await button.click()
    await expect.poll(() => page.evaluate(() => document.fullscreenElement?.tagName ?? null)).toBe('FLOWMARK-GRAPH')
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true')
    const stage = await page.locator('.fm-page:not([hidden]) .fm-stage').boundingBox()
    const bar = await page.locator('.fm-bar').boundingBox()
    expect(Math.round((stage?.height ?? 0) + (bar?.height ?? 0))).toBeGreaterThanOrEqual(810)
    await page.screenshot({ path: join(shots, 'mixed-fullscreen.png') })
    await button.click()
    await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBe(null)
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('false')
    await context.close()
  })

  it("recolours the graph for a dark system theme and for Starlight's data-theme", async () => {
    const fillOf = (page: Page): Promise<string> =>
      page.$eval('.fm-page:not([hidden]) g.fm-kind-data path', (p) => getComputedStyle(p).fill)
    const textOf = (page: Page): Promise<string> =>
      page.$eval('.fm-page:not([hidden]) g.fm-kind-data text', (t) => getComputedStyle(t).fill)
    const light = await open(mixedUrl, { colorScheme: 'light' })
    expect(await fillOf(light.page)).toBe('rgb(115, 196, 250)') // schedula's #73c4fa stays the default look
    expect(await textOf(light.page)).toBe('rgb(0, 0, 0)')
    const dark = await open(mixedUrl, { colorScheme: 'dark' })
    expect(await fillOf(dark.page)).toBe('rgb(23, 71, 106)')
    expect(await textOf(dark.page)).toBe('rgb(232, 234, 237)')
    await dark.page.screenshot({ path: join(shots, 'mixed-dark.png') })
    await dark.page.click('g.node[data-fm-page="my_sub"]')
    await dark.page.screenshot({ path: join(shots, 'mixed-dark-sub-page.png') })
    // Starlight's manual toggle wins over the system preference, both ways.
    await dark.page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'))
    expect(await fillOf(dark.page)).toBe('rgb(115, 196, 250)')
    await light.page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'))
    expect(await fillOf(light.page)).toBe('rgb(23, 71, 106)')
    await light.context.close()
    await dark.context.close()
  })

  it('works with scripts off: root SVG visible, sub-pages through links', async () => {
    const { context, page } = await open(mixedUrl, { javaScriptEnabled: false })
    expect(await visiblePath(page)).toEqual([''])
    expect(await page.locator('.fm-bar').count()).toBe(0)
    // No landmark per page: two drawings of one model on a page would repeat its name (axe landmark-unique).
    expect(await page.locator('section.fm-page:not([role="group"])').count()).toBe(0)
    const box = await page.locator('#fm-main_model--p0 svg').boundingBox()
    expect(box?.width).toBeGreaterThan(400)
    await page.screenshot({ path: join(shots, 'mixed-no-script.png') })
    await page.click('g.node[data-fm-page="my_sub"] a[*|href] text')
    expect(await visiblePath(page)).toEqual(['my_sub'])
    await page.click('.fm-static-nav a')
    expect(await visiblePath(page)).toEqual([''])
    await context.close()
  })

  it('keeps hostile ids and labels inert', async () => {
    const { context, page } = await open(hostileUrl)
    const { HOSTILE } = await import('../../fixtures/render-hostile/plot.ts')
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(2) // the index and the viewer
    expect(await page.evaluate(() => document.querySelectorAll('img, foreignObject, iframe').length)).toBe(0)
    const labels = await page.$$eval('.fm-page:not([hidden]) g.node', (els) => els.map((e) => e.getAttribute('aria-label')))
    expect(labels).toEqual([
      `sub-model ${HOSTILE[0]}: desc ${HOSTILE[0]} (opens its graph)`,
      ...HOSTILE.slice(1).map((t) => `data ${t}: desc ${t}`),
    ])
    await page.fill('.fm-search input', 'CDATA')
    await expect.poll(() => page.locator('.fm-results [role="option"]').count()).toBe(2)
    await page.keyboard.press('Enter')
    expect((await page.locator('g.node.fm-selected').getAttribute('aria-label'))?.startsWith(`data ${HOSTILE[1]}`)).toBe(true)
    await page.click(`g.node[data-fm-node="0"]`)
    expect(await crumbs(page)).toEqual([HOSTILE[0], HOSTILE[3]])
    await page.screenshot({ path: join(shots, 'hostile.png') })
    await context.close()
  })

  it('navigates a real engine model two levels deep and back', async () => {
    const { context, page } = await open(nestedUrl)
    expect(await crumbs(page)).toEqual(['outer'])
    await page.click('g.node[data-fm-page="M"]')
    await page.click('g.node[data-fm-page="M/I"]')
    expect(await visiblePath(page)).toEqual(['M/I'])
    expect(await crumbs(page)).toEqual(['outer', 'M', 'I'])
    expect(new URL(page.url()).hash).toBe('#fm-outer:M%2FI')
    await page.screenshot({ path: join(shots, 'nested-deep.png') })
    await page.click('.fm-crumbs button:has-text("M")')
    expect(await visiblePath(page)).toEqual(['M'])
    await page.keyboard.press('Alt+ArrowLeft')
    expect(await visiblePath(page)).toEqual(['M/I'])
    // Search reaches every page: 'double' lives in M/I and in unused.
    await page.fill('.fm-search input', 'double')
    // Name matches first, then nodes whose description matches (the sub-models I and unused: "Doubles a number.").
    await expect
      .poll(() => page.locator('.fm-results [role="option"]').allTextContents())
      .toEqual(['doubleouter › M › I', 'doubleouter › unused', 'unusedouter', 'Iouter › M'])
    await page.click('.fm-results [role="option"] >> nth=1')
    expect(await visiblePath(page)).toEqual(['unused'])
    expect(await page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^function double/)
    await context.close()
    const deep = await open(`${nestedUrl}#fm-outer:M%2FI:b`)
    expect(await visiblePath(deep.page)).toEqual(['M/I'])
    expect(await deep.page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^data b/)
    await deep.page.screenshot({ path: join(shots, 'nested-deep-link.png') })
    await deep.context.close()
  })

  it('keeps the ids of a real hostile model inert', async () => {
    const { context, page } = await open(hostileModelUrl)
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(2)
    expect(await page.evaluate(() => document.querySelectorAll('img, b, foreignObject').length)).toBe(0)
    expect(await page.title()).toBe('<img src=x onerror=alert(1)>')
    await page.click('g.node.fm-opens')
    expect(await crumbs(page)).toEqual(['<img src=x onerror=alert(1)>', 'sub/"dir"'])
    await page.screenshot({ path: join(shots, 'hostile-model.png') })
    await context.close()
  })

  it('runs two graphs on one page independently, with unique ids', async () => {
    const { context, page } = await open(`${twoUrl}#two:sdf:double`)
    expect(
      await page.evaluate(() => {
        const ids = [...document.querySelectorAll('[id]')].map((e) => e.id)
        return ids.length - new Set(ids).size
      }),
    ).toBe(0)
    const paths = (id: string): Promise<string[]> =>
      page.$$eval(`#${id} .fm-page`, (els) =>
        els.filter((e) => !(e as HTMLElement).hidden).map((e) => (e as HTMLElement).dataset.fmPath ?? '?'),
      )
    expect(await paths('one')).toEqual([''])
    expect(await paths('two')).toEqual(['sdf'])
    expect(await page.locator('#two g.node.fm-selected').getAttribute('aria-label')).toMatch(/^function double\b/)
    expect(await page.locator('#one g.node.fm-selected').count()).toBe(0)
    await page.click('#one g.node[data-fm-page="my_sub"]')
    expect(await paths('one')).toEqual(['my_sub'])
    expect(await paths('two')).toEqual(['sdf'])
    // Each title/desc pair is referenced by its own SVG.
    const labelled = await page.$$eval('svg.fm-svg', (svgs) =>
      svgs.map((s) => (s.getAttribute('aria-labelledby') ?? '').split(' ').every((id) => s.querySelector(`[id="${id}"]`) !== null)),
    )
    expect(labelled.every(Boolean)).toBe(true)
    await context.close()
  })

  it('is one tab stop with a skip link; arrows follow the drawing; Backspace returns the focus to the sub-model node', async () => {
    const { context, page } = await open(nestedUrl)
    // Tab through the whole graph from the top of the page: count the stops inside the drawing.
    const stops: string[] = []
    for (let k = 0; k < 40; k++) {
      await page.keyboard.press('Tab')
      const where = await page.evaluate(() => {
        const a = document.activeElement
        if (!a || a === document.body || !a.closest('flowmark-graph')) return 'out'
        return a.matches('g.node')
          ? 'node'
          : a.classList.contains('fm-skip')
            ? 'skip'
            : a.classList.contains('fm-after')
              ? 'after'
              : (a.getAttribute('data-fm-action') ?? a.tagName.toLowerCase())
      })
      if (where === 'out' && stops.length > 0) break
      if (where !== 'out') stops.push(where)
    }
    expect(stops[0]).toBe('skip')
    expect(stops.filter((s) => s === 'node')).toHaveLength(1)
    expect(stops.length).toBeLessThanOrEqual(9) // skip link, search, 3 zoom buttons, full screen, more, the drawing
    // The skip link jumps past the graph.
    await page.evaluate(() => (document.querySelector('.fm-skip') as HTMLElement).focus())
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.classList.contains('fm-after'))).toBe(true)
    // Arrows move to the nearest node in that direction on screen.
    await page.focus('.fm-page:not([hidden]) g.node[tabindex="0"]')
    const before = await centreOf(page, ':focus')
    for (const [key, axis, sign] of [
      ['ArrowRight', 'x', 1],
      ['ArrowDown', 'y', 1],
      ['ArrowLeft', 'x', -1],
      ['ArrowUp', 'y', -1],
    ] as const) {
      const a = await centreOf(page, ':focus')
      const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
      await page.keyboard.press(key)
      const b = await centreOf(page, ':focus')
      const moved = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
      // Either it moved in that direction, or there was no node that way and the focus stayed.
      if (moved !== label) expect(((b?.[axis] ?? 0) - (a?.[axis] ?? 0)) * sign, `${key} from ${label} to ${moved}`).toBeGreaterThan(0)
    }
    expect(before).not.toBeNull()
    // Alt+← is the browser's Back while the viewer has no history of its own.
    await page.evaluate(() =>
      window.addEventListener('keydown', (e) => {
        ;(window as unknown as { altPrevented: boolean }).altPrevented = e.defaultPrevented
      }),
    )
    await page.keyboard.press('Alt+ArrowLeft')
    expect(await page.evaluate(() => (window as unknown as { altPrevented: boolean }).altPrevented)).toBe(false)
    // Down into M, then into M/I, by keyboard.
    expect(await arrowTo(page, 'g.node[data-fm-page="M"]')).toBe(true)
    await page.keyboard.press('Enter')
    expect(await visiblePath(page)).toEqual(['M'])
    expect(await page.evaluate(() => document.activeElement?.closest('.fm-page')?.getAttribute('data-fm-path'))).toBe('M')
    expect(await arrowTo(page, 'g.node[data-fm-page="M/I"]')).toBe(true)
    await page.keyboard.press('Enter')
    expect(await visiblePath(page)).toEqual(['M/I'])
    // Back up: the focus lands on the node that was entered, level by level.
    await page.keyboard.press('Backspace')
    expect(await visiblePath(page)).toEqual(['M'])
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-fm-page'))).toBe('M/I')
    // Now the viewer has history: Alt+← is its own.
    await page.keyboard.press('Alt+ArrowLeft')
    expect(await page.evaluate(() => (window as unknown as { altPrevented: boolean }).altPrevented)).toBe(true)
    expect(await visiblePath(page)).toEqual(['M/I'])
    // The breadcrumb, used from the keyboard, also puts the focus back on the sub-model node.
    await page.focus('.fm-crumbs button[data-fm-crumb="0"]')
    await page.keyboard.press('Enter')
    expect(await visiblePath(page)).toEqual([''])
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-fm-page'))).toBe('M')
    // … and it is the graph's one tab stop now.
    expect(await page.locator('.fm-page:not([hidden]) g.node[tabindex="0"]').getAttribute('data-fm-page')).toBe('M')
    await context.close()
  })

  it('takes a "remote" row of a sub-model page to the node on the parent page: viewer, no script, downloaded SVG', async () => {
    const remote = '.fm-page:not([hidden]) g.node a[*|href$="-p0-n-x"]'
    const { context, page } = await open(`${nestedUrl}#fm-outer:M`)
    expect(await visiblePath(page)).toEqual(['M'])
    const href = await page
      .locator(remote)
      .first()
      .evaluate((a) => a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? a.getAttribute('href'))
    expect(href).toBe('#fm-outer-p0-n-x')
    expect(await page.locator('[id="fm-outer-p0-n-x"]').count()).toBe(1)
    await page.locator(`${remote} text`).first().click()
    expect(await visiblePath(page)).toEqual([''])
    expect(await page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^data x\b/)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('fm-outer-p0-n-x')
    expect(new URL(page.url()).hash).toBe('#fm-outer::x')
    // A link to that id (as the static form writes it) does the same after a reload.
    const direct = await open(`${nestedUrl}#fm-outer-p0-n-x`)
    expect(await visiblePath(direct.page)).toEqual([''])
    expect(await direct.page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^data x\b/)
    await direct.context.close()
    // The downloaded SVG of page M links to the node through a deep link into this document.
    await page.goto(`${nestedUrl}#fm-outer:M`)
    await page.waitForSelector('flowmark-graph[data-fm-enhanced]')
    const [download] = await Promise.all([page.waitForEvent('download'), menu(page, 'download')])
    const file = join(tmp, 'remote.svg')
    await download.saveAs(file)
    const { readFileSync } = await import('node:fs')
    const svg = readFileSync(file, 'utf8')
    expect(svg).toContain(`${nestedUrl}#fm-outer::x"`)
    expect(svg).not.toMatch(/href="#fm-outer-p0-/)
    expect(svg).not.toContain('tabindex')
    await context.close()
    // Without scripts the link shows the parent page with the node targeted.
    const still = await open(`${nestedUrl}#fm-outer--p1`, { javaScriptEnabled: false })
    expect(await visiblePath(still.page)).toEqual(['M'])
    await still.page
      .locator(`${remote.replace('.fm-page:not([hidden]) ', '')} text`)
      .first()
      .click()
    expect(new URL(still.page.url()).hash).toBe('#fm-outer-p0-n-x')
    expect(await visiblePath(still.page)).toEqual([''])
    expect(await still.page.locator('[id="fm-outer-p0-n-x"]').isVisible()).toBe(true)
    await still.context.close()
  })

  it('on a phone: whole graph first, one-row toolbar, swipe and pinch by touch without trapping the page scroll', async () => {
    const { context, page } = await open(mixedUrl, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 2,
    })
    // Room to scroll the page below the graph.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('div'), { style: 'height: 2000px' })))
    // The whole drawing fits at first: no node outside the stage.
    const clipped = await page.$eval('flowmark-graph', (g) => {
      const box = g.querySelector('.fm-page:not([hidden]) svg')?.getBoundingClientRect()
      return [...g.querySelectorAll('.fm-page:not([hidden]) g.node')].filter((n) => {
        const r = n.getBoundingClientRect()
        return !box || r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1
      }).length
    })
    expect(clipped).toBe(0)
    // One row of controls: every button and the search box on the bar's single line, the bar no taller than a button row.
    const bar = await page.locator('.fm-bar').boundingBox()
    expect(bar?.height).toBeLessThanOrEqual(48)
    const rows = await page.$$eval(
      '.fm-bar :is(.fm-btn, .fm-search input)',
      (els) =>
        new Set(els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => Math.round(e.getBoundingClientRect().top))).size,
    )
    expect(rows).toBe(1)
    await page.screenshot({ path: join(shots, 'phone-mixed.png') })

    const cdp = await context.newCDPSession(page)
    const vb = async (): Promise<number[]> => ((await viewBox(page)) ?? '').split(' ').map(Number)
    const stage = await page.locator('.fm-viewport').boundingBox()
    if (!stage) throw new Error('no stage')
    const cx = stage.x + stage.width / 2,
      cy = stage.y + stage.height / 2
    const touch = async (from: [number, number][], to: [number, number][]): Promise<void> => {
      const at = (t: number): { x: number; y: number; id: number }[] =>
        from.map(([x, y], k) => ({
          x: x + ((to[k] as [number, number])[0] - x) * t,
          y: y + ((to[k] as [number, number])[1] - y) * t,
          id: k,
        }))
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) })
      for (let k = 1; k <= 12; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k / 12) })
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    }
    const scrollY = (): Promise<number> => page.evaluate(() => Math.round(window.scrollY))

    // A horizontal swipe pans the graph, and follows the finger (not a fraction of it).
    let v0 = await vb()
    const ppu = stage.width / (v0[2] as number)
    await touch([[cx + 100, cy]], [[cx - 100, cy]])
    let v1 = await vb()
    expect(((v1[0] as number) - (v0[0] as number)) * ppu).toBeGreaterThan(150)
    // A vertical swipe scrolls the page and leaves the graph alone.
    const s0 = await scrollY()
    v0 = await vb()
    await touch([[cx, cy + 80]], [[cx, cy - 120]])
    await expect.poll(scrollY).toBeGreaterThan(s0 + 50)
    expect(await vb()).toEqual(v0)
    // Pinch out (fingers twice as far apart) zooms in about twice.
    await page.evaluate(() => window.scrollTo(0, 0))
    const box = await page.locator('.fm-viewport').boundingBox()
    if (!box) throw new Error('no stage')
    const mx = box.x + box.width / 2,
      my = box.y + box.height / 2
    v0 = await vb()
    await touch(
      [
        [mx - 40, my],
        [mx + 40, my],
      ],
      [
        [mx - 80, my],
        [mx + 80, my],
      ],
    )
    v1 = await vb()
    const zoom = (v0[2] as number) / (v1[2] as number)
    expect(zoom).toBeGreaterThan(1.8)
    expect(zoom).toBeLessThan(2.2)
    // A tap activates the graph: then a vertical swipe pans it instead of the page; a tap outside gives the page back.
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: mx, y: box.y + 10 }] })
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    await expect.poll(() => page.locator('flowmark-graph[data-fm-active]').count()).toBe(1)
    expect(await page.$eval('.fm-viewport', (e) => getComputedStyle(e).touchAction)).toBe('none')
    const s1 = await scrollY()
    v0 = await vb()
    await touch([[mx, my + 60]], [[mx, my - 60]])
    v1 = await vb()
    expect((v1[1] as number) - (v0[1] as number)).toBeGreaterThan(0)
    expect(await scrollY()).toBe(s1)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 10, y: 830 }] })
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    await expect.poll(() => page.locator('flowmark-graph[data-fm-active]').count()).toBe(0)
    // Fit gives the whole graph back.
    await page.click('[data-fm-action="fit"]')
    expect(
      await page.$eval('flowmark-graph', (g) => {
        const b = g.querySelector('.fm-page:not([hidden]) svg')?.getBoundingClientRect()
        return [...g.querySelectorAll('.fm-page:not([hidden]) g.node')].every((n) => {
          const r = n.getBoundingClientRect()
          return b && r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1
        })
      }),
    ).toBe(true)
    // The legend opens below the bar and closes with its own button.
    await menu(page, 'legend')
    const legend = await page.locator('.fm-legend').boundingBox()
    const bar2 = await page.locator('.fm-bar').boundingBox()
    expect(legend?.y ?? 0).toBeGreaterThanOrEqual((bar2?.y ?? 0) + (bar2?.height ?? 0))
    expect((legend?.x ?? 0) + (legend?.width ?? 0)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(shots, 'phone-mixed-legend.png') })
    await page.locator('.fm-legend .fm-close').tap()
    expect(await page.locator('.fm-legend').isVisible()).toBe(false)
    await context.close()
  })

  it('logged no console errors, page errors or dialogs', () => {
    expect(problems).toEqual([])
  })
})
