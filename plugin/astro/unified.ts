// unified adapter for Astro: a remark plugin that runs the page's session and replaces Flowmark's directives.
import type { Code, Root } from 'mdast'
import type { Parent } from 'unist'
import type { VFile } from 'vfile'
import { isFlowmarkDirective, type BlockDirective } from '../core/directive.ts'
import type { FileInfo } from '../core/file.ts'
import { assetsNode, endPage, isHiddenFence, mdxSafe, replaceDirective, startPage } from './page.ts'
import type { RunState } from './state.ts'

/** Options of the plugin made by {@link remarkFlowmarkAstro} (set by the integration). */
export interface RemarkFlowmarkAstroOptions {
  /**
   * Digest of the files the examples import. Unused at run time: it is part of the serialised Astro config, so Astro
   * clears its content cache when it changes.
   */
  readonly cacheKey: string
}

/** Where a Flowmark node sits: its parent and index, found before any replacement. */
interface Site {
  readonly parent: Parent
  readonly node: BlockDirective | Code
}

function findSites(root: Root): Site[] {
  const out: Site[] = []
  const walk = (parent: Parent): void => {
    for (const child of parent.children) {
      if (isFlowmarkDirective(child) || child.type === 'code') {
        out.push({ parent, node: child as BlockDirective | Code })
        if (isFlowmarkDirective(child)) continue
      }
      if ('children' in child && Array.isArray(child.children)) walk(child as Parent)
    }
  }
  walk(root)
  return out
}

/**
 * Makes the remark plugin used by the Astro integration under the unified processor (`.md` and `.mdx`). Each page is
 * planned with the directive core, its session runs once, each `dispatcher` directive is replaced by its figure
 * (claimed with `data.hName`), `testsetup`/`testcleanup` blocks and hidden fences are removed, and a page with a graph
 * gets the viewer tags appended once. Requires remark-directive (the integration adds it when missing).
 * The state is bound here rather than passed as a plugin option, because Astro serialises plugin options into its
 * content-cache digest.
 * @param state The integration's state.
 * @returns The remark plugin (its options: {@link RemarkFlowmarkAstroOptions}).
 */
export function remarkFlowmarkAstro(
  state: RunState,
): (options?: RemarkFlowmarkAstroOptions) => (tree: Root, vfile: VFile) => Promise<void> {
  return () =>
    async (tree: Root, vfile: VFile): Promise<void> => {
      if (!vfile.path) return
      const mdx = /\.mdx$/i.test(vfile.path)
      const frontmatter = (vfile.data as { astro?: { frontmatter?: Record<string, unknown> } }).astro?.frontmatter
      const source = String(vfile.value ?? '')
      const file: FileInfo = frontmatter ? { path: vfile.path, source, frontmatter } : { path: vfile.path, source }
      const run = await startPage(tree, file, state)
      if (!run) return
      for (const site of findSites(tree)) {
        const index = site.parent.children.indexOf(site.node)
        if (index === -1) continue
        if (site.node.type === 'code') {
          if (isHiddenFence(site.node, run)) site.parent.children.splice(index, 1)
          continue
        }
        const out = await replaceDirective(site.node, run)
        if (out.kind === 'remove') site.parent.children.splice(index, 1)
        else site.parent.children[index] = mdx ? mdxSafe(out.node) : out.node
      }
      const html = await endPage(run, state)
      if (html !== undefined) tree.children.push(assetsNode(html, mdx))
    }
}
