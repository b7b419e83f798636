/**
 * The functions Athena (Trino) has, by name. A call of any other name fails on Athena ("Function 'strftime' not
 * registered"), while DuckDB may answer it (strftime, len, list_value, string_agg, median, ifnull, …); the local
 * engine fails it the same way, with the Athena function to use where there is one.
 *
 * The names are those of Trino's "List of functions and operators" (trinodb/trino
 * docs/src/main/sphinx/functions/list.md), its geospatial ST_… functions by their prefix, plus `grouping` (GROUPING
 * SETS, which the guard refuses anyway). Trino
 * releases newer than Athena's engine may add names here that Athena lacks; such a call is then answered locally
 * where Athena fails it, never the reverse.
 */
import { damagedParquetReason } from '../../duckdb-sql';
import { LocalDialectError } from '../dialect/local-error';

const NAMES = `
abs acos all_match any_match any_value approx_distinct approx_most_frequent approx_percentile approx_set arbitrary
array_agg array_distinct array_except array_first array_histogram array_intersect array_join array_last array_max
array_min array_position array_remove array_sort array_union arrays_overlap asin at_timezone atan atan2 avg
bar beta_cdf bing_tile bing_tile_at bing_tile_coordinates bing_tile_polygon bing_tile_quadkey bing_tile_zoom_level
bing_tiles_around bit_count bitwise_and bitwise_and_agg bitwise_left_shift bitwise_not bitwise_or bitwise_or_agg
bitwise_right_shift bitwise_right_shift_arithmetic bitwise_xor bool_and bool_or
cardinality cast cbrt ceil ceiling char2hexint checksum chr classify classifier coalesce codepoint collect color
combinations concat concat_ws contains contains_sequence convex_hull_agg corr cos cosh cosine_distance
cosine_similarity count count_if covar_pop covar_samp crc32 cume_dist current_date current_groups current_time
current_timestamp current_timezone current_user
date date_add date_diff date_format date_parse date_trunc day day_of_month day_of_week day_of_year degrees
dense_rank dow doy
e element element_at empty_approx_set ends_with evaluate_classifier_predictions every exclude_columns extract exp
features filter first first_value flatten floor format format_datetime format_number from_base from_base32
from_base64 from_base64url from_big_endian_32 from_big_endian_64 from_encoded_polyline from_geojson_geometry
from_hex from_ieee754_32 from_ieee754_64 from_iso8601_date from_iso8601_timestamp from_iso8601_timestamp_nanos
from_unixtime from_unixtime_nanos from_utf8 fusion
geometric_mean geometry_collect_agg geometry_from_hadoop_shape geometry_invalid_reason geometry_nearest_points
geometry_to_bing_tiles geometry_union geometry_union_agg great_circle_distance greatest grouping
hamming_distance hash_counts histogram hmac_md5 hmac_sha1 hmac_sha256 hmac_sha512 hour human_readable_seconds
if index infinity intersection intersection_cardinality inverse_beta_cdf inverse_normal_cdf is_finite is_infinite
is_json_scalar is_nan
jaccard_index json json_array json_array_contains json_array_get json_array_length json_exists json_extract
json_extract_scalar json_format json_object json_parse json_query json_scalar json_serialize json_size json_value
kurtosis
lag last last_day_of_month last_value lead learn_classifier learn_libsvm_classifier learn_libsvm_regressor
learn_regressor least length levenshtein_distance line_interpolate_point line_interpolate_points line_locate_point
listagg ln localtime localtimestamp log log10 log2 lower lpad ltrim luhn_check
make_set_digest map map_agg map_concat map_entries map_filter map_from_entries map_keys map_union map_values
map_zip_with match_number max max_by md5 merge merge_set_digest millisecond min min_by minute mod month
multimap_agg multimap_from_entries murmur3
nan next ngrams none_match normal_cdf normalize now nth_value ntile nullif numeric_histogram
objectid objectid_timestamp
parse_datetime parse_duration parse_data_size percent_rank permute pi position pow power prev
qdigest_agg quarter
radians rand random random_string rank reduce reduce_agg regexp_count regexp_extract regexp_extract_all
regexp_like regexp_position regexp_replace regexp_split regress regr_intercept regr_slope render repeat replace
reverse rgb round row row_number rpad rtrim
second sequence set sha1 sha256 sha512 shuffle sign simplify_geometry sin sinh skewness slice soundex
spatial_partitioning spatial_partitions split split_part split_to_map split_to_multimap spooky_hash_v2_32
spooky_hash_v2_64 sqrt starts_with stddev stddev_pop stddev_samp strpos substr substring sum
tan tanh tdigest_agg theta_sketch_cardinality theta_sketch_union timestamp_objectid timezone timezone_hour
timezone_minute title_case to_base to_base32 to_base64 to_base64url to_big_endian_32 to_big_endian_64 to_char
to_date to_encoded_polyline to_geojson_geometry to_geometry to_hex to_ieee754_32 to_ieee754_64 to_iso8601
to_milliseconds to_spherical_geography to_timestamp to_unixtime to_utf8 transform transform_keys
transform_values translate trim trim_array truncate try try_cast typeof
upper url_decode url_encode url_extract_fragment url_extract_host url_extract_parameter url_extract_path
url_extract_protocol url_extract_port url_extract_query uuid
value_at_quantile values_at_quantiles var_pop var_samp variance version
week week_of_year width_bucket wilson_interval_lower wilson_interval_upper with_timezone word_stem
xxhash64
year year_of_week yow
zip zip_with
`;

export const TRINO_FUNCTIONS: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter(Boolean));

/** Athena's function for DuckDB names analysts reach for. */
const INSTEAD: Record<string, string> = {
  strftime: 'date_format(ts, format) or format_datetime(ts, pattern)',
  strptime: 'date_parse(text, format) or parse_datetime(text, pattern)',
  len: 'length(s), or cardinality(array)',
  array_length: 'cardinality(array)',
  list_value: 'ARRAY[…]',
  list_contains: 'contains(array, element)',
  // (Athena's listagg(x, ',') WITHIN GROUP (ORDER BY x) is beyond the guard's parser: not suggested.)
  string_agg: "array_join(array_agg(x ORDER BY x), ',')",
  group_concat: "array_join(array_agg(x ORDER BY x), ',')",
  median: 'approx_percentile(x, 0.5)',
  mode: 'the value with the greatest count(*) (GROUP BY, ORDER BY count(*) DESC LIMIT 1)',
  ifnull: 'coalesce(a, b)',
  nvl: 'coalesce(a, b)',
  datediff: "date_diff('day', a, b)",
  date_part: 'extract(part FROM x), or year(x), month(x), …',
  datepart: 'extract(part FROM x)',
  epoch: 'to_unixtime(ts)',
  epoch_ms: 'to_unixtime(ts) * 1000, or from_unixtime(ms / 1000e0)',
  today: 'current_date',
  generate_series: 'sequence(start, stop)',
  range: 'sequence(start, stop)',
  regexp_matches: 'regexp_like(s, pattern)',
  string_split: "split(s, ',')",
  str_split: "split(s, ',')",
  printf: "format('%s', x)",
  unnest: 'CROSS JOIN UNNEST(array) AS t(x) in FROM (Athena has no unnest() in the select list)',
  struct_pack: 'CAST(ROW(…) AS ROW(name type, …))',
  left: 'substr(s, 1, n)',
  right: 'substr(s, -n)',
  instr: 'strpos(s, sub)',
  ilike: 'lower(s) LIKE lower(pattern)',
};

/** Athena's refusal of a function it does not have. */
export class UnknownFunctionError extends Error {
  constructor(name: string) {
    const instead = INSTEAD[name];
    super(
      `Function '${name}' not registered: Athena (Trino) has no function ${name}() and fails this query ` +
        `(FUNCTION_NOT_FOUND); DuckDB has one, so the local engine fails it too.` +
        (instead ? ` On Athena: ${instead}` : " See Trino's list of functions (docs/sql-dialect.md)"),
    );
    this.name = 'UnknownFunctionError';
  }
}

/**
 * Functions both have whose answers differ in a way no macro can mend, refused by name (the local engine's own SQL
 * uses DuckDB's, so no macro may shadow them).
 */
const ANSWERED_OTHERWISE: Record<string, string> = {
  typeof:
    "Athena answers Trino's type names (integer, varchar(1), decimal(2,1), timestamp(3)); DuckDB's typeof answers " +
    'its own (INTEGER, VARCHAR, DECIMAL(2,1), TIMESTAMP). The column types of a result are in its metadata',
  ...Object.fromEntries(
    ['json_value', 'json_exists'].map((name) => [
      name,
      "Athena reads Trino's SQL/JSON path, a mode and then the path ('lax $.a', 'strict $.a'); DuckDB's " +
        `${name} reads another path syntax and answers NULL or false for Trino's, and answers a path without a ` +
        "mode, which Athena refuses: use json_extract_scalar(json, '$.a') or json_extract(json, '$.a') IS NOT NULL",
    ]),
  ),
  ...Object.fromEntries(
    ['json_array', 'json_object'].map((name) => [
      name,
      `Athena's ${name} is Trino's JSON constructor (json_array(v, … [ABSENT | NULL ON NULL]), ` +
        'json_object(KEY k VALUE v), json_object(k : v)): varchar, NULL values left out unless NULL ON NULL; ' +
        `DuckDB's answers its JSON type with NULLs kept and takes json_object(k, v), which Athena refuses: use ` +
        'json_format(CAST(ARRAY[…] AS JSON)) or json_format(CAST(MAP(ARRAY[k], ARRAY[v]) AS JSON))',
    ]),
  ),
  listagg:
    "Athena's listagg(x, sep) needs WITHIN GROUP (ORDER BY …), which the local engine's parser does not read; " +
    "DuckDB's listagg answers without it, where Athena fails the query: use array_join(array_agg(x ORDER BY x), ',')",
  ...Object.fromEntries(
    ['first', 'last'].map((name) => [
      name,
      `Trino's ${name}() navigates rows inside MATCH_RECOGNIZE (MEASURES, DEFINE) and is no aggregate, so Athena ` +
        `fails it elsewhere; DuckDB's ${name} is an aggregate: use min_by(x, key) / max_by(x, key), or arbitrary(x)`,
    ]),
  ),
};

/**
 * A binder error's first sentence: DuckDB goes on with its candidate functions and the statement it bound, which is
 * the local engine's rewrite of the query (`'a' + INTEGER '1'`), not what was written.
 */
function withoutBinderDetail(message: string): string {
  if (!message.startsWith('Binder Error:')) return message;
  const cut = message.search(/\n\s*Candidate functions:|\n\s*\nLINE \d+:|\nLINE \d+:/);
  if (cut < 0) return message;
  return `${message.slice(0, cut).trimEnd()} (the local engine's DuckDB; Athena words it otherwise)`;
}

/**
 * DuckDB's failure of a statement, with the difference named where it is one: a function Athena (Trino) has that
 * DuckDB has not, and no macro translates, fails with "Scalar Function with name x does not exist! Did you mean …"
 * (a DuckDB name, not Athena's); decimal arithmetic that overflows DuckDB's 18 digits, where Athena's wider result
 * type holds the value; a zoned timestamp mixed with a UTC one; a column no table has (Athena's COLUMN_NOT_FOUND).
 * Any other binder error keeps its first sentence (withoutBinderDetail).
 */
export function explainEngineError(message: string, sql = ''): string {
  // A refusal a macro raises as the query runs (error() in ../dialect/): its own words, not DuckDB's error class.
  const refusal = /^Invalid Input Error: (not supported by the local engine: [\s\S]*)$/.exec(message);
  if (refusal) return refusal[1]!;
  // A curated file that does not read: named, with the README's section, not DuckDB's text of the read it ran.
  const damaged = damagedParquetReason(message);
  if (damaged) return damaged;
  // ARRAY[1] || 2: Trino's || appends (or prepends) one element; DuckDB's concatenates lists only.
  if (/Cannot concatenate types (?:\S+\[\] and [^[\s]+ |[^[\s]+ and \S+\[\] )/.test(message))
    return new LocalDialectError(
      '|| between an array and one element',
      'Athena appends or prepends the element (ARRAY[1] || 2 is [1, 2]); DuckDB concatenates arrays only: write ' +
        'a || ARRAY[x] (or ARRAY[x] || a)',
    ).message;
  const overflow = /Overflow in (addition|subtraction|multiplication) of DECIMAL\(18\)/.exec(message);
  if (overflow)
    return new LocalDialectError(
      `decimal ${overflow[1]} beyond 18 digits`,
      "Athena's result is wider (a product of decimal(p1,s1) and decimal(p2,s2) has p1+p2 digits, a sum one more " +
        'than its widest operand) and holds the value; DuckDB keeps operands of at most 18 digits within 18 and ' +
        `overflows (${message.replace(/^[^:]*Error: /, '').split('. ')[0]}): cast an operand to DECIMAL(38, s)`,
    ).message;
  // A column no table of the query has: Athena's COLUMN_NOT_FOUND, not DuckDB's binder text.
  const missing =
    /Referenced column "([^"]+)" not found in FROM clause/.exec(message) ??
    /(?:Table|Values list|Subquery) "([^"]+)" does not have a column named "([^"]+)"/.exec(message);
  if (missing) {
    const name = missing[2] === undefined ? missing[1]! : `${missing[1]}.${missing[2]}`;
    const candidates = /Candidate bindings:[:\s]*([^\n]+)/.exec(message)?.[1]?.trim().replaceAll('"', "'");
    // `status = "paid"`: text in double quotes, which SQL reads as a name (the columns of similar names mislead).
    const quoted = missing[2] === undefined && sql.includes(`"${name.replaceAll('"', '""')}"`);
    const text = `'${name.replaceAll("'", "''")}'`;
    const hint = quoted
      ? ` ("${name}" in double quotes is a name: text is written in single quotes, ${text}` +
        `${candidates ? `; a column: did you mean ${candidates}?` : ''})`
      : candidates
        ? ` (did you mean ${candidates}?)`
        : '';
    return `COLUMN_NOT_FOUND: Column '${name}' cannot be resolved${hint}`;
  }
  // A zoned value (the struct lib/query/dialect/time-zone.ts makes) where DuckDB needs one type with a UTC one.
  if (/__trino_tstz_/.test(message))
    return new LocalDialectError(
      'a timestamp with time zone in a zone other than UTC combined with one in UTC (a UNION, CASE, coalesce, …)',
      "Athena keeps each value's zone; the local engine holds a zoned value apart from a UTC one and cannot mix " +
        "them: convert them to one zone (x AT TIME ZONE 'UTC'), or cast them AS timestamp",
    ).message;
  // A value Node.js cannot hold as one string (its longest: 2^29 - 24 characters), read from DuckDB or the results.
  if (
    /Cannot create a string longer than 0x[0-9a-f]+ characters|^(?:RangeError: )?Invalid string length/.test(
      message,
    )
  )
    return new LocalDialectError(
      'a result value of more than 536,870,888 characters',
      'the local engine holds each value as one Node.js string, and none is longer (Athena writes its results to S3): ' +
        'select a part of it (substr) or its length',
    ).message;
  if (/Max expression depth limit of \d+ exceeded/.test(message))
    return new LocalDialectError(
      'expressions nested more than 1000 deep',
      'DuckDB reads no deeper (Athena may run it): split the expression into steps, e.g. in a WITH clause',
    ).message;
  const m = /Function with name "?([A-Za-z_][A-Za-z0-9_]*)"? does not exist/.exec(message);
  const name = m?.[1]?.toLowerCase();
  if (!name || !TRINO_FUNCTIONS.has(name)) return withoutBinderDetail(message);
  return new LocalDialectError(
    `${name}()`,
    'an Athena (Trino) function the local engine does not translate, which Athena runs (docs/sql-dialect.md lists ' +
      'the functions it translates)',
  ).message;
}

/**
 * Throws an UnknownFunctionError for the first name (lower case) Athena does not have, a LocalDialectError for one
 * DuckDB answers otherwise.
 */
export function refuseUnknownFunctions(names: readonly string[]): void {
  for (const name of names) {
    if (!TRINO_FUNCTIONS.has(name) && !name.startsWith('st_')) throw new UnknownFunctionError(name);
    const difference = ANSWERED_OTHERWISE[name];
    if (difference) throw new LocalDialectError(`${name}()`, difference);
  }
}
