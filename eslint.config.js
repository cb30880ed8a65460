// ESLint flat config: typed typescript-eslint rules for the sources, tests and benchmarks, and the import direction site → plugin → engine.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

/** Why a folder's imports are limited: shown with every finding of `no-restricted-imports`. */
const DIRECTION = 'The layers import downwards only: site → plugin → engine (see test/*/structure.test.ts).'

/**
 * `no-restricted-imports` patterns that keep a file of `folder` (at `depth` folders below it) from reaching outside
 * the folder by a relative path: a relative specifier with more `../` than the file is deep leaves the folder.
 */
function staysInside(folder, depth) {
  return { regex: `^(\\.\\./){${depth + 1},}`, message: `Imports from outside ${folder}/ go through a package name. ${DIRECTION}` }
}

/**
 * One config block per nesting depth of `folder` (files directly in it, one folder down, …): each forbids the relative
 * paths that leave the folder, plus `extra` patterns.
 */
function layer(folder, extra) {
  return [0, 1, 2, 3].map((depth) => ({
    files: [`${folder}/${'*/'.repeat(depth)}*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [staysInside(folder, depth), ...extra] }] },
  }))
}

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/.astro/**',
    '**/__actual__/**',
    // Fixtures are test inputs (hostile doc comments, broken models, generated sites): their text is the point.
    'fixtures/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.json covers engine/, plugin/, test/, bench/; the few files outside it use a default project.
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'site/*.ts', 'site/content/docs/*/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, destructured-away fields).
      // Destructuring a field away (`const { signal, ...rest } = options`) is how a copy drops it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Control characters in regular expressions are deliberate here (13 places): the SVG, DOT and HTML escapers remove
      // the ones XML 1.0 forbids, and the CLI tests look for terminal escapes.
      'no-control-regex': 'off',
      // The code declares no enums (erasableSyntaxOnly); the only ones are TypeScript's bit flags (ts.NodeFlags), where
      // masking gives a number that is compared with a member.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Tests and benchmarks write `async` functions without `await` on purpose: the engine must accept functions that
    // return promises, and Vitest's callbacks read the same whether or not they wait.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      // Tests read back what they wrote (`JSON.parse` of a CLI's output, a plot's JSON) and match with Vitest's
      // asymmetric matchers, both typed `any`; the assertions that follow are the type check.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Tests hand the engine methods on their own (`addFunc(obj.m)`) to check how it calls them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // The engine is the ground floor: no package but Node's built-ins (only in its CLI and file loader, which the structure
  // test checks), nothing from plugin/ or site/.
  ...layer('engine', [{ regex: '^(?!\\.|node:)', message: `The engine has no dependencies. ${DIRECTION}` }]),
  // The optional extras may import their optional peers (and nothing else): the worker executor its pool, the web
  // service Hono and its Node adapter. The structure test checks that the main entry reaches neither.
  {
    files: ['engine/workers/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            staysInside('engine', 1),
            { regex: '^(?!\\.|node:|piscina$)', message: `engine/workers/ may import only its optional peer piscina. ${DIRECTION}` },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/server/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            staysInside('engine', 1),
            {
              regex: '^(?!\\.|node:|hono(/[\\w-]+)?$|@hono/node-server$)',
              message: `engine/server/ may import only its optional peers hono and @hono/node-server. ${DIRECTION}`,
            },
          ],
        },
      ],
    },
  },
  // The plugin sees the engine only through its public entries, `flowmark` and `flowmark/*`.
  ...layer('plugin', [{ regex: '^@flowmark/', message: `plugin/ imports its own modules by relative path. ${DIRECTION}` }]),
  // Browser code: no Node built-ins.
  {
    files: ['plugin/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            staysInside('plugin', 1),
            { regex: '^node:', message: 'plugin/client/ runs in the browser: no Node built-ins.' },
            { regex: '^flowmark/', message: 'plugin/client/ sees the engine only as the types of `flowmark`.' },
          ],
        },
      ],
    },
  },
  {
    files: ['site/**/*.ts', 'astro.config.mjs'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)*(engine|plugin)/',
              message: `The site uses the packages by name (flowmark, @flowmark/docs/*). ${DIRECTION}`,
            },
          ],
        },
      ],
    },
  },
  {
    // `astro:content` is a virtual module, typed only once `astro sync` has written .astro/: no types to check against.
    files: ['site/content.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain JavaScript config files: no type information to check against.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
)
