// Promises settled by hand, for tests that decide the order async calls finish in (no timers, no timing assertions).

/** A promise with its resolve and reject exposed: `open(v)` fulfils it, `fail(e)` rejects it. */
export function gate<T = unknown>(): { promise: Promise<T>; open: (v: T) => void; fail: (e: unknown) => void } {
  let open!: (v: T) => void
  let fail!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    open = res
    fail = rej
  })
  return { promise, open, fail }
}

/** Resolves after the pending promise callbacks and I/O of this turn have run. */
export const tick = (): Promise<unknown> => new Promise((r) => setImmediate(r))
