// The plots carry schedula's visual language: same nodes, shapes, colours and rows as the real schedula DOT samples.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { legend } from '../../engine/plot/index.ts'
import { model as mixedModel, run as mixedRun } from '../../fixtures/plot-mixed/input.ts'
import { createModel } from '../../fixtures/symmetric-cryptography/model.ts'
import { parseDot, readLabel, type DotGraph } from './plot-dot.ts'

// schedula's own DOT output (copied from the research notes into the renderer's fixtures).
const SAMPLES = fileURLToPath(new URL('../../fixtures/render-schedula/', import.meta.url))
const sample = (name: string) => parseDot(readFileSync(join(SAMPLES, name), 'utf8'))

interface Shape {
  shape: string | undefined
  fillcolor: string | undefined
  color: string | undefined
  fontcolor: string | undefined
  style: string
  penwidth: string | undefined
  rows: string[]
}

/** Node title → what it looks like; the node style inherits `node [style=filled]` as Graphviz would. */
function shapes(g: DotGraph): Map<string, Shape> {
  const out = new Map<string, Shape>()
  for (const attrs of g.nodes.values()) {
    const label = readLabel(attrs.get('label'))
    out.set(label.title, {
      shape: attrs.get('shape'),
      fillcolor: attrs.get('fillcolor'),
      color: attrs.get('color'),
      fontcolor: attrs.get('fontcolor'),
      style: attrs.get('style') ?? 'filled',
      penwidth: attrs.get('penwidth'),
      rows: label.rows.map((r) => r.name),
    })
  }
  return out
}

function rowValues(g: DotGraph): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>()
  for (const attrs of g.nodes.values()) {
    const label = readLabel(attrs.get('label'))
    out.set(label.title, new Map(label.rows.map((r) => [r.name, r.value])))
  }
  return out
}

function edges(g: DotGraph): string[] {
  const title = (n: string) => readLabel(g.nodes.get(n)?.get('label')).title
  return g.edges.map((e) => `${title(e.from)} -> ${title(e.to)}`).sort()
}

/** Ids in a missing-inputs/outputs cell, whatever the notation: `('key',)`, `'key'`, `(sink,)`, `SINK`. */
const ids = (cell: string | undefined) =>
  (cell ?? '')
    .replace(/[()']/g, '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .sort()

const dir = mkdtempSync(join(tmpdir(), 'flowmark-plot-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('symmetric-cryptography plots match schedula', () => {
  it('the model page has the nodes, shapes, colours, rows and edges of symmetric_cryptography-dmap.dot', () => {
    const ours = parseDot(createModel().plot().pages[0]!.dot)
    const theirs = sample('symmetric_cryptography-dmap.dot')
    expect(ours.name).toBe(theirs.name)
    expect(shapes(ours)).toEqual(shapes(theirs))
    expect(edges(ours)).toEqual(edges(theirs))
    const ov = rowValues(ours)
    const tv = rowValues(theirs)
    expect(ov.get('generate_key')?.get('weight')).toBe(tv.get('generate_key')?.get('weight'))
    // schedula links the domain to a page of its source; we name the domain function inline.
    expect(ov.get('read_key')?.get('input_domain')).toBe('isFile')
    for (const g of [ours, theirs]) {
      expect(g.graph.get('bgcolor')).toBe('transparent')
      expect(g.graph.get('splines')).toBe('ortho')
      expect(g.graph.get('label')).toBe('<dmap>')
    }
  })

  it('the workflow page has the nodes, styles, rows and edges of symmetric_cryptography-workflow.dot', () => {
    const dsp = createModel()
    const sol = dsp.dispatch({ decrypted: 'secret message', encrypted_fpath: join(dir, 'data.secret'), key_fpath: join(dir, 'key.key') })
    const ours = parseDot(sol.plot().pages[0]!.dot)
    const theirs = sample('symmetric_cryptography-workflow.dot')
    expect(ours.name).toBe('workflow')
    expect(shapes(ours)).toEqual(shapes(theirs))
    expect(edges(ours)).toEqual(edges(theirs))
    const ov = rowValues(ours)
    const tv = rowValues(theirs)
    for (const [title, rows] of tv) {
      const mine = ov.get(title)!
      if (rows.has('distance')) expect(Number(mine.get('distance')), title).toBe(Number(rows.get('distance')))
      for (const r of ['M_inputs', 'M_outputs']) expect(ids(mine.get(r)), `${title} ${r}`).toEqual(ids(rows.get(r)))
      if (rows.has('solution_domain')) expect(mine.get('solution_domain')).toBe('false')
    }
    // The orange warnings are the same three nodes.
    const orange = (g: DotGraph) =>
      [...shapes(g)]
        .filter(([, s]) => s.fillcolor === '#fea22b')
        .map(([t]) => t)
        .sort()
    expect(orange(ours)).toEqual(['read_encrypted', 'read_key', 'write_decrypted'])
    expect(orange(ours)).toEqual(orange(theirs))
  })
})

/** Edge → its xlabel rows (`name=value`), for the edges that have a table. */
function edgeRows(g: DotGraph): Map<string, string[]> {
  const title = (n: string) => readLabel(g.nodes.get(n)?.get('label')).title
  const out = new Map<string, string[]>()
  for (const e of g.edges) {
    const rows = readLabel(e.attrs.get('xlabel')).rows.map((r) => `${r.name}=${r.value}`)
    if (rows.length > 0) out.set(`${title(e.from)} -> ${title(e.to)}`, rows)
  }
  return out
}

/** Same nodes (by title) with the same look and rows, same edges, same distances and remote links. */
function expectSameStructure(ours: DotGraph, theirs: DotGraph): void {
  expect(ours.name).toBe(theirs.name)
  expect(shapes(ours)).toEqual(shapes(theirs))
  expect(edges(ours)).toEqual(edges(theirs))
  const ov = rowValues(ours)
  for (const [title, rows] of rowValues(theirs)) {
    const mine = ov.get(title)!
    for (const [name, value] of rows) {
      if (name === 'distance' || name === 'weight' || name === 'default')
        expect(Number(mine.get(name)), `${title} ${name}`).toBe(Number(value))
      if (name.startsWith('remote ')) expect(mine.get(name), `${title} ${name}`).toBe(value)
      if (name === 'M_inputs' || name === 'M_outputs') expect(ids(mine.get(name)), `${title} ${name}`).toEqual(ids(value))
    }
  }
}

describe("schedula's mixed sample, rebuilt in fixtures/plot-mixed", () => {
  it('the model page matches mixed-dmap.dot, the weighted edge table included', () => {
    const ours = parseDot(mixedModel().plot().pages[0]!.dot)
    const theirs = sample('mixed-dmap.dot')
    expectSameStructure(ours, theirs)
    expect(edgeRows(ours)).toEqual(edgeRows(theirs))
  })

  it('the workflow page matches mixed-workflow.dot: red errors with messages, defaults, distances, timings, filters', () => {
    const plot = mixedRun(mixedModel()).plot()
    const ours = parseDot(plot.pages[0]!.dot)
    const theirs = sample('mixed-workflow.dot')
    expectSameStructure(ours, theirs)
    const red = (g: DotGraph) =>
      [...shapes(g)]
        .filter(([, s]) => s.fillcolor === '#FF3536')
        .map(([t]) => t)
        .sort()
    expect(red(ours)).toEqual(['failing', 'y'])
    expect(rowValues(ours).get('failing')!.get('error')).toBe("function 'failing' failed: RangeError: boom")
    expect(rowValues(ours).get('filtered')!.get('output_filter 0')).toBe('3')
  })

  it('the sub-dispatcher page matches mixed-workflow-sub-my_sub.dot, remote links included', () => {
    const page = mixedRun(mixedModel()).plot().page('my_sub')!
    expect(page.kind).toBe('workflow')
    expectSameStructure(parseDot(page.dot), sample('mixed-workflow-sub-my_sub.dot'))
    const a = readLabel(parseDot(page.dot).nodes.get('n-a')!.get('label'))
    expect(a.rows[0]).toEqual({ name: 'remote parent 0', value: '(x)', href: '#page=&node=n-x' })
  })

  it('the SubDispatchFunction page matches mixed-workflow-sub-sdf.dot: END, inp_id and out_id edges', () => {
    const page = mixedRun(mixedModel()).plot().page('sdf')!
    expect(page.kind).toBe('workflow')
    const ours = parseDot(page.dot)
    const theirs = sample('mixed-workflow-sub-sdf.dot')
    expectSameStructure(ours, theirs)
    expect(edgeRows(ours)).toEqual(edgeRows(theirs))
  })
})

describe('the legend', () => {
  it('has the clusters of legend.dot, with the same node styles', () => {
    const ours = parseDot(legend().pages[0]!.dot)
    const theirs = sample('legend.dot')
    expect(ours.graph.get('rankdir')).toBe('LR')
    const clusterLabels = (g: DotGraph) => g.clusters.map((c) => c.label)
    expect(clusterLabels(ours)).toEqual(clusterLabels(theirs))
    // Match samples by what their titles name: `<function_id>(SubDispatch)` ↔ `<function id> (SubDispatch)`.
    const key = (title: string) =>
      title
        .replace(/<[^>]*>/g, '')
        .replace(/[\s()_-]/g, '')
        .toLowerCase()
        .replace(/^functionnode$/, 'function')
        .replace(/^datanode$/, 'data')
        .replace(/^subdispatcher$/, 'dispatcher')
    const styled = (g: DotGraph) => {
      const out = new Map<string, Omit<Shape, 'rows'>>()
      for (const attrs of g.nodes.values()) {
        if (attrs.get('shape') === 'plaintext' || attrs.get('style') === 'invis') continue
        const { rows: _rows, ...look } = shapes({ ...g, nodes: new Map([['x', attrs]]) })
          .values()
          .next().value!
        out.set(key(readLabel(attrs.get('label')).title), look)
      }
      return out
    }
    expect(styled(ours)).toEqual(styled(theirs))
    // Every sample points at a plaintext explanation with a dashed arrow.
    const dashedToText = (g: DotGraph) =>
      g.edges.filter((e) => e.attrs.get('style') === 'dashed' && g.nodes.get(e.to)?.get('shape') === 'plaintext').length
    expect(dashedToText(ours)).toBe(dashedToText(theirs))
    // The edge sample carries a real label table.
    const sampleEdge = ours.edges.find((e) => e.attrs.has('label'))!
    expect(readLabel(sampleEdge.attrs.get('label')).rows.map((r) => r.name)).toEqual(['inp_id', 'out_id', 'weight', 'wildcard', 'value'])
  })
})
