/** Quarantined uploads (GET /uploads/quarantine), newest first, each with the reason it was refused. */
import type { LakeApi } from '../lib/api';
import { formatBytes, formatTime } from '../lib/format';
import { ErrorBox } from './ErrorBox';
import { usePagedList } from './use-paged-list';
import { DataTable } from './DataTable';

/** `round`: read again when it changes (the page's Refresh). */
export function QuarantineSection({ api, round = 0 }: { api: LakeApi; round?: number }) {
  const list = usePagedList((nextToken) => api.quarantine({ limit: 50, nextToken }), [api, round]);
  const { items, next, loadMore } = list;
  return (
    <section aria-labelledby="quarantine-title">
      <h2 id="quarantine-title">Quarantined uploads</h2>
      <ErrorBox error={list.error} title="Could not list the quarantine" />
      {list.loaded && items.length === 0 ? <p class="muted">No upload was refused.</p> : null}
      {items.length ? (
        <DataTable
          label="quarantined uploads"
          testId="quarantine"
          columns={[
            { label: 'File' },
            { label: 'Dataset' },
            { label: 'Quarantined' },
            { label: 'Size', num: true },
            { label: 'Reason' },
          ]}
        >
          {items.map((q) => (
            <tr key={q.key}>
              <td>
                <code>{q.key}</code>
              </td>
              <td>{q.dataset ?? '–'}</td>
              <td>{formatTime(q.quarantinedAt)}</td>
              <td class="num">{formatBytes(q.size)}</td>
              <td>
                <code class="code-tag">{q.reason.code}</code> {q.reason.message}
                {q.reason.field ? (
                  <>
                    {' '}
                    (field <code>{q.reason.field}</code>)
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void loadMore()}>
          More
        </button>
      ) : null}
    </section>
  );
}
