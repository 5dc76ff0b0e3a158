// Lint: type-aware TypeScript rules plus the module boundaries of docs/architecture.md.
import importX, { createNodeResolver } from 'eslint-plugin-import-x'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

/**
 * The "may import" column of docs/architecture.md's folder table: which of our folders each
 * folder under src/ may import ('*': any). Enforced below as import-x/no-restricted-paths zones;
 * a change of the architecture changes this table and the doc together.
 */
export const mayImport = {
  platform: [],
  db: ['platform'],
  contract: [],
  catalog: ['platform', 'db', 'contract'],
  landscape: ['catalog', 'platform', 'db', 'contract'],
  practice: ['catalog', 'landscape', 'platform', 'db', 'contract'],
  auth: ['platform', 'db', 'contract'],
  policy: ['catalog', 'auth', 'platform', 'db', 'contract'],
  data: ['catalog', 'platform', 'db', 'contract'],
  // data declares the TransferQueue port that transfers implements: data never imports transfers
  transfers: ['data', 'auth', 'platform', 'db', 'contract'],
  workflows: [
    'executors',
    'cwl',
    'catalog',
    'landscape',
    'policy',
    'data',
    'transfers',
    'platform',
    'db',
    'contract',
  ],
  // what-if planning: the Run face's pure decisions (data, transfers, workflows) on a virtual clock
  simulate: ['data', 'transfers', 'workflows', 'landscape', 'platform', 'contract'],
  executors: ['platform'],
  // CWL: documents, expressions, local runs; the engine builds CWL tasks' commands with it
  cwl: ['platform'],
  api: '*',
  client: ['platform', 'contract'],
  // commands/server-commands.ts (serve, worker, migrate, demo) is the one exception, below
  cli: ['client', 'contract', 'platform', 'cwl'],
  worker: '*',
}

const folders = Object.keys(mayImport)
const zones = folders
  .filter((folder) => mayImport[folder] !== '*')
  .map((folder) => ({
    target: `./src/${folder}`,
    from: folders
      .filter((other) => other !== folder && !mayImport[folder].includes(other))
      .map((other) => `./src/${other}`),
    message: `src/${folder}/ may import only ${mayImport[folder].join(', ') || 'nothing of ours'} (docs/architecture.md).`,
  }))

/** Relative imports name the built file (`./x.js`); the linter must find the source (`x.ts`). */
const typescriptResolver = createNodeResolver({
  extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.node'],
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
})

const otherDomainInternals = {
  regex: '^\\.\\.(/\\.\\.)*/[a-z-]+/(?!index\\.js$)',
  message: 'Import another domain through its index.ts, never its insides.',
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'web/dist/**',
      'tmp/**',
      '.continuum/**',
      'test-output/**',
      '.dist-*/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/ignore': ['node_modules'],
      // Without these import-x skips .ts dependencies: no-cycle then sees no edges at all.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [typescriptResolver],
    },
    rules: {
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'describe',
                'it',
                'test',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [otherDomainInternals] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/cli/commands/server-commands.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*/**'], message: 'platform/ imports no domain.' }] },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/**', '!../platform/index.js'], message: 'db/ imports only platform/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/**'],
              message: 'contract/ is a leaf: the client and the browser import it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/client/**/*.ts', 'src/cli/**/*.ts'],
    // The embedded runners: the server commands, and the CWL runner (no server at all).
    ignores: ['src/cli/commands/server-commands.ts', 'src/cli/commands/cwl-runner.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(\\.\\./)+(?!(client|contract|platform)/index\\.js$|platform/(browser|version|config)\\.js$|contract/closed-sets\\.js$)[a-z-]+/',
              message:
                'The client and the CLI reach the system only over HTTP: import client/, contract/ or platform/ (index.js; platform/browser.js, config.js, version.js and contract/closed-sets.js load less).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!client/index\\.js$)',
              message:
                'The dashboard reaches the system only through the typed client (src/client).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
