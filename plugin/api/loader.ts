// API pages as content-collection entries: the registry the integration fills and the Astro loader that serves it.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Loader, LoaderContext } from 'astro/loaders'
import { pageFrontMatter, pageToMarkdownFile, type ApiPage } from './pages.ts'

/** Generated API pages waiting for the content loader of one project. */
export interface RegisteredApiPages {
  /** The pages (what `generateApi` returned). */
  readonly pages: readonly ApiPage[]
  /** Folder the pages are rendered as if they were in (their relative imports and `from=` paths start there). */
  readonly pagesDir: string
  /** Collection id prefix of the pages (`api` for the base URL `/api/`). */
  readonly idPrefix: string
  /** Set by the loader once it served the pages, so the integration can warn when no collection uses it. */
  loaded: boolean
}

// One registry per process, shared by the integration (loaded by Astro's config loader) and the loader (loaded by
// Vite with content.config.ts): they may be two instances of this module, so it lives on globalThis.
const REGISTRY = Symbol.for('flowmark.api-pages')

function registry(): Map<string, RegisteredApiPages> {
  const g = globalThis as { [REGISTRY]?: Map<string, RegisteredApiPages> }
  return (g[REGISTRY] ??= new Map())
}

/**
 * Hands generated pages to the content loader of the project at `root` (what the integration does in
 * `astro:config:setup`; a later call replaces the pages).
 *
 * @param root The project root (absolute path).
 * @param pages The pages, their folder and id prefix.
 * @returns The registered entry (its `loaded` flag turns true once a loader served it).
 */
export function registerApiPages(root: string, pages: Omit<RegisteredApiPages, 'loaded'>): RegisteredApiPages {
  const entry: RegisteredApiPages = { ...pages, loaded: false }
  registry().set(path.resolve(root), entry)
  return entry
}

/**
 * The pages registered for a project, if any.
 *
 * @param root The project root (absolute path).
 * @returns The registered pages, or undefined.
 */
export function registeredApiPages(root: string): RegisteredApiPages | undefined {
  return registry().get(path.resolve(root))
}

/**
 * The collection id of a page: the id prefix, then the page's slug (`api`, `api/engine`, `api/engine/dispatcher`),
 * which is also the URL Starlight serves it at.
 *
 * @param page A generated page.
 * @param idPrefix The prefix (`api` for the base URL `/api/`).
 * @returns The id.
 */
export function apiPageId(page: ApiPage, idPrefix: string): string {
  return [idPrefix, page.slug].filter((s) => s !== '').join('/')
}

const META_KEY = 'flowmark-api-ids'

/**
 * A content loader that adds the generated API pages to a collection, after the entries of `inner` (for Starlight,
 * its `docsLoader()`), so that nothing is written into `src/content/docs`:
 *
 * ```ts
 * // src/content.config.ts
 * import { defineCollection } from 'astro:content'
 * import { docsLoader } from '@astrojs/starlight/loaders'
 * import { docsSchema } from '@astrojs/starlight/schema'
 * import { apiPagesLoader } from '@flowmark/docs/astro'
 *
 * export const collections = { docs: defineCollection({ loader: apiPagesLoader(docsLoader()), schema: docsSchema() }) }
 * ```
 *
 * Each page is rendered by the project's Markdown pipeline (so its examples run as doctests and its models draw) as
 * if it were the file `<pagesDir>/<page.file>`; a page whose Markdown did not change since the last sync keeps its
 * rendered entry. The inner loader does not see the API entries (it would delete them as stale).
 *
 * @param inner The loader of the collection's own files, if any.
 * @returns The loader.
 */
export function apiPagesLoader(inner?: Loader): Loader {
  return {
    name: 'flowmark-api-pages',
    load: async (context: LoaderContext) => {
      const api = registeredApiPages(fileURLToPath(context.config.root))
      const ids = new Map((api?.pages ?? []).map((p) => [apiPageId(p, api?.idPrefix ?? ''), p]))
      if (inner !== undefined) await inner.load({ ...context, store: hide(context.store, ids) })
      const previous = JSON.parse(context.meta.get(META_KEY) ?? '[]') as string[]
      for (const id of previous) if (!ids.has(id)) context.store.delete(id)
      context.meta.set(META_KEY, JSON.stringify([...ids.keys()]))
      if (api === undefined) return
      api.loaded = true
      const root = fileURLToPath(context.config.root)
      for (const [id, page] of ids) {
        const content = pageToMarkdownFile(page)
        const digest = context.generateDigest(content)
        const existing = context.store.get(id)
        if (existing?.digest === digest && existing.rendered !== undefined) continue
        const file = path.join(api.pagesDir, page.file)
        const data = await context.parseData({ id, data: pageFrontMatter(page) })
        const rendered = await context.renderMarkdown(content, { fileURL: pathToFileURL(file) })
        const source = path.relative(root, file).split(path.sep).join('/')
        context.store.set({ id, data, body: page.markdown, filePath: source, digest, rendered })
      }
    },
  }
}

/** The store as the inner loader should see it: without the API entries. */
function hide(store: LoaderContext['store'], ids: ReadonlyMap<string, unknown>): LoaderContext['store'] {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      const fn = value as (...args: unknown[]) => unknown
      switch (key) {
        case 'keys':
          return () => (fn.call(target) as string[]).filter((id) => !ids.has(id))
        case 'values':
          return () => (target.entries() as [string, unknown][]).filter(([id]) => !ids.has(id)).map(([, v]) => v)
        case 'entries':
          return () => (fn.call(target) as [string, unknown][]).filter(([id]) => !ids.has(id))
        case 'delete':
          return (id: string) => (ids.has(id) ? undefined : fn.call(target, id))
        default:
          return fn.bind(target)
      }
    },
  })
}
