// Reads the node groups of one page's SVG into NodeInfo records and makes them the graph's controls (role, name).
import { KIND_NAME, XLINK_NS } from './dom.ts'
import type { IndexPage, NodeInfo } from './types.ts'

/** Words of a text as a screen reader's name comparison sees them (lower case, letters and digits, no parentheticals). */
const words = (text: string): string =>
  ` ${text
    .replace(/\([^()]*\)/g, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `

/**
 * The nodes of page `pageIndex` (its `<g class="node">` groups), described from the JSON index `page` or, for foreign
 * DOT without an index, from the SVG's titles and link tooltips. Each group becomes a button out of the tab order
 * (the viewer's roving tabindex picks the one tab stop), loses its native tooltips, and gets an accessible name that
 * contains the rows it shows.
 * @param pageOf The page index of a page path (-1 when the graph has none), for the nodes that open a sub-model.
 */
export function readNodes(
  svg: SVGSVGElement,
  pageIndex: number,
  page: IndexPage | undefined,
  pageOf: (path: string) => number,
): NodeInfo[] {
  const nodes: NodeInfo[] = []
  for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
    const k = g.getAttribute('data-fm-node')
    const entry = k === null ? undefined : page?.nodes[Number(k)]
    const titleEl = g.querySelector(':scope > title')
    let description = entry?.description ?? ''
    for (const a of g.querySelectorAll('a')) {
      const tip = a.getAttributeNS(XLINK_NS, 'title') ?? a.getAttribute('title')
      if (tip !== null && description === '' && entry === undefined) description = tip.replace(/^"(.*)"$/s, '$1')
      a.removeAttributeNS(XLINK_NS, 'title')
      a.removeAttribute('title')
      a.setAttribute('tabindex', '-1')
    }
    const label = entry?.label ?? titleEl?.textContent ?? ''
    titleEl?.remove()
    const opens = entry?.page === undefined ? -1 : pageOf(entry.page)
    const info: NodeInfo = {
      el: g,
      page: pageIndex,
      label,
      kind: entry?.kind ?? 'other',
      description,
      opens: opens >= 0 ? opens : undefined,
      state: entry?.state,
    }
    nodes.push(info)
    g.setAttribute('tabindex', '-1')
    g.setAttribute('role', 'button')
    g.setAttribute('aria-label', accessibleName(info, g.getAttribute('aria-label')))
  }
  return nodes
}

/**
 * A node's accessible name. It must contain the rows the node shows (WCAG 2.5.3, label in name): the build-time name
 * (`given`: kind, label, description) is kept when it does, otherwise the visible rows are spelled out after the kind.
 */
export function accessibleName(info: NodeInfo, given: string | null): string {
  const visible = [...info.el.querySelectorAll('text')]
    .map((t) => (t.textContent ?? '').trim())
    .filter((t) => t !== '')
    .join(' ')
  if (given !== null && words(given).includes(words(visible))) return given
  const state = info.state === 'error' ? ' (failed)' : info.state === 'missing' ? ' (missing inputs or outputs)' : ''
  return `${KIND_NAME[info.kind] ?? 'node'} ${visible || info.label}${state}${info.description ? `: ${info.description}` : ''}${info.opens === undefined ? '' : ' (opens its graph)'}`
}
