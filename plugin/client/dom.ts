// Small DOM helpers of the viewer: element builder, toolbar icons and buttons, viewBox parsing, node kind names.
import type { Box } from './types.ts'

/** The SVG namespace. */
export const SVG_NS = 'http://www.w3.org/2000/svg'
/** The XLink namespace (Graphviz writes `xlink:href` and `xlink:title`). */
export const XLINK_NS = 'http://www.w3.org/1999/xlink'

/** Reader-facing word for each node kind. */
export const KIND_NAME: Record<string, string> = {
  data: 'data',
  function: 'function',
  dispatcher: 'sub-model',
  start: 'start',
  sink: 'sink',
  end: 'end',
  self: 'self',
  plot: 'plot',
  other: 'node',
}

/** The palette colour of each node kind (for swatches in tooltips and search results). */
export const KIND_SWATCH: Record<string, string> = {
  data: 'var(--fm-data)',
  function: 'var(--fm-function)',
  dispatcher: 'var(--fm-dispatcher)',
  start: 'var(--fm-start)',
  sink: 'var(--fm-sink)',
  end: 'var(--fm-end)',
  self: 'var(--fm-self)',
  plot: 'var(--fm-plot)',
  other: 'var(--fm-empty)',
}

const ICONS: Record<string, string> = {
  back: '<path d="M15 18l-6-6 6-6"/>',
  forward: '<path d="M9 18l6-6-6-6"/>',
  zoomIn: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3M8 11h6M11 8v6"/>',
  zoomOut: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3M8 11h6"/>',
  fit: '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/>',
  legend: '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.01"/>',
  download: '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
  fullscreen: '<path d="M14 4h6v6M10 20H4v-6M20 4l-6.5 6.5M4 20l6.5-6.5"/>',
  search: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3"/>',
  more: '<circle cx="5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="19" cy="12" r="1.2"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
}

/** Creates an HTML element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  for (const c of children) el.append(c)
  return el
}

/** A 24×24 stroke icon, hidden from assistive technology. */
export function icon(name: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  // The icon paths are constants of this file, never data.
  svg.innerHTML = ICONS[name] ?? ''
  return svg
}

/** An icon-only toolbar button named by `aria-label` (the tooltip adds the shortcut). */
export function button(name: string, label: string, shortcut?: string): HTMLButtonElement {
  const b = h('button', {
    type: 'button',
    class: 'fm-btn',
    'aria-label': label,
    title: shortcut === undefined ? label : `${label} (${shortcut})`,
    'data-fm-action': name,
  })
  b.append(icon(name))
  return b
}

/** A menu entry: icon and visible text (which is also its accessible name), plus the shortcut as a hint. */
export function menuItem(name: string, label: string, shortcut?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'fm-item', 'data-fm-action': name }, icon(name), h('span', {}, label))
  if (shortcut !== undefined) b.append(h('kbd', { 'aria-hidden': 'true' }, shortcut))
  return b
}

/** The `viewBox` of an SVG element, or undefined when absent or degenerate. */
export function parseViewBox(svg: SVGSVGElement): Box | undefined {
  const parts = (svg.getAttribute('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number)
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined
  const [x, y, w, h] = parts as [number, number, number, number]
  return w > 0 && h > 0 ? { x, y, w, h } : undefined
}
