/** The shape of a dialect macro (./macros.ts and the files of each function family). */
export interface CompatFunction {
  /** Trino signature, for the documentation. */
  signature: string;
  /** The DuckDB macro (body of CREATE TEMP MACRO name(...) AS ...), or how the rewrite maps it. */
  duckdb: string;
  note?: string;
}

/** name → parameter lists and bodies (overloads by arity). */
export interface MacroDef {
  name: string;
  overloads: { params: string[]; body: string }[];
  doc: CompatFunction[];
}
