/**
 * Uploads and runs: the ETL's executions (GET /executions, by status, newest first), replay/rebuild of a table,
 * the quarantined uploads with their reasons and the rejected rows with theirs.
 */
import { useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import type { ExecutionItem } from '../lib/api-types';
import { describeInput } from '../lib/execution-input';
import { formatDuration, formatTime } from '../lib/format';
import { routeHref } from '../lib/route';
import { ErrorBox } from '../components/ErrorBox';
import { QuarantineSection } from '../components/QuarantineSection';
import { RejectedRowsSection } from '../components/RejectedRowsSection';
import { StatusBadge } from '../components/StatusBadge';
import { TableRunForm } from '../components/TableRunForm';
import { useAsync } from '../components/use-async';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

function Executions({ api }: { api: LakeApi }) {
  const [status, setStatus] = useState('');
  const first = useAsync(() => api.executions({ limit: 50, ...(status ? { status } : {}) }), [api, status]);
  const [more, setMore] = useState<{ for: string; items: ExecutionItem[]; nextToken: string | null } | null>(
    null,
  );
  const [error, setError] = useState<unknown>(null);
  const extra = more && more.for === status ? more : null;
  const items = [...(first.data?.executions ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.nextToken : (first.data?.nextToken ?? null);
  const loadMore = async () => {
    try {
      const page = await api.executions({ limit: 50, nextToken: next, ...(status ? { status } : {}) });
      setMore({
        for: status,
        items: [...(extra?.items ?? []), ...page.executions],
        nextToken: page.nextToken,
      });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="executions-title">
      <h2 id="executions-title">ETL executions</h2>
      <div class="toolbar">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s ? s.replace('_', ' ') : 'any'}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={first.reload}>
          Refresh
        </button>
      </div>
      <TableRunForm api={api} onStarted={first.reload} />
      <ErrorBox error={first.error ?? error} title="Could not list the executions" />
      {first.data && items.length === 0 ? (
        <p class="muted">No execution{status ? ` ${status}` : ''}.</p>
      ) : null}
      {items.length ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="executions">
          <table data-testid="executions">
            <thead>
              <tr>
                <th scope="col">Execution</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Input</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.name}>
                  <td>
                    <a href={routeHref({ page: 'execution', name: x.name })}>{x.name}</a>
                  </td>
                  <td>
                    <StatusBadge status={x.status} />
                  </td>
                  <td>{formatTime(x.startDate)}</td>
                  <td class="num">{formatDuration(x.durationMs)}</td>
                  <td>{describeInput(x.input)}</td>
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

export function RunsPage({ api, onQuery }: { api: LakeApi; onQuery: (sql: string) => void }) {
  return (
    <div class="page runs-page">
      <h1>Uploads &amp; runs</h1>
      <Executions api={api} />
      <QuarantineSection api={api} />
      <RejectedRowsSection api={api} onQuery={onQuery} />
    </div>
  );
}
