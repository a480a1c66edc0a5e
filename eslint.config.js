// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.data/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'no-console': 'error',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // the layering rules of DESIGN.md: an adapter never imports mongodb, a flow never imports a channel SDK
    },
  },
  {
    files: ['flows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['mongodb', 'agenda', '@agendajs/*', 'grammy', 'telegraf', '@slack/*'], message: 'flows/ and src/domain/ are pure: no database or channel SDK imports' },
        { group: ['**/store/**', '**/adapters/**', '**/jobs/**'], message: 'flows/ and src/domain/ must not depend on store, jobs or adapters' },
      ] }],
    },
  },
  {
    files: ['adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['mongodb', '**/store/**'], message: 'adapters never touch the database: go through the flow runner' },
      ] }],
    },
  },
  {
    files: ['src/store/local/cli.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // the web chat page's script: plain browser JavaScript served as is (no build, no type information)
    files: ['adapters/web/**/page/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'script' },
  },
);
