/**
 * Uploads and runs: the ETL's executions (GET /executions, by status, newest first), replay/rebuild of a table,
 * the quarantined uploads with their reasons and the rejected rows with theirs.
 */
import { useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { describeInput } from '../lib/execution-input';
import { formatDuration, formatTime } from '../lib/format';
import { routeHref } from '../lib/route';
import { ErrorBox } from '../components/ErrorBox';
import { QuarantineSection } from '../components/QuarantineSection';
import { RejectedRowsSection } from '../components/RejectedRowsSection';
import { StatusBadge } from '../components/StatusBadge';
import { TableRunForm } from '../components/TableRunForm';
import { usePagedList } from '../components/use-paged-list';
import { DataTable } from '../components/DataTable';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

function Executions({ api, onRefresh }: { api: LakeApi; onRefresh: () => void }) {
  const [status, setStatus] = useState('');
  const list = usePagedList(
    (nextToken) =>
      api
        .executions({ limit: 50, nextToken, ...(status ? { status } : {}) })
        .then((page) => ({ items: page.executions, nextToken: page.nextToken })),
    [api, status],
    status,
  );
  const { items, next, loadMore } = list;
  // Refresh (or a run started here) reloads the page's other sections too: the quarantine and the rejected rows.
  const refresh = () => {
    list.reload();
    onRefresh();
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
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <TableRunForm api={api} onStarted={refresh} />
      <ErrorBox error={list.error} title="Could not list the executions" />
      {list.loaded && items.length === 0 ? (
        <p class="muted">No execution{status ? ` ${status}` : ''}.</p>
      ) : null}
      {items.length ? (
        <DataTable
          label="executions"
          testId="executions"
          columns={[
            { label: 'Execution' },
            { label: 'Status' },
            { label: 'Started' },
            { label: 'Duration', num: true },
            { label: 'Input' },
          ]}
        >
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

export function RunsPage({ api, onQuery }: { api: LakeApi; onQuery: (sql: string) => void }) {
  const [round, setRound] = useState(0);
  return (
    <div class="page runs-page">
      <h1>Uploads &amp; runs</h1>
      <Executions api={api} onRefresh={() => setRound((r) => r + 1)} />
      <QuarantineSection api={api} round={round} />
      <RejectedRowsSection api={api} onQuery={onQuery} round={round} />
    </div>
  );
}
