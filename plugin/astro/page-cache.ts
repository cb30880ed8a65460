// Cross-build cache of page sessions: a page's doctest report is reused only while its request and every module it loaded are unchanged.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DrawResult, SessionReport, SessionRequest } from '../core/types.ts'

/** Bumped when the shape of a stored entry changes (older entries are then ignored and replaced). */
const ENTRY_VERSION = 2

/**
 * How many results a page keeps: its latest few states (page text × module contents), so that going back to one
 * (an undone edit, `git stash`, switching branches) reuses its results instead of running the page again.
 */
export const VARIANTS_PER_PAGE = 4

/** A session report as the cache keeps it: the draws as a list of pairs (JSON has no Map). */
interface StoredReport extends Omit<SessionReport, 'draws'> {
  readonly draws: readonly (readonly [string, DrawResult])[]
  readonly examples?: readonly unknown[]
}

/** One stored result of a page: the request it answered, what its session loaded, and its report. */
interface Variant {
  /** Digest of the request (blocks, flags, timeout), the page path and the salt (see {@link ResultCache.salt}). */
  readonly key: string
  /** Every module the session loaded (absolute paths, transitively, as Node resolved them), with its content digest. */
  readonly modules: readonly (readonly [string, string])[]
  readonly report: StoredReport
}

/**
 * One page's entry: `<dir>/<digest of the page path>.json`, holding its latest {@link VARIANTS_PER_PAGE} results,
 * newest first.
 */
interface Entry {
  readonly version: number
  readonly file: string
  readonly variants: readonly Variant[]
}

/**
 * The doctest result cache of an integration instance. The key of a page is its request (the code of every block,
 * flags, timeout and draw options, as the page's text and the integration's options made them), its path, and
 * {@link ResultCache.salt}; an entry also lists the modules the page's session loaded with their content digests,
 * and is reused only while every one of them is unchanged (so editing a model re-runs each page that imports it,
 * directly or through other modules). Only sessions that finished without an error are stored.
 */
export interface ResultCache {
  /** Folder of the entries (`<cacheDir>/doctest`). */
  readonly dir: string
  /** What else the results depend on: Node's version, Flowmark's own code, the integration's options. */
  readonly salt: string
  /** Content digests of files, memoised until {@link forgetDigests} (a build, or a file change in dev). */
  readonly digests: Map<string, string>
  /** Counters for the build summary and `bench:docs`. */
  readonly stats: { ran: Set<string>; reused: Set<string>; examplesRan: number; examplesReused: number }
}

/**
 * Make the result cache of an integration instance.
 * @param dir Folder of the entries (created on the first store).
 * @param salt Extra key material, e.g. from {@link codeDigest} and the options.
 */
export function createResultCache(dir: string, salt: string): ResultCache {
  return { dir, salt, digests: new Map(), stats: { ran: new Set(), reused: new Set(), examplesRan: 0, examplesReused: 0 } }
}

/**
 * Forget memoised file digests (files may have changed since) and reset the counters.
 * @param cache The cache.
 */
export function forgetDigests(cache: ResultCache): void {
  cache.digests.clear()
  cache.stats.ran.clear()
  cache.stats.reused.clear()
  cache.stats.examplesRan = 0
  cache.stats.examplesReused = 0
}

/**
 * SHA-256 of a file's content (`missing` when it cannot be read), memoised in the cache.
 * @param cache The cache.
 * @param file Absolute path.
 */
export function fileDigest(cache: ResultCache, file: string): string {
  let digest = cache.digests.get(file)
  if (digest === undefined) {
    try {
      digest = createHash('sha256').update(readFileSync(file)).digest('hex')
    } catch {
      digest = 'missing'
    }
    cache.digests.set(file, digest)
  }
  return digest
}

/** The key of a request under a salt. */
function requestKey(request: SessionRequest, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(request.file).update('\0').update(JSON.stringify(request)).digest('hex')
}

function entryPath(cache: ResultCache, file: string): string {
  return join(cache.dir, `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.json`)
}

/** Whether a value read from an entry has the shape of a stored result (an entry is untrusted JSON). */
function isVariant(v: unknown): v is Variant {
  if (typeof v !== 'object' || v === null) return false
  const { key, modules, report } = v as Partial<Variant>
  return (
    typeof key === 'string' &&
    Array.isArray(report?.draws) &&
    Array.isArray(modules) &&
    modules.every((m) => Array.isArray(m) && typeof m[0] === 'string' && typeof m[1] === 'string')
  )
}

/**
 * A page's entry with its well-formed results only, or `undefined` when there is none or it is not one this version
 * wrote for `file`.
 */
function readEntry(cache: ResultCache, file: string): Entry | undefined {
  try {
    const entry = JSON.parse(readFileSync(entryPath(cache, file), 'utf8')) as Entry
    if (entry.version !== ENTRY_VERSION || entry.file !== file || !Array.isArray(entry.variants)) return undefined
    return { ...entry, variants: entry.variants.filter(isVariant) }
  } catch {
    return undefined
  }
}

/**
 * The stored report of a page, when one of its stored results answered the same request and none of the modules
 * that session loaded changed since.
 * @param cache The cache.
 * @param request The page's session request.
 * @returns The report (with `draws` as a Map again) and the modules the session loaded, or `undefined` (no entry, no
 *   result for this request, a changed module, or an unreadable entry: a cache file is never trusted blindly).
 */
export function loadResult(cache: ResultCache, request: SessionRequest): { report: SessionReport; modules: string[] } | undefined {
  const key = requestKey(request, cache.salt)
  const found = readEntry(cache, request.file)?.variants.find(
    (v) => v.key === key && v.modules.every(([file, digest]) => fileDigest(cache, file) === digest),
  )
  if (found === undefined) return undefined
  const { draws, ...rest } = found.report
  return { report: { ...rest, draws: new Map(draws) }, modules: found.modules.map(([file]) => file) }
}

/**
 * Store a page's report, when its session finished cleanly: no error diagnostic, nothing left not run, and the list
 * of modules it loaded is known. It goes first in the page's entry, which keeps the page's {@link VARIANTS_PER_PAGE}
 * latest results. Written to a temporary file and renamed, so a reader never sees half an entry.
 * @param cache The cache.
 * @param request The page's session request.
 * @param report The session's report.
 * @param modules Every module the session loaded (absolute paths), or `undefined` when unknown (nothing is stored).
 * @param extra Files the results also depend on (the `watch` option).
 * @returns Whether the entry was written.
 */
export function storeResult(
  cache: ResultCache,
  request: SessionRequest,
  report: SessionReport,
  modules: readonly string[] | undefined,
  extra: readonly string[] = [],
): boolean {
  if (modules === undefined || report.failed > 0 || report.diagnostics.some((d) => d.severity === 'error')) return false
  const examples = (report as { examples?: readonly { status: string }[] }).examples
  if (examples?.some((e) => e.status === 'not-run') === true) return false
  const files = [...new Set([...modules, ...extra])].sort()
  const variant: Variant = {
    key: requestKey(request, cache.salt),
    modules: files.map((f) => [f, fileDigest(cache, f)] as const),
    report: { ...report, draws: [...report.draws] },
  }
  // The new result first; an older one for the same request and module contents is replaced, the oldest dropped.
  const same = (v: Variant): boolean => v.key === variant.key && JSON.stringify(v.modules) === JSON.stringify(variant.modules)
  const older = (readEntry(cache, request.file)?.variants ?? []).filter((v) => !same(v))
  const entry: Entry = { version: ENTRY_VERSION, file: request.file, variants: [variant, ...older].slice(0, VARIANTS_PER_PAGE) }
  const path = entryPath(cache, request.file)
  try {
    mkdirSync(cache.dir, { recursive: true })
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(entry))
    renameSync(tmp, path)
    return true
  } catch {
    // A cache that cannot be written only costs time on the next build.
    return false
  }
}

/**
 * Remove every entry of the cache (what deleting the folder does by hand).
 * @param cache The cache.
 */
export function clearResults(cache: ResultCache): void {
  for (const name of safeList(cache.dir)) if (name.endsWith('.json')) rmSync(join(cache.dir, name), { force: true })
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

let ownCode: string | undefined

/**
 * Digest of Flowmark's own docs-toolchain code (every file of `plugin/`, as it runs: sources or the built `dist/`),
 * so that a new Flowmark version or a local edit of the toolchain re-runs every page. Computed once per process.
 */
export function codeDigest(): string {
  if (ownCode !== undefined) return ownCode
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  const hash = createHash('sha256')
  const walk = (dir: string): void => {
    for (const name of safeList(dir).sort()) {
      const path = join(dir, name)
      let info
      try {
        info = statSync(path)
      } catch {
        continue
      }
      if (info.isDirectory()) walk(path)
      else if (/\.(?:[cm]?[jt]s|css)$/.test(name))
        hash.update(relative(root, path).split(sep).join('/')).update('\0').update(readFileSync(path)).update('\0')
    }
  }
  walk(root)
  ownCode = hash.digest('hex').slice(0, 16)
  return ownCode
}
