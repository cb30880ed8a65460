// Starlight plugin wrapper: adds the Flowmark integration to a Starlight site from `starlight({ plugins: [...] })`.
import type { StarlightPlugin } from '@astrojs/starlight/types'
import type { FlowmarkOptions } from './options.ts'
import { resolveOptions } from './options.ts'
import flowmark from './index.ts'
import type { ApiSetupResult, SidebarItem } from '../api/astro.ts'
import { copyRunnableCode } from './copy-code.ts'

/**
 * The Flowmark Starlight plugin: `starlight({ plugins: [starlightFlowmark()] })`. It adds the {@link flowmark}
 * integration through Starlight's `addIntegration`, so the integration sets up after Starlight and before Starlight's
 * directive restoration, under either Markdown processor. It adds `copyRunnableCode()` to Expressive Code (unless
 * `expressiveCode: false`), so copy buttons copy code without REPL prompts and outputs. With the `api` option it generates the API pages first and
 * replaces the sidebar entry that autogenerates from their folder (`{ autogenerate: { directory: 'api' } }`) with
 * collapsed groups per module and kind (see `apiSidebarItems`).
 * @param options The integration's options (validated now, so a typo fails at config time).
 * @returns The Starlight plugin.
 */
export function starlightFlowmark(options?: FlowmarkOptions): StarlightPlugin {
  const resolved = resolveOptions(options)
  return {
    name: 'flowmark',
    hooks: {
      'config:setup': async ({ addIntegration, astroConfig, config, updateConfig, logger }) => {
        if (astroConfig.integrations.some((i) => i.name === 'flowmark')) {
          logger.warn('flowmark() is already in `integrations`; starlightFlowmark() did not add it a second time')
          return
        }
        let api: Promise<ApiSetupResult> | undefined
        if (resolved.api !== undefined) {
          const { setupApiPages, validateApiConfig, withApiSidebar } = await import('../api/astro.ts')
          api = setupApiPages(validateApiConfig(resolved.api), { config: astroConfig, logger })
          const { pages, idPrefix } = await api
          const sidebar = withApiSidebar(config.sidebar as readonly SidebarItem[] | undefined, pages, idPrefix)
          if (sidebar !== undefined) updateConfig({ sidebar: sidebar as NonNullable<typeof config.sidebar> })
        }
        // Copy buttons copy code that runs (prompts, outputs and doctest flags stripped).
        const ec = config.expressiveCode
        if (ec !== false) {
          const base = typeof ec === 'object' ? ec : {}
          updateConfig({ expressiveCode: { ...base, plugins: [...(base.plugins ?? []), copyRunnableCode()] } })
        }
        const integration = flowmark(options)
        // The integration takes the pages generated here instead of generating them again (see PREPARED_API there).
        Object.assign(integration, { [Symbol.for('flowmark.prepared-api')]: () => api })
        addIntegration(integration)
      },
    },
  }
}
