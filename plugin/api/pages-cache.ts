// Cache of the API pages: an extracted model's dispatcher docs and pages, reused while nothing they come from changed.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { codeDigest } from '../astro/page-cache.ts'
import type { ApiDocs } from './discover.ts'
import type { ApiPage } from './pages.ts'
import type { ApiModel } from './types.ts'

/** Bump when the shape of a stored entry changes. */
const PAGES_VERSION = 1

/** Where one configuration's pages are stored, and the key they must have to be reused. */
export interface PagesSlot {
  readonly file: string
  readonly key: string
}

interface PagesEntry {
  readonly version: number
  readonly key: string
  readonly model: Omit<ApiModel, 'stats'>
  readonly dispatchers: ApiDocs['dispatchers']
  readonly pages: readonly ApiPage[]
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

function fileDigest(file: string): string {
  try {
    return sha256(readFileSync(file))
  } catch {
    return 'missing'
  }
}

/**
 * The cache slot of an extracted model's pages. Finding the dispatchers imports the documented modules and plots
 * them, and building the pages walks every item: seconds on each build although the model came from the cache. Both
 * are functions of the model, the content of every file the entry points import (the model's `sourceFiles`, already
 * the extraction cache's key), the installed packages (npm's lockfile), the options, Node's version and Flowmark's
 * own code; the key covers all of these. One entry per configuration (options and root), replaced when its key changes.
 * @param model What `extractApi` returned.
 * @param options The `generateApi` options (a custom `importModule` makes the result uncacheable).
 * @param root Absolute project root.
 * @param cacheDir Absolute cache folder, or `undefined` for no cache.
 * @returns The slot, or `undefined` when the pages cannot be cached.
 */
export function pagesSlot(
  model: ApiModel,
  options: object & { readonly importModule?: unknown },
  root: string,
  cacheDir: string | undefined,
): PagesSlot | undefined {
  if (cacheDir === undefined || options.importModule !== undefined) return undefined
  const config = JSON.stringify([root, options])
  const { stats: _, ...plain } = model
  const key = sha256(
    JSON.stringify([
      PAGES_VERSION,
      process.version,
      codeDigest(),
      config,
      plain,
      model.sourceFiles.map((f) => [f, fileDigest(path.join(root, f))]),
      fileDigest(path.join(root, 'package-lock.json')),
    ]),
  )
  return { file: path.join(cacheDir, `pages-${sha256(config).slice(0, 24)}.json`), key }
}

/**
 * The stored docs and pages of a slot, when its key matches.
 * @param slot See {@link pagesSlot}.
 * @param stats The `stats` of the model just extracted (kept as they are: they say how extraction went this time).
 */
export function readPages(slot: PagesSlot, stats: ApiModel['stats']): (ApiDocs & { readonly pages: readonly ApiPage[] }) | undefined {
  if (!existsSync(slot.file)) return undefined
  try {
    const entry = JSON.parse(readFileSync(slot.file, 'utf8')) as Partial<PagesEntry>
    if (entry.version !== PAGES_VERSION || entry.key !== slot.key || entry.model === undefined) return undefined
    if (!Array.isArray(entry.dispatchers) || !Array.isArray(entry.pages)) return undefined
    return { model: { ...entry.model, stats }, dispatchers: entry.dispatchers, pages: entry.pages }
  } catch {
    return undefined
  }
}

/**
 * Store the docs and pages of a slot (atomically: a reader sees the old entry or the new one).
 * @param slot See {@link pagesSlot}.
 * @param docs What `discoverDispatchers` returned.
 * @param pages What `apiPages` returned.
 */
export function writePages(slot: PagesSlot, docs: ApiDocs, pages: readonly ApiPage[]): void {
  const { stats: _, ...model } = docs.model
  const entry: PagesEntry = { version: PAGES_VERSION, key: slot.key, model, dispatchers: docs.dispatchers, pages }
  mkdirSync(path.dirname(slot.file), { recursive: true })
  const tmp = `${slot.file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(entry))
  renameSync(tmp, slot.file)
}
