// Blueprints, copy and extend (schedula-engine.md §3.8), with the accidents of schedula's versions fixed.
import { describe, expect, it } from 'vitest'
import {
  Blueprint,
  Dispatcher,
  ModelError,
  SINK,
  START,
  SubDispatchFunction,
  WRAPPED_MODEL,
  deferred,
  type FunctionNode,
  type SubDispatcherNode,
} from '../../engine/index.ts'

/** schedula's blueprint B: a defaults to 1, c = max(a, b). */
function blueB(): Blueprint {
  return new Blueprint({ name: 'B' })
    .addData({ id: 'a', defaultValue: 1 })
    .addFunction({ id: 'f', fn: Math.max, inputs: ['a', 'b'], outputs: ['c'] })
}

describe('§3.8 blueprints', () => {
  it('register builds a new dispatcher each time; with a memo, the same one', () => {
    const blue = blueB()
    const d1 = blue.register()
    const d2 = blue.register()
    expect(d1).toBeInstanceOf(Dispatcher)
    expect([d1 === d2, d1.name]).toEqual([false, 'B'])
    expect(blue.dispatch({ b: 5 }).toObject()).toEqual({ a: 1, b: 5, c: 5 })
    const memo = new Map()
    expect(blue.register(memo)).toBe(blue.register(memo))
    expect(String(blue)).toBe("Blueprint('B', 2 steps)")
  })

  it('a blueprint registered twice gives independent instances', () => {
    const blue = new Blueprint({ name: 'acc' })
      .addData({ id: 'seen', defaultValue: [] as number[] })
      .addFunction({ id: 'push', fn: (seen: number[], x: number) => (seen.push(x), seen.length), inputs: ['seen', 'x'], outputs: ['n'] })
    const one = blue.register()
    const two = blue.register()
    one.addFunction({ id: 'extra', fn: (n: number) => n * 2, inputs: ['n'], outputs: ['m'] })
    expect(two.nodes.has('extra')).toBe(false)
    expect(one.dispatch({ x: 1 }).get('m')).toBe(2)
    expect(one.dispatch({ x: 2 }).get('n')).toBe(2)
    // The mutable default is the instance's own (schedula shares it between registrations).
    expect(two.dispatch({ x: 9 }).get('n')).toBe(1)
    expect(one.defaultValues.get('seen')!.value).toEqual([1, 2])
    expect(two.defaultValues.get('seen')!.value).toEqual([9])
  })

  it('copies the options of each step when it is recorded', () => {
    const inputs = ['a', 'b']
    const blue = new Blueprint().addFunction({ id: 'f', fn: Math.max, inputs, outputs: ['c'] })
    inputs.push('z')
    expect((blue.register().nodes.get('f') as FunctionNode).inputs).toEqual(['a', 'b'])
  })

  it('registers child blueprints with the parent: one instance per registration, shared within it', () => {
    const child = new Blueprint({ name: 'child' }).addFunction({ id: 'g', fn: (x: number) => x * 2, inputs: ['x'], outputs: ['y'] })
    const parent = new Blueprint({ name: 'parent' })
      .addDispatcher({ dispatcher: child, id: 'S1', inputs: { a: 'x' }, outputs: { y: 'b' } })
      .addDispatcher({ dispatcher: child, id: 'S2', inputs: { b: 'x' }, outputs: { y: 'c' } })
    const p1 = parent.register()
    const p2 = parent.register()
    const s = (d: Dispatcher, id: string) => (d.nodes.get(id) as SubDispatcherNode).dispatcher
    expect(s(p1, 'S1')).toBe(s(p1, 'S2'))
    expect(s(p1, 'S1')).not.toBe(s(p2, 'S1'))
    expect(p1.dispatch({ a: 3 }).get('c')).toBe(12)
  })

  it('defers wrapper functions to registration, so each instance wraps its own inner model', () => {
    const inner = new Blueprint({ name: 'inner' }).addFunction({ id: 'g', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })
    const outer = new Blueprint({ name: 'outer' }).addFunction({
      id: 'F',
      inputs: ['a'],
      outputs: ['b'],
      fn: deferred((memo) => SubDispatchFunction(inner.register(memo), { inputs: ['x'], outputs: ['y'] })),
    })
    const o1 = outer.register()
    const o2 = outer.register()
    const wrapped = (d: Dispatcher) => ((d.nodes.get('F') as FunctionNode).fn as unknown as { [WRAPPED_MODEL]: Dispatcher })[WRAPPED_MODEL]
    expect(wrapped(o1)).not.toBe(wrapped(o2))
    expect(o1.dispatch({ a: 1 }).get('b')).toBe(2)
    expect(() => deferred(5 as never)).toThrow(ModelError)
  })

  it('checks the dispatcher options at once', () => {
    expect(() => new Blueprint({ nmae: 'x' } as never)).toThrow(/unknown option `nmae`/)
  })

  it('records addFunc, addFromLists and setDefaultValue', () => {
    const blue = new Blueprint()
      .addFunc(
        function twice(x: number) {
          return x * 2
        },
        { outputs: ['y'] },
      )
      .addFromLists({ data: [{ id: 'x' }], functions: [{ id: 'inc', fn: (y: number) => y + 1, inputs: ['y'], outputs: ['z'] }] })
      .setDefaultValue('x', 4)
    expect(blue.deferred.map((s) => s.method)).toEqual(['addFunc', 'addData', 'addFunction', 'setDefaultValue'])
    expect(blue.dispatch().toObject()).toEqual({ x: 4, y: 8, z: 9 })
  })
})

describe('§3.8 extend and blue', () => {
  it('extend with a dispatcher keeps the defaults the blueprint set (schedula drops them)', () => {
    const base = new Dispatcher()
    base.addFunction({ id: 'g', fn: Math.min, inputs: ['c', 'a'], outputs: ['d'] })
    const ext = new Dispatcher({ name: 'E' })
    expect(ext.extend(blueB(), base)).toBe(ext)
    expect([ext.name, [...ext.nodes.keys()]]).toEqual(['E', ['a', 'f', 'b', 'c', 'g', 'd']])
    // schedula prints {'b': 5}: replaying base.blue() re-adds `a` without its default.
    expect(ext.dispatch({ b: 5 }).toObject()).toEqual({ a: 1, b: 5, c: 5, d: 1 })
    expect(ext.blue().deferred.map((s) => s.method)).toEqual(['addData', 'addFunction', 'addFunction'])
  })

  it('Blueprint.extend appends the steps of blueprints and dispatchers', () => {
    const other = new Dispatcher()
    other.addFunction({ id: 'h', fn: (c: number) => c * 10, inputs: ['c'], outputs: ['e'] })
    const blue = blueB().extend(other, new Blueprint().addData({ id: 'b', defaultValue: 2 }))
    expect(blue.dispatch().toObject()).toEqual({ a: 1, b: 2, c: 2, e: 20 })
    expect(() => blueB().extend(5 as never)).toThrow(ModelError)
    expect(() => new Dispatcher().extend(5 as never)).toThrow(/expected blueprints or dispatchers/)
  })

  it('blue() rebuilds the same model: nodes in order, attributes, defaults, weights, mappings', () => {
    const sub = new Dispatcher({ name: 'sub', description: 'child' })
    sub.addData({ id: 'k', defaultValue: 10, initialDist: 2 })
    sub.addFunction({ id: 'mul', fn: (a: number, k: number) => a * k, inputs: ['a', 'k'], outputs: ['b'] })
    const d = new Dispatcher({ name: 'root', description: 'R', raises: false })
    d.addData({ id: 'w', waitInputs: true, fn: (est) => Object.keys(est).length, description: 'waits' })
    d.addFunction({ id: 'one', fn: () => 1, inputs: [START], outputs: ['x'] })
    d.addFunction({
      id: 'f',
      fn: (x: number) => [x + 1, x],
      inputs: ['x'],
      outputs: ['y', 'w'],
      inpWeight: { x: 3 },
      outWeight: { y: 2 },
      weight: 1,
      filters: [(v) => v],
      inputDomain: () => true,
      attributes: { color: 'red' },
    })
    d.addFunction({ id: 'g', fn: (y: number) => y * 2, inputs: ['y'], outputs: ['w'] })
    d.addFunction({ id: 'log', fn: (w: number) => w, inputs: ['w'] })
    d.addDispatcher({
      dispatcher: sub,
      id: 'S',
      inputs: { y: 'a' },
      outputs: { b: 'z' },
      inpWeight: { y: 4 },
      inputDomain: () => true,
      weight: 2,
    })
    const copy = d.blue().register()
    expect([copy.name, copy.description, copy.raises]).toEqual(['root', 'R', false])
    expect([...copy.nodes.keys()]).toEqual([...d.nodes.keys()])
    expect(copy.edges).toEqual(d.edges)
    expect(copy.defaultValues).toEqual(d.defaultValues)
    expect(copy.nodes.get('f')).toEqual(d.nodes.get('f'))
    expect(copy.nodes.get('w')).toEqual(d.nodes.get('w'))
    const child = (copy.nodes.get('S') as SubDispatcherNode).dispatcher
    expect(child).not.toBe(sub)
    expect([...child.nodes.keys()]).toEqual([...sub.nodes.keys()])
    expect(child.defaultValues).toEqual(sub.defaultValues)
    expect((copy.nodes.get('S') as SubDispatcherNode).inputs).toEqual(new Map([['y', ['a']]]))
    expect([...copy.dispatch().entries()]).toEqual([...d.dispatch().entries()])
    expect(copy.dispatch().get(SINK)).toEqual(d.dispatch().get(SINK))
    // depth 0 shares the children.
    expect((d.blue(0).register().nodes.get('S') as SubDispatcherNode).dispatcher).toBe(sub)
  })
})

describe('§3.8 copy', () => {
  it('deep-copies plain-data defaults; class instances and functions stay shared', () => {
    class Config {
      level = 1
    }
    const config = new Config()
    const d = new Dispatcher()
    d.addData({ id: 'list', defaultValue: [1] })
    d.addData({ id: 'config', defaultValue: config })
    const c = d.copy()
    ;(c.defaultValues.get('list')!.value as number[]).push(2)
    expect(d.defaultValues.get('list')!.value).toEqual([1])
    expect(c.defaultValues.get('config')!.value).toBe(config)
  })
})
