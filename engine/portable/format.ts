// The portable model format, version 1: the TypeScript shapes of a model document and how node ids are written.
import { END, PLOT, SELF, SINK, START, type NodeId } from '../constants.ts'

/** The format version this engine reads and writes (`"flowmark": 1`). */
export const FORMAT_VERSION = 1

/** Where the JSON Schema of the format is published (also shipped as `flowmark/portable/schema.json`). */
export const SCHEMA_URL = 'https://flowmark.dev/schema/model-1.json'

/** A function reference as written in a document: `"module#export"`. */
export type RefText = string

/**
 * A distance or weight that JSON cannot write as a number: `"Infinity"`, `"-Infinity"`, or a two-level
 * distance `{ "inf": level, "num": value }` (as `Inf.toJSON` writes it).
 */
export type NumberDoc = number | 'Infinity' | '-Infinity'

/** An initial distance: a number, `"Infinity"`/`"-Infinity"`, or `{ "inf": level, "num": value }`. */
export type DistanceDoc = NumberDoc | { inf: number; num: number }

/** A mapping between parent and child ids: id → id, or id → list of ids. */
export type MappingDoc = Record<string, string | string[]>

/** A data node. Every field but `kind` and `id` is optional. */
export interface DataNodeDoc {
  kind: 'data'
  id: string
  /** Default value (see the value encoding: plain JSON, or `{ "$type": … }` tags). */
  default?: unknown
  /** Distance the default starts at (default 0). */
  initialDist?: DistanceDoc
  waitInputs?: boolean
  wildcard?: boolean
  weight?: NumberDoc
  /** Combines the estimations into the value. */
  fn?: RefText
  callback?: RefText
  filters?: RefText[]
  description?: string
  attributes?: Record<string, unknown>
}

/** A function node. `ref: null` marks a function that could not be named (written only when asked). */
export interface FunctionNodeDoc {
  kind: 'function'
  id: string
  ref: RefText | null
  /** Omitted: the function takes no argument (it hangs off START). */
  inputs?: string[]
  /** Omitted: the results go to SINK. */
  outputs?: string[]
  inputDomain?: RefText
  weight?: NumberDoc
  inpWeight?: Record<string, NumberDoc>
  outWeight?: Record<string, NumberDoc>
  filters?: RefText[]
  /** `true`: the function receives a node context (`signal`, `nodeId`, `path`) as its last argument. */
  context?: boolean
  /** `dispatchAsync` only: milliseconds the call may take (finite, not negative); an overrun is the node's failure. */
  timeout?: number
  /** `dispatchAsync` only: `true`: a failure of this node aborts the dispatch. */
  critical?: boolean
  /** `dispatchAsync` only: where the call runs; `"async"` (in this thread) is the only executor a document can name. */
  executor?: 'async'
  description?: string
  attributes?: Record<string, unknown>
}

/** A sub-dispatcher node: the child model inline, or the path of its model file relative to this one. */
export interface DispatcherNodeDoc {
  kind: 'dispatcher'
  id: string
  model: ModelDoc | string
  /** Parent id → child id(s). */
  inputs: MappingDoc
  /** Child id → parent id(s). */
  outputs: MappingDoc
  inputDomain?: RefText
  weight?: NumberDoc
  inpWeight?: Record<string, NumberDoc>
  description?: string
  attributes?: Record<string, unknown>
}

/** Any node of a document. */
export type NodeDoc = DataNodeDoc | FunctionNodeDoc | DispatcherNodeDoc

/** A model document. */
export interface ModelDoc {
  $schema?: string
  flowmark: 1
  name?: string
  description?: string
  /** `true`: a failing node stops the dispatch (see `DispatcherOptions.raises`). */
  raises?: boolean
  /** Default executor name. */
  executor?: string
  /** Nodes in creation order. */
  nodes: NodeDoc[]
}

// ---- ids ------------------------------------------------------------------------------------------------------

const SPECIAL_TEXT = new Map<NodeId, string>([
  [START, '@start'],
  [SINK, '@sink'],
  [END, '@end'],
  [SELF, '@self'],
  [PLOT, '@plot'],
])
const TEXT_SPECIAL = new Map<string, NodeId>([...SPECIAL_TEXT].map(([k, v]) => [v, k]))

/**
 * How a node id is written: special ids as `@start`, `@sink`, `@end`, `@self`, `@plot`; a string that starts with
 * `@` gets one more (`@x` is written `@@x`), so every id reads back as itself.
 */
export function writeId(id: NodeId): string {
  if (typeof id !== 'string') return SPECIAL_TEXT.get(id)!
  return id.startsWith('@') ? '@' + id : id
}

/** Reads an id written by `writeId`; `undefined` for an unknown `@name`. */
export function readId(text: string): NodeId | undefined {
  if (!text.startsWith('@')) return text
  if (text.startsWith('@@')) return text.slice(1)
  return TEXT_SPECIAL.get(text)
}

/** The `@` names of the special ids. */
export const SPECIAL_ID_NAMES: readonly string[] = [...TEXT_SPECIAL.keys()]
