/** Rows the ETL rejected, with their reason: SQL over lake_rejected through the query API. */
import type { LakeApi } from '../lib/api';
import { ErrorBox } from './ErrorBox';
import { ResultTable } from './ResultTable';
import { useQueryOutcome } from './use-query-outcome';

export const REJECTED_SQL =
  'SELECT rejected_at, table_name, source_file, reason, raw_record, run_id\nFROM lake_rejected\nORDER BY rejected_at DESC\nLIMIT 50';

/** `round`: read again when it changes (the page's Refresh). */
export function RejectedRowsSection({
  api,
  onQuery,
  round = 0,
}: {
  api: LakeApi;
  onQuery: (sql: string) => void;
  round?: number;
}) {
  const rows = useQueryOutcome(api, REJECTED_SQL, 50, [api, round]);
  const page = rows.data?.page;
  return (
    <section aria-labelledby="rejected-title">
      <h2 id="rejected-title">
        Rejected rows{' '}
        <button type="button" class="link" onClick={() => onQuery(REJECTED_SQL)}>
          open in Query
        </button>
      </h2>
      {rows.loading ? <p role="status">Reading lake_rejected…</p> : null}
      <ErrorBox error={rows.error} title="Could not read the rejected rows" />
      {rows.data && rows.data.status.state !== 'SUCCEEDED' ? (
        <p class="error">{rows.data.status.reason ?? rows.data.status.state}</p>
      ) : null}
      {page && page.rows.length === 0 ? <p class="muted">No row was rejected.</p> : null}
      {page && page.rows.length ? (
        <ResultTable
          columns={page.columns}
          rows={page.rows}
          caption="latest 50 rejected rows"
          testId="rejected-rows"
        />
      ) : null}
    </section>
  );
}
