// Renderer on real engine plots: every node of every page is linked to its SVG group, sub-pages are wired up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PlotJSON } from '../../engine/plot/types.ts'
import { legend } from '../../engine/plot/index.ts'
import { Timeline, type TimelineRow } from '../../engine/plot/timeline.ts'
import { GraphRenderer, renderPlot } from '../../plugin/render/index.ts'
import { escapeHtml } from '../../plugin/core/html.ts'
import { decodeEntities } from '../../plugin/render/markup.ts'
import { dsp as crypto } from '../../fixtures/symmetric-cryptography/model.ts'
import { model as subModel, run as runSub } from '../../fixtures/plot-sub-dispatcher/input.ts'
import { model as wrappedModel, run as runWrapped } from '../../fixtures/plot-wrapped-model/input.ts'
import { hostileModel } from '../../fixtures/render-hostile/model.ts'

const renderer = new GraphRenderer({ cacheDir: false })

/** Renders and checks the invariants every engine plot must satisfy; returns the HTML. */
async function check(plot: PlotJSON, id: string): Promise<string> {
  const { html, warnings } = await renderPlot(plot, { renderer, id })
  expect(warnings).toEqual([])
  plot.pages.forEach((page, i) => {
    const section = new RegExp(`<section class="fm-page" role="group" id="${id}--p${i}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? ''
    expect(section).not.toBe('')
    // One linked group per node, in order.
    const linked = [...section.matchAll(/data-fm-node="(\d+)"/g)].map((m) => Number(m[1]))
    const drawn = page.nodes
      .map((n, k) => [n, k] as const)
      .filter(([n]) => !page.dot.split('\n').some((l) => l.includes(`id=${JSON.stringify(n.dotId)}`) && l.includes('invis')))
    expect(linked.sort((a, b) => a - b)).toEqual(drawn.map(([, k]) => k))
    // Each navigable node links to the section of its page.
    for (const node of page.nodes) {
      if (node.page === undefined) continue
      const target = plot.pages.findIndex((p) => p.path === node.page)
      expect(target).toBeGreaterThan(0)
      const group =
        new RegExp(`<g [^>]*data-fm-page="${escapeHtml(node.page).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*>[\\s\\S]*?</g>`).exec(
          section,
        )?.[0] ?? ''
      expect(group, `node ${node.label} of page '${page.path}'`).toContain(`href="#${id}--p${target}"`)
    }
  })
  // Every internal link names an element of the graph (remote rows of sub-model pages point at the parent's node).
  const ids = new Set([...html.matchAll(/ id="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string)))
  const internal = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => decodeEntities(m[1] as string))
  expect(
    internal.filter((t) => !ids.has(t)),
    'links to ids the graph lacks',
  ).toEqual([])
  return html
}

describe('renderPlot on engine plots', () => {
  it('symmetric-cryptography model and workflow', async () => {
    await check(crypto.plot().toJSON(), 'crypto')
    // The model writes the key it generates: keep it out of the working tree.
    const dir = mkdtempSync(join(tmpdir(), 'flowmark-render-'))
    try {
      const sol = crypto.dispatch({ key_fpath: join(dir, 'no-such-key'), decrypted: 'hi' })
      const html = await check(sol.plot().toJSON(), 'crypto-wf')
      expect(html).toContain('data-fm-kind="workflow"')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('nested sub-dispatchers: model and workflow pages with breadcrumbs', async () => {
    const dsp = subModel()
    const plot = dsp.plot().toJSON()
    expect(plot.pages.map((p) => p.path)).toEqual(['', 'M', 'M/I', 'unused'])
    const html = await check(plot, 'nested')
    expect(html).toContain(
      '<nav class="fm-static-nav" aria-label="Graph pages"><a href="#nested--p0">outer</a> <span aria-hidden="true">›</span> <a href="#nested--p1">M</a> <span aria-hidden="true">›</span> <span aria-current="page">I</span></nav>',
    )
    // M's `a` is fed by the parent's `x`: its remote row links to x's group on the root page.
    expect(html).toMatch(/<a [^>]*href="#nested-p0-n-x"/)
    await check(runSub(dsp).plot().toJSON(), 'nested-wf')
    // depth limits the pages.
    expect(dsp.plot({ depth: 0 }).toJSON().pages).toHaveLength(1)
  })

  it('functions wrapping models open the wrapped model', async () => {
    const dsp = wrappedModel()
    const plot = dsp.plot().toJSON()
    expect(plot.pages.length).toBeGreaterThan(1)
    await check(plot, 'wrapped')
    await check(runWrapped(dsp).plot().toJSON(), 'wrapped-wf')
  })

  it('the engine legend', async () => {
    await check(legend().toJSON(), 'legend')
  })

  it('a model with hostile node ids', async () => {
    const html = await check(hostileModel().plot().toJSON(), 'hostile')
    expect(html.match(/<script/g)).toHaveLength(1)
    const labels = [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string))
    expect(labels.some((l) => l.includes('</script><b>'))).toBe(true)
  })

  it("a timeline is as wide whatever its calls' offsets: every bar sits on one track of fixed width", async () => {
    const row = (id: string, start: number, duration: number, lane: string): TimelineRow => ({
      path: [id],
      start,
      duration,
      failed: false,
      lane,
    })
    const width = async (rows: TimelineRow[]) => {
      const html = await check(new Timeline('t', rows).plot().toJSON(), 'timeline')
      const bars = [...html.matchAll(/<polygon fill="#73c4fa"[^>]* points="([\d.]+),[^ ]+ [^ ]+ ([\d.]+),/g)].map((m) => [
        Number(m[1]),
        Number(m[2]),
      ])
      return { width: Number(/<svg width="([\d.]+)pt"/.exec(html)?.[1]), bars }
    }
    // Calls starting together, then calls spread over the span (this used to shift cells into other columns).
    const together = await width([row('a', 0, 100, 'w 1'), row('b', 0, 100, 'w 2'), row('c', 0, 100, 'w 2')])
    const spread = await width([row('a', 0, 100, 'w 1'), row('b', 20, 30, 'w 2'), row('c', 60, 40, 'w 2'), row('d', 99.9, 0.1, 'w 2')])
    expect(spread.width).toBe(together.width)
    // Each bar begins where its call starts on the common scale: 480 points for the span.
    const [left] = spread.bars[0]!
    expect(spread.bars.map(([x0, x1]) => [Math.round(x0! - left!), Math.round(x1! - left!)])).toEqual([
      [0, 480],
      [96, 240],
      [288, 480],
      [478, 480],
    ])
  })
})
