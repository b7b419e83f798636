/**
 * Arguments Trino takes as integers only (a bigint or an integer: a count, a position, a length, an amount of a
 * unit). A decimal or a double there has no implicit cast to them in Trino (TypeCoercion: decimal to real and double
 * only), so Athena fails the call; DuckDB casts it and rounds (date_add('day', 1.6e0, d) added two days, chr(65.5)
 * was 'B'). The macros give Athena's failure instead.
 */

/** DuckDB's integer types (and the NULL literal's), by typeof: those of a value Trino would hold as an integer. */
const INTEGER_TYPES =
  "('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', '\"NULL\"')";

/** `body`, or Athena's failure of `fn` when one of `params` (macro parameters) is not an integer. */
export function integerArguments(fn: string, params: readonly string[], body: string): string {
  const notInteger = params.map((p) => `typeof(${p}) NOT IN ${INTEGER_TYPES}`).join(' OR ');
  const types = params.map((p) => `lower(typeof(${p}))`).join(" || ', ' || ");
  return (
    `CASE WHEN ${notInteger} THEN error('Unexpected parameters for function ${fn}: Athena (Trino) takes an ` +
    `integer ${params.join(', ')} here, not ' || ${types} || ', and fails the query; DuckDB would round it. Cast ` +
    `it: CAST(x AS bigint)') ELSE ${body} END`
  );
}
