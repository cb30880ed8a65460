// The search fringe: a binary heap ordered by (distance, flag, id text, index path, push order).
import type { Level } from './search.ts'

/** One entry of the fringe: a node of some solution level, seen at a two-level distance. */
export interface FringeItem {
  readonly lvl: number
  readonly d: number
  /** 0 for data nodes, 1 for waiting nodes and functions, 2-3 for items coming from a sub-dispatcher. */
  readonly flag: number
  readonly key: string
  readonly level: Level
  readonly slot: number
  readonly seq: number
}

/** Orders fringe items the way schedula's heap does, with the push order as the final tie-breaker. */
export function before(a: FringeItem, b: FringeItem): boolean {
  if (a.lvl !== b.lvl) return a.lvl < b.lvl
  if (a.d !== b.d) return a.d < b.d
  if (a.flag !== b.flag) return a.flag < b.flag
  if (a.key !== b.key) return a.key < b.key
  const c = compareIndexPath(a, b)
  return c !== 0 ? c < 0 : a.seq < b.seq
}

function compareIndexPath(a: FringeItem, b: FringeItem): number {
  const pa = a.level.indexPath
  const pb = b.level.indexPath
  const na = pa.length + 1
  const nb = pb.length + 1
  const n = Math.min(na, nb)
  for (let i = 0; i < n; i++) {
    const x = i < pa.length ? pa[i]! : a.level.c.index[a.slot]!
    const y = i < pb.length ? pb[i]! : b.level.c.index[b.slot]!
    if (x !== y) return x - y
  }
  return na - nb
}

/** A minimal binary min-heap of fringe items. */
export class Fringe {
  readonly items: FringeItem[] = []

  get size(): number {
    return this.items.length
  }

  push(item: FringeItem): void {
    const a = this.items
    let i = a.length
    a.push(item)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = a[p]!
      if (!before(item, parent)) break
      a[i] = parent
      i = p
    }
    a[i] = item
  }

  pop(): FringeItem {
    const a = this.items
    const top = a[0]!
    const last = a.pop()!
    const n = a.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const m = r < n && before(a[r]!, a[l]!) ? r : l
        if (!before(a[m]!, last)) break
        a[i] = a[m]!
        i = m
      }
      a[i] = last
    }
    return top
  }
}
