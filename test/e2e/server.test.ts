// flowmark serve's pages in headless Chromium: the graph viewer and the API reference load with no console error.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Dispatcher } from 'flowmark'
import { createApp, serve, type RunningServer } from 'flowmark/server'
import { docsViewer } from '@flowmark/docs/server'
import { launchBrowser } from './helpers/browser.ts'

let browser: Browser
let server: RunningServer
const problems: string[] = []
const requests: string[] = []

beforeAll(async () => {
  const dsp = new Dispatcher({ name: 'area' })
  dsp.addData({ id: 'w', description: 'Width.', attributes: { schema: { type: 'number' }, example: 2 } })
  dsp.addData({ id: 'h', defaultValue: 3 })
  dsp.addFunction({ id: 'rect', fn: (w: number, h: number) => w * h, inputs: ['w', 'h'], outputs: ['a'] })
  server = await serve(createApp(dsp, { viewer: docsViewer() }), { port: 0 })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function open(path: string): Promise<Page> {
  const page = await browser.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${path}: ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`${path}: pageerror: ${e.message}`))
  page.on('request', (r) => requests.push(r.url()))
  await page.goto(`${server.url}${path}`)
  return page
}

describe('flowmark/server pages in Chromium', () => {
  it('GET / shows the interactive graph of the model', async () => {
    const page = await open('/')
    await page.waitForSelector('flowmark-graph[data-fm-enhanced]', { timeout: 15_000 })
    expect(await page.$$eval('flowmark-graph .fm-node', (els) => els.length)).toBeGreaterThanOrEqual(4)
    await page.close()
    expect(problems).toEqual([])
  })

  it('GET /reference draws the OpenAPI document with swagger-ui, all from this server', async () => {
    const page = await open('/reference')
    await page.waitForSelector('.opblock-summary-path[data-path="/dispatch"]', { timeout: 20_000 })
    expect(await page.textContent('.info .title')).toContain('area')
    await page.close()
    expect(problems).toEqual([])
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'))).toEqual([])
  })
})
