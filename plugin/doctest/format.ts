// Formats values and thrown errors exactly as the Node REPL prints them (stack frames left out).
import { inspect, types, type InspectOptions } from 'node:util'

/**
 * The inspect options of a transcript: the Node REPL's writer (`util.inspect` defaults plus `showProxy`), colors
 * off, and `breakLength: 80` fixed instead of the terminal width, so output is the same on every machine.
 */
export const REPL_INSPECT_OPTIONS: Readonly<InspectOptions> = {
  showProxy: true,
  colors: false,
  depth: 2,
  compact: 3,
  sorted: false,
  maxArrayLength: 100,
  maxStringLength: 10_000,
  breakLength: 80,
}

/** The completion value of a statement as the REPL prints it (`'abc'`, `Map(1) { 'a' => 1 }`, `Foo { x: 1 }`). */
export function formatValue(value: unknown, options: InspectOptions = REPL_INSPECT_OPTIONS): string {
  return inspect(value, options)
}

/**
 * A thrown value as the REPL prints it: `Uncaught Error: boom`, `Uncaught 'text'`, `Uncaught { a: 1 }`,
 * `Uncaught [MyError: custom] { code: 5 }`. Stack frames (of the error and of its causes) are left out, since they
 * depend on file layout; the REPL drops the brackets around a one-line error the same way.
 */
export function formatThrown(thrown: unknown, options: InspectOptions = REPL_INSPECT_OPTIONS): string {
  if (!isErrorLike(thrown)) return `Uncaught ${inspect(thrown, options)}`
  let text = withoutStacks(thrown, () => inspect(thrown, options))
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1)
  return `Uncaught ${text}`
}

/** The first line(s) of an error's stack, before the `    at …` frames (or `Name: message` without a stack). */
export function errorHeader(error: unknown): string {
  if (!isErrorLike(error)) return inspect(error, REPL_INSPECT_OPTIONS)
  const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`
  const at = stack.search(/\n\s+at /)
  return at < 0 ? stack : stack.slice(0, at)
}

/** The first sentence of a description's first paragraph ('' when there is none). */
export function firstSentence(text: string | undefined): string {
  if (text === undefined) return ''
  const paragraph = (text.trim().split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ')
  const match = /^.*?[.!?](?=\s+[A-Z0-9`(*_[]|$)/.exec(paragraph)
  return match === null ? paragraph : match[0]
}

function isErrorLike(value: unknown): value is Error {
  return types.isNativeError(value) || value instanceof Error
}

/** Runs `fn` while the stacks of `error` and of errors nested in it (cause, AggregateError) hold only their header. */
function withoutStacks<T>(error: Error, fn: () => T): T {
  const restore: (() => void)[] = []
  const seen = new Set<unknown>()
  const visit = (e: unknown): void => {
    if (!isErrorLike(e) || seen.has(e)) return
    seen.add(e)
    const descriptor = Object.getOwnPropertyDescriptor(e, 'stack')
    if (descriptor !== undefined && (descriptor.writable === true || descriptor.set !== undefined) && descriptor.configurable !== false) {
      const header = errorHeader(e)
      Object.defineProperty(e, 'stack', { value: header, writable: true, configurable: true, enumerable: descriptor.enumerable ?? false })
      restore.push(() => Object.defineProperty(e, 'stack', descriptor))
    }
    visit((e as { cause?: unknown }).cause)
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner)
  }
  visit(error)
  try {
    return fn()
  } finally {
    for (const undo of restore.reverse()) undo()
  }
}
