// The events of one asynchronous dispatch as an async iterator (for progress displays), with its solution.
import type { Solution } from '../solution.ts'
import type { DispatchEvent } from './async-driver.ts'

/**
 * One running `dispatchAsync`, seen as the stream of its events: `for await (const e of run)` yields every event
 * (start, finish, fail, skip, discard, abort) in the order they happened, and ends when the dispatch ends — by
 * throwing the dispatch's error if it failed. `run.solution` is the dispatch's promise.
 */
export class DispatchRun implements AsyncIterable<DispatchEvent> {
  /** The solution, as `dispatchAsync` returns it. */
  readonly solution: Promise<Solution>
  readonly #queue: DispatchEvent[] = []
  #wake: (() => void) | undefined = undefined
  #done = false
  #error: { err: unknown } | undefined = undefined

  /** @internal Made by `Dispatcher.dispatchStream`: `start` runs the dispatch with the stream's `onEvent`. */
  constructor(start: (onEvent: (e: DispatchEvent) => void) => Promise<Solution>) {
    this.solution = start((e) => {
      this.#queue.push(e)
      this.#notify()
    })
    this.solution.then(
      () => {
        this.#done = true
        this.#notify()
      },
      (err: unknown) => {
        this.#error = { err }
        this.#done = true
        this.#notify()
      },
    )
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  /** The events, in order, until the dispatch ends (then the dispatch's error, if any, is thrown). */
  async *[Symbol.asyncIterator](): AsyncIterator<DispatchEvent> {
    let i = 0
    for (;;) {
      while (i < this.#queue.length) yield this.#queue[i++]!
      if (this.#done) break
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
    if (this.#error !== undefined) throw this.#error.err
  }
}
