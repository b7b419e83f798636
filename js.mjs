import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
await c.run(`create table o as select 'a' as s, date '2026-01-01' as d, 1.5::double as x`);
const q = process.argv[2];
const r = await c.runAndReadAll(`select json_serialize_sql(${"'" + q.replace(/'/g, "''") + "'"})`);
const drop = new Set(['query_location','cte_map','sample','order_bys','filter','distinct','is_operator','export_state','catalog','schema','named_param_map','group_sets','aggregate_handling','having','qualify','group_expressions']);
console.log(JSON.stringify(JSON.parse(r.getRows()[0][0]).statements[0].node.where_clause, (k, v) => drop.has(k) ? undefined : v));
for (const p of process.argv.slice(3)) { try { const st = await c.prepare(p); console.log(p, '=>', Array.from({length: st.parameterCount}, (_, i) => st.parameterType(i+1).toString())); } catch (e) { console.log(p, 'ERR', e.message.split('\n')[0]); } }
