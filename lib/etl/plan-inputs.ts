/**
 * The input columns of an ETL plan (./plan.ts): a retired column read without its rules, and no two columns reading
 * one input name.
 */
import type { ColumnDef } from '../catalog/tables';
import { VALUE_RULE_KEYS } from '../catalog/value-rules';

/** Two columns that read one name of the input (refuseSharedPaths), with their names. */
export class SharedInputPathError extends Error {
  override name = 'SharedInputPathError';
  constructor(
    message: string,
    readonly columns: [string, string],
  ) {
    super(message);
  }
}

/**
 * Refuses two columns that read one name of the input, or one a name inside the other's value (data.a and
 * data.a.b): a column renamed from one still in the schema, two renamed from one name. The readers could not tell
 * whose value it is (read_json's columns, Spark's read schema).
 */
export function refuseSharedPaths(table: string, paths: { path: string[]; owner: string }[]): void {
  for (const [i, a] of paths.entries())
    for (const b of paths.slice(i + 1)) {
      const n = Math.min(a.path.length, b.path.length);
      if (a.owner === b.owner || a.path.slice(0, n).join('\u0000') !== b.path.slice(0, n).join('\u0000'))
        continue;
      throw new SharedInputPathError(
        `${table}: columns ${a.owner} and ${b.owner} both read ${(a.path.length <= b.path.length ? a : b).path.join('.')} ` +
          'of the input (a column renamed from one still in the schema, or two renamed from one name): one column ' +
          'reads each name; rename from a name no column has',
        [a.owner, b.owner],
      );
    }
}

/**
 * A retired column as the ETL types it: its rules (recorded with it, for a column that comes back) reject no row —
 * what breaks them is stored as NULL instead (./plan.ts retiredRules).
 */
export function withoutValueRules(c: ColumnDef): ColumnDef {
  const out: ColumnDef = { ...c };
  for (const k of VALUE_RULE_KEYS) delete out[k];
  return out;
}
