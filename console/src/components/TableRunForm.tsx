/** Starts a replay or a rebuild of one table (POST /executions), as `npm run replay|rebuild` does. */
import { useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { ErrorBox } from './ErrorBox';
import { StartOutcome, useStartExecution } from './StartOutcome';
import { useAsync } from './use-async';
import { unavailable } from './unavailable';

export function TableRunForm({ api, onStarted }: { api: LakeApi; onStarted: () => void }) {
  const tables = useAsync(() => api.tables(), [api]);
  const names = (tables.data?.tables ?? []).filter((t) => t.kind !== 'rejected').map((t) => t.name);
  const [table, setTable] = useState('');
  const [mode, setMode] = useState<'replay' | 'rebuild'>('replay');
  const { started, error, busy, start } = useStartExecution();
  const chosen = table || names[0] || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !chosen) return;
    if (await start(() => api.startTableRun(mode, chosen))) onStarted();
  };
  return (
    <form class="toolbar table-run" onSubmit={(e) => void submit(e)} aria-label="replay or rebuild a table">
      <label>
        Mode{' '}
        <select
          value={mode}
          onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'replay' | 'rebuild')}
        >
          <option value="replay">replay rejected rows</option>
          <option value="rebuild">rebuild from raw</option>
        </select>
      </label>
      <label>
        Table{' '}
        <select value={chosen} onChange={(e) => setTable((e.target as HTMLSelectElement).value)}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" {...unavailable(busy || !chosen)}>
        Start
      </button>
      <StartOutcome started={started} error={error} errorTitle="Not started" />
      <ErrorBox error={tables.error} title="Could not read the tables" />
    </form>
  );
}
