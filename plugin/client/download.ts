// "Download SVG": the current page as a standalone SVG file, with links that still work outside the docs page.
import { h, SVG_NS, XLINK_NS } from './dom.ts'
import type { Box } from './types.ts'

/**
 * Saves `svg` as `<name>.svg` with its drawing's own extent (`base`) and size. Internal links (`#id`) to elements not in
 * the file are passed to `external` (e.g. a remote node on the parent page → an absolute deep link); those it cannot
 * place are removed.
 */
export function downloadSvg(svg: SVGSVGElement, base: Box | undefined, name: string, external: (id: string) => string | undefined): void {
  const copy = svg.cloneNode(true) as SVGSVGElement
  if (base) copy.setAttribute('viewBox', `${base.x} ${base.y} ${base.w} ${base.h}`)
  copy.setAttribute('width', svg.dataset.fmWidth ?? '')
  copy.setAttribute('height', svg.dataset.fmHeight ?? '')
  copy.removeAttribute('data-fm-width')
  copy.removeAttribute('data-fm-height')
  copy.setAttribute('xmlns', SVG_NS)
  copy.setAttribute('xmlns:xlink', XLINK_NS)
  for (const el of copy.querySelectorAll('[tabindex], [role="button"]')) {
    el.removeAttribute('tabindex')
    if (el.getAttribute('role') === 'button') el.removeAttribute('role')
  }
  copy.setAttribute('role', 'img')
  copy.querySelectorAll('.fm-selected').forEach((el) => el.classList.remove('fm-selected'))
  for (const a of copy.querySelectorAll('a')) {
    for (const [ns, attr] of [
      [XLINK_NS, 'href'],
      [null, 'href'],
    ] as const) {
      const href = a.getAttributeNS(ns, attr)
      if (href === null || !href.startsWith('#')) continue
      const id = decodeURIComponent(href.slice(1))
      if (copy.querySelector(`[id="${CSS.escape(id)}"]`) !== null) continue
      const url = external(id)
      if (url === undefined) a.removeAttributeNS(ns, attr)
      else a.setAttributeNS(ns, ns === null ? attr : 'xlink:href', url)
    }
  }
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }))
  const a = h('a', { href: url, download: `${name.replace(/[^\w.-]+/g, '_')}.svg` })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
