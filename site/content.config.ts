// Content collections of the docs site: Starlight's docs collection (site/content/docs/) plus the generated API pages.
import { defineCollection } from 'astro:content'
import { docsLoader } from '@astrojs/starlight/loaders'
import { docsSchema } from '@astrojs/starlight/schema'
import { apiPagesLoader } from '../plugin/astro/index.ts'

/**
 * The collections Astro loads: `docs` holds every page of the site (Markdown and MDX), and the API reference that
 * `starlightFlowmark({ api })` generates from the TypeScript sources (served from memory, never written to disk).
 */
export const collections = {
  docs: defineCollection({ loader: apiPagesLoader(docsLoader()), schema: docsSchema() }),
}
