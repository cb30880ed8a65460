// Functions of the "Parallel on one machine" page: CPU-bound work for worker threads, each named by its reference.
import { createHash } from 'node:crypto'
import { threadId } from 'node:worker_threads'
import { functionRef } from 'flowmark/portable'

/** SHA-256 of `text`, hashed again `rounds` times: CPU work, a few milliseconds per thousand rounds. */
export function checksum(text: string, rounds: number): string {
  let digest = text
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex')
  return digest
}

/** The id of the thread that runs the call (0 is the main thread). */
export function whereAmI(..._inputs: unknown[]): number {
  return threadId
}

/** A size in bytes, written as a plain number; anything else is refused. */
export function parseStrict(text: string): number {
  if (!/^\d+$/.test(text)) throw new RangeError(`not a plain number: '${text}'`)
  return Number(text)
}

// Where each function lives, so that a worker thread can import it.
functionRef(checksum, import.meta.url)
functionRef(whereAmI, import.meta.url)
functionRef(parseStrict, import.meta.url)
