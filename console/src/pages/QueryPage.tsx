/**
 * Query: the SQL editor, run (Ctrl/Cmd+Enter) and cancel, the result as a paged table with its column types, the
 * row count, time and data scanned, a chart, a CSV download and the recent queries of this browser.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { SignedOutError, type LakeApi } from '../lib/api';
import type { QueryStatus, ResultPage } from '../lib/api-types';
import { formatBytes, formatCount, formatDuration, formatTime } from '../lib/format';
import { readHistory, saveHistory, withEntry, type HistoryEntry } from '../lib/history';
import { queryFailure } from '../lib/query-failure';
import { QueryRun, RunLeftError } from '../lib/query-run';
import { downloadCsv } from '../lib/download';
import { ApiFailure } from '../lib/api-error';
import { ErrorBox } from '../components/ErrorBox';
import { ResultChart } from '../components/ResultChart';
import { ResultTable } from '../components/ResultTable';
import { SqlEditor } from '../components/SqlEditor';
import { StatusBadge } from '../components/StatusBadge';
import { useAsync } from '../components/use-async';
import { useLeaveOnExit } from '../components/use-query-outcome';
import { unavailable } from '../components/unavailable';

const PAGE_SIZES = [50, 100, 500, 1000];
const DEFAULT_SQL =
  'SELECT table_name, count(*) AS rejected_rows\nFROM lake_rejected\nGROUP BY table_name\nORDER BY 2 DESC';

interface Result {
  status: QueryStatus;
  page: ResultPage;
  /** Tokens of the pages before the current one (undefined: the first page), with their first row numbers. */
  previous: (string | undefined)[];
  previousFirsts: number[];
  current: string | undefined;
  /** The number of the current page's first row (pages may differ in size: rows per page can change between). */
  first: number;
  elapsedMs: number;
}

/** The editor's text of this tab (sessionStorage), so that leaving the page and coming back keeps it. */
const DRAFT_KEY = 'lake-console:draft';
const readDraft = (): string | null => {
  try {
    return sessionStorage.getItem(DRAFT_KEY);
  } catch {
    return null;
  }
};
const saveDraft = (sql: string) => {
  try {
    sessionStorage.setItem(DRAFT_KEY, sql);
  } catch {
    // storage full or refused: the draft is only lost when the page is left
  }
};

export function QueryPage({
  api,
  initialSql,
  onInitialSqlTaken,
}: {
  api: LakeApi;
  /** A query to open (a table's sample), taken once: onInitialSqlTaken then forgets it. */
  initialSql?: { sql: string } | undefined;
  onInitialSqlTaken?: () => void;
}) {
  const [firstSql] = useState(() => initialSql?.sql ?? readDraft() ?? readHistory()[0]?.sql ?? DEFAULT_SQL);
  const [sqlText, setSqlTextState] = useState(firstSql);
  const setSqlText = (sql: string) => {
    setSqlTextState(sql);
    saveDraft(sql);
  };
  const [load, setLoad] = useState<{ sql: string } | null>(null);
  /** Puts a query in the editor (a history entry, a table's sample). */
  const put = (sql: string) => {
    setSqlText(sql);
    setLoad({ sql });
  };
  const [pageSize, setPageSize] = useState(100);
  const [running, setRunning] = useState<QueryStatus | 'starting' | null>(null);
  /** While status reads get no answer: for how long (ms). */
  const [silentFor, setSilentFor] = useState<number | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [failed, setFailed] = useState<QueryStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** The id of a query the lake accepted whose end the console could not learn (the lake stopped answering). */
  const [lost, setLost] = useState<string | null>(null);
  /** The title of a run's error (queryFailure); null for other errors (a cancel, a page of results). */
  const [failureTitle, setFailureTitle] = useState<string | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>(() => readHistory());
  const [busyPage, setBusyPage] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);
  const [downloadNote, setDownloadNote] = useState<string | null>(null);
  const run = useRef<QueryRun | null>(null);
  /** The result shown: a page that arrives after another result (or page) replaced it is dropped. */
  const shown = useRef<Result | null>(null);
  shown.current = result;
  const tables = useAsync(() => api.tables(), [api]);
  const schema = useMemo(
    () =>
      tables.data
        ? Object.fromEntries(
            // The partition columns too (event_date, dt): the ones to filter on.
            tables.data.tables.map((t) => [
              t.name,
              [...new Set([...t.columns, ...t.partitionKeys].map((c) => c.name))],
            ]),
          )
        : undefined,
    [tables.data],
  );

  // Leaving the page cancels the query it runs (run.leave: no more polling; the lake is asked to cancel it), which
  // this browser's recent queries keep as CANCELLED: written at once, as a reload ends the page before any await.
  const runningSql = useRef<string | null>(null);
  useLeaveOnExit(run, () => {
    if (runningSql.current !== null)
      saveHistory(
        withEntry(readHistory(), {
          sql: runningSql.current,
          at: new Date().toISOString(),
          state: 'CANCELLED',
        }),
      );
  });

  useEffect(() => {
    if (!initialSql) return;
    put(initialSql.sql);
    onInitialSqlTaken?.();
  }, [initialSql]);

  const remember = (entry: HistoryEntry) => {
    const next = withEntry(readHistory(), entry);
    saveHistory(next);
    setHistory(next);
  };

  /** `given`: the editor's text when Ctrl/Cmd+Enter ran it (sqlText may be the text before the last keystrokes). */
  const execute = async (given?: string) => {
    const text = given ?? sqlText;
    if (run.current || text.trim() === '') return;
    const r = new QueryRun(api, (s) => setRunning(s), undefined, setSilentFor);
    run.current = r;
    runningSql.current = text;
    setRunning('starting');
    setError(null);
    setLost(null);
    setFailureTitle(null);
    setFailed(null);
    setDownloadNote(null);
    try {
      const outcome = await r.run(text, pageSize);
      if (outcome.page) {
        setResult({
          status: outcome.status,
          page: outcome.page,
          previous: [],
          previousFirsts: [],
          current: undefined,
          first: 1,
          elapsedMs: outcome.elapsedMs,
        });
        remember({
          sql: text,
          at: new Date().toISOString(),
          state: outcome.status.state,
          rows: outcome.page.rows.length,
          ...(outcome.page.nextToken ? { more: true } : {}),
        });
      } else {
        setResult(null);
        setFailed(outcome.status);
        remember({ sql: text, at: new Date().toISOString(), state: outcome.status.state });
      }
    } catch (e) {
      // The page was closed, or the session ended: nothing to show.
      if (e instanceof RunLeftError || e instanceof SignedOutError) return;
      setResult(null);
      setError(e);
      // Accepted, then out of sight (the lake stopped answering): not a refusal; it may still be running. Accepted
      // and answered about (its page too large to carry): it ran. Never accepted: refused when the lake answered so
      // (4xx), not sent when it did not answer at all (lib/query-failure.ts).
      const failure = queryFailure(e, r.queryId, r.lastState);
      setLost(failure.lost);
      setFailureTitle(failure.title);
      remember({ sql: text, at: new Date().toISOString(), state: failure.state });
    } finally {
      run.current = null;
      runningSql.current = null;
      setRunning(null);
      setSilentFor(null);
    }
  };

  const cancel = async () => {
    try {
      await run.current?.cancel();
    } catch (e) {
      setFailureTitle('The query could not be cancelled');
      setError(e);
    }
  };

  const turnPage = async (direction: 1 | -1) => {
    if (!result || busyPage || running !== null) return;
    if (direction === 1 ? result.page.nextToken === null : result.previous.length === 0) return;
    const token =
      direction === 1 ? (result.page.nextToken ?? undefined) : result.previous[result.previous.length - 1];
    setBusyPage(true);
    try {
      const page = await api.results(result.status.id, pageSize, token);
      if (shown.current !== result) return; // another query's result (or another page) is shown now
      // A page turn or a download that failed before is over: its message would say this page failed.
      setError(null);
      setResult({
        ...result,
        page,
        current: token,
        previous: direction === 1 ? [...result.previous, result.current] : result.previous.slice(0, -1),
        previousFirsts:
          direction === 1 ? [...result.previousFirsts, result.first] : result.previousFirsts.slice(0, -1),
        first:
          direction === 1
            ? result.first + result.page.rows.length
            : (result.previousFirsts[result.previousFirsts.length - 1] ?? 1),
      });
    } catch (e) {
      if (shown.current === result) {
        setFailureTitle('This page of results could not be shown');
        setError(e);
      }
    } finally {
      setBusyPage(false);
    }
  };

  const download = async () => {
    if (!result) return;
    setDownloading('reading rows…');
    setDownloadNote(null);
    try {
      const saved = await downloadCsv(api, result.status.id, result.page.columns, (n) =>
        setDownloading(`${formatCount(n)} rows read…`),
      );
      setError(null);
      if (saved.cut)
        setDownloadNote(
          `The CSV holds the first ${formatCount(saved.rows)} rows only: the result has more than a browser tab ` +
            'keeps. Narrow the query (WHERE, LIMIT), or read the whole result from the query API or Athena’s result file.',
        );
    } catch (e) {
      setFailureTitle('The results could not be downloaded');
      setError(e);
    } finally {
      setDownloading(null);
    }
  };

  const firstRow = result ? result.first : 1;
  const lastPage = result?.page.nextToken === null;
  return (
    <div class="page query-page">
      <h1>Query</h1>
      <section class="editor-block" aria-label="SQL">
        <SqlEditor
          initial={firstSql}
          load={load}
          onChange={setSqlText}
          onRun={(sql) => void execute(sql)}
          schema={schema}
        />
        <p class="muted keys-hint" id="sql-editor-keys">
          In the editor <kbd>Tab</kbd> indents; <kbd>Esc</kbd> then <kbd>Tab</kbd> moves on to the next
          control.
        </p>
        <div class="toolbar">
          <button
            type="button"
            class="primary"
            onClick={() => void execute()}
            {...unavailable(running !== null)}
          >
            Run <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
          </button>
          <button type="button" onClick={() => void cancel()} disabled={running === null}>
            Cancel
          </button>
          <label>
            Rows per page{' '}
            <select
              value={pageSize}
              onChange={(e) => setPageSize(Number((e.target as HTMLSelectElement).value))}
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <span class="status-line" role="status" aria-live="polite">
            {running === 'starting' ? (
              'Starting…'
            ) : running ? (
              <>
                <StatusBadge status={running.state} /> {running.id}
                {silentFor !== null
                  ? ` — the lake is not answering (${Math.round(silentFor / 1000)} s); still asking`
                  : ''}
              </>
            ) : null}
          </span>
        </div>
        <ErrorBox
          error={error}
          title={
            failureTitle ??
            (error instanceof ApiFailure && error.status < 500
              ? 'The request was refused'
              : 'The lake could not answer (it may be stopped or unreachable)')
          }
        />
        {failed ? (
          <div class="error" role="alert">
            <strong>
              <StatusBadge status={failed.state} /> The engine{' '}
              {failed.state === 'CANCELLED' ? 'stopped' : 'could not run'} the query
            </strong>
            {failed.reason ? <p class="error-message">{failed.reason}</p> : null}
          </div>
        ) : null}
      </section>

      {result ? (
        <section class="result" aria-label="result">
          <dl class="facts" data-testid="query-facts">
            <div>
              <dt>Rows</dt>
              <dd data-testid="row-count">
                {lastPage
                  ? formatCount(firstRow - 1 + result.page.rows.length)
                  : `${formatCount(firstRow + result.page.rows.length - 1)}+ (more pages)`}
              </dd>
            </div>
            <div>
              <dt>Engine time</dt>
              <dd>{formatDuration(result.status.engineTimeMs)}</dd>
            </div>
            <div>
              <dt>Total time</dt>
              <dd>{formatDuration(result.elapsedMs)}</dd>
            </div>
            <div>
              <dt>Data scanned</dt>
              <dd>{formatBytes(result.status.dataScannedBytes)}</dd>
            </div>
            <div>
              <dt>Engine</dt>
              <dd>{result.status.engine}</dd>
            </div>
          </dl>
          <ResultChart resultId={result.status.id} columns={result.page.columns} rows={result.page.rows} />
          <div class="toolbar">
            <button
              type="button"
              onClick={() => void turnPage(-1)}
              {...unavailable(busyPage || running !== null || result.previous.length === 0)}
            >
              ← Previous
            </button>
            <span>
              {result.page.rows.length
                ? `Rows ${formatCount(firstRow)}–${formatCount(firstRow + result.page.rows.length - 1)}`
                : 'No rows'}
            </span>
            <button
              type="button"
              onClick={() => void turnPage(1)}
              {...unavailable(busyPage || running !== null || lastPage)}
            >
              Next →
            </button>
            <button type="button" onClick={() => void download()} disabled={downloading !== null}>
              Download CSV
            </button>
            {downloading ? <span role="status">{downloading}</span> : null}
          </div>
          {downloadNote ? (
            <p role="alert" class="note">
              {downloadNote}
            </p>
          ) : null}
          <ResultTable columns={result.page.columns} rows={result.page.rows} firstRow={firstRow} />
        </section>
      ) : null}

      <section class="history" aria-label="recent queries">
        <h2>Recent queries</h2>
        {history.length === 0 ? <p class="muted">None yet in this browser.</p> : null}
        <ol>
          {history.map((h) => (
            <li key={h.at + h.sql}>
              <button
                type="button"
                class="link"
                onClick={() => put(h.sql)}
                title="Put this query in the editor"
              >
                <code>{h.sql.length > 160 ? `${h.sql.slice(0, 159)}…` : h.sql}</code>
              </button>
              <span class="muted">
                {' '}
                <StatusBadge status={h.state} />{' '}
                {h.rows !== undefined ? `${h.rows}${h.more ? '+' : ''} rows · ` : ''}
                {formatTime(h.at)}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
