/**
 * A schema's fingerprint: what a generated validator records of the schema it was compiled from, and what the
 * registries compare before using it (lib/validators/lookup.ts) — a validator never serves a schema it was not made
 * from.
 */
import { createHash } from 'node:crypto';

export const schemaFingerprint = (schema: object): string =>
  createHash('sha256').update(JSON.stringify(schema)).digest('base64url');
