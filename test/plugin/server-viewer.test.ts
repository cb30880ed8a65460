// @flowmark/docs/server: the viewer provider flowmark/server shows — graph page, SVG, API reference and its assets.
import { describe, expect, it } from 'vitest'
import { Dispatcher } from 'flowmark'
import { createApp } from 'flowmark/server'
import { docsViewer } from '@flowmark/docs/server'

function model(): Dispatcher {
  const sub = new Dispatcher({ name: 'inner' })
  sub.addFunction({ id: 'g', fn: (x: number) => x * 2, inputs: ['x'], outputs: ['y'] })
  const dsp = new Dispatcher({ name: 'outer <model>' })
  dsp.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
  dsp.addDispatcher({ id: 'S', dispatcher: sub, inputs: { b: 'x' }, outputs: { y: 'c' } })
  return dsp
}

describe('docsViewer()', () => {
  const app = createApp(model(), { viewer: docsViewer() })

  it('GET /: the interactive graph with its sub-model page, the viewer inlined, links to the API', async () => {
    const r = await app.request('/')
    expect(r.status).toBe(200)
    const html = await r.text()
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<title>outer &lt;model&gt;</title>')
    expect(html).toMatch(/<flowmark-graph id="fm-[0-9a-f]{10}"/)
    expect(html.match(/<section class="fm-page"/g)).toHaveLength(2)
    expect(html).toContain('<a href="/reference">API reference</a>')
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/)
  })

  it('GET /model.svg: the root page laid out by Graphviz', async () => {
    const r = await app.request('/model.svg')
    expect(r.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
    const svg = await r.text()
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>\s*$/)
    expect(svg).toContain('>f<')
  })

  it('GET /reference: swagger-ui on /openapi.json, every file from this server', async () => {
    const page = await (await app.request('/reference')).text()
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(urls).toEqual(['/assets/swagger-ui.css', '/assets/swagger-ui-bundle.js', '/assets/reference-init.js'])
    expect(page).toContain('data-spec="/openapi.json"')
    for (const u of urls) {
      const r = await app.request(u)
      expect(r.status, u).toBe(200)
      expect((await r.text()).length, u).toBeGreaterThan(200)
    }
    expect(await (await app.request('/assets/reference-init.js')).text()).toContain('validatorUrl: null')
  })

  it('answers 404 for other assets, and never leaves the asset folder', async () => {
    for (const u of ['/assets/package.json', '/assets/..%2Fpackage.json', '/assets/../package.json', '/assets/swagger-ui-bundle.js.map']) {
      const r = await app.request(u)
      expect(r.status, u).toBe(404)
    }
  })

  it('/health names the viewer', async () => {
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok', model: 'outer <model>', viewer: '@flowmark/docs' })
  })
})
