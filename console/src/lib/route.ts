/** The console's pages, addressed by the URL's hash (#/query, #/runs/<name>, ...). No DOM. */
export type Route =
  | { page: 'query' }
  | { page: 'tables'; table: string | null }
  | { page: 'ingest' }
  | { page: 'runs' }
  | { page: 'execution'; name: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  switch (parts[0]) {
    case 'tables':
      return { page: 'tables', table: parts[1] || null };
    case 'ingest':
      return { page: 'ingest' };
    case 'runs':
      return parts[1] ? { page: 'execution', name: parts[1] } : { page: 'runs' };
    default:
      return { page: 'query' };
  }
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'tables':
      return route.table ? `#/tables/${encodeURIComponent(route.table)}` : '#/tables';
    case 'execution':
      return `#/runs/${encodeURIComponent(route.name)}`;
    default:
      return `#/${route.page}`;
  }
}
