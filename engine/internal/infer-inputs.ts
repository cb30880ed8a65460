// Reads the parameter names of a plain function from its source, for `Dispatcher.addFunc`.
import { ModelError } from '../errors.ts'
import type { AnyFunction } from '../model.ts'

const IDENT = /^[A-Za-z_$][\w$]*$/

/**
 * The positional parameter names of `fn`, up to the first one with a default value (all of them with
 * `withDefaults`), stopping at a rest parameter. Throws a `ModelError` when they cannot be read reliably.
 */
export function inferInputs(fn: AnyFunction, withDefaults: boolean): string[] {
  const names: string[] = []
  for (const p of parameters(fn)) {
    if (p.defaultText !== undefined && !withDefaults) break
    names.push(p.name)
  }
  return names
}

/** One positional parameter read from a function's source: its name and the source text of its default. */
export interface Parameter {
  readonly name: string
  readonly defaultText?: string
}

/** The positional parameters of `fn` (stopping at a rest parameter). Throws when they cannot be read reliably. */
export function parameters(fn: AnyFunction): Parameter[] {
  const label = fn.name ? `'${fn.name}'` : 'an anonymous function'
  const fail = (why: string): never => {
    throw new ModelError(`Dispatcher.addFunc: cannot infer the inputs of ${label}: ${why}; pass \`inputs\` explicitly`)
  }
  const src = Function.prototype.toString.call(fn)
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) fail('it is a native or bound function, whose source is not available')
  if (/^class\b/.test(src)) fail('it is a class, not a function')
  const arrow = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src)
  if (arrow) return [{ name: arrow[1]! }]
  const open = src.indexOf('(')
  if (open < 0) return fail('no parameter list was found in its source')
  const params = splitTopLevel(src, open + 1, fail)
  const out: Parameter[] = []
  for (const raw of params) {
    const p = raw.trim()
    if (p === '') continue
    if (p.startsWith('...')) break
    if (p.startsWith('{') || p.startsWith('[')) fail(`parameter ${out.length + 1} is a destructuring pattern`)
    const eq = p.indexOf('=')
    const name = (eq < 0 ? p : p.slice(0, eq)).trim()
    if (!IDENT.test(name)) fail(`parameter ${JSON.stringify(p)} is not a plain name`)
    out.push(eq < 0 ? { name } : { name, defaultText: p.slice(eq + 1).trim() })
  }
  return out
}

const NOT_LITERAL: unique symbol = Symbol('not a literal')

/**
 * The value of a default written as a literal (a number, a string, `true`, `false`, `null`, `undefined`, or JSON
 * arrays and objects of them), or `NOT_LITERAL`: the source is read, never evaluated.
 */
export function literalValue(text: string): unknown {
  if (text === 'undefined') return undefined
  let t = text
  if (/^'(?:[^'\\"]|\\.)*'$/.test(t)) t = `"${t.slice(1, -1).replace(/\\'/g, "'")}"`
  else if (/^`[^`$\\]*`$/.test(t)) t = JSON.stringify(t.slice(1, -1))
  try {
    return JSON.parse(t)
  } catch {
    return NOT_LITERAL
  }
}

/** Whether `literalValue` could not read the default. */
export function isNotLiteral(v: unknown): v is typeof NOT_LITERAL {
  return v === NOT_LITERAL
}

/** Splits the text after `(` at top-level commas up to the matching `)`, skipping strings and comments. */
function splitTopLevel(src: string, from: number, fail: (why: string) => never): string[] {
  const parts: string[] = []
  let depth = 0
  let cur = ''
  for (let i = from; i < src.length; i++) {
    const ch = src[i]!
    if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      i = end < 0 ? src.length : end + 1
      continue
    }
    if (ch === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i + 2)
      i = end < 0 ? src.length : end
      continue
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1
      while (j < src.length && src[j] !== ch) j += src[j] === '\\' ? 2 : 1
      cur += src.slice(i, j + 1)
      i = j
      continue
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        parts.push(cur)
        return parts
      }
      depth--
    } else if (ch === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
      continue
    }
    cur += ch
  }
  return fail('its parameter list is not closed')
}
