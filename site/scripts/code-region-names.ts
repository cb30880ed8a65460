// Gives each scrollable code block the accessible name a region landmark needs (Expressive Code makes them unnamed regions).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/** Marks a name this script gave, so that it is taken back with the role (and never replaces an author's name). */
const OURS = 'data-code-region-name'

/** The name of the `index`-th code block of the page (1-based): its number, and its frame's title when it has one. */
function codeRegionName(pre: Element, index: number): string {
  const title = pre.closest('.frame')?.querySelector('.title')?.textContent?.trim() ?? ''
  return title === '' ? `Code example ${index}` : `Code example ${index}: ${title}`
}

/** Names `pre` if Expressive Code made it a region (it scrolls sideways), or takes back the name it gave when it no longer is. */
function update(pre: Element, index: number): void {
  const isRegion = pre.getAttribute('role') === 'region'
  if (isRegion && !pre.hasAttribute('aria-label') && !pre.hasAttribute('aria-labelledby')) {
    pre.setAttribute('aria-label', codeRegionName(pre, index))
    pre.setAttribute(OURS, '')
  } else if (!isRegion && pre.hasAttribute(OURS)) {
    pre.removeAttribute('aria-label')
    pre.removeAttribute(OURS)
  }
}

/**
 * Keeps every Expressive Code block of `root` that is a region landmark named. Expressive Code gives a block that
 * scrolls sideways `role="region"` and `tabindex="0"` (so that keyboard users can scroll it) but no name, and a page
 * with two such blocks then has indistinguishable landmarks (axe's `landmark-unique`). The role comes and goes with
 * the width of the window, so the names follow it.
 */
export function nameCodeRegions(root: Document): void {
  const all = (): Element[] => [...root.querySelectorAll('.expressive-code pre')]
  const refresh = (): void => all().forEach((pre, i) => update(pre, i + 1))
  new MutationObserver((changes) => {
    if (changes.some((c) => c.target instanceof Element && c.target.matches('.expressive-code pre'))) refresh()
  }).observe(root.body, { subtree: true, attributes: true, attributeFilter: ['role'] })
  refresh()
}
