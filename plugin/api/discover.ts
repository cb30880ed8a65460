// Dispatcher discovery: import the documented modules, find exported Dispatchers, plot them and build their tables.
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Dispatcher } from 'flowmark'
import type { AnyFunction } from 'flowmark'
import type { PlotJSON } from 'flowmark/plot'
import { dispatcherTables, type DocLookup, type FunctionDocs } from './describe.ts'
import { ApiDiscoveryError } from './errors.ts'
import { firstSentence } from './text.ts'
import { DOCS_PLOT_DEFAULTS } from '../core/types.ts'
import type { ApiItem, ApiModel, ApiModule, DispatcherDoc } from './types.ts'

/** Options of `discoverDispatchers`. */
export interface DiscoverOptions {
  /**
   * Loads a module by absolute file path (default: `import(pathToFileURL(file).href)`). Inside Vite (Astro) pass
   * the server's module loader so that the documented modules share the build's module graph.
   */
  readonly importModule?: (file: string) => Promise<Record<string, unknown>>
  /** Options for `dsp.plot(…)` (default `{ depth: Infinity }`: every sub-model), over `DOCS_PLOT_DEFAULTS` (the model's name as caption). */
  readonly plotOptions?: Readonly<Record<string, unknown>>
  /**
   * Import the modules in a fresh worker thread (default: `true` unless `importModule` is given). Node keeps an
   * imported module for the life of the process, so without it a second call in the same process (an `astro dev`
   * restart after a model changed) would document the old model.
   */
  readonly isolate?: boolean
}

/** An API model whose dispatcher exports are known: the model (kinds updated) and a doc per dispatcher. */
export interface ApiDocs {
  /** The model, with the items whose value is a Dispatcher turned into kind `dispatcher`. */
  readonly model: ApiModel
  /** The dispatchers, in module then item order. */
  readonly dispatchers: readonly DispatcherDoc[]
}

/**
 * Whether a value is a Flowmark `Dispatcher`: an instance of the engine's class, or (when a module got its own copy
 * of the engine) an object with the Dispatcher shape (`nodes` map, `dispatch`, `addFunction`, `successors`).
 *
 * @param value Any value.
 * @returns True for dispatchers.
 */
export function isDispatcher(value: unknown): value is Dispatcher {
  if (value instanceof Dispatcher) return true
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.nodes instanceof Map && typeof v.dispatch === 'function' && typeof v.addFunction === 'function' && typeof v.successors === 'function'
  )
}

/**
 * Imports each documented module, finds its exported dispatchers and documents them: name, description, the plot
 * at full depth (when the engine has `plot()`), and the data / function / sub-dispatcher tables. A node's function is
 * matched to a documented export by identity, which gives the row its link and the description lookup its
 * `@param` / `@returns` texts. Links are written `api:<slug>` (see `resolveApiHref`).
 *
 * @param model What `extractApi` returned.
 * @param options How to import modules and plot.
 * @returns The model with dispatcher items and the dispatcher docs (plain data).
 * @throws ApiDiscoveryError when a module cannot be imported or a dispatcher cannot be plotted.
 */
export async function discoverDispatchers(model: ApiModel, options: DiscoverOptions = {}): Promise<ApiDocs> {
  if (options.isolate ?? options.importModule === undefined) {
    if (options.importModule !== undefined)
      throw new ApiDiscoveryError(
        'discoverDispatchers: `importModule` cannot be used with `isolate: true` (a function cannot be sent to the worker)',
      )
    return discoverInWorker(model, options.plotOptions)
  }
  return discoverHere(model, options)
}

/** What the discovery worker posts back. */
export type DiscoverWorkerReply = { readonly ok: true; readonly docs: ApiDocs } | { readonly ok: false; readonly message: string }

function discoverInWorker(model: ApiModel, plotOptions: Readonly<Record<string, unknown>> | undefined): Promise<ApiDocs> {
  const here = import.meta.url
  const script = new URL(here.endsWith('.ts') ? './discover-worker.ts' : './discover-worker.js', here)
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { model, plotOptions } })
    let settled = false
    worker.once('message', (reply: DiscoverWorkerReply) => {
      settled = true
      if (reply.ok) resolve(reply.docs)
      else reject(new ApiDiscoveryError(reply.message))
      void worker.terminate()
    })
    worker.once('error', (cause) => {
      if (settled) return
      settled = true
      reject(new ApiDiscoveryError(`the discovery worker failed: ${String(cause)}`, { cause }))
    })
    worker.once('exit', (code) => {
      if (!settled) reject(new ApiDiscoveryError(`the discovery worker exited with code ${code} before answering`))
    })
  })
}

/**
 * `discoverDispatchers` in the calling thread (what the worker runs).
 *
 * @param model What `extractApi` returned.
 * @param options How to import modules and plot (`isolate` is ignored).
 * @returns The model with dispatcher items and the dispatcher docs.
 */
export async function discoverHere(model: ApiModel, options: DiscoverOptions = {}): Promise<ApiDocs> {
  const load = options.importModule ?? ((file: string) => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>)
  const values = new Map<string, unknown>()
  const functions = new Map<unknown, FunctionDocs>()
  const dispatcherPages = new Map<unknown, string>()

  const namespaces: Record<string, unknown>[] = []
  for (const mod of model.modules) {
    let ns: Record<string, unknown>
    try {
      ns = await load(mod.absoluteFile)
    } catch (cause) {
      throw new ApiDiscoveryError(
        `cannot import module ${mod.name} (${mod.file}) to find its dispatchers: ${String(cause)}. Check that it runs under Node (or pass \`importModule\`).`,
        { cause },
      )
    }
    namespaces.push(ns)
    for (const item of mod.items) {
      if (!item.runtime || !(item.name in ns)) continue
      const value = ns[item.name]
      values.set(item.slug, value)
      if (item.kind === 'function' && typeof value === 'function' && !functions.has(value)) {
        const sig = item.signatures[0]
        functions.set(value, { doc: sig?.doc.summary ? sig.doc : item.doc, parameters: sig?.parameters ?? [], href: `api:${item.slug}` })
      } else if (item.kind === 'variable' && isDispatcher(value) && !dispatcherPages.has(value)) {
        dispatcherPages.set(value, `api:${item.slug}`)
      }
    }
  }

  const lookup: DocLookup = {
    functionDocs: (fn: AnyFunction) => functions.get(fn),
    dispatcherHref: (dsp: Dispatcher) => dispatcherPages.get(dsp),
  }
  const dispatchers: DispatcherDoc[] = []
  const modules: ApiModule[] = model.modules.map((mod) => {
    const items: ApiItem[] = mod.items.map((item) => {
      const value = values.get(item.slug)
      if (item.kind !== 'variable' || !isDispatcher(value)) return item
      dispatchers.push(
        documentDispatcher(mod, item, value, lookup, { ...DOCS_PLOT_DEFAULTS, ...(options.plotOptions ?? { depth: Infinity }) }),
      )
      // Without a doc comment, the summary tables show the dispatcher's own description (as schedula does).
      const own = value.description.trim()
      if (item.doc.summary !== '' || own === '') return { ...item, kind: 'dispatcher' }
      return { ...item, kind: 'dispatcher', doc: { ...item.doc, summary: own, firstSentence: firstSentence(own) } }
    })
    return { ...mod, items }
  })
  return { model: { ...model, modules }, dispatchers }
}

function documentDispatcher(
  mod: ApiModule,
  item: ApiItem,
  dsp: Dispatcher,
  lookup: DocLookup,
  plotOptions: Readonly<Record<string, unknown>>,
): DispatcherDoc {
  let plot: PlotJSON | undefined
  const plotter = (dsp as unknown as { plot?: unknown }).plot
  if (typeof plotter === 'function') {
    try {
      const p = plotter.call(dsp, plotOptions) as { toJSON?: () => PlotJSON } | PlotJSON
      plot = typeof (p as { toJSON?: unknown }).toJSON === 'function' ? (p as { toJSON: () => PlotJSON }).toJSON() : (p as PlotJSON)
    } catch (cause) {
      throw new ApiDiscoveryError(
        `cannot plot dispatcher ${item.name} of ${mod.name} (${item.source?.file ?? mod.file}:${item.source?.line ?? 1}): ${String(cause)}`,
        { cause },
      )
    }
  }
  const description = dsp.description.trim() || item.doc.summary
  return {
    exportName: item.name,
    moduleSlug: mod.slug,
    slug: item.slug,
    name: dsp.name,
    description,
    plot,
    tables: dispatcherTables(dsp, lookup),
  }
}
