// Astro content-layer cache handling: drop the cached rendered Markdown so examples re-run against current models.
import { rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** The parts of the Astro config the cache helpers read. */
export interface CacheConfigLike {
  readonly root: URL
  readonly cacheDir: URL
}

/**
 * Where Astro keeps its content-layer data store (rendered Markdown of content collections, keyed by file digest only).
 * `astro build` keeps it in `cacheDir`; `astro dev` in `<root>/.astro/`. Both the single-file and the chunked form.
 * @param config The Astro config (`root`, `cacheDir`).
 * @param dev Whether the paths of `astro dev` are wanted.
 * @returns The file and folder URLs Astro may have written.
 */
export function dataStorePaths(config: CacheConfigLike, dev: boolean): URL[] {
  const base = dev ? new URL('.astro/', config.root) : config.cacheDir
  return [new URL('data-store.json', base), new URL('data-store/', base)]
}

/**
 * Delete the content-layer data store, so that every Markdown entry is rendered again and its examples run again.
 * Astro reuses a page's cached HTML when the page text did not change, even when the model it imports or the engine
 * did (withastro/astro#13028); clearing at build start is the only way not to ship stale doctest results.
 * @param config The Astro config.
 * @param dev Clear the store of `astro dev` instead of `astro build`'s.
 * @returns The paths that existed and were removed.
 */
export async function clearContentLayerCache(config: CacheConfigLike, dev: boolean): Promise<string[]> {
  const removed: string[] = []
  for (const url of dataStorePaths(config, dev)) {
    if (!existsSync(url)) continue
    await rm(url, { recursive: true, force: true })
    removed.push(url.pathname)
  }
  return removed
}

/**
 * A short digest of the current contents of some files (missing files count as empty), used as a cache key.
 * Astro clears its whole content store when the serialised config changes, so a key placed in the plugin options
 * invalidates cached pages exactly when one of these files changed.
 * @param files Absolute paths.
 * @param salt Extra text mixed into the key (plugin version, options).
 * @returns 16 hex digits.
 */
export function filesDigest(files: readonly string[], salt: string): string {
  const hash = createHash('sha256').update(salt)
  for (const file of [...files].sort()) {
    hash.update('\0').update(file).update('\0')
    try {
      hash.update(readFileSync(file))
    } catch {
      hash.update('(missing)')
    }
  }
  return hash.digest('hex').slice(0, 16)
}
