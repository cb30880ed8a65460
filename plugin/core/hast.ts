// Raw HTML nodes of a drawn directive → mdast nodes carrying hast, so a default remark-rehype pipeline keeps them.
import { fromHtml } from 'hast-util-from-html'
import type { Element, ElementContent, Properties } from 'hast'
import type { Html, RootContent } from 'mdast'

/**
 * An mdast node that remark-rehype turns into the hast element it carries (`data.hName`, `hProperties`, `hChildren`),
 * without `allowDangerousHtml`: the graph's HTML, parsed once here.
 */
export interface HastCarrier {
  /** Not an mdast type of its own: mdast-util-to-hast builds an element from `data` for any unknown node. */
  readonly type: 'flowmarkHast'
  /** The element's tag, properties and children. */
  readonly data: { hName: string; hProperties: Properties; hChildren: ElementContent[] }
}

/**
 * Parses `html` (a fragment) into one element: the fragment's only element when it has one root, else a `<div>`
 * holding all of it. SVG keeps its namespace (parse5 parses foreign content as a browser does).
 */
export function htmlToElement(html: string): Element {
  const root = fromHtml(html, { fragment: true })
  const content = root.children.filter((c): c is ElementContent => c.type !== 'doctype')
  const meaningful = content.filter((c) => !(c.type === 'text' && c.value.trim() === ''))
  if (meaningful.length === 1 && meaningful[0]!.type === 'element') return meaningful[0]!
  return { type: 'element', tagName: 'div', properties: {}, children: content }
}

/** Wraps one raw HTML node as a {@link HastCarrier}. */
export function hastCarrier(node: Html): HastCarrier {
  const element = htmlToElement(node.value)
  return { type: 'flowmarkHast', data: { hName: element.tagName, hProperties: element.properties, hChildren: element.children } }
}

/**
 * Replaces, in place, every `html` node under `node` (and `node` itself when it is one) by a {@link HastCarrier}.
 * @returns The node to put in the tree (a carrier when `node` was raw HTML).
 */
export function carryHast(node: RootContent): RootContent {
  if (node.type === 'html') return hastCarrier(node) as unknown as RootContent
  if ('children' in node && Array.isArray(node.children)) {
    const children = node.children as RootContent[]
    for (let i = 0; i < children.length; i++) children[i] = carryHast(children[i]!)
  }
  return node
}
