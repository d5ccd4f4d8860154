// Lint rules, including the dependency direction of ARCHITECTURE.md: each package may import
// only the packages listed for it there.
import tseslint from 'typescript-eslint';

/** Which internal packages each package may import (ARCHITECTURE.md, "Layout and dependency direction"). */
const allowed = {
  protocol: [],
  engine: ['protocol'],
  store: ['protocol'],
  analysis: ['protocol'],
  agent: ['protocol', 'engine'],
  controller: ['protocol', 'store', 'engine', 'analysis', 'web'],
  web: ['protocol'],
  cli: ['protocol', 'engine', 'store', 'analysis', 'agent', 'controller', 'web'],
};
const all = Object.keys(allowed);

const direction = Object.entries(allowed).map(([pkg, deps]) => {
  const forbidden = all.filter((p) => p !== pkg && !deps.includes(p));
  return {
    files: [`packages/${pkg}/**/*.{ts,tsx,js}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((p) => ({
              group: [`@stampede/${p}`, `@stampede/${p}/*`],
              message: `packages/${pkg} must not import @stampede/${p} (see ARCHITECTURE.md).`,
            })),
            {
              group: ['../../*/src/*', '../../../*/src/*', '**/packages/*/src/*'],
              message: 'Import other packages by their name (@stampede/…), never by relative path.',
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/testdata/**',
      'bench/out/**',
      '.stampede/**',
      'packages/web/dist/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  ...direction,
);
