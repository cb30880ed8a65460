// Imports the functions that `addFunction({ ref })` named without giving them, throughout a model and its children.
import { formatId, type NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import { ModelError } from '../errors.ts'
import type { AnyFunction } from '../model.ts'
import { fillRef, importRef, isUnresolvedRef, refOf, RefError, type Importer } from '../ref.ts'

/**
 * Imports every function of the model (and of its sub-dispatchers) that was given only as a reference
 * (`addFunction({ ref: './work.ts#hash', … })`), resolving relative references against `baseUrl`. Throws one
 * `ModelError` listing every reference that failed (each naming its node); nothing is filled in then.
 */
export async function resolveRefs(dsp: Dispatcher, options: { baseUrl?: string | URL; importer?: Importer } = {}): Promise<void> {
  const pending: { fn: AnyFunction; nodeId: NodeId; path: string }[] = []
  const seen = new Set<Dispatcher>()
  const walk = (d: Dispatcher, prefix: string): void => {
    if (seen.has(d)) return
    seen.add(d)
    for (const n of d.nodes.values()) {
      const path = prefix + (typeof n.id === 'string' ? n.id : formatId(n.id))
      const fns: unknown[] = [n.kind === 'dispatcher' ? undefined : n.fn, n.kind === 'data' ? undefined : n.inputDomain]
      if (n.kind !== 'dispatcher' && n.filters !== undefined) fns.push(...n.filters)
      if (n.kind === 'data') fns.push(n.callback)
      for (const f of fns) if (isUnresolvedRef(f)) pending.push({ fn: f as AnyFunction, nodeId: n.id, path })
      if (n.kind === 'dispatcher') walk(n.dispatcher, `${path}/`)
    }
  }
  walk(dsp, '')
  const errors: string[] = []
  const found = await Promise.all(
    pending.map(async (p) => {
      try {
        const o: { baseUrl?: string | URL; nodeId: NodeId; importer?: Importer } = { nodeId: p.nodeId }
        if (options.baseUrl !== undefined) o.baseUrl = options.baseUrl
        if (options.importer !== undefined) o.importer = options.importer
        return await importRef(refOf(p.fn)!, o)
      } catch (e) {
        if (!(e instanceof RefError)) throw e
        errors.push(`${p.path}: ${e.message}`)
        return undefined
      }
    }),
  )
  if (errors.length > 0)
    throw new ModelError(
      `resolveRefs: ${errors.length} reference${errors.length === 1 ? '' : 's'} could not be imported:\n${errors.map((e) => '  ' + e).join('\n')}`,
    )
  pending.forEach((p, i) => fillRef(p.fn, found[i]!))
}
