/** Loads something from the lake for a component: its value, its failure, whether it is loading, and a reload. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AsyncState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const current = useRef(0);
  const shown = useRef<unknown[] | undefined>(undefined);
  useEffect(() => {
    const mine = ++current.current;
    // Other inputs (another execution, another table): what was loaded for the old ones is not shown meanwhile
    // (a reload of the same ones keeps it until the new answer).
    const previous = shown.current;
    shown.current = deps;
    if (previous && (previous.length !== deps.length || deps.some((d, i) => !Object.is(d, previous[i])))) {
      setData(null);
      setError(null);
    }
    setLoading(true);
    load().then(
      (v) => {
        if (mine !== current.current) return;
        setData(v);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== current.current) return;
        setError(e);
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
