// The search fringe (engine/internal/heap.ts): pops in the documented total order, through its heap and sorted runs.
import { describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'
import { keyPrefix } from '../../engine/internal/compile.ts'
import { Fringe } from '../../engine/internal/heap.ts'
import type { Level } from '../../engine/internal/search.ts'
import { rng } from './helpers/random.ts'

/** Ids that tie on distance in every way the fringe tells apart: short, sharing a 7-unit prefix, above U+007F. */
const KEYS = ['f0', 'f1', 'f10', 'f2', 'node_aaaa1', 'node_aaaa2', 'node_aaaa10', 'node_aaa', 'ünicode', 'ü', 'z\u{1F600}', 'a', 'A', '']

/** A stand-in for a search level: what the fringe reads of one (its keys, compiled indices and index path). */
function fakeLevel(indexPath: number[], keys: string[]): Level {
  return {
    indexPath,
    c: {
      keyOf: (s: number) => keys[s]!,
      keyPrefix: Float64Array.from(keys, keyPrefix),
      index: Int32Array.from(keys, (_, i) => (i * 7) % keys.length),
    },
  } as unknown as Level
}

interface Entry {
  readonly lev: number
  readonly slot: number
  readonly lvl: number
  readonly d: number
  readonly flag: number
  readonly seq: number
}

/** The documented order, written independently of the fringe: distance, flag, id text, index path, push order. */
function compare(levels: readonly Level[], a: Entry, b: Entry): number {
  if (a.lvl !== b.lvl) return a.lvl - b.lvl
  if (a.d !== b.d) return a.d - b.d
  if (a.flag !== b.flag) return a.flag - b.flag
  const la = levels[a.lev]!
  const lb = levels[b.lev]!
  const ka = la.c.keyOf(a.slot)
  const kb = lb.c.keyOf(b.slot)
  if (ka !== kb) return ka < kb ? -1 : 1
  const pa = [...la.indexPath, la.c.index[a.slot]!]
  const pb = [...lb.indexPath, lb.c.index[b.slot]!]
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!
  return pa.length !== pb.length ? pa.length - pb.length : a.seq - b.seq
}

/** Pushes batches (some large enough to be sorted into a run) and pops between them; checks every pop. */
function replay(seed: number, rounds: number): number {
  const next = rng(seed)
  const keys = Array.from({ length: 600 }, (_, i) => KEYS[i % KEYS.length]! + (i % 3 === 0 ? '' : String(i % 40)))
  const levels = [fakeLevel([-1], keys), fakeLevel([-1, 4], keys), fakeLevel([-1, 4, 2], keys), fakeLevel([-1, 9], keys)]
  const fringe = new Fringe()
  fringe.attach(levels)
  const live: Entry[] = []
  let seq = 0
  let pops = 0
  for (let r = 0; r < rounds; r++) {
    const batch = next() < 0.3 ? 256 + Math.floor(next() * 1500) : Math.floor(next() * 20)
    for (let i = 0; i < batch; i++) {
      const e = {
        lev: Math.floor(next() * levels.length),
        slot: Math.floor(next() * keys.length),
        lvl: next() < 0.8 ? 0 : 1,
        d: Math.floor(next() * 3) + r / 4,
        flag: Math.floor(next() * 4),
        seq: seq++,
      }
      live.push(e)
      fringe.push(e.lev, e.slot, e.lvl, e.d, e.flag)
    }
    const take = Math.min(live.length, Math.floor(next() * (batch + 40)))
    for (let i = 0; i < take; i++) {
      let m = 0
      for (let j = 1; j < live.length; j++) if (compare(levels, live[j]!, live[m]!) < 0) m = j
      const want = live.splice(m, 1)[0]!
      const h = fringe.pop()
      const got = { lev: fringe.lev[h], slot: fringe.slot[h], lvl: fringe.lvl[h], d: fringe.d[h], flag: fringe.flag[h] }
      fringe.release(h)
      expect(got, `pop ${pops} (seed ${seed})`).toEqual({ lev: want.lev, slot: want.slot, lvl: want.lvl, d: want.d, flag: want.flag })
      expect(fringe.size).toBe(live.length)
      pops++
    }
  }
  return pops
}

describe('the fringe', () => {
  it('pops in the documented order when large tie batches are sorted into runs', () => {
    for (const seed of [1, 2, 3]) expect(replay(seed, 30)).toBeGreaterThan(1500)
  })

  it('empties after a reuse (attach) with a run left unfinished', () => {
    const keys = Array.from({ length: 400 }, (_, i) => `k${i}`)
    const levels = [fakeLevel([-1], keys)]
    const fringe = new Fringe()
    fringe.attach(levels)
    for (let s = 0; s < keys.length; s++) fringe.push(0, s, 0, 1, 1)
    fringe.release(fringe.pop())
    fringe.attach(levels)
    expect(fringe.size).toBe(0)
    fringe.push(0, 3, 0, 0, 0)
    fringe.push(0, 2, 0, 0, 0)
    expect(keys[fringe.slot[fringe.pop()]!]).toBe('k2')
    expect(keys[fringe.slot[fringe.pop()]!]).toBe('k3')
    expect(fringe.size).toBe(0)
  })

  it('serves large dispatches one after another and one inside another (the large fringe is taken by one run)', () => {
    // Wide models: 1,500 functions become ready at one distance, so the fringe grows past the pooled size.
    const wide = (name: string, fn: (a: number, b: number) => number) => {
      const d = new Dispatcher({ name })
      for (let i = 0; i < 1500; i++) d.addFunction({ id: `f${i}`, fn, inputs: ['a', 'b'], outputs: [`y${i}`] })
      return d
    }
    const inner = wide('inner', (a, b) => a * b)
    const order = (d: Dispatcher) => [...d.dispatch({ a: 2, b: 3 }).keys()].map(String)
    const expected = order(inner)
    const outer = wide('outer', (a, b) => a + b)
    const seen: string[][] = []
    outer.addFunction({ id: 'nested', fn: (a: number) => (seen.push(order(inner)), a), inputs: ['a'], outputs: ['z'] })
    for (let round = 0; round < 3; round++) {
      const sol = outer.dispatch({ a: 2, b: 3 })
      expect(sol.size).toBe(1503)
      expect(sol.get('y1499')).toBe(5)
      expect(order(inner)).toEqual(expected)
    }
    expect(seen).toHaveLength(3)
    for (const s of seen) expect(s).toEqual(expected)
    expect(expected.slice(0, 5)).toEqual(['a', 'b', 'y0', 'y1', 'y10'])
  })
})
