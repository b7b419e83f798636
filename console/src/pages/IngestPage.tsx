/** Ingest (GET /ingest/stats): events accepted and refused over time, per type; the latest refusals; the buffer. */
import { useMemo, useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { formatBytes, formatCount, formatTime } from '../lib/format';
import { ingestSeries, ingestTotals } from '../lib/ingest-series';
import { Chart } from '../components/Chart';
import { ErrorBox } from '../components/ErrorBox';
import { useAsync } from '../components/use-async';
import { DataTable } from '../components/DataTable';

const WINDOWS = [1, 6, 24, 168];

export function IngestPage({ api }: { api: LakeApi }) {
  const [hours, setHours] = useState(24);
  const [chosenType, setType] = useState<string | null>(null);
  const stats = useAsync(() => api.ingestStats(hours), [api, hours]);
  const totals = useMemo(() => (stats.data ? ingestTotals(stats.data) : []), [stats.data]);
  // A type chosen in another window that has none of it there: all types, as the select then shows (the chart was
  // left filtered to it, flat at zero, beside a blank select).
  const type = chosenType !== null && totals.some((t) => t.type === chosenType) ? chosenType : null;
  const series = useMemo(() => (stats.data ? ingestSeries(stats.data, type) : null), [stats.data, type]);
  const chartSeries = useMemo(
    () =>
      series
        ? [
            { label: 'accepted', values: series.accepted },
            { label: 'refused', values: series.refused, dash: [6, 4] },
          ]
        : [],
    [series],
  );
  const d = stats.data;
  return (
    <div class="page ingest-page">
      <h1>Ingest</h1>
      <div class="toolbar">
        <label>
          Window{' '}
          <select value={hours} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))}>
            {WINDOWS.map((h) => (
              <option key={h} value={h}>
                last {h < 48 ? `${h} h` : `${h / 24} days`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event type{' '}
          <select value={type ?? ''} onChange={(e) => setType((e.target as HTMLSelectElement).value || null)}>
            <option value="">all types</option>
            {totals.map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={stats.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={stats.error} title="Could not read the ingest figures" />
      {stats.loading && !d ? <p role="status">Loading…</p> : null}
      {d && series ? (
        <>
          <p class="muted">
            {formatTime(d.from)} to {formatTime(d.to)}, per {d.bucketMinutes} min
          </p>
          <Chart
            kind="line"
            time
            x={series.x}
            series={chartSeries}
            ariaLabel={`events accepted (solid) and refused (dashed) per ${d.bucketMinutes} minutes, ${type ?? 'all types'}`}
          />
          <section aria-label="per type">
            <h2>Per event type</h2>
            <DataTable
              label="events per type"
              columns={[{ label: 'Type' }, { label: 'Accepted', num: true }, { label: 'Refused', num: true }]}
            >
              {totals.map((t) => (
                <tr key={t.type}>
                  <td>{t.type}</td>
                  <td class="num">{formatCount(t.accepted)}</td>
                  <td class="num">{formatCount(t.refused)}</td>
                </tr>
              ))}
            </DataTable>
          </section>
          <section aria-label="delivery buffer">
            <h2>Delivery stream buffer</h2>
            {d.delivery ? (
              <dl class="facts">
                <div>
                  <dt>Buffered records</dt>
                  <dd>{formatCount(d.delivery.bufferedRecords)}</dd>
                </div>
                <div>
                  <dt>Buffered bytes</dt>
                  <dd>{formatBytes(d.delivery.bufferedBytes)}</dd>
                </div>
                <div>
                  <dt>Oldest buffered</dt>
                  <dd>{formatTime(d.delivery.oldestBufferedAt)}</dd>
                </div>
              </dl>
            ) : (
              <p class="muted">This runtime cannot tell the buffer's state.</p>
            )}
            {(d.notes ?? []).map((n) => (
              <p class="note" key={n}>
                ℹ {n}
              </p>
            ))}
          </section>
          <section aria-label="latest refusals">
            <h2>Latest refusals</h2>
            {d.refusals.length === 0 ? <p class="muted">No event was refused in this window.</p> : null}
            {d.refusals.length ? (
              <DataTable
                label="latest refusals"
                testId="refusals"
                columns={[
                  { label: 'At' },
                  { label: 'Type' },
                  { label: 'Code' },
                  { label: 'Field' },
                  { label: 'Message' },
                ]}
              >
                {d.refusals.map((r, i) => (
                  <tr key={i}>
                    <td>{formatTime(r.at)}</td>
                    <td>{r.type ?? '–'}</td>
                    <td>
                      <code>{r.code}</code>
                    </td>
                    <td>{r.field ? <code>{r.field}</code> : '–'}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </DataTable>
            ) : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
