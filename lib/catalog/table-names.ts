/**
 * The lake's table names by kind where a function runs. Locally (and unbundled) the tables in use, from schemas/ on
 * disk (./tables.ts; replaced when an edit of schemas/ passes the check). In Lambda, where schemas/ is not on disk,
 * from the environment serverless.yml gives the function, resolved from schemas/ when packaging
 * (resources/query-tables.cjs): LAKE_EVENT_TABLES and LAKE_DATASET_TABLES, comma-separated (empty: none of the kind).
 */
import { notInAwsBundle } from '../bundle-runtime';
import { runtime } from '../config';
import { lakeTables, type TableDef } from './tables';

type TableKind = TableDef['kind'];

const ENV: Record<TableKind, string> = { events: 'LAKE_EVENT_TABLES', dataset: 'LAKE_DATASET_TABLES' };

/** The names of the lake's tables of these kinds (events first, as schemas/ lists them). */
export function tableNames(kinds: readonly TableKind[] = ['events', 'dataset']): string[] {
  if (runtime() === 'local') return localTableNames(kinds);
  return (['events', 'dataset'] as const)
    .filter((k) => kinds.includes(k))
    .flatMap((k) => {
      const v = process.env[ENV[k]];
      if (v === undefined)
        throw new Error(
          `environment variable ${ENV[k]} is required (the lake's ${k === 'events' ? 'event' : 'dataset'} tables)`,
        );
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    });
}

function localTableNames(kinds: readonly TableKind[]): string[] {
  if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws')
    return lakeTables()
      .filter((t) => kinds.includes(t.kind))
      .map((t) => t.name);
  throw notInAwsBundle("local lake's table list");
}
