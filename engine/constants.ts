// Special node ids and sentinel values shared by the whole engine (START, SINK, NONE, …).

/** Source node of every workflow: inputs and defaults flow out of it; functions declared without inputs hang off it. */
export const START: unique symbol = Symbol('start')
/** Data node that swallows the results of functions declared without outputs; its value maps producer ids to results. */
export const SINK: unique symbol = Symbol('sink')
/** Reserved id marking the end of a sub-dispatch; never mapped automatically by `addDispatcher`. */
export const END: unique symbol = Symbol('end')
/** Data node whose default value is the dispatcher that owns it. */
export const SELF: unique symbol = Symbol('self')
/** Reserved data node id for plotting the solution from inside a model. */
export const PLOT: unique symbol = Symbol('plot')

/**
 * "No value". As a function result it leaves that output unset; as an argument it is dropped from the call;
 * as a data value it is propagated but not stored in the solution.
 */
export const NONE: unique symbol = Symbol('none')
/** "Unset": passed as a default value it removes the default of a data node. */
export const EMPTY: unique symbol = Symbol('empty')

/** One of the special node ids. */
export type SpecialNodeId = typeof START | typeof SINK | typeof END | typeof SELF | typeof PLOT

/** A node id: any string, or one of the special tokens. */
export type NodeId = string | SpecialNodeId

/** The value type of the `NONE` sentinel. */
export type None = typeof NONE
/** The value type of the `EMPTY` sentinel. */
export type Empty = typeof EMPTY

const SPECIAL = new Set<unknown>([START, SINK, END, SELF, PLOT])

/** Whether `id` is one of the special node tokens (START, SINK, END, SELF, PLOT). */
export function isSpecialNodeId(id: unknown): id is SpecialNodeId {
  return SPECIAL.has(id)
}

/** Whether `id` can name a node: a string or a special token. */
export function isNodeId(id: unknown): id is NodeId {
  return typeof id === 'string' || SPECIAL.has(id)
}

/**
 * The text of a node id: the string itself, or the token's name (`'start'` for START).
 * Equal-distance ties in the search are broken by comparing these texts.
 */
export function idText(id: NodeId): string {
  return typeof id === 'string' ? id : (id.description as string)
}

const HIGH_UNITS = /[\uD800-\uFFFF]/
const REMAP = /[\uD800-\uFFFF]/g

/**
 * A string whose plain `<` order is the Unicode code point order of `text` (JavaScript compares UTF-16 code units,
 * which puts characters above U+FFFF before U+E000–U+FFFF). Equal-distance ties are broken in this order, as Python
 * compares strings. Text without such characters is returned as it is.
 */
export function sortKey(text: string): string {
  if (!HIGH_UNITS.test(text)) return text
  return text.replace(REMAP, (ch) => {
    const u = ch.charCodeAt(0)
    return String.fromCharCode(u >= 0xe000 ? u - 0x800 : u + 0x2000)
  })
}

/** Compares two node ids by the code points of their text: negative, zero or positive. */
export function compareIds(a: NodeId, b: NodeId): number {
  const x = sortKey(idText(a))
  const y = sortKey(idText(b))
  return x < y ? -1 : x > y ? 1 : 0
}

/** A node id as it reads in a message: strings quoted, tokens in capitals (`'a'`, `START`). */
export function formatId(id: NodeId): string {
  return typeof id === 'string' ? JSON.stringify(id).replace(/^"|"$/g, "'") : idText(id).toUpperCase()
}

/**
 * Property key under which a function that wraps a model (SubDispatch, DispatchPipe, …) exposes it:
 * `fn[WRAPPED_MODEL]` is the wrapped Dispatcher. Plots draw such function nodes as navigable sub-models.
 */
export const WRAPPED_MODEL: unique symbol = Symbol.for('flowmark.wrappedModel')
