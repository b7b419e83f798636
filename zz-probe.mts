import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll("SELECT keyword_name, keyword_category FROM duckdb_keywords() WHERE keyword_category IN ('reserved','type_function') ORDER BY 2,1");
const rows = r.getRows();
const by: Record<string,string[]> = {};
for (const [k, cat] of rows) (by[cat as string] ??= []).push(k as string);
for (const [cat, ks] of Object.entries(by)) console.log(cat, ks.length, ks.join(' '));
// which fail in a plain select list / as a column def
const fails: string[] = [];
for (const [k] of (await c.runAndReadAll("SELECT keyword_name FROM duckdb_keywords() WHERE keyword_name SIMILAR TO '[a-z][a-z0-9_]*'")).getRows()) {
  try { await c.run(`SELECT ${k}, 1 AS x FROM (SELECT 1 AS "${k}") t ORDER BY ${k}`); await c.run(`SELECT CAST(${k} AS VARCHAR) AS ${k} FROM (SELECT 1 AS "${k}") t`); } catch { fails.push(k as string); }
}
console.log('fail', fails.length, fails.join(' '));
