// schedula's visual language: the shape and colours of each node type and workflow level.
import type { DotAttributes, StyleKey } from './options.ts'

/**
 * The built-in node styles, by style key: special nodes are eggs (green START, near-black SINK, dark-blue END,
 * lavender SELF, cream PLOT, white EMPTY), data nodes rounded light-blue boxes, functions yellow boxes, functions
 * wrapping a model yellow/orange notes, sub-dispatchers grey notes. The workflow levels `warning` (orange, rust
 * border) and `error` (red, brown border) replace the colours of a node; `ghost` greys out an unreached one.
 */
export const NODE_STYLES: Readonly<Record<StyleKey, DotAttributes>> = {
  start: { shape: 'egg', color: '#39bf7f', fillcolor: '#39bf7f', ordering: 'out' },
  sink: { shape: 'egg', color: '#303030', fillcolor: '#303030', fontcolor: '#FFFFFF' },
  end: { shape: 'egg', color: '#084368', fillcolor: '#084368', fontcolor: '#FFFFFF', ordering: 'in' },
  self: { shape: 'egg', color: '#C1A4FE', fillcolor: '#C1A4FE' },
  plot: { shape: 'egg', color: '#fcf3dd', fillcolor: '#fcf3dd' },
  empty: { shape: 'egg', fillcolor: '#FFFFFF' },
  data: { shape: 'box', style: 'rounded,filled', color: '#73c4fa', fillcolor: '#73c4fa' },
  function: { shape: 'box', color: '#eed867', fillcolor: '#eed867', ordering: 'in' },
  'function-dispatcher': { shape: 'note', color: '#eed867', fillcolor: '#eed867', ordering: 'in' },
  run_model: { shape: 'note', color: '#eed867', fillcolor: '#eed867', ordering: 'in' },
  subdispatch: { shape: 'note', style: 'filled', color: '#ffc490', fillcolor: '#ffc490' },
  mapdispatch: { shape: 'note', style: 'filled', color: '#f4bd6a', fillcolor: '#f4bd6a', ordering: 'in' },
  subdispatchfunction: { shape: 'note', style: 'filled', color: '#f9d951', fillcolor: '#f9d951', ordering: 'in' },
  subdispatchpipe: { shape: 'note', style: 'filled', color: '#f1cd5d', fillcolor: '#f1cd5d', ordering: 'in' },
  dispatchpipe: { shape: 'note', style: 'filled', color: '#e8c268', fillcolor: '#e8c268', ordering: 'in' },
  dispatcher: { shape: 'note', style: 'filled', color: '#c6c6c6', fillcolor: '#c6c6c6' },
  warning: { color: '#C9340A', fillcolor: '#fea22b', penwidth: 2 },
  error: { color: '#5E1F00', fillcolor: '#FF3536', penwidth: 2 },
  ghost: { color: '#bdbdbd', fillcolor: '#f4f4f4', fontcolor: '#9e9e9e' },
  'legend-text': { shape: 'plaintext', style: '', fillcolor: '', color: '#73c4fa' },
}

/** Style of the edges drawn on workflow pages for model edges the dispatch never used (`ghostUnreached`). */
export const GHOST_EDGE: DotAttributes = { color: '#bdbdbd', fontcolor: '#9e9e9e', style: 'dashed' }

/** The default graph attributes of every page (the page kind becomes the `label`). */
export const GRAPH_DEFAULTS: DotAttributes = { bgcolor: 'transparent', nslimit: 1, nslimit1: 1, splines: 'ortho', style: 'filled' }

/** The default node attributes of every page. */
export const NODE_DEFAULTS: DotAttributes = { style: 'filled' }

/**
 * The node type of a function that wraps a model, by the kind its wrapper reports (`fn.wrapperKind`, as set by the
 * engine's composition helpers, or `fn.wrapperType`), else by the function's own name,, lower-cased without separators: `subdispatch`, `mapdispatch`, `subdispatchfunction`,
 * `subdispatchpipe`, `dispatchpipe`, `run_model` (also `runmodel`). Anything else is `subdispatch`.
 */
export function wrappedType(fn: unknown): StyleKey {
  const read = (key: string): string => {
    try {
      const d = Object.getOwnPropertyDescriptor(fn, key)
      return typeof d?.value === 'string' ? d.value : ''
    } catch {
      return ''
    }
  }
  for (const raw of [read('wrapperKind'), read('wrapperType'), read('name')]) {
    const t = raw.toLowerCase().replace(/[^a-z]/g, '')
    if (t === 'runmodel') return 'run_model'
    if (t === 'subdispatch' || t === 'mapdispatch' || t === 'subdispatchfunction' || t === 'subdispatchpipe' || t === 'dispatchpipe')
      return t
  }
  return 'subdispatch'
}
