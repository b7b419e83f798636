/**
 * Trino's varbinary functions (https://trino.io/docs/current/functions/binary.html) as DuckDB macros
 * (lib/query/trino-compat.ts): to_utf8 and from_utf8 are DuckDB's encode and decode, from_hex and from_base64 its own
 * with Trino's failures and Java's decoder; the digests md5, sha1 and
 * sha256 take and return varbinary on Athena, where DuckDB's built-ins of the same names take text too and answer
 * the digest as lower-case hex text — the macros shadow them and answer the digest's bytes (to_hex(md5(to_utf8(s)))
 * is Athena's answer). Each fails an argument Trino does not take, as Athena does (FUNCTION_NOT_FOUND). sha512 and
 * the other hashes Trino has and DuckDB lacks fail naming the difference (lib/query/duckdb/trino-functions.ts).
 */
import { compatMacro as m } from './compat-macro';
import type { MacroDef } from './macros';

/** typeof() of the argument types a function takes, and of an untyped NULL (which Trino coerces to any). */
const takes = (type: string) => `typeof(x) NOT IN ('${type}', '"NULL"')`;

/** Trino's refusal of an argument of another type, its message as DuckDB's error() raises it. */
const refusal = (name: string, expected: string, advice: string) =>
  `error('Unexpected parameters (' || lower(typeof(x)) || ') for function ${name}. Expected: ${name}(${expected}): ` +
  `Athena (Trino) fails this query (FUNCTION_NOT_FOUND), so the local engine fails it too. ${advice}')`;

const digest = (name: string): MacroDef =>
  m(
    name,
    ['x'],
    `CASE WHEN ${takes('BLOB')} THEN ${refusal(name, 'varbinary', `Give it varbinary: ${name}(to_utf8(s))`)} ` +
      `ELSE unhex(system.main.${name}(x)) END`,
    {
      signature: `${name}(varbinary)`,
      duckdb: `unhex(${name}(x))`,
      note: `the digest as varbinary, as Trino (DuckDB's ${name} answers lower-case hex text and takes text too); a varchar argument fails, as on Athena`,
    },
  );

/**
 * Well-formed UTF-8 (RFC 3629, section 4) as upper-case hex pairs, the text DuckDB's hex() writes: DuckDB's decode
 * fails bytes that are not, and TRY cannot hold a macro's argument that may raise error() (a volatile function).
 */
const CONT = '[89AB][0-9A-F]';
const UTF8_HEX =
  `^(?:[0-7][0-9A-F]|(?:C[2-9A-F]|D[0-9A-F])${CONT}|E0[AB][0-9A-F]${CONT}|(?:E[1-9A-CEF])${CONT}${CONT}` +
  `|ED[89][0-9A-F]${CONT}|F0[9AB][0-9A-F]${CONT}${CONT}|F[1-3]${CONT}${CONT}${CONT}|F48[0-9A-F]${CONT}${CONT})*$`;

/** The text from_utf8 fails on (see its note). */
const INVALID_UTF8 =
  "error('not supported by the local engine: from_utf8() of bytes that are not UTF-8: Athena (Trino) replaces " +
  "each invalid sequence with U+FFFD; DuckDB cannot decode them, so the local engine fails the query')";

export const BINARY_FUNCTIONS: MacroDef[] = [
  m(
    'to_utf8',
    ['x'],
    `CASE WHEN ${takes('VARCHAR')} THEN ${refusal('to_utf8', 'varchar', 'Cast it first: to_utf8(CAST(x AS varchar))')} ` +
      'ELSE encode(CAST(x AS VARCHAR)) END',
    { signature: 'to_utf8(string)', duckdb: 'encode(s)', note: 'the UTF-8 bytes as varbinary' },
  ),
  m(
    'from_utf8',
    ['x'],
    `CASE WHEN ${takes('BLOB')} THEN ${refusal('from_utf8', 'varbinary', 'Give it varbinary: from_hex(h)')} ` +
      `WHEN x IS NULL THEN NULL WHEN regexp_full_match(hex(x), '${UTF8_HEX}') THEN decode(x) ELSE ${INVALID_UTF8} END`,
    {
      signature: 'from_utf8(binary)',
      duckdb: 'decode(b)',
      note: 'bytes that are not UTF-8 fail the query naming the difference (Athena replaces each invalid sequence with U+FFFD); from_utf8(binary, replace) is not translated',
    },
  ),
  // Trino's from_hex fails an odd number of digits (VarbinaryFunctions: "invalid input length"); DuckDB's reads a
  // leading 0 (from_hex('abc') = 0a bc).
  m(
    'from_hex',
    ['x'],
    "CASE WHEN length(CAST(x AS VARCHAR)) % 2 = 1 THEN error('invalid input length ' || length(CAST(x AS VARCHAR)) || " +
      "': Athena (Trino) fails from_hex of an odd number of hex digits; DuckDB would read a leading 0, so the local " +
      "engine fails it too') ELSE system.main.from_hex(x) END",
    {
      signature: 'from_hex(string)',
      duckdb: 'from_hex(s)',
      note: 'an odd number of hex digits fails, as in Trino (DuckDB reads a leading 0)',
    },
  ),
  // Java's Base64 decoder (Trino's from_base64) takes the text without its padding (YQ is 61), not with part of it
  // (YQ= fails there as in DuckDB); DuckDB's needs it whole.
  m(
    'from_base64',
    ['x'],
    // A '=' followed by data ends no text for Java ("wrong 4-byte ending unit"); DuckDB reads on.
    "CASE WHEN regexp_matches(CAST(x AS VARCHAR), '=[^=]') THEN error('Illegal base64 text: padding (=) before " +
      "its end. Athena (Trino) fails this query; DuckDB would answer, so the local engine fails it too') " +
      "WHEN length(CAST(x AS VARCHAR)) % 4 IN (2, 3) AND strpos(CAST(x AS VARCHAR), '=') = 0 " +
      'THEN system.main.from_base64(CAST(x AS VARCHAR) || ' +
      "system.main.repeat('=', 4 - length(CAST(x AS VARCHAR)) % 4)) ELSE system.main.from_base64(x) END",
    {
      signature: 'from_base64(string)',
      duckdb: 'from_base64(s), padded with = to a multiple of 4',
      note: 'the padding may be left out, as Java reads it',
    },
  ),
  digest('md5'),
  digest('sha1'),
  digest('sha256'),
];
