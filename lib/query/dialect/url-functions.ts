/** Trino's URL functions (java.net.URI, URLEncoder, URLDecoder) as DuckDB macros (lib/query/trino-compat.ts). */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

const URL_SCHEME = '^[a-zA-Z][a-zA-Z0-9+.-]*://';

/**
 * A URL java.net.URI refuses (URISyntaxException), for which Trino's url_extract_* give NULL (UrlFunctions.parseUrl):
 * a character no URI holds — a space or another space character, a control character, " < > \\ ^ ` { | } — a % not
 * followed by two hex digits, a second #, or [ ] before the query other than around an IPv6 host (checked against
 * java.net.URI of Java 17). The regular expressions' matching would otherwise give parts of it.
 */
const INVALID_CHARACTER =
  '[\\x00-\\x20"<>\\\\^`{|}\\x{7F}-\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]' +
  '|%([^0-9A-Fa-f]|[0-9A-Fa-f]([^0-9A-Fa-f]|$)|$)|#.*#';
const invalidUri = (u: string) =>
  `(regexp_matches(${u}, '${INVALID_CHARACTER}') OR regexp_matches(regexp_replace(${u}, ` +
  `'${URL_SCHEME}(?:[^/?#@\\[\\]]*@)?\\[[0-9A-Fa-f:.]*\\]', ''), '^[^?#]*[\\[\\]]'))`;
/** NULL for a URL java.net.URI refuses, else `part`. */
const ofValidUri = (u: string, part: string) => `CASE WHEN NOT ${invalidUri(u)} THEN ${part} END`;

/** An opaque URI (a scheme, then no /: mailto:a@b.c), which has no path, query or host to java.net.URI. */
const OPAQUE = "regexp_matches(u, '^[a-zA-Z][a-zA-Z0-9+.-]*:[^/]')";

/** The authority's host ([1]) and what follows it up to the path ([2]: :port). */
const AUTHORITY = `^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#@]*@)?(\\[[^\\]]*\\]|[^/?#:]*)([^/?#]*)`;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const TOP_LABEL = '[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/**
 * A host java.net.URI takes for a server-based authority: a host name (ASCII labels, the last one starting with a
 * letter), an IPv4 address or an IPv6 one in brackets; with a port of digits. Another (my_host, example.123,
 * café.example, a port of letters) makes the authority registry-based: getHost() is null.
 */
const SERVER_HOST = `(?:${LABEL}\\.)*${TOP_LABEL}\\.?|(?:${OCTET}\\.){3}${OCTET}|\\[[0-9A-Fa-f:.]+\\]`;

export const URL_FUNCTIONS: MacroDef[] = [
  // java.net.URI's parts, as Trino's UrlFunctions read them: the host without user information or port; the path
  // and the query decoded (%XX only: a + stays a +); no query is '' (nullToEmpty); NULL for a URL it refuses.
  m(
    'url_extract_host',
    ['u'],
    ofValidUri(
      'u',
      `CASE WHEN regexp_full_match(regexp_extract(u, '${AUTHORITY}', 1), '${SERVER_HOST}') AND ` +
        `regexp_full_match(regexp_extract(u, '${AUTHORITY}', 2), '(:[0-9]*)?') THEN regexp_extract(u, '${AUTHORITY}', 1) END`,
    ),
    {
      signature: 'url_extract_host(url)',
    },
  ),
  m(
    'url_extract_path',
    ['u'],
    ofValidUri(
      'u',
      `CASE WHEN NOT ${OPAQUE} THEN system.main.url_decode(regexp_extract(u, ` +
        `'^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)', 1)) END`,
    ),
    {
      signature: 'url_extract_path(url)',
    },
  ),
  m(
    'url_extract_query',
    ['u'],
    ofValidUri(
      'u',
      `CASE WHEN ${OPAQUE} THEN '' WHEN u IS NOT NULL THEN coalesce(system.main.url_decode(regexp_extract(u, '\\?([^#]*)', 1)), '') END`,
    ),
    { signature: 'url_extract_query(url)' },
  ),
  m(
    'url_extract_protocol',
    ['u'],
    ofValidUri('u', "NULLIF(regexp_extract(u, '^([a-zA-Z][a-zA-Z0-9+.-]*):', 1), '')"),
    {
      signature: 'url_extract_protocol(url)',
    },
  ),
  // The decoded query split at & and each piece at its first =, the name compared as text (a piece without = has
  // the value ''); NULL without a query or without the name.
  m(
    'url_extract_parameter',
    ['u', 'name'],
    `CASE WHEN regexp_extract(u, '\\?([^#]*)', 1) IS NOT NULL AND name IS NOT NULL AND NOT ${invalidUri('u')} ` +
      `AND NOT ${OPAQUE} THEN ` +
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
