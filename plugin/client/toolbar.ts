// The viewer's toolbar (one row: breadcrumb, search, zoom, full screen, a menu for the rest) and its legend panel.
import { button, h, icon, menuItem } from './dom.ts'
import type { GraphIndex, IndexPage } from './types.ts'

/** The toolbar's parts the viewer updates. */
export interface Toolbar {
  /** The bar itself. */
  readonly bar: HTMLDivElement
  /** The breadcrumb list (rebuilt on each page change by {@link renderCrumbs}). */
  readonly crumbs: HTMLOListElement
  /** The page kind (`dmap`, `workflow`). */
  readonly kindTag: HTMLSpanElement
  /** Every action button by action name (`zoomIn`, `back`, `legend`, …; `more` opens the menu). */
  readonly buttons: ReadonlyMap<string, HTMLButtonElement>
  /** The menu of less frequent actions (back, forward, legend, download). */
  readonly menu: HTMLDivElement
}

/**
 * Builds the toolbar. Zoom, Fit and Full screen stay in the row; Back, Forward, Legend and Download SVG sit in a menu
 * behind "More", so the row fits a phone or Starlight's content column without wrapping.
 */
export function buildToolbar(id: string, index: GraphIndex, search: HTMLElement): Toolbar {
  const buttons = new Map<string, HTMLButtonElement>()
  const crumbs = h('ol')
  const kindTag = h('span', { class: 'fm-kind-tag' })
  // A group, not a `navigation` landmark: every graph of a page would add one.
  const trail = h('div', { class: 'fm-crumbs', role: 'group', 'aria-label': `Pages of ${index.title}` }, crumbs)

  const zoom = h('div', { class: 'fm-group', role: 'group', 'aria-label': 'Zoom' })
  for (const [name, label, key] of [
    ['zoomOut', 'Zoom out', '−'],
    ['fit', 'Fit to view', '0'],
    ['zoomIn', 'Zoom in', '+'],
  ] as const) {
    const b = button(name, label, key)
    buttons.set(name, b)
    zoom.append(b)
  }
  const full = button('fullscreen', 'Full screen', 'F')
  full.setAttribute('aria-pressed', 'false')
  buttons.set('fullscreen', full)

  const menu = h('div', { class: 'fm-menu', id: `${id}-menu`, hidden: '', role: 'group', 'aria-label': 'More actions' })
  for (const [name, label, key] of [
    ['back', 'Back', 'Alt+←'],
    ['forward', 'Forward', 'Alt+→'],
    ['legend', 'Legend', undefined],
    ['download', 'Download SVG', undefined],
  ] as const) {
    const b = menuItem(name, label, key)
    buttons.set(name, b)
    menu.append(b)
  }
  const more = button('more', 'More actions')
  more.setAttribute('aria-expanded', 'false')
  more.setAttribute('aria-controls', menu.id)
  buttons.set('more', more)
  const tools = h('div', { class: 'fm-tools' }, zoom, h('div', { class: 'fm-group' }, full, more), menu)
  const bar = h('div', { class: 'fm-bar' }, trail, kindTag, search, tools)
  return { bar, crumbs, kindTag, buttons, menu }
}

/** Rewrites the breadcrumb for page `current`: its ancestors as buttons (`data-fm-crumb` = page index), itself as text. */
export function renderCrumbs(list: HTMLOListElement, index: GraphIndex, current: number): void {
  const chain: number[] = []
  for (let p: IndexPage | undefined = index.pages[current]; p !== undefined && chain.length < 64;) {
    chain.unshift(index.pages.indexOf(p))
    p = p.parent === undefined ? undefined : index.pages.find((q) => q.path === p?.parent)
  }
  list.replaceChildren(
    ...chain.map((k, n) => {
      const page = index.pages[k] as IndexPage
      const name = k === 0 ? index.title : page.title
      if (n === chain.length - 1) return h('li', {}, h('span', { 'aria-current': 'page', title: name }, name))
      return h('li', {}, h('button', { type: 'button', 'data-fm-crumb': String(k), title: `Open ${name}` }, name))
    }),
  )
}

/** The legend panel: what each node shape and colour means, with a close button. */
export function buildLegend(id: string): HTMLDivElement {
  const rows: [string, string, string, string?][] = [
    ['Data', 'var(--fm-data)', '5px', 'var(--fm-data-line)'],
    ['Function', 'var(--fm-function)', '0', 'var(--fm-function-line)'],
    ['Sub-model (click to open)', 'var(--fm-dispatcher)', '0 6px 0 0', 'var(--fm-dispatcher-line)'],
    ['Sub-model function', 'var(--fm-sdf)', '0 6px 0 0'],
    ['Start: where inputs enter', 'var(--fm-start)', '50%'],
    ['Sink: unused outputs', 'var(--fm-sink)', '50%'],
    ['End: sub-model outputs', 'var(--fm-end)', '50%'],
    ['Self', 'var(--fm-self)', '50%'],
    ['Missing inputs/outputs', 'var(--fm-warning)', '0', 'var(--fm-warning-line)'],
    ['Failed', 'var(--fm-error)', '0', 'var(--fm-error-line)'],
  ]
  const ul = h('ul')
  for (const [label, fill, radius, line] of rows) {
    const sw = h('span', { class: 'fm-sw', 'aria-hidden': 'true' })
    sw.style.background = fill
    sw.style.borderRadius = radius
    sw.style.borderColor = line ?? 'var(--fm-rule)'
    ul.append(h('li', {}, sw, label))
  }
  const close = h(
    'button',
    { type: 'button', class: 'fm-btn fm-close', 'aria-label': 'Close legend', title: 'Close (Esc)', 'data-fm-action': 'closeLegend' },
    icon('close'),
  )
  return h(
    'div',
    { class: 'fm-legend', hidden: '', role: 'dialog', 'aria-labelledby': `${id}-legend-title`, id: `${id}-legend` },
    h('div', { class: 'fm-legend-head' }, h('h2', { id: `${id}-legend-title` }, 'Legend'), close),
    ul,
    h('p', {}, 'Arrows show data flowing into functions and out to their outputs. Tooltips give descriptions.'),
  )
}
