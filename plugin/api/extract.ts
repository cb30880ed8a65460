// Extraction: TypeScript entry points → TypeDoc reflections → the plain-data ApiModel (cached by source hash).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import type { TypeDocOptions } from 'typedoc'
import { ApiExtractionError } from './errors.ts'
import type { ApiModel } from './types.ts'

/** An entry point: a file (relative to `root`), optionally with the module name to show (default: derived from the path). */
export type ApiEntryPoint = string | { readonly file: string; readonly name?: string }

/** Options of `extractApi`. */
export interface ExtractOptions {
  /** The modules to document. */
  readonly entryPoints: readonly ApiEntryPoint[]
  /** tsconfig.json to compile with (relative to `root`); default `tsconfig.json` when it exists. */
  readonly tsconfig?: string
  /** Project root: paths are relative to it (default `process.cwd()`). */
  readonly root?: string
  /** Base URL of source links, e.g. `https://github.com/o/r/blob/main/`; `file#Lline` is appended. */
  readonly sourceBaseUrl?: string
  /** Cache directory, relative to `root` (default {@link API_CACHE_DIR}); `false` disables the cache. */
  readonly cache?: string | false
  /** Extra TypeDoc options, passed through (entry points and logging are always set by us). */
  readonly typedoc?: Partial<TypeDocOptions>
}

/**
 * Where the extracted API model is cached by default, relative to the project root. The one place this location is
 * written: move every Flowmark cache by changing it here.
 */
export const API_CACHE_DIR = 'node_modules/.cache/flowmark/api'

/** Bump when the shape of the cached model changes. */
const MODEL_VERSION = 8

interface CacheEntry {
  readonly version: number
  readonly files: readonly (readonly [string, string])[]
  readonly model: Omit<ApiModel, 'stats'>
}

/**
 * Extracts the documented API of TypeScript entry points with TypeDoc.
 *
 * The result is plain data (JSON-safe): modules with their exported items, each with declaration text, signatures,
 * parameters, members, doc comments as Markdown, first sentences, source positions and page slugs. TypeDoc takes
 * seconds, so the model is cached on disk, keyed by the options and checked against the SHA-256 of every project file
 * the entry points import, directly or not (type-only imports included; a changed or deleted one invalidates it).
 * Other files of the tsconfig's program (tests, benchmarks) do not: editing them keeps the cache.
 *
 * @param options Entry points, tsconfig, root, source-link base URL and cache directory.
 * @returns The API model; `stats.cached` tells whether it came from the cache.
 * @throws ApiExtractionError when an entry point is missing or TypeDoc fails (with TypeDoc's messages).
 */
export async function extractApi(options: ExtractOptions): Promise<ApiModel> {
  const started = performance.now()
  const root = path.resolve(options.root ?? process.cwd())
  const entries = normalizeEntries(options.entryPoints, root)
  const tsconfig = options.tsconfig ?? (existsSync(path.join(root, 'tsconfig.json')) ? 'tsconfig.json' : undefined)
  const tsconfigPath = tsconfig === undefined ? undefined : path.resolve(root, tsconfig)
  if (tsconfigPath !== undefined && !existsSync(tsconfigPath)) {
    throw new ApiExtractionError(`extractApi: tsconfig ${JSON.stringify(tsconfig)} does not exist (resolved to ${tsconfigPath})`)
  }
  // The compiler options shape the types TypeDoc prints, so the tsconfig's content is part of the cache key.
  const keyData = JSON.stringify({
    v: MODEL_VERSION,
    typedoc: typedocVersion(),
    entries,
    tsconfig,
    base: options.sourceBaseUrl ?? null,
    extra: options.typedoc ?? {},
    tsconfigHash: tsconfigPath === undefined ? null : sha256(readFileSync(tsconfigPath)),
  })
  const cacheDir = options.cache === false ? undefined : path.resolve(root, options.cache ?? API_CACHE_DIR)
  const cacheFile = cacheDir === undefined ? undefined : path.join(cacheDir, `${sha256(keyData + root).slice(0, 24)}.json`)

  if (cacheFile !== undefined) {
    const hit = readCache(cacheFile, root)
    if (hit !== undefined) return { ...hit, stats: { cached: true, durationMs: performance.now() - started } }
  }

  // TypeDoc (and its start-up, seconds on a loaded machine) is loaded only when the cache cannot answer.
  const { convertWithTypeDoc } = await import('./convert.ts')
  const model = await convertWithTypeDoc({
    entries,
    root,
    tsconfigPath,
    sourceBaseUrl: options.sourceBaseUrl,
    typedoc: options.typedoc,
  })
  const { sourceFiles } = model

  if (cacheFile !== undefined && cacheDir !== undefined) {
    const files = sourceFiles.map((f) => [f, sha256(readFileSync(path.join(root, f)))] as const)
    const entry: CacheEntry = { version: MODEL_VERSION, files, model }
    mkdirSync(cacheDir, { recursive: true })
    const tmp = `${cacheFile}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(entry))
    renameSync(tmp, cacheFile)
  }
  return { ...model, stats: { cached: false, durationMs: performance.now() - started } }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function readCache(file: string, root: string): Omit<ApiModel, 'stats'> | undefined {
  if (!existsSync(file)) return undefined
  let entry: CacheEntry
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry
  } catch {
    return undefined
  }
  if (entry.version !== MODEL_VERSION) return undefined
  for (const [rel, hash] of entry.files) {
    const abs = path.join(root, rel)
    if (!existsSync(abs) || sha256(readFileSync(abs)) !== hash) return undefined
  }
  // Absolute paths are recomputed so that a moved checkout with identical sources still works.
  return {
    ...entry.model,
    modules: entry.model.modules.map((m) => ({ ...m, absoluteFile: path.join(root, m.file) })),
  }
}

interface NormalEntry {
  readonly file: string
  readonly name: string
}

function normalizeEntries(list: readonly ApiEntryPoint[], root: string): NormalEntry[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new ApiExtractionError('extractApi: `entryPoints` must list at least one TypeScript file, e.g. ["engine/index.ts"]')
  }
  return list.map((e: ApiEntryPoint) => {
    const file = toPosix(typeof e === 'string' ? e : e.file)
    const abs = path.resolve(root, file)
    if (!existsSync(abs)) {
      throw new ApiExtractionError(
        `extractApi: entry point ${JSON.stringify(file)} does not exist (resolved to ${abs}); paths are relative to \`root\` (${root})`,
      )
    }
    const rel = toPosix(path.relative(root, abs))
    const derived = rel.replace(/\.(d\.)?[cm]?[tj]sx?$/, '').replace(/\/index$/, '')
    return { file: rel, name: typeof e === 'string' || e.name === undefined ? derived : e.name }
  })
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

/** TypeDoc's version, from its package.json (cheap: TypeDoc itself is loaded only to convert). */
function typedocVersion(): string {
  const file = createRequire(import.meta.url).resolve('typedoc/package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
