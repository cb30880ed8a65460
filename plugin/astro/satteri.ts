// Sätteri adapter: a per-document mdast plugin that runs the page's session and replaces Flowmark's directives.
import { fileURLToPath } from 'node:url'
import type { MdastPluginDefinition, MdastVisitorContext, PluginFactoryContext } from 'satteri'
import { isFlowmarkDirective, type BlockDirective } from '../core/directive.ts'
import type { FileInfo } from '../core/file.ts'
import { assetsNode, endPage, isHiddenFence, mayHaveExamples, mdxSafe, replaceDirective, startPage, type PageRun } from './page.ts'
import type { RunState } from './state.ts'

/** The fields of Sätteri's Astro data bag we read (`ctx.data.astro`). */
interface AstroData {
  readonly frontmatter?: Record<string, unknown>
}

/**
 * Sätteri turns a replacement's `data.hName`/`hProperties` into the element; it expects hast-style attribute names
 * as strings (`class`, `data-…`), as Starlight's own Sätteri plugins write them.
 */
function satteriProperties(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(props)) {
    const name =
      key === 'className'
        ? 'class'
        : key.replace(/^data([A-Z])/, (_, c: string) => `data-${c.toLowerCase()}`).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    out[name] = Array.isArray(value) ? value.join(' ') : String(value)
  }
  return out
}

/**
 * The Flowmark plugin entry for Sätteri's `mdastPlugins`: a factory called once per document. Documents whose source
 * cannot hold a directive or a prompted fence are skipped before parsing. Otherwise the plugin asks for positions,
 * plans and runs the page's session in `before`, replaces each `dispatcher` directive by its figure (claimed with
 * `data.hName`, so Sätteri keeps it and Starlight's directive restoration leaves it alone), removes
 * `testsetup`/`testcleanup` blocks and hidden fences, and appends the viewer tags in `after` when the page has a
 * graph. In MDX documents every raw HTML piece becomes `<Fragment set:html>`, since `mdxToJs` rejects `html` nodes.
 * @param state The integration's state (options, diagnostics collector).
 * @returns The factory.
 */
export function satteriFlowmark(state: RunState): (ctx: PluginFactoryContext) => MdastPluginDefinition | null {
  const factory = (ctx: PluginFactoryContext): MdastPluginDefinition | null => {
    if (!ctx.fileURL || !mayHaveExamples(ctx.source)) return null
    const path = fileURLToPath(ctx.fileURL)
    const mdx = ctx.sourceFormat === 'mdx'
    const frontmatter = (ctx.data as { astro?: AstroData }).astro?.frontmatter
    const file: FileInfo = frontmatter ? { path, source: ctx.source, frontmatter } : { path, source: ctx.source }
    let run: PageRun | undefined

    const directive = async (node: BlockDirective, vctx: MdastVisitorContext) => {
      if (!run || !isFlowmarkDirective(node)) return undefined
      const out = await replaceDirective(node, run)
      if (out.kind === 'remove') {
        vctx.removeNode(node)
        return undefined
      }
      const { hName, hProperties } = out.node.data as { hName: string; hProperties: Record<string, unknown> }
      const figure = {
        type: 'paragraph',
        data: { hName, hProperties: satteriProperties(hProperties) },
        children: out.node.children.map((c) => {
          const d = (c.data ?? {}) as { hName?: string; hProperties?: Record<string, unknown> }
          return d.hName && d.hProperties ? { ...c, data: { ...d, hProperties: satteriProperties(d.hProperties) } } : c
        }),
      }
      return (mdx ? mdxSafe(figure as never) : figure) as never
    }

    return {
      name: 'flowmark',
      options: { position: true },
      async before(root) {
        run = await startPage(root, file, state)
      },
      containerDirective: (node, vctx) => directive(node, vctx),
      leafDirective: (node, vctx) => directive(node, vctx),
      code(node, vctx) {
        if (run && isHiddenFence(node, run)) vctx.removeNode(node)
      },
      async after(root, vctx) {
        if (!run) return
        const html = await endPage(run, state)
        if (html !== undefined) vctx.appendChild(root, assetsNode(html, mdx))
      },
    }
  }
  return factory
}
