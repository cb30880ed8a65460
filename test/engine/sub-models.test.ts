// Cutting models (schedula-engine.md §5): getSubDsp, getSubDspFromWorkflow, shrinkDsp and getNode, with the
// exact node and edge lists of the research examples.
import { describe, expect, it } from 'vitest'
import { Dispatcher, ModelError, SubDispatch, SubDispatchFunction, runModel, type NodeId, type Solution } from '../../engine/index.ts'

const edges = (d: Dispatcher) => d.edges.map((e) => [e.from, e.to])
const nodes = (d: Dispatcher) => [...d.nodes.keys()]

describe('§5.1 getSubDsp', () => {
  const model = () => {
    const d = new Dispatcher({ name: 'm', description: 'the model' })
    d.addFunction({ id: 'f1', inputs: ['a', 'b'], outputs: ['c', 'd'] })
    d.addFunction({ id: 'f2', inputs: ['a', 'd'], outputs: ['c', 'e'] })
    return d
  }

  it('keeps the induced sub-model, dropping functions that miss an input', () => {
    const s = model().getSubDsp(['a', 'c', 'd', 'e', 'f2'])
    expect(nodes(s)).toEqual(['a', 'c', 'd', 'f2', 'e'])
    expect(edges(s)).toEqual([
      ['a', 'f2'],
      ['d', 'f2'],
      ['f2', 'c'],
      ['f2', 'e'],
    ])
  })

  it('drops the edges given, then functions left without outputs, then isolated nodes', () => {
    expect(edges(model().getSubDsp(['a', 'd', 'c', 'f2'], [['f2', 'c']]))).toEqual([])
  })

  it('keeps name, description and settings (copyStructure)', () => {
    const s = model().getSubDsp(['a', 'd', 'c', 'f2'])
    expect([s.name, s.description]).toEqual(['m', 'the model'])
  })

  it('never matches ids fuzzily: an unknown id is an error that suggests the close one', () => {
    let caught: unknown
    try {
      model().getSubDsp(['a', 'd', 'c', '2'])
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ModelError)
    expect((caught as Error).message).toContain("'2'")
  })

  it('does not share node attributes with the original', () => {
    const d = new Dispatcher()
    d.addData({ id: 'a', defaultValue: 1, attributes: { unit: 'm' } })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const s = d.getSubDsp(['a', 'f', 'b'])
    s.setDefaultValue('a', 5)
    expect(d.defaultValues.get('a')?.value).toBe(1)
    expect(s.getNode('a').attributes).toEqual({ unit: 'm' })
    expect(s.getNode('a').attributes).not.toBe(d.getNode('a').attributes)
  })
})

describe('§5.2 getSubDspFromWorkflow', () => {
  const model = () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', inputs: ['a', 'b'], outputs: ['c'] })
    d.addFunction({ id: 'g', inputs: ['c', 'x'], outputs: ['e'] })
    d.addFunction({ id: 'h', inputs: ['c'], outputs: ['e'] })
    d.dispatch(['a', 'b'], null, { noCall: true })
    return d
  }

  it('follows the last workflow forward from the sources', () => {
    expect(edges(model().getSubDspFromWorkflow(['a', 'b']))).toEqual([
      ['a', 'f'],
      ['b', 'f'],
      ['f', 'c'],
      ['c', 'h'],
      ['h', 'e'],
    ])
  })

  it('follows it backwards with reverse', () => {
    expect(edges(model().getSubDspFromWorkflow(['e'], { reverse: true }))).toEqual([
      ['h', 'e'],
      ['c', 'h'],
      ['f', 'c'],
      ['a', 'f'],
      ['b', 'f'],
    ])
  })

  it("searches the model itself with graph: 'model'", () => {
    expect(edges(model().getSubDspFromWorkflow(['e'], { graph: 'model', reverse: true }))).toEqual([
      ['g', 'e'],
      ['h', 'e'],
      ['c', 'g'],
      ['c', 'h'],
      ['x', 'g'],
      ['f', 'c'],
      ['a', 'f'],
      ['b', 'f'],
    ])
  })

  it('adds the missing inputs of reached functions as leaves with addMissing', () => {
    expect(edges(model().getSubDspFromWorkflow(['c'], { graph: 'model', addMissing: true }))).toEqual([
      ['c', 'g'],
      ['c', 'h'],
      ['g', 'e'],
      ['x', 'g'],
      ['h', 'e'],
    ])
  })

  it('includes functions whose inputs are not all included with checkInputs: false', () => {
    expect(edges(model().getSubDspFromWorkflow(['c'], { graph: 'model', checkInputs: false }))).toEqual([
      ['c', 'g'],
      ['c', 'h'],
      ['g', 'e'],
      ['h', 'e'],
    ])
  })

  it('includes blockers but does not explore past them', () => {
    expect(edges(model().getSubDspFromWorkflow(['e'], { graph: 'model', reverse: true, blockers: ['c'] }))).toEqual([
      ['g', 'e'],
      ['h', 'e'],
      ['c', 'g'],
      ['c', 'h'],
      ['x', 'g'],
    ])
  })

  it('works on a Solution’s own workflow', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    d.addFunction({ id: 'g', fn: (a: number) => a - 1, inputs: ['a'], outputs: ['c'] })
    const sol = d.dispatch({ a: 1 }, ['b'])
    expect(edges(sol.getSubDspFromWorkflow(['a']))).toEqual([
      ['a', 'f'],
      ['f', 'b'],
    ])
  })

  it('prunes sub-dispatchers to what their kept inputs and outputs need', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'g1', inputs: ['p'], outputs: ['q'] })
    sub.addFunction({ id: 'g2', inputs: ['r'], outputs: ['s'] })
    const d = new Dispatcher()
    d.addDispatcher({ dispatcher: sub, id: 'S', inputs: { a: 'p', b: 'r' }, outputs: { q: 'y', s: 'z' } })
    const cut = d.getSubDspFromWorkflow(['y'], { graph: 'model', reverse: true })
    // Every input of S is a predecessor, so a and b stay; inside, only what q needs (r stays as a fed input).
    expect(nodes(cut)).toEqual(['y', 'S', 'a', 'b'])
    const child = cut.getNode('S')
    expect(child.kind).toBe('dispatcher')
    if (child.kind !== 'dispatcher') return
    expect(nodes(child.dispatcher)).toEqual(['p', 'q', 'r', 'g1'])
    expect([...child.inputs]).toEqual([
      ['a', ['p']],
      ['b', ['r']],
    ])
    expect([...child.outputs]).toEqual([['q', ['y']]])
    // The source model keeps its full child.
    expect(nodes(sub)).toEqual(['g1', 'p', 'q', 'g2', 'r', 's'])
  })
})

describe('§5.3 shrinkDsp', () => {
  const model = () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', inputs: ['a', 'b'], outputs: ['c'] })
    d.addFunction({ id: 'g', inputs: ['c'], outputs: ['d'] })
    d.addFunction({ id: 'h', inputs: ['b'], outputs: ['d'] })
    d.addFunction({ id: 'k', inputs: ['d'], outputs: ['e'] })
    return d
  }
  const sorted = (d: Dispatcher) =>
    edges(d)
      .map((e) => e.map(String).join('→'))
      .sort()
  const pairs = (list: [NodeId, NodeId][]) => list.map((e) => e.map(String).join('→')).sort()

  it('keeps the cheapest way from the inputs to the outputs', () => {
    expect(sorted(model().shrinkDsp(['a', 'b'], ['d']))).toEqual(
      pairs([
        ['h', 'd'],
        ['b', 'h'],
      ]),
    )
  })

  it('keeps everything reachable without outputs', () => {
    expect(sorted(model().shrinkDsp(['a', 'b']))).toEqual(
      pairs([
        ['a', 'f'],
        ['b', 'f'],
        ['b', 'h'],
        ['d', 'k'],
        ['f', 'c'],
        ['h', 'd'],
        ['k', 'e'],
      ]),
    )
  })

  it('keeps every ancestor without inputs, and nothing without either', () => {
    expect(sorted(model().shrinkDsp([], ['d']))).toEqual(
      pairs([
        ['g', 'd'],
        ['h', 'd'],
        ['c', 'g'],
        ['b', 'h'],
        ['b', 'f'],
        ['f', 'c'],
        ['a', 'f'],
      ]),
    )
    expect(nodes(model().shrinkDsp())).toEqual([])
  })

  it('keeps the alternative producers of a node that may fail at run time (a domain)', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', inputs: ['a', 'b'], outputs: ['c'] })
    d.addFunction({ id: 'g', inputs: ['c'], outputs: ['d'] })
    d.addFunction({ id: 'h', inputs: ['b'], outputs: ['d'], inputDomain: Boolean })
    d.addFunction({ id: 'k', inputs: ['d'], outputs: ['e'] })
    expect(sorted(d.shrinkDsp(['a', 'b'], ['d']))).toEqual(
      pairs([
        ['g', 'd'],
        ['h', 'd'],
        ['c', 'g'],
        ['b', 'h'],
        ['b', 'f'],
        ['f', 'c'],
        ['a', 'f'],
      ]),
    )
  })

  it('gives the same results as the full model on the shrunk one', () => {
    const d = new Dispatcher()
    d.addFunction({ id: 'f', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    d.addFunction({ id: 'g', fn: (c: number) => c * 2, inputs: ['c'], outputs: ['d'] })
    d.addFunction({ id: 'h', fn: (b: number) => -b, inputs: ['b'], outputs: ['d'], inputDomain: (b: number) => b > 0 })
    const shrunk = d.shrinkDsp(['a', 'b'], ['d'])
    for (const b of [-3, 3]) {
      expect(shrunk.dispatch({ a: 1, b }, ['d']).get('d')).toBe(d.dispatch({ a: 1, b }, ['d']).get('d'))
    }
  })
})

describe('§5.4 getNode', () => {
  it('walks paths into sub-dispatchers and names the missing part of a wrong path', () => {
    const sub = new Dispatcher({ name: 'sub' })
    sub.addFunction({ id: 'g', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher({ name: 'm' })
    d.addData({ id: 'x', defaultValue: 1, description: 'the x' })
    d.addDispatcher({ dispatcher: sub, id: 'S', inputs: { x: 'a' }, outputs: { b: 'y' } })
    expect(d.getNode('x').description).toBe('the x')
    expect(d.getNode('S', 'g').kind).toBe('function')
    expect(d.getNode('S', 'b').kind).toBe('data')
    expect(() => d.getNode('S', 'nope')).toThrow(/no node 'nope' inside 'S' in dispatcher 'sub'/)
    expect(() => d.getNode('x', 'a')).toThrow(/'x' is a data node/)
    expect(d.dispatch().getSubSolution('S')?.get('b')).toBe(2)
  })
})

describe("§5.4 getNode with nodeAttr (schedula's node_attr)", () => {
  // schedula's get_node docstring: a SubDispatch node 'Sub-dispatcher' over 'a + b'; dispatch({ a: { a: 3, b: 1 } }).
  const model = () => {
    const sub = new Dispatcher({ name: 'Sub-dispatcher' })
    sub.addData({ id: 'a', description: 'first term' })
    sub.addFunction({ id: 'a + b', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
    const d = new Dispatcher({ name: 'Dispatcher' })
    d.addFunction({ id: 'Sub-dispatcher', fn: SubDispatch(sub, { outputs: ['c'], outputType: 'dict' }), inputs: ['a'], outputs: ['b'] })
    return { d, sub }
  }

  it("'output' reads the last dispatch: a value inside the wrapped model, or the node's solution", () => {
    const { d } = model()
    expect(d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'output' })).toBeUndefined() // no dispatch yet
    const sol = d.dispatch({ a: { a: 3, b: 1 } })
    expect(d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'output' })).toBe(4)
    const inner = d.getNode('Sub-dispatcher', { nodeAttr: 'output' }) as Solution
    expect(Object.fromEntries(inner)).toEqual({ a: 3, b: 1, c: 4 })
    expect(inner).toBe(sol.workflow.nodes.get('Sub-dispatcher')?.solution)
    expect(d.getNode('b', { nodeAttr: 'output' })).toEqual({ c: 4 })
    // Solution.getNode defaults to 'output' and reads that solution, not the dispatcher's last one.
    const other = d.dispatch({ a: { a: 10, b: 1 } })
    expect([
      sol.getNode('Sub-dispatcher', 'c'),
      other.getNode('Sub-dispatcher', 'c'),
      d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'output', solution: sol }),
    ]).toEqual([4, 11, 4])
  })

  it("'auto', 'description', 'defaultValue', 'dispatcher', 'solution' and the node record", () => {
    const { d, sub } = model()
    d.addData({ id: 'k', defaultValue: 5, initialDist: 2 })
    const sol = d.dispatch({ a: { a: 3, b: 1 } })
    const fnNode = d.getNode('Sub-dispatcher', 'a + b')
    expect(fnNode.kind).toBe('function')
    expect(d.getNode('Sub-dispatcher', 'a + b', { nodeAttr: 'node' })).toBe(fnNode)
    expect(d.getNode('Sub-dispatcher', 'a + b', { nodeAttr: 'auto' })).toBe(fnNode.kind === 'function' && fnNode.fn)
    expect(d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'auto' })).toBe(4)
    expect(d.getNode('Sub-dispatcher', 'a', { nodeAttr: 'description' })).toBe('first term')
    expect(d.getNode('k', { nodeAttr: 'defaultValue' })).toEqual({ value: 5, initialDist: 2 })
    expect(d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'dispatcher' })).toBe(sub)
    expect(d.getNode('Sub-dispatcher', 'c', { nodeAttr: 'solution' })).toBe(sol.workflow.nodes.get('Sub-dispatcher')?.solution)
    expect(() => d.getNode('k', { nodeAttr: 'type' as 'node' })).toThrow(/unknown nodeAttr "type"; use one of node, output/)
  })

  it('walks sub-dispatcher nodes through their sub-solutions; an input of no node is its value', () => {
    const child = new Dispatcher({ name: 'child' })
    child.addFunction({ id: 'g', fn: (a: number) => a + 1, inputs: ['a'], outputs: ['b'] })
    const d = new Dispatcher({ name: 'm' })
    d.addDispatcher({ dispatcher: child, id: 'S', inputs: { x: 'a' }, outputs: { b: 'y' } })
    const sol = d.dispatch({ x: 1, extra: 'kept' })
    expect(sol.getNode('S', 'b')).toBe(2)
    expect(sol.getNode('S')).toBe(sol.getSubSolution('S'))
    expect(sol.getNode('extra')).toBe('kept')
    expect(() => sol.getNode('S', 'nope')).toThrow(/no node 'nope' inside 'S'/)
  })
})

describe('§5.1 getSubDsp leaves its source unchanged', () => {
  it('reading a sub-model does not move the node-index counter of the source', () => {
    const d = new Dispatcher({ name: 'm' })
    d.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    for (let i = 0; i < 5; i++) d.getSubDsp(['a', 'f', 'b'])
    d.addData({ id: 'c' })
    expect([...d.nodes.values()].map((n) => n.index)).toEqual([0, 1, 2, 3])
    const sub = d.getSubDsp(['a', 'f', 'b'])
    sub.addData({ id: 'z' })
    expect(sub.getNode('z').index).toBe(4) // the sub-model continues from the source's counter
  })
})

describe("model-wrapping function nodes keep their solution (schedula's node_solutions)", () => {
  const area = () => {
    const m = new Dispatcher({ name: 'area' })
    m.addFunction({ id: 'rect', fn: (w: number, h: number) => w * h, inputs: ['w', 'h'], outputs: ['a'] })
    return m
  }

  it("SubDispatchFunction, SubDispatch and runModel: the call's solution is on the workflow node, and plotted", () => {
    const model = area()
    const F = SubDispatchFunction(model, { inputs: ['w', 'h'], outputs: ['a'] })
    const d = new Dispatcher({ name: 'outer' })
    d.addFunction({ id: 'sdf', fn: F, inputs: ['w', 'h'], outputs: ['a1'] })
    d.addFunction({ id: 'sd', fn: SubDispatch(model), inputs: ['dims'], outputs: ['s'] })
    d.addFunction({ id: 'rm', fn: runModel, inputs: ['model', 'dims'], outputs: ['r'] })
    const sol = d.dispatch({ w: 2, h: 3, dims: { w: 4, h: 5 }, model })
    const kept = (id: string) => sol.workflow.nodes.get(id)?.solution?.get('a')
    expect([kept('sdf'), kept('sd'), kept('rm')]).toEqual([6, 20, 20])
    // A later call of the same wrapper does not change what this dispatch kept.
    expect(F(10, 10)).toBe(100)
    expect(kept('sdf')).toBe(6)
    const page = sol.plot({ hideTimestamps: true }).pages.find((p) => p.path === 'sdf')!
    expect(page.kind).toBe('workflow')
    expect(page.nodes.map((n) => n.label)).toEqual(['start', 'a', 'rect', 'h', 'w', 'end'])
    expect(d.dispatch({ w: 1, h: 1 }).workflow.nodes.get('f')?.solution).toBeUndefined()
  })

  it('getNode walks a path into the model a function node wraps', () => {
    const d = new Dispatcher({ name: 'outer' })
    d.addFunction({ id: 'F', fn: SubDispatchFunction(area(), { inputs: ['w', 'h'], outputs: ['a'] }), inputs: ['w', 'h'], outputs: ['a'] })
    d.addFunction({ id: 'plain', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    expect(d.getNode('F', 'rect').kind).toBe('function')
    expect(() => d.getNode('plain', 'x')).toThrow(/'plain' is a function node, so the path cannot go inside it/)
    expect(() => d.getNode('F', 'nope')).toThrow(/no node 'nope' inside 'F' in dispatcher 'area'/)
  })
})
