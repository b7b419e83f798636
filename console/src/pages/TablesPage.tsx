/**
 * Tables (GET /tables): every table with where its data comes from, its schema version, keys, partitions and
 * columns; a sample of its rows read through the query API.
 */
import { useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import type { TableDescription } from '../lib/api-types';
import { routeHref } from '../lib/route';
import { ErrorBox } from '../components/ErrorBox';
import { ResultTable } from '../components/ResultTable';
import { useAsync } from '../components/use-async';
import { useQueryOutcome } from '../components/use-query-outcome';
import { DataTable } from '../components/DataTable';

const SOURCE: Record<TableDescription['kind'], string> = {
  events: 'streamed events',
  dataset: 'uploaded files',
  rejected: 'rows the ETL rejected',
};

function source(t: TableDescription): string {
  if (t.kind === 'events') return `events of type ${t.name} (POST /events)`;
  if (t.kind === 'dataset') return `files dropped under uploads/${t.name}/`;
  return SOURCE[t.kind];
}

export const sampleSql = (table: string) => `SELECT * FROM ${table} LIMIT 20`;

function Sample({ api, table, onQuery }: { api: LakeApi; table: string; onQuery: (sql: string) => void }) {
  const sample = useQueryOutcome(api, sampleSql(table), 20, [api, table]);
  return (
    <section aria-label="sample rows">
      <h3>
        Sample rows{' '}
        <button type="button" class="link" onClick={() => onQuery(sampleSql(table))}>
          open in Query
        </button>
      </h3>
      {sample.loading ? <p role="status">Reading a sample…</p> : null}
      <ErrorBox error={sample.error} title="Could not read a sample" />
      {sample.data?.status.state !== undefined && sample.data.status.state !== 'SUCCEEDED' ? (
        <p class="error">{sample.data.status.reason ?? sample.data.status.state}</p>
      ) : null}
      {sample.data?.page ? (
        sample.data.page.rows.length === 0 ? (
          <p class="muted">No rows yet.</p>
        ) : (
          <ResultTable
            columns={sample.data.page.columns}
            rows={sample.data.page.rows}
            caption={`first ${sample.data.page.rows.length} rows of ${table}`}
            testId="sample-rows"
          />
        )
      ) : null}
    </section>
  );
}

function TableDetail({
  api,
  t,
  onQuery,
}: {
  api: LakeApi;
  t: TableDescription;
  onQuery: (sql: string) => void;
}) {
  const partitions = new Set(t.partitionKeys.map((p) => p.name));
  return (
    <article class="table-detail" aria-labelledby="table-title">
      <h2 id="table-title">{t.name}</h2>
      {t.description ? <p>{t.description}</p> : null}
      <dl class="facts">
        <div>
          <dt>Source</dt>
          <dd>{source(t)}</dd>
        </div>
        <div>
          <dt>Schema version</dt>
          <dd>{t.version}</dd>
        </div>
        {t.supersedes ? (
          <div>
            <dt>Supersedes</dt>
            <dd>{t.supersedes}</dd>
          </div>
        ) : null}
        <div>
          <dt>Primary key</dt>
          <dd>{t.primaryKey.join(', ') || '–'}</dd>
        </div>
        {t.latestBy ? (
          <div>
            <dt>Latest by</dt>
            <dd>{t.latestBy}</dd>
          </div>
        ) : null}
        <div>
          <dt>Partitions</dt>
          <dd>
            {t.partitionKeys
              .map((p) => `${p.name} ${p.type}${p.from ? ` (date of ${p.from})` : ''}`)
              .join(', ')}
          </dd>
        </div>
        <div class="wide">
          <dt>Location</dt>
          <dd>
            <code>{t.location}</code>
          </dd>
        </div>
      </dl>
      <DataTable
        label={`columns of ${t.name}`}
        caption="Columns"
        tableClass="columns"
        columns={[{ label: 'Name' }, { label: 'Type' }, { label: 'Required' }, { label: 'Notes' }]}
      >
        {[...t.columns, ...t.partitionKeys.filter((p) => !t.columns.some((c) => c.name === p.name))].map(
          (c) => {
            const col = c as TableDescription['columns'][number];
            const notes = [
              partitions.has(c.name) ? 'partition key' : '',
              t.primaryKey.includes(c.name) ? 'primary key' : '',
              col.json ? 'JSON text' : '',
              col.deprecated ? 'deprecated' : '',
              col.retired ? 'retired' : '',
              col.renamedFrom ? `renamed from ${col.renamedFrom}` : '',
              col.generated ? 'added by the lake' : '',
              col.description ?? '',
            ].filter(Boolean);
            return (
              <tr key={c.name}>
                <td>
                  <code>{c.name}</code>
                </td>
                <td>{c.type}</td>
                <td>{col.required ? 'yes' : partitions.has(c.name) ? 'yes' : 'no'}</td>
                <td>{notes.join('; ')}</td>
              </tr>
            );
          },
        )}
      </DataTable>
      <Sample api={api} table={t.name} onQuery={onQuery} />
    </article>
  );
}

export function TablesPage(props: { api: LakeApi; table: string | null; onQuery: (sql: string) => void }) {
  const listing = useAsync(() => props.api.tables(), [props.api]);
  const tables = listing.data?.tables ?? [];
  // A table named in the address that the lake does not have is said so: never another table in its place.
  const named = props.table === null ? undefined : tables.find((t) => t.name === props.table);
  const missing = props.table !== null && listing.data !== null && named === undefined;
  const selected = props.table === null ? tables[0] : named;
  return (
    <div class="page tables-page">
      <h1>Tables {listing.data ? <span class="muted">in {listing.data.database}</span> : null}</h1>
      <ErrorBox error={listing.error} title="Could not list the tables" />
      {listing.loading && !listing.data ? <p role="status">Loading…</p> : null}
      <div class="split">
        <nav class="table-list" aria-label="tables">
          <ul>
            {tables.map((t) => (
              <li key={t.name}>
                <a
                  href={routeHref({ page: 'tables', table: t.name })}
                  aria-current={selected?.name === t.name ? 'true' : undefined}
                >
                  {t.name}
                  <span class="muted">
                    {' '}
                    {t.kind === 'events' ? 'events' : t.kind === 'dataset' ? 'dataset' : 'rejected'} · v
                    {t.version}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {missing ? (
          <p role="alert" class="error">
            The lake has no table named <code>{props.table}</code>
            {tables.some((t) => t.name.toLowerCase() === props.table!.toLowerCase())
              ? ' (table names are lower case)'
              : ''}
            : choose one from the list.
          </p>
        ) : null}
        {selected ? <TableDetail api={props.api} t={selected} onQuery={props.onQuery} /> : null}
      </div>
    </div>
  );
}
