/**
 * Starting an execution from the console (a replay or rebuild of a table, a retry): busy while the request runs,
 * then the execution it started, linked, or why it did not start.
 */
import { useState } from 'preact/hooks';
import type { StartedExecution } from '../lib/api-types';
import { routeHref } from '../lib/route';
import { ErrorBox } from './ErrorBox';

export function useStartExecution() {
  const [started, setStarted] = useState<StartedExecution | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** Runs `request`; true if it started an execution. */
  const start = async (request: () => Promise<StartedExecution>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setStarted(null);
    try {
      setStarted(await request());
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { started, error, busy, start };
}

/** The execution a start began (a link to its page), or the refusal under `errorTitle`. */
export function StartOutcome({
  started,
  error,
  errorTitle,
}: {
  started: StartedExecution | null;
  error: unknown;
  errorTitle: string;
}) {
  return (
    <>
      {started ? (
        <span role="status">
          Started <a href={routeHref({ page: 'execution', name: started.name })}>{started.name}</a>
        </span>
      ) : null}
      <ErrorBox error={error} title={errorTitle} />
    </>
  );
}
