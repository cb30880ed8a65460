// Deep links of the viewer: `#<graph id>:<page path>:<node label>` (URI-encoded parts), section and node element ids.

/** Where a URL fragment points inside one graph. */
export type Route =
  /** A page (by path) and optionally a node on it (by label). */
  | { readonly kind: 'page'; readonly path: string; readonly node: string | undefined }
  /** An element id inside the graph (a page's section, or a node group the static markup links to). */
  | { readonly kind: 'element'; readonly id: string }

/**
 * Reads a fragment (`location.hash`, with its `#`) for the graph with element id `graphId`.
 * @returns the route, or undefined when the fragment is not for this graph's deep-link form (an element id is
 *   returned as such; the caller checks that the element is inside the graph).
 */
export function parseRoute(hash: string, graphId: string): Route | undefined {
  if (graphId === '' || hash.length < 2) return undefined
  const body = hash.slice(1)
  if (!body.startsWith(`${graphId}:`)) {
    try {
      return { kind: 'element', id: decodeURIComponent(body) }
    } catch {
      return undefined
    }
  }
  const [pagePart = '', ...rest] = body.slice(graphId.length + 1).split(':')
  try {
    return { kind: 'page', path: decodeURIComponent(pagePart), node: rest.length === 0 ? undefined : decodeURIComponent(rest.join(':')) }
  } catch {
    return undefined
  }
}

/** The fragment (without `#`) of a page, or of a node on it, of graph `graphId`. */
export function routeHash(graphId: string, path: string, node?: string): string {
  return `${graphId}:${encodeURIComponent(path)}${node === undefined ? '' : `:${encodeURIComponent(node)}`}`
}

/** The absolute URL of the current document with the deep link of a page or node (for links leaving the page, e.g. a downloaded SVG). */
export function deepLink(graphId: string, path: string, node?: string): string {
  return `${location.href.split('#')[0] ?? ''}#${routeHash(graphId, path, node)}`
}

/** Replaces the URL's fragment without adding a history entry or scrolling. */
export function setHash(hash: string): void {
  if (location.hash.slice(1) === hash) return
  try {
    history.replaceState(history.state, '', `#${hash}`)
  } catch {
    /* sandboxed documents may refuse */
  }
}
