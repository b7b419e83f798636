/**
 * One ETL execution (GET /executions/{name}): status, times, input, figures, error and cause, the states visited
 * over a drawing of the state machine, the notices sent; a failed one can be retried (POST .../retry).
 */
import type { LakeApi } from '../lib/api';
import type { ExecutionDetail } from '../lib/api-types';
import { describeInput } from '../lib/execution-input';
import { formatCount, formatDuration, formatTime } from '../lib/format';
import { routeHref } from '../lib/route';
import { AslDiagram } from '../components/AslDiagram';
import { ErrorBox } from '../components/ErrorBox';
import { StartOutcome, useStartExecution } from '../components/StartOutcome';
import { StatusBadge } from '../components/StatusBadge';
import { useEffect } from 'preact/hooks';
import { useAsync } from '../components/use-async';
import { DataTable } from '../components/DataTable';
import { unavailable } from '../components/unavailable';

const RETRYABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

function ms(from: string, to: string | null): number | null {
  return to ? Date.parse(to) - Date.parse(from) : null;
}

function Retry({ api, x }: { api: LakeApi; x: ExecutionDetail }) {
  const { started, error, busy, start } = useStartExecution();
  if (!RETRYABLE.has(x.status)) return null;
  return (
    <div class="toolbar">
      <button
        type="button"
        class="primary"
        onClick={() => {
          if (!busy && started === null) void start(() => api.retry(x.name));
        }}
        {...unavailable(busy || started !== null)}
      >
        ↻ Retry with the same input
      </button>
      <StartOutcome started={started} error={error} errorTitle="Not retried" />
    </div>
  );
}

function Detail({ api, x }: { api: LakeApi; x: ExecutionDetail }) {
  const f = x.figures;
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="execution-status">
            <StatusBadge status={x.status} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(x.startDate)}</dd>
        </div>
        <div>
          <dt>Stopped</dt>
          <dd>{formatTime(x.stopDate)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(x.durationMs)}</dd>
        </div>
        <div class="wide">
          <dt>Input</dt>
          <dd>{describeInput(x.input)}</dd>
        </div>
        {f ? (
          <div class="wide">
            <dt>Rows</dt>
            <dd>
              {formatCount(f.rowsRead ?? 0)} read, {formatCount(f.rowsWritten ?? 0)} written,{' '}
              {formatCount(f.rowsRejected ?? 0)} rejected
            </dd>
          </div>
        ) : null}
      </dl>
      <Retry api={api} x={x} />
      {x.error || x.cause ? (
        <div class="error" role="alert" data-testid="execution-error">
          <strong>
            <span aria-hidden="true">✕ </span>
            {x.error ?? 'Failed'}
          </strong>
          {x.cause ? <p class="error-message">{x.cause}</p> : null}
        </div>
      ) : null}
      <h2>Path through the state machine</h2>
      <AslDiagram definition={x.definition} states={x.states} />
      <DataTable
        label="states visited"
        caption="States visited, in order"
        testId="states"
        columns={[
          { label: 'State' },
          { label: 'Type' },
          { label: 'Outcome' },
          { label: 'Entered' },
          { label: 'Time', num: true },
          { label: 'Error' },
        ]}
      >
        {x.states.map((s, i) => (
          <tr key={i} class={s.status === 'failed' ? 'row-failed' : ''}>
            <td>{s.name}</td>
            <td>{s.type}</td>
            <td>
              <StatusBadge status={s.status} />
            </td>
            <td>{formatTime(s.enteredAt)}</td>
            <td class="num">{formatDuration(ms(s.enteredAt, s.exitedAt))}</td>
            <td>{[s.error, s.cause].filter(Boolean).join(': ')}</td>
          </tr>
        ))}
      </DataTable>
      <h2>Notices sent</h2>
      {x.notices.length === 0 ? <p class="muted">None.</p> : null}
      <ul class="notices">
        {x.notices.map((n, i) => (
          <li key={i}>
            {formatTime(n.at)} {n.code ? <code class="code-tag">{n.code}</code> : null} {n.subject}
          </li>
        ))}
      </ul>
      <details>
        <summary>Input and output as JSON</summary>
        <pre>{JSON.stringify({ input: x.input, output: x.output }, null, 2)}</pre>
      </details>
    </>
  );
}

/** How often a running execution is read again, so that its page follows it to its end. */
const RUNNING_POLL_MS = 2000;

export function ExecutionPage({ api, name }: { api: LakeApi; name: string }) {
  const x = useAsync(() => api.execution(name), [api, name]);
  const running = x.data?.status === 'RUNNING';
  const { reload } = x;
  useEffect(() => {
    if (!running || x.loading) return undefined;
    const timer = setTimeout(reload, RUNNING_POLL_MS);
    return () => clearTimeout(timer);
  }, [running, x.loading, x.data, reload]);
  return (
    <div class="page execution-page">
      <p>
        <a href={routeHref({ page: 'runs' })}>← Uploads &amp; runs</a>
      </p>
      <h1 class="execution-name">{name}</h1>
      <ErrorBox error={x.error} title="Could not read the execution" />
      {x.loading && !x.data ? <p role="status">Loading…</p> : null}
      {x.data ? <Detail api={api} x={x.data} /> : null}
    </div>
  );
}
