import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', '.cache/', 'helm/', 'terraform/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@app/*/src/*', '**/libs/*/src/*'],
              message: 'Import libraries through their barrel (@app/<lib>).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**'], message: 'A library never imports an app.' }] },
      ],
    },
  },
  {
    // The pure half of the jobs library: a reader (and this rule) can rely on it doing no I/O.
    files: ['libs/jobs-domain/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/**'], message: 'A library never imports an app.' },
            {
              group: [
                '@aws-sdk/*',
                '@app/aws-clients',
                '**/persistence/*.repository',
                '**/persistence/jobs-table',
                '**/messaging/*',
              ],
              message:
                'domain/ is pure: no AWS clients, repositories or their types (persistence/, messaging/).',
            },
          ],
        },
      ],
    },
  },
  {
    // The web app runs in the browser, not in Node.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.jest } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
