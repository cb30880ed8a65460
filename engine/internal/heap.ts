// The search fringe: a binary heap plus a sorted run, ordered by (distance, flag, id text, index path, push order).
import type { Level } from './search.ts'

const NO_LEVELS: readonly Level[] = []
/** Heap size from which a pop with no sorted run left sorts the whole heap into one (see `Fringe.pop`). */
const RUN_MIN = 256
/** Length of the blocks the merge sort first sorts by insertion. */
const BLOCK = 16

/**
 * A priority queue of fringe entries stored as parallel typed arrays. An entry is a node of some search level seen at
 * a two-level distance; `flag` is 0 for data nodes, 1 for waiting nodes and functions, 2-3 for entries coming from a
 * sub-dispatcher. Entries are handles into the arrays, recycled after `pop`.
 *
 * Entries live in a binary min-heap, or in a sorted run: when the run is used up and the heap holds many entries
 * (a wide model pushes thousands of functions at one distance), `pop` sorts the heap into the run once; later pops
 * take the smaller of the run's head and the heap's top, and later pushes go to the (now small) heap. The order is
 * total (push order breaks every tie), so the pops come in exactly the heap-only order, with about half the
 * comparisons on sequential memory instead of a sift through a large heap on every pop.
 */
export class Fringe {
  /** The levels of the run using this fringe (entries store level ids); set by `attach`. */
  levels: readonly Level[] = []
  lvl = new Float64Array(64)
  d = new Float64Array(64)
  flag = new Uint8Array(64)
  lev = new Int32Array(64)
  slot = new Int32Array(64)
  seq = new Float64Array(64)
  /**
   * The first seven UTF-16 units of each entry's sort key as one number (the compiled model's `keyPrefix`): most
   * ties are told apart without reading the text, which is looked up only when two prefixes are equal.
   */
  kp = new Float64Array(64)
  #heap = new Int32Array(64)
  /**
   * Entries `#heap[0]` … `#heap[#hn - 1]` are heap-ordered; those up to `#tn - 1` were pushed since the last pop and
   * are not sifted in yet (`#settle`): a batch large enough to become a run is sorted without being sifted first.
   * `size` counts these and the run's.
   */
  #hn = 0
  #tn = 0
  /** The sorted run (`#run[#runPos]` … `#run[#runLen - 1]`) and the merge sort's scratch buffer. */
  #run = new Int32Array(0)
  #tmp = new Int32Array(0)
  #runPos = 0
  #runLen = 0
  /** Released handles (a stack of `#nfree`). */
  #free = new Int32Array(64)
  #nfree = 0
  #next = 0
  #seq = 0
  size = 0

  /** Number of entries the arrays hold before they grow. */
  get capacity(): number {
    return this.lvl.length
  }

  /** Starts serving a run: empties the heap (a pooled fringe keeps its arrays) and reads levels from `levels`. */
  attach(levels: readonly Level[]): void {
    this.levels = levels
    this.size = 0
    this.#hn = 0
    this.#tn = 0
    this.#runPos = 0
    this.#runLen = 0
    this.#next = 0
    this.#seq = 0
    this.#nfree = 0
  }

  /** Stops serving a run (drops the references to its levels and node keys). */
  detach(): void {
    this.levels = NO_LEVELS
    this.size = 0
    this.#hn = 0
    this.#tn = 0
    this.#runPos = 0
    this.#runLen = 0
  }

  #grow(): void {
    const n = this.lvl.length * 2
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n)
      b.set(a)
      return b
    }
    this.lvl = grow(this.lvl, (k) => new Float64Array(k))
    this.d = grow(this.d, (k) => new Float64Array(k))
    this.flag = grow(this.flag, (k) => new Uint8Array(k))
    this.lev = grow(this.lev, (k) => new Int32Array(k))
    this.slot = grow(this.slot, (k) => new Int32Array(k))
    this.seq = grow(this.seq, (k) => new Float64Array(k))
    this.kp = grow(this.kp, (k) => new Float64Array(k))
    this.#heap = grow(this.#heap, (k) => new Int32Array(k))
    this.#free = grow(this.#free, (k) => new Int32Array(k))
  }

  /** Whether entry `a` comes before entry `b`. */
  before(a: number, b: number): boolean {
    if (this.lvl[a] !== this.lvl[b]) return this.lvl[a]! < this.lvl[b]!
    if (this.d[a] !== this.d[b]) return this.d[a]! < this.d[b]!
    if (this.flag[a] !== this.flag[b]) return this.flag[a]! < this.flag[b]!
    if (this.kp[a] !== this.kp[b]) return this.kp[a]! < this.kp[b]!
    const la = this.levels[this.lev[a]!]!
    const lb = this.levels[this.lev[b]!]!
    const sa = this.slot[a]!
    const sb = this.slot[b]!
    const ka = la.c.keyOf(sa)
    const kb = lb.c.keyOf(sb)
    if (ka !== kb) return ka < kb
    const c = this.#compareIndexPath(la, sa, lb, sb)
    return c !== 0 ? c < 0 : this.seq[a]! < this.seq[b]!
  }

  #compareIndexPath(la: Level, sa: number, lb: Level, sb: number): number {
    const pa = la.indexPath
    const pb = lb.indexPath
    const na = pa.length + 1
    const nb = pb.length + 1
    const n = Math.min(na, nb)
    for (let i = 0; i < n; i++) {
      const x = i < pa.length ? pa[i]! : la.c.index[sa]!
      const y = i < pb.length ? pb[i]! : lb.c.index[sb]!
      if (x !== y) return x - y
    }
    return na - nb
  }

  /** Adds an entry. */
  push(levelId: number, slot: number, lvl: number, d: number, flag: number): void {
    let h: number
    if (this.#nfree > 0) h = this.#free[--this.#nfree]!
    else {
      if (this.#next === this.lvl.length) this.#grow()
      h = this.#next++
    }
    this.lvl[h] = lvl
    this.d[h] = d
    this.flag[h] = flag
    this.lev[h] = levelId
    this.slot[h] = slot
    this.seq[h] = this.#seq++
    this.kp[h] = this.levels[levelId]!.c.keyPrefix[slot]!
    if (this.#tn === this.#heap.length) this.#grow()
    this.size++
    this.#heap[this.#tn++] = h
  }

  /**
   * Orders the entries pushed since the last pop: sorted into a new run when the run is used up and the heap holds
   * many entries, else sifted into the heap.
   */
  #settle(): void {
    if (this.#runPos >= this.#runLen && this.#tn >= RUN_MIN) {
      this.#sortIntoRun()
      return
    }
    const heap = this.#heap
    for (let k = this.#hn; k < this.#tn; k++) {
      const h = heap[k]!
      let i = k
      while (i > 0) {
        const p = (i - 1) >> 1
        const parent = heap[p]!
        if (!this.before(h, parent)) break
        heap[i] = parent
        i = p
      }
      heap[i] = h
    }
    this.#hn = this.#tn
  }

  /**
   * Removes the first entry and returns its handle; call `release` once its fields are read. The first entry is the
   * run's head or the heap's top, whichever comes first; with no run left and a large heap, the heap is sorted into
   * a new run first.
   */
  pop(): number {
    this.size--
    if (this.#tn !== this.#hn) this.#settle()
    if (this.#runPos < this.#runLen) {
      const r = this.#run[this.#runPos]!
      if (this.#hn > 0 && this.before(this.#heap[0]!, r)) return this.#popHeap()
      this.#runPos++
      return r
    }
    if (this.#hn < RUN_MIN) return this.#popHeap()
    this.#sortIntoRun()
    return this.#run[this.#runPos++]!
  }

  /**
   * Removes the heap's top. Floyd's variant: the hole left at the top sinks to a leaf along the smaller children (one
   * comparison per level), then the last entry rises from there (rarely more than a step, as it came from the
   * bottom): about half the comparisons of the textbook sift-down.
   */
  #popHeap(): number {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap[--this.#hn]!
    const n = (this.#tn = this.#hn)
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const m = r < n && this.before(heap[r]!, heap[l]!) ? r : l
        heap[i] = heap[m]!
        i = m
      }
      while (i > 0) {
        const p = (i - 1) >> 1
        const parent = heap[p]!
        if (!this.before(last, parent)) break
        heap[i] = parent
        i = p
      }
      heap[i] = last
    }
    return top
  }

  /**
   * Moves every heap entry (the unsettled ones too) into the used-up run, sorted: insertion-sorted blocks, then
   * bottom-up merges.
   */
  #sortIntoRun(): void {
    const n = this.#tn
    if (this.#run.length < n) {
      this.#run = new Int32Array(this.#heap.length)
      this.#tmp = new Int32Array(this.#heap.length)
    }
    let src = this.#run
    let dst = this.#tmp
    src.set(this.#heap.subarray(0, n))
    for (let lo = 0; lo < n; lo += BLOCK) this.#insertionSort(src, lo, Math.min(lo + BLOCK, n))
    for (let w = BLOCK; w < n; w *= 2) {
      for (let lo = 0; lo < n; lo += 2 * w) this.#merge(src, dst, lo, Math.min(lo + w, n), Math.min(lo + 2 * w, n))
      const t = src
      src = dst
      dst = t
    }
    this.#run = src
    this.#tmp = dst
    this.#runPos = 0
    this.#runLen = n
    this.#hn = 0
    this.#tn = 0
  }

  #insertionSort(a: Int32Array, lo: number, hi: number): void {
    for (let i = lo + 1; i < hi; i++) {
      const x = a[i]!
      let j = i - 1
      while (j >= lo && this.before(x, a[j]!)) {
        a[j + 1] = a[j]!
        j--
      }
      a[j + 1] = x
    }
  }

  /** Merges the sorted ranges `src[lo, mid)` and `src[mid, hi)` into `dst[lo, hi)`. */
  #merge(src: Int32Array, dst: Int32Array, lo: number, mid: number, hi: number): void {
    let i = lo
    let j = mid
    let k = lo
    while (i < mid && j < hi) dst[k++] = this.before(src[j]!, src[i]!) ? src[j++]! : src[i++]!
    while (i < mid) dst[k++] = src[i++]!
    while (j < hi) dst[k++] = src[j++]!
  }

  /** Makes a popped handle reusable. */
  release(h: number): void {
    this.#free[this.#nfree++] = h
  }
}
