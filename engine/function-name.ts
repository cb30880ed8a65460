// The name a function gives to the node it runs in (shared by the model builder and the plots).
import type { AnyFunction } from './model.ts'

/** The name a function gives to its node: its own name without `bound ` prefixes, or `'unknown'`. */
export function functionName(fn: AnyFunction): string {
  let name = typeof fn.name === 'string' ? fn.name : ''
  while (name.startsWith('bound ')) name = name.slice(6)
  return name || 'unknown'
}
