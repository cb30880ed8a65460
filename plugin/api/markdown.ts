// mdast for the API pages: node builders, doc-comment Markdown parsed into nodes, and serialisation with front matter.
import type {
  BlockContent,
  Code,
  Heading,
  InlineCode,
  Link,
  Nodes,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableCell,
  Text,
} from 'mdast'
import { directiveToMarkdown } from 'mdast-util-directive'
import type { ContainerDirective, LeafDirective } from 'mdast-util-directive'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown, gfmToMarkdown } from 'mdast-util-gfm'
import { toMarkdown } from 'mdast-util-to-markdown'
import { gfm } from 'micromark-extension-gfm'
import { stringify } from 'yaml'

/** Block content a page body is made of (directives included). */
export type BlockNode = RootContent

/**
 * A text node.
 * @param value The text, as it should read (the serialiser escapes what Markdown would otherwise interpret).
 * @returns The node.
 */
export function text(value: string): Text {
  return { type: 'text', value }
}

/**
 * A code span.
 * @param value The code (backticks inside are fine).
 * @returns The node.
 */
export function code(value: string): InlineCode {
  return { type: 'inlineCode', value }
}

/**
 * A link.
 * @param url Its target.
 * @param children Its content.
 * @returns The node.
 */
export function link(url: string, ...children: PhrasingContent[]): Link {
  return { type: 'link', url, children }
}

/**
 * A paragraph.
 * @param children Its content.
 * @returns The node.
 */
export function paragraph(...children: PhrasingContent[]): Paragraph {
  return { type: 'paragraph', children }
}

/**
 * A heading.
 * @param depth 1–6.
 * @param children Its content.
 * @returns The node.
 */
export function heading(depth: 1 | 2 | 3 | 4 | 5 | 6, ...children: PhrasingContent[]): Heading {
  return { type: 'heading', depth, children }
}

/**
 * A fenced code block.
 * @param lang Its language (`ts`).
 * @param value The code.
 * @param meta The rest of the info string (`setup` marks a hidden block that runs).
 * @returns The node.
 */
export function fence(lang: string, value: string, meta?: string): Code {
  return meta === undefined ? { type: 'code', lang, value } : { type: 'code', lang, meta, value }
}

/**
 * A GFM table whose first row is the header.
 * @param header Header cell texts.
 * @param rows Each row's cells, as phrasing content.
 * @returns The node.
 */
export function table(header: readonly string[], rows: readonly (readonly PhrasingContent[][])[]): Table {
  const cell = (children: PhrasingContent[]): TableCell => ({ type: 'tableCell', children })
  return {
    type: 'table',
    align: header.map(() => null),
    children: [
      { type: 'tableRow', children: header.map((h) => cell([text(h)])) },
      ...rows.map((r) => ({ type: 'tableRow' as const, children: r.map((c) => cell(c)) })),
    ],
  }
}

/**
 * A leaf directive, `::name{attributes}`.
 * @param name The directive's name.
 * @param attributes Its attributes (`undefined` values are left out).
 * @returns The node.
 */
export function leafDirective(name: string, attributes: Record<string, string | undefined>): LeafDirective {
  return { type: 'leafDirective', name, attributes: definedOnly(attributes), children: [] }
}

/**
 * A container directive, `:::name … :::`.
 * @param name The directive's name.
 * @param children Its content.
 * @returns The node.
 */
export function containerDirective(name: string, children: BlockContent[]): ContainerDirective {
  return { type: 'containerDirective', name, attributes: {}, children }
}

function definedOnly(attributes: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v
  return out
}

/**
 * Parses Markdown written in a doc comment (CommonMark and GFM) into block nodes. Raw HTML becomes text, so a type
 * such as `Map<K, V>` or `<T>` written outside a code span reads as written instead of vanishing into an unknown tag;
 * every link goes through `resolveUrl` (that is where `api:<slug>` links become page URLs).
 *
 * @param markdown The doc text.
 * @param resolveUrl Maps link targets.
 * @returns The blocks (none for empty text).
 */
export function parseDoc(markdown: string, resolveUrl: (url: string) => string): BlockNode[] {
  if (markdown.trim() === '') return []
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] })
  const fix = (node: Nodes): void => {
    if (node.type === 'link' || node.type === 'definition') node.url = resolveUrl(node.url)
    if ('children' in node) {
      const parent = node as { children: Nodes[] }
      parent.children = parent.children.map((c) => (c.type === 'html' ? text(c.value) : c))
      for (const c of parent.children) fix(c)
    }
    delete node.position
  }
  fix(tree)
  return tree.children
}

/**
 * Doc Markdown as phrasing content, for a table cell or a line: the paragraphs' content joined by spaces (block
 * structure such as lists or code blocks is flattened to its text).
 *
 * @param markdown The doc text.
 * @param resolveUrl Maps link targets.
 * @returns The inline nodes.
 */
export function parseInline(markdown: string, resolveUrl: (url: string) => string): PhrasingContent[] {
  const out: PhrasingContent[] = []
  const add = (nodes: PhrasingContent[]) => {
    if (out.length > 0 && nodes.length > 0) out.push(text(' '))
    out.push(...nodes)
  }
  const walk = (node: Nodes): void => {
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') add(node.children)
    else if (node.type === 'code') add([code(node.value.replace(/\s*\n\s*/g, ' '))])
    else if ('children' in node) for (const c of node.children) walk(c)
  }
  for (const block of parseDoc(markdown, resolveUrl)) walk(block)
  return out
}

/**
 * Serialises a page body: CommonMark with GFM tables (one line per row, cells padded by one space, pipes and other
 * special characters escaped where needed) and directives.
 *
 * @param children The body's blocks.
 * @returns The Markdown text, ending with a newline.
 */
export function serialize(children: readonly BlockNode[]): string {
  const root: Root = { type: 'root', children: [...children] }
  return toMarkdown(root, {
    extensions: [gfmToMarkdown({ tablePipeAlign: false }), directiveToMarkdown()],
    bullet: '-',
    emphasis: '_',
    fences: true,
    rule: '-',
  })
}

/**
 * YAML front matter, `---` fenced (values quoted where YAML needs it).
 *
 * @param data The fields.
 * @returns The block, ending with a newline.
 */
export function frontMatter(data: Record<string, unknown>): string {
  return `---\n${stringify(data, { lineWidth: 0 })}---\n`
}
