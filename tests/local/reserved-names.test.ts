/**
 * The names lib/catalog/reserved-names.ts refuses for DuckDB are the engine's own: the keywords the DuckDB the lake
 * runs reserves (categories reserved and type_function), none missing, none invented; and such a name does fail
 * where the plans write it, bare, while the words the list leaves out read as column names.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { RESERVED_BY, reservedBy } from '../../lib/catalog/reserved-names';

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});

const keywords = async (where: string) =>
  (await conn.runAndReadAll(`SELECT keyword_name FROM duckdb_keywords() WHERE ${where} ORDER BY 1`))
    .getRows()
    .map(([k]) => String(k));

/** Whether DuckDB reads `name` as a column where the plans put one: in a select list, a cast, an ORDER BY. */
async function readsBare(name: string): Promise<boolean> {
  try {
    await conn.run(
      `SELECT ${name}, CAST(${name} AS VARCHAR) AS ${name}_text FROM (SELECT 1 AS "${name}") t ORDER BY ${name}`,
    );
    return true;
  } catch {
    return false;
  }
}

describe('reserved names', () => {
  it("DuckDB's: its keywords of categories reserved and type_function, exactly", async () => {
    const engine = await keywords("keyword_category IN ('reserved', 'type_function')");
    expect([...RESERVED_BY.DuckDB!].sort()).toEqual(engine);
  });

  it('every word DuckDB cannot read bare is refused; its other keywords are not', async () => {
    const failing: string[] = [];
    for (const k of await keywords("regexp_full_match(keyword_name, '[a-z][a-z0-9_]*')"))
      if (!(await readsBare(k))) failing.push(k);
    expect(failing.length).toBeGreaterThan(50);
    expect(failing.filter((k) => !RESERVED_BY.DuckDB!.has(k))).toEqual([]);
    for (const k of ['year', 'day', 'name', 'value', 'type', 'status', 'data']) {
      expect(await readsBare(k)).toBe(true);
      expect(reservedBy(k)).toEqual([]);
    }
    expect(reservedBy('at')).toEqual(['DuckDB']);
    expect(reservedBy('select')).toEqual(['DuckDB', 'Athena (Trino)']);
  });
});
