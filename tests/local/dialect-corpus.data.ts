/**
 * The differential dialect corpus: Athena SQL with the answer Athena or Trino documents (the page or source each
 * answer is taken from is cited with it), run on the local engine through the same path as POST /queries (the
 * guard, then the engine). `refused` entries are constructs the local engine cannot answer as Athena does: the
 * query must FAIL with a reason naming the construct, never return another answer.
 */

/** Where an expected answer comes from. */
const ATHENA_TZ = 'https://docs.aws.amazon.com/athena/latest/ug/athena-supported-time-zones.html';
const TRINO_DATETIME = 'https://trino.io/docs/current/functions/datetime.html';
const TRINO_REGEXP = 'https://trino.io/docs/current/functions/regexp.html';
const TRINO_REGEXP_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/JoniRegexpFunctions.java (appendReplacement)';
const TRINO_REGEXP_EXTRACT_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/JoniRegexpFunctions.java (regexpExtract: ' +
  'validateGroup, then a group whose region begins at -1 is NULL)';
const TRINO_JSON_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/JsonExtract.java (JsonParseException → NULL)';
const TRINO_STRING = 'https://trino.io/docs/current/functions/string.html';
const TRINO_LIKE_SRC =
  'trinodb/trino core/trino-main/src/test/java/io/trino/type/TestLikeFunctions.java (testInvalidLikePattern) and ' +
  'LikePattern: an escape followed by anything but %, _ or itself fails; the escape is one character';
const TRINO_FORMAT_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/FormatFunction.java (java.lang.String.format)';
const TRINO_ARRAY = 'https://trino.io/docs/current/functions/array.html';
const TRINO_CAST_SRC = 'trinodb/trino core/trino-main/src/main/java/io/trino/type/CharacterStringCasts.java';
const TRINO_MATH = 'https://trino.io/docs/current/functions/math.html';
const TRINO_MATH_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/MathFunctions.java';
const TRINO_SELECT = 'https://trino.io/docs/current/sql/select.html';
const TRINO_UNNEST_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/sql/analyzer/StatementAnalyzer.java (visitUnnest: an array of ' +
  'rows gives a column per field, a map two)';
const TRINO_VALUES = 'https://trino.io/docs/current/sql/values.html';
const TRINO_AGG = 'https://trino.io/docs/current/functions/aggregate.html';
const TRINO_DECIMAL = 'https://trino.io/docs/current/functions/decimal.html';
const TRINO_FUNCTION_LIST = 'https://trino.io/docs/current/functions/list.html';
const TRINO_URL_SRC =
  'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/UrlFunctions.java (java.net.URI: getHost, ' +
  'getPath and getQuery decoded, nullToEmpty; url_extract_parameter splits getRawQuery, then URLDecoder decodes the ' +
  'value; a parameter piece without = is the empty value; decodeUrl fails an IllegalArgumentException of URLDecoder)';
const TRINO_ARRAY_SRC = 'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/';
const ATHENA_TIMESTAMP_EXCEPTIONS =
  "https://repost.aws/knowledge-center/athena-table-timestamp-exceptions (\"'>' cannot be applied to timestamp, " +
  'varchar(19)": a TIMESTAMP compared with a STRING; cast the literal)';

const TRINO_WINDOW = 'https://trino.io/docs/current/functions/window.html';
const TRINO_RECURSIVE_TEST =
  'trinodb/trino core/trino-main/src/test/java/io/trino/sql/query/TestRecursiveCte.java';
const TRINO_RECURSIVE_ANALYZER =
  'trinodb/trino core/trino-main/src/main/java/io/trino/sql/analyzer/StatementAnalyzer.java (tryProcessRecursiveQuery)';
const ATHENA_RECURSION =
  'https://docs.aws.amazon.com/athena/latest/ug/select.html (WITH RECURSIVE: "The maximum recursion depth is 10")';

export interface CorpusEntry {
  sql: string;
  /** The answer: its rows (cells as the API returns them). */
  rows?: unknown[][];
  /** The column types Athena reports, when the entry checks them. */
  types?: string[];
  /** The local engine must refuse: the reason matches. */
  refused?: RegExp;
  source: string;
}

export const CORPUS: CorpusEntry[] = [
  // --- AT TIME ZONE and timestamp with time zone --------------------------------------------------------------
  {
    sql: "SELECT timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles' AS la_time",
    rows: [['2012-10-30 18:00:00.000 America/Los_Angeles']],
    types: ['timestamp with time zone'],
    source: ATHENA_TZ,
  },
  {
    sql: "SELECT at_timezone(timestamp '2021-08-22 00:00 UTC', 'Canada/Newfoundland')",
    rows: [['2021-08-21 21:30:00.000 Canada/Newfoundland']],
    source: ATHENA_TZ,
  },
  {
    sql: "SELECT timezone_hour(timestamp '2021-08-22 04:00 UTC' AT TIME ZONE 'Canada/Newfoundland')",
    rows: [[-2]],
    source: ATHENA_TZ,
  },
  {
    sql: "SELECT timezone_minute(timestamp '2021-08-22 04:00 UTC' AT TIME ZONE 'Canada/Newfoundland')",
    rows: [[-30]],
    source: ATHENA_TZ,
  },
  {
    sql: "SELECT with_timezone(timestamp '2021-08-22 04:00', 'Canada/Newfoundland')",
    rows: [['2021-08-22 04:00:00.000 Canada/Newfoundland']],
    source: ATHENA_TZ,
  },
  {
    // A timestamp literal with a zone keeps it (Trino: timestamp(p) with time zone).
    sql: "SELECT TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles'",
    rows: [['2001-08-22 03:04:05.321 America/Los_Angeles']],
    types: ['timestamp with time zone'],
    source: `${TRINO_DATETIME} (time zone conversion: TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles')`,
  },
  {
    sql: "SELECT TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles' AT TIME ZONE 'UTC'",
    rows: [['2001-08-22 10:04:05.321 UTC']],
    source: `${TRINO_DATETIME} (AT TIME ZONE 'UTC' example)`,
  },
  {
    // Read as a wall clock in the zone: hour() of 18:00 Los Angeles time.
    sql: "SELECT hour(timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles'), date(timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles')",
    rows: [[18, '2012-10-30']],
    source: `${ATHENA_TZ} (the same instant: 2012-10-30 18:00 in Los Angeles)`,
  },
  {
    sql: "SELECT date_format(timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles', '%Y-%m-%d %H:%i')",
    rows: [['2012-10-30 18:00']],
    source: ATHENA_TZ,
  },
  {
    sql: "SELECT CAST(timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles' AS varchar)",
    rows: [['2012-10-30 18:00:00.000 America/Los_Angeles']],
    source: ATHENA_TZ,
  },
  {
    // Equal instants in different zones compare equal.
    sql: "SELECT timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles' = timestamp '2012-10-31 01:00 UTC'",
    rows: [[true]],
    source: `${TRINO_DATETIME} (timestamp with time zone compares instants)`,
  },
  {
    sql: "SELECT date_trunc('day', timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles')",
    rows: [['2012-10-30 00:00:00.000 America/Los_Angeles']],
    source: `${TRINO_DATETIME} (date_trunc keeps the zone)`,
  },
  {
    sql: "SELECT from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')",
    rows: [['2020-05-11 11:15:05.055 +01:00']],
    source: `${TRINO_DATETIME} (from_iso8601_timestamp example)`,
  },
  {
    sql: "SELECT from_iso8601_timestamp('2020-05-11T11:15:05')",
    rows: [['2020-05-11 11:15:05.000 UTC']],
    source: `${TRINO_DATETIME} (from_iso8601_timestamp: the session zone, UTC on Athena)`,
  },
  {
    // A date alone is midnight in the session zone; its day is not an offset.
    sql: "SELECT from_iso8601_timestamp('2024-03-15'), from_iso8601_timestamp('2021-01-03'), from_iso8601_date('2021-01-03')",
    rows: [['2024-03-15 00:00:00.000 UTC', '2021-01-03 00:00:00.000 UTC', '2021-01-03']],
    source: `${TRINO_DATETIME} (from_iso8601_timestamp, from_iso8601_date)`,
  },
  {
    sql: "SELECT from_iso8601_timestamp('2021-01-03 14:05:06')",
    refused: /not an ISO 8601 date-time \(from_iso8601_timestamp\): 2021-01-03 14:05:06/,
    source: `${TRINO_DATETIME}; Joda ISODateTimeFormat.dateTimeParser (a T before the time): "Invalid format"`,
  },
  {
    sql: "SELECT from_iso8601_date('2021-01-03T10:00:00')",
    refused: /not an ISO 8601 date \(from_iso8601_date\): 2021-01-03T10:00:00/,
    source: `${TRINO_DATETIME}; Joda ISODateTimeFormat.dateElementParser: "Invalid format"`,
  },
  {
    sql: "SELECT try(from_iso8601_timestamp('2021-01-03 14:05:06'))",
    rows: [[null]],
    source: 'https://trino.io/docs/current/functions/conditional.html (try: NULL where the expression fails)',
  },
  {
    // Text to timestamp(3): the fraction rounded half up to milliseconds (DuckDB truncated it); a date alone is
    // midnight; one-digit fields as Trino's DATETIME_PATTERN reads them.
    sql:
      "SELECT CAST('2024-03-01 10:00:00.123556' AS timestamp), CAST('2021-01-03 23:59:59.9996' AS timestamp), " +
      "CAST('2024-03-01 10:00:00.1234' AS timestamp), CAST('2024-03-01' AS timestamp), date('2024-03-01'), " +
      "TRY_CAST('2021-01-03T14:05:06' AS timestamp), try(date('2024-03-01 10:00:00'))",
    rows: [
      [
        '2024-03-01 10:00:00.124',
        '2021-01-04 00:00:00.000',
        '2024-03-01 10:00:00.123',
        '2024-03-01 00:00:00.000',
        '2024-03-01',
        null,
        null,
      ],
    ],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/type/DateTimes.java (DATETIME_PATTERN), ' +
      'VarcharToTimestampCast.java (round(fraction)); DateTimeUtils.parseDate (yyyy-MM-dd)',
  },
  {
    sql: "SELECT CAST('2021-01-03T14:05:06' AS timestamp)",
    refused: /Value cannot be cast to timestamp: 2021-01-03T14:05:06/,
    source: 'trinodb/trino DateTimes.java (DATETIME_PATTERN: a space between the date and the time)',
  },
  {
    sql: "SELECT date('2024-03-01 10:00:00')",
    refused: /Value cannot be cast to date: 2024-03-01 10:00:00/,
    source: 'trinodb/trino DateTimeUtils.parseDate (a date alone)',
  },
  {
    sql: "SELECT to_iso8601(DATE '2020-05-11'), to_iso8601(TIMESTAMP '2020-05-11 11:15:05.055')",
    rows: [['2020-05-11', '2020-05-11T11:15:05.055']],
    source: `${TRINO_DATETIME} (to_iso8601)`,
  },
  {
    sql: "WITH t AS (SELECT timestamp '2012-10-31 01:00 UTC' AT TIME ZONE 'America/Los_Angeles' AS la) SELECT hour(la) FROM t",
    refused: /AT TIME ZONE 'America\/Los_Angeles'.*keeps no time zone/,
    source: 'local engine: a zoned value in a CTE column cannot be carried',
  },
  {
    // A branch's value in a zone other than UTC beside a UTC one: DuckDB could not cast one to the other.
    sql: "SELECT TIMESTAMP '2026-01-02 10:00:00 Asia/Tokyo' AS ts UNION ALL SELECT TIMESTAMP '2026-01-02 10:00:00 UTC'",
    refused:
      /^not supported by the local engine: a timestamp with time zone in a zone other than UTC combined with one in UTC.*AT TIME ZONE 'UTC'/,
    source:
      'local engine: a zoned value is a struct, a UTC one a TIMESTAMPTZ (lib/query/dialect/time-zone.ts)',
  },
  // --- regexp_replace's replacement ---------------------------------------------------------------------------
  {
    sql: "SELECT regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')",
    rows: [['3ca 3cb 14m']],
    source: `${TRINO_REGEXP} (regexp_replace example)`,
  },
  {
    sql: "SELECT regexp_replace('1a 2b 14m', '\\d+[ab] ')",
    rows: [['14m']],
    source: `${TRINO_REGEXP} (regexp_replace example)`,
  },
  {
    sql: "SELECT regexp_replace('abc', '(b)', '\\1'), regexp_replace('abc', '(b)', '\\$1'), regexp_replace('abc', '(b)', '\\\\')",
    rows: [['a1c', 'a$1c', 'a\\c']],
    source: `${TRINO_REGEXP_SRC}: \\x is a literal x`,
  },
  {
    sql: "SELECT regexp_replace('abc', '(?<x>b)', '[${x}]'), regexp_replace('abc', '', '-')",
    rows: [['a[b]c', '-a-b-c-']],
    source: TRINO_REGEXP_SRC,
  },
  {
    sql: "SELECT regexp_replace('abc', '(b)', '$12')",
    rows: [['ab2c']],
    source: `${TRINO_REGEXP_SRC}: the longest group number the pattern has ($1, then 2)`,
  },
  {
    sql: "SELECT regexp_replace('abc', '(b)', '$2')",
    refused: /Illegal replacement sequence: unknown group 2/,
    source: TRINO_REGEXP_SRC,
  },
  {
    sql: "SELECT regexp_extract('abc', '(x)?b', 1), regexp_extract('xyz', '(y)?z', 1), regexp_extract('abc', 'q', 0), regexp_extract('abc', 'x*')",
    rows: [[null, 'y', null, '']],
    source: `${TRINO_REGEXP_EXTRACT_SRC}: a group that took no part in the first match is NULL`,
  },
  {
    sql: "SELECT regexp_extract('zzz', '(x)?b', 2)",
    refused: /Pattern has 1 groups\. Cannot access group 2/,
    source: `${TRINO_REGEXP_EXTRACT_SRC}: the group is checked before the search, also where nothing matches`,
  },
  {
    sql: "SELECT regexp_extract('abc', '(b)', -1)",
    refused: /Group cannot be negative/,
    source: TRINO_REGEXP_EXTRACT_SRC,
  },
  {
    sql:
      "SELECT currency, count(*) AS n FROM (VALUES ('a'), ('b'), ('a')) t(currency) GROUP BY ROLLUP (currency) " +
      'ORDER BY currency NULLS LAST',
    rows: [
      ['a', 2],
      ['b', 1],
      [null, 3],
    ],
    source: `${TRINO_SELECT} (GROUP BY ROLLUP: the grouping sets (currency) and ())`,
  },
  {
    sql:
      "SELECT a, b, count(*), grouping(a, b) FROM (VALUES ('x', 1), ('y', 2)) t(a, b) GROUP BY CUBE (a, b) " +
      'ORDER BY 4, 1, 2',
    rows: [
      ['x', 1, 1, 0],
      ['y', 2, 1, 0],
      ['x', null, 1, 1],
      ['y', null, 1, 1],
      [null, 1, 1, 2],
      [null, 2, 1, 2],
      [null, null, 2, 3],
    ],
    types: ['varchar', 'integer', 'bigint', 'integer'],
    source:
      `${TRINO_SELECT} (GROUP BY CUBE: every subset; grouping(): a bit per argument, 1 where it is not grouped); ` +
      'trinodb/trino ExpressionAnalyzer.visitGroupingOperation (integer up to 31 arguments)',
  },
  {
    sql: "SELECT string_agg(x, ',') FROM (VALUES ('b'), ('a')) t(x)",
    refused: /has no function string_agg\(\).* On Athena: array_join\(array_agg\(x ORDER BY x\), ','\)$/,
    source: `${TRINO_FUNCTION_LIST} (no string_agg; the suggestion is one the guard takes, below)`,
  },
  {
    sql: "SELECT array_join(array_agg(x ORDER BY x), ',') FROM (VALUES ('b'), ('a')) t(x)",
    rows: [['a,b']],
    source: `${TRINO_AGG} (array_agg with ORDER BY); ${TRINO_ARRAY} (array_join)`,
  },
  {
    sql: 'SELECT variance(x), var_samp(x), variance(DISTINCT x) FROM (VALUES (1e0), (2e0), (2e0)) t(x)',
    rows: [[0.3333333333333333, 0.3333333333333333, 0.5]],
    source: `${TRINO_AGG} (variance(x): an alias of var_samp)`,
  },
  {
    sql: "SELECT regexp_replace('baaa', 'a*', '-')",
    refused:
      /regexp_replace with a pattern that matches empty text here: Athena \(Joni\) also replaces an empty match right after another match/,
    source: `${TRINO_REGEXP_SRC}: Athena answers -b-- (Joni's search goes on at the end of a match); RE2 skips the empty match there`,
  },
  {
    sql: "SELECT regexp_split('abcd', '')",
    refused:
      /regexp_split with a pattern that matches empty text here: Athena \(Joni\) splits at every empty match/,
    source: `${TRINO_REGEXP}; trinodb/trino AbstractTestRegexpFunctions.testRegexpSplit: ['', a, b, c, d, '']`,
  },
  {
    sql:
      "SELECT regexp_replace('baaa', 'a*', ''), regexp_replace('a  b c', '\\s*', ''), regexp_split('a1b22c', '\\d+'), " +
      "regexp_split('a,b,,c', ',')",
    rows: [['b', 'abc', ['a', 'b', 'c'], ['a', 'b', '', 'c']]],
    source: `${TRINO_REGEXP} (an empty replacement, or no empty match: the same on both)`,
  },
  {
    sql: "SELECT reverse(ARRAY[1, 2, 3]), reverse('abc'), reverse(ARRAY['a', NULL])",
    rows: [[[3, 2, 1], 'cba', [null, 'a']]],
    types: ['array(integer)', 'varchar', 'array(varchar)'],
    source: `${TRINO_ARRAY} (reverse(x): the array in reverse order); ${TRINO_STRING} (reverse(string))`,
  },
  {
    sql:
      "SELECT to_unixtime(TIMESTAMP '2024-11-03 01:30:00 America/New_York'), " +
      "to_unixtime(with_timezone(TIMESTAMP '2024-11-03 01:30:00', 'America/New_York')), " +
      "to_unixtime(TIMESTAMP '2024-11-03 02:30:00 America/New_York'), " +
      "to_unixtime(TIMESTAMP '2024-10-27 02:30:00 Europe/Berlin'), " +
      "to_unixtime(TIMESTAMP '2024-04-07 01:45:00 Australia/Lord_Howe')",
    rows: [[1730611800, 1730611800, 1730619000, 1729989000, 1712414700]],
    source:
      'java.time.ZonedDateTime.of (an overlap, where clocks are set back, takes the earlier offset, typically ' +
      "summer's) and Joda's DateTimeZone.getOffsetFromLocal (the same), which Trino reads zoned timestamps with",
  },
  {
    // The second 01:30 of the night New York's clocks go back (06:30Z, EST): truncated to the minute, the hour or
    // the second, it keeps its offset; to the day, midnight's instant. Kolkata's half-hour offset: hour on the wall.
    sql:
      "SELECT to_unixtime(date_trunc('minute', at_timezone(TIMESTAMP '2024-11-03 06:30 UTC', 'America/New_York'))), " +
      "to_unixtime(date_trunc('hour', at_timezone(TIMESTAMP '2024-11-03 06:30 UTC', 'America/New_York'))), " +
      "to_unixtime(date_trunc('second', at_timezone(TIMESTAMP '2024-10-27 01:30:05.5 UTC', 'Europe/London'))), " +
      "to_unixtime(date_trunc('day', at_timezone(TIMESTAMP '2024-11-03 06:30 UTC', 'America/New_York'))), " +
      "to_unixtime(date_trunc('hour', at_timezone(TIMESTAMP '2024-01-03 06:50 UTC', 'Asia/Kolkata'))), " +
      "date_trunc('hour', at_timezone(TIMESTAMP '2024-11-03 06:30 UTC', 'America/New_York'))",
    rows: [
      [
        1730615400,
        1730613600,
        1729992605,
        1730606400,
        1704263400,
        '2024-11-03 01:00:00.000 America/New_York',
      ],
    ],
    types: ['double', 'double', 'double', 'double', 'double', 'timestamp with time zone'],
    source:
      "Joda's ZonedDateTimeField.roundFloor, which Trino's date_trunc of a timestamp with time zone calls: a unit " +
      "under 12 hours is truncated keeping the value's offset (instant + offset, floored, - offset); a longer one " +
      'on the local time, converted back (DateTimeZone.convertLocalToUTC)',
  },
  {
    sql:
      "SELECT date_trunc(u, at_timezone(TIMESTAMP '2024-11-03 06:30 UTC', 'America/New_York')) = " +
      "from_unixtime(e) FROM (VALUES ('minute', 1730615400), ('HOUR', 1730613600), ('day', 1730606400)) AS t(u, e)",
    rows: [[true], [true], [true]],
    source: "Joda's ZonedDateTimeField.roundFloor (as above), with the unit a column",
  },
  {
    sql:
      "SELECT CAST('Infinity' AS DOUBLE), CAST('NaN' AS DOUBLE), CAST(' 1.5 ' AS DOUBLE), CAST('1.5d' AS DOUBLE), " +
      "CAST('2f' AS DOUBLE), TRY_CAST('nan' AS DOUBLE)",
    rows: [['Infinity', 'NaN', 1.5, 1.5, 2, null]],
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'VarcharOperators')} (castToDouble: Double.parseDouble)`,
  },
  {
    // new BigDecimal(text) (Trino's varcharToDecimal): no white space, no underscore; Float.parseFloat for REAL.
    sql:
      "SELECT TRY_CAST(' 1.5' AS DECIMAL(3,1)), TRY_CAST('1_0' AS DECIMAL(3,1)), try(CAST('7 ' AS DECIMAL(10,2))), " +
      "CAST('1.25' AS DECIMAL(3,1)), CAST('-.5' AS DECIMAL(3,1)), CAST('1e2' AS DECIMAL(5,1)), " +
      "TRY_CAST('1_000' AS REAL), TRY_CAST('inf' AS REAL), CAST('1.5f' AS REAL), CAST(' 2.5 ' AS REAL)",
    rows: [[null, null, null, 1.3, -0.5, 100, null, null, 1.5, 2.5]],
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'DecimalCasts')} (varcharToShortDecimal: new BigDecimal); VarcharOperators (castToFloat: Float.parseFloat)`,
  },
  {
    sql: "SELECT CAST(x AS DECIMAL(10,2)) FROM (VALUES ('1_000.5')) AS t(x)",
    refused: /Cannot cast VARCHAR '1_000.5' to DECIMAL\(10, 2\). Value is not a number./,
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'DecimalCasts')} (varcharToShortDecimal)`,
  },
  {
    sql: "SELECT CAST('nan' AS REAL)",
    refused: /Cannot cast 'nan' to REAL/,
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'VarcharOperators')} (castToFloat: Float.parseFloat)`,
  },
  {
    // Trino's if(condition, true_value): NULL where the condition is not true; chr of a bigint code point.
    sql:
      "SELECT if(1 > 2, 'x'), if(true, 'a'), if(NULL, 1), if(2 > 1, if(1 > 2, 'no')), " +
      'chr(CAST(65 AS BIGINT)), chr(128512), chr(x) FROM (VALUES (CAST(66 AS BIGINT))) AS t(x)',
    rows: [[null, 'a', null, null, 'A', '😀', 'B']],
    source:
      'https://trino.io/docs/current/functions/conditional.html (if(condition, true_value)); ' +
      'https://trino.io/docs/current/functions/string.html (chr(n) → varchar, n a bigint)',
  },
  {
    // Set operations and IS [NOT] DISTINCT FROM: Athena runs them; the guard's grammar reads them as their parsable
    // equivalents (lib/query/sql-guard/set-operations.ts).
    sql: 'SELECT x FROM (VALUES (1), (2), (2), (3)) t(x) INTERSECT SELECT x FROM (VALUES (2), (3), (4)) u(x) ORDER BY 1',
    rows: [[2], [3]],
    source: `${TRINO_SELECT} (INTERSECT)`,
  },
  {
    sql:
      'SELECT (SELECT count(*) FROM (SELECT x FROM (VALUES (1), (2), (2), (3)) t(x) EXCEPT DISTINCT ' +
      'SELECT x FROM (VALUES (2)) u(x))), NULL IS NOT DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, ' +
      '1 IS NOT DISTINCT FROM 2',
    rows: [[2, true, true, false]],
    source: `${TRINO_SELECT} (EXCEPT); https://trino.io/docs/current/functions/comparison.html (IS DISTINCT FROM)`,
  },
  {
    // NOT (x): the logical operator before a parenthesis, which the guard's grammar reads as a call of not().
    sql:
      'SELECT NOT (1 = 2), not(true), count_if(NOT (x = 1 OR x = 3)), CASE WHEN NOT (min(x) > 1) THEN 1 END ' +
      'FROM (VALUES (1), (2), (3)) t(x) WHERE NOT (x > 5)',
    rows: [[true, false, 1, 1]],
    source: 'https://trino.io/docs/current/functions/logical.html (NOT)',
  },
  {
    sql: "SELECT regexp_extract('naïve café', '[[:alpha:]]+')",
    refused: /the POSIX class \[:alpha:\] in a regular expression: Athena's \(Joni\) covers all of Unicode/,
    source: `${TRINO_REGEXP} (Joni: POSIX bracket classes over Unicode)`,
  },
  {
    sql: "SELECT regexp_like('abc', '[a-c&&[b]]')",
    refused: /a character class intersection \(&&\) in a regular expression/,
    source: `${TRINO_REGEXP} (Joni with Java's syntax: class intersection)`,
  },
  {
    // \w \d \s are Unicode's in Joni (Java's syntax sets no ASCII range), in a class too; \Q…\E stays literal.
    sql:
      "SELECT regexp_like('café', '^\\w+$'), regexp_extract_all('naïve café', '\\w+'), " +
      "regexp_extract('order ٤٢', '\\d+'), regexp_replace('a' || chr(160) || 'b' || chr(8233) || 'c', '\\s', '_'), " +
      "regexp_like('é-ß', '^[\\w-]+$'), regexp_extract('a١b', '\\D+'), regexp_extract_all('x' || chr(12288) || 'y', '\\S+'), " +
      "regexp_like('é', '^\\W$'), regexp_like('\\d', '^\\Q\\d\\E$'), regexp_like('ⓐ_x', '^\\w+$'), regexp_like('a²', '^\\w+$')",
    rows: [[true, ['naïve', 'café'], '٤٢', 'a_b_c', true, 'a', ['x', 'y'], false, true, true, false]],
    source: `${TRINO_REGEXP} (Joni's Java syntax over UTF-8: Unicode Word, Decimal_Number and White_Space classes)`,
  },
  {
    // (?i) matching that full case folding would not change: one character to one, and \s beside an s.
    sql: "SELECT regexp_like('ABC', '(?i)abc'), regexp_like('A S', '(?i)a\\ss'), regexp_like('SS', 'ss')",
    rows: [[true, true, false]],
    source: TRINO_REGEXP,
  },
  {
    sql: "SELECT regexp_like('STRASSE', '(?i)straße')",
    refused: /ß in a case-insensitive regular expression: Athena's \(Joni\) folds case fully/,
    source: `${TRINO_REGEXP} (Joni: full case folding under (?i))`,
  },
  {
    sql: "SELECT regexp_like('ß', '(?i)^ss$')",
    refused: /ss in a case-insensitive regular expression/,
    source: `${TRINO_REGEXP} (Joni: full case folding under (?i))`,
  },
  {
    // [\s\S] and [\w\W] are any character; Java's \uHHHH; \Q…\E literal for $, ( and (?< too; \w without the joiners.
    sql:
      "SELECT regexp_like('a' || chr(10) || 'b', '^[\\s\\S]+$'), regexp_extract('x' || chr(10) || 'y', 'x[\\s\\S]*y'), " +
      "regexp_like('é', '^[\\w\\W]$'), regexp_like('é', '\\u00e9'), regexp_like('price 5$', '\\Q5$\\E'), " +
      "regexp_like('5$', '^\\Q5$\\E$'), regexp_extract('a(?<b', '\\Q(?<b\\E'), regexp_like('a' || chr(8204) || 'b', '^\\w+$')",
    rows: [[true, 'x\ny', true, true, true, true, '(?<b', false]],
    source: `${TRINO_REGEXP} (Joni's Java syntax: \\uHHHH, \\Q…\\E; jcodings CR_Word)`,
  },
  {
    sql: "SELECT regexp_replace('(a)b', '\\Q(\\E(a)', '$2')",
    refused: /Illegal replacement sequence|unknown group|group/,
    source: TRINO_REGEXP_SRC,
  },
  {
    sql: "SELECT regexp_like('naïve', '\\bve')",
    refused: /\\b \(a word boundary\) in a regular expression: Athena's \(Joni\) takes Unicode letters/,
    source: `${TRINO_REGEXP} (Joni: word boundaries over Unicode word characters)`,
  },
  {
    sql: "SELECT regexp_like('acmp', '^[a-d[m-p]]+$')",
    refused:
      /a \[ inside a character class of a regular expression: Athena \(Joni, Java's syntax\) opens a class/,
    source: `${TRINO_REGEXP} (Java's syntax: class union)`,
  },
  {
    sql: "SELECT regexp_extract('a b', '[\\Wb]+')",
    refused: /\\W inside a character class of a regular expression/,
    source: TRINO_REGEXP,
  },
  {
    // Not a POSIX class or an intersection: & alone in a class, && outside one, a class of :.
    sql: "SELECT regexp_like('a&:', '^[a&]+[:]$'), regexp_like('x&&y', 'x&&y'), regexp_extract('é1', '\\p{L}')",
    rows: [[true, true, 'é']],
    source: TRINO_REGEXP,
  },
  {
    sql: "SELECT lpad('abc', 5, 'xy'), rpad('abc', 2, 'x'), lpad('abc', 0, 'x'), lpad(NULL, 2, 'x')",
    rows: [['xyabc', 'ab', '', null]],
    source: `${TRINO_STRING} (lpad, rpad)`,
  },
  {
    // varchar(1) kept by lower and upper (varchar(x) → varchar(x)), coalesce and CASE of such values.
    sql:
      "SELECT codepoint('a'), codepoint(chr(233)), codepoint(NULL), codepoint(upper('a')), " +
      "codepoint(coalesce(NULL, 'b')), codepoint(CASE WHEN true THEN 'c' ELSE 'd' END)",
    rows: [[97, 233, null, 65, 98, 99]],
    types: ['integer', 'integer', 'integer', 'integer', 'integer', 'integer'],
    source: `${TRINO_STRING} (codepoint(string): the Unicode code point of the only character of string)`,
  },
  {
    // substr of a varchar(3) is a varchar(3), not a varchar(1): no signature (DuckDB answered the first character's
    // code); a table's column, a varchar, neither.
    sql: "SELECT codepoint(substr('abc', 1, 1))",
    refused: /^Unexpected parameters \(varchar\) for function codepoint: Athena \(Trino\) takes varchar\(1\)/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java ' +
      '(codepoint: @SqlType("varchar(1)"))',
  },
  {
    // strpos(string, substring, instance): the n-th occurrence, overlapping ones counted, from the end for a
    // negative instance (DuckDB's strpos takes two arguments only).
    sql:
      "SELECT strpos('abc/xyz/foo/bar', '/', 2), strpos('abc/xyz/foo/bar', '/', 4), " +
      "strpos('abc/xyz/foo/bar', '/', -3), strpos('highhigh', 'ig', -1), strpos('foobarfoo', 'oo', -1), " +
      "strpos('foobarfoo', 'fb', 1), strpos('信念,爱,希爱望', '爱', -1), strpos('信念,爱,希爱望', '爱', -2), " +
      "strpos('abc', '', 2), strpos('abc/xyz', '/'), strpos(NULL, '/', 1)",
    rows: [[8, 0, 4, 6, 8, 0, 7, 4, 1, 4, null]],
    types: Array(11).fill('bigint'),
    source:
      'trinodb/trino core/trino-main/src/test/java/io/trino/operator/scalar/TestStringFunctions.java (testStringPosition)',
  },
  {
    sql: "SELECT strpos('abc/xyz/foo/bar', '/', 0)",
    refused: /'instance' must be a positive or negative number\./,
    source:
      'trinodb/trino core/trino-main/src/test/java/io/trino/operator/scalar/TestStringFunctions.java (testStringPosition)',
  },
  {
    // bit_count(x, bits): x as a bits-bit two's complement integer; DuckDB's bit_count(x) has no width.
    sql:
      'SELECT bit_count(9, 64), bit_count(-7, 64), bit_count(-7, 8), bit_count(1152921504598458367, 62), ' +
      'bit_count(-1, 62), bit_count(33554132, 26), bit_count(-1, 26), bit_count(-9223372036854775808, 64), ' +
      'bit_count(NULL, 8), bit_count(x, 8) FROM (VALUES (CAST(5 AS BIGINT))) AS t(x)',
    rows: [[2, 62, 6, 59, 62, 20, 26, 1, null, 2]],
    types: Array(10).fill('bigint'),
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bitCount) and its tests',
  },
  {
    sql: 'SELECT bit_count(33554132, 25)',
    refused:
      /Number must be representable with the bits specified\. 33554132 cannot be represented with 25 bits/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bitCount) and its tests',
  },
  {
    sql: 'SELECT bit_count(0, 65)',
    refused: /Bits specified in bit_count must be between 2 and 64, got 65/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bitCount) and its tests',
  },
  {
    sql: 'SELECT bit_count(5)',
    refused: /Unexpected parameters for function bit_count: .*bit_count\(x, bits\) only/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bitCount) and its tests',
  },
  {
    sql: 'SELECT bit_count(5.5, 8)',
    refused: /Unexpected parameters \(decimal\(2,1\), bigint\) for function bit_count/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bitCount) and its tests',
  },
  {
    // An integer literal is Trino's integer: a tinyint or smallint operand widens to it (DuckDB bound the literal to
    // the column's type: 300 * 1000 overflowed INT16, -5 * 2 was a tinyint).
    sql:
      'SELECT s * 1000, t - 125, t * 2, 7 / t, s % 7, t * -2 ' +
      'FROM (VALUES (CAST(300 AS SMALLINT), CAST(-5 AS TINYINT))) AS v(s, t)',
    rows: [[300000, -130, -10, -1, 6, 10]],
    types: Array(6).fill('integer'),
    source:
      'https://trino.io/docs/current/language/types.html (INTEGER: a literal of digits; tinyint and smallint are ' +
      'coerced to integer in arithmetic with one)',
  },
  {
    // A decimal below 1 as text keeps its 0 (DuckDB's text of a decimal(p, p) is .5).
    sql:
      "SELECT CAST(CAST('0.5' AS DECIMAL(1,1)) AS VARCHAR), CAST(CAST('-0.05' AS DECIMAL(2,2)) AS VARCHAR), " +
      "CAST(DECIMAL '12.50' AS VARCHAR), array_join(ARRAY[CAST('0.25' AS DECIMAL(2,2))], ',')",
    rows: [['0.5', '-0.05', '12.50', '0.25']],
    source:
      'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/Decimals.java (toString: a 0 before the point)',
  },
  {
    // An unnamed row as JSON is an array in Trino, an object with empty keys in DuckDB: refused; a named one is an
    // object on both.
    sql: "SELECT CAST(ROW(1, 'a') AS JSON)",
    refused: /not supported by the local engine: an unnamed ROW cast to JSON: Athena writes a JSON array/,
    source:
      'https://trino.io/docs/current/functions/json.html (Cast to JSON: a ROW without field names is an array)',
  },
  {
    // A time literal with a zone is time with time zone in Trino; DuckDB reads a time and drops the zone: refused.
    sql: "SELECT TIME '01:02:03.456 +01:00'",
    refused:
      /not supported by the local engine: TIME '01:02:03\.456 \+01:00': Athena reads a time literal with a zone/,
    source:
      "https://trino.io/docs/current/language/types.html (TIME WITH TIME ZONE: TIME '01:02:03.456 -08:00')",
  },
  {
    sql: "SELECT TIME '01:02:03.456' AS t",
    rows: [['01:02:03.456']],
    types: ['time'],
    source: 'https://trino.io/docs/current/language/types.html (TIME)',
  },
  {
    sql: "SELECT lpad('abc', -1, 'x')",
    refused: /Target length must be in the range \[0\.\.2147483647\]/,
    source: 'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java (pad)',
  },
  {
    sql: "SELECT rpad('abc', 5, '')",
    refused: /Padding string must not be empty/,
    source: 'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java (pad)',
  },
  {
    sql: "SELECT format_datetime(TIMESTAMP '2024-01-01 00:00:00', 'yyyyy')",
    refused: /not supported by the local engine/,
    source: 'Joda-Time DateTimeFormat (a year of five letters is padded with zeros: 02024)',
  },
  {
    sql: "SELECT CAST('inf' AS DOUBLE)",
    refused: /Cannot cast 'inf' to DOUBLE/,
    source:
      'java.lang.Double.parseDouble (Infinity and NaN spelt so; inf is no double), which Trino casts with',
  },
  {
    sql:
      'SELECT json_parse(\'{"b":1,"a":2}\') = json_parse(\'{"a":2,"b":1}\'), ' +
      'json_format(json_parse(\'{"b":1,"a":{"d":1,"c":[{"z":1,"y":2}]}}\')), ' +
      '(SELECT count(DISTINCT json_parse(j)) FROM (VALUES (\'{"a":1,"b":2}\'), (\'{"b":2,"a":1}\')) t(j))',
    rows: [[true, '{"a":{"c":[{"y":2,"z":1}],"d":1},"b":1}', 1]],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/util/JsonUtil.java and JsonTypeUtil.jsonParse (written ' +
      'through a mapper with ORDER_MAP_ENTRIES_BY_KEYS: the keys of json_parse sorted)',
  },
  {
    sql:
      "SELECT json_format(CAST(MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS JSON)), " +
      "json_format(CAST(MAP(ARRAY['b', 'a'], ARRAY[ARRAY[1], ARRAY[2]]) AS JSON))",
    rows: [['{"a":2,"b":1}', '{"a":[2],"b":[1]}']],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/util/JsonUtil.java (a map is written with its keys sorted)',
  },
  {
    sql: "SELECT json_parse('not json')",
    refused: /Cannot convert value to JSON: 'not json'/,
    source:
      "trinodb/trino JsonFunctions.jsonParse (\"Cannot convert value to JSON: '%s'\"); DuckDB's json() gave NULL",
  },
  {
    sql: "SELECT try(json_parse('not json')), try(json_parse('[1]'))",
    rows: [[null, [1]]],
    source: `${TRINO_FUNCTION_LIST} (try: NULL where its argument fails)`,
  },
  // --- format() -----------------------------------------------------------------------------------------------
  {
    sql: "SELECT format('%s%%', 123), format('%.5f', pi()), format('%03d', 8), format('%-7s,', 'hello')",
    rows: [['123%', '3.14159', '008', 'hello  ,']],
    source: `${TRINO_STRING} (format examples)`,
  },
  {
    sql: "SELECT format('%,.2f', 1234567.89), format('%,d', 1234567), format('%s', 1234567890), format('%s', 12345678.9)",
    rows: [['1,234,567.89', '1,234,567', '1234567890', '12345678.9']],
    source: `${TRINO_STRING} (format examples)`,
  },
  {
    sql: "SELECT format('%s has %d rows', 'page_view', 42), format('%2$s %1$s', 'a', 'b'), format('%s', NULL)",
    rows: [['page_view has 42 rows', 'b a', 'null']],
    source: TRINO_FORMAT_SRC,
  },
  {
    sql: "SELECT format('%.2f', 1.005), format('%x', -1), format('%b', NULL), format('%s', TIMESTAMP '2024-01-01 10:00:00')",
    rows: [['1.01', 'ffffffffffffffff', 'false', '2024-01-01T10:00']],
    source: `${TRINO_FORMAT_SRC}: Java rounds half up on the shortest digits, Long in hex, LocalDateTime.toString`,
  },
  {
    sql: "SELECT format('%e', 1.5)",
    refused: /format\(\) specifier %e/,
    source: 'local engine: Java scientific notation is not translated',
  },
  // --- JSON ---------------------------------------------------------------------------------------------------
  {
    sql: "SELECT json_extract_scalar('not json', '$.a'), json_extract('{\"a\": [1', '$.a'), json_array_length('{\"a\": 1}')",
    rows: [[null, null, null]],
    source: TRINO_JSON_SRC,
  },
  {
    sql: 'SELECT json_extract_scalar(\'{"a": {"b": 1.5}}\', \'$.a.b\'), json_size(\'{"x": {"a": 1, "b": 2}}\', \'$.x\')',
    rows: [['1.5', 2]],
    source: 'https://trino.io/docs/current/functions/json.html (json_extract_scalar, json_size examples)',
  },
  // --- arrays -------------------------------------------------------------------------------------------------
  {
    sql: 'SELECT all_match(ARRAY[5, 7, 9], x -> x % 2 = 1), any_match(ARRAY[5, 7, 9], x -> x > 8), none_match(ARRAY[1, 2], x -> x > 2)',
    rows: [[true, true, true]],
    source: `${TRINO_ARRAY} (all_match, any_match, none_match)`,
  },
  {
    sql: 'SELECT any_match(ARRAY[NULL, 1], x -> x > 1), all_match(ARRAY[], x -> x > 1), any_match(ARRAY[], x -> x > 1)',
    rows: [[null, true, false]],
    source: `${TRINO_ARRAY} (NULL when no element decides; empty arrays)`,
  },
  {
    // By -1 when stop is before start; over dates an array of dates, a month step counted from the start.
    sql:
      "SELECT sequence(5, 1), sequence(1, 7, 3), sequence(DATE '2024-03-01', DATE '2024-03-03'), " +
      "sequence(DATE '2024-03-03', DATE '2024-03-01'), sequence(DATE '2021-01-31', DATE '2021-04-01', INTERVAL '1' MONTH), " +
      "sequence(DATE '2024-01-01', DATE '2024-01-20', INTERVAL '1' WEEK)",
    rows: [
      [
        [5, 4, 3, 2, 1],
        [1, 4, 7],
        ['2024-03-01', '2024-03-02', '2024-03-03'],
        ['2024-03-03', '2024-03-02', '2024-03-01'],
        ['2021-01-31', '2021-02-28', '2021-03-31'],
        ['2024-01-01', '2024-01-08', '2024-01-15'],
      ],
    ],
    types: ['array(bigint)', 'array(bigint)', 'array(date)', 'array(date)', 'array(date)', 'array(date)'],
    source: `${TRINO_ARRAY} (sequence); trinodb/trino SequenceFunction.java (sequenceDateYearToMonth: start + i steps)`,
  },
  {
    sql: 'SELECT sequence(1, 5, -1)',
    refused:
      /sequence stop value should be greater than or equal to start value if step is greater than zero/,
    source: 'trinodb/trino SequenceFunction.java (checkValidStep)',
  },
  {
    sql: 'SELECT cardinality(sequence(1, 10001))',
    refused: /result of sequence function must not have more than 10000 entries/,
    source: 'trinodb/trino SequenceFunction.java (checkMaxEntry)',
  },
  {
    // Over timestamps with an interval literal step: start + i steps (a month end kept), with Trino's checks.
    sql:
      "SELECT sequence(TIMESTAMP '2026-01-31 00:00:00', TIMESTAMP '2026-04-30 00:00:00', INTERVAL '1' MONTH), " +
      "sequence(TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 03:00:00', INTERVAL '90' MINUTE), " +
      "sequence(TIMESTAMP '2026-01-05 00:00:00', TIMESTAMP '2026-01-01 00:00:00', INTERVAL '-2' DAY)",
    rows: [
      [
        [
          '2026-01-31 00:00:00.000',
          '2026-02-28 00:00:00.000',
          '2026-03-31 00:00:00.000',
          '2026-04-30 00:00:00.000',
        ],
        ['2026-01-01 00:00:00.000', '2026-01-01 01:30:00.000', '2026-01-01 03:00:00.000'],
        ['2026-01-05 00:00:00.000', '2026-01-03 00:00:00.000', '2026-01-01 00:00:00.000'],
      ],
    ],
    types: ['array(timestamp)', 'array(timestamp)', 'array(timestamp)'],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/timestamp/SequenceIntervalYearToMonth.java ' +
      '(start + i steps) and SequenceIntervalDayToSecond.java',
  },
  {
    // Seconds (DuckDB reads INTERVAL '1.5' SECOND as a double), a NULL stop, a negated or multiplied literal step.
    sql:
      "SELECT sequence(TIMESTAMP '2021-01-01 00:00:00', TIMESTAMP '2021-01-01 00:00:04', INTERVAL '1.5' SECOND), " +
      "sequence(TIMESTAMP '2021-01-01 00:00:00', NULL, INTERVAL '1' DAY), " +
      "sequence(TIMESTAMP '2021-01-03 00:00:00', TIMESTAMP '2021-01-01 00:00:00', -INTERVAL '1' DAY), " +
      "sequence(DATE '2021-01-31', DATE '2021-05-31', 2 * INTERVAL '1' MONTH)",
    rows: [
      [
        ['2021-01-01 00:00:00.000', '2021-01-01 00:00:01.500', '2021-01-01 00:00:03.000'],
        null,
        ['2021-01-03 00:00:00.000', '2021-01-02 00:00:00.000', '2021-01-01 00:00:00.000'],
        ['2021-01-31', '2021-03-31', '2021-05-31'],
      ],
    ],
    types: ['array(timestamp)', 'array(timestamp)', 'array(timestamp)', 'array(date)'],
    source:
      'trinodb/trino SequenceIntervalDayToSecond.java, SequenceIntervalYearToMonth.java (start + i steps; NULL in, NULL out)',
  },
  {
    sql: "SELECT sequence(TIMESTAMP '2026-01-05 00:00:00', TIMESTAMP '2026-01-01 00:00:00', INTERVAL '1' DAY)",
    refused:
      /sequence stop value should be greater than or equal to start value if step is greater than zero/,
    source: 'trinodb/trino SequenceFunction.java (checkValidStep)',
  },
  {
    sql: "SELECT cardinality(sequence(TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-31 00:00:00', INTERVAL '1' MINUTE))",
    refused: /result of sequence function must not have more than 10000 entries/,
    source: 'trinodb/trino SequenceFunction.java (checkMaxEntry)',
  },
  {
    sql: "WITH p AS (SELECT INTERVAL '1' MONTH AS step) SELECT sequence(DATE '2026-01-31', DATE '2026-04-30', step) FROM p",
    refused:
      /^sequence\(start, stop, step\) over dates or timestamps with a step that is not an interval literal/,
    source:
      'trinodb/trino SequenceFunction.java (sequenceDateYearToMonth: start + i steps, an array of dates)',
  },
  {
    // The calendar idiom: a date sequence in UNNEST, and one inside another call.
    sql:
      "SELECT d, cardinality(sequence(DATE '2026-01-01', DATE '2026-01-03')) AS n " +
      "FROM UNNEST(sequence(DATE '2026-01-01', DATE '2026-01-03')) AS u(d)",
    rows: [
      ['2026-01-01', 3],
      ['2026-01-02', 3],
      ['2026-01-03', 3],
    ],
    types: ['date', 'bigint'],
    source: `${TRINO_ARRAY} (sequence(start, stop) of dates); ${TRINO_SELECT} (UNNEST)`,
  },
  {
    sql: "SELECT sequence(DATE '2024-01-01', DATE '2024-01-02', INTERVAL '1' HOUR)",
    refused: /sequence step must be a day interval if start and end values are dates/,
    source: 'trinodb/trino SequenceFunction.java (sequenceDateDayToSecond)',
  },
  {
    sql: "SELECT concat_ws(',', ARRAY['a', NULL, 'c']), concat_ws('-', ARRAY[]), concat_ws(',', 'a', NULL, 'b')",
    rows: [['a,c', '', 'a,b']],
    source: `${TRINO_STRING} (concat_ws(string0, array(varchar)): NULLs skipped)`,
  },
  {
    sql: "SELECT concat_ws(',', ARRAY[1, 2])",
    refused: /Unexpected parameters for function concat_ws/,
    source: `${TRINO_STRING} (concat_ws takes an array(varchar))`,
  },
  ...[
    "concat_ws(',', 1, 2.5)",
    "concat_ws(',', 'a', DATE '2024-01-01')",
    "concat_ws(',', 'a', TIMESTAMP '2024-01-01 10:00:00')",
    "concat_ws(',', 'a', 1e10)",
  ].map((call) => ({
    sql: `SELECT ${call}`,
    refused:
      /^Unexpected parameters \(.*\) for function concat_ws: Athena \(Trino\) concatenates text with text only/,
    source: `${TRINO_STRING} (concat_ws(string0, string1, …, stringN): varchar only, no implicit cast to varchar)`,
  })),
  {
    sql: "SELECT repeat('ab', 2), repeat(NULL, 2), cardinality(repeat(1, 0))",
    rows: [[['ab', 'ab'], [null, null], 0]],
    source: `${TRINO_ARRAY} (repeat(element, count) → array; DuckDB's repeat repeats a string)`,
  },
  {
    sql: 'SELECT repeat(1, -1)',
    refused: /Count argument of repeat function must be greater than or equal to 0/,
    source: `${TRINO_ARRAY} (repeat)`,
  },
  {
    sql:
      'SELECT array_union(ARRAY[3, 1, NULL], ARRAY[1, 2, NULL]), array_except(ARRAY[3, 1, 3, 2, NULL], ARRAY[2]), ' +
      'array_except(ARRAY[1, NULL], ARRAY[NULL])',
    rows: [[[3, 1, null, 2], [3, 1, null], [1]]],
    source:
      `${TRINO_ARRAY}; trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/ArrayUnionFunction.java, ` +
      'ArrayExceptFunction.java (each element at its first occurrence, in order)',
  },
  {
    sql: 'SELECT log(2, 8)',
    rows: [[3]],
    source: `${TRINO_MATH} (log(b, x))`,
  },
  {
    sql: 'SELECT log(100)',
    refused: /^Unexpected parameters for function log/,
    source: `${TRINO_MATH} (log(b, x) only; DuckDB's log(x) is log10)`,
  },
  {
    sql: 'SELECT typeof(1)',
    refused: /typeof\(\): Athena answers Trino's type names/,
    source: 'https://trino.io/docs/current/functions/conversion.html (typeof(123) is integer)',
  },
  {
    // Trino's split keeps the text after the last delimiter, '' included (DuckDB's split('', ',') is []).
    sql:
      "SELECT split('', ','), split('a,,b,', ','), split('a,b,c', ',', 2), split('a,b', ',', 5), " +
      "regexp_split('', 'x'), split_part('', ',', 1), split_part('', ',', 2), split_part('abc', '', 2)",
    rows: [[[''], ['a', '', 'b', ''], ['a', 'b,c'], ['a', 'b'], [''], '', null, 'b']],
    source: `${TRINO_STRING} (split, split_part); ${TRINO_REGEXP} (regexp_split); trinodb/trino StringFunctions.java`,
  },
  {
    sql: "SELECT split('abc', '')",
    refused: /The delimiter may not be the empty string/,
    source: `${TRINO_STRING} (split)`,
  },
  {
    // Date arithmetic on a date is a date (DuckDB's: a timestamp at midnight).
    sql:
      "SELECT date_trunc('month', DATE '2024-01-31'), date_add('day', 1, DATE '2024-01-31'), " +
      "DATE '2024-01-31' + INTERVAL '1' MONTH, DATE '2024-03-01' - INTERVAL '1' DAY, " +
      "date_trunc('month', date_add('day', 1, DATE '2024-01-31')), date_trunc('month', TIMESTAMP '2024-01-31 10:00:00')",
    rows: [['2024-01-01', '2024-02-01', '2024-02-29', '2024-02-29', '2024-02-01', '2024-01-01 00:00:00.000']],
    types: ['date', 'date', 'date', 'date', 'date', 'timestamp'],
    source: `${TRINO_DATETIME} (date_trunc, date_add: [same as input]; date + interval day)`,
  },
  {
    sql:
      "SELECT date_trunc('month', d), count(*) FROM (VALUES (DATE '2024-01-05'), (DATE '2024-01-20'), (DATE '2024-02-01')) " +
      'AS t(d) GROUP BY 1 ORDER BY 1',
    rows: [
      ['2024-01-01', 2],
      ['2024-02-01', 1],
    ],
    source: `${TRINO_DATETIME} (date_trunc of a date column, grouped)`,
  },
  {
    // floor, ceiling and sign of an integer keep its type (DuckDB: a double, and a tinyint for sign).
    sql:
      'SELECT floor(CAST(47 AS BIGINT) / 10) * 10, ceiling(CAST(47 AS BIGINT)), ceil(4), sign(CAST(-47 AS BIGINT)), ' +
      'sign(0e0), floor(4.7e0), truncate(CAST(47 AS BIGINT))',
    rows: [[40, 47, 4, -1, 0, 4, 47]],
    types: ['bigint', 'bigint', 'integer', 'bigint', 'double', 'double', 'bigint'],
    source: `${TRINO_MATH} (floor, ceiling, sign, truncate: [same as input])`,
  },
  {
    // sign of a decimal: decimal(1,0) (MathFunctions.Sign's decimal overload), not DuckDB's tinyint.
    sql: 'SELECT sign(-2.5), sign(CAST(3.75 AS DECIMAL(10,2))), sign(CAST(0 AS DECIMAL(20,4)))',
    rows: [[-1, 1, 0]],
    types: ['decimal(1,0)', 'decimal(1,0)', 'decimal(1,0)'],
    source: `${TRINO_MATH} (sign: [same as input]; trinodb/trino MathFunctions.Sign: @SqlType("decimal(1,0)"))`,
  },
  {
    // round(x, n) of an integer: half away from zero, in x's type.
    sql:
      "SELECT round(CAST(124 AS TINYINT), -1), round(CAST(-15 AS SMALLINT), -1), round(15, -1), round(BIGINT '-25', -1), " +
      'round(1234, 2), round(9223372036854775804, -1)',
    rows: [[120, -20, 20, -30, 1234, '9223372036854775800']],
    types: ['tinyint', 'smallint', 'integer', 'bigint', 'integer', 'bigint'],
    source: `${TRINO_MATH} (round(x, d): [same as input]); ${TRINO_MATH_SRC} (roundLong: LongMath.divide HALF_UP)`,
  },
  {
    // Beyond the type, or beyond a bigint: Athena fails the query (DuckDB's round wrapped: -126).
    sql: 'SELECT round(CAST(125 AS TINYINT), -1)',
    refused: /Out of range for tinyint: 130$/,
    source: `${TRINO_MATH_SRC} (roundTinyint: SignedBytes.checkedCast)`,
  },
  {
    sql: 'SELECT round(CAST(32765 AS SMALLINT), -1)',
    refused: /Out of range for smallint: 32770$/,
    source: `${TRINO_MATH_SRC} (roundSmallint: Shorts.checkedCast)`,
  },
  {
    sql: 'SELECT round(9223372036854775807, -1)',
    refused: /numerical overflow: 9223372036854775807$/,
    source: `${TRINO_MATH_SRC} (roundLong: Math.multiplyExact)`,
  },
  {
    sql: 'SELECT round(5, -20)',
    refused: /numerical overflow: 5$/,
    source: `${TRINO_MATH_SRC} (roundLong: LongMath.checkedPow(10, 20))`,
  },
  {
    // A decimal(p, s) rounded: decimal(min(38, p + 1), s) with n, decimal(min(38, p - s + min(1, s)), 0) without.
    sql:
      'SELECT round(1.25, 1), round(1.25), round(CAST(99.95 AS DECIMAL(4,2)), 1), round(CAST(99.95 AS DECIMAL(4,2))), ' +
      'round(CAST(9.995 AS DECIMAL(38,3)), 2)',
    rows: [[1.3, 1, 100, 100, '10.000']],
    types: ['decimal(4,2)', 'decimal(2,0)', 'decimal(5,2)', 'decimal(3,0)', 'decimal(38,3)'],
    source: `${TRINO_MATH_SRC} (Round, RoundN: @Constraint rp)`,
  },
  {
    // ceil, floor of a decimal(p, s): decimal(p - s + min(s, 1), 0); truncate: decimal(max(1, p - s), 0).
    sql: 'SELECT ceil(1.45), floor(1.45), truncate(1.45), ceil(CAST(99.9 AS DECIMAL(3,1))), truncate(CAST(0.5 AS DECIMAL(1,1)))',
    rows: [[2, 1, 1, 100, 0]],
    types: ['decimal(2,0)', 'decimal(2,0)', 'decimal(1,0)', 'decimal(3,0)', 'decimal(1,0)'],
    source: `${TRINO_MATH_SRC} (Ceiling, Floor, Truncate: @Constraint rp)`,
  },
  {
    // sum and avg of a real are reals (the double sum cast to float); DuckDB answered doubles, 0.30000000447034836.
    sql: 'SELECT sum(x), avg(x), sum(x * 2) FROM (VALUES (CAST(0.1 AS REAL)), (CAST(0.2 AS REAL))) AS t(x)',
    rows: [[0.3, 0.15, 0.6]],
    types: ['real', 'real', 'real'],
    source: `${TRINO_AGG} (sum, avg); trinodb/trino RealSumAggregation, RealAverageAggregation (@OutputFunction(REAL))`,
  },
  {
    // A sum beyond a real's range is Infinity, as Java's (float) of the double sum (RealSumAggregation.output);
    // DuckDB's cast to FLOAT failed the query.
    sql: 'SELECT sum(x), sum(-x), avg(x) FROM (VALUES (CAST(3e38 AS REAL)), (CAST(3e38 AS REAL))) AS t(x)',
    rows: [['Infinity', '-Infinity', 3e38]],
    types: ['real', 'real', 'real'],
    source: `${TRINO_AGG} (sum); trinodb/trino RealSumAggregation (output: floatToRawIntBits((float) sum))`,
  },
  {
    sql: 'SELECT sum(x) OVER () FROM (VALUES (CAST(3e38 AS REAL)), (CAST(3e38 AS REAL))) AS t(x) LIMIT 1',
    rows: [['Infinity']],
    types: ['real'],
    source: `${TRINO_WINDOW} (aggregate functions as window functions); RealSumAggregation`,
  },
  {
    sql:
      'SELECT x, sum(x) OVER (ORDER BY x), avg(x) OVER () FROM (VALUES (CAST(0.1 AS REAL)), (CAST(0.2 AS REAL))) ' +
      'AS t(x) ORDER BY x',
    rows: [
      [0.1, 0.1, 0.15],
      [0.2, 0.3, 0.15],
    ],
    types: ['real', 'real', 'real'],
    source: `${TRINO_WINDOW} (aggregate functions as window functions); RealSumAggregation, RealAverageAggregation`,
  },
  {
    // Intervals as Athena shows them: day to second to the millisecond, year to month as years-months.
    sql:
      "SELECT TIMESTAMP '2024-03-02 12:30:00' - TIMESTAMP '2024-03-01 10:00:00', INTERVAL '2' MONTH, " +
      "INTERVAL '14' MONTH, TIMESTAMP '2024-03-01 10:00:00' - TIMESTAMP '2024-03-01 10:00:01.5', INTERVAL '0' DAY",
    rows: [['1 02:30:00.000', '0-2', '1-2', '-0 00:00:01.500', '0 00:00:00.000']],
    types: [
      'interval day to second',
      'interval year to month',
      'interval year to month',
      'interval day to second',
      'interval day to second',
    ],
    source:
      'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/SqlIntervalDayTime.java (formatMillis), ' +
      'SqlIntervalYearMonth.java (formatMonths)',
  },
  {
    // DuckDB's zero interval has no kind: in a column of year-to-month intervals it is one too (0-0).
    sql:
      "SELECT x, k FROM (VALUES (INTERVAL '1' MONTH, 1), (INTERVAL '1' MONTH - INTERVAL '1' MONTH, 2), " +
      "(NULL, 3), (INTERVAL '2' MONTH * 0, 4)) AS t(x, k) ORDER BY k",
    rows: [
      ['0-1', 1],
      ['0-0', 2],
      [null, 3],
      ['0-0', 4],
    ],
    types: ['interval year to month', 'integer'],
    source:
      'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/SqlIntervalYearMonth.java (formatMonths)',
  },
  {
    sql: "SELECT INTERVAL '1' MONTH + INTERVAL '1' DAY",
    refused: /has no Athena form: Trino keeps year-to-month and day-to-second intervals apart/,
    source:
      'https://trino.io/docs/current/functions/datetime.html (interval year to month, interval day to second)',
  },
  ...[
    "date_add('days', 1, TIMESTAMP '2024-01-01 10:00:00')",
    "date_add(' day', 1, DATE '2024-01-01')",
    "date_add('microsecond', 1, TIMESTAMP '2024-01-01 10:00:00')",
    "date_diff('dow', DATE '2000-01-01', DATE '2024-01-05')",
    "date_diff('d', TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-03 10:00:00')",
    "date_trunc('decade', TIMESTAMP '2024-01-01 10:00:00')",
    "date_trunc('mon', DATE '2024-03-05')",
  ].map((call) => ({
    sql: `SELECT ${call}`,
    refused: /^'[^']*' is not a valid Timestamp field/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/DateTimeFunctions.java ' +
      '(getTimestampField: millisecond, second, minute, hour, day, week, month, quarter, year; else "is not a ' +
      'valid Timestamp field")',
  })),
  ...[
    "date_add('day', 1.6e0, DATE '2024-01-01')",
    "date_add('hour', 2.5, TIMESTAMP '2024-01-01 10:00:00')",
    "lpad('a', 3.7, 'x')",
    'chr(65.5)',
    "split('a,b,c', ',', 1.5)",
    'slice(ARRAY[1, 2, 3], 1.5, 1)',
  ].map((call) => ({
    sql: `SELECT ${call}`,
    refused: /Unexpected parameters for function \w+: Athena \(Trino\) takes an integer/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/type/TypeCoercion.java (a decimal coerces to real and ' +
      'double only, a double to nothing: no bigint parameter takes them)',
  })),
  {
    // chr(10) stays a constant: array_join's separator must be one (DuckDB's string_agg).
    sql: "SELECT array_join(ARRAY['a', 'b'], chr(10)), array_join(repeat('line', 2), chr(10))",
    rows: [['a\nb', 'line\nline']],
    source: `${TRINO_ARRAY} (array_join); ${TRINO_STRING} (chr)`,
  },
  {
    sql:
      "SELECT date_add('day', CAST(2 AS BIGINT), DATE '2024-01-01'), lpad('a', 3, 'x'), chr(66), " +
      "split('a,b,c', ',', 2), slice(ARRAY[1, 2, 3], 2, 1)",
    rows: [['2024-01-03', 'xxa', 'B', ['a', 'b,c'], [2]]],
    source: `${TRINO_DATETIME}; ${TRINO_STRING}; ${TRINO_ARRAY}`,
  },
  {
    sql: "SELECT date_add('DAY', 1, DATE '2024-01-01'), date_trunc('Month', DATE '2024-03-05')",
    rows: [['2024-01-02', '2024-03-01']],
    types: ['date', 'date'],
    source: 'trinodb/trino DateTimeFunctions.java (the unit in any case: toLowerCase(ENGLISH))',
  },
  {
    sql: "SELECT date_trunc('hour', DATE '2024-01-31')",
    refused: /^'hour' is not a valid DATE field/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/DateTimeFunctions.java (getDateField)',
  },
  {
    sql: "SELECT DATE '2024-01-31' + INTERVAL '2' HOUR",
    refused: /^Cannot add hour, minutes or seconds to a date/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/type/DateTimeOperators.java (datePlusIntervalDayToSecond)',
  },
  // --- statements the grammar missed --------------------------------------------------------------------------
  {
    sql: "SELECT x, n FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS t(x, n)",
    rows: [
      ['a', 1],
      ['b', 2],
    ],
    source: `${TRINO_SELECT} (UNNEST … WITH ORDINALITY)`,
  },
  {
    // AS is optional before an alias and its column names (Trino's grammar: aliasedRelation, AS?).
    sql: "SELECT x, s, n FROM UNNEST(ARRAY[3, 4]) u(x) CROSS JOIN UNNEST(split('a-b', '-')) WITH ORDINALITY t(s, n) ORDER BY x, n",
    rows: [
      [3, 'a', 1],
      [3, 'b', 2],
      [4, 'a', 1],
      [4, 'b', 2],
    ],
    source: `${TRINO_SELECT} (UNNEST; aliasedRelation: relationPrimary (AS? identifier columnAliases?)?)`,
  },
  {
    // Several arrays side by side, the shorter padded with NULLs (DuckDB's unnest() table function takes one).
    sql:
      "SELECT n, a FROM (VALUES (ARRAY[2, 5], ARRAY['dog', 'cat', 'bird']), (ARRAY[7, 8, 9], ARRAY['cow', 'pig'])) " +
      'AS x (numbers, animals) CROSS JOIN UNNEST(numbers, animals) AS t (n, a) ORDER BY 1 NULLS FIRST, 2',
    rows: [
      [null, 'bird'],
      [2, 'dog'],
      [5, 'cat'],
      [7, 'cow'],
      [8, 'pig'],
      [9, null],
    ],
    source: `${TRINO_SELECT} (UNNEST with multiple arguments)`,
  },
  {
    sql:
      "SELECT * FROM UNNEST(map_from_entries(ARRAY[ROW('SQL', 1974), ROW('Java', 1995)])) AS t(language, first_appeared_year) " +
      'ORDER BY 2',
    rows: [
      ['SQL', 1974],
      ['Java', 1995],
    ],
    source: `${TRINO_SELECT} (UNNEST of a map: its keys and values)`,
  },
  {
    // An array of rows gives a column per field (DuckDB alone would give one struct column).
    sql:
      'SELECT sku, qty * 10, n FROM UNNEST(CAST(json_parse(\'[{"sku":"A","qty":2},{"sku":"B","qty":1}]\') ' +
      'AS ARRAY(ROW(sku VARCHAR, qty INTEGER)))) WITH ORDINALITY AS t(sku, qty, n)',
    rows: [
      ['A', 20, 1],
      ['B', 10, 2],
    ],
    source: `${TRINO_SELECT}; ${TRINO_UNNEST_SRC}`,
  },
  {
    // Without a column alias list the columns are the rows' fields.
    sql: "SELECT t.sku FROM UNNEST(ARRAY[CAST(ROW('A', 2) AS ROW(sku VARCHAR, qty INTEGER))]) AS t",
    rows: [['A']],
    source: TRINO_UNNEST_SRC,
  },
  {
    // In a subquery that refers to the outer query (not bound alone): its rows read by position.
    sql:
      "SELECT id, (SELECT sum(q) FROM UNNEST(x.it) AS u(s, q)) FROM (VALUES (1, ARRAY[CAST(ROW('a', 2) AS " +
      "ROW(s VARCHAR, q INTEGER)), CAST(ROW('b', 3) AS ROW(s VARCHAR, q INTEGER))])) AS x(id, it)",
    rows: [[1, 5]],
    source: TRINO_UNNEST_SRC,
  },
  {
    sql: 'SELECT a FROM UNNEST(ARRAY[1, 2]) AS t(a, b)',
    refused: /^Column alias list has 2 entries but 't' has 1 columns available/,
    source: TRINO_UNNEST_SRC,
  },
  {
    sql: "SELECT item FROM UNNEST(ARRAY[CAST(ROW('A', 2) AS ROW(sku VARCHAR, qty INTEGER))]) AS t(item)",
    refused: /^Column alias list has 1 entries but 't' has 2 columns available/,
    source: `${TRINO_UNNEST_SRC}; "Column alias list has 1 entries but 't' has 2 columns available"`,
  },
  {
    // A window partitioned by expressions (the guard's grammar reads only column names there: partitions.ts).
    sql:
      "SELECT d, x, rank() OVER (PARTITION BY date_trunc('month', d), x % 2 ORDER BY x) FROM (VALUES " +
      "(DATE '2024-01-05', 1), (DATE '2024-01-20', 3), (DATE '2024-02-01', 5), (DATE '2024-01-07', 2)) AS t(d, x) ORDER BY x",
    rows: [
      ['2024-01-05', 1, 1],
      ['2024-01-07', 2, 1],
      ['2024-01-20', 3, 2],
      ['2024-02-01', 5, 1],
    ],
    source: `${TRINO_SELECT} (window functions: PARTITION BY expressions)`,
  },
  {
    sql: 'SELECT x FROM (VALUES (5), (2), (4), (1), (3)) AS t(x) ORDER BY x OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY',
    rows: [[2], [3]],
    source: `${TRINO_SELECT} (OFFSET, FETCH FIRST)`,
  },
  {
    sql: "VALUES (1, 'a'), (2, 'b')",
    rows: [
      [1, 'a'],
      [2, 'b'],
    ],
    source: TRINO_VALUES,
  },
  // --- strings, URLs, arrays: Trino's rules where DuckDB's built-ins have others -----------------------------
  {
    sql: "SELECT replace('abc', '', '-'), replace('', '', '-'), levenshtein_distance('café', 'cafe'), levenshtein_distance('日本', '日'), levenshtein_distance('', 'é'), cbrt(27), cbrt(-8)",
    rows: [['-a-b-c-', '-', 1, 1, 1, 3, -2]],
    source:
      `${TRINO_STRING} (replace); trinodb/trino StringFunctions.replace (an empty search: the replacement ` +
      `between the characters and at both ends) and levenshteinDistance (code points); ${TRINO_MATH} (cbrt: Math.cbrt)`,
  },
  {
    sql:
      "SELECT regexp_like('abc' || chr(10), 'abc$'), regexp_like('abc' || chr(10) || 'x', 'c$'), " +
      "regexp_like('abc', 'c$'), regexp_like('a$', 'a\\$'), regexp_like('a' || chr(10), '[$]'), " +
      "regexp_extract('x1y', '\\d$'), regexp_replace('ab', 'b$', 'X')",
    rows: [[true, false, true, true, false, null, 'aX']],
    source: `${TRINO_REGEXP}; trinodb/trino JoniRegexpCasts (Syntax.Java: $ also before a final line break)`,
  },
  {
    sql: "SELECT regexp_extract('x1' || chr(10), '\\d$')",
    refused:
      /a pattern with \$ on a text that ends in a line break: Athena's \$ also matches before that line break/,
    source: `${TRINO_REGEXP}; trinodb/trino JoniRegexpCasts (Syntax.Java)`,
  },
  {
    sql: "SELECT CAST('abcdef' AS VARCHAR(3))",
    refused: /CAST to VARCHAR\(n\): Athena cuts a text to n characters/,
    source: `${TRINO_CAST_SRC} (varcharToVarcharCast: truncateToLength)`,
  },
  {
    sql: "SELECT CAST(TIMESTAMP '2026-01-02 03:04:05.999' AS timestamp(0))",
    refused: /CAST to TIMESTAMP\(p\) with p other than 3: Athena rounds the value to p fraction digits/,
    source: `${TRINO_CAST_SRC} (TimestampToTimestampCast: rounded to the precision)`,
  },
  {
    sql: "SELECT CAST(TIME '01:02:03.456' AS time(0)), CAST(ARRAY[TIMESTAMP '2026-01-02 03:04:05'] AS ARRAY(timestamp(6)))",
    refused: /CAST to TIME\(p\) with p other than 3/,
    source: `${TRINO_CAST_SRC} (TimeToTimeCast: rounded to the precision)`,
  },
  {
    // p = 3: the local engine's own precision, the same cast.
    sql:
      "SELECT CAST(TIMESTAMP '2026-01-02 03:04:05.999' AS timestamp(3)), " +
      "CAST('2026-01-02 03:04:05.5' AS timestamp(3) with time zone)",
    rows: [['2026-01-02 03:04:05.999', '2026-01-02 03:04:05.500 UTC']],
    source: `${TRINO_CAST_SRC} (TimestampToTimestampCast: the same precision)`,
  },
  {
    sql: "SELECT TRY_CAST(ARRAY['a'] AS ARRAY(CHAR(5)))",
    refused: /CAST to CHAR: Athena pads a text with spaces/,
    source: `${TRINO_CAST_SRC} (varcharToCharCast: padded to the length)`,
  },
  // A container cast casts each element, key, value and field by its type's own cast (Trino's ArrayToArrayCast,
  // MapToMapCast, RowToRowCast call the element casts): a double rounded half up, a text read strictly, a double
  // written as Java writes it.
  {
    sql:
      "SELECT CAST(ARRAY[2.5e0, -2.5e0] AS ARRAY(INTEGER)), CAST(ROW(2.5e0, 'x') AS ROW(a INTEGER, b VARCHAR)), " +
      "CAST(MAP(ARRAY['a', 'b'], ARRAY[2.5e0, 0.5e0]) AS MAP(VARCHAR, INTEGER)), " +
      'CAST(ARRAY[25e0, 0.5e0] AS ARRAY(VARCHAR)), CAST(ARRAY[0.015e0] AS ARRAY(DECIMAL(10,2))), ' +
      "CAST(ARRAY[ARRAY[1.5e0]] AS ARRAY(ARRAY(BIGINT))), CAST(split('1,2,3', ',') AS ARRAY(BIGINT)), " +
      'CAST(NULL AS ARRAY(INTEGER)), CAST(CAST(NULL AS ROW(a DOUBLE)) AS ROW(a INTEGER))',
    rows: [
      [[3, -3], { a: 3, b: 'x' }, { a: 3, b: 1 }, ['25.0', '0.5'], [0.02], [[2]], [1, 2, 3], null, null],
    ],
    source: `${TRINO_CAST_SRC.replace('type/CharacterStringCasts', 'operator/scalar/ArrayToArrayCast')}, MapToMapCast, RowToRowCast`,
  },
  {
    // A JSON value cast to an array or map: each element as Trino casts a JSON value (JsonToArrayCast,
    // JsonToMapCast: a number with a fraction rounded half up, a JSON string read as text, true as 1).
    sql:
      "SELECT CAST(json_parse('[2.5, 3.5, -2.5]') AS ARRAY(INTEGER)), " +
      'CAST(json_parse(\'{"a": 2.5, "b": 0.5}\') AS MAP(VARCHAR, INTEGER)), ' +
      'CAST(json_parse(\'["12", 7, true, null]\') AS ARRAY(BIGINT)), ' +
      'CAST(json_parse(\'["a", 1, 2.5, true]\') AS ARRAY(VARCHAR)), ' +
      "CAST(json_parse('[[1, 2], [3]]') AS ARRAY(ARRAY(BIGINT))), CAST(json_parse('[1.25]') AS ARRAY(DOUBLE))",
    rows: [[[3, 4, -3], { a: 3, b: 1 }, [12, 7, 1, null], ['a', '1', '2.5', 'true'], [[1, 2], [3]], [1.25]]],
    source: `${TRINO_CAST_SRC.replace('type/CharacterStringCasts', 'util/JsonUtil')} (currentTokenAsLong, currentTokenAsVarchar)`,
  },
  {
    // array_join writes each element as its CAST to VARCHAR (Trino's ArrayJoin calls the element type's cast).
    sql:
      "SELECT array_join(ARRAY[0.1e0, 25e0, 0.5e0], ','), array_join(ARRAY[TIMESTAMP '2026-11-24 23:30:00.5', " +
      "TIMESTAMP '2026-03-29 01:30:00'], ' | '), array_join(ARRAY[1.5e0, NULL], ',', 'none'), " +
      "array_join(ARRAY[CAST(1.50 AS DECIMAL(4,2)), NULL], ';')",
    rows: [['0.1,25.0,0.5', '2026-11-24 23:30:00.500 | 2026-03-29 01:30:00.000', '1.5,none', '1.50']],
    source: `${TRINO_ARRAY_SRC}ArrayJoin.java (the element type's CAST to VARCHAR)`,
  },
  {
    sql: "SELECT array_join(ARRAY[1e10, 1e-5], ',')",
    refused:
      /a double or real outside \[0.001, 1e7\) cast to varchar: Athena writes it as Java does \(1.0E10\)/,
    source: `${TRINO_ARRAY_SRC}ArrayJoin.java (the element type's CAST to VARCHAR: Double.toString)`,
  },
  {
    sql: "SELECT array_join(ARRAY[ARRAY[1]], ',')",
    refused: /Cannot cast integer\[\] to varchar/,
    source: `${TRINO_ARRAY_SRC}ArrayJoin.java (an element type without a cast to VARCHAR is not supported)`,
  },
  {
    sql: "SELECT CAST(ARRAY['1', ' 2'] AS ARRAY(INTEGER))",
    refused: /Cannot cast ' 2' to INT/,
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'VarcharOperators')} (castToInteger: Integer.parseInt)`,
  },
  {
    sql: "SELECT CAST(ARRAY['yes'] AS ARRAY(BOOLEAN))",
    refused: /Cannot cast 'yes' to BOOLEAN/,
    source: `${TRINO_CAST_SRC.replace('CharacterStringCasts', 'VarcharOperators')} (castToBoolean)`,
  },
  {
    sql: "SELECT TRY_CAST(ARRAY['x', '1'] AS ARRAY(INTEGER))",
    refused: /TRY_CAST to ARRAY\(…\): Athena answers NULL for the whole value/,
    source: 'https://trino.io/docs/current/functions/conversion.html (try_cast: NULL where the cast fails)',
  },
  {
    sql: "SELECT CAST(ROW('a') AS ROW(char VARCHAR))",
    rows: [[{ char: 'a' }]],
    source: 'a row field named char is a name, not a type',
  },
  {
    sql:
      'SELECT sqrt(-1e0), sqrt(4), ln(0e0), ln(-1), log2(0), log10(-0.5), acos(2e0), asin(-1.5), acos(1), ' +
      'sqrt(nan()), ln(nan()), sqrt(CAST(NULL AS DOUBLE)), ln(infinity())',
    rows: [
      ['NaN', 2, '-Infinity', 'NaN', '-Infinity', 'NaN', 'NaN', 'NaN', 0, 'NaN', 'NaN', null, 'Infinity'],
    ],
    types: Array(13).fill('double'),
    source: `${TRINO_MATH}; trinodb/trino MathFunctions (Math.sqrt, Math.log, Math.log10, Math.acos, Math.asin: NaN outside the domain, -Infinity for log of 0)`,
  },
  {
    sql:
      "SELECT url_extract_host('https://user:pw@example.com:8080/p'), url_extract_path('https://example.com/a%20b?q'), " +
      "url_extract_query('https://example.com/p'), url_extract_query('https://e.com/?x=a%20b#f'), " +
      "url_extract_parameter('https://e.com/p?aXb=2', 'a.b'), url_extract_parameter('https://e.com/p?z', 'z'), " +
      "url_extract_parameter('https://e.com/p?y=a+b&y=2', 'y'), url_extract_parameter('https://e.com/p?x=a%20b', 'x')",
    rows: [['example.com', '/a b', '', 'x=a b', null, '', 'a b', 'a b']],
    source: TRINO_URL_SRC,
  },
  {
    // The parameter is read from the raw query: split first, then the value decoded (an encoded & or = is part of
    // the value; the name is compared as written). url_decode fails a % that is no escape (URLDecoder).
    sql:
      "SELECT url_extract_parameter('https://e.com/p?next=%2Fhome%3Fx%3D1%26y%3D2&z=3', 'next'), " +
      "url_extract_parameter('https://e.com/p?a=x%26y&b=2', 'a'), url_extract_parameter('https://e.com/p?a%20b=1', 'a b'), " +
      "url_extract_parameter('https://e.com/p?a%20b=1', 'a%20b'), url_extract_parameter('https://e.com/p', ''), " +
      "url_extract_parameter('https://e.com/p?', ''), url_extract_parameter('https://e.com/p#?a=1', 'a')",
    rows: [['/home?x=1&y=2', 'x&y', null, '1', null, '', null]],
    source: TRINO_URL_SRC,
  },
  {
    sql: "SELECT url_decode('%zz')",
    refused: /URLDecoder: Illegal hex characters in escape \(%\) pattern/,
    source: TRINO_URL_SRC,
  },
  {
    sql: "SELECT url_decode('100%')",
    refused: /URLDecoder: Incomplete trailing escape \(%\) pattern/,
    source: TRINO_URL_SRC,
  },
  {
    sql: "SELECT url_decode('a%4')",
    refused: /URLDecoder: Incomplete trailing escape \(%\) pattern/,
    source: TRINO_URL_SRC,
  },
  {
    sql: "SELECT url_decode('%41%4g%42')",
    refused: /URLDecoder: Illegal hex characters in escape \(%\) pattern/,
    source: TRINO_URL_SRC,
  },
  {
    // java.net.URI refuses a space, a % without two hex digits, { } | … (UrlFunctions.parseUrl: NULL then); its
    // host is null for an authority that is no server's (an underscore, a top label of digits, a port of letters);
    // a relative URL has a path; an opaque one none. Checked against java.net.URI of Java 17.
    sql:
      "SELECT url_extract_host('https://shop.example/search?q=red shoes'), " +
      "url_extract_path('https://shop.example/search?q=red shoes'), " +
      'url_extract_query(\'https://shop.example/p?x={"a":1}\'), ' +
      "url_extract_parameter('https://shop.example/search?q=red shoes', 'q'), " +
      "url_extract_protocol('https://shop.example/a|b'), url_extract_host('https://shop.example/p?q=100%'), " +
      "url_extract_host('https://my_host.example/p'), url_extract_path('https://my_host.example/p'), " +
      "url_extract_host('https://example.com:abc/p'), url_extract_query('https://shop.example/p?x=[1]'), " +
      "url_extract_host('https://[::1]:8080/p'), url_extract_path('https://shop.example/a[1]'), " +
      "url_extract_path('/relative/path?x=1'), url_extract_protocol('/relative/path?x=1'), " +
      "url_extract_path('mailto:a@b.c'), url_extract_host('//host.example/p')",
    rows: [
      [
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        '/p',
        null,
        'x=[1]',
        '[::1]',
        null,
        '/relative/path',
        null,
        null,
        'host.example',
      ],
    ],
    source: `${TRINO_URL_SRC}; java.net.URI (URISyntaxException → NULL; getHost null for a registry-based authority)`,
  },
  {
    // The longer array's order (Trino swaps the arrays when the first is shorter), the first's when as long.
    sql:
      'SELECT array_intersect(ARRAY[8.3E0, 1.6E0, 4.1E0, 5.2E0], ARRAY[4.0E0, 5.2E0, 8.3E0, 9.7E0, 3.5E0]), ' +
      'array_intersect(ARRAY[1, 2], ARRAY[2, 1, 5]), array_intersect(ARRAY[2, 1], ARRAY[1, 2])',
    rows: [
      [
        [5.2, 8.3],
        [2, 1],
        [2, 1],
      ],
    ],
    source:
      'trinodb/trino ArrayIntersectFunction (if the left array is shorter, the arrays are swapped); ' +
      'TestArrayIntersectFunction.testDouble ([5.2, 8.3])',
  },
  {
    sql:
      "SELECT map_concat(MAP(ARRAY['a'], ARRAY[1]), NULL), " +
      "map_concat(MAP(ARRAY['a'], ARRAY[1]), MAP(ARRAY['a', 'b'], ARRAY[2, 3])), k, map_concat(MAP(ARRAY['a'], ARRAY[1]), m) " +
      "FROM (VALUES (1, MAP(ARRAY['b'], ARRAY[2])), (2, CAST(NULL AS MAP(VARCHAR, INTEGER)))) AS t(k, m) ORDER BY k",
    rows: [
      [null, { a: 2, b: 3 }, 1, { a: 1, b: 2 }],
      [null, { a: 2, b: 3 }, 2, null],
    ],
    source:
      'trinodb/trino MapConcatFunction (arguments never null: a NULL map makes the result NULL; a later key wins)',
  },
  ...[9, 15, 16, 23].map((n) => {
    // More maps than one local map_concat takes: nested, the same answer (the last of each key wins).
    const maps = Array.from({ length: n }, (_, i) => `MAP(ARRAY['k${i % 5}', 'n${i}'], ARRAY[${i}, ${i}])`);
    const expected = Object.fromEntries(
      Array.from({ length: n }, (_, i) => i).flatMap((i) => [
        [`k${i % 5}`, i],
        [`n${i}`, i],
      ]),
    );
    return {
      sql: `SELECT map_concat(${maps.join(', ')}), map_concat(${[...maps.slice(1), 'NULL'].join(', ')})`,
      rows: [[expected, null]],
      source:
        'trinodb/trino MapConcatFunction (any number of maps; a later key wins; a NULL map makes it NULL)',
    };
  }),
  {
    sql: 'SELECT ARRAY[1] || 2',
    refused: /\|\| between an array and one element: Athena appends or prepends the element/,
    source: `${TRINO_ARRAY} (the || operator: ARRAY[1] || 2 is [1, 2])`,
  },
  {
    sql:
      'SELECT slice(ARRAY[1, 2, 3, 4], -2, 5), slice(ARRAY[1, 2, 3, 4], -9, 2), element_at(ARRAY[1, 2, 3], 5), ' +
      'array_position(ARRAY[1, NULL], NULL), array_remove(ARRAY[1, NULL, 2], NULL), ' +
      'array_intersect(ARRAY[3, 1, 2, 1, NULL], ARRAY[1, 3, NULL]), array_position(ARRAY[5, 6], 6)',
    rows: [[[3, 4], [], null, null, null, [3, 1, null], 2]],
    types: [
      'array(integer)',
      'array(integer)',
      'integer',
      'bigint',
      'array(integer)',
      'array(integer)',
      'bigint',
    ],
    source:
      `${TRINO_ARRAY} (array_position returns a bigint); ${TRINO_ARRAY_SRC}ArraySliceFunction.java, ` +
      'ArrayPositionFunction.java and ArrayRemoveFunction.java (a NULL element gives NULL), ' +
      'ArrayIntersectFunction.java (NULL matches NULL)',
  },
  {
    sql: 'SELECT slice(ARRAY[1, 2, 3], 0, 2)',
    refused: /SQL array indices start at 1/,
    source: `${TRINO_ARRAY_SRC}ArraySliceFunction.java (checkCondition(fromIndex != 0, …))`,
  },
  {
    // A subscript of a column or an expression (the guard's grammar reads literals only there); a map's key of text.
    sql: "SELECT m[k], a[i + 1], try(m[k || 'x']) FROM (VALUES (MAP(ARRAY['a'], ARRAY[10]), 'a', ARRAY[5, 6], 1)) AS t(m, k, a, i)",
    rows: [[10, 6, null]],
    source: `${TRINO_ARRAY} (subscript operator []); https://trino.io/docs/current/functions/map.html (subscript)`,
  },
  {
    sql: 'SELECT element_at(ARRAY[1, 2, 3], 0)',
    refused: /SQL array indices start at 1/,
    source: `${TRINO_ARRAY_SRC}ArrayElementAtFunction.java (index 0 fails)`,
  },
  // An element, key or index given as text where the array's or map's type is another: Trino casts no varchar
  // implicitly (no signature contains(array(integer), varchar)); DuckDB cast the text and answered.
  ...[
    ["contains(ARRAY[1, 2], '1')", 'contains', 'array\\(integer\\), varchar'],
    ["array_position(ARRAY[1, 2], '2')", 'array_position', 'array\\(integer\\), varchar'],
    ["array_remove(ARRAY[1, 2], '1')", 'array_remove', 'array\\(integer\\), varchar'],
    ["contains(ARRAY[DATE '2020-01-01'], '2020-01-01')", 'contains', 'array\\(date\\), varchar'],
    ["array_remove(ARRAY['1', '2'], 1)", 'array_remove', 'array\\(varchar\\), integer'],
    ["contains(ARRAY['1', '2'], 1)", 'contains', 'array\\(varchar\\), integer'],
    ["array_position(ARRAY['1', '2'], 1)", 'array_position', 'array\\(varchar\\), integer'],
    [
      "element_at(MAP(ARRAY[1, 2], ARRAY['a', 'b']), '1')",
      'element_at',
      'map\\(integer, varchar\\), varchar',
    ],
    ["MAP(ARRAY[1, 2], ARRAY['a', 'b'])['1']", 'subscript', 'map\\(integer, varchar\\), varchar'],
    ["ARRAY[1, 2]['1']", 'subscript', 'array\\(integer\\), varchar'],
    ["element_at(ARRAY[1, 2], '1')", 'element_at', 'array\\(integer\\), varchar'],
    ["try(ARRAY[1, 2]['1'])", 'subscript', 'array\\(integer\\), varchar'],
  ].map(([call, fn, types]) => ({
    sql: `SELECT ${call}`,
    refused: new RegExp(
      `^Unexpected parameters \\(${types}\\) for function ${fn}: Athena \\(Trino\\) casts no`,
    ),
    source: `${TRINO_ARRAY} (contains(x, element), element_at, array_position, array_remove: the element of the array's type); https://trino.io/docs/current/language/types.html (no implicit cast of varchar)`,
  })),
  {
    sql:
      "SELECT contains(ARRAY['a'], 'a'), element_at(MAP(ARRAY['a'], ARRAY[1]), 'a'), ARRAY[1, 2][2], " +
      'contains(ARRAY[1, 2], 2.0), array_position(ARRAY[CAST(1 AS bigint)], 1), contains(ARRAY[1, 2], NULL), ' +
      // An array or map of no element type (Trino's array(unknown)) takes an element of any type.
      "contains(ARRAY[], 'a'), contains(ARRAY[NULL], 'a'), element_at(MAP(), 'a'), array_position(ARRAY[NULL, NULL], 'a')",
    rows: [[true, 1, 2, true, 1, null, false, null, null, 0]],
    source: `${TRINO_ARRAY} (an element of the array's type, or one Trino coerces to it)`,
  },
  // --- values: map keys, a key or field named __proto__, reals ---------------------------------------------------
  {
    sql:
      "SELECT MAP(ARRAY['__proto__', 'a'], ARRAY[1, 2]), CAST(ROW(1, 2) AS ROW(\"__proto__\" bigint, b bigint)), " +
      "MAP(ARRAY[CAST(ROW(1, 'x') AS ROW(a bigint, b varchar))], ARRAY[1]), " +
      "MAP(ARRAY[ARRAY[1, 2], ARRAY[3]], ARRAY['a', 'b']), MAP(ARRAY[CAST('1.50' AS decimal(4, 2))], ARRAY[1]), " +
      'CAST(0.1 AS REAL), ARRAY[CAST(0.1 AS REAL)], MAP(ARRAY[1e0, 2.5e0, 1e20], ARRAY[1, 2, 3]), ' +
      'MAP(ARRAY[CAST(0.1 AS REAL)], ARRAY[1])',
    rows: [
      [
        { ['__proto__']: 1, a: 2 },
        { ['__proto__']: 1, b: 2 },
        { '{a=1, b=x}': 1 },
        { '[1, 2]': 'a', '[3]': 'b' },
        { '1.50': 1 },
        0.1,
        [0.1],
        { '1.0': 1, '2.5': 2, '1.0E20': 3 },
        { '0.1': 1 },
      ],
    ],
    source:
      'https://trino.io/docs/current/language/types.html (map keys of any comparable type; a REAL is a 32-bit ' +
      "float, shown by Athena with Java's Float.toString digits; a double key in Java's Double.toString notation); docs/sql-dialect.md (values: [1, 2], {k=v}, {a=1, b=x})",
  },
  // --- JSON: casts, functions --------------------------------------------------------------------------------
  {
    sql:
      "SELECT json_extract_scalar(CAST('{\"a\":1}' AS JSON), '$.a'), json_format(CAST('abc' AS JSON)), " +
      'json_format(CAST(CAST(1.50 AS DECIMAL(5, 2)) AS JSON)), json_format(CAST(CAST(0.1 AS REAL) AS JSON))',
    rows: [[null, '"abc"', '1.50', '0.1']],
    source:
      "https://trino.io/docs/current/functions/json.html (Cast to JSON: CAST('abc' AS JSON) is JSON '\"abc\"'); " +
      'trinodb/trino JsonUtil (a decimal with its scale, a real as Java writes it)',
  },
  {
    // TRY_CAST is the same cast, NULL only where a value fails it: text becomes a JSON string too.
    sql:
      "SELECT json_extract_scalar(TRY_CAST('{\"a\":1}' AS JSON), '$.a'), json_format(TRY_CAST('abc' AS JSON)), " +
      "json_array_length(TRY_CAST('[1,2]' AS JSON)), json_format(TRY_CAST(MAP(ARRAY['b', 'a'], ARRAY[1, 2]) AS JSON)), " +
      'json_format(TRY_CAST(CAST(1.50 AS DECIMAL(5, 2)) AS JSON))',
    rows: [[null, '"abc"', null, '{"a":2,"b":1}', '1.50']],
    source:
      'https://trino.io/docs/current/functions/conversion.html (try_cast: like cast, but returns null if the cast ' +
      "fails); https://trino.io/docs/current/functions/json.html (Cast to JSON: CAST('abc' AS JSON) is JSON '\"abc\"')",
  },
  {
    // JSON that is an array or an object does not cast to varchar: CAST fails, TRY_CAST answers NULL.
    sql: "SELECT TRY_CAST(json_parse('[1]') AS VARCHAR), TRY_CAST(json_parse('{\"a\":1}') AS VARCHAR), TRY_CAST(json_parse('\"x\"') AS VARCHAR)",
    rows: [[null, null, 'x']],
    source:
      'https://trino.io/docs/current/functions/conversion.html (try_cast); trinodb/trino ' +
      'core/trino-main/src/main/java/io/trino/operator/scalar/JsonOperators.java (castToVarchar: scalars only)',
  },
  {
    sql:
      "SELECT CAST(json_extract('{\"n\":2.5}', '$.n') AS BIGINT), CAST(json_parse('2.5') AS INTEGER), " +
      "CAST(json_parse('-2.5') AS BIGINT), CAST(json_parse('3') AS BIGINT)",
    rows: [[3, 3, -3, 3]],
    source: 'trinodb/trino JsonUtil.currentTokenAsBigint (DoubleOperators.castToLong: rounded half up)',
  },
  {
    sql:
      'SELECT CAST(json_parse(\'[{"sku":"a","quantity":2,"price":9.5},{"sku":"b"}]\') AS ' +
      'ARRAY(ROW(sku VARCHAR, quantity INTEGER)))',
    rows: [
      [
        [
          { sku: 'a', quantity: 2 },
          { sku: 'b', quantity: null },
        ],
      ],
    ],
    source:
      'trinodb/trino JsonUtil.parseJsonToSingleRowBlock (a key the row does not name is skipped, a missing one is NULL)',
  },
  {
    sql:
      'SELECT t.sku, t.qty FROM UNNEST(CAST(json_parse(\'[{"sku":"A","qty":2,"x":1}]\') AS ' +
      'ARRAY(ROW(sku VARCHAR, qty INTEGER)))) AS t(sku, qty)',
    rows: [['A', 2]],
    source: `${TRINO_UNNEST_SRC}; the README's UNNEST of a JSON array, with a key the row does not name`,
  },
  {
    sql:
      "SELECT json_array_get('[1, \"a\", [2]]', 0), json_array_get('[1, \"a\", [2]]', -1), json_array_get('[1]', 5), " +
      "is_json_scalar('1'), is_json_scalar('[1]'), truncate(1.2345, 2), bitwise_not(5)",
    rows: [[1, [2], null, true, false, 1.23, -6]],
    source:
      'https://trino.io/docs/current/functions/json.html (json_array_get, is_json_scalar); ' + TRINO_MATH,
  },
  {
    sql:
      'SELECT bitwise_and(5, 3), bitwise_not(CAST(5 AS TINYINT)), bitwise_and(2147483647, 2147483647) + 1, ' +
      'bitwise_or(1, 2), bitwise_xor(5, 1), bitwise_and(NULL, 1)',
    rows: [[1, -6, 2147483648, 3, 4, null]],
    types: Array(6).fill('bigint'),
    source: 'https://trino.io/docs/current/functions/bitwise.html (bitwise_and(x, y) → bigint, …)',
  },
  {
    sql: 'SELECT bitwise_and(1.5, 2)',
    refused:
      /Unexpected parameters for function bitwise_and: Athena \(Trino\) takes an integer there, not decimal\(2,1\)/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/BitwiseFunctions.java (bigint only)',
  },
  ...[
    ["lpad('a', '3', 'x')", 'lpad'],
    ["slice(ARRAY[1, 2], '1', 1)", 'slice'],
    ["split_part('a,b', ',', '1')", 'split_part'],
    ["repeat('a', '2')", 'repeat'],
    ["date_add('day', '1', DATE '2024-01-01')", 'date_add'],
  ].map(([call, fn]) => ({
    // Trino casts no varchar to a number implicitly: "Unexpected parameters (varchar(1), varchar(1), varchar(1))".
    sql: `SELECT ${call}`,
    refused: new RegExp(
      `^Unexpected parameters for function ${fn}: Athena \\(Trino\\) takes an integer there, not varchar, .*read the text`,
    ),
    source: 'trinodb/trino TypeCoercion (no implicit coercion of varchar to bigint or integer)',
  })),
  {
    sql: "SELECT split_part('a,b', ',', 2), repeat('a', 2), split_part(s, ',', n) FROM (VALUES ('x,y', 1)) AS t(s, n)",
    rows: [['b', ['a', 'a'], 'x']],
    source: `${TRINO_STRING} (split_part(string, delimiter, index)); ${TRINO_ARRAY} (repeat(element, count))`,
  },
  {
    sql: 'SELECT ntile(1.5) OVER (ORDER BY x) FROM (VALUES (1), (2), (3)) AS t(x)',
    refused:
      /Unexpected parameters for function ntile: Athena \(Trino\) takes an integer there, not decimal\(2,1\)/,
    source: `${TRINO_WINDOW} (ntile(n) → bigint: n is a bigint)`,
  },
  {
    sql: 'SELECT x as2 FROM (VALUES (1)) AS t(x)',
    rows: [[1]],
    source: `${TRINO_SELECT} (an alias without AS: as2 is a name, AS is no reserved prefix)`,
  },
  {
    sql: 'SELECT ntile(2) OVER (ORDER BY x) FROM (VALUES (1), (2), (3)) AS t(x)',
    rows: [[1], [1], [2]],
    source: TRINO_WINDOW,
  },
  {
    sql: 'SELECT length(ARRAY[1, 2])',
    refused:
      /Unexpected parameters \(array\(integer\)\) for function length: Athena \(Trino\) takes varchar, char and varbinary .*cardinality\(x\)/,
    source: `${TRINO_STRING} (length(string)), https://trino.io/docs/current/functions/binary.html (length(binary))`,
  },
  {
    sql: "SELECT length(to_utf8('héllo')), length('héllo')",
    rows: [[6, 5]],
    source:
      'https://trino.io/docs/current/functions/binary.html (length(binary): the length of binary in bytes)',
  },
  {
    sql: "SELECT cardinality('abc')",
    refused:
      /Unexpected parameters \(varchar\) for function cardinality: Athena \(Trino\) takes array and map/,
    source: `${TRINO_ARRAY} (cardinality(x) of an array), https://trino.io/docs/current/functions/map.html`,
  },
  {
    sql: 'SELECT sum(x) FROM (VALUES (true), (false)) AS t(x)',
    refused: /Unexpected parameters \(boolean\) for function sum: .*count_if\(b\)/,
    source: `${TRINO_AGG} (sum(x): numbers; Trino has no boolean to number coercion)`,
  },
  {
    sql: "SELECT avg(x) FROM (VALUES (DATE '2026-01-01')) AS t(x)",
    refused: /Unexpected parameters \(date\) for function avg: Athena \(Trino\) takes numbers and intervals/,
    source: `${TRINO_AGG} (avg(x): numbers and intervals)`,
  },
  {
    sql: 'SELECT count_if(x) FROM (VALUES (1), (0)) AS t(x)',
    refused: /Unexpected parameters \(integer\) for function count_if: Athena \(Trino\) takes boolean/,
    source: `${TRINO_AGG} (count_if(x): boolean)`,
  },
  {
    sql: 'SELECT count_if(x > 0), sum(x), avg(x), max(x) FROM (VALUES (1), (0)) AS t(x)',
    rows: [[1, 1, 0.5, 1]],
    source: TRINO_AGG,
  },
  {
    sql: 'SELECT max(m) FROM (VALUES (MAP(ARRAY[1], ARRAY[2]))) AS t(m)',
    refused:
      /Unexpected parameters \(map\(integer, integer\)\) for function max: Athena \(Trino\) takes an orderable type/,
    source: `${TRINO_AGG} (max(x): x of an orderable type; a map is not orderable)`,
  },
  {
    sql: "SELECT max(j) FROM (VALUES (json_parse('[1]'))) AS t(j)",
    refused: /Unexpected parameters \(json\) for function max: .*orderable.*json_extract_scalar/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/type/JsonType.java (comparable operators only: not orderable)',
  },
  {
    sql: "SELECT sum(x) FROM (VALUES (INTERVAL '1' DAY), (INTERVAL '2' DAY)) AS t(x)",
    refused: /^sum of an interval: Athena \(Trino\) answers it, but DuckDB has no sum of intervals/,
    source: `${TRINO_AGG} (sum(x) of interval day to second)`,
  },
  {
    sql: "SELECT sum(x) FROM (VALUES ('1')) AS t(x)",
    refused: /Unexpected parameters \(varchar\) for function sum: .*cast the text to a number first/,
    source: `${TRINO_AGG} (sum(x): numbers and intervals)`,
  },
  {
    sql: "SELECT max_by('a', ARRAY[MAP(ARRAY[1], ARRAY[2])])",
    refused: /for function max_by: Athena \(Trino\) takes an orderable type/,
    source: `${TRINO_AGG} (max_by(x, y): y orderable)`,
  },
  {
    sql:
      'SELECT json_extract_scalar(\'{"a b":7,"a.b":8}\', \'$["a b"]\'), json_extract_scalar(\'{"a.b":8}\', \'$["a.b"]\'), ' +
      "json_extract_scalar('{\"x\":{\"y\":[1,2]}}', '$.x.y[1]'), json_extract_scalar('{\"user_id\":3}', '$.user_id')",
    rows: [['7', '8', '2', '3']],
    source:
      'https://trino.io/docs/current/functions/json.html (json_extract: dot and bracket notation, ["a b"])',
  },
  {
    sql: "SELECT json_extract_scalar('{\"user-id\":7}', '$.user-id')",
    refused: /Invalid JSON path: '\$\.user-id'/,
    source: 'trinodb/trino JsonPathTokenizer (an unquoted key of letters, digits, _ and :)',
  },
  {
    // Trino's timestamps here are timestamp(3): from_unixtime rounds to the millisecond (Math.round(x * 1000)),
    // date_parse, parse_datetime and from_iso8601_timestamp parse to the millisecond (Joda drops further digits).
    sql:
      'SELECT from_unixtime(1.2345678), from_unixtime(1.9996), second(from_unixtime(59.9996)), ' +
      "to_unixtime(date_parse('2024-01-01 10:00:00.123456', '%Y-%m-%d %H:%i:%s.%f')), " +
      "date_parse('2024-01-01 10:00:00.999999', '%Y-%m-%d %H:%i:%s.%f') = TIMESTAMP '2024-01-01 10:00:00.999', " +
      "to_unixtime(from_iso8601_timestamp('2024-01-01T00:00:00.123456Z')), " +
      "to_unixtime(parse_datetime('2024-01-01 00:00:00.999999', 'yyyy-MM-dd HH:mm:ss.SSSSSS'))",
    rows: [
      [
        '1970-01-01 00:00:01.235 UTC',
        '1970-01-01 00:00:02.000 UTC',
        0,
        1704103200.123,
        true,
        1704067200.123,
        1704067200.999,
      ],
    ],
    source: `${TRINO_DATETIME} (from_unixtime, date_parse, parse_datetime, from_iso8601_timestamp: timestamp(3))`,
  },
  {
    // No year in the format: Joda starts from 1970-01-01, and takes the year 2000 when a month or a day is the
    // largest field parsed (strptime's 1900 would be another instant).
    sql:
      "SELECT date_parse('12:30 PM', '%h:%i %p'), date_parse('03-05', '%m-%d'), date_parse('March', '%M'), " +
      "parse_datetime('10:15', 'HH:mm'), parse_datetime('03-05', 'MM-dd'), " +
      "date_diff('hour', date_parse('10:15', '%H:%i'), TIMESTAMP '1970-01-01 12:15:00'), date_parse(NULL, '%H:%i')",
    rows: [
      [
        '1970-01-01 12:30:00.000',
        '2000-03-05 00:00:00.000',
        '2000-03-01 00:00:00.000',
        '1970-01-01 10:15:00.000 UTC',
        '2000-03-05 00:00:00.000 UTC',
        2,
        null,
      ],
    ],
    types: [
      'timestamp',
      'timestamp',
      'timestamp',
      'timestamp with time zone',
      'timestamp with time zone',
      'bigint',
      'timestamp',
    ],
    source:
      'Joda DateTimeParserBucket.computeMillis (from instant 0; iDefaultYear 2000 when the largest field is a month ' +
      "or a day), which Trino's date_parse and parse_datetime parse with",
  },
  {
    // %c and %e (a month and a day without leading zeros): a date, the year 2000.
    sql: "SELECT date_parse('3-5', '%c-%e'), date_parse('3-5 10', '%c-%e %H')",
    rows: [['2000-03-05 00:00:00.000', '2000-03-05 10:00:00.000']],
    source:
      'Joda DateTimeParserBucket.computeMillis (iDefaultYear 2000 when the largest field is a month or a day)',
  },
  {
    sql: "SELECT date_parse('Mon 10', '%a %H')",
    refused:
      /date_parse\(\) of a weekday or a week without a year, month or day: Athena \(Joda\) sets that weekday/,
    source:
      'Joda DateTimeParserBucket.computeMillis (a day of the week: the default year, then that day of its week)',
  },
  {
    sql: "SELECT date_parse('69-01-01', '%y-%m-%d'), date_parse('70-01-01', '%y-%m-%d'), parse_datetime('60-01-07', 'yy-MM-dd')",
    // yy '60': 1960 until 2040 (the window moves with the current year; DuckDB's %y reads 2060).
    rows: [['2069-01-01 00:00:00.000', '1970-01-01 00:00:00.000', '1960-01-07 00:00:00.000 UTC']],
    source:
      'trinodb/trino DateTimeFunctions (PIVOT_YEAR = 2020: two-digit years are 1970-2069); Joda DateTimeFormat ' +
      '(yy: appendTwoDigitYear(current year - 30), 50 years either side)',
  },
  {
    sql: "SELECT format_datetime(TIMESTAMP '2024-07-07 03:04:05 America/New_York', 'yyyy-MM-dd HH:mm:ssZZ')",
    refused:
      /format_datetime\(\) of .* with a zone field \(Z, z\) in its pattern: Athena writes that zone's offset/,
    source: `${TRINO_DATETIME} (format_datetime: Joda's Z is the zone's offset, -04:00)`,
  },
  {
    // UTC's offset as Joda writes it (appendTimeZoneOffset(null, …): minutes always); a bare NULL stays NULL.
    sql:
      "SELECT format_datetime(from_unixtime(0), 'Z'), format_datetime(from_unixtime(0), 'ZZ'), " +
      "format_datetime(from_iso8601_timestamp('2024-01-01T10:00:00Z'), 'yyyy-MM-dd HH:mm Z'), " +
      "format_datetime(NULL, 'yyyy Z')",
    rows: [['+0000', '+00:00', '2024-01-01 10:00 +0000', null]],
    source:
      'JodaOrg/joda-time DateTimeFormat (Z: appendTimeZoneOffset(null, "Z", false, 2, 2); ZZ: with a colon)',
  },
  {
    sql: "SELECT format_datetime(TIMESTAMP '2024-01-05 13:04:05', 'yyyy-MM-dd Z')",
    refused:
      /^Invalid Input Error: format_datetime for TIMESTAMP type, cannot use 'Z' nor 'z' in format, as this type does not contain TZ information$/,
    source: 'trinodb/trino io.trino.operator.scalar.timestamp.FormatDateTime',
  },
  {
    sql: "SELECT format_datetime(TIMESTAMP '0987-01-05 13:04:05', 'y')",
    refused: /format_datetime\(\) with y or yyy of a year before 1000: .*write yyyy/,
    source:
      "JodaOrg/joda-time DateTimeFormat (y: appendYear(count, 9): the year's own digits, at least count)",
  },
  {
    sql:
      "SELECT format_datetime(TIMESTAMP '1987-01-05 13:04:05', 'y yyy yyyy'), " +
      "format_datetime(TIMESTAMP '2024-01-05 23:59:59.9996', 'yyyy-MM-dd HH:mm:ss.SSS'), " +
      "date_format(TIMESTAMP '2024-01-05 23:59:59.9996', '%Y-%m-%d %H:%i:%s'), " +
      "date_format(TIMESTAMP '2024-01-05 13:04:05.123456', '%f'), " +
      "format_datetime(TIMESTAMP '2024-01-05 13:04:05.123456', 'SSSSSS')",
    rows: [['1987 1987 1987', '2024-01-06 00:00:00.000', '2024-01-06 00:00:00', '123000', '123000']],
    source:
      'trinodb/trino FormatDateTime and DateTimeFunctions.dateFormat (the timestamp rounded to milliseconds, ' +
      "half up: Joda's instants hold milliseconds)",
  },
  {
    // The value itself rewritten (a cast, a parse): formatted as written.
    sql:
      "SELECT format_datetime(CAST('2020-01-02 10:00:00' AS timestamp), 'yyyy-MM-dd'), " +
      "date_format(CAST('2020-01-02 10:00:00' AS timestamp) + INTERVAL '1' DAY, '%Y-%m-%d'), " +
      "format_datetime(date_parse('2020-01-02', '%Y-%m-%d'), 'yyyy'), " +
      "format_datetime(parse_datetime('2020-01-02', 'yyyy-MM-dd'), 'yyyy-MM-dd Z'), " +
      "format_datetime(try_cast('2020-01-02 10:00:00' AS timestamp), 'yyyy'), date_format(CAST(NULL AS timestamp), '%Y')",
    rows: [['2020-01-02', '2020-01-03', '2020', '2020-01-02 +0000', '2020', null]],
    source: `${TRINO_DATETIME} (format_datetime, date_format; parse_datetime: timestamp with time zone, UTC)`,
  },
  {
    sql:
      "SELECT to_milliseconds(TIMESTAMP '2024-01-02 00:00' - TIMESTAMP '2024-01-01 00:00'), " +
      "to_milliseconds(INTERVAL '1.5' SECOND), to_milliseconds(x) FROM (VALUES (INTERVAL '2' DAY), (NULL)) AS t(x)",
    rows: [
      [86400000, 1500, 172800000],
      [86400000, 1500, null],
    ],
    types: ['bigint', 'bigint', 'bigint'],
    source: `${TRINO_DATETIME} (to_milliseconds(interval) → bigint)`,
  },
  {
    sql: 'SELECT to_milliseconds(5)',
    refused:
      /^Invalid Input Error: Unexpected parameters \(integer\) for function to_milliseconds\. Expected: to_milliseconds\(interval day to second\)$/,
    source: `${TRINO_DATETIME} (to_milliseconds takes an interval day to second only)`,
  },
  // --- EXTRACT fields, functions the local engine does not translate -----------------------------------------
  {
    sql: "SELECT extract(YOW FROM DATE '2021-01-01'), extract(DAY_OF_MONTH FROM DATE '2021-01-05'), extract(DOY FROM DATE '2021-02-01')",
    rows: [[2020, 5, 32]],
    source: `${TRINO_DATETIME} (EXTRACT fields: YEAR_OF_WEEK/YOW, DAY_OF_MONTH, DAY_OF_YEAR/DOY)`,
  },
  {
    sql: "SELECT extract(EPOCH FROM TIMESTAMP '2021-01-01 00:00:00')",
    refused: /Invalid EXTRACT field: EPOCH — Athena \(Trino\) fails the query/,
    source: 'trinodb/trino io.trino.sql.tree.Extract.Field (no EPOCH)',
  },
  {
    // The digests of the bytes, as RFC 1321's and FIPS 180's test vectors give them.
    sql: "SELECT to_hex(md5(to_utf8('a'))), to_hex(sha1(to_utf8('abc'))), to_hex(sha256(to_utf8('abc'))), md5(to_utf8(NULL))",
    rows: [
      [
        '0CC175B9C0F1B6A831C399E269772661',
        'A9993E364706816ABA3E25717850C26C9CD0D89D',
        'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD',
        null,
      ],
    ],
    source:
      'https://trino.io/docs/current/functions/binary.html (md5(binary) → varbinary; sha1; sha256; to_utf8)',
  },
  {
    // A varbinary result as Athena writes it: lower-case hex, a space between bytes.
    sql: "SELECT md5(to_utf8('a')), to_utf8('é'), from_utf8(to_utf8('aé')), from_utf8(from_hex('616263'))",
    rows: [['0c c1 75 b9 c0 f1 b6 a8 31 c3 99 e2 69 77 26 61', 'c3 a9', 'aé', 'abc']],
    types: ['varbinary', 'varbinary', 'varchar', 'varchar'],
    source: 'https://trino.io/docs/current/functions/binary.html (to_utf8, from_utf8)',
  },
  {
    // The guard's grammar lacks the one-word type varbinary: read as VARCHAR there (it checks the statement only).
    // DuckDB's cast read \x41 as one byte and failed é.
    sql:
      "SELECT CAST('ab' AS varbinary), TRY_CAST('é' AS VarBinary), CAST(NULL AS varbinary), CAST('\\x41' AS varbinary), " +
      "CAST(s AS varbinary), CAST(to_utf8('a') AS varbinary) FROM (VALUES ('a\\x00')) AS t(s)",
    rows: [['61 62', 'c3 a9', null, '5c 78 34 31', '61 5c 78 30 30', '61']],
    types: ['varbinary', 'varbinary', 'varbinary', 'varbinary', 'varbinary', 'varbinary'],
    source:
      'https://trino.io/docs/current/functions/conversion.html (cast varchar to varbinary: its UTF-8 bytes)',
  },
  ...[
    "SELECT transform(ARRAY['\\x41'], x -> to_hex(CAST(x AS varbinary)))",
    "SELECT (SELECT CAST(t.x AS varbinary)) FROM (SELECT '\\x41' AS x) AS t",
  ].map((sql) => ({
    sql,
    refused:
      /^not supported by the local engine: CAST\(… AS varbinary\) inside a lambda or a correlated subquery: .*write to_utf8\(x\)/,
    source:
      'https://trino.io/docs/current/functions/conversion.html (cast varchar to varbinary: its UTF-8 bytes)',
  })),
  {
    // A statement that does not bind for another reason is DuckDB's to tell (not taken for a lambda's cast).
    sql: "SELECT CAST(s AS varbinary) FROM (VALUES ('a')) AS t(s) WHERE nosuch = 1",
    refused: /nosuch/,
    source: 'the local engine: an error of the statement itself',
  },
  {
    sql: 'SELECT CAST(1 AS varbinary)',
    refused: /^Cannot cast integer to varbinary: Athena \(Trino\) casts text only to varbinary/,
    source: 'https://trino.io/docs/current/functions/conversion.html (no cast of a number to varbinary)',
  },
  {
    sql: "SELECT CAST('10.0.0.1' AS ipaddress)",
    refused:
      /^not supported by the local engine: CAST to IPADDRESS: Athena has the type ipaddress; DuckDB has no/,
    source: 'https://trino.io/docs/current/language/types.html (IPADDRESS)',
  },
  {
    // An unquoted field name is Trino's in lower case; a quoted one as written.
    sql:
      'SELECT CAST(ROW(1, 2) AS ROW(A integer, "B" integer)), CAST(ARRAY[ROW(1)] AS ARRAY(ROW(Foo integer))), ' +
      "CAST(MAP(ARRAY['k'], ARRAY[ROW(1)]) AS MAP(varchar, ROW(Xy bigint))), " +
      // From JSON, the key of the field's lower-case name (it read {"A": null}).
      'CAST(json_parse(\'{"a":1}\') AS ROW(A integer)), CAST(json_parse(\'[{"b":2}]\') AS ARRAY(ROW(B integer)))',
    rows: [[{ a: 1, B: 2 }, [{ foo: 1 }], { k: { xy: 1 } }, { a: 1 }, [{ b: 2 }]]],
    types: [
      'row(a integer, B integer)',
      'array(row(foo integer))',
      'map(varchar, row(xy bigint))',
      'row(a integer)',
      'array(row(b integer))',
    ],
    source:
      'trinodb/trino TypeSignatureTranslator (canonicalize: an undelimited row field name in lower case)',
  },
  {
    sql: "SELECT from_utf8(from_hex('FF'), '?')",
    refused:
      /^not supported by the local engine: from_utf8\(binary, replace\): the replacement form is not translated/,
    source: 'https://trino.io/docs/current/functions/binary.html (from_utf8(binary, replace))',
  },
  {
    // Java's Character.toUpperCase keeps ß (it has no one-letter capital); DuckDB's upper wrote ẞ.
    sql: "SELECT upper(s), upper(s) = 'STRAßE', upper('ßß'), upper(NULL), lower('ẞ') FROM (VALUES ('straße')) AS t(s)",
    rows: [['STRAßE', true, 'ßß', null, 'ß']],
    source: `${TRINO_STRING} (upper: StringFunctions.upper, by code point with Character.toUpperCase)`,
  },
  {
    // Of another type, the failure names upper (the macro's helpers are not what was written).
    sql: 'SELECT upper(x) FROM (VALUES (1)) AS t(x)',
    refused: /upper\(INTEGER\)/,
    source: `${TRINO_STRING} (upper(string))`,
  },
  {
    sql: "SELECT to_utf8('a') || to_utf8('b') || from_hex('ff')",
    rows: [['61 62 ff']],
    types: ['varbinary'],
    source: 'https://trino.io/docs/current/functions/binary.html (binary || binary → varbinary)',
  },
  {
    sql: "SELECT concat(to_utf8('a'), to_utf8('b'))",
    refused:
      /concat\(\) of varbinary: Athena \(Trino\) answers the bytes joined, as a varbinary; DuckDB's concat answers text/,
    source: 'https://trino.io/docs/current/functions/binary.html (concat(binary1, …, binaryN) → varbinary)',
  },
  {
    // DuckDB's cast writes the bytes as \xC3\xA9; Trino has no such cast (from_utf8 decodes).
    sql: "SELECT CAST(to_utf8('é') AS varchar)",
    refused: /Cannot cast varbinary to varchar: Athena \(Trino\) fails this query; write from_utf8\(b\)/,
    source:
      'https://trino.io/docs/current/functions/conversion.html (no cast of varbinary to varchar; from_utf8)',
  },
  {
    sql: "SELECT to_utf8('a') || 'b'",
    refused: /Unexpected parameters \(varbinary, varchar\) for function concat/,
    source: 'https://trino.io/docs/current/functions/string.html (|| of varchar; of varbinary: binary.html)',
  },
  {
    // VarbinaryFunctions.fromHexVarchar: "invalid input length"; DuckDB's from_hex read a leading 0 (0a bc).
    sql: "SELECT from_hex('abc')",
    refused: /invalid input length 3: Athena \(Trino\) fails from_hex of an odd number of hex digits/,
    source: 'trinodb/trino io.trino.operator.scalar.VarbinaryFunctions.fromHexVarchar',
  },
  {
    // Java's Base64.getDecoder() takes the text without its padding.
    sql: "SELECT from_base64('YQ'), from_base64('YWI'), to_hex(from_base64('YWJj'))",
    rows: [['61', '61 62', '616263']],
    source: 'https://trino.io/docs/current/functions/binary.html (from_base64); java.util.Base64.Decoder',
  },
  {
    // Part of the padding is no padding for Java's decoder: "Input byte array has wrong 4-byte ending unit".
    sql: "SELECT from_base64('YQ=')",
    refused: /base64/,
    source:
      'java.util.Base64.Decoder (Trino VarbinaryFunctions.fromBase64Varchar: INVALID_FUNCTION_ARGUMENT)',
  },
  {
    sql: "SELECT from_base64('YW=I')",
    refused: /Illegal base64 text: padding \(=\) before its end/,
    source: 'java.util.Base64.Decoder.decode0 ("Input byte array has wrong 4-byte ending unit")',
  },
  {
    sql: "SELECT CAST(to_utf8('a') AS JSON)",
    refused: /Cannot cast varbinary to json: Athena \(Trino\) fails this query/,
    source: 'trinodb/trino io.trino.util.JsonUtil.canCastToJson (no varbinary)',
  },
  {
    sql: "SELECT CAST(ARRAY[from_hex('ff00')] AS JSON)",
    refused: /Cannot cast varbinary\[\] to json/,
    source: 'trinodb/trino io.trino.util.JsonUtil.canCastToJson (an array of a type it casts only)',
  },
  {
    // Rows and arrays are compared element by element; text meets a date there as in a scalar comparison.
    sql: "SELECT count(*) FROM orders WHERE (order_date, status) = ('2024-03-01', 'paid')",
    refused: /Cannot apply operator: date = varchar\(10\)/,
    source: 'https://trino.io/docs/current/functions/comparison.html (row comparison: Cannot apply operator)',
  },
  {
    sql: "SELECT ARRAY[1] = ARRAY['1']",
    refused: /Cannot apply operator: integer = varchar\(1\)/,
    source:
      'https://trino.io/docs/current/language/types.html (array(integer) and array(varchar(1)) are not comparable)',
  },
  {
    sql: "SELECT ROW(1) = ROW('1'), 1",
    refused: /Cannot apply operator: integer = varchar\(1\)/,
    source: 'https://trino.io/docs/current/functions/comparison.html',
  },
  {
    sql: "SELECT 1 = '1'",
    refused: /Cannot apply operator: integer = varchar\(1\)/,
    source: 'https://trino.io/docs/current/functions/comparison.html (no implicit cast of varchar)',
  },
  {
    sql: "SELECT count(*) FROM orders WHERE (order_date, status) IN ((DATE '2024-03-01', 'paid'), ('2024-03-02', 'open'))",
    refused: /Cannot apply operator: date = varchar\(10\)/,
    source: 'https://trino.io/docs/current/functions/comparison.html (IN: the value and each item compared)',
  },
  {
    sql: "SELECT (1, 'a') IN ((1, 'a'), (2, 'b')), ROW(1, 'a') IN (ROW(2, 'b'))",
    rows: [[true, false]],
    source: 'https://trino.io/docs/current/functions/comparison.html',
  },
  {
    // A row's fields named like types are no types: cast as any row.
    sql: 'SELECT CAST(CAST(ROW(1, 2) AS ROW("UUID" integer, "INTERVAL" integer)) AS JSON)',
    rows: [[{ UUID: 1, INTERVAL: 2 }]],
    source: 'trinodb/trino io.trino.util.JsonUtil.canCastToJson (a row of integers)',
  },
  {
    sql: "SELECT ARRAY[1, '2']",
    refused: /All ARRAY elements must be the same type \(here integer, varchar\)/,
    source:
      'trinodb/trino io.trino.sql.analyzer.ExpressionAnalyzer (ARRAY constructor: "All ARRAY elements must be the same type")',
  },
  {
    sql: "SELECT (1, 'a') = (1, 'a'), ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2.5] = ARRAY[1, 2.5]",
    rows: [[true, true, true]],
    source: 'https://trino.io/docs/current/functions/comparison.html',
  },
  {
    sql: "SELECT md5('a')",
    refused: /Unexpected parameters \(varchar\) for function md5\. Expected: md5\(varbinary\)/,
    source:
      'https://trino.io/docs/current/functions/binary.html (md5(binary) → varbinary: no varchar signature)',
  },
  {
    sql: 'SELECT sha256(x) FROM (VALUES (CAST(1 AS BIGINT))) t(x)',
    refused: /sha256/,
    source: 'https://trino.io/docs/current/functions/binary.html (sha256(binary) → varbinary)',
  },
  {
    sql: 'SELECT to_utf8(1)',
    refused: /Unexpected parameters \(integer\) for function to_utf8\. Expected: to_utf8\(varchar\)/,
    source: 'https://trino.io/docs/current/functions/binary.html (to_utf8(string) → varbinary)',
  },
  {
    sql: "SELECT from_utf8(from_hex('F09F9880')), from_utf8(from_hex('E282AC')), from_utf8(from_hex(''))",
    rows: [['😀', '€', '']],
    source: 'https://trino.io/docs/current/functions/binary.html (from_utf8); RFC 3629',
  },
  {
    // An overlong form of NUL and a UTF-16 surrogate's encoding: not UTF-8 (RFC 3629, section 3).
    sql: "SELECT from_utf8(from_hex('C080')) UNION ALL SELECT from_utf8(from_hex('EDA080'))",
    refused: /from_utf8\(\) of bytes that are not UTF-8/,
    source:
      'https://trino.io/docs/current/functions/binary.html (from_utf8: invalid UTF-8 → U+FFFD); RFC 3629',
  },
  {
    sql: "SELECT from_utf8(from_hex('61ff'))",
    refused:
      /from_utf8\(\) of bytes that are not UTF-8: Athena \(Trino\) replaces each invalid sequence with U\+FFFD/,
    source: 'https://trino.io/docs/current/functions/binary.html (from_utf8: invalid UTF-8 → U+FFFD)',
  },
  {
    sql: "SELECT sha512(to_utf8('a'))",
    refused: /sha512\(\): an Athena \(Trino\) function the local engine does not translate/,
    source: 'https://trino.io/docs/current/functions/binary.html (sha512; DuckDB has none)',
  },
  // --- other dialects' syntax: Athena fails it or reads it otherwise; the local engine refuses it -------------
  {
    sql: 'SELECT count(*) FROM orders ANTI JOIN orders o2 USING (order_id)',
    refused: /ANTI JOIN: Athena reads ANTI as an alias of the table before it \(an inner join\)/,
    source: `${TRINO_SELECT} (joins: no ANTI or SEMI join; a word after a table is its alias)`,
  },

  {
    sql: 'SELECT count(*) FROM orders NATURAL JOIN orders o2',
    refused: /NATURAL JOIN: Athena does not support it/,
    source: 'trinodb/trino StatementAnalyzer ("Natural join not supported")',
  },
  {
    sql: "SELECT 'abc' ~~ 'a%'",
    refused: /the '~' operators .*: Athena has none/,
    source: 'https://trino.io/docs/current/functions/comparison.html (LIKE; no ~~)',
  },
  // LIKE … ESCAPE: Trino checks the pattern (LikePattern; TestLikeFunctions.testInvalidLikePattern: '#' and 'abc#abc'
  // with '#' fail) and the escape's length; DuckDB read an escaped ordinary character as itself and took ''.
  {
    sql: "SELECT 'a%c' LIKE 'a#%c' ESCAPE '#', 'abc' LIKE 'a#%c' ESCAPE '#', 'a#c' LIKE 'a##c' ESCAPE '#', 'a_c' NOT LIKE 'a#_c' ESCAPE '#', '%%' LIKE '%%%%' ESCAPE '%'",
    rows: [[true, false, true, false, true]],
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT 'ab' LIKE 'a\\b' ESCAPE '\\'",
    refused: /^Escape character must be followed by '%', '_' or the escape character itself/,
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT order_id FROM orders WHERE status LIKE 'abc#' ESCAPE '#'",
    refused: /^Escape character must be followed by '%', '_' or the escape character itself/,
    source: TRINO_LIKE_SRC,
  },
  {
    // A literal in parentheses is the same literal (Trino's parser drops them): refused before anything runs.
    sql: "SELECT count(*) FROM orders WHERE status LIKE (('a#b')) ESCAPE '#'",
    refused: /^Escape character must be followed by '%', '_' or the escape character itself/,
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT 'abc' LIKE 'abc' ESCAPE ''",
    refused: /^Escape string must be a single character/,
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT p, 'a%' LIKE p ESCAPE '#' FROM (VALUES ('a#%'), ('a%'), ('a###%')) AS t(p) ORDER BY p",
    rows: [
      ['a###%', false],
      ['a#%', true],
      ['a%', true],
    ],
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT 'ab' LIKE p ESCAPE '#' FROM (VALUES ('a#%'), ('a#b')) AS t(p)",
    refused: /Escape character must be followed by '%', '_' or the escape character itself/,
    source: TRINO_LIKE_SRC,
  },
  {
    sql: "SELECT 'abc' SIMILAR TO 'a.*'",
    refused: /SIMILAR TO: Athena has no such operator/,
    source: 'https://trino.io/docs/current/functions/comparison.html (no SIMILAR TO)',
  },
  {
    sql: "SELECT DATE '2024-01-01' + INTERVAL 1 DAY",
    refused: /Athena writes the quantity as a string: INTERVAL '1' DAY/,
    source: "https://trino.io/docs/current/language/types.html (INTERVAL '1' DAY)",
  },
  // --- names that look like other dialects' words, and the forms the rewrites must keep -----------------------
  {
    sql:
      'WITH semi AS (SELECT 1 AS x) SELECT count(*) FROM orders AS anti ' +
      'JOIN orders o2 ON anti.order_id = o2.order_id JOIN semi ON semi.x = 1',
    rows: [[0]],
    source:
      'trinodb/trino SqlBase.g4 (ANTI and SEMI are no keywords: identifiers, as aliases or table names)',
  },
  {
    sql:
      "SELECT EXTRACT(TIMEZONE_HOUR FROM TIMESTAMP '2026-03-04 05:06:07 +05:30'), " +
      "EXTRACT(TIMEZONE_MINUTE FROM from_iso8601_timestamp('2026-01-01T00:00:00-03:30')), " +
      "EXTRACT(DAY_OF_WEEK FROM DATE '2026-03-08')",
    rows: [[5, -30, 7]],
    source: `${TRINO_DATETIME} (EXTRACT: TIMEZONE_HOUR, TIMEZONE_MINUTE, DAY_OF_WEEK as timezone_hour, …)`,
  },
  {
    sql: 'SELECT count(*) FROM orders o TABLESAMPLE BERNOULLI (100) JOIN orders p ON o.order_id = p.order_id',
    rows: [[0]],
    source: `${TRINO_SELECT} (sampledRelation: an aliased relation, then TABLESAMPLE)`,
  },
  {
    sql: 'SELECT truncate(2.567, 2), truncate(1234.5, -2), truncate(1.2345, 2), truncate(2.567e0, 2)',
    // The type is the input's, as Athena's (2.560, a decimal(4,3)).
    rows: [[2.56, 1200, 1.23, 2.56]],
    types: ['decimal(4,3)', 'decimal(5,1)', 'decimal(5,4)', 'double'],
    source: `${TRINO_MATH} (truncate(x, n) of a decimal(p, s) is a decimal(p, s): MathFunctions.TruncateN)`,
  },
  {
    sql:
      "SELECT DECIMAL '10' % DECIMAL '3.3', 10 % DECIMAL '3.3', mod(DECIMAL '10.5', 3), " +
      "mod(DECIMAL '10.5', DECIMAL '0.25'), 7 % 3, 7.5e0 % 2, x % y " +
      'FROM (VALUES (CAST(10.5 AS DECIMAL(5,2)), CAST(4 AS BIGINT))) AS t(x, y)',
    rows: [[0.1, 0.1, 1.5, 0, 1, 1.5, 2.5]],
    types: [
      'decimal(2,1)',
      'decimal(2,1)',
      'decimal(3,1)',
      'decimal(2,2)',
      'integer',
      'double',
      'decimal(5,2)',
    ],
    source:
      `${TRINO_DECIMAL} (the modulus operator); trinodb/trino DecimalOperators (modulus: precision ` +
      'min(p1 - s1, p2 - s2) + max(s1, s2), scale max(s1, s2))',
  },
  {
    sql: 'SELECT skewness(amount) OVER (PARTITION BY customer_id) FROM orders',
    refused:
      /skewness\(…\) OVER \(…\): the local engine computes Trino's answer from DuckDB's with an expression/,
    source: 'trinodb/trino CentralMomentsAggregation (skewness as a window aggregate)',
  },
  {
    sql: 'SELECT CAST(json_parse(\'[1, "x"]\') AS ROW(a bigint, b varchar))',
    refused: /CAST of JSON to a row from a JSON array: Athena reads it/,
    source: 'trinodb/trino JsonUtil.appendRow (a JSON array fills a row by position)',
  },
  {
    sql: 'SELECT CAST(json_parse(\'{"A": 1}\') AS ROW(a bigint))',
    refused: /CAST of JSON to a row with a key in capitals/,
    source: 'trinodb/trino JsonUtil.appendRow (keys matched lower-cased)',
  },
  // --- text compared with another type where neither side is a literal -----------------------------------------
  {
    sql: 'SELECT count(*) FROM orders WHERE dt = order_date',
    refused: /^Cannot apply operator: varchar = date: text is compared with a date/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql: "SELECT x = y FROM (VALUES ('1', 1)) AS t(x, y)",
    refused: /^Cannot apply operator: varchar = integer/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql: 'SELECT count(*) FROM orders a JOIN orders b ON a.order_date = b.order_date AND a.order_id = b.order_id',
    rows: [[0]],
    source: `${TRINO_SELECT} (a join of columns of the same types)`,
  },
  // --- a varbinary literal; TABLESAMPLE's percentage ------------------------------------------------------
  {
    sql: "SELECT X'41'",
    refused: /Athena reads a varbinary literal, DuckDB the text 'x…': write from_hex\('41'\)/,
    source: "https://trino.io/docs/current/language/types.html (varbinary: X'65683F')",
  },
  {
    sql: 'SELECT count(*) FROM orders TABLESAMPLE BERNOULLI (100)',
    rows: [[0]],
    source: `${TRINO_SELECT} (TABLESAMPLE BERNOULLI (p): each row with probability p percent)`,
  },
  {
    sql: "SELECT INTERVAL '3' DAY / 2",
    refused: /an INTERVAL divided \(INTERVAL '3' DAY \/ 2\): Athena divides an interval/,
    source: 'https://trino.io/docs/current/functions/datetime.html (interval / number)',
  },
  {
    sql: "SELECT INTERVAL '3' DAY * 0.5",
    rows: [['1 12:00:00.000']],
    source: 'https://trino.io/docs/current/functions/datetime.html (interval * number)',
  },
  // --- aggregates ---------------------------------------------------------------------------------------------
  {
    // The exact weighted percentile: what Athena's estimate approximates (within its documented accuracy).
    sql: 'SELECT approx_percentile(x, w, 0.5) FROM (VALUES (1, 1), (2, 1), (3, 10)) AS t(x, w)',
    rows: [[3]],
    source: `${TRINO_AGG} (approx_percentile(x, w, percentage))`,
  },
  {
    // No decimal signature: a decimal is coerced to double, the answer a double (DuckDB's approx_quantile of a
    // decimal answered a whole number); a narrower integer to bigint.
    sql:
      'SELECT approx_percentile(a, 0.5), approx_percentile(a, ARRAY[0.5]), approx_percentile(a, 1, 0.5), ' +
      'approx_percentile(CAST(b AS SMALLINT), 0.5) ' +
      "FROM (VALUES (DECIMAL '10.25', 1), (DECIMAL '20.75', 2), (DECIMAL '30.10', 3)) AS t(a, b)",
    rows: [[20.75, [20.75], 20.75, 2]],
    types: ['double', 'array(double)', 'double', 'bigint'],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/aggregation/ApproximateLongPercentileAggregations.java, ' +
      'ApproximateDoublePercentileAggregations.java (bigint, double and real only; TypeCoercion: decimal to double)',
  },
  {
    // A NULL key is skipped; a key given twice keeps its first value (one row each here: the order is the input's).
    sql:
      "SELECT map_agg(k, v) FROM (VALUES ('a', 1), (CAST(NULL AS VARCHAR), 2)) AS t(k, v) " +
      'UNION ALL SELECT map_agg(k, v) FROM (VALUES (CAST(NULL AS VARCHAR), 2)) AS t(k, v) ' +
      "UNION ALL SELECT map_agg(k, v) FROM (VALUES ('a', 1), ('a', 1), ('b', 3)) AS t(k, v)",
    rows: [[{ a: 1 }], [null], [{ a: 1, b: 3 }]],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/aggregation/MapAggregationFunction.java (the key ' +
      'is not nullable: a NULL key skips the row) and AbstractMapAggregationState.add (a key present already is kept)',
  },
  {
    // As a window: Trino answers; the local map_agg is an expression around DuckDB's list(), which no window takes.
    sql: "SELECT map_agg(k, v) OVER (ORDER BY k) FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v)",
    refused: /^not supported by the local engine: map_agg\(…\) OVER \(…\)/,
    source: `${TRINO_AGG} (map_agg(key, value); aggregate functions can be used as window functions)`,
  },
  {
    // A key given twice keeps the value of the row read first (one VALUES list: read in its order).
    sql: "SELECT map_agg(k, v) FROM (VALUES ('b', 1), ('a', 2), ('b', 3), ('a', 5)) AS t(k, v)",
    rows: [[{ a: 2, b: 1 }]],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/aggregation/MapAggregationFunction.java (the key ' +
      'is not nullable: a NULL key skips the row) and AbstractMapAggregationState.add (a key present already is kept)',
  },
  {
    sql: 'SELECT count_if(x > 5), count_if(x > 1), count_if(CAST(NULL AS BOOLEAN)) FROM (VALUES (1), (2), (3)) AS t(x)',
    rows: [[0, 2, 0]],
    source: `${TRINO_AGG} (count_if: the number of TRUE values; count and count_if never return null)`,
  },
  {
    sql: "SELECT max_by(a, b), min_by(a, b), max_by(a, b, 2), min_by(a, b, 5) FROM (VALUES ('x', 1), (NULL, 3), ('z', 2), ('w', NULL)) AS t(a, b)",
    rows: [[null, 'x', [null, 'z'], ['x', 'z', null]]],
    source:
      'trinodb/trino TestMinMaxByAggregation (testMaxNull: the x of the largest y, NULL when that x is NULL); ' +
      `${TRINO_AGG} (max_by(x, y, n): n values of x in descending order of y)`,
  },
  {
    sql: "SELECT max_by(a, b, -1) FROM (VALUES ('x', 1), ('y', 2)) AS t(a, b)",
    refused: /third argument of max_by must be a positive integer$/,
    source: 'trinodb/trino MaxByNStateFactory (n > 0, checked as a row enters)',
  },
  {
    sql: "SELECT min_by(a, b, 0) FROM (VALUES ('x', 1), ('y', 2)) AS t(a, b)",
    refused: /third argument of min_by must be a positive integer$/,
    source: 'trinodb/trino MinByNStateFactory (n > 0, checked as a row enters)',
  },
  {
    sql: "SELECT max_by(a, b, 10001) FROM (VALUES ('x', 1), ('y', 2)) AS t(a, b)",
    refused: /third argument of max_by must be less than or equal to 10000; found 10001$/,
    source: 'trinodb/trino MaxByNStateFactory (n <= 10000)',
  },
  {
    sql: "SELECT max_by(a, b, 0), min_by(a, b, 2) FROM (VALUES ('x', 1), ('y', 2)) AS t(a, b) WHERE b > 5",
    rows: [[null, null]],
    source: 'trinodb/trino MinMaxByNStateFactory (no row entered: NULL, n never checked)',
  },
  {
    sql: 'SELECT arbitrary(x), every(x > 0), round(skewness(CAST(x AS DOUBLE)), 9) FROM (VALUES (NULL), (1), (2), (4)) AS t(x)',
    rows: [[expect.any(Number), true, 0.381801774]],
    source:
      `${TRINO_AGG} (arbitrary: an arbitrary non-null value; every: alias of bool_and); trinodb/trino ` +
      'CentralMomentsAggregation.skewness (sqrt(n) * m3 / m2^1.5, NULL under 3 values)',
  },
  {
    sql: 'SELECT sum(x) FROM (VALUES (9223372036854775807), (1)) AS t(x)',
    refused: /^Invalid Input Error: bigint overflow: 9223372036854775808 is beyond a bigint/,
    source:
      'trinodb/trino LongSumAggregation.java (BigintOperators.add: addExact, NUMERIC_VALUE_OUT_OF_RANGE)',
  },
  {
    // The sum fails, not only a sum shown as it is: arithmetic or a comparison on it must not hide the overflow.
    sql: 'SELECT count(*) FROM (VALUES (9223372036854775807), (1)) AS t(x) HAVING sum(x) - 1 > 0',
    refused: /^Invalid Input Error: bigint overflow: 9223372036854775808 is beyond a bigint/,
    source:
      'trinodb/trino LongSumAggregation.java (BigintOperators.add: addExact, NUMERIC_VALUE_OUT_OF_RANGE)',
  },
  {
    sql: "SELECT sum(x) FROM (VALUES (DECIMAL '99999999999999999999999999999999999999'), (DECIMAL '1')) AS t(x)",
    refused: /Decimal overflow/,
    source:
      'trinodb/trino DecimalSumAggregation.java (outputLongDecimal: throwIfOverflows, "Decimal overflow")',
  },
  {
    sql: "SELECT sum(x), sum(y), sum(x) OVER () FROM (VALUES (1, DECIMAL '1.50'), (2, DECIMAL '-0.05')) AS t(x, y) GROUP BY x, y",
    rows: [
      [1, '1.50', 3],
      [2, '-0.05', 3],
    ],
    types: ['bigint', 'decimal(38,2)', 'bigint'],
    source: `${TRINO_AGG} (sum: [same as input], bigint for integers, decimal(38, s) for decimals)`,
  },
  {
    sql: 'SELECT sum(x) FROM (VALUES (9223372036854775807), (-1)) AS t(x)',
    rows: [['9223372036854775806']],
    source: `${TRINO_AGG} (sum of bigint is a bigint)`,
  },
  {
    sql: 'SELECT sum(DISTINCT x), count(ALL x) FROM (VALUES (1), (2), (2)) AS t(x)',
    rows: [[3, 3]],
    source: `${TRINO_SELECT} (set quantifier in aggregate calls: DISTINCT, ALL)`,
  },
  {
    // avg(decimal(p,s)) is a decimal(p,s): 1.67; DuckDB's is a double.
    sql: 'SELECT avg(x) FROM (VALUES (1.00), (2.00), (2.00)) AS t(x)',
    refused: /avg of a decimal: Athena answers a decimal/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/aggregation/DecimalAverageAggregation.java ' +
      '(avg of a decimal(p,s) is a decimal(p,s), rounded HALF_UP)',
  },
  // --- decimals -----------------------------------------------------------------------------------------------
  {
    // Trino's quotient of decimals has the larger scale, rounded half up: 0.3; DuckDB's is a double.
    sql: 'SELECT 1.0 / 3',
    refused: /a decimal divided by a decimal or an integer/,
    source: `${TRINO_DECIMAL} (decimal division); trinodb/trino issue 17651 (SELECT 1.0/3 is 0.3)`,
  },
  // --- names of FROM items -----------------------------------------------------------------------------------
  {
    // A bare name is a column of a FROM item, never the item's whole row (DuckDB's row variables answer a struct).
    sql: 'SELECT t FROM (SELECT 1 AS a) t',
    refused: /^Column 't' cannot be resolved/,
    source: `${TRINO_SELECT}; "Column 't2.y' cannot be resolved", trinodb/trino issue 17897`,
  },
  {
    // Text in double quotes is a name in Trino as in standard SQL: the column it names does not exist. Said so,
    // not with columns of similar names.
    sql: `SELECT count(*) FROM (VALUES ('paid')) AS t(status) WHERE status = "paid"`,
    refused:
      /^COLUMN_NOT_FOUND: Column 'paid' cannot be resolved \("paid" in double quotes is a name: text is written in single quotes, 'paid'; a column: did you mean 'status'\?\)$/,
    source: 'https://trino.io/docs/current/language/reserved.html (identifiers in double quotes)',
  },
  {
    sql: 'SELECT count(y) FROM (SELECT ARRAY[1, 2] AS arr) s CROSS JOIN UNNEST(arr) AS y',
    refused: /^Column 'y' cannot be resolved.*UNNEST\(…\) AS t\(y\)/,
    source: `${TRINO_SELECT} (UNNEST: the column alias list names its columns)`,
  },
  {
    sql: 'SELECT y FROM (SELECT ARRAY[1, 2] AS arr) s CROSS JOIN UNNEST(arr) AS t(y) ORDER BY y',
    rows: [[1], [2]],
    source: `${TRINO_SELECT} (UNNEST with a column alias list)`,
  },
  {
    // The same name for a FROM item and one of its columns: the column.
    sql: 'SELECT x FROM (SELECT 41 + 1 AS x) x',
    rows: [[42]],
    source: TRINO_SELECT,
  },
  // --- text compared with another type --------------------------------------------------------------------------
  {
    sql: "SELECT count(*) FROM (VALUES (TIMESTAMP '2026-12-02 10:00:00')) AS t(ts) WHERE ts > '2026-12-01'",
    refused:
      /^Cannot apply operator: timestamp > varchar\(10\): the text '2026-12-01' is compared with a timestamp/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql: "SELECT count(*) FROM (VALUES (DATE '2026-12-04', 2.5)) AS t(d, x) WHERE d IN ('2026-12-04') OR x = '2.5'",
    refused: /^Cannot apply operator: date IN varchar\(10\).*Write DATE '2026-12-04'/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    // The lake's partition columns (event_date, dt) are varchar in the Glue catalog.
    sql: "SELECT count(*) FROM (VALUES ('2026-12-04')) AS t(event_date) WHERE event_date = DATE '2026-12-04'",
    refused: /^Cannot apply operator: varchar = date: the date '2026-12-04' is compared with text/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql: "SELECT count(*) FROM (VALUES ('a')) AS t(s) WHERE s = 5",
    refused: /^Cannot apply operator: varchar = integer: the integer 5 is compared with text/,
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql:
      "SELECT count(*) FROM (VALUES (TIMESTAMP '2026-12-02 10:00:00', '2026-12-04')) AS t(ts, event_date) " +
      "WHERE ts > TIMESTAMP '2026-12-01 00:00:00' AND event_date = '2026-12-04' AND ts < CAST('2027-01-01' AS timestamp)",
    rows: [[1]],
    source: ATHENA_TIMESTAMP_EXCEPTIONS,
  },
  {
    sql: "SELECT coalesce(x, 'n/a') FROM (VALUES (2.5), (NULL)) AS t(x)",
    refused: /^All COALESCE operands must be the same type \(here decimal\(2,1\), varchar\)/,
    source: 'https://trino.io/docs/current/functions/conditional.html (coalesce: the same type)',
  },
  {
    sql: "SELECT CASE WHEN x > 1 THEN x ELSE 'small' END FROM (VALUES (1), (2)) AS t(x)",
    refused: /^All CASE results must be the same type \(here integer, varchar\)/,
    source: 'https://trino.io/docs/current/functions/conditional.html (CASE)',
  },
  {
    sql: "SELECT coalesce(s, 'none'), if(x > 1, 'big', NULL), CASE x WHEN 1 THEN 'one' END FROM (VALUES (1, CAST(NULL AS varchar))) AS t(x, s)",
    rows: [['none', null, 'one']],
    source: 'https://trino.io/docs/current/functions/conditional.html',
  },
  {
    sql: "SELECT x FROM (VALUES (1)) AS t(x) UNION ALL SELECT 'a'",
    refused: /^column 1 in UNION query has incompatible types: integer, varchar/,
    source: `${TRINO_SELECT} (UNION: the columns of each query must have compatible types)`,
  },
  {
    // The first UNION refers to the outer query (not checked); the one in FROM is still checked.
    sql: "SELECT (SELECT t.x UNION ALL SELECT 2 LIMIT 1) FROM (SELECT 1 AS x UNION ALL SELECT 'a') AS t",
    refused: /^column 1 in UNION query has incompatible types: integer, varchar/,
    source: TRINO_SELECT,
  },
  {
    sql: 'SELECT x FROM (VALUES (1)) AS t(x) UNION ALL SELECT 2 UNION ALL SELECT NULL ORDER BY 1',
    rows: [[1], [2], [null]],
    source: TRINO_SELECT,
  },
  {
    sql: "SELECT x + '1' FROM (VALUES (CAST(2.5 AS double))) AS t(x)",
    refused: /^Cannot apply operator: double \+ varchar/,
    source: 'https://trino.io/docs/current/functions/math.html (mathematical operators: numbers)',
  },
  {
    sql: "SELECT count(*) FROM (VALUES (DATE '2026-12-04')) AS t(d) WHERE d + 1 > DATE '2026-01-01'",
    refused: /^Cannot apply operator: date \+ integer.*INTERVAL '1' DAY/,
    source: `${TRINO_DATETIME} (date and time operators: + with an interval)`,
  },
  {
    sql: 'SELECT CAST(99999999.99 AS DECIMAL(10,2)) * CAST(99999999.99 AS DECIMAL(10,2))',
    refused:
      /decimal multiplication beyond 18 digits: Athena's result is wider .* cast an operand to DECIMAL\(38, s\)/,
    source: `${TRINO_DECIMAL} (multiplication: precision p1 + p2, scale s1 + s2)`,
  },
  // A plain decimal literal's precision counts no zero before the point (Trino's Decimals.parse); DuckDB counted
  // them (0.5 was a decimal(2,1)) and read 0. and 38 digits as a double.
  {
    sql: 'SELECT 0.5, 0.0, 0.05, 0.1 + 0.2, 007.50, q * 0.5, 0.05 * q, -0.5, .5 FROM (VALUES (3)) AS t(q)',
    rows: [[0.5, 0, 0.05, 0.3, 7.5, 1.5, 0.15, -0.5, 0.5]],
    types: [
      'decimal(1,1)',
      'decimal(1,1)',
      'decimal(2,2)',
      'decimal(2,1)',
      'decimal(3,2)',
      'decimal(11,1)',
      'decimal(12,2)',
      'decimal(1,1)',
      'decimal(1,1)',
    ],
    source: `${TRINO_DECIMAL} (decimal literals: precision is the number of digits, leading zeros not counted)`,
  },
  {
    sql: 'SELECT 0.12345678901234567890123456789012345678, x FROM (VALUES (0.5), (0.25)) AS t(x) ORDER BY x',
    rows: [
      ['0.12345678901234567890123456789012345678', 0.25],
      ['0.12345678901234567890123456789012345678', 0.5],
    ],
    types: ['decimal(38,38)', 'decimal(2,2)'],
    source: `${TRINO_DECIMAL} (decimal literals: up to 38 digits; VALUES rows in their common type)`,
  },
  {
    sql: 'SELECT CAST(CAST(99999999.99 AS DECIMAL(10,2)) AS DECIMAL(38,2)) * CAST(99999999.99 AS DECIMAL(10,2))',
    rows: [['9999999998000000.0001']],
    source: `${TRINO_DECIMAL} (multiplication: precision p1 + p2, scale s1 + s2)`,
  },
  {
    sql: "SELECT DATE '2024-03-01' - DATE '2024-01-01'",
    refused: /^Cannot apply operator: date - date: DuckDB would give the days .* date_diff\('day', b, a\)/,
    source: `${TRINO_DATETIME} (date and time operators: a date less an interval; date_diff for the days between)`,
  },
  {
    sql: "SELECT d + INTERVAL '2' DAY > DATE '2026-12-05', x * 2 + 1, x / 2, x % 3 FROM (VALUES (DATE '2026-12-04', 7)) AS t(d, x)",
    rows: [[true, 15, 3, 1]],
    source: TRINO_DATETIME,
  },
  // --- subqueries nested in expressions ---------------------------------------------------------------------------
  {
    // Ten levels: answered (each level adds 1).
    sql: `SELECT ${'(SELECT 1 + '.repeat(10)}0${')'.repeat(10)} AS n`,
    rows: [[10]],
    source: `${TRINO_SELECT} (a scalar subquery in an expression; nesting has no limit of Trino's)`,
  },
  {
    // Eleven: DuckDB's planner takes time exponential in the depth and is not interrupted while it plans (a depth of
    // 40 held a connection past every time limit): refused before DuckDB sees it, naming the difference.
    sql: `SELECT ${'(SELECT 1 + '.repeat(11)}0${')'.repeat(11)} AS n`,
    refused:
      /^not supported by the local engine: subqueries nested 11 deep in expressions: DuckDB plans them in time exponential .* at most 10 levels \(Athena takes more\)/,
    source: `${TRINO_SELECT} (a scalar subquery in an expression; nesting has no limit of Trino's)`,
  },
  {
    sql: `SELECT x FROM (VALUES (1)) AS t(x) WHERE ${'EXISTS (SELECT 1 WHERE '.repeat(12)}true${')'.repeat(12)}`,
    refused: /^not supported by the local engine: subqueries nested 12 deep in expressions/,
    source: `${TRINO_SELECT} (EXISTS)`,
  },
  {
    // Trino's ArrayJoin skips NULL elements and answers the text it built ('' when all are NULL); a NULL argument,
    // delimiter or replacement included, is a NULL result, as is split's.
    sql:
      "SELECT array_join(ARRAY[CAST(NULL AS VARCHAR)], ','), array_join(ARRAY[NULL, NULL], ','), array_join(ARRAY[1, NULL], ','), " +
      "array_join(ARRAY['a', 'b'], NULL), array_join(ARRAY['a', NULL], ',', NULL), array_join(ARRAY['a', NULL], ',', '-'), " +
      "array_join(CAST(NULL AS ARRAY(VARCHAR)), ','), split('a,b', NULL), split('a,b', NULL, 2), split(NULL, ',', 2), " +
      "split('a,b,c', ',', CAST(NULL AS INTEGER))",
    rows: [['', '', '1', null, null, 'a,-', null, null, null, null, null]],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/ArrayJoin.java (NEVER_NULL arguments; nulls skipped)',
  },
  // --- replace() ---------------------------------------------------------------------------------------------------
  {
    // Eight nested calls (cleaning a value): the macro names its text once; naming it in three branches copied it
    // 3^8 times, which DuckDB did not finish planning in minutes. An empty search puts the replacement around every
    // character.
    sql:
      "SELECT replace(replace(replace(replace(replace(replace(replace(replace(' $1,234.50 ', '$', ''), ',', ''), ' ', ''), " +
      "'.', ','), '1', 'one '), '2', 'two '), '', '|'), '||', '|') AS v",
    rows: [['|o|n|e| |t|w|o| |3|4|,|5|0|']],
    types: ['varchar'],
    source: `${TRINO_STRING} (replace: an empty search puts the replacement before each character and at the end)`,
  },
  {
    // The search is text, not a pattern; the replacement's backslashes and $ are themselves; characters, not bytes.
    sql:
      "SELECT replace('a.b.c', '.', '\\1$'), replace('a*b', '*', '+'), replace('naïve', '', '-'), replace('', '', '-'), " +
      "replace('x', 'x', NULL), replace('a\\b', '\\', '/'), replace(s, 'a', (SELECT 'z')) FROM (VALUES ('banana')) AS t(s)",
    rows: [['a\\1$b\\1$c', 'a+b', '-n-a-ï-v-e-', '-', null, 'a/b', 'bznznz']],
    source: `${TRINO_STRING} (replace(string, search, replace))`,
  },
  // --- a format that is not a string literal ----------------------------------------------------------------------
  {
    // A NULL format (or value) is NULL, as Trino's functions answer a NULL argument.
    sql: "SELECT date_format(TIMESTAMP '2024-01-01 00:00:00', NULL) AS a, format_datetime(TIMESTAMP '2024-01-01 00:00:00', CAST(NULL AS VARCHAR)) AS b, date_parse(NULL, f) AS c FROM (VALUES ('%Y')) AS t(f)",
    rows: [[null, null, null]],
    types: ['varchar', 'varchar', 'timestamp'],
    source: `${TRINO_DATETIME} (date_format, format_datetime, date_parse: NULL for a NULL argument)`,
  },
  {
    // A format from a column: Trino formats each row with its own; refused, naming the difference (it once nested
    // ~50 replace() macros that DuckDB never finished planning).
    sql: "SELECT format_datetime(TIMESTAMP '2024-01-01 00:00:00', f) FROM (VALUES ('yyyy-MM-dd')) AS t(f)",
    refused:
      /^not supported by the local engine: format_datetime\(\) with a format that is not a string literal: .*write the format as a literal/,
    source: `${TRINO_DATETIME} (format_datetime(timestamp, format))`,
  },
  {
    sql: "SELECT date_format(ts, f) FROM (VALUES (TIMESTAMP '2024-01-01 00:00:00', '%Y')) AS t(ts, f)",
    refused: /^not supported by the local engine: date_format\(\) with a format that is not a string literal/,
    source: `${TRINO_DATETIME} (date_format(timestamp, format))`,
  },
  // --- functions Athena does not have ------------------------------------------------------------------------------
  {
    sql: "SELECT strftime(DATE '2026-12-04', '%Y')",
    refused: /^Function 'strftime' not registered: .* On Athena: date_format\(ts, format\)/,
    source: TRINO_FUNCTION_LIST,
  },
  {
    sql: 'SELECT median(x) FROM (VALUES (1), (2), (9)) AS t(x)',
    refused: /^Function 'median' not registered: .*approx_percentile\(x, 0\.5\)/,
    source: TRINO_FUNCTION_LIST,
  },
  {
    // Athena fails it for the function first; DuckDB's binder would first say that s is not grouped.
    sql: "SELECT len(s), count(*) FROM (VALUES ('a'), ('bb')) AS t(s)",
    refused: /^Function 'len' not registered: /,
    source: TRINO_FUNCTION_LIST,
  },
  {
    sql: 'SELECT unnest(ARRAY[1, 2])',
    refused: /^Function 'unnest' not registered: .*CROSS JOIN UNNEST\(array\) AS t\(x\)/,
    source: `${TRINO_FUNCTION_LIST}; ${TRINO_SELECT} (UNNEST in FROM)`,
  },
  // --- select-list aliases ---------------------------------------------------------------------------------------
  {
    sql: "SELECT upper(s) AS big, count(*) FROM (VALUES ('a'), ('a'), ('b')) AS t(s) GROUP BY big",
    refused: /^Column 'big' cannot be resolved: 'big' is an alias of the select list, used in GROUP BY/,
    source: `${TRINO_SELECT} (GROUP BY: input column names, expressions or output positions; aliases are for ORDER BY)`,
  },
  {
    sql: 'SELECT x * 2 AS twice FROM (VALUES (1), (6)) AS t(x) WHERE twice > 10',
    refused: /^Column 'twice' cannot be resolved: .* used in WHERE/,
    source: TRINO_SELECT,
  },
  {
    sql: "SELECT s, count(*) AS n FROM (VALUES ('a'), ('a'), ('b')) AS t(s) GROUP BY s HAVING n > 1",
    refused: /^Column 'n' cannot be resolved: .* used in HAVING/,
    source: TRINO_SELECT,
  },
  {
    sql:
      "SELECT upper(s) AS big, count(*) AS n FROM (VALUES ('a'), ('a'), ('b')) AS t(s) " +
      'GROUP BY 1 HAVING count(*) > 1 ORDER BY big, n',
    rows: [['A', 2]],
    source: `${TRINO_SELECT} (GROUP BY position; ORDER BY output names)`,
  },
  // --- concatenation ----------------------------------------------------------------------------------------------
  {
    sql: "SELECT 'order-' || n FROM (VALUES (42)) AS t(n)",
    refused: /^Unexpected parameters \(varchar, integer\) for function concat/,
    source: `${TRINO_STRING} (concat(string1, …, stringN): strings; || is concat)`,
  },
  {
    sql: "SELECT concat('day ', d) FROM (VALUES (DATE '2026-12-04')) AS t(d)",
    refused: /^Unexpected parameters \(varchar, date\) for function concat/,
    source: `${TRINO_STRING} (concat(string1, …, stringN))`,
  },
  {
    sql: "SELECT 'order-' || CAST(n AS varchar), concat('a', NULL), ARRAY[1] || ARRAY[2], 'x' || s FROM (VALUES (42, 'y')) AS t(n, s)",
    rows: [['order-42', null, [1, 2], 'xy']],
    source: `${TRINO_STRING}; ${TRINO_ARRAY} (|| of two arrays)`,
  },
  {
    sql:
      "SELECT levenshtein_distance(array_join(repeat('a', 1000), ''), array_join(repeat('b', 1001), '')), " +
      "levenshtein_distance('kitten', 'sitting')",
    rows: [[1001, 3]],
    source: 'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java',
  },
  {
    // The longer string times the shorter one less one over 1,000,000: Trino refuses the work.
    sql: "SELECT levenshtein_distance(array_join(repeat('a', 1000), ''), array_join(repeat('b', 1002), ''))",
    refused: /The combined inputs for Levenshtein distance are too large/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java (levenshteinDistance)',
  },
  {
    // Code points, not bytes (Trino's TestStringFunctions.testHammingDistance).
    sql:
      "SELECT hamming_distance('hello naïve world', 'hello naive world'), hamming_distance('信念,爱,希望', '信仰,爱,希望'), " +
      "hamming_distance('éa', 'aé'), hamming_distance('abc', 'abd'), hamming_distance('', ''), " +
      "hamming_distance(NULL, 'a')",
    rows: [[1, 1, 2, 1, 0, null]],
    types: Array(6).fill('bigint'),
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java (hammingDistance: ' +
      'code point by code point); TestStringFunctions.testHammingDistance',
  },
  {
    sql: "SELECT hamming_distance('hello naïve world', 'hello na:ive world')",
    refused: /The input strings to hamming_distance function must have the same length/,
    source: 'trinodb/trino core/trino-main/src/main/java/io/trino/operator/scalar/StringFunctions.java',
  },
  // --- typed literals -------------------------------------------------------------------------------------------
  {
    sql: "SELECT DECIMAL '0.12345', DECIMAL '1.5' AS x, DECIMAL '-000.50', DECIMAL '5.', DECIMAL '1.5' + 1",
    rows: [[0.12345, 1.5, -0.5, 5, 2.5]],
    types: ['decimal(5,5)', 'decimal(2,1)', 'decimal(2,2)', 'decimal(1,0)', 'decimal(12,1)'],
    source:
      'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/Decimals.java (parse: precision = digits ' +
      'without leading zeros + scale, at least 1); https://trino.io/docs/current/language/types.html (DECIMAL)',
  },
  {
    sql: "SELECT DECIMAL '12345678901234567.89' AS big",
    rows: [['12345678901234567.89']],
    types: ['decimal(19,2)'],
    source: 'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/Decimals.java (parse)',
  },
  {
    sql: "SELECT DECIMAL '1e2'",
    refused: /^'1e2' is not a valid DECIMAL literal/,
    source: 'https://trino.io/docs/current/language/types.html (DECIMAL literals: no exponent)',
  },
  {
    sql: "SELECT DOUBLE '1.5' AS d, BIGINT '5' AS b, REAL '2.5', BOOLEAN 'true' AS t, VARCHAR 'v' AS v",
    rows: [[1.5, 5, 2.5, true, 'v']],
    types: ['double', 'bigint', 'real', 'boolean', 'varchar'],
    source: 'https://trino.io/docs/current/language/types.html (a literal of a type is the cast of its text)',
  },
  {
    sql: "SELECT count(*) FROM (VALUES (DECIMAL '1.37'), (DECIMAL '1.3704')) AS t(a) WHERE a >= DECIMAL '1.3704'",
    rows: [[1]],
    source: 'https://trino.io/docs/current/language/types.html (DECIMAL)',
  },
  {
    sql: `SELECT "é" || 'x' AS a, "n" * 2 AS b, 1 AS "c""d" FROM (SELECT 'y' AS "é", 21 AS n) t`,
    rows: [['yx', 42, 1]],
    source: 'https://trino.io/docs/current/language/reserved.html (quoted identifiers; "" is a quote in one)',
  },
  // --- doubles and timestamps in JSON -------------------------------------------------------------------------------
  {
    sql:
      "SELECT json_format(json_parse('[1e2, 1.50, 0.5, 1234567.5]')), json_format(CAST(ARRAY[2.5e0, 1e6] AS JSON)), " +
      "json_format(CAST(TIMESTAMP '2026-11-24 09:30:00' AS JSON)), json_format(json_extract('{\"a\":[1.50]}', '$.a'))",
    rows: [['[100.0,1.5,0.5,1234567.5]', '[2.5,1000000.0]', '"2026-11-24 09:30:00.000"', '[1.5]']],
    source:
      TRINO_JSON_SRC + ' (doubles as Double.toString writes them; a timestamp(3) with its milliseconds)',
  },
  {
    // Trino (Jackson, Double.toString): [1.0E7,1.0E-4]; DuckDB wrote [10000000.0,0.0001].
    sql: "SELECT json_format(json_parse('[1E7, 0.0001]'))",
    refused: /not supported by the local engine: JSON holding a number of 10 million or more/,
    source: TRINO_JSON_SRC,
  },
  {
    sql: "SELECT json_format(json_extract('{\"a\":[1.50, 1e7]}', '$.a'))",
    refused: /not supported by the local engine: JSON holding a number/,
    source: TRINO_JSON_SRC,
  },
  {
    sql: 'SELECT json_format(CAST(ARRAY[1e7, 2.5e0] AS JSON))',
    refused: /not supported by the local engine: JSON holding a number/,
    source: TRINO_JSON_SRC,
  },
  {
    sql: "SELECT json_format(CAST(ARRAY[TIMESTAMP '2026-11-24 09:30:00'] AS JSON))",
    refused: /not supported by the local engine: a timestamp inside an array, map or row cast to JSON/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/util/JsonUtil.java (TimestampJsonGeneratorWriter)',
  },
  {
    // JSON only read (measured, cast to rows, queried by path) holds such doubles freely: nothing is written out.
    sql:
      'SELECT json_array_length(json_parse(\'[{"sku":"A-1","unit_price":0.0001}]\')), ' +
      'json_extract_scalar(json_extract(\'{"a":[{"s":"x","p":1e7}]}\', \'$.a[0]\'), \'$.s\'), ' +
      '(SELECT max(q) FROM UNNEST(CAST(json_parse(\'[{"q":2,"p":12000000.5}]\') AS ARRAY(ROW(q INTEGER)))) AS t(q))',
    rows: [[1, 'x', 2]],
    source: TRINO_JSON_SRC,
  },
  {
    sql: "SELECT json_format(CAST(MAP(ARRAY['k'], ARRAY[1.50]) AS JSON))",
    refused: /not supported by the local engine: a decimal inside a map or row cast to JSON/,
    source: TRINO_JSON_SRC + ' (a decimal keeps its scale: {"k":1.50})',
  },
  // --- units shorter than a day on dates ---------------------------------------------------------------------------
  {
    sql: "SELECT date_diff('day', DATE '2024-01-01', DATE '2024-03-01'), date_diff('month', DATE '2024-01-31', DATE '2024-03-01')",
    rows: [[60, 1]],
    source: TRINO_DATETIME,
  },
  {
    sql: "SELECT date_diff('hour', DATE '2024-01-01', DATE '2024-01-02')",
    refused: /'hour' is not a valid DATE field/,
    source: TRINO_DATETIME + ' (date_diff of dates: day, week, month, quarter, year)',
  },
  {
    // A date and a timestamp: Trino casts the date (hours since midnight).
    sql:
      "SELECT date_diff('hour', DATE '2026-11-20', TIMESTAMP '2026-11-20 10:00:00'), " +
      "date_diff('minute', TIMESTAMP '2026-11-20 10:00:00', DATE '2026-11-21')",
    rows: [[10, 840]],
    source: TRINO_DATETIME,
  },
  {
    sql: "SELECT hour(DATE '2024-01-01')",
    refused: /Unexpected parameters \(date\) for function hour/,
    source: TRINO_DATETIME + ' (hour(x): x a timestamp or time)',
  },
  {
    sql: "SELECT extract(minute FROM DATE '2024-01-01')",
    refused: /Unexpected parameters \(date\) for function EXTRACT\(MINUTE FROM …\)/,
    source: TRINO_DATETIME,
  },
  {
    sql: "SELECT hour(TIMESTAMP '2024-01-01 10:30:00'), extract(hour FROM TIMESTAMP '2024-01-01 10:30:00')",
    rows: [[10, 10]],
    source: TRINO_DATETIME,
  },
  {
    sql: 'SELECT x, count(DISTINCT x) OVER () FROM UNNEST(ARRAY[1, 1, 2]) AS t(x)',
    refused: /DISTINCT in window function parameters not yet supported/,
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/sql/analyzer/ExpressionAnalyzer.java (visitFunctionCall)',
  },
  {
    sql: 'SELECT x, count(x) OVER (), (SELECT count(DISTINCT y) FROM UNNEST(ARRAY[1, 1]) AS u(y)) FROM UNNEST(ARRAY[1, 1, 2]) AS t(x) ORDER BY x',
    rows: [
      [1, 3, 1],
      [1, 3, 1],
      [2, 3, 1],
    ],
    source: TRINO_WINDOW + ' (a window without DISTINCT; DISTINCT in an aggregate)',
  },
  {
    sql: "SELECT to_hex(from_hex('ff')), to_base64(from_hex('616263')), to_hex(NULL)",
    rows: [['FF', 'YWJj', null]],
    source: 'https://trino.io/docs/current/functions/binary.html',
  },
  {
    sql: 'SELECT to_hex(255)',
    refused: /Unexpected parameters \(integer\) for function to_hex/,
    source: 'https://trino.io/docs/current/functions/binary.html (to_hex(binary) → varchar)',
  },
  {
    sql: "SELECT to_base64('abc')",
    refused: /Unexpected parameters \(varchar\) for function to_base64/,
    source: 'https://trino.io/docs/current/functions/binary.html (to_base64(binary) → varchar)',
  },
  // --- lag and lead with a default --------------------------------------------------------------------------------
  {
    sql:
      'SELECT x, lag(x, 1, 0) OVER (ORDER BY x), lead(x, 1, NULL) OVER (ORDER BY x), lag(x, 1, x * 2) OVER (ORDER BY x) ' +
      "FROM UNNEST(ARRAY[BIGINT '5', 7]) AS t(x) ORDER BY x",
    rows: [
      [5, 0, 7, 10],
      [7, 5, null, 5],
    ],
    source: TRINO_WINDOW + ' (lag(x, offset, default): x and default of one type T)',
  },
  {
    // A literal the decimal holds exactly: Athena's values are the same (its column type decimal(12,2) is wider).
    sql:
      'SELECT lag(a, 1, 0) OVER (ORDER BY a), lag(a, 1, 0.50) OVER (ORDER BY a), lead(a, 1, -2) OVER (ORDER BY a) ' +
      'FROM (VALUES (CAST(1.25 AS DECIMAL(10,2)))) AS t(a)',
    rows: [[0, 0.5, -2]],
    source: TRINO_WINDOW,
  },
  {
    sql:
      'SELECT x, lag(x, 1, 0) OVER (ORDER BY x), lag(x, 1, -5) OVER (ORDER BY x) ' +
      'FROM (VALUES (CAST(3 AS SMALLINT)), (CAST(5 AS SMALLINT))) AS t(x) ORDER BY x',
    rows: [
      [3, 0, -5],
      [5, 3, 3],
    ],
    source: TRINO_WINDOW + ' (smallint and integer: their common type integer, the same values)',
  },
  {
    sql: 'SELECT lag(a, 1, 0.125) OVER (ORDER BY a) FROM (VALUES (CAST(1.25 AS DECIMAL(10,2)))) AS t(a)',
    refused: /lag\(decimal\(10,2\), …, decimal\(\d+,3\)\)/,
    source: TRINO_WINDOW + ' (Trino: decimal(11,3) 0.125; DuckDB would round it into decimal(10,2))',
  },
  {
    // Trino: decimal 1.0 and 0.5 (the common type); DuckDB cast 0.5 to an integer (1).
    sql: 'SELECT x, lag(x, 1, 0.5) OVER (ORDER BY x) AS prev FROM UNNEST(ARRAY[1, 2]) AS t(x) ORDER BY x',
    refused: /lag\(integer, …, decimal\(\d+,1\)\): its default is of a type the value's does not hold/,
    source: TRINO_WINDOW,
  },
  {
    sql: "SELECT lead(s, 1, 0) OVER (ORDER BY s) FROM UNNEST(ARRAY['a', 'b']) AS t(s)",
    refused: /lead\(varchar, …, integer\)/,
    source: TRINO_WINDOW + ' (no common type of varchar and integer: Unexpected parameters)',
  },
  // --- CAST(text AS TIMESTAMP WITH TIME ZONE) -------------------------------------------------------------------
  {
    sql:
      "SELECT CAST('2024-01-01 10:00:00 UTC' AS TIMESTAMP WITH TIME ZONE) AS a, " +
      "CAST('2024-01-01 10:00:00' AS TIMESTAMP WITH TIME ZONE) AS b, " +
      "hour(CAST('2024-01-01 10:00:00+00:00' AS TIMESTAMP WITH TIME ZONE)) AS c",
    rows: [['2024-01-01 10:00:00.000 UTC', '2024-01-01 10:00:00.000 UTC', 10]],
    source: TRINO_DATETIME + ' (a text in UTC, or without a zone in the session zone UTC)',
  },
  {
    // A UTC offset or name after a space, as Trino's DateTimes reads it (DuckDB's own cast reads no offset there).
    sql:
      "SELECT CAST('2024-01-01 10:00:00 +00:00' AS TIMESTAMP WITH TIME ZONE) AS a, " +
      "CAST('2024-01-01 10:00:00.5 Z' AS TIMESTAMP WITH TIME ZONE) AS b, " +
      "CAST('2024-01-01 10:00 -0000' AS TIMESTAMP WITH TIME ZONE) AS c, " +
      "CAST('2024-01-01 +00' AS TIMESTAMP WITH TIME ZONE) AS d, " +
      "try_cast('2024-01-01 10:00:00 zulu' AS TIMESTAMP WITH TIME ZONE) AS e, " +
      "try_cast('2024-13-01 10:00:00 +00:00' AS TIMESTAMP WITH TIME ZONE) AS f",
    rows: [
      [
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 10:00:00.500 UTC',
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 00:00:00.000 UTC',
        '2024-01-01 10:00:00.000 UTC',
        null,
      ],
    ],
    source: TRINO_DATETIME + ' (TimeZoneKey reads +00:00, -0000, +00, Z and Zulu as UTC)',
  },
  {
    // The other names TimeZoneKey reads as UTC; the fraction rounded half up to timestamp(3) with time zone.
    sql:
      "SELECT CAST('2024-01-01 10:00:00 Universal' AS TIMESTAMP WITH TIME ZONE) AS a, " +
      "CAST('2024-01-01 10:00:00 GMT0' AS TIMESTAMP WITH TIME ZONE) AS b, " +
      "CAST('2024-01-01 10:00:00 Greenwich' AS TIMESTAMP WITH TIME ZONE) AS c, " +
      "CAST('2024-01-01 10:00:00 UTC+0' AS TIMESTAMP WITH TIME ZONE) AS d, " +
      "CAST('2024-01-01 10:00:00 Etc/GMT+0' AS TIMESTAMP WITH TIME ZONE) AS e, " +
      "to_unixtime(CAST('2024-01-01 10:00:00.9995 UTC' AS TIMESTAMP WITH TIME ZONE)) AS f",
    rows: [
      [
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 10:00:00.000 UTC',
        '2024-01-01 10:00:00.000 UTC',
        1704103201,
      ],
    ],
    source:
      'trinodb/trino core/trino-spi/src/main/java/io/trino/spi/type/TimeZoneKey.java (normalizeZoneId, ' +
      'isUtcEquivalentName); ' +
      TRINO_DATETIME,
  },
  {
    // Trino keeps Europe/Paris and reads its wall clock (10); DuckDB kept the instant only (9 in UTC).
    sql: "SELECT hour(CAST('2024-01-01 10:00:00 Europe/Paris' AS TIMESTAMP WITH TIME ZONE))",
    refused:
      /not supported by the local engine: CAST\('2024-01-01 10:00:00 Europe\/Paris' AS timestamp with time zone\)/,
    source: TRINO_DATETIME,
  },
  {
    sql: "SELECT date(CAST(x AS TIMESTAMP WITH TIME ZONE)) FROM UNNEST(ARRAY['2024-07-01 00:30:00 +02:00']) AS t(x)",
    refused:
      /not supported by the local engine: CAST\('2024-07-01 00:30:00 \+02:00' AS timestamp with time zone\)/,
    source: TRINO_DATETIME,
  },
  // --- WITH RECURSIVE: expanded to Athena's depth of 10 --------------------------------------------------------
  {
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 2 FROM t WHERE n < 6) SELECT * FROM t ORDER BY n',
    rows: [[1], [3], [5], [7]],
    source: TRINO_RECURSIVE_TEST,
  },
  {
    sql:
      'WITH RECURSIVE t(n, m) AS (SELECT * FROM (VALUES(1, 2), (4, 100)) UNION ALL ' +
      'SELECT n + 1, m - 1 FROM t WHERE n < 5) SELECT * FROM t ORDER BY n, m',
    rows: [
      [1, 2],
      [2, 1],
      [3, 0],
      [4, -1],
      [4, 100],
      [5, -2],
      [5, 99],
    ],
    source: TRINO_RECURSIVE_TEST,
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT * FROM (VALUES(1), (1), (10)) UNION SELECT n + 2 FROM t WHERE n < 4) ' +
      'SELECT * FROM t ORDER BY n',
    rows: [[1], [3], [5], [10]],
    source: TRINO_RECURSIVE_TEST + ' (testUnionDistinct)',
  },
  {
    sql:
      'WITH RECURSIVE a(x) AS (SELECT 1), b(y) AS (SELECT x FROM a UNION ALL SELECT y + 1 FROM b WHERE y < 2), ' +
      'c(z) AS (SELECT y FROM b UNION ALL SELECT z * 4 FROM c WHERE z < 4) SELECT * FROM a, b, c ORDER BY 1, 2, 3',
    rows: [
      [1, 1, 1],
      [1, 1, 2],
      [1, 1, 4],
      [1, 1, 8],
      [1, 2, 1],
      [1, 2, 2],
      [1, 2, 4],
      [1, 2, 8],
    ],
    source: TRINO_RECURSIVE_TEST + ' (testMultipleWithListEntries)',
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 2 FROM t LEFT JOIN (SELECT 10) u ON true WHERE n < 6) ' +
      'SELECT * FROM t ORDER BY n',
    rows: [[1], [3], [5], [7]],
    source: TRINO_RECURSIVE_TEST + ' (testJoin)',
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t WHERE t.n < 3) ' +
      'SELECT n FROM t UNION ALL SELECT (WITH RECURSIVE "Up"(k) AS (SELECT 7 UNION ALL ' +
      'SELECT x.k + 1 FROM "Up" AS x WHERE x.k < 9) SELECT max(k) FROM "Up") ORDER BY 1',
    rows: [[1], [2], [3], [9]],
    source: TRINO_RECURSIVE_TEST + ' (a step reading the CTE by its name or an alias; one in a subquery)',
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 2 FROM ((SELECT * FROM t) EXCEPT DISTINCT (SELECT 10)) ' +
      'u(n) WHERE n < 3)) SELECT * FROM t ORDER BY n',
    rows: [[1], [3]],
    source: TRINO_RECURSIVE_TEST + ' (testSetOperation; TABLE t as SELECT * FROM t, which the guard parses)',
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT * FROM (SELECT * FROM (VALUES (5)) t1(m) ' +
      'WHERE 1 IN (SELECT * FROM t WHERE n * 3 < m))) SELECT * FROM t ORDER BY n',
    rows: [[1], [5]],
    source: TRINO_RECURSIVE_TEST + ' (testCorrelatedSubquery)',
  },
  {
    // Trino reads the inner t as the inner CTE (it shadows the recursive one): this rewrite cannot tell them apart.
    sql:
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT * FROM (WITH t(n) AS (SELECT 5) SELECT n + 1 FROM t)) ' +
      'SELECT * FROM t',
    refused: /not supported by the local engine: a WITH inside the recursive query t that defines 't' again/,
    source: TRINO_RECURSIVE_TEST + ' (testNestedWith)',
  },
  {
    // The recursive reference after a comma that follows a JOIN's ON, under the name of a lake table.
    sql:
      'WITH RECURSIVE page_view(n) AS (SELECT 1 UNION ALL SELECT page_view.n + 1 FROM (VALUES (1)) a(x) ' +
      'JOIN (VALUES (1)) b(y) ON a.x = b.y, page_view WHERE page_view.n < 3) SELECT * FROM page_view ORDER BY n',
    rows: [[1], [2], [3]],
    source: TRINO_RECURSIVE_ANALYZER + ' (findReferences: any unqualified table of that name in the step)',
  },
  {
    sql:
      'WITH RECURSIVE t(n, i) AS (SELECT 1, CAST(0 AS BIGINT) UNION ALL SELECT n + 1, o FROM t CROSS JOIN ' +
      'UNNEST(ARRAY[5]) WITH ORDINALITY AS u(x, o) WHERE n < 3) SELECT * FROM t ORDER BY n',
    rows: [
      [1, 0],
      [2, 1],
      [3, 1],
    ],
    source: TRINO_RECURSIVE_TEST + ' (WITH ORDINALITY in the step is no immediate WITH)',
  },
  {
    sql:
      "WITH RECURSIVE t(n) AS (SELECT BIGINT '1' UNION ALL SELECT CAST(n + 1 AS integer) FROM t WHERE n < 3) " +
      'SELECT * FROM t ORDER BY n',
    rows: [[1], [2], [3]],
    types: ['bigint'],
    source: TRINO_RECURSIVE_TEST + ' (testTypeCoercion)',
  },
  {
    sql:
      'WITH RECURSIVE t(n) AS (SELECT CAST(1 AS decimal(20,10)) UNION ALL SELECT CAST(n + 1 AS decimal(10,0)) ' +
      'FROM t WHERE n < 2) SELECT * FROM t ORDER BY n',
    rows: [['1.0000000000'], ['2.0000000000']],
    types: ['decimal(20,10)'],
    source: TRINO_RECURSIVE_TEST + ' (testTypeCoercion)',
  },
  {
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n * 1.5 FROM t WHERE n < 3) SELECT * FROM t',
    refused:
      /recursion step relation output type \(decimal\(.*\)\) is not coercible to recursion base relation output type \(integer\) at column 1/,
    source: TRINO_RECURSIVE_ANALYZER + " (visitWithQuery: the step coerced to the base relation's types)",
  },
  {
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 LIMIT 1)) SELECT * FROM t',
    refused: /FETCH FIRST \/ LIMIT clause in the step relation of recursion/,
    source: TRINO_RECURSIVE_ANALYZER,
  },
  {
    // Trino's window over the 11th step is below any filter of the outer query: it fails whatever the query keeps.
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 20) SELECT * FROM t WHERE n < 5',
    refused: /Recursion depth limit exceeded \(10\)/,
    source:
      TRINO_RECURSIVE_TEST + ' (QueryPlanner.planExpand: a window count over the last step, then fail())',
  },
  {
    // The anchor and 10 steps: the 11th gives no row.
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 11) SELECT count(*), max(n) FROM t',
    rows: [[11, 11]],
    source: ATHENA_RECURSION,
  },
  {
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 12) SELECT count(*) FROM t',
    refused: /Recursion depth limit exceeded \(10\)/,
    source: ATHENA_RECURSION,
  },
  {
    // A cycle: DuckDB's UNION stops it at the first repeat; Athena runs out of its 10 steps.
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n FROM t) SELECT * FROM t',
    refused: /Recursion depth limit exceeded \(10\)/,
    source: TRINO_RECURSIVE_TEST + ' (testRecursionDepthLimitExceeded)',
  },
  {
    sql: 'WITH RECURSIVE t AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t',
    refused: /missing column aliases in recursive WITH query/,
    source: TRINO_RECURSIVE_ANALYZER,
  },
  {
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t1.n + t2.n FROM t t1, t t2 WHERE t1.n < 3) SELECT * FROM t',
    refused: /multiple recursive references in the step relation of recursion/,
    source: TRINO_RECURSIVE_ANALYZER,
  },
  // --- names both engines have, answered otherwise (found by the hunt of 2026-12-06) ---------------------------
  {
    sql: "SELECT json_value('{\"a\":1}', 'lax $.a')",
    refused: /json_value\(\): Athena reads Trino's SQL\/JSON path/,
    source:
      'https://trino.io/docs/current/functions/json.html (json_value: the path mode, lax or strict, then the path)',
  },
  {
    sql: "SELECT json_exists('{\"a\":1}', 'lax $.a')",
    refused: /json_exists\(\): Athena reads Trino's SQL\/JSON path/,
    source: 'https://trino.io/docs/current/functions/json.html (json_exists)',
  },
  {
    sql: 'SELECT json_array(true, NULL, 1)',
    refused: /json_array\(\): Athena's json_array is Trino's JSON constructor/,
    source:
      "https://trino.io/docs/current/functions/json.html (json_array: varchar, ABSENT ON NULL by default: '[true,1]')",
  },
  {
    sql: "SELECT listagg(x, ',') FROM (VALUES ('a'), ('b')) AS t(x)",
    refused: /listagg\(\): Athena's listagg\(x, sep\) needs WITHIN GROUP/,
    source:
      'https://trino.io/docs/current/functions/aggregate.html (listagg(x, separator) WITHIN GROUP (ORDER BY …))',
  },
  {
    sql: 'SELECT first(x) FROM (VALUES (1), (2)) AS t(x)',
    refused: /first\(\): Trino's first\(\) navigates rows inside MATCH_RECOGNIZE/,
    source:
      'https://trino.io/docs/current/sql/match-recognize.html (FIRST and LAST: logical navigation functions)',
  },
  {
    // Trino: NULL where the result is not finite (a constant y, x alike in both rows, one row, an infinity).
    sql:
      'SELECT corr(y, x), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1e0, 5e0), (2e0, 5e0), (3e0, 5e0)) AS t(x, y) ' +
      'UNION ALL SELECT corr(y, x), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1e0, 5e0), (1e0, 6e0)) AS t(x, y) ' +
      'UNION ALL SELECT corr(y, x), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1e0, 5e0)) AS t(x, y) ' +
      'UNION ALL SELECT corr(y, x), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1e0, 5e0), (2e0, infinity()), (3e0, 7e0)) AS t(x, y) ' +
      'UNION ALL SELECT round(corr(y, x), 9), regr_slope(y, x), regr_intercept(y, x) FROM (VALUES (1e0, 2e0), (2e0, 4e0), (3e0, 6e0), (NULL, infinity())) AS t(x, y)',
    rows: [
      [null, 0, 5],
      [null, null, null],
      [null, null, null],
      [null, null, null],
      [1, 2, 0],
    ],
    types: ['double', 'double', 'double'],
    source:
      'trinodb/trino core/trino-main/src/main/java/io/trino/operator/aggregation/DoubleCorrelationAggregation.java, ' +
      'DoubleRegressionAggregation.java (Double.isFinite(result), else NULL)',
  },
  {
    sql:
      'SELECT kurtosis(x), skewness(x) FROM (VALUES (1e0), (1e0), (1e0), (1e0)) AS t(x) ' +
      'UNION ALL SELECT kurtosis(x), NULL FROM (VALUES (1e0), (1e0), (1e0)) AS t(x) ' +
      'UNION ALL SELECT round(kurtosis(x), 4), NULL FROM (VALUES (1e0), (2e0), (4e0), (8e0), (3e0)) AS t(x)',
    rows: [
      ['NaN', 'NaN'],
      [null, null],
      [2.021, null],
    ],
    source:
      'trinodb/trino CentralMomentsAggregation.kurtosis (NULL under 4 values; m4 / (m2 * m2) is 0/0 for equal values)',
  },
  {
    sql: 'SELECT kurtosis(x) OVER () FROM (VALUES (1e0)) AS t(x)',
    refused: /kurtosis\(…\) OVER \(…\): the local engine computes Trino's answer/,
    source: 'trinodb/trino CentralMomentsAggregation (kurtosis as a window aggregate)',
  },
  {
    sql: 'SELECT to_base(255, 16), to_base(-10, 16), to_base(0, 2), to_base(35, 36)',
    rows: [['ff', '-a', '0', 'z']],
    source:
      "trinodb/trino MathFunctions.toBase (Java's Long.toString(value, radix): lower case, '-' for a negative)",
  },
  {
    sql: "SELECT map_entries(MAP(ARRAY['a'], ARRAY[1]))",
    rows: [[[{ field0: 'a', field1: 1 }]]],
    types: ['array(row(varchar, integer))'],
    source: 'https://trino.io/docs/current/functions/map.html (map_entries(map(K,V)) → array(row(K,V)))',
  },
  {
    sql: 'SELECT lag(x, -1) OVER (ORDER BY x) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Offset must be at least 0$/,
    source: `${TRINO_WINDOW} (lag: offsets start at 0); trinodb/trino LagFunction`,
  },
  {
    sql: 'SELECT nth_value(x, 0) OVER (ORDER BY x) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Offset must be at least 1$/,
    source: `${TRINO_WINDOW} (nth_value: an error for the offset to be zero or negative)`,
  },
  {
    sql: 'SELECT lead(x) OVER (PARTITION BY x) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^lead function requires an ORDER BY window clause$/,
    source: `${TRINO_WINDOW} (lag and lead: the window must have an ORDER BY and no frame)`,
  },
  {
    sql: 'SELECT lag(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Cannot specify window frame for lag function$/,
    source: `${TRINO_WINDOW} (lag and lead: the window must have an ORDER BY and no frame)`,
  },
  {
    sql: 'SELECT lag(x, x) OVER (ORDER BY x) FROM (VALUES (1), (2)) AS t(x)',
    refused: /lag\(x, x\) OVER \(…\): Athena fails the query where the offset is below 0/,
    source: `${TRINO_WINDOW} (lag: offsets start at 0, checked row by row)`,
  },
  {
    sql: 'SELECT x, lag(x, 0) OVER (ORDER BY x), lead(x, +1, 9) OVER (PARTITION BY 1 ORDER BY x), nth_value(x, 2) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM (VALUES (1), (2)) AS t(x) ORDER BY x',
    rows: [
      [1, 1, 2, 2],
      [2, 2, 9, 2],
    ],
    source: `${TRINO_WINDOW} (lag, lead, nth_value)`,
  },
  {
    sql: 'SELECT x, sum(x) OVER (ORDER BY x ROWS -1 PRECEDING) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Window frame offset value must not be negative or null$/,
    source: 'trinodb/trino QueryPlanner.planFrameOffset (a negative or NULL frame offset fails the query)',
  },
  {
    sql: 'SELECT x, count(*) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND -1 FOLLOWING) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Window frame offset value must not be negative or null$/,
    source: 'trinodb/trino QueryPlanner.planFrameOffset (a negative or NULL frame offset fails the query)',
  },
  {
    sql: 'SELECT x, sum(x) OVER w FROM (VALUES (1), (2)) AS t(x) WINDOW w AS (ORDER BY x ROWS BETWEEN -2 PRECEDING AND CURRENT ROW)',
    refused: /^Window frame offset value must not be negative or null$/,
    source: 'trinodb/trino QueryPlanner.planFrameOffset (a negative or NULL frame offset fails the query)',
  },
  {
    sql: 'SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM (VALUES (1), (2)) AS t(x)',
    refused:
      /^Window frame ROWS start value type must be exact numeric type with scale 0 \(actual decimal\(2,1\)\)$/,
    source:
      'trinodb/trino ExpressionAnalyzer (a ROWS frame offset is an exact numeric of scale 0), TestAnalyzer',
  },
  {
    sql: 'SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND 1e0 FOLLOWING) FROM (VALUES (1), (2)) AS t(x)',
    refused: /^Window frame ROWS end value type must be exact numeric type with scale 0 \(actual double\)$/,
    source:
      'trinodb/trino ExpressionAnalyzer (a ROWS frame offset is an exact numeric of scale 0), TestAnalyzer',
  },
  {
    // The types of both bounds are the analyzer's, before any value is looked at; a sign does not make 1.5 an integer.
    sql: 'SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN -1 PRECEDING AND -1.5 FOLLOWING) FROM (VALUES (1), (2)) AS t(x)',
    refused:
      /^Window frame ROWS end value type must be exact numeric type with scale 0 \(actual decimal\(2,1\)\)$/,
    source:
      'trinodb/trino ExpressionAnalyzer (a ROWS frame offset is an exact numeric of scale 0), TestAnalyzer',
  },
  {
    sql: 'SELECT x, sum(x) OVER (ORDER BY x ROWS 1 PRECEDING), sum(x) OVER (ORDER BY x ROWS BETWEEN 0 PRECEDING AND 1 FOLLOWING) FROM (VALUES (1), (2), (3)) AS t(x) ORDER BY x',
    rows: [
      [1, 1, 3],
      [2, 3, 5],
      [3, 5, 3],
    ],
    source: `${TRINO_WINDOW} (ROWS frames: offsets in rows before and after the current one)`,
  },
  {
    // A query in IN (…) and EXISTS (…) may be a VALUES (Trino's grammar: IN '(' query ')'); no function named values.
    sql: "SELECT x, x IN (VALUES ('b'), ('c')) AS listed, EXISTS (VALUES (1)) AS e FROM (VALUES ('a'), ('b')) AS t(x) WHERE (x, 1) IN (VALUES ('a', 1), ('b', 1)) ORDER BY x",
    rows: [
      ['a', false, true],
      ['b', true, true],
    ],
    source: `${TRINO_VALUES} (VALUES can be used anywhere a query can); ${TRINO_SELECT}`,
  },
  {
    sql: 'SELECT array_sort(ARRAY[3, 1, 2], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1)))',
    refused:
      /not supported by the local engine: array_sort\(array, function\): DuckDB's list_sort takes no comparator/,
    source: `${TRINO_ARRAY} (array_sort(array(T), function(T,T,int)): sorted by the comparator)`,
  },
  {
    sql: 'SELECT array_position(ARRAY[1, 2, 1], 1, 2)',
    refused: /not supported by the local engine: array_position\(array, element, instance\)/,
    source: `${TRINO_ARRAY} (array_position(array(E), element, instance): the position of the instance-th occurrence)`,
  },
  {
    // concat_ws(varchar, varchar…) or concat_ws(varchar, array(varchar)): an array beside other strings has no signature.
    sql: "SELECT concat_ws(', ', split('a b', ' '), 'c')",
    refused:
      /^Unexpected parameters \(varchar, array\(varchar\), varchar\) for function concat_ws: .*text only \(or its separator with one array of text\)/,
    source: `${TRINO_STRING} (concat_ws(string0, string1, ..., stringN), concat_ws(string0, array(varchar)))`,
  },
  {
    sql: "SELECT concat_ws('-', ARRAY['a', 'b'], ARRAY['c'])",
    refused: /^Unexpected parameters \(varchar, array\(varchar\), array\(varchar\)\) for function concat_ws/,
    source: `${TRINO_STRING} (concat_ws(string0, string1, ..., stringN), concat_ws(string0, array(varchar)))`,
  },
  {
    // JsonUtil.canCastFromJson: boolean, the numbers, varchar, json, and arrays, maps and rows of those only.
    sql: 'SELECT CAST(json_extract(\'{"d":"2024-03-01"}\', \'$.d\') AS DATE)',
    refused: /^Cannot cast json to date$/,
    source: 'trinodb/trino JsonUtil.canCastFromJson (no cast from JSON to date or timestamp)',
  },
  {
    sql: 'SELECT CAST(JSON \'["2020-01-01"]\' AS ARRAY(DATE))',
    refused: /^Cannot cast json to array\(date\)$/,
    source: 'trinodb/trino JsonUtil.canCastFromJson (no cast from JSON to date or timestamp)',
  },
  {
    sql: 'SELECT CAST(json_parse(\'{"t": "2020-01-01 10:00:00"}\') AS MAP(VARCHAR, TIMESTAMP))',
    refused: /^Cannot cast json to map\(varchar, timestamp\)$/,
    source: 'trinodb/trino JsonUtil.canCastFromJson (no cast from JSON to date or timestamp)',
  },
  {
    // JsonPathTokenizer skips no white space: before the $, around a dot or inside brackets the path is invalid.
    sql: "SELECT json_extract_scalar('{\"a\":[1,2]}', '$.a[ 1 ]')",
    refused: /Invalid JSON path: '\$\.a\[ 1 \]'/,
    source: 'trinodb/trino JsonPathTokenizer (match, tryMatch: no white space is skipped)',
  },
  {
    sql: "SELECT json_extract_scalar('{\"a\":1}', ' $.a')",
    refused: /Invalid JSON path: ' \$\.a'/,
    source: 'trinodb/trino JsonPathTokenizer (the path starts with $)',
  },
  {
    // A quoted key's escapes: \" and \\ (matchQuotedSubscript).
    sql: 'SELECT json_extract_scalar(\'{"a\\"b":3}\', \'$["a\\"b"]\'), json_extract_scalar(\'{"c:d": 2}\', \'$.c:d\')',
    rows: [['3', '2']],
    source: 'trinodb/trino JsonPathTokenizer (matchQuotedSubscript, isUnquotedPathCharacter)',
  },
  // --- hidden columns -----------------------------------------------------------------------------------------
  {
    sql: 'SELECT "$path" FROM page_view LIMIT 1',
    refused: /"\$path".*S3 URL/,
    source:
      'https://docs.aws.amazon.com/athena/latest/ug/select.html ("$path": the S3 location of the row\'s file)',
  },
];
