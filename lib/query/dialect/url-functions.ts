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

/** The first % that is no escape, with up to two characters after it ([1]), as URLDecoder reads the text. */
const BAD_ESCAPE = '(?s)^(?:[^%]|%[0-9A-Fa-f]{2})*(%(?:.?$|[^0-9A-Fa-f].|[0-9A-Fa-f][^0-9A-Fa-f]))';

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
  // Trino's UrlFunctions.urlExtractParameter: the raw query (as written, not decoded) split at & and each piece at
  // its first =, the raw name compared as text with `name` (a piece without = has the value ''), the value then
  // decoded by URLDecoder (url_decode below: %XX, and + as a space); NULL without a query or without the name.
  m(
    'url_extract_parameter',
    ['u', 'name'],
    `CASE WHEN regexp_matches(u, '^[^#]*\\?') AND name IS NOT NULL AND NOT ${invalidUri('u')} ` +
      `AND NOT ${OPAQUE} THEN ` +
      "list_extract(list_transform(list_filter(string_split(regexp_extract(u, '\\?([^#]*)', 1), '&'), " +
      "p -> string_split(p, '=')[1] = name), " +
      "p -> CASE WHEN strpos(p, '=') > 0 THEN url_decode(system.main.substr(p, strpos(p, '=') + 1)) ELSE '' END), 1) END",
    {
      signature: 'url_extract_parameter(url, name)',
      duckdb: "the raw query split at '&' and '=', the value then url_decode",
      note: "the first piece of that name (compared as written, not decoded: Trino splits getRawQuery()); a piece without = has the value ''; the value decoded as url_decode does (+ is a space; an encoded & or = stays in the value)",
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
  // URLDecoder fails a % without two hex digits after it (Trino: INVALID_FUNCTION_ARGUMENT), where DuckDB's
  // url_decode keeps it as written: the first escape that is not one, found as URLDecoder reads (left to right, a
  // valid %XX taken whole), is "Incomplete trailing" when fewer than two characters follow it.
  m(
    'url_decode',
    ['s'],
    `CASE WHEN regexp_matches(s, '${BAD_ESCAPE}') THEN error(CASE WHEN length(regexp_extract(s, '${BAD_ESCAPE}', 1)) < 3 ` +
      "THEN 'URLDecoder: Incomplete trailing escape (%) pattern' " +
      "ELSE 'URLDecoder: Illegal hex characters in escape (%) pattern' END) " +
      "ELSE system.main.url_decode(replace(s, '+', ' ')) END",
    {
      signature: 'url_decode(value)',
      duckdb: "url_decode(replace(s, '+', ' '))",
      note: "Java's URLDecoder: + is a space (DuckDB keeps it); a % without two ASCII hex digits after it fails, as in Trino (Java also reads %+1 and other scripts' digits, which fail locally); bytes that are not UTF-8 fail (Java: U+FFFD)",
    },
  ),
];
