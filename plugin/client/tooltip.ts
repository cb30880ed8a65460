// The viewer's node tooltip: kind, name, description and state of the node under the pointer or focus.
import { h, KIND_NAME, KIND_SWATCH } from './dom.ts'
import type { NodeInfo } from './types.ts'

/** One tooltip per graph, positioned inside the graph element below (or above) the node. */
export class Tooltip {
  /** The tooltip element (`role="tooltip"`). */
  readonly el: HTMLDivElement

  constructor(id: string) {
    this.el = h('div', { class: 'fm-tooltip', role: 'tooltip', hidden: '', id: `${id}-tooltip` })
  }

  /** Shows the tooltip of `info`, placed relative to `host` (the positioned graph element). */
  show(info: NodeInfo, host: HTMLElement): void {
    const tip = this.el
    const swatch = h('span', { class: 'fm-swatch', 'aria-hidden': 'true' })
    swatch.style.background =
      info.state === 'error'
        ? 'var(--fm-error)'
        : info.state === 'missing'
          ? 'var(--fm-warning)'
          : (KIND_SWATCH[info.kind] ?? 'var(--fm-empty)')
    const head = h(
      'div',
      { class: 'fm-t-head' },
      swatch,
      h('span', {}, info.label),
      h('span', { class: 'fm-t-kind' }, KIND_NAME[info.kind] ?? 'node'),
    )
    const parts: Node[] = [head]
    if (info.description) parts.push(h('div', { class: 'fm-t-desc' }, info.description))
    if (info.state === 'error') parts.push(h('div', { class: 'fm-t-desc' }, 'This node failed in the dispatch.'))
    else if (info.state === 'missing') parts.push(h('div', { class: 'fm-t-desc' }, 'Some inputs or outputs were not reached.'))
    if (info.opens !== undefined) parts.push(h('div', { class: 'fm-t-hint' }, 'Click or press Enter to open its graph'))
    tip.replaceChildren(...parts)
    tip.hidden = false
    const box = host.getBoundingClientRect()
    const r = info.el.getBoundingClientRect()
    const tw = tip.offsetWidth,
      th = tip.offsetHeight
    let left = r.left - box.left + r.width / 2 - tw / 2
    left = Math.max(6, Math.min(left, box.width - tw - 6))
    let top = r.bottom - box.top + 8
    if (top + th > box.height - 4) top = r.top - box.top - th - 8
    tip.style.left = `${Math.round(left)}px`
    tip.style.top = `${Math.round(Math.max(4, top))}px`
  }

  /** Hides the tooltip. */
  hide(): void {
    this.el.hidden = true
  }
}
