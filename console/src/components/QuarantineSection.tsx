/** Quarantined uploads (GET /uploads/quarantine), newest first, each with the reason it was refused. */
import type { LakeApi } from '../lib/api';
import { formatBytes, formatTime } from '../lib/format';
import { ErrorBox } from './ErrorBox';
import { usePagedList } from './use-paged-list';

export function QuarantineSection({ api }: { api: LakeApi }) {
  const list = usePagedList((nextToken) => api.quarantine({ limit: 50, nextToken }), [api]);
  const { items, next, loadMore } = list;
  return (
    <section aria-labelledby="quarantine-title">
      <h2 id="quarantine-title">Quarantined uploads</h2>
      <ErrorBox error={list.error} title="Could not list the quarantine" />
      {list.loaded && items.length === 0 ? <p class="muted">No upload was refused.</p> : null}
      {items.length ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="quarantined uploads">
          <table data-testid="quarantine">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Dataset</th>
                <th scope="col">Quarantined</th>
                <th scope="col" class="num">
                  Size
                </th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void loadMore()}>
          More
        </button>
      ) : null}
    </section>
  );
}
