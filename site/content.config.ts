// Content collections of the docs site: Starlight's docs (site/content/docs/, plus the generated API pages) and i18n.
import { defineCollection } from 'astro:content'
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders'
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema'
import { apiPagesLoader } from '@flowmark/docs/astro'

/**
 * The collections Astro loads: `docs` holds every page of the site (Markdown and MDX), and the API reference that
 * `starlightFlowmark({ api })` generates from the TypeScript sources (served from memory, never written to disk);
 * `i18n` overrides some of Starlight's interface strings (site/content/i18n/en.json).
 */
export const collections = {
  docs: defineCollection({ loader: apiPagesLoader(docsLoader()), schema: docsSchema() }),
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
}
