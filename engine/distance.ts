// Two-level distances: plain numbers for ordinary paths, `inf(level, value)` for "last resort" ones.
import { ModelError } from './errors.ts'

/**
 * A distance beyond every ordinary number: compares first by `level`, then by `value`.
 * A plain number `x` behaves as `inf(0, x)`. Use it as an initial distance to make a default or an input
 * a last resort: `setDefaultValue('c', 0, inf(1, 0))` is used only when nothing else can produce `c`.
 */
export class Inf {
  /** How many "infinities" away: 0 is the ordinary range of numbers. */
  readonly level: number
  /** The finite part, compared when levels are equal. */
  readonly value: number

  constructor(level: number, value = 0) {
    if (!Number.isFinite(level) || !Number.isFinite(value)) {
      throw new ModelError(`inf(${level}, ${value}): level and value must be finite numbers`)
    }
    this.level = level
    this.value = value
  }

  /** Adds a plain number or another two-level distance, part by part. */
  plus(other: Distance): Inf {
    return typeof other === 'number' ? new Inf(this.level, this.value + other) : new Inf(this.level + other.level, this.value + other.value)
  }

  /** `inf(level, value)`, the form it is written in. */
  toString(): string {
    return `inf(${this.level}, ${this.value})`
  }

  /** Serialises as `{ "inf": level, "num": value }`. */
  toJSON(): { inf: number; num: number } {
    return { inf: this.level, num: this.value }
  }

  /** Shown as `inf(1, 0)` by `util.inspect` and the Node REPL. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

/** A distance: a plain number or a two-level `Inf`. */
export type Distance = number | Inf

/** Creates a two-level distance (`inf(1, 0)` is beyond every plain number). */
export function inf(level: number, value = 0): Inf {
  return new Inf(level, value)
}

/** Splits a distance into its level and its finite value, validating it. `where` names the caller for errors. */
export function splitDistance(d: Distance, where: string): [level: number, value: number] {
  if (typeof d === 'number') {
    if (Number.isNaN(d)) throw new ModelError(`${where}: a distance cannot be NaN`)
    return [0, d]
  }
  if (d instanceof Inf) return [d.level, d.value]
  throw new ModelError(
    `${where}: a distance must be a number or inf(level, value), got ${typeof d === 'string' ? `the string ${JSON.stringify(d)}` : typeof d}`,
  )
}

/** Joins a level and a value back into the public form: a number when the level is 0. */
export function joinDistance(level: number, value: number): Distance {
  return level === 0 ? value : new Inf(level, value)
}

/** Compares two distances: negative, zero or positive. */
export function compareDistance(a: Distance, b: Distance): number {
  const [al, av] = splitDistance(a, 'compareDistance')
  const [bl, bv] = splitDistance(b, 'compareDistance')
  return al !== bl ? al - bl : av - bv
}
