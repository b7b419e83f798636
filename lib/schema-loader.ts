/**
 * Loading the lake's JSON Schemas (schemas/), shared by the event and dataset registries. Their validators are
 * generated at build time (lib/validators/); the schemas are checked against the 2020-12 meta-schema by the tests
 * (tests/unit/schemas.test.ts), not at every cold start.
 */
import type { RecordedRenames } from './catalog/former-names';

/**
 * A schema from schemas/<kind>/<name>.json, or null if there is none. `name` must already be a checked identifier
 * (it is part of a path). One templated `require`: esbuild bundles every schema in schemas/<kind>/ as a glob.
 */
export function loadSchema(kind: 'events' | 'datasets', name: string): object | null {
  if (snapshot) return snapshot[kind].get(name) ?? null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`../schemas/${kind}/${name}.json`) as object;
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new Error(`schemas/${kind}/${name}.json is not valid JSON: ${e.message}`);
    return null; // not registered (MODULE_NOT_FOUND, or "not found in bundle" once bundled)
  }
}

/**
 * A table's recorded history, or null if it has none. Bundled as the schemas are (a templated `require`): a rename of
 * a renamed column (C from B, after B from A was recorded) keeps taking A at ingest and in uploads.
 */
export function loadHistory(name: string): RecordedRenames | null {
  if (snapshot) return (snapshot.histories?.get(name) as RecordedRenames | undefined) ?? null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`../schemas/history/${name}.json`) as RecordedRenames;
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new Error(`schemas/history/${name}.json is not valid JSON: ${e.message}`);
    return null;
  }
}

/**
 * The schemas the local lake runs on, set by it (local/schemas-follower.ts) when schemas/ passes the check: the
 * registries then serve these, not the files on disk, so an edit that the check refuses never takes effect (the
 * lake keeps the last good set), and one that passes does without a restart. Unset (Lambda): schemas/ as bundled.
 */
let snapshot: SchemaSnapshot | undefined;

/** The schemas in use, and the recorded histories (absent: none, as for schemas no history was recorded for). */
export interface SchemaSnapshot {
  events: Map<string, object>;
  datasets: Map<string, object>;
  histories?: Map<string, object>;
}
let generation = 0;

export function useSchemaSnapshot(next: SchemaSnapshot): void {
  snapshot = next;
  generation++;
}

/** The schemas set by useSchemaSnapshot, if any (the local lake hands them to its function workers). */
export const schemaSnapshot = () => snapshot;

/** Changes whenever the schemas in use change: the registries drop what they compiled from older ones. */
export const schemaGeneration = () => generation;
