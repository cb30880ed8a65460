// Functions referenced by the generated models of bench/portable.ts.

/** Adds one. */
export function inc(x: number): number {
  return x + 1
}
