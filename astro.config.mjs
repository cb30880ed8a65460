// Flowmark's documentation site: Starlight over site/, with Flowmark's own integration running every example.
import { readdirSync, existsSync } from 'node:fs'
import { defineConfig } from 'astro/config'
import starlight from '@astrojs/starlight'
import { starlightFlowmark } from '@flowmark/docs/astro'

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
  ? readdirSync(docs, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  : []
// `api` is not a folder: starlightFlowmark({ api }) generates those pages, serves them through apiPagesLoader (see
// site/content.config.ts) and replaces the `autogenerate` entry below by groups per module and kind.
const known = GROUPS.filter(([dir]) => dir === 'api' || folders.includes(dir))
const extra = folders.filter((f) => !GROUPS.some(([dir]) => dir === f)).sort()
const sidebar = [
  ...known.map(([directory, label]) => ({ label, items: [{ autogenerate: { directory } }] })),
  ...extra.map((directory) => ({
    label: directory[0].toUpperCase() + directory.slice(1).replace(/-/g, ' '),
    items: [{ autogenerate: { directory } }],
  })),
]

// `source` first: `import … from 'flowmark'` in pages and components resolves to the TypeScript sources.
const conditions = (defaults) => ['source', ...defaults, 'development|production']

// The API reference: every public entry point of the package, and the example models shipped in fixtures/.
const API_ENTRY_POINTS = [
  { file: 'engine/index.ts', name: 'flowmark' },
  { file: 'engine/helpers.ts', name: 'flowmark/helpers' },
  { file: 'engine/plot/index.ts', name: 'flowmark/plot' },
  { file: 'engine/portable/index.ts', name: 'flowmark/portable' },
  { file: 'engine/workers/index.ts', name: 'flowmark/workers' },
  { file: 'engine/server/index.ts', name: 'flowmark/server' },
  { file: 'plugin/remark.ts', name: '@flowmark/docs/remark' },
  { file: 'plugin/astro/index.ts', name: '@flowmark/docs/astro' },
  { file: 'plugin/render/index.ts', name: '@flowmark/docs/render' },
  { file: 'plugin/doctest/index.ts', name: '@flowmark/docs/doctest' },
  { file: 'plugin/doctest/vitest.ts', name: '@flowmark/docs/doctest/vitest' },
  { file: 'plugin/client/viewer.ts', name: '@flowmark/docs/client' },
  { file: 'plugin/server/index.ts', name: '@flowmark/docs/server' },
  { file: 'fixtures/symmetric-cryptography/model.ts', name: 'examples/symmetric-cryptography' },
]

// Where the site is published: canonical links and the sitemap use it. `astro preview` serves the build at this
// address; set FLOWMARK_SITE_URL to the public address when deploying.
const site = process.env.FLOWMARK_SITE_URL ?? 'http://localhost:4321/'

export default defineConfig({
  site,
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist/site',
  integrations: [
    starlight({
      title: 'Flowmark',
      description: 'A dataflow dispatcher for TypeScript, with docs whose examples run and whose models draw themselves.',
      sidebar,
      // Starlight's head plus a script naming the scrollable code blocks (see site/scripts/code-region-names.ts).
      components: { Head: './site/components/head.astro' },
      plugins: [starlightFlowmark({ plot: { hideTimestamps: true }, api: { entryPoints: API_ENTRY_POINTS } })],
    }),
  ],
  vite: {
    resolve: { conditions: conditions(['module', 'browser']) },
    ssr: { resolve: { conditions: conditions(['module', 'node']) } },
    build: {
      rolldownOptions: {
        // Astro marks MDX pages with its own `"use astro:head-inject"` directive, which the bundler then reports on
        // every MDX page as a module-level directive it may not keep; Astro handles it, so that one report is dropped.
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE' && String(log.message).includes('astro:head-inject')) return
          handler(level, log)
        },
      },
    },
  },
})
