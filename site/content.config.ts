// Content collections of the docs site: Starlight's docs collection, read from site/content/docs/.
import { defineCollection } from 'astro:content'
import { docsLoader } from '@astrojs/starlight/loaders'
import { docsSchema } from '@astrojs/starlight/schema'

/** The collections Astro loads: `docs` holds every page of the site (Markdown and MDX). */
export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
}
