/** Ingest (GET /ingest/stats): events accepted and refused over time, per type; the latest refusals; the buffer. */
import { useMemo, useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { formatBytes, formatCount, formatTime } from '../lib/format';
import { ingestSeries, ingestTotals } from '../lib/ingest-series';
import { Chart } from '../components/Chart';
import { ErrorBox } from '../components/ErrorBox';
import { useAsync } from '../components/use-async';

const WINDOWS = [1, 6, 24, 168];

export function IngestPage({ api }: { api: LakeApi }) {
  const [hours, setHours] = useState(24);
  const [type, setType] = useState<string | null>(null);
  const stats = useAsync(() => api.ingestStats(hours), [api, hours]);
  const totals = useMemo(() => (stats.data ? ingestTotals(stats.data) : []), [stats.data]);
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
            <div class="table-scroll" tabIndex={0} role="region" aria-label="events per type">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col" class="num">
                      Accepted
                    </th>
                    <th scope="col" class="num">
                      Refused
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {totals.map((t) => (
                    <tr key={t.type}>
                      <td>{t.type}</td>
                      <td class="num">{formatCount(t.accepted)}</td>
                      <td class="num">{formatCount(t.refused)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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
              <div class="table-scroll" tabIndex={0} role="region" aria-label="latest refusals">
                <table data-testid="refusals">
                  <thead>
                    <tr>
                      <th scope="col">At</th>
                      <th scope="col">Type</th>
                      <th scope="col">Code</th>
                      <th scope="col">Field</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
                  <tbody>
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
                  </tbody>
                </table>
              </div>
            ) : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
