// Session worker side: what a page changed in the state the next page on the same worker would share, and undoing its globals.

/** Own property keys of one object, in their order, and the descriptor of each. */
interface Shape {
  readonly keys: readonly (string | symbol)[]
  readonly descriptors: readonly PropertyDescriptor[]
}

/** A snapshot of shared objects (see {@link snapshotShared}). */
export interface SharedSnapshot {
  readonly objects: Map<object, { readonly proto: object | null; readonly extensible: boolean; readonly shape: Shape }>
  /** The global object's own keys. */
  readonly globals: readonly (string | symbol)[]
  /** The global object's own properties when the snapshot was taken (a page must leave them as they were). */
  readonly globalShape: Shape
  readonly env: string
  readonly listeners: string
}

/**
 * The ECMAScript built-ins whose objects a page could change for everyone after it (`Array.prototype.x = …`). They
 * are plain data properties of the global object: reading them never runs Node's lazy loaders (`fetch`, `FormData`…).
 */
const INTRINSICS = [
  'Object',
  'Function',
  'Array',
  'Number',
  'parseFloat',
  'parseInt',
  'Boolean',
  'String',
  'Symbol',
  'Date',
  'Promise',
  'RegExp',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'JSON',
  'Math',
  'Intl',
  'ArrayBuffer',
  'Atomics',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'Uint8ClampedArray',
  'BigUint64Array',
  'BigInt64Array',
  'DataView',
  'Map',
  'BigInt',
  'Set',
  'WeakMap',
  'WeakSet',
  'Proxy',
  'Reflect',
  'FinalizationRegistry',
  'WeakRef',
  'SharedArrayBuffer',
  'Iterator',
  // Node's own globals that are plain data properties.
  'process',
  'Buffer',
  'URL',
  'URLSearchParams',
  'TextEncoder',
  'TextDecoder',
  'AbortController',
  'AbortSignal',
  'EventTarget',
  'Event',
  'queueMicrotask',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'structuredClone',
] as const

function shapeOf(o: object): Shape {
  const keys = Reflect.ownKeys(o)
  return { keys, descriptors: keys.map((key) => Reflect.getOwnPropertyDescriptor(o, key)!) }
}

/** The first key of `o` whose property is not as `was` has it (added, removed, moved or changed), if any. */
function changedKey(o: object, was: Shape): string | symbol | undefined {
  const keys = Reflect.ownKeys(o)
  const common = Math.min(keys.length, was.keys.length)
  for (let i = 0; i < common; i++) {
    const key = keys[i]!
    // Another key here: a new one was added, or the one that was here is gone.
    if (key !== was.keys[i]) return was.keys.includes(key) ? was.keys[i] : key
    if (!sameDescriptor(was.descriptors[i]!, Reflect.getOwnPropertyDescriptor(o, key)!)) return key
  }
  return keys.length > common ? keys[common] : was.keys[common]
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function'

/** Bookkeeping Node itself changes as it goes (the list of internal modules loaded so far): not a page's doing. */
const NODE_BOOKKEEPING = new Set<unknown>([(process as { moduleLoadList?: unknown }).moduleLoadList])

/**
 * Snapshot of what pages on one worker share: the built-ins above and, two levels down, their prototypes and the
 * objects they hold (`Array.prototype`, `Intl.DateTimeFormat`, `process.versions`…); the exports of `modules` (the
 * worker's Flowmark engine, built-in modules a page imported) with their prototypes and statics; the global object's
 * own keys, the environment variables and `process`'s listeners. A few milliseconds; reads no lazy global.
 * @param modules Module namespace objects shared by the pages.
 */
export function snapshotShared(modules: readonly object[]): SharedSnapshot {
  const objects: SharedSnapshot['objects'] = new Map()
  const add = (o: unknown, depth: number): void => {
    if (!isObject(o) || objects.has(o) || NODE_BOOKKEEPING.has(o)) return
    const shape = shapeOf(o)
    objects.set(o, { proto: Reflect.getPrototypeOf(o), extensible: Reflect.isExtensible(o), shape })
    if (depth === 0) return
    add(Reflect.getPrototypeOf(o), depth - 1)
    for (const descriptor of shape.descriptors) {
      add(descriptor.value, depth - 1)
      // Accessors are recorded as values (what they are), never called: no `this` is involved.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      add(descriptor.get, 0)
      // eslint-disable-next-line @typescript-eslint/unbound-method
      add(descriptor.set, 0)
    }
  }
  for (const name of INTRINSICS) add((globalThis as Record<string, unknown>)[name], 2)
  for (const module of modules) add(module, 2)
  return {
    objects,
    globals: Reflect.ownKeys(globalThis),
    globalShape: shapeOf(globalThis),
    env: JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1))),
    listeners: JSON.stringify(process.eventNames().map((name) => [String(name), process.listenerCount(name)])),
  }
}

const sameDescriptor = (a: PropertyDescriptor, b: PropertyDescriptor): boolean =>
  Object.is(a.value, b.value) &&
  a.get === b.get &&
  a.set === b.set &&
  a.writable === b.writable &&
  a.enumerable === b.enumerable &&
  a.configurable === b.configurable

/**
 * What changed in the shared objects since `before` (an empty list: nothing), the global object's properties
 * included (`structuredClone = …`). The globals a page added are not compared here: {@link removeNewGlobals} undoes
 * them.
 * @param before The snapshot taken before the page ran.
 */
export function sharedChanges(before: SharedSnapshot): string[] {
  const changes: string[] = []
  for (const [o, was] of before.objects) {
    if (Reflect.getPrototypeOf(o) !== was.proto || Reflect.isExtensible(o) !== was.extensible) {
      changes.push(`the prototype or extensibility of ${describe(o)}`)
      continue
    }
    const changed = changedKey(o, was.shape)
    if (changed !== undefined) changes.push(`\`${String(changed)}\` of ${describe(o)}`)
    if (changes.length >= 3) break
  }
  const global = changedGlobal(before.globalShape)
  if (global !== undefined) changes.push(`the global \`${String(global)}\``)
  const now = snapshotEnvironment()
  if (now.env !== before.env) changes.push('process.env')
  if (now.listeners !== before.listeners) changes.push('the listeners of process')
  return changes
}

/** The first global the snapshot saw that is gone or not as it was (reading a lazy global such as `crypto` changes none). */
function changedGlobal(was: Shape): string | symbol | undefined {
  for (const [index, key] of was.keys.entries()) {
    const now = Reflect.getOwnPropertyDescriptor(globalThis, key)
    if (now === undefined || !sameDescriptor(was.descriptors[index]!, now)) return key
  }
  return undefined
}

function snapshotEnvironment(): { env: string; listeners: string } {
  return {
    env: JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1))),
    listeners: JSON.stringify(process.eventNames().map((name) => [String(name), process.listenerCount(name)])),
  }
}

function describe(o: object): string {
  const name = typeof o === 'function' ? o.name : (o as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? `\`${name}\`` : 'a built-in object'
}

/**
 * Delete the global properties a page added (its top-level declarations, `globalThis.x = …`), so the next page on the
 * worker starts with the globals the worker had. The worker runs examples as global eval code, whose declarations
 * are deletable; what still cannot be deleted (a non-configurable property a page defined, the declarations of a
 * strict-mode unit run as a plain script) is set to `undefined` (its value is gone) and returned, so that a page
 * naming one of them runs on another worker.
 * @param before The snapshot taken before the page ran.
 */
export function removeNewGlobals(before: SharedSnapshot): (string | symbol)[] {
  const known = new Set(before.globals)
  const stuck: (string | symbol)[] = []
  for (const key of Reflect.ownKeys(globalThis)) {
    if (known.has(key)) continue
    if (Reflect.deleteProperty(globalThis, key)) continue
    stuck.push(key)
    Reflect.set(globalThis, key, undefined)
  }
  return stuck
}
