// A small, bounded, side-effect-free value formatter (like util.inspect, but runs in browsers and never runs away).

/** Bounds of `inspectValue`. */
export interface InspectLimits {
  /** Longest result, in characters; longer results end with `…` (default 200). */
  readonly maxLength?: number
  /** How deep nested objects and collections are shown; deeper ones read `[Object]`, `[Array]`… (default 2). */
  readonly maxDepth?: number
  /** How many entries of an array, map, set or object are shown (default 8). */
  readonly maxItems?: number
  /** Longest string shown inside the result, in characters (default 80). */
  readonly maxString?: number
}

interface Limits {
  maxLength: number
  maxDepth: number
  maxItems: number
  maxString: number
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * A short, one-line description of any value, in the style of the Node REPL: `'text'`, `42`, `[ 1, 2 ]`,
 * `{ a: 1 }`, `Map(1) { 'k' => 1 }`, `[Function: f]`. It never calls user code it can avoid (getters are shown as
 * `[Getter]`, custom `toString`/`inspect` methods are ignored), survives cycles (`[Circular]`), revoked proxies and
 * throwing accessors, and bounds depth, entries, strings and total length.
 */
export function inspectValue(value: unknown, limits: InspectLimits = {}): string {
  const lim: Limits = {
    maxLength: limits.maxLength ?? 200,
    maxDepth: limits.maxDepth ?? 2,
    maxItems: limits.maxItems ?? 8,
    maxString: limits.maxString ?? 80,
  }
  let out: string
  try {
    out = format(value, 0, [], lim)
  } catch {
    out = '[Uninspectable]'
  }
  const chars = Array.from(out)
  return chars.length > lim.maxLength ? chars.slice(0, Math.max(1, lim.maxLength - 1)).join('') + '…' : out
}

/** A string as a single-quoted literal with escapes (`'a\nb'`), cut after `max` characters with `…`. */
export function quoteString(s: string, max = Infinity): string {
  const chars = Array.from(s)
  const cut = chars.length > max
  const body = (cut ? chars.slice(0, max) : chars)
    .join('')
    .replace(/[\\'\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/g, (c, offset: number, all: string) => {
      if (c === '\\') return '\\\\'
      if (c === "'") return "\\'"
      if (c === '\n') return '\\n'
      if (c === '\t') return '\\t'
      if (c === '\r') return '\\r'
      const code = c.charCodeAt(0)
      if (code >= 0xd800 && code <= 0xdbff && /[\uDC00-\uDFFF]/.test(all[offset + 1] ?? '')) return c
      if (code >= 0xdc00 && code <= 0xdfff && /[\uD800-\uDBFF]/.test(all[offset - 1] ?? '')) return c
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
    })
  return `'${body}${cut ? '…' : ''}'`
}

function format(v: unknown, depth: number, seen: object[], lim: Limits): string {
  switch (typeof v) {
    case 'string':
      return quoteString(v, lim.maxString)
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v)
    case 'bigint':
      return `${v}n`
    case 'boolean':
      return String(v)
    case 'undefined':
      return 'undefined'
    case 'symbol':
      return symbolText(v, lim)
    case 'function':
      return functionText(v as (...args: unknown[]) => unknown)
    default:
      break
  }
  if (v === null) return 'null'
  const o = v as object
  if (seen.includes(o)) return '[Circular]'
  try {
    return formatObject(o, depth, [...seen, o], lim)
  } catch {
    return '[Uninspectable]'
  }
}

function symbolText(s: symbol, lim: Limits): string {
  const d = s.description
  return d === undefined
    ? 'Symbol()'
    : `Symbol(${Array.from(d).length > lim.maxString ? Array.from(d).slice(0, lim.maxString).join('') + '…' : d})`
}

function functionText(f: (...args: unknown[]) => unknown): string {
  let name = ''
  try {
    const d = Object.getOwnPropertyDescriptor(f, 'name')
    if (d !== undefined && typeof d.value === 'string') name = d.value
  } catch {
    /* a proxy that refuses: keep the name empty */
  }
  let isClass = false
  try {
    isClass = /^class[\s{]/.test(Function.prototype.toString.call(f))
  } catch {
    /* not a plain function */
  }
  const shown = Array.from(name).length > 60 ? Array.from(name).slice(0, 60).join('') + '…' : name
  if (isClass) return shown ? `[class ${shown}]` : '[class (anonymous)]'
  return shown ? `[Function: ${shown}]` : '[Function (anonymous)]'
}

function className(o: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(o)
  if (proto === null) return undefined
  const d = Object.getOwnPropertyDescriptor(proto, 'constructor')
  const ctor: unknown = d?.value
  if (typeof ctor !== 'function') return ''
  const nd = Object.getOwnPropertyDescriptor(ctor, 'name')
  return typeof nd?.value === 'string' ? nd.value : ''
}

function list(items: string[], more: number, open: string, close: string): string {
  if (more > 0) items.push(`… ${more} more item${more === 1 ? '' : 's'}`)
  return items.length === 0 ? `${open}${close}` : `${open} ${items.join(', ')} ${close}`
}

function formatObject(o: object, depth: number, seen: object[], lim: Limits): string {
  const name = className(o)
  if (o instanceof Date) {
    const t = o.getTime()
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString()
  }
  if (o instanceof RegExp) return RegExp.prototype.toString.call(o)
  if (o instanceof Error) {
    const n: unknown = Object.getOwnPropertyDescriptor(o, 'name')?.value ?? name ?? 'Error'
    const m: unknown = Object.getOwnPropertyDescriptor(o, 'message')?.value
    return typeof m === 'string' && m !== '' ? `${String(n)}: ${quoteless(m, lim)}` : `[${String(n)}]`
  }
  if (o instanceof Promise) return 'Promise { … }'
  if (o instanceof WeakMap || o instanceof WeakSet) return `${name || 'Weak'} { <items unknown> }`
  if (o instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${o.byteLength} }`
  if (ArrayBuffer.isView(o)) {
    if (o instanceof DataView) return `DataView { byteLength: ${o.byteLength} }`
    const arr = o as unknown as ArrayLike<number | bigint>
    const n = arr.length
    const items: string[] = []
    for (let i = 0; i < Math.min(n, lim.maxItems); i++) items.push(format(arr[i], depth + 1, seen, lim))
    return `${name}(${n}) ${list(items, n - items.length, '[', ']')}`
  }
  if (o instanceof Map || isMapLike(o)) {
    const m = o as ReadonlyMap<unknown, unknown>
    const label = `${name || 'Map'}(${m.size})`
    if (depth >= lim.maxDepth) return `[${label}]`
    const items: string[] = []
    for (const [k, val] of m.entries()) {
      if (items.length >= lim.maxItems) break
      items.push(`${format(k, depth + 1, seen, lim)} => ${format(val, depth + 1, seen, lim)}`)
    }
    return `${label} ${list(items, m.size - items.length, '{', '}')}`
  }
  if (o instanceof Set) {
    const label = `${name || 'Set'}(${o.size})`
    if (depth >= lim.maxDepth) return `[${label}]`
    const items: string[] = []
    for (const val of o.values()) {
      if (items.length >= lim.maxItems) break
      items.push(format(val, depth + 1, seen, lim))
    }
    return `${label} ${list(items, o.size - items.length, '{', '}')}`
  }
  if (Array.isArray(o)) {
    if (depth >= lim.maxDepth) return '[Array]'
    const n = o.length
    const items: string[] = []
    for (let i = 0; i < Math.min(n, lim.maxItems); i++) {
      const d = Object.getOwnPropertyDescriptor(o, i)
      items.push(d === undefined ? '<empty>' : 'value' in d ? format(d.value, depth + 1, seen, lim) : '[Getter]')
    }
    return list(items, n - items.length, '[', ']')
  }
  const prefix = name === undefined ? '[Object: null prototype] ' : name === 'Object' ? '' : `${name || 'Object'} `
  if (isDispatcherLike(o, name)) return dispatcherText(o)
  if (depth >= lim.maxDepth) return `[${name === 'Object' || !name ? 'Object' : name}]`
  const keys: (string | symbol)[] = [
    ...Object.keys(o),
    ...Object.getOwnPropertySymbols(o).filter((s) => Object.getOwnPropertyDescriptor(o, s)?.enumerable),
  ]
  const items: string[] = []
  for (const k of keys.slice(0, lim.maxItems)) {
    const d = Object.getOwnPropertyDescriptor(o, k)
    const key = typeof k === 'symbol' ? `[${symbolText(k, lim)}]` : IDENTIFIER.test(k) ? k : quoteString(k, lim.maxString)
    const val =
      d === undefined
        ? 'undefined'
        : 'value' in d
          ? format(d.value, depth + 1, seen, lim)
          : d.get && d.set
            ? '[Getter/Setter]'
            : d.get
              ? '[Getter]'
              : '[Setter]'
    items.push(`${key}: ${val}`)
  }
  return prefix + list(items, keys.length - items.length, '{', '}')
}

function quoteless(s: string, lim: Limits): string {
  const chars = Array.from(s.split('\n')[0] ?? '')
  return chars.length > lim.maxString ? chars.slice(0, lim.maxString).join('') + '…' : chars.join('')
}

/** Map-like objects of the engine (a `Solution`): `entries()` and a numeric `size` on a class named Solution. */
function isMapLike(o: object): boolean {
  return className(o) === 'Solution' && typeof (o as { entries?: unknown }).entries === 'function'
}

function isDispatcherLike(o: object, name: string | undefined): boolean {
  return name === 'Dispatcher' && typeof (o as { dispatch?: unknown }).dispatch === 'function'
}

function dispatcherText(o: object): string {
  const d = o as { name?: unknown; nodes?: { size?: unknown } }
  const n = typeof d.name === 'string' && d.name !== '' ? `${quoteString(d.name, 60)}, ` : ''
  const size = typeof d.nodes?.size === 'number' ? d.nodes.size : '?'
  return `Dispatcher(${n}${size} nodes)`
}
