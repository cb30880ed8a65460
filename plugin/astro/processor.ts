// Markdown processor detection: duck-types Astro's `markdown.processor` (unified or Sätteri) and installs our adapters.
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Options bag of Astro's `unified()` processor (the fields we touch). */
export interface UnifiedOptionsLike {
  remarkPlugins: unknown[]
  rehypePlugins: unknown[]
}

/** Options bag of Astro's `satteri()` processor (the fields we touch). */
export interface SatteriOptionsLike {
  mdastPlugins: unknown[]
  hastPlugins: unknown[]
  features: Record<string, unknown>
}

/** A recognised processor, with its mutable options (Astro keeps the object's identity so integrations may edit it). */
export type DetectedProcessor =
  { readonly kind: 'unified'; readonly options: UnifiedOptionsLike } | { readonly kind: 'satteri'; readonly options: SatteriOptionsLike }

/** Thrown when `markdown.processor` is neither Astro's `unified()` nor its `satteri()` processor. */
export class UnsupportedProcessorError extends FlowmarkPluginError {
  static {
    nameError(this, 'UnsupportedProcessorError')
  }
  /** The processor's `name`, or `(none)`. */
  readonly processorName: string
  /** @param processorName The `name` of the processor found in the config. */
  constructor(processorName: string) {
    super(
      `flowmark: the configured \`markdown.processor\` ("${processorName}") is not supported, so \`:::dispatcher\` ` +
        "blocks would not be processed. Use `satteri()` from `@astrojs/markdown-satteri` (Astro's default) or " +
        '`unified()` from `@astrojs/markdown-remark` as `markdown.processor` in astro.config.',
    )
    this.processorName = processorName
  }
}

/** Thrown when the unified processor already runs `remarkDispatcher`: every page's examples would run twice. */
export class DuplicatePluginError extends FlowmarkPluginError {
  static {
    nameError(this, 'DuplicatePluginError')
  }
  constructor() {
    super(
      'flowmark: `remarkDispatcher` (@flowmark/docs/remark) is already in `unified({ remarkPlugins })`, and flowmark() adds ' +
        'its own adapter, so every example would run twice. Remove remarkDispatcher from the processor; flowmark() ' +
        'takes the same options (doctest, timeout).',
    )
  }
}

const isArray = (v: unknown): v is unknown[] => Array.isArray(v)
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Recognise the Markdown processor by its shape, without importing `@astrojs/markdown-remark` or
 * `@astrojs/markdown-satteri` (either may be absent). Sätteri: `name === 'satteri'` with an `mdastPlugins` array;
 * unified: `name === 'unified'` with a `remarkPlugins` array. Missing `hastPlugins`/`features`/`rehypePlugins` are
 * created.
 * @param processor `config.markdown.processor` as seen in `astro:config:setup`.
 * @returns The processor kind and its options object (the same object, to be mutated).
 * @throws {UnsupportedProcessorError} For any other processor.
 */
export function detectProcessor(processor: unknown): DetectedProcessor {
  if (!isRecord(processor)) throw new UnsupportedProcessorError('(none)')
  const name = typeof processor['name'] === 'string' ? processor['name'] : '(unnamed)'
  const options = processor['options']
  if (name === 'satteri' && isRecord(options) && isArray(options['mdastPlugins'])) {
    if (!isArray(options['hastPlugins'])) options['hastPlugins'] = []
    if (!isRecord(options['features'])) options['features'] = {}
    return { kind: 'satteri', options: options as unknown as SatteriOptionsLike }
  }
  if (name === 'unified' && isRecord(options) && isArray(options['remarkPlugins'])) {
    if (!isArray(options['rehypePlugins'])) options['rehypePlugins'] = []
    return { kind: 'unified', options: options as unknown as UnifiedOptionsLike }
  }
  throw new UnsupportedProcessorError(name)
}

/** The plugin function of a remark plugin-list entry (`fn`, `[fn, options]`), or the entry itself. */
function entryPlugin(entry: unknown): unknown {
  return isArray(entry) ? entry[0] : entry
}

/**
 * Whether a unified plugin list already holds remark-directive (the same function, or one named `remarkDirective`,
 * or the string `'remark-directive'`), e.g. because Starlight registered it.
 * @param plugins `remarkPlugins` of the unified processor.
 * @param remarkDirective Our copy of the remark-directive plugin.
 * @returns The indexes of the entries that are remark-directive.
 */
export function remarkDirectiveIndexes(plugins: readonly unknown[], remarkDirective: unknown): number[] {
  const out: number[] = []
  plugins.forEach((entry, i) => {
    const fn = entryPlugin(entry)
    if (fn === remarkDirective || fn === 'remark-directive' || (typeof fn === 'function' && fn.name === 'remarkDirective')) {
      out.push(i)
    }
  })
  return out
}

/** What {@link installAdapters} puts into the processor. */
export interface Adapters {
  /** The remark plugin entry (`[plugin, options]`) for unified. */
  readonly remark: readonly [unknown, unknown]
  /** remark-directive, added before our remark plugin unless the list already holds it. */
  readonly remarkDirective: unknown
  /** A Sätteri mdast plugin entry (a definition or a per-document factory). */
  readonly satteri: unknown
}

/**
 * Push the adapter that fits the processor into its options: under unified, remark-directive (only when missing)
 * and our remark plugin; under Sätteri, our mdast plugin with `features.directive` switched on.
 * @param detected The processor found by {@link detectProcessor}.
 * @param adapters The plugins to install.
 * @throws {DuplicatePluginError} When unified already runs `remarkDispatcher`.
 */
export function installAdapters(detected: DetectedProcessor, adapters: Adapters): void {
  if (detected.kind === 'satteri') {
    detected.options.features['directive'] = true
    detected.options.mdastPlugins.push(adapters.satteri)
    return
  }
  const list = detected.options.remarkPlugins
  if (
    list.some((e) => {
      const fn = entryPlugin(e)
      return typeof fn === 'function' && fn.name === 'remarkDispatcher'
    })
  ) {
    throw new DuplicatePluginError()
  }
  if (remarkDirectiveIndexes(list, adapters.remarkDirective).length === 0) list.push(adapters.remarkDirective)
  list.push([adapters.remark[0], adapters.remark[1]])
}

/**
 * Remove the remark-directive we added when another integration (Starlight) added its own later, so the syntax
 * extension is registered once. Ours is only removed if another copy stays before our remark plugin.
 * @param detected The processor.
 * @param adapters The adapters passed to {@link installAdapters}.
 */
export function dedupeRemarkDirective(detected: DetectedProcessor, adapters: Adapters): void {
  if (detected.kind !== 'unified') return
  const list = detected.options.remarkPlugins
  const ours = list.findIndex((e) => e === adapters.remarkDirective)
  const all = remarkDirectiveIndexes(list, adapters.remarkDirective)
  if (ours === -1 || all.length < 2) return
  list.splice(ours, 1)
  // Whatever copy remains must run before our plugin (micromark extensions are collected before parsing anyway,
  // so the order of attachers does not matter for syntax; keep the list tidy regardless).
}
