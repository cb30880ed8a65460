// The viewer's browser JavaScript and CSS as text, for inlining into pages or handing to a bundler.
import { readFile } from 'node:fs/promises'

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

async function toJavaScript(source: string, file: string): Promise<string> {
  try {
    const ts = await import('typescript')
    const api = ts.default ?? ts
    return api.transpileModule(source, {
      fileName: file,
      compilerOptions: { target: api.ScriptTarget.ES2022, module: api.ModuleKind.ESNext, removeComments: false, sourceMap: false },
    }).outputText
  } catch {
    const { stripTypeScriptTypes } = await import('node:module')
    return stripTypeScriptTypes(source, { mode: 'strip' })
  }
}

/**
 * The viewer's browser script (an ES module that defines the `<flowmark-graph>` custom element), as JavaScript text.
 * From the sources it is transpiled from `plugin/client/viewer.ts`; from the built package it is `dist/client/viewer.js`.
 * Include it once per HTML page with `<script type="module">` (see {@link inlineScript}).
 */
export function viewerScript(): Promise<string> {
  return (script ??= (async () => {
    const fromSource = import.meta.url.endsWith('.ts')
    const { url, text } = await firstReadable(fromSource
      ? [new URL('../client/viewer.ts', import.meta.url), new URL('../client/viewer.js', import.meta.url)]
      : [new URL('../client/viewer.js', import.meta.url), new URL('../client/viewer.ts', import.meta.url)])
    const js = url.pathname.endsWith('.ts') ? await toJavaScript(text, url.pathname) : text
    return js.replace(/^\/\/# sourceMappingURL=.*$/m, '').trimEnd() + '\n'
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
