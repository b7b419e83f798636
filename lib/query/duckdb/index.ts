/**
 * The local query engine: DuckDB over the local lake, with Athena's asynchronous lifecycle. Only the local runtime
 * loads this module (lib/query/index.ts imports it lazily; serverless.yml keeps @duckdb/node-api out of bundles).
 *
 * engine.ts — DuckDbQueryEngine: the query lifecycle (queue, concurrency, timeouts, cancel, results).
 * views.ts — the lake's tables and the rejected store as views, rebuilt when their files change.
 * state.ts — each query's state on disk; queries a stopped process left unfinished read as FAILED.
 * results.ts — the results file and its pages.
 * scanned.ts — data scanned, from DuckDB's FileSystem log.
 * values.ts — DuckDB types and values as Athena's type names and JSON cells.
 * The sandboxed instance is ../duckdb-sandbox.ts; the rejected store's view, ../rejected-view.ts.
 */
export { DuckDbQueryEngine, type LocalQueryEngineOptions } from './engine';
export { formatMicros, toCell, trinoType } from './values';
