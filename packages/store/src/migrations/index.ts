import { migration001 } from './001_initial.ts';
import { migration003 } from './003_comparisons.ts';
import { migration004 } from './004_unique_token_names.ts';
import { migration005 } from './005_project_policies.ts';
import { migration007 } from './007_history_runs.ts';
import type { Migration } from './migration.ts';

/** Every migration this code knows, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration003,
  migration004,
  migration005,
  migration007,
];

export { DEFAULT_PROJECT_ID } from './001_initial.ts';
