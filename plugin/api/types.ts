// Plain-data model of a documented API (modules, items, doc comments, dispatchers) shared by extraction and pages.
import type { PlotJSON } from 'flowmark/plot'
import type { NodeTableRow } from '../core/types.ts'

/** The kinds of documented item. `dispatcher` is a variable whose runtime value is a `Dispatcher`. */
export type ApiItemKind = 'function' | 'class' | 'interface' | 'type' | 'variable' | 'dispatcher'

/** Where a declaration is written: project-relative file (forward slashes), 1-based line, and a link if configured. */
export interface ApiSource {
  readonly file: string
  readonly line: number
  /** `sourceBaseUrl + file + '#L' + line`, when a base URL was given. */
  readonly url?: string
}

/** One block tag of a doc comment other than `@param`, `@returns` and `@example` (e.g. `@throws`, `@see`). */
export interface ApiTag {
  /** The tag without `@`, e.g. `'throws'`. */
  readonly tag: string
  /** Its content as Markdown. */
  readonly markdown: string
}

/** A doc comment, every part as Markdown. Links to documented items are written `[text](api:<slug>)`. */
export interface ApiDoc {
  /** The summary (the text before the first block tag). */
  readonly summary: string
  /** First sentence of the summary (autosummary rule), `''` when there is no summary. */
  readonly firstSentence: string
  /** `@returns` text, if any. */
  readonly returns?: string
  /** `@example` blocks as Markdown (normally one fenced code block each, optionally preceded by a title line). */
  readonly examples: readonly string[]
  /** The other block tags, in source order. */
  readonly tags: readonly ApiTag[]
  /** Modifier tags without `@` (`deprecated`, `beta`, `readonly`, …), sorted. */
  readonly modifiers: readonly string[]
  /** `@deprecated` text, when the tag has content. */
  readonly deprecated?: string
}

/** A parameter of a signature. */
export interface ApiParameter {
  readonly name: string
  /** Type text, `''` when TypeDoc could not tell. */
  readonly type: string
  readonly optional: boolean
  readonly rest: boolean
  /** Default value as written in the source. */
  readonly defaultValue?: string
  /** The `@param` text as Markdown, `''` when undocumented. */
  readonly doc: string
}

/** One call (or construct) signature of a function, method or constructor. */
export interface ApiSignature {
  /** Declaration-like text, e.g. `add(a: number, b: number): number`. */
  readonly text: string
  readonly parameters: readonly ApiParameter[]
  /** Return type text (`''` for constructors when unknown). */
  readonly returnType: string
  readonly doc: ApiDoc
}

/** A member of a class or interface: property, accessor, method or constructor. */
export interface ApiMember {
  readonly name: string
  readonly kind: 'constructor' | 'property' | 'accessor' | 'method'
  readonly static: boolean
  readonly readonly: boolean
  readonly optional: boolean
  /** Declaration-like text: `name: Type` for properties/accessors; signatures joined by newlines for methods. */
  readonly text: string
  readonly signatures: readonly ApiSignature[]
  readonly doc: ApiDoc
  readonly source?: ApiSource
}

/** A base class or implemented interface of a class or interface. */
export interface ApiHeritage {
  readonly relation: 'extends' | 'implements'
  /** The type as written, e.g. `FlowmarkError` or `ReadonlyMap<NodeId, unknown>`. */
  readonly type: string
  /** Slug of its page, when it is a documented item. */
  readonly slug?: string
}

/** An exported item of a module. */
export interface ApiItem {
  /** Exported name. */
  readonly name: string
  readonly kind: ApiItemKind
  /** Page slug, `<module slug>/<item slug>`: lowercase, stable, unique in the whole model. */
  readonly slug: string
  /** Declaration-like text (function signatures joined by newlines, `class X extends Y`, `type X = …`, `const X: T`). */
  readonly declaration: string
  /** Call signatures (functions) or construct signatures (classes). */
  readonly signatures: readonly ApiSignature[]
  /** The item's doc: the declaration's comment, or its first signature's. */
  readonly doc: ApiDoc
  /** Own class and interface members (inherited ones are on the base's page), constructor first, then in TypeDoc's order. */
  readonly members: readonly ApiMember[]
  /** Classes and interfaces: what they extend and implement. */
  readonly heritage?: readonly ApiHeritage[]
  readonly source?: ApiSource
  /** Whether the item exists at run time (functions, classes, variables) and can be imported in examples. */
  readonly runtime: boolean
}

/** A documented module: one entry point. */
export interface ApiModule {
  /** Display name, e.g. `engine` for `engine/index.ts`. */
  readonly name: string
  /** Page slug of the module, e.g. `engine`. Item slugs are below it. */
  readonly slug: string
  /** Project-relative path of the entry point. */
  readonly file: string
  /** Absolute path of the entry point (what discovery imports). */
  readonly absoluteFile: string
  /** The module comment (`@module` / `@packageDocumentation` block), if any. */
  readonly doc: ApiDoc | undefined
  /** Items, sorted by kind group then name. */
  readonly items: readonly ApiItem[]
}

/** What `extractApi` returns. */
export interface ApiModel {
  readonly modules: readonly ApiModule[]
  /** TypeDoc version that produced the model. */
  readonly typedocVersion: string
  /** Project-relative source files of the program (outside node_modules), sorted: watch these to regenerate. */
  readonly sourceFiles: readonly string[]
  /** TypeDoc's warnings and the exports that were left out (namespaces, …), with file:line where known. */
  readonly warnings: readonly string[]
  /** Whether the model came from the cache, and how long extraction took (ms). Not part of the cached data. */
  readonly stats: { readonly cached: boolean; readonly durationMs: number }
}

/** The three node tables of a dispatcher page. */
export interface DispatcherTables {
  readonly data: readonly NodeTableRow[]
  readonly func: readonly NodeTableRow[]
  readonly dsp: readonly NodeTableRow[]
}

/** A dispatcher found among the exports of a documented module. */
export interface DispatcherDoc {
  /** The exported name (the item whose kind became `dispatcher`). */
  readonly exportName: string
  /** Slug of the module exporting it. */
  readonly moduleSlug: string
  /** Slug of its item page. */
  readonly slug: string
  /** The dispatcher's `name`. */
  readonly name: string
  /** The dispatcher's `description` (falls back to the export's doc summary). */
  readonly description: string
  /** `dsp.plot({ depth: Infinity }).toJSON()` when the engine can plot, else undefined. */
  readonly plot: PlotJSON | undefined
  readonly tables: DispatcherTables
}
