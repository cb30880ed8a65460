// Runs the Markdown examples of README.md (four-backtick `md` fences) through the remark plugin with the real doctest
// runner and Graphviz renderer: they must pass and draw, as they would in a site.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import rehypeStringify from 'rehype-stringify'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import remarkRehype from 'remark-rehype'
import { unified } from 'unified'
import { VFile } from 'vfile'
import { describe, expect, it } from 'vitest'
import { remarkDispatcher } from '../../plugin/remark.ts'

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url))
const readme = readFileSync(readmePath, 'utf8')
const examples = [...readme.matchAll(/^````md\n([\s\S]*?)^````$/gm)].map((m) => ({
  markdown: m[1]!,
  line: readme.slice(0, m.index).split('\n').length + 1,
}))

describe('README.md Markdown examples', () => {
  it('has some', () => expect(examples.length).toBeGreaterThan(0))

  it.each(examples.map((e) => [`README.md:${e.line}`, e] as const))(
    '%s runs its doctests and draws its graphs',
    async (_where, example) => {
      // The page lives beside the README, so `import … from 'flowmark'` resolves to this package.
      const file = new VFile({ path: readmePath.replace(/README\.md$/, `readme-example-${example.line}.md`), value: example.markdown })
      const html = String(
        await unified()
          .use(remarkParse)
          .use(remarkDirective)
          .use(remarkDispatcher, { doctest: 'error' })
          .use(remarkRehype, { allowDangerousHtml: true })
          .use(rehypeStringify, { allowDangerousHtml: true })
          .process(file),
      )
      expect(file.messages.map((m) => `${m.line}:${m.column} ${m.reason}`)).toEqual([])
      if (example.markdown.includes('::dispatcher')) {
        expect(html).toContain('<flowmark-graph')
        expect(html).toContain('<svg')
      }
    },
  )
})
