// ESLint flat config: type-aware rules where mistakes are silent at runtime (a promise nobody
// awaits, a switch that forgot a state, code nobody calls), and the layers of
// docs/architecture.md as import boundaries. test/unit/layering.test.ts checks the same layers
// on the resolved import graph and adds the no-cycles rule.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https', 'net', 'stream', 'events', 'url'];

/** A relative import that lands in one of `folders` (no folder of the importing layer has these names). */
const into = (folders, message) => ({ regex: `^(\\.\\.?/)+(.+/)?(${folders.join('|')})(/|$)`, message });
const electron = { name: 'electron', message: 'Only main/app and preload may import electron.' };
const nodeBuiltins = [
  { regex: '^node:', message: 'No Node built-ins here: this code runs in the browser too.' },
  ...NODE_BUILTINS.map((name) => ({ regex: `^${name}(/|$)`, message: 'No Node built-ins here: this code runs in the browser too.' })),
];

/** One no-restricted-imports rule per layer: the arrows of docs/architecture.md, pointing down only. */
function layer(files, patterns, paths = []) {
  return { files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'test-results/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false, allowDefaultCaseForExhaustiveSwitch: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'no-unused-private-class-members': 'error',
      'no-unreachable': 'error',
    },
  },
  {
    // Plain JavaScript (this file, scripts/, bin/) is not in tsconfig: no type-aware rules there.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS by necessity: preloaded with `node -r` before any ESM loader exists.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**', 'test/unit/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  layer(
    ['shared/**'],
    [into(['main', 'renderer', 'preload', 'demo'], 'shared/ is the bottom layer: it imports nothing of the project.'), ...nodeBuiltins],
    [electron],
  ),
  layer(
    ['main/core/**'],
    [
      into(
        ['demo', 'app', 'cli', 'web', 'renderer', 'preload'],
        'main/core knows nothing of the hosts or the demo: they hand it what it needs.',
      ),
    ],
    [electron],
  ),
  layer(['main/cli/**'], [into(['app', 'web', 'renderer', 'preload'], 'A host imports main/core, shared and demo only.')], [electron]),
  layer(['main/web/**'], [into(['app', 'cli', 'renderer', 'preload'], 'A host imports main/core, shared and demo only.')], [electron]),
  layer(['main/app/**'], [into(['cli', 'web', 'renderer', 'preload'], 'The desktop app imports main/core, shared and demo only.')]),
  layer(['demo/**'], [into(['app', 'cli', 'web', 'renderer', 'preload'], 'The demo imports main/core and shared only.')], [electron]),
  layer(['preload/**'], [into(['main', 'renderer', 'demo'], 'preload speaks shared/api.ts only.')]),
  layer(
    ['renderer/**'],
    [into(['main', 'preload', 'demo'], 'The renderer talks to the API contract in shared/, never to main/.'), ...nodeBuiltins],
    [electron],
  ),
);
