// Loading and saving model files on Node: reads the file, resolves references beside it, reports file:line:column.
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Dispatcher } from '../dispatcher.ts'
import { fromJSON, type FromJSONOptions } from './from-json.ts'
import { toJSON, type ToJSONOptions } from './to-json.ts'
import { fromEphemeral, isEphemeralJob, type EphemeralOptions } from './ephemeral.ts'
import { parseModelText } from './validate.ts'

/** Options of `loadModel`: those of `fromJSON` (the base URL comes from the path; `file` defaults to it). */
export type LoadModelOptions = Omit<FromJSONOptions, 'baseUrl' | 'readFile'> & Pick<EphemeralOptions, 'namespaces'>

/** Reads a file URL as UTF-8 text. */
export function readTextFile(url: URL): Promise<string> {
  return readFile(url, 'utf8')
}

/**
 * Loads a model file: a portable model (`"flowmark": 1`), or an ephemeral job map (`datasource`, `tasks`,
 * `workflow`). References and sub-model files are resolved next to it; problems are reported as
 * `path:line:column` (see `fromJSON`).
 */
export async function loadModel(path: string | URL, options: LoadModelOptions = {}): Promise<Dispatcher> {
  const url = typeof path === 'string' ? pathToFileURL(resolve(path)) : path
  const text = await readFile(url, 'utf8')
  const file = options.file ?? (typeof path === 'string' ? path : decodeURIComponent(url.pathname))
  const { namespaces, file: _file, ...rest } = options
  const parsed = parseModelText(text, file)
  if (isEphemeralJob(parsed.value)) {
    const o: EphemeralOptions = { baseUrl: url, file, text: parsed }
    if (namespaces !== undefined) o.namespaces = namespaces
    if (options.importer !== undefined) o.importer = options.importer
    return fromEphemeral(parsed.value, o)
  }
  return fromJSON(parsed, { ...rest, baseUrl: url, file, readFile: readTextFile })
}

/** Writes a model as a JSON file (two-space indents, references relative to the file). */
export async function saveModel(dsp: Dispatcher, path: string | URL, options: Omit<ToJSONOptions, 'baseUrl'> = {}): Promise<void> {
  const url = typeof path === 'string' ? pathToFileURL(resolve(path)) : path
  await writeFile(url, JSON.stringify(toJSON(dsp, { ...options, baseUrl: url }), null, 2) + '\n')
}
