// Plot API: options and their errors, page paths and depth, node fields, workflow states, JSON round trips.
import { describe, expect, it } from 'vitest'
import { Dispatcher, END, PlotError, PlotOptionError, SINK, START, WRAPPED_MODEL } from '../../engine/index.ts'
import { inspectValue, legend, plotFromJSON, type PlotNode } from '../../engine/plot/index.ts'
import { dotIdOf, pathSegment } from '../../engine/plot/escape.ts'
import { parseDot, readLabel } from './plot-dot.ts'

function chain(): Dispatcher {
  const dsp = new Dispatcher({ name: 'chain' })
  dsp.addData({ id: 'a', defaultValue: 1 })
  dsp.addFunction({ id: 'inc', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
  dsp.addFunction({ id: 'never', fn: (q: number) => q, inputs: ['q'], outputs: ['r'] })
  return dsp
}

function nested(): Dispatcher {
  const leaf = new Dispatcher({ name: 'leaf' })
  leaf.addFunction({ id: 'g', fn: (a: number) => a * 2, inputs: ['a'], outputs: ['b'] })
  const mid = new Dispatcher({ name: 'mid' })
  mid.addDispatcher({ dispatcher: leaf, id: 'L/1', inputs: { x: 'a' }, outputs: { b: 'y' } })
  const top = new Dispatcher({ name: 'top' })
  top.addDispatcher({ dispatcher: mid, id: 'M', inputs: { x: 'x' }, outputs: { y: 'y' } })
  return top
}

const node = (nodes: readonly PlotNode[], label: string) => nodes.find((n) => n.label === label)!

describe('options', () => {
  it('rejects an unknown option, naming it, suggesting the closest and listing the valid ones', () => {
    const dsp = chain()
    const err = (() => {
      try {
        dsp.plot({ hideTimestamp: true } as never)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(PlotOptionError)
    expect((err as PlotOptionError).option).toBe('hideTimestamp')
    expect((err as Error).message).toContain('unknown option `hideTimestamp`')
    expect((err as Error).message).toContain('Did you mean `hideTimestamps`?')
    expect((err as Error).message).toContain('workflow, depth, engine, caption, graph')
  })

  it('rejects ill-typed values with the option path', () => {
    const dsp = chain()
    const cases: [object, string][] = [
      [{ depth: -1 }, 'depth'],
      [{ depth: 1.5 }, 'depth'],
      [{ engine: 'dott' }, 'engine'],
      [{ workflow: 'yes' }, 'workflow'],
      [{ graph: { 'bad name': 1 } }, 'graph.bad name'],
      [{ node: { color: {} } }, 'node.color'],
      [{ body: [1] }, 'body[0]'],
      [{ styles: { datum: {} } }, 'styles.datum'],
      [{ rows: { data: ['defaults'] } }, 'rows.data[0]'],
      [{ rows: { nodes: [] } }, 'rows.nodes'],
      [{ rows: { edge: ['weight|a|b'] } }, 'rows.edge[0]'],
      [{ pageUrl: 'x' }, 'pageUrl'],
      [{ maxWidth: 2 }, 'maxWidth'],
      [{ nodeStyle: 3 }, 'nodeStyle'],
      [{ caption: 'name' }, 'caption'],
      [{ caption: true }, 'caption'],
    ]
    for (const [options, option] of cases) {
      expect(() => dsp.plot(options as never), option).toThrow(PlotOptionError)
      try {
        dsp.plot(options)
      } catch (e) {
        expect((e as PlotOptionError).option).toBe(option)
      }
    }
    expect(() => dsp.plot({ rows: { data: ['defaults'] } })).toThrow(/Did you mean `default_values`\?/)
  })

  it('captions each page with its kind by default, its title with `title`, nothing with `false`', () => {
    const labels = (options: object) =>
      nested()
        .plot(options)
        .pages.map((p) => [p.title, parseDot(p.dot).graph.get('label')])
    expect(labels({})).toEqual([
      ['top', '<dmap>'],
      ['M', '<dmap>'],
      ['L/1', '<dmap>'],
    ])
    expect(labels({ caption: 'kind' })).toEqual(labels({}))
    expect(labels({ caption: 'title' })).toEqual([
      ['top', 'top'],
      ['M', 'M'],
      ['L/1', 'L/1'],
    ])
    expect(labels({ caption: false })).toEqual([
      ['top', undefined],
      ['M', undefined],
      ['L/1', undefined],
    ])
    // A `label` in `graph` still wins over the caption.
    expect(parseDot(nested().plot({ caption: 'title', graph: { label: 'mine' } }).pages[0]!.dot).graph.get('label')).toBe('mine')
    const dsp = chain()
    dsp.dispatch({})
    expect(parseDot(dsp.plot({ workflow: true, caption: 'title' }).pages[0]!.dot).graph.get('label')).toBe('chain')
  })

  it('escapes a model name used as the caption', () => {
    const dsp = new Dispatcher({ name: 'say "hi" \\N <b>' })
    dsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const dot = dsp.plot({ caption: 'title' }).pages[0]!.dot
    expect(dot).toContain('label="say \\"hi\\" \\\\N <b>"')
  })

  it('merges graph, node and edge attributes over the defaults; null removes a default', () => {
    const g = parseDot(
      chain().plot({ graph: { rankdir: 'LR', nslimit: null }, node: { fontsize: 10 }, edge: { color: 'red' } }).pages[0]!.dot,
    )
    expect(g.graph.get('rankdir')).toBe('LR')
    expect(g.graph.get('bgcolor')).toBe('transparent')
    expect(g.graph.get('splines')).toBe('ortho')
    expect(g.graph.has('nslimit')).toBe(false)
    const dot = chain().plot({ node: { fontsize: 10 }, edge: { color: 'red' } }).pages[0]!.dot
    expect(dot).toContain('\tnode [fontsize=10 style="filled"]')
    expect(dot).toContain('\tedge [color="red"]')
  })

  it('applies style keys, node attributes and nodeStyle in that order', () => {
    const dsp = chain()
    dsp.addData({ id: 'a', attributes: { graphviz: { fillcolor: 'pink', shape: 'ellipse' } } })
    const dot = dsp.plot({
      styles: { function: { fillcolor: 'gold' } },
      nodeStyle: (ctx) => (ctx.id === 'a' ? { shape: 'octagon' } : undefined),
    }).pages[0]!.dot
    const g = parseDot(dot)
    expect(g.nodes.get('n-a')!.get('fillcolor')).toBe('pink')
    expect(g.nodes.get('n-a')!.get('shape')).toBe('octagon')
    expect(g.nodes.get('n-inc')!.get('fillcolor')).toBe('gold')
    expect(g.nodes.get('n-inc')!.get('shape')).toBe('box')
    const byId = parseDot(chain().plot({ nodeStyle: { inc: { penwidth: 4 } } }).pages[0]!.dot)
    expect(byId.nodes.get('n-inc')!.get('penwidth')).toBe('4')
  })

  it('rejects a bad `graphviz` node attribute with the node id', () => {
    const dsp = chain()
    dsp.addData({ id: 'a', attributes: { graphviz: { 'x y': 1 } } })
    expect(() => dsp.plot()).toThrow(/node 'a' of dispatcher 'chain'/)
  })

  it('chooses the rows and the tooltip from row tokens', () => {
    const sol = chain().dispatch()
    const dot = sol.plot({ rows: { data: ['output', 'distance'], function: [] } }).pages[0]!.dot
    const g = parseDot(dot)
    const b = readLabel(g.nodes.get('n-b')!.get('label'))
    expect(b.rows).toEqual([
      { name: 'output', value: '2', href: undefined },
      { name: 'distance', value: '2', href: undefined },
    ])
    expect(g.nodes.get('n-b')!.has('tooltip')).toBe(false)
    expect(readLabel(g.nodes.get('n-inc')!.get('label')).rows).toEqual([])
  })

  it('hides every time and date with hideTimestamps', () => {
    const sol = chain().dispatch()
    expect(sol.plot().pages[0]!.dot).toMatch(/>started<.*>\d{4}-\d\d-\d\dT/)
    expect(sol.plot().pages[0]!.dot).toContain('>duration<')
    const hidden = sol.plot({ hideTimestamps: true }).pages[0]!.dot
    expect(hidden).not.toMatch(/started|duration|\d{4}-\d\d-\d\dT/)
  })

  it('records the layout engine on every page', () => {
    expect(
      nested()
        .plot({ engine: 'neato' })
        .pages.map((p) => p.engine),
    ).toEqual(['neato', 'neato', 'neato'])
    expect(chain().plot().pages[0]!.engine).toBe('dot')
  })

  it('appends the raw body statements', () => {
    expect(chain().plot({ body: 'ranksep=2' }).pages[0]!.dot).toContain('\tranksep=2\n')
  })
})

describe('pages', () => {
  it('has one page per sub-dispatcher, depth-first, with escaped stable paths', () => {
    const plot = nested().plot()
    expect(plot.pages.map((p) => [p.path, p.title, p.kind, p.parent])).toEqual([
      ['', 'top', 'dmap', undefined],
      ['M', 'M', 'dmap', ''],
      ['M/L%2F1', 'L/1', 'dmap', 'M'],
    ])
    expect(plot.page('M/L%2F1')?.nodes.map((n) => n.label)).toEqual(['g', 'a', 'b'])
    expect(node(plot.pages[0]!.nodes, 'M').page).toBe('M')
    expect(node(plot.pages[1]!.nodes, 'L/1').page).toBe('M/L%2F1')
    expect(plot.page('nope')).toBeUndefined()
  })

  it('stops at `depth`', () => {
    expect(
      nested()
        .plot({ depth: 0 })
        .pages.map((p) => p.path),
    ).toEqual([''])
    expect(node(nested().plot({ depth: 0 }).pages[0]!.nodes, 'M').page).toBeUndefined()
    expect(
      nested()
        .plot({ depth: 1 })
        .pages.map((p) => p.path),
    ).toEqual(['', 'M'])
  })

  it('links navigable nodes with a URL (pageUrl decides its form)', () => {
    const g = parseDot(nested().plot({ pageUrl: (p, id) => `/graphs/${p}${id ? `#${id}` : ''}` }).pages[0]!.dot)
    expect(g.nodes.get('n-M')!.get('URL')).toBe('/graphs/M')
    expect(parseDot(nested().plot().pages[0]!.dot).nodes.get('n-M')!.get('URL')).toBe('#page=M')
  })

  it('draws sub-solutions as workflow pages', () => {
    const sol = nested().dispatch({ x: 3 })
    expect(sol.get('y')).toBe(6)
    const plot = sol.plot()
    expect(plot.pages.map((p) => [p.path, p.kind])).toEqual([
      ['', 'workflow'],
      ['M', 'workflow'],
      ['M/L%2F1', 'workflow'],
    ])
    expect(node(plot.pages[2]!.nodes, 'b').value).toBe('6')
  })

  it('opens the model of a sub-dispatcher that was reached but not started (its domain said no)', () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'g', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const dsp = new Dispatcher()
    dsp.addDispatcher({ dispatcher: child, id: 'C', inputs: { x: 'a' }, outputs: { b: 'y' }, inputDomain: () => false })
    const plot = dsp.dispatch({ x: 1 }).plot()
    expect(plot.pages.map((p) => [p.path, p.kind])).toEqual([
      ['', 'workflow'],
      ['C', 'dmap'],
    ])
    expect(node(plot.pages[0]!.nodes, 'C')).toMatchObject({ page: 'C', state: 'ok' })
    // An inline arrow is shown by its source, not by the option name it inherited (`inputDomain`).
    expect(readLabel(parseDot(plot.pages[0]!.dot).nodes.get('n-C')!.get('label')).rows[0]).toMatchObject({
      name: 'input_domain',
      value: '() => false',
    })
  })

  it('names an input domain by its function name, or an inline arrow by its source', () => {
    function positive(x: number): boolean {
      return x > 0
    }
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'named', fn: Math.log, inputs: ['x'], outputs: ['y'], inputDomain: positive })
    dsp.addFunction({
      id: 'inline',
      fn: Math.sqrt,
      inputs: ['x'],
      outputs: ['z'],
      inputDomain: (x: number, ...rest: unknown[]) => x >= 0 && rest.length === 0,
    })
    const labels = parseDot(dsp.plot().pages[0]!.dot).nodes
    expect(readLabel(labels.get('n-named')!.get('label')).rows[0]).toMatchObject({ name: 'input_domain', value: 'positive' })
    expect(readLabel(labels.get('n-inline')!.get('label')).rows[0]).toMatchObject({
      name: 'input_domain',
      value: '(x, ...rest) => x >= 0 && rest.length === 0',
    })
  })

  it('draws a function wrapping a model as a note that opens it, and survives a model wrapping its ancestor', () => {
    const dsp = new Dispatcher({ name: 'outer' })
    const fn = Object.assign((x: number) => x, { [WRAPPED_MODEL]: dsp, wrapperKind: 'DispatchPipe' })
    dsp.addFunction({ id: 'self_call', fn, inputs: ['x'], outputs: ['y'] })
    const plot = dsp.plot()
    expect(plot.pages).toHaveLength(1)
    const n = node(plot.pages[0]!.nodes, 'self_call')
    expect(n).toMatchObject({ kind: 'function', type: 'dispatchpipe', page: '' })
    expect(parseDot(plot.pages[0]!.dot).nodes.get('n-self_call')!.get('fillcolor')).toBe('#e8c268')
  })

  it('path segments and DOT ids are injective and safe', () => {
    const ids = ['a', 'a/b', 'a%2Fb', '', '%', 'start', 'n-x', 'x y', 'x-20-y', 'é']
    const segs = ids.map(pathSegment)
    expect(new Set(segs).size).toBe(ids.length)
    expect(segs.every((s) => !s.includes('/') && s !== '')).toBe(true)
    expect(pathSegment(START)).toBe('%start')
    const dotIds = [...ids, START, SINK, END].map(dotIdOf)
    expect(new Set(dotIds).size).toBe(dotIds.length)
    expect(dotIds.every((d) => /^[A-Za-z0-9_-]+$/.test(d))).toBe(true)
  })
})

describe('workflow pages', () => {
  it('marks states: ok, missing (orange), error (red) with the message, unreached only with ghostUnreached', () => {
    const dsp = new Dispatcher({ name: 'w' })
    dsp.addFunction({
      id: 'bad',
      fn: () => {
        throw new Error('nope')
      },
      inputs: ['a'],
      outputs: ['b'],
    })
    dsp.addFunction({ id: 'ok', fn: (a: number) => a, inputs: ['a'], outputs: ['c'] })
    dsp.addFunction({ id: 'half', fn: (c: number, z: number) => c + z, inputs: ['c', 'z'], outputs: ['d'] })
    dsp.addFunction({ id: 'far', fn: (z: number) => z, inputs: ['z'], outputs: ['e'] })
    const sol = dsp.dispatch({ a: 1 })
    const page = sol.plot().pages[0]!
    expect(node(page.nodes, 'bad')).toMatchObject({ state: 'error', error: "function 'bad' failed: Error: nope" })
    expect(node(page.nodes, 'ok').state).toBe('ok')
    expect(node(page.nodes, 'half').state).toBe('missing')
    expect(page.nodes.find((n) => n.label === 'far')).toBeUndefined()
    const g = parseDot(page.dot)
    expect(g.nodes.get('n-bad')!.get('fillcolor')).toBe('#FF3536')
    expect(readLabel(g.nodes.get('n-bad')!.get('label')).rows.at(-1)).toMatchObject({
      name: 'error',
      value: "function 'bad' failed: Error: nope",
    })
    expect(g.nodes.get('n-half')!.get('fillcolor')).toBe('#fea22b')
    expect(readLabel(g.nodes.get('n-half')!.get('label')).rows.map((r) => [r.name, r.value])).toContainEqual(['M_inputs', "'z'"])
    const ghost = sol.plot({ ghostUnreached: true }).pages[0]!
    expect(node(ghost.nodes, 'far').state).toBe('unreached')
    const gg = parseDot(ghost.dot)
    expect(gg.nodes.get('n-far')!.get('style')).toBe('filled,dashed')
    expect(gg.edges.find((e) => e.from === 'n-z' && e.to === 'n-far')!.attrs.get('style')).toBe('dashed')
  })

  it('numbers the visited nodes in visit order with orderBadges', () => {
    const sol = chain().dispatch()
    const page = sol.plot({ orderBadges: true }).pages[0]!
    expect(page.nodes.filter((n) => n.order !== undefined).map((n) => [n.label, n.order])).toEqual([
      ['a', 1],
      ['inc', 2],
      ['b', 3],
    ])
    expect(page.dot).toContain('<FONT color="#FFFFFF" point-size="9">2</FONT></TD><TD cellpadding="2">inc</TD>')
    expect(sol.plot().pages[0]!.nodes.every((n) => n.order === undefined)).toBe(true)
  })

  it('gives no badge to a node the search visited but the workflow dropped', () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const sol = dsp.dispatch({ a: 1, b: 5 })
    expect(sol.pipe.map((s) => s.nodeId)).toContain('f')
    const page = sol.plot({ orderBadges: true, ghostUnreached: true }).pages[0]!
    expect(node(page.nodes, 'f').state).toBe('unreached')
    expect(node(page.nodes, 'f').order).toBeUndefined()
    expect(page.nodes.filter((n) => n.order !== undefined).map((n) => n.label)).toEqual(['a', 'b'])
  })

  it('Dispatcher.plot({ workflow: true }) draws the last solution, and needs one', () => {
    const dsp = chain()
    expect(() => dsp.plot({ workflow: true })).toThrow(PlotError)
    expect(() => dsp.plot({ workflow: true })).toThrow(/call dispatch\(\) first/)
    dsp.dispatch()
    expect(dsp.plot({ workflow: true }).pages[0]!.kind).toBe('workflow')
    expect(dsp.dispatch().plot({ workflow: false }).pages[0]!.kind).toBe('dmap')
  })

  it('labels the START edge of an input that is recomputed (wildcard) with the value given', () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    dsp.addFunction({ id: 'g', fn: (b: number) => b * 10, inputs: ['b'], outputs: ['a'] })
    const sol = dsp.dispatch({ a: 1 }, ['a'], { wildcard: true })
    expect(sol.get('a')).toBe(20)
    const g = parseDot(sol.plot().pages[0]!.dot)
    const e = g.edges.find((x) => x.from === 'start' && x.to === 'n-a')!
    expect(readLabel(e.attrs.get('xlabel')).rows).toEqual([{ name: 'wildcard', value: '1', href: undefined }])
  })
})

describe('plot data', () => {
  it('is deterministic: the same model gives the same bytes', () => {
    expect(nested().plot().toJSON()).toEqual(nested().plot().toJSON())
    expect(JSON.stringify(nested().plot())).toBe(JSON.stringify(nested().plot()))
  })

  it('round-trips through JSON and structuredClone as plain data', () => {
    const plot = nested().dispatch({ x: 1 }).plot({ orderBadges: true })
    const json = plot.toJSON()
    expect(Object.getPrototypeOf(json.pages[0])).toBe(Object.prototype)
    const viaJson = JSON.parse(JSON.stringify(plot))
    expect(viaJson).toEqual(json)
    expect(structuredClone(json)).toEqual(json)
    const back = plotFromJSON(viaJson)
    expect(back.toJSON()).toEqual(json)
    expect(back.page('M')?.dot).toBe(plot.page('M')?.dot)
    expect(JSON.parse(JSON.stringify(plot.pages[1]))).toEqual(json.pages[1])
    expect(() => plotFromJSON({ pages: [{ path: 1 }] })).toThrow(/pages\[0\]\.path is not a string/)
  })

  it('lists every node with its DOT id, label, kind, description, type and state', () => {
    const dsp = chain()
    dsp.addData({ id: 'a', description: 'The input.' })
    const page = dsp.plot().pages[0]!
    expect(node(page.nodes, 'a')).toEqual({
      dotId: 'n-a',
      label: 'a',
      kind: 'data',
      description: 'The input.',
      page: undefined,
      state: undefined,
      type: 'data',
    })
    expect(node(page.nodes, 'inc')).toMatchObject({ kind: 'function', type: 'function' })
    const empty = new Dispatcher().plot().pages[0]!
    expect(empty.nodes).toEqual([
      { dotId: 'empty', label: 'empty', kind: 'other', description: undefined, page: undefined, state: undefined, type: 'empty' },
    ])
  })

  it('draws the nodes and edges in model order, START first', () => {
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'z', fn: () => 1, outputs: ['y'] })
    dsp.addFunction({ id: 'x', fn: (y: number) => y, inputs: ['y'], outputs: ['w'] })
    const g = parseDot(dsp.plot().pages[0]!.dot)
    expect([...g.nodes.keys()]).toEqual(['start', 'n-z', 'n-y', 'n-x', 'n-w'])
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['start>n-z', 'n-z>n-y', 'n-y>n-x', 'n-x>n-w'])
  })

  it('the legend is a single page listing its samples', () => {
    const l = legend()
    expect(l.pages).toHaveLength(1)
    expect(l.pages[0]!.nodes.map((n) => n.dotId)).toContain('legend-subdispatch')
    expect(() => legend({ engine: 'x' } as never)).toThrow(PlotOptionError)
  })
})

describe('inspectValue', () => {
  it('describes values briefly, like the REPL', () => {
    expect(inspectValue('a\nb')).toBe("'a\\nb'")
    expect(inspectValue(-0)).toBe('-0')
    expect(inspectValue(10n)).toBe('10n')
    expect(inspectValue(Symbol('s'))).toBe('Symbol(s)')
    expect(inspectValue(function named() {})).toBe('[Function: named]')
    expect(inspectValue(class K {})).toBe('[class K]')
    expect(inspectValue([1, 'x', null, undefined])).toBe("[ 1, 'x', null, undefined ]")
    expect(inspectValue(new Map([['k', 1]]))).toBe("Map(1) { 'k' => 1 }")
    expect(inspectValue({ a: 1, 'b c': [2] })).toBe("{ a: 1, 'b c': [ 2 ] }")
    expect(inspectValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    expect(inspectValue(new TypeError('bad'))).toBe('TypeError: bad')
    expect(inspectValue(new Uint8Array([1, 2]))).toBe('Uint8Array(2) [ 1, 2 ]')
    expect(inspectValue(Object.create(null))).toBe('[Object: null prototype] {}')
    expect(inspectValue(new Dispatcher({ name: 'd' }))).toBe("Dispatcher('d', 0 nodes)")
    expect(inspectValue(chain().dispatch())).toBe("Solution(2) { 'a' => 1, 'b' => 2 }")
  })

  it('is bounded and never runs user code or loops', () => {
    const cyclic: Record<string, unknown> = { name: 'c' }
    cyclic.self = cyclic
    expect(inspectValue(cyclic)).toBe("{ name: 'c', self: [Circular] }")
    const getter = {
      get boom(): never {
        throw new Error('ran')
      },
    }
    expect(inspectValue(getter)).toBe('{ boom: [Getter] }')
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(inspectValue(proxy)).toBe('[Uninspectable]')
    expect(
      inspectValue({
        toString() {
          throw new Error('ran')
        },
      }),
    ).toBe('{ toString: [Function: toString] }')
    expect(inspectValue(Array.from({ length: 1000 }, (_, i) => i))).toContain('… 992 more items')
    expect(inspectValue('x'.repeat(10_000)).length).toBeLessThanOrEqual(200)
    expect(inspectValue({ a: { b: { c: { d: 1 } } } })).toBe('{ a: { b: [Object] } }')
    expect(Array.from(inspectValue({ s: 'y'.repeat(500) }, { maxLength: 50 }))).toHaveLength(50)
    expect(inspectValue('\uD800 lone')).toBe("'\\ud800 lone'")
  })
})

describe('clusters', () => {
  it('boxes the nodes that share a `cluster` attribute, labelled, in order of appearance', () => {
    const dsp = new Dispatcher()
    dsp.addData({ id: 'a', attributes: { cluster: 'Inputs' } })
    dsp.addData({ id: 'b', attributes: { cluster: 'Inputs' } })
    dsp.addFunction({
      id: 'f',
      fn: (a: number, b: number) => a + b,
      inputs: ['a', 'b'],
      outputs: ['c'],
      attributes: { cluster: 'Work "here"' },
    })
    const g = parseDot(dsp.plot().pages[0]!.dot)
    expect(g.clusters).toEqual([
      { name: 'cluster_0', label: 'Inputs', nodes: ['n-a', 'n-b'] },
      { name: 'cluster_1', label: 'Work "here"', nodes: ['n-f'] },
    ])
  })
})

describe('row values', () => {
  it('wrap long lines at spaces and cut what does not fit', async () => {
    const { boundText } = await import('../../engine/plot/escape.ts')
    expect(boundText('short', 5, 20)).toBe('short')
    expect(boundText('the quick brown fox jumps over the lazy dog', 5, 12)).toBe('the quick\nbrown fox\njumps over\nthe lazy dog')
    expect(boundText('x'.repeat(25), 5, 10)).toBe('xxxxxxxxxx\nxxxxxxxxxx\nxxxxx')
    expect(boundText('a\nb\nc\nd', 2, 10)).toBe('a\nb…')
    expect(boundText('y'.repeat(30), 2, 10)).toBe('yyyyyyyyyy\nyyyyyyyyy…')
  })
})
