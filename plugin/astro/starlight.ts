// Starlight plugin wrapper: adds the Flowmark integration to a Starlight site from `starlight({ plugins: [...] })`.
import type { StarlightPlugin } from '@astrojs/starlight/types'
import type { FlowmarkOptions } from './options.ts'
import { resolveOptions } from './options.ts'
import flowmark from './index.ts'

/**
 * The Flowmark Starlight plugin: `starlight({ plugins: [starlightFlowmark()] })`. It adds the {@link flowmark}
 * integration through Starlight's `addIntegration`, so the integration sets up after Starlight and before Starlight's
 * directive restoration, under either Markdown processor.
 * @param options The integration's options (validated now, so a typo fails at config time).
 * @returns The Starlight plugin.
 */
export function starlightFlowmark(options?: FlowmarkOptions): StarlightPlugin {
  resolveOptions(options)
  return {
    name: 'flowmark',
    hooks: {
      'config:setup': ({ addIntegration, astroConfig, logger }) => {
        if (astroConfig.integrations.some((i) => i.name === 'flowmark')) {
          logger.warn('flowmark() is already in `integrations`; starlightFlowmark() did not add it a second time')
          return
        }
        addIntegration(flowmark(options))
      },
    },
  }
}
