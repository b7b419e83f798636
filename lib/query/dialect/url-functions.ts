/** Trino's URL functions (java.net.URI, URLEncoder, URLDecoder) as DuckDB macros (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

const URL_SCHEME = '^[a-zA-Z][a-zA-Z0-9+.-]*://';

export const URL_FUNCTIONS: MacroDef[] = [
  m('url_extract_host', ['u'], `regexp_extract(u, '${URL_SCHEME}([^/:?#]+)', 1)`, {
    signature: 'url_extract_host(url)',
  }),
  m('url_extract_path', ['u'], `regexp_extract(u, '${URL_SCHEME}[^/?#]*([^?#]*)', 1)`, {
    signature: 'url_extract_path(url)',
  }),
  m('url_extract_query', ['u'], "regexp_extract(u, '\\?([^#]*)', 1)", {
    signature: 'url_extract_query(url)',
  }),
  m('url_extract_protocol', ['u'], "regexp_extract(u, '^([a-zA-Z][a-zA-Z0-9+.-]*):', 1)", {
    signature: 'url_extract_protocol(url)',
  }),
  // java.net.URI's decoding (%XX only; a + stays a +): DuckDB's url_decode, not Trino's url_decode below.
  m(
    'url_extract_parameter',
    ['u', 'name'],
    "system.main.url_decode(regexp_extract(u, '[?&]' || name || '=([^&#]*)', 1))",
    {
      signature: 'url_extract_parameter(url, name)',
      duckdb: 'url_decode(regexp_extract(…))',
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
