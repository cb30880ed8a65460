// Session worker side: gives each page its own instances of the modules it loads, and records what it loaded.
import { registerHooks, stripTypeScriptTypes, type LoadFnOutput } from 'node:module'

/** What the tracker knows: the import edges seen so far and what the running page resolved. */
interface TrackerState {
  /** `file:` URL of an importer (`''` for entry points) → the `file:` URLs it resolved (page queries removed). */
  readonly edges: Map<string, Set<string>>
  /** URLs resolved before the first page ran (the worker's own modules, Flowmark's engine included: shared by every page). */
  readonly boot: Set<string>
  /**
   * URLs of modules an earlier page loaded without a query of its own (`data:` modules, files loaded by `require`):
   * their module state is that page's, so no later page may use them.
   */
  readonly taken: Set<string>
  /** Pages that ran (or run) on this worker: the number of the next page's query. */
  pages: number
  /** What the running page resolved; `undefined` while no page runs. */
  page: PageState | undefined
}

/**
 * What the running page resolved: `file:` URLs (without its query), the module instances it loaded of its own,
 * `node:` builtins, module formats, and the URLs it was refused because an earlier page had loaded them (`taken`).
 */
interface PageState {
  /** The page's number: the value of {@link PAGE_PARAM} in its modules' URLs. */
  readonly id: number
  readonly files: Set<string>
  /** URLs of the module instances the page loaded that are not the worker's own (with the page's query). */
  readonly own: Set<string>
  /** Of {@link own}, those loaded without the page's query (`data:`, `require`): later pages are refused them. */
  readonly shared: Set<string>
  readonly builtins: Set<string>
  readonly formats: Set<string>
  readonly taken: Set<string>
}

const state: TrackerState = { edges: new Map(), boot: new Set(), taken: new Set(), pages: 0, page: undefined }

/**
 * The query parameter that gives a page its own instance of a module: while page `n` runs, every `file:` module it
 * imports that is not one of the worker's own resolves to its URL plus `flowmark-page=n`. Relative imports of such a
 * module resolve against its URL (URL resolution drops the query) and get the same parameter, so the page loads
 * its whole graph of non-shared modules afresh, from the files as they are now.
 */
export const PAGE_PARAM = 'flowmark-page'

const PAGE_QUERY = new RegExp(`[?&]${PAGE_PARAM}=\\d+`, 'g')

/** `url` with the page parameter `id` added (before a `#fragment`). */
function withPage(url: string, id: number): string {
  const hash = url.indexOf('#')
  const head = hash < 0 ? url : url.slice(0, hash)
  return `${head}${head.includes('?') ? '&' : '?'}${PAGE_PARAM}=${id}${hash < 0 ? '' : url.slice(hash)}`
}

/**
 * `text` without the page parameters of module URLs: what a fresh worker would show (in URLs, stack frames,
 * messages that name a model file).
 */
export function withoutPageQuery(text: string): string {
  return text.includes(PAGE_PARAM) ? text.replace(PAGE_QUERY, '') : text
}

/**
 * What the resolve hook throws when the running page asks for a module an earlier page on this worker loaded
 * without a query of its own: the page must not get that instance (its state, and its code as it was then), so it
 * runs again on a new worker. A plain error: this module loads before anything else in the worker.
 */
function takenModule(url: string): Error {
  return new Error(`${url} was loaded by an earlier page on this worker; the page runs again on a new worker`)
}

/** Whether `module.registerHooks` exists here (Node ≥ 22.15): without it nothing is tracked and workers are not reused. */
export const TRACKING = typeof registerHooks === 'function'

let installed = false

/**
 * Start recording resolutions in this thread and giving pages their own module instances. Called by the worker's
 * entry module before it imports the worker, so the worker's own module graph (Flowmark's engine included) is
 * recorded too, edge by edge, as the boot modules every page shares.
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
      if (url.startsWith('file:')) record(context.parentURL, url)
      if (page === undefined || state.boot.has(url)) {
        if (page === undefined) state.boot.add(url)
        return resolved
      }
      if (state.taken.has(url)) {
        page.taken.add(url)
        throw takenModule(url)
      }
      // `require` caches by file name whatever the URL: such a module, like a `data:` one, cannot be given a query.
      if (!url.startsWith('file:') || !context.conditions.includes('import')) {
        page.own.add(url)
        page.shared.add(url)
        return resolved
      }
      const own = withPage(url, page.id)
      page.own.add(own)
      return { ...resolved, url: own }
    },
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context)
      if (state.page !== undefined && typeof loaded.format === 'string') state.page.formats.add(loaded.format)
      return url.includes(PAGE_PARAM) ? asFreshWorkerSees(url, loaded) : loaded
    },
  })
}

/** Records that `parent` (a module URL, if any) resolved the `file:` URL `url`, page queries removed. */
function record(parent: string | undefined, url: string): void {
  const from = parent?.startsWith('file:') === true ? withoutPageQuery(parent) : ''
  let targets = state.edges.get(from)
  if (targets === undefined) state.edges.set(from, (targets = new Set()))
  targets.add(url)
  state.page?.files.add(url)
}

/** Per clean module URL, the last source a page's instance was made from and its code ({@link asFreshWorkerSees}). */
const rewritten = new Map<string, { readonly source: string; readonly code: string }>()

/**
 * A page's instance of an ES module, made to look like the module a fresh worker loads: its `import.meta.url` is
 * set to the URL without the page's query first (what `functionRef(fn, import.meta.url)`, `new URL(…, import.meta.url)`
 * or a printed URL get), before the first line's code (after a `#!` line), so that no line moves; and its stack
 * frames name the file without the query (a `//# sourceURL` comment; for TypeScript, the one the types are stripped
 * with here, as Node would, but naming the plain URL). Other formats (JSON, CommonJS) are left as they are.
 */
function asFreshWorkerSees(url: string, loaded: LoadFnOutput): LoadFnOutput {
  const { format } = loaded
  const clean = withoutPageQuery(url)
  // Node refuses to strip the types of files below node_modules (after this hook): it must still do so.
  const strips = format === 'module-typescript' && typeof stripTypeScriptTypes === 'function' && !clean.includes('/node_modules/')
  if (format !== 'module' && !strips) return loaded
  const raw = loaded.source
  const source =
    typeof raw === 'string' ? raw : raw === undefined ? '' : new TextDecoder().decode(ArrayBuffer.isView(raw) ? raw : new Uint8Array(raw))
  const known = rewritten.get(clean)
  if (known?.source === source) return { format: 'module', source: known.code }
  let code = source
  if (source.includes('import.meta')) {
    const at = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0
    if (at > 0 || !source.startsWith('#!')) code = `${source.slice(0, at)}${importMetaPrefix(clean, source)}${source.slice(at)}`
  }
  if (strips) code = stripTypeScriptTypes(code, { mode: 'strip', sourceUrl: clean })
  else if (!/^\/\/[#@] sourceURL=/m.test(source)) code += `\n//# sourceURL=${clean}`
  rewritten.set(clean, { source, code })
  return { format: 'module', source: code }
}

/**
 * The code that makes a page's instance of a module see the `import.meta` of a fresh worker's: `url` without the
 * page's query, and `resolve` returning URLs without it (importing one gives the page's instance all the same).
 * One line of code, to go before the module's first line.
 */
function importMetaPrefix(clean: string, source: string): string {
  const url = `import.meta.url=${JSON.stringify(clean)};`
  if (!source.includes('import.meta.resolve')) return url
  return `${url}import.meta.resolve=((r)=>(...a)=>r(...a).replace(/[?&]${PAGE_PARAM}=\\d+/,''))(import.meta.resolve);`
}

/** Whether the running page asked for a module an earlier page on this worker loaded (see {@link takenModule}). */
export function pageHitTakenModule(): boolean {
  return state.page !== undefined && state.page.taken.size > 0
}

/** Begin recording a page's resolutions; its modules get the page's own query from now on. */
export function startPage(): void {
  state.page = {
    id: ++state.pages,
    files: new Set(),
    own: new Set(),
    shared: new Set(),
    builtins: new Set(),
    formats: new Set(),
    taken: new Set(),
  }
}

/** What a page loaded, as {@link endPage} reports it. */
export interface PageModules {
  /**
   * Every `file:` URL the page's code loaded, transitively (the worker's own modules included when the page imports
   * them), without page queries, or `null` when resolutions are not tracked.
   */
  readonly files: readonly string[] | null
  /** The module instances the page loaded of its own (URLs with its query; `data:` URLs, files loaded by `require`). */
  readonly own: readonly string[]
  /** URLs an earlier page on this worker loaded without a query that this page asked for too (it was refused them). */
  readonly taken: readonly string[]
  /** Built-in modules the page imported (`fs`, `path`, …). */
  readonly builtins: readonly string[]
  /** Module formats loaded for the page (`module`, `commonjs`, `json`, …). */
  readonly formats: readonly string[]
}

/**
 * Stop recording and report what the page loaded: the closure of its resolutions over every edge seen so far.
 * Modules the page loaded without a query of its own are the page's from now on: a later page that asks for one is
 * refused it (its resolution throws).
 */
export function endPage(): PageModules {
  const page = state.page
  state.page = undefined
  if (page === undefined || !TRACKING) return { files: TRACKING ? [] : null, own: [], taken: [], builtins: [], formats: [] }
  const closure = new Set<string>()
  const queue = [...page.files]
  while (queue.length > 0) {
    const url = queue.pop()!
    if (closure.has(url)) continue
    closure.add(url)
    for (const next of state.edges.get(url) ?? []) if (!closure.has(next)) queue.push(next)
  }
  for (const url of page.shared) state.taken.add(url)
  return { files: [...closure], own: [...page.own], taken: [...page.taken], builtins: [...page.builtins], formats: [...page.formats] }
}
