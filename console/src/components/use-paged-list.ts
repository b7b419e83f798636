/**
 * A list the lake answers a page at a time (`limit`, `nextToken`): the first page loaded with useAsync, later pages
 * appended by `loadMore`. `key` names what the list is of (e.g. a status filter): pages loaded for another key are
 * dropped when it changes, and so are later pages when `deps` change (the first page is read again).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAsync } from './use-async';

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

export interface PagedList<T> {
  items: T[];
  /** A token for the next page, or null at the end. */
  next: string | null;
  /** The first page's failure, or a later one's. */
  error: unknown;
  /** Whether the first page has been answered (an empty list is then really empty). */
  loaded: boolean;
  loadMore: () => Promise<void>;
  reload: () => void;
}

export function usePagedList<T>(
  load: (nextToken: string | null) => Promise<Page<T>>,
  deps: unknown[],
  key = '',
): PagedList<T> {
  const first = useAsync(() => load(null), deps);
  const [more, setMore] = useState<(Page<T> & { key: string }) | null>(null);
  // A later page's failure, for the key it was loaded for.
  const [failure, setFailure] = useState<{ key: string; error: unknown } | null>(null);
  // Pages loaded under another key are dropped for good: when the key comes back, its first page is loaded anew
  // and later pages appended to it would no longer follow on from where it now ends. So are those loaded before the
  // first page is read again for its deps (a Refresh's round): an item the new first page pushed onto the second
  // would fall between them.
  const [loadedFor, setLoadedFor] = useState(deps);
  const depsChanged = deps.length !== loadedFor.length || deps.some((d, i) => d !== loadedFor[i]);
  // Counts the restarts from the first page: a later page asked for before one is not appended after it.
  const generation = useRef(0);
  useEffect(() => {
    generation.current++;
    setMore(null);
    setFailure(null);
    setLoadedFor(deps);
  }, [key, ...deps]);
  const extra = more && more.key === key && !depsChanged ? more : null;
  const next = extra ? extra.nextToken : (first.data?.nextToken ?? null);
  const loadMore = async () => {
    const asked = generation.current;
    try {
      const page = await load(next);
      if (generation.current !== asked) return;
      setMore({ key, items: [...(extra?.items ?? []), ...page.items], nextToken: page.nextToken });
      setFailure(null);
    } catch (e) {
      if (generation.current === asked) setFailure({ key, error: e });
    }
  };
  // A reload starts again from the first page: pages loaded before it were cut where the list then stood, and an
  // item that moved from one page to the next would fall between them. A later page's failure is forgotten too.
  const reload = () => {
    generation.current++;
    setMore(null);
    setFailure(null);
    first.reload();
  };
  return {
    items: [...(first.data?.items ?? []), ...(extra?.items ?? [])],
    next,
    error: first.error ?? (failure?.key === key ? failure.error : null),
    loaded: first.data !== null,
    loadMore,
    reload,
  };
}
