// The viewer's browser JavaScript and CSS as text, for inlining into pages or handing to a bundler.
import { readFile } from 'node:fs/promises'
import { bundleViewer, ViewerBundleError } from './viewer-bundle.ts'

let script: Promise<string> | undefined
let style: Promise<string> | undefined

async function firstReadable(urls: readonly URL[]): Promise<{ url: URL; text: string }> {
  const errors: string[] = []
  for (const url of urls) {
    try {
      return { url, text: await readFile(url, 'utf8') }
    } catch (e) {
      errors.push(`${url.pathname}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  throw new Error(`flowmark viewer asset not found (${errors.join('; ')}); is the package installed completely?`)
}

/**
 * The viewer's browser script (an ES module that defines the `<flowmark-graph>` custom element), as JavaScript text:
 * one minified file. From the sources it is bundled from `plugin/client/viewer.ts` and its modules (see
 * {@link bundleViewer}); from the built package it is `dist/client/viewer.js`, bundled by `npm run build`.
 * Include it once per HTML page with `<script type="module">` (see {@link inlineScript}).
 */
export function viewerScript(): Promise<string> {
  return (script ??= (async () => {
    if (import.meta.url.endsWith('.ts')) return (await bundleViewer()).trimEnd() + '\n'
    const { url, text } = await firstReadable([new URL('../client/viewer.js', import.meta.url)])
    if (/^\s*import\s|\bfrom\s*["']\.\.?\//m.test(text)) {
      throw new ViewerBundleError(
        `${url.pathname} imports other modules: it is tsc's output, not the bundled viewer; run \`npm run build\` (it bundles the viewer after tsc)`,
      )
    }
    return text.replace(/^\/\/# sourceMappingURL=.*$/m, '').trimEnd() + '\n'
  })())
}

/** The viewer's stylesheet (`plugin/client/style.css`): layout, controls, and the graph palette as CSS custom properties. */
export function viewerStyle(): Promise<string> {
  return (style ??= firstReadable([
    new URL('../client/style.css', import.meta.url),
    new URL('../../client/style.css', import.meta.url),
  ]).then((r) => r.text))
}

/** `<script type="module">` holding the viewer script, with `</script` sequences escaped so the text cannot end the element early. */
export async function inlineScript(): Promise<string> {
  return `<script type="module">${(await viewerScript()).replace(/<\/(script)/gi, '<\\/$1')}</script>`
}

/** `<style>` holding the viewer stylesheet. */
export async function inlineStyle(): Promise<string> {
  return `<style>${(await viewerStyle()).replace(/<\/(style)/gi, '<\\/$1')}</style>`
}
