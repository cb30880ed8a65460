// Flowmark's documentation site: Starlight over site/, with Flowmark's own integration running every example.
import { readdirSync, existsSync } from 'node:fs'
import { defineConfig } from 'astro/config'
import starlight from '@astrojs/starlight'
import { starlightFlowmark } from './plugin/astro/index.ts'

// Sidebar groups, in reading order, one per folder of site/content/docs/ (pages sort by their `sidebar.order`).
// Folders not listed here still appear, after these, under their folder name.
const GROUPS = [
  ['start', 'Start here'],
  ['concepts', 'Concepts'],
  ['guides', 'Guides'],
  ['reference', 'Reference'],
  ['api', 'API'],
]
const docs = new URL('./site/content/docs/', import.meta.url)
const folders = existsSync(docs)
  ? readdirSync(docs, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
  : []
const known = GROUPS.filter(([dir]) => folders.includes(dir))
const extra = folders.filter((f) => !GROUPS.some(([dir]) => dir === f)).sort()
const sidebar = [
  ...known.map(([directory, label]) => ({ label, items: [{ autogenerate: { directory } }] })),
  ...extra.map((directory) => ({ label: directory[0].toUpperCase() + directory.slice(1).replace(/-/g, ' '), items: [{ autogenerate: { directory } }] })),
]

// `source` first: `import … from 'flowmark'` in pages and components resolves to the TypeScript sources.
const conditions = (defaults) => ['source', ...defaults, 'development|production']

export default defineConfig({
  srcDir: './site',
  outDir: './dist/site',
  integrations: [
    starlight({
      title: 'Flowmark',
      description: 'A dataflow dispatcher for TypeScript, with docs whose examples run and whose models draw themselves.',
      sidebar,
      plugins: [starlightFlowmark()],
    }),
  ],
  vite: {
    resolve: { conditions: conditions(['module', 'browser']) },
    ssr: { resolve: { conditions: conditions(['module', 'node']) } },
  },
})
