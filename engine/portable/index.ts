// `flowmark/portable`: models as JSON files — the format, its checks, both directions, references, ephemeral maps.
export { FORMAT_VERSION, SCHEMA_URL, SPECIAL_ID_NAMES, readId, writeId } from './format.ts'
export type {
  DataNodeDoc,
  DispatcherNodeDoc,
  DistanceDoc,
  FunctionNodeDoc,
  MappingDoc,
  ModelDoc,
  NodeDoc,
  NumberDoc,
  RefText,
} from './format.ts'
export { JsonSyntaxError, JsonText, parseJsonText, pointerToken } from './json-text.ts'
export type { DuplicateKey, TextPosition } from './json-text.ts'
export { ModelValidationError, formatProblem, parseModelText, placeProblems, validateModel } from './validate.ts'
export type { ModelProblem, RawProblem, ValidateOptions } from './validate.ts'
export { encodeValue, decodeValue, ValueEncodingError, VALUE_TAGS } from './values.ts'
export { toJSON } from './to-json.ts'
export type { ToJSONOptions } from './to-json.ts'
export { fromJSON } from './from-json.ts'
export type { FromJSONOptions } from './from-json.ts'
export { resolveRefs } from './resolve.ts'
export { solutionToJSON } from './solution-json.ts'
export type { SolutionJSON } from './solution-json.ts'
export { fromEphemeral, isEphemeralJob } from './ephemeral.ts'
export type { EphemeralOptions } from './ephemeral.ts'
export { loadModel, saveModel, readTextFile } from './node.ts'
export type { LoadModelOptions } from './node.ts'
export { RefError, baseHref, formatRef, functionRef, importRef, isRelativeRef, parseRef, refOf, refSpecifier, relativeRef } from '../ref.ts'
export type { FunctionRef, Importer, RefProblem } from '../ref.ts'
