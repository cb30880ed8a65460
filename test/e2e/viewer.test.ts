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
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`) })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss() })
  await page.goto(url)
  await page.waitForSelector('flowmark-graph[data-fm-enhanced]', { timeout: options.javaScriptEnabled === false ? 1 : 10_000 }).catch(() => undefined)
  return { context, page }
}

const visiblePath = (page: Page): Promise<string[]> =>
  page.$$eval('flowmark-graph .fm-page', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).dataset.fmPath ?? '?'))
const crumbs = (page: Page): Promise<string[]> => page.$$eval('.fm-crumbs li', (els) => els.map((e) => e.textContent ?? ''))
const viewBox = (page: Page): Promise<string | null> => page.$eval('flowmark-graph .fm-page:not([hidden]) svg', (s) => s.getAttribute('viewBox'))

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
    const graphs = [(await renderPlot(mixedWorkflow, { renderer, id: 'one' })).html, (await renderPlot(mixedWorkflow, { renderer, id: 'two' })).html]
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
    expect(await page.locator('.fm-page:not([hidden]) g.node[tabindex="0"]').count()).toBe(13)
    const box = await page.locator('.fm-page:not([hidden]) svg').boundingBox()
    expect(box?.width).toBeGreaterThan(500)
    expect(box?.height).toBeGreaterThan(300)
    // Tooltip with the description on hover.
    await page.hover('g.node[aria-label^="data x"]')
    await expect.poll(() => page.locator('.fm-tooltip').textContent()).toContain('Input x.')
    // Its edges light up: x feeds sum_xx, sum_xz, my_sub and sdf; start feeds x.
    expect((await page.locator('.fm-page:not([hidden]) g.edge.fm-hot title').allTextContents()).sort())
      .toEqual(['start → x', 'x → my_sub', 'x → sdf', 'x → sum_xx', 'x → sum_xz'])
    expect(await page.locator('g.edge.fm-hot path').first().evaluate((p) => getComputedStyle(p).stroke)).toBe('rgb(0, 140, 255)')
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
    await page.click('[data-fm-action="back"]')
    expect(await visiblePath(page)).toEqual(['my_sub'])
    await page.click('[data-fm-action="forward"]')
    expect(await visiblePath(page)).toEqual([''])
    expect(await page.locator('[data-fm-action="forward"]').isDisabled()).toBe(true)
    await context.close()
  })

  it('opens a sub-model from the keyboard (Tab to the node, Enter)', async () => {
    const { context, page } = await open(mixedUrl)
    await page.focus('.fm-viewport')
    let label = ''
    for (let k = 0; k < 20 && !label.startsWith('function sdf'); k++) {
      await page.keyboard.press('Tab')
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '')
    }
    expect(label).toMatch(/^function sdf: A sub model\. \(opens its graph\)$/)
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
    expect(await page.locator('.fm-page:not([hidden]) g.node.fm-selected').getAttribute('aria-label')).toBe('function double')
    expect(new URL(page.url()).hash).toBe('#fm-main_model:sdf:double')
    await context.close()
  })

  it('follows a deep link to a node on a sub-page and highlights it', async () => {
    const { context, page } = await open(`${mixedUrl}#fm-main_model:my_sub:add`)
    expect(await visiblePath(page)).toEqual(['my_sub'])
    const selected = page.locator('g.node.fm-selected')
    expect(await selected.count()).toBe(1)
    expect(await selected.getAttribute('aria-label')).toBe('function add: Adds two numbers.')
    const filter = await selected.evaluate((g) => getComputedStyle(g).filter)
    expect(filter).toContain('drop-shadow')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(shots, 'mixed-deep-link.png') })
    // A later hash change on the same page moves the selection.
    await page.evaluate(() => { location.hash = '#fm-main_model::failing' })
    await expect.poll(() => visiblePath(page)).toEqual([''])
    expect(await page.locator('g.node.fm-selected').getAttribute('aria-label')).toMatch(/^function failing \(failed\)/)
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
    await page.click('[data-fm-action="zoomIn"]')
    expect(Number((await viewBox(page))?.split(' ')[2])).toBeLessThan(Number(start?.split(' ')[2]))
    await context.close()
  })

  it('shows the legend and downloads the current page as SVG', async () => {
    const { context, page } = await open(`${mixedUrl}#fm-main_model:my_sub`)
    await page.click('[data-fm-action="legend"]')
    expect(await page.locator('.fm-legend').isVisible()).toBe(true)
    expect(await page.locator('.fm-legend li').count()).toBeGreaterThan(5)
    await page.screenshot({ path: join(shots, 'mixed-legend.png') })
    await page.keyboard.press('Escape')
    expect(await page.locator('.fm-legend').isVisible()).toBe(false)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-fm-action="download"]')])
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

  it('recolours the graph for a dark system theme and for Starlight\'s data-theme', async () => {
    const fillOf = (page: Page): Promise<string> => page.$eval('.fm-page:not([hidden]) g.fm-kind-data path', (p) => getComputedStyle(p).fill)
    const textOf = (page: Page): Promise<string> => page.$eval('.fm-page:not([hidden]) g.fm-kind-data text', (t) => getComputedStyle(t).fill)
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
    expect(labels).toEqual([`sub-model ${HOSTILE[0]}: desc ${HOSTILE[0]} (opens its graph)`, ...HOSTILE.slice(1).map((t) => `data ${t}: desc ${t}`)])
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
    await expect.poll(() => page.locator('.fm-results [role="option"]').allTextContents())
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
    expect(await page.evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id)
      return ids.length - new Set(ids).size
    })).toBe(0)
    const paths = (id: string): Promise<string[]> => page.$$eval(`#${id} .fm-page`, (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => (e as HTMLElement).dataset.fmPath ?? '?'))
    expect(await paths('one')).toEqual([''])
    expect(await paths('two')).toEqual(['sdf'])
    expect(await page.locator('#two g.node.fm-selected').getAttribute('aria-label')).toBe('function double')
    expect(await page.locator('#one g.node.fm-selected').count()).toBe(0)
    await page.click('#one g.node[data-fm-page="my_sub"]')
    expect(await paths('one')).toEqual(['my_sub'])
    expect(await paths('two')).toEqual(['sdf'])
    // Each title/desc pair is referenced by its own SVG.
    const labelled = await page.$$eval('svg.fm-svg', (svgs) => svgs.map((s) => (s.getAttribute('aria-labelledby') ?? '').split(' ').every((id) => s.querySelector(`[id="${id}"]`) !== null)))
    expect(labelled.every(Boolean)).toBe(true)
    await context.close()
  })

  it('logged no console errors, page errors or dialogs', () => {
    expect(problems).toEqual([])
  })
})
