import { guardSql } from './lib/query/sql-guard/index';
for (const s of process.argv.slice(2)) { try { console.log(JSON.stringify(guardSql(s as any, {} as any)).slice(0, 300)); } catch (e: any) { console.log(e.name, e.code, e.message); } }
