/**
 * The words beside an ETL figure's "N written", which counts keys new to a table: a row whose key the table had (or
 * that came twice) replaced or kept the stored one, in a partition the run rewrote. Said, so that an update file's or
 * a rebuild's "0 written" does not read as nothing done. Empty for none.
 */
export const duplicateKeysText = (n: number): string =>
  n > 0 ? `${n} duplicate key(s) (stored rows kept or replaced)` : '';

/** The duplicate keys of a run's or a result's tables (their duplicatesRemoved), whatever shape they came in. */
export const duplicatesOf = (tables: unknown): number =>
  Array.isArray(tables)
    ? tables.reduce<number>(
        (n, t) => n + Number((t as { duplicatesRemoved?: unknown })?.duplicatesRemoved ?? 0),
        0,
      )
    : 0;
