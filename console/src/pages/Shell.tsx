/** The signed-in console: the navigation and the page the URL's hash names. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LakeApi } from '../lib/api';
import { parseRoute, routeHref, type Route } from '../lib/route';
import { ExecutionPage } from './ExecutionPage';
import { IngestPage } from './IngestPage';
import { QueryPage } from './QueryPage';
import { RunsPage } from './RunsPage';
import { TablesPage } from './TablesPage';

const NAV: { page: Route['page']; label: string; href: string }[] = [
  { page: 'query', label: 'Query', href: '#/query' },
  { page: 'tables', label: 'Tables', href: '#/tables' },
  { page: 'ingest', label: 'Ingest', href: '#/ingest' },
  { page: 'runs', label: 'Uploads & runs', href: '#/runs' },
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function Shell({ api, onSignOut }: { api: LakeApi; onSignOut: () => void }) {
  const route = useRoute();
  const [pendingSql, setPendingSql] = useState<{ sql: string } | undefined>(undefined);
  const active = route.page === 'execution' ? 'runs' : route.page;
  // The page shown, by its canonical address ('#/' and '#/query' are one page).
  const shown = routeHref(route);
  const lastShown = useRef<string | null>(null);
  useEffect(() => {
    document.title = `${NAV.find((n) => n.page === active)?.label ?? 'Console'} · Data lake console`;
    // After a move to another page (not at load, not another address of the page shown), the keyboard continues
    // from the page's content — unless it was put in the page since (a click into the editor right after the link).
    const moved = lastShown.current !== null && lastShown.current !== shown;
    lastShown.current = shown;
    const main = document.getElementById('main');
    if (moved && !main?.contains(document.activeElement)) main?.focus({ preventScroll: true });
  }, [shown]);
  const query = (sql: string) => {
    setPendingSql({ sql });
    location.hash = routeHref({ page: 'query' });
  };
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Data lake</span>
        <nav aria-label="pages">
          {NAV.map((n) => (
            <a key={n.page} href={n.href} aria-current={active === n.page ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'query' ? (
          <QueryPage api={api} initialSql={pendingSql} onInitialSqlTaken={() => setPendingSql(undefined)} />
        ) : null}
        {route.page === 'tables' ? <TablesPage api={api} table={route.table} onQuery={query} /> : null}
        {route.page === 'ingest' ? <IngestPage api={api} /> : null}
        {route.page === 'runs' ? <RunsPage api={api} onQuery={query} /> : null}
        {/* One page per execution: nothing of another one (its retry, its answer) carries over. */}
        {route.page === 'execution' ? <ExecutionPage key={route.name} api={api} name={route.name} /> : null}
      </main>
    </>
  );
}
