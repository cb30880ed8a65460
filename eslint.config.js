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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The engine is the ground floor: no package but Node's built-ins (only in its CLI and file loader, which the structure
  // test checks), nothing from plugin/ or site/.
  ...layer('engine', [{ regex: '^(?!\\.|node:)', message: `The engine has no dependencies. ${DIRECTION}` }]),
  // The plugin sees the engine only through its public entries, `flowmark` and `flowmark/*`.
  ...layer('plugin', [{ regex: '^@flowmark/', message: `plugin/ imports its own modules by relative path. ${DIRECTION}` }]),
  // Browser code: no Node built-ins.
  {
    files: ['plugin/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        staysInside('plugin', 1),
        { regex: '^node:', message: 'plugin/client/ runs in the browser: no Node built-ins.' },
        { regex: '^flowmark/', message: 'plugin/client/ sees the engine only as the types of `flowmark`.' },
      ] }],
    },
  },
  {
    files: ['site/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(\\.\\./)*(engine|plugin)/', message: `The site uses the packages by name (flowmark, @flowmark/docs/*). ${DIRECTION}` },
      ] }],
    },
  },
  {
    // Plain JavaScript config files: no type information to check against.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
