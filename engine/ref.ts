// Function references (`module#export`): name a function by where it lives, so models can be stored and shipped.
//
// One format for the whole project: the portable JSON models, the worker executor and the queue executor all name
// functions this way. `module` is a URL (`file:///…/work.ts`), a path relative to a base URL (`./work.ts`,
// `../lib/work.js`), an absolute path (`/srv/work.ts`), or a package specifier (`my-lib`, `@scope/lib/sub`,
// `#internal/work`); `export` is the name of an export of that module (`default` for the default export).
import { formatId, type NodeId } from './constants.ts'
import { ModelError, nameError } from './errors.ts'
import type { AnyFunction } from './model.ts'

/** A function named by its module and export. */
export interface FunctionRef {
  /** URL, relative or absolute path, or package specifier of the module. */
  readonly module: string
  /** Name of the export (`default` for the default export). */
  readonly export: string
}

/** What went wrong with a reference: its text, the module, the export, or the exported value. */
export type RefProblem = 'malformed' | 'relative' | 'module' | 'import' | 'export' | 'not-function'

/**
 * A reference that cannot be used: malformed text, a relative module without a base URL, a module that cannot be
 * found or imported, a missing export, or an export that is not a function. `nodeId` names the node that uses it.
 */
export class RefError extends ModelError {
  /** Which kind of problem it is. */
  readonly problem: RefProblem
  /** The reference as written. */
  readonly ref: string

  static {
    nameError(this, 'RefError')
  }

  constructor(problem: RefProblem, ref: string, message: string, options: { nodeId?: NodeId; cause?: unknown } = {}) {
    super(message, options)
    this.problem = problem
    this.ref = ref
  }
}

const EXPORT_NAME = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*$/u
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/

function whose(nodeId: NodeId | undefined): string {
  return nodeId === undefined ? '' : ` of node ${formatId(nodeId)}`
}

/** The text form of a reference: `module#export`. */
export function formatRef(ref: FunctionRef): string {
  return `${ref.module}#${ref.export}`
}

/**
 * Parses `module#export` (a `FunctionRef` object is checked and returned as a plain reference). Throws a `RefError`
 * that names the node when the text is not a reference.
 */
export function parseRef(text: string | FunctionRef, nodeId?: NodeId): FunctionRef {
  if (typeof text === 'object' && text !== null) {
    if (typeof text.module !== 'string' || typeof text.export !== 'string') {
      throw new RefError(
        'malformed',
        `{ module: ${typeof text.module}, export: ${typeof text.export} }`,
        `reference${whose(nodeId)}: expected { module, export } strings`,
        optionsOf(nodeId),
      )
    }
    return parseRef(formatRef(text), nodeId)
  }
  if (typeof text !== 'string') {
    throw new RefError(
      'malformed',
      String(text),
      `reference${whose(nodeId)} must be a string 'module#export', got ${typeof text}`,
      optionsOf(nodeId),
    )
  }
  const hash = text.lastIndexOf('#')
  const bad = (why: string): never => {
    throw new RefError('malformed', text, `malformed reference${whose(nodeId)} ${JSON.stringify(text)}: ${why}`, optionsOf(nodeId))
  }
  if (hash <= 0) return bad(hash === 0 ? "no module before '#'" : "expected 'module#export', e.g. './work.ts#hash'")
  const module = text.slice(0, hash)
  const name = text.slice(hash + 1)
  if (name === '') return bad("no export name after '#'")
  if (!EXPORT_NAME.test(name)) return bad(`${JSON.stringify(name)} is not an export name (letters, digits, _ and $)`)
  if (/\s/.test(module) && !HAS_SCHEME.test(module)) return bad('the module contains white space')
  return { module, export: name }
}

function optionsOf(nodeId: NodeId | undefined): { nodeId?: NodeId } {
  return nodeId === undefined ? {} : { nodeId }
}

/**
 * A URL object as the engine's signatures take it (a WHATWG `URL`, or anything with its `href`), declared here so
 * that the engine's types need neither the DOM library nor Node's types.
 */
export interface UrlLike {
  /** The whole URL as text. */
  readonly href: string
}

/**
 * A base URL as an href: URLs are kept, and an absolute file path (`/srv/models/model.json`) becomes its
 * `file:` URL, so a plain path can be given wherever a base URL is expected.
 */
export function baseHref(base: string | UrlLike): string {
  if (typeof base !== 'string') return base.href
  if (base.startsWith('/')) return new URL(base.split('/').map(encodeURIComponent).join('/'), 'file:///').href
  return new URL(base).href
}

/** Whether the module of a reference is resolved against a base URL (`./x`, `../x`). */
export function isRelativeRef(ref: FunctionRef): boolean {
  return ref.module.startsWith('./') || ref.module.startsWith('../')
}

/**
 * The specifier to import a reference's module with: relative and absolute paths become URLs against `baseUrl`;
 * URLs and package specifiers are kept.
 */
export function refSpecifier(ref: FunctionRef, baseUrl?: string | UrlLike, nodeId?: NodeId): string {
  const m = ref.module
  if (isRelativeRef(ref)) {
    if (baseUrl === undefined) {
      throw new RefError(
        'relative',
        formatRef(ref),
        `reference${whose(nodeId)} ${JSON.stringify(formatRef(ref))} is relative, but no base URL was given to resolve ` +
          "it against; pass { baseUrl } (a model file's URL, or import.meta.url)",
        optionsOf(nodeId),
      )
    }
    return new URL(m, baseHref(baseUrl)).href
  }
  if (m.startsWith('/')) return new URL(m, 'file:///').href
  return m
}

/**
 * The reference written relative to `baseUrl` when both are file URLs (for storing a model next to its code);
 * other references are returned unchanged.
 */
export function relativeRef(ref: FunctionRef, baseUrl: string | UrlLike | undefined): FunctionRef {
  if (baseUrl === undefined || !ref.module.startsWith('file:')) return ref
  const base = new URL(baseHref(baseUrl))
  const target = new URL(ref.module)
  if (base.protocol !== 'file:') return ref
  const from = base.pathname.split('/').slice(0, -1)
  const to = target.pathname.split('/')
  let k = 0
  while (k < from.length && k < to.length - 1 && from[k] === to[k]) k++
  if (k <= 1) return ref // nothing in common but the root: keep the absolute URL
  const up = from.length - k
  const rel = (up === 0 ? './' : '../'.repeat(up)) + to.slice(k).join('/')
  return { module: decodeURIComponent(rel), export: ref.export }
}

// ---- functions that know their reference --------------------------------------------------------------------------

const REFS = new WeakMap<AnyFunction, FunctionRef>()

/** A function standing for a reference until `resolveRef` gives it the real one. */
interface Slot {
  target: AnyFunction | undefined
  readonly nodeId: NodeId | undefined
}
const SLOTS = new WeakMap<AnyFunction, Slot>()

/**
 * Records where an exported function lives and returns the function itself:
 * `functionRef(sha256Many, import.meta.url)` in the module that exports `sha256Many`. The export name defaults to the
 * function's name; give it when they differ. `toJSON` and the executors read the reference back with `refOf`.
 */
export function functionRef<F extends AnyFunction>(fn: F, moduleUrl: string | UrlLike, exportName?: string): F {
  if (typeof fn !== 'function') throw new ModelError(`functionRef: expected a function, got ${typeof fn}`)
  const name = exportName ?? fn.name
  if (name === '' || name === undefined) {
    throw new ModelError('functionRef: the function has no name; give the export name as the third argument')
  }
  const ref = parseRef({ module: typeof moduleUrl === 'string' ? moduleUrl : moduleUrl.href, export: name })
  const known = REFS.get(fn)
  if (known !== undefined && formatRef(known) !== formatRef(ref)) {
    throw new ModelError(`functionRef: ${fn.name || 'the function'} is already known as ${formatRef(known)}, not ${formatRef(ref)}`)
  }
  REFS.set(fn, ref)
  return fn
}

/** The reference recorded for a function (by `functionRef`, `addFunction({ ref })` or a model loader), if any. */
export function refOf(fn: unknown): FunctionRef | undefined {
  return typeof fn === 'function' ? REFS.get(fn as AnyFunction) : undefined
}

/** Whether `fn` stands for a reference that has not been imported yet. */
export function isUnresolvedRef(fn: unknown): boolean {
  const slot = typeof fn === 'function' ? SLOTS.get(fn as AnyFunction) : undefined
  return slot !== undefined && slot.target === undefined
}

/**
 * A function for `addFunction({ ref })` without `fn`: it stands for the referenced function and calls it once
 * `resolveRefs` has imported it; called before that, it throws an error naming the node and the reference.
 * With `fn` given too, `fn` is returned, with the reference recorded.
 */
export function bindRef(ref: string | FunctionRef, fn: AnyFunction | undefined, nodeId: NodeId | undefined): AnyFunction {
  const parsed = parseRef(ref, nodeId)
  if (fn !== undefined) {
    const known = REFS.get(fn)
    if (known === undefined) REFS.set(fn, parsed)
    return fn
  }
  const slot: Slot = { target: undefined, nodeId: nodeId ?? parsed.export }
  const text = formatRef(parsed)
  const stand = {
    [parsed.export](this: unknown, ...args: unknown[]): unknown {
      if (slot.target === undefined) {
        throw new RefError(
          'import',
          text,
          `the function${whose(slot.nodeId)} is the reference ${JSON.stringify(text)}, which has not been imported yet; ` +
            'await resolveRefs(dispatcher, { baseUrl }) before dispatching (loadModel and fromJSON do it for you)',
          optionsOf(slot.nodeId),
        )
      }
      return slot.target.apply(this, args)
    },
  }[parsed.export]!
  REFS.set(stand, parsed)
  SLOTS.set(stand, slot)
  return stand
}

/** The import function used by `importRef` (replaceable, e.g. by a bundler's loader). */
export type Importer = (specifier: string) => Promise<Record<string, unknown>>

/**
 * The import function `importRef` and `fromJSON` use unless given one: dynamic `import()`. The specifier is only
 * known at run time, so a bundler (Vite) is told to leave the import alone.
 */
export const defaultImporter: Importer = (specifier) => import(/* @vite-ignore */ specifier) as Promise<Record<string, unknown>>

/**
 * Imports the function a reference names. Throws a `RefError` naming the node when the module cannot be found or
 * imported, has no such export, or exports something that is not a function.
 */
export async function importRef(
  ref: string | FunctionRef,
  options: { baseUrl?: string | UrlLike; nodeId?: NodeId; importer?: Importer } = {},
): Promise<AnyFunction> {
  const { nodeId } = options
  const parsed = parseRef(ref, nodeId)
  const text = formatRef(parsed)
  const specifier = refSpecifier(parsed, options.baseUrl, nodeId)
  let ns: Record<string, unknown>
  try {
    ns = await (options.importer ?? defaultImporter)(specifier)
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'ERR_UNSUPPORTED_DIR_IMPORT'
    let why = e instanceof Error ? e.message.split('\n')[0]! : String(e)
    const where = missing ? /Cannot find (?:module|package) '([^']+)'/.exec(why) : null
    if (where !== null) why = `nothing at ${where[1]!.startsWith('file:') ? decodeURIComponent(new URL(where[1]!).pathname) : where[1]}`
    throw new RefError(
      missing ? 'module' : 'import',
      text,
      missing
        ? `module not found for reference${whose(nodeId)} ${JSON.stringify(text)}: ${why}`
        : `cannot import the module of reference${whose(nodeId)} ${JSON.stringify(text)}: ${why}`,
      { ...optionsOf(nodeId), cause: e },
    )
  }
  if (!(parsed.export in ns)) {
    const names = Object.keys(ns)
      .filter((k) => typeof ns[k] === 'function')
      .sort()
    throw new RefError(
      'export',
      text,
      `reference${whose(nodeId)} ${JSON.stringify(text)}: the module has no export '${parsed.export}'` +
        (names.length > 0 ? `; its function exports: ${names.slice(0, 12).join(', ')}` : '; it exports no function'),
      optionsOf(nodeId),
    )
  }
  const fn = ns[parsed.export]
  if (typeof fn !== 'function') {
    throw new RefError(
      'not-function',
      text,
      `reference${whose(nodeId)} ${JSON.stringify(text)}: export '${parsed.export}' is ${fn === null ? 'null' : typeof fn}, not a function`,
      optionsOf(nodeId),
    )
  }
  const known = REFS.get(fn as AnyFunction)
  if (known === undefined || isRelativeRef(known)) REFS.set(fn as AnyFunction, { module: specifier, export: parsed.export })
  return fn as AnyFunction
}

/** Gives a function made by `bindRef` its target. Returns false when `fn` is not such a function. */
export function fillRef(fn: AnyFunction, target: AnyFunction): boolean {
  const slot = SLOTS.get(fn)
  if (slot === undefined) return false
  slot.target = target
  return true
}

/**
 * The function a `bindRef` stand-in calls once `resolveRefs` has filled it (undefined before that, and for any other
 * function): executors that run a reference elsewhere check it against what the reference imports.
 */
export function refTarget(fn: unknown): AnyFunction | undefined {
  return typeof fn === 'function' ? SLOTS.get(fn as AnyFunction)?.target : undefined
}
