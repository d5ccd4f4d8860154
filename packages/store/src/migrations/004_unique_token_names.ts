import { ddl, type Migration } from './migration.ts';

// API token names are unique among live (unrevoked) tokens, so a name says which token it is.
// Live duplicates made before this migration keep working: all but the oldest get their id
// appended to their name.
const SCHEMA = `
UPDATE api_tokens SET name = name || ' (' || id || ')'
  WHERE revoked_at_ms IS NULL AND id NOT IN (
    SELECT MIN(id) FROM api_tokens WHERE revoked_at_ms IS NULL GROUP BY name
  );
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at_ms IS NULL
`;

/** Migration 004: unique names of live API tokens. */
export const migration004: Migration = {
  version: 4,
  name: 'unique_token_names',
  up: ({ dialect }) => ddl(dialect, SCHEMA),
};
