// Bundles the viewer's browser modules (plugin/client/*.ts) into the one minified ES module that pages load.
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Raised when the viewer cannot be bundled (esbuild missing, or a compile error in plugin/client). */
export class ViewerBundleError extends FlowmarkPluginError {
  static {
    nameError(this, 'ViewerBundleError')
  }
}

/**
 * The viewer as one minified ES module (exports `FlowmarkGraph`, defines `<flowmark-graph>`), bundled with esbuild from
 * `plugin/client/viewer.ts` and the modules it imports. Used from the sources (the repository, `--conditions=source`)
 * and by `npm run build`, which writes the result over `dist/client/viewer.js`; the published package ships that
 * file and never loads esbuild.
 * @param entry The viewer's entry module (default: `plugin/client/viewer.ts` beside this folder).
 */
export async function bundleViewer(entry: URL = new URL('../client/viewer.ts', import.meta.url)): Promise<string> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch (e) {
    throw new ViewerBundleError(
      `bundling the viewer from ${fileURLToPath(entry)} needs esbuild (${e instanceof Error ? e.message : String(e)}); install it with \`npm install -D esbuild\`, or use the built package, whose dist/client/viewer.js is bundled already`,
    )
  }
  try {
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      charset: 'utf8',
      write: false,
      logLevel: 'silent',
    })
    const file = result.outputFiles[0]
    if (file === undefined) throw new Error('esbuild wrote no output file')
    return file.text
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors
    const detail = errors
      ?.map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`)
      .join('; ')
    throw new ViewerBundleError(
      `could not bundle the viewer from ${fileURLToPath(entry)}: ${detail ?? (e instanceof Error ? e.message : String(e))}; fix the error in plugin/client`,
      { cause: e },
    )
  }
}

// `node plugin/render/viewer-bundle.ts <out file>` (npm run build): writes the bundle.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2]
  if (out === undefined) {
    console.error('usage: node --conditions=source plugin/render/viewer-bundle.ts <output file>')
    process.exitCode = 2
  } else {
    const js = await bundleViewer()
    await writeFile(out, js)
    console.log(`viewer bundled: ${out} (${js.length} bytes)`)
  }
}
