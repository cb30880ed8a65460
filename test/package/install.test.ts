// Packs flowmark and @flowmark/docs, installs the tarballs into fresh projects as a consumer would, and builds each.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Slow by nature (npm pack runs both builds; each project is an npm install): about 4–8 minutes on 2 cores.
const repo = fileURLToPath(new URL('../../', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'flowmark-consumers-'))
const devVersion = (name: string): string => {
  const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  const range = root.devDependencies[name]
  if (range === undefined) throw new Error(`${name} is not a dev dependency of the repository`)
  return range
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command; never throws for a non-zero exit (the tests look at the code and the output). */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const clean: NodeJS.ProcessEnv = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0', ...env }
  // The consumer's processes are not tests of this run: no Vitest variables, no --conditions=source.
  for (const key of Object.keys(clean)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key === 'TEST') delete clean[key]
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd, env: clean, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}
const node = (args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) => run(process.execPath, args, cwd, env)
const npm = (args: readonly string[], cwd: string) => run('npm', args, cwd)

/** Writes files (paths relative to `dir`), creating folders. */
function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

/** A fresh project with `package.json` and the given packages installed (tarballs or registry specs). */
async function project(name: string, packages: readonly string[]): Promise<string> {
  const dir = join(tmp, name)
  write(dir, { 'package.json': JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2) })
  const installed = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], dir)
  expect(installed.code, `npm install in ${name}:\n${installed.stderr}`).toBe(0)
  return dir
}

function bytes(path: string): number {
  const s = statSync(path)
  return s.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + bytes(join(path, f)), 0) : s.size
}

let engineTgz = ''
let docsTgz = ''

beforeAll(async () => {
  // npm pack runs each package's prepack (its build); the engine first, since the toolchain's types import it.
  const packed = await npm(['pack', '--workspace', 'engine', '--workspace', 'plugin', '--pack-destination', tmp, '--json'], repo)
  expect(packed.code, packed.stderr).toBe(0)
  const names = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[]).map((p) => join(tmp, p.filename))
  engineTgz = names.find((n) => /flowmark-\d/.test(n) && !n.includes('docs')) ?? ''
  docsTgz = names.find((n) => n.includes('flowmark-docs-')) ?? ''
  expect(engineTgz).not.toBe('')
  expect(docsTgz).not.toBe('')
}, 600_000)

afterAll(async () => {
  // Several hundred MB of node_modules: removing them takes a while on a busy machine.
  if (process.env['FLOWMARK_KEEP_CONSUMERS'] === undefined) await rm(tmp, { recursive: true, force: true })
  else console.info(`consumer projects kept in ${tmp}`)
}, 300_000)

const ENGINE_SCRIPT = `import { Dispatcher } from 'flowmark'
const dsp = new Dispatcher({ name: 'demo' })
dsp.addData({ id: 'b', defaultValue: 2 })
dsp.addFunction({ id: 'add', fn: (a, b) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
const sol = dsp.dispatch({ a: 1 }, ['c'])
console.log(JSON.stringify({ c: sol.get('c'), keys: [...sol.keys()], kind: dsp.plot().pages[0].kind }))
`

describe('the engine alone', () => {
  it('installs one package with no dependencies, small, and runs', async () => {
    const dir = await project('engine', [engineTgz])
    const lock = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> }
    expect(Object.keys(lock.packages)).toEqual(['node_modules/flowmark'])
    const size = bytes(join(dir, 'node_modules'))
    console.info(`engine install: ${Object.keys(lock.packages).length} package, ${(size / 1024).toFixed(0)} KiB in node_modules`)
    expect(size).toBeLessThan(1024 * 1024)
    write(dir, { 'main.js': ENGINE_SCRIPT })
    const out = await node(['main.js'], dir)
    expect(out.stderr).toBe('')
    expect(JSON.parse(out.stdout)).toEqual({ c: 3, keys: ['a', 'b', 'c'], kind: 'dmap' })
    // The engine's floor is Node 20: a system Node (often older than the repository's Node 24) must run it too.
    for (const other of ['/usr/bin/node', '/usr/local/bin/node'].filter((p) => existsSync(p))) {
      const version = (await run(other, ['--version'], dir)).stdout.trim()
      if (Number(version.slice(1).split('.')[0]) < 20) continue
      const again = await run(other, ['main.js'], dir)
      expect(JSON.parse(again.stdout), `engine on ${other} ${version}: ${again.stderr}`).toEqual({
        c: 3,
        keys: ['a', 'b', 'c'],
        kind: 'dmap',
      })
      console.info(`engine ran on ${other} ${version}`)
    }
  }, 300_000)
})

// Types only: a strict project with no @types/node and no DOM library compiles against the engine's declarations.
const TYPED = `import { Dispatcher, type Solution, type Stopper, type SolutionOf } from 'flowmark'
const dsp = new Dispatcher<{ a: number; b: number; c: number }>({ name: 'typed' })
dsp.addData({ id: 'b', defaultValue: 2 })
dsp.addFunction({ id: 'add', fn: (a: number, b: number) => a + b, inputs: ['a', 'b'], outputs: ['c'] })
const stop: Stopper = { aborted: false }
const sol: SolutionOf<{ a: number; b: number; c: number }> = dsp.dispatch({ a: 1 }, ['c'], { stopper: stop })
const c: number | undefined = sol.get('c')
const plain: Solution = sol
export const result = [c, plain.size] as const
`
const TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: 'es2023',
      lib: ['es2023'],
      types: [],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: false,
      verbatimModuleSyntax: true,
    },
    include: ['index.ts'],
  },
  null,
  2,
)

describe.each([
  ['5', 'typescript@5'],
  ['6', `typescript@${devVersion('typescript')}`],
])('TypeScript %s, strict, no Node or DOM types', (_, spec) => {
  it('type-checks a typed model against the engine', async () => {
    const dir = await project(`ts${_}`, [engineTgz, spec])
    write(dir, { 'index.ts': TYPED, 'tsconfig.json': TSCONFIG })
    const tsc = await node([join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir)
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.code).toBe(0)
    if (_ !== '5') return
    // The toolchain's TypeScript peer is satisfied by 5.x too: its doctest runner parses examples with it.
    const added = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', docsTgz], dir)
    expect(added.code, added.stderr).toBe(0)
    const ts = JSON.parse(readFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }
    expect(ts.version).toMatch(/^5\./)
    write(dir, { 'docs/page.md': PAGE('flowmark'), 'docs/broken.md': BROKEN })
    const doctest = await run(join(dir, 'node_modules', '.bin', 'flowmark-docs'), ['doctest', 'docs'], dir)
    expect(doctest.stdout).toMatch(/broken\.md:8:1 error/)
    expect(doctest.stdout).toMatch(/\d+ passed, 1 failed/)
    expect(doctest.code).toBe(1)
  }, 300_000)
})

const PAGE = (from: string) => `---
title: Consumer page
---

A model and its graph.

\`\`\`ts
> import { Dispatcher } from '${from}'
> const dsp = new Dispatcher({ name: 'consumer' })
> dsp.addFunction({ id: 'double', fn: (x: number) => 2 * x, inputs: ['x'], outputs: ['y'] })
'double'
> dsp.dispatch({ x: 21 }).get('y')
42
\`\`\`

::dispatcher{name=dsp}
`
/** A page whose only statement (line 8 of the file) has a wrong expected output. */
const BROKEN = `---
title: Broken page
---

Wrong expected output below.

\`\`\`ts
> 1 + 1
3
\`\`\`
`
const BROKEN_LINE = 8

describe('the docs toolchain in fresh projects', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await project('docs', [
      engineTgz,
      docsTgz,
      `astro@${devVersion('astro')}`,
      `@astrojs/starlight@${devVersion('@astrojs/starlight')}`,
      `vitest@${devVersion('vitest')}`,
      'unified@11',
      'remark-parse@11',
      'remark-directive@4',
      'remark-rehype@11',
      'rehype-stringify@10',
    ])
  }, 600_000)

  it('a plain Astro site draws the graph, and a failing example fails the build once, at file:line', async () => {
    const site = join(dir, 'astro-site')
    write(site, {
      'astro.config.mjs': "import flowmark from '@flowmark/docs/astro'\nexport default { integrations: [flowmark()] }\n",
      'src/pages/index.md': PAGE('flowmark'),
    })
    const built = await node([join(dir, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--root', site], dir)
    expect(built.code, built.stdout + built.stderr).toBe(0)
    const html = readFileSync(join(site, 'dist', 'index.html'), 'utf8')
    expect(html).toContain('<flowmark-graph')
    expect(html).toMatch(/<svg[^>]* viewBox=/)
    expect(html).toMatch(/\/_flowmark\/viewer\.[0-9a-f]{10}\.js/)

    write(site, { 'src/pages/broken.md': BROKEN })
    const failed = await node([join(dir, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--root', site], dir)
    const output = failed.stdout + failed.stderr
    expect(failed.code).not.toBe(0)
    expect(output).toContain(`src/pages/broken.md:${BROKEN_LINE}:1`)
    // Reported cleanly: the failure list, without Astro's "unhandled error" report and a stack into Astro.
    expect(output).toContain('flowmark: 1 example failed in 1 page:')
    expect(output).not.toMatch(/unhandled error occurred/i)
    expect(output).not.toMatch(/Stack trace|\n\s+at .*node_modules\/astro/)
  }, 600_000)

  it('a Starlight site draws the graph', async () => {
    const site = join(dir, 'starlight-site')
    write(site, {
      'astro.config.mjs': [
        "import starlight from '@astrojs/starlight'",
        "import { starlightFlowmark } from '@flowmark/docs/astro'",
        "export default { integrations: [starlight({ title: 'Consumer', pagefind: false, plugins: [starlightFlowmark()] })] }",
        '',
      ].join('\n'),
      'src/content.config.ts': [
        "import { defineCollection } from 'astro:content'",
        "import { docsLoader } from '@astrojs/starlight/loaders'",
        "import { docsSchema } from '@astrojs/starlight/schema'",
        'export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) }',
        '',
      ].join('\n'),
      'src/content/docs/index.md': PAGE('flowmark'),
    })
    const built = await node([join(dir, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--root', site], dir)
    expect(built.code, built.stdout + built.stderr).toBe(0)
    const html = readFileSync(join(site, 'dist', 'index.html'), 'utf8')
    expect(html).toContain('<flowmark-graph')
    expect(html).toMatch(/<svg[^>]* viewBox=/)
  }, 600_000)

  it('a default unified pipeline keeps the graph; the viewer is added with inlineScript/inlineStyle', async () => {
    write(dir, {
      'unified/page.md': PAGE('flowmark'),
      'unified/broken.md': BROKEN,
      'unified/build.js': `import { readFile } from 'node:fs/promises'
import { unified } from 'unified'
import remarkParse from 'remark-parse'
import remarkDirective from 'remark-directive'
import remarkRehype from 'remark-rehype'
import rehypeStringify from 'rehype-stringify'
import { VFile } from 'vfile'
import remarkDispatcher from '@flowmark/docs/remark'
import { inlineScript, inlineStyle } from '@flowmark/docs/render'

const processor = unified().use(remarkParse).use(remarkDirective).use(remarkDispatcher).use(remarkRehype).use(rehypeStringify)
const path = new URL(process.argv[2], import.meta.url).pathname
try {
  const body = String(await processor.process(new VFile({ path, value: await readFile(path, 'utf8') })))
  console.log(\`<!doctype html><html><head>\${await inlineStyle()}</head><body>\${body}\${await inlineScript()}</body></html>\`)
} catch (error) {
  console.error(\`\${error.file}:\${error.line}:\${error.column} \${error.reason}\`)
  process.exitCode = 1
}
`,
    })
    const ok = await node(['unified/build.js', './page.md'], dir)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('<flowmark-graph')
    expect(ok.stdout).toMatch(/<svg[^>]* viewBox=/)
    expect(ok.stdout).toContain('<script type="module">')
    expect(ok.stdout).toContain('customElements')
    const bad = await node(['unified/build.js', './broken.md'], dir)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`broken.md:${BROKEN_LINE}:1`)
  }, 300_000)

  it('Vitest runs each example as a test and reports a failure at file:line', async () => {
    write(dir, {
      'vitest/docs/page.md': PAGE('flowmark'),
      'vitest/docs/broken.md': BROKEN,
      'vitest/doctests.test.ts': "import { describeDoctests } from '@flowmark/docs/doctest/vitest'\ndescribeDoctests('docs/**/*.md')\n",
    })
    const tested = await node([join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], join(dir, 'vitest'))
    const output = tested.stdout + tested.stderr
    expect(tested.code, output).toBe(1)
    expect(output).toContain(`broken.md:${BROKEN_LINE}:1`)
    expect(output).toMatch(/Tests\s+\d+ failed \| \d+ passed/)
    expect(output).not.toMatch(/Tests\s+\d+ failed \| 0 passed/)
  }, 300_000)

  it('the flowmark-docs bin answers --version and runs doctest', async () => {
    const version = await run(join(dir, 'node_modules', '.bin', 'flowmark-docs'), ['--version'], dir)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const doctest = await run(join(dir, 'node_modules', '.bin', 'flowmark-docs'), ['doctest', 'vitest/docs'], dir)
    expect(doctest.code).toBe(1)
    expect(doctest.stdout + doctest.stderr).toContain(`broken.md:${BROKEN_LINE}:1`)
  }, 300_000)
})
