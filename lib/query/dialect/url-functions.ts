/** Trino's URL functions (java.net.URI, URLEncoder, URLDecoder) as DuckDB macros (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

const URL_SCHEME = '^[a-zA-Z][a-zA-Z0-9+.-]*://';

export const URL_FUNCTIONS: MacroDef[] = [
  // java.net.URI's parts, as Trino's UrlFunctions read them: the host without user information or port; the path
  // and the query decoded (%XX only: a + stays a +); no query is '' (nullToEmpty).
  m(
    'url_extract_host',
    ['u'],
    `regexp_extract(u, '${URL_SCHEME}(?:[^/?#@]*@)?(\\[[^\\]]*\\]|[^/?#:]*)', 1)`,
    {
      signature: 'url_extract_host(url)',
    },
  ),
  m(
    'url_extract_path',
    ['u'],
    `system.main.url_decode(regexp_extract(u, '${URL_SCHEME}[^/?#]*([^?#]*)', 1))`,
    {
      signature: 'url_extract_path(url)',
    },
  ),
  m(
    'url_extract_query',
    ['u'],
    "CASE WHEN u IS NOT NULL THEN coalesce(system.main.url_decode(regexp_extract(u, '\\?([^#]*)', 1)), '') END",
    { signature: 'url_extract_query(url)' },
  ),
  m('url_extract_protocol', ['u'], "regexp_extract(u, '^([a-zA-Z][a-zA-Z0-9+.-]*):', 1)", {
    signature: 'url_extract_protocol(url)',
  }),
  // The decoded query split at & and each piece at its first =, the name compared as text (a piece without = has
  // the value ''); NULL without a query or without the name.
  m(
    'url_extract_parameter',
    ['u', 'name'],
    "CASE WHEN regexp_extract(u, '\\?([^#]*)', 1) IS NOT NULL AND name IS NOT NULL THEN " +
      "list_extract(list_transform(list_filter(string_split(url_extract_query(u), '&'), " +
      "p -> string_split(p, '=')[1] = name), " +
      "p -> CASE WHEN strpos(p, '=') > 0 THEN system.main.substr(p, strpos(p, '=') + 1) ELSE '' END), 1) END",
    {
      signature: 'url_extract_parameter(url, name)',
      duckdb: "the decoded query split at '&' and '='",
      note: 'the first piece named so; a piece without = is the value; a + stays a + (java.net.URI)',
    },
  ),
  // Java's URLEncoder and URLDecoder (Trino's url_encode, url_decode): a space is +, * is kept and ~ is %7E, where
  // DuckDB writes %20, %2A and ~ (every other byte is escaped alike, in upper-case hex); + decodes to a space.
  m(
    'url_encode',
    ['s'],
    "replace(replace(replace(system.main.url_encode(s), '%20', '+'), '%2A', '*'), '~', '%7E')",
    {
      signature: 'url_encode(value)',
      duckdb: 'url_encode, then + * %7E',
      note: "Java's URLEncoder: a space is +, * is kept, ~ is %7E (DuckDB: %20, %2A, ~)",
    },
  ),
  m('url_decode', ['s'], "system.main.url_decode(replace(s, '+', ' '))", {
    signature: 'url_decode(value)',
    duckdb: "url_decode(replace(s, '+', ' '))",
    note: "Java's URLDecoder: + is a space (DuckDB keeps it)",
  }),
];
