// A growable list of small non-negative integers in an Int32Array: the search's per-level orders of slots.

/**
 * A list of slot numbers, appended to and read in order: 4 bytes an item (a JavaScript array of numbers takes 8, plus
 * the slack of its growth), which counts for the orders a search keeps on a million-node model.
 */
export class IntList implements Iterable<number> {
  #buf: Int32Array
  #size = 0

  constructor(capacity = 8) {
    this.#buf = new Int32Array(capacity)
  }

  /** Number of items. */
  get length(): number {
    return this.#size
  }

  /** Appends an item. */
  push(x: number): void {
    if (this.#size === this.#buf.length) {
      const b = new Int32Array(this.#buf.length * 2)
      b.set(this.#buf)
      this.#buf = b
    }
    this.#buf[this.#size++] = x
  }

  /** The item at position `i` (0 ≤ i < length). */
  at(i: number): number {
    return this.#buf[i]!
  }

  /** Moves the first occurrence of `x` to the end (nothing when absent). */
  moveToEnd(x: number): void {
    const buf = this.#buf
    const n = this.#size
    let i = 0
    while (i < n && buf[i] !== x) i++
    if (i === n) return
    buf.copyWithin(i, i + 1, n)
    buf[n - 1] = x
  }

  /** The items, in order. */
  [Symbol.iterator](): IterableIterator<number> {
    return this.#buf.subarray(0, this.#size).values()
  }
}
