// Session worker side: records every module resolution (who imported what), so a page's loaded files are known transitively.
import { registerHooks } from 'node:module'

/** What the tracker knows: the import edges seen so far and what the running page resolved. */
interface TrackerState {
  /** `file:` URL of an importer (`''` for entry points) → the `file:` URLs it resolved. */
  readonly edges: Map<string, Set<string>>
  /** URLs resolved before the first page ran (the worker's own modules: shared by every page). */
  readonly boot: Set<string>
  /** URLs of modules an earlier page loaded first (their module state is that page's: no later page may use them). */
  readonly taken: Set<string>
  /**
   * What the running page resolved: `file:` URLs, other module URLs (`data:`…), `node:` builtins, and the URLs it was
   * refused because an earlier page had loaded them (`taken`); `undefined` while no page runs.
   */
  page: PageState | undefined
}

/** What the running page resolved (see {@link TrackerState}). */
interface PageState {
  readonly files: Set<string>
  readonly others: Set<string>
  readonly builtins: Set<string>
  readonly formats: Set<string>
  readonly taken: Set<string>
}

const state: TrackerState = { edges: new Map(), boot: new Set(), taken: new Set(), page: undefined }

/**
 * What the resolve hook throws when the running page asks for a module an earlier page on this worker loaded: the
 * page must not get that module instance (its state, and its code as it was then), so it runs again on a new worker.
 * A plain error: this module loads before anything else in the worker (Flowmark's errors included).
 */
function takenModule(url: string): Error {
  return new Error(`${url} was loaded by an earlier page on this worker; the page runs again on a new worker`)
}

/** Whether `module.registerHooks` exists here (Node ≥ 22.15): without it nothing is tracked and workers are not reused. */
export const TRACKING = typeof registerHooks === 'function'

let installed = false

/**
 * Start recording resolutions in this thread. Called by the worker's entry module before it imports the worker, so
 * the worker's own module graph (Flowmark's engine included) is recorded too, edge by edge.
 */
export function installTracker(): void {
  if (installed || !TRACKING) return
  installed = true
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context)
      const url = resolved.url
      const page = state.page
      if (url.startsWith('node:')) {
        page?.builtins.add(url.slice('node:'.length))
        return resolved
      }
      if (page !== undefined && state.taken.has(url)) {
        page.taken.add(url)
        throw takenModule(url)
      }
      if (url.startsWith('file:')) {
        const parent = context.parentURL?.startsWith('file:') === true ? context.parentURL : ''
        let targets = state.edges.get(parent)
        if (targets === undefined) state.edges.set(parent, (targets = new Set()))
        targets.add(url)
        if (page === undefined) state.boot.add(url)
        else page.files.add(url)
      } else if (page === undefined) state.boot.add(url)
      else page.others.add(url) // A `data:` module, say: one instance per URL, as for files.
      return resolved
    },
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context)
      if (state.page !== undefined && typeof loaded.format === 'string') state.page.formats.add(loaded.format)
      return loaded
    },
  })
}

/** Whether the running page asked for a module an earlier page on this worker loaded (see {@link takenModule}). */
export function pageHitTakenModule(): boolean {
  return state.page !== undefined && state.page.taken.size > 0
}

/** Begin recording a page's resolutions. */
export function startPage(): void {
  state.page = { files: new Set(), others: new Set(), builtins: new Set(), formats: new Set(), taken: new Set() }
}

/** What a page loaded, as {@link endPage} reports it. */
export interface PageModules {
  /**
   * Every `file:` URL the page's code loaded, transitively (modules first loaded by the worker included when the
   * page imports them), or `null` when resolutions are not tracked.
   */
  readonly files: readonly string[] | null
  /**
   * `file:` URLs the page loaded that the worker had not loaded before it (their module state is the page's): no
   * later page on this worker may load them.
   */
  readonly fresh: readonly string[]
  /** For each of {@link fresh}, the `file:` URLs it imported (so the main thread knows what loading it entails). */
  readonly freshImports: Readonly<Record<string, readonly string[]>>
  /** `file:` URLs an earlier page on this worker loaded that this page asked for too (it was refused them). */
  readonly taken: readonly string[]
  /** Built-in modules the page imported (`fs`, `path`, …). */
  readonly builtins: readonly string[]
  /** Module formats loaded for the page (`module`, `commonjs`, `json`, …). */
  readonly formats: readonly string[]
}

/**
 * Stop recording and report what the page loaded: the closure of its resolutions over every edge seen so far.
 * Modules the page loaded for the first time are the page's from now on: a later page that asks for one is refused
 * it (its resolution throws).
 */
export function endPage(): PageModules {
  const page = state.page
  state.page = undefined
  if (page === undefined || !TRACKING)
    return { files: TRACKING ? [] : null, fresh: [], freshImports: {}, taken: [], builtins: [], formats: [] }
  const closure = new Set<string>()
  const queue = [...page.files]
  while (queue.length > 0) {
    const url = queue.pop()!
    if (closure.has(url)) continue
    closure.add(url)
    for (const next of state.edges.get(url) ?? []) if (!closure.has(next)) queue.push(next)
  }
  const fresh = [...page.files].filter((url) => !state.boot.has(url))
  for (const url of [...fresh, ...page.others]) if (!state.boot.has(url)) state.taken.add(url)
  const freshImports = Object.fromEntries(fresh.map((url) => [url, [...(state.edges.get(url) ?? [])]]))
  return { files: [...closure], fresh, freshImports, taken: [...page.taken], builtins: [...page.builtins], formats: [...page.formats] }
}
