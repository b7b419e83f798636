/**
 * Athena's `timestamp with time zone` on DuckDB. A Trino value of that type is an instant and a zone; DuckDB's
 * TIMESTAMPTZ is an instant only (rendered and read in the session zone, UTC). So:
 *
 *  - a value whose zone is UTC (from_unixtime, current_timestamp, `AT TIME ZONE 'UTC'`, a literal ending in UTC)
 *    is a TIMESTAMPTZ, exact everywhere;
 *  - a value in another zone — `x AT TIME ZONE 'America/Los_Angeles'`, at_timezone, with_timezone, a literal with
 *    a zone (`TIMESTAMP '2012-10-31 01:00 America/Los_Angeles'`), from_iso8601_timestamp with an offset — is
 *    rewritten by where it is used:
 *      · read as a wall clock (hour, day, date, date_format, format_datetime, EXTRACT, CAST AS DATE/TIMESTAMP, …):
 *        the local wall-clock time in its zone (trino_wall);
 *      · compared, ordered by, tested for NULL, to_unixtime: its instant;
 *      · CAST AS VARCHAR: Athena's text, `2012-10-30 18:00:00.000 America/Los_Angeles`;
 *      · date_trunc(unit, v): truncated on the wall clock, in the same zone (again a zoned value);
 *      · timezone_hour / timezone_minute: the zone's offset at that instant;
 *      · a column of the outermost SELECT: a struct (instant, wall clock, zone) that lib/query/duckdb/values.ts
 *        renders as Athena does, with type `timestamp with time zone`;
 *    anywhere else the query fails with a LocalDialectError that says so (never another answer).
 */
import { tokenize, type Token } from '../sql-guard/lexer';
import { LocalDialectError } from './local-error';
import {
  applyEdits,
  callAt,
  closing,
  depthAt,
  enclosingCall,
  isSymbol,
  isWord,
  primaryStart,
  spanText,
  type Edit,
  type Span,
} from './tokens';
import { sqlString } from '../../duckdb-sql';

/** A zoned value found in the statement: its extent, its instant (SQL, a TIMESTAMPTZ) and zone (SQL, VARCHAR). */
interface Zoned extends Span {
  instant: string;
  zone: string;
  /** The zone when it is a constant: 'UTC' makes the value a plain TIMESTAMPTZ. */
  staticZone?: string;
  what: string;
}

/** A zoned value before its instant is known: the instant may be that of another zoned value (its operand). */
interface Found extends Omit<Zoned, 'instant'> {
  instant: (instantOf: (s: Span) => string) => string;
}

/** Functions that read a timestamp as its local wall clock, by the index of that argument. */
const WALL_CLOCK: Record<string, number> = {
  year: 0,
  quarter: 0,
  month: 0,
  week: 0,
  week_of_year: 0,
  day: 0,
  day_of_month: 0,
  day_of_week: 0,
  dow: 0,
  day_of_year: 0,
  doy: 0,
  hour: 0,
  minute: 0,
  second: 0,
  millisecond: 0,
  year_of_week: 0,
  yow: 0,
  last_day_of_month: 0,
  date: 0,
  date_format: 0,
  format_datetime: 0,
};

const COMPARISON = ['=', '<', '>', '!'];
const BOUNDARY_WORDS = ['and', 'or', 'then', 'when', 'else', 'end', 'where', 'on', 'having', 'is', 'between'];

const OFFSET = /^([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** A static zone as Trino names it: offsets as ±HH:MM, a zero offset as UTC. */
export function normalizeZone(zone: string): string {
  const z = zone.trim();
  const m = OFFSET.exec(z);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    if (minutes === 0) return 'UTC';
    return `${m[1]}${m[2]!.padStart(2, '0')}:${m[3] ?? '00'}`;
  }
  if (/^(utc|z|gmt|ut|zulu|etc\/utc|etc\/gmt)$/i.test(z)) return z.toUpperCase() === 'Z' ? 'UTC' : z;
  return z;
}

const isUtc = (zone: string | undefined) => zone !== undefined && /^utc$/i.test(zone);

/** `TIMESTAMP '<date> <time> <zone>'`: the wall clock and the zone, or undefined when the literal has no zone. */
export function zonedLiteral(text: string): { wall: string; zone: string } | undefined {
  const m =
    /^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?)?\s*([+-]\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_/+-]*)\s*$/.exec(
      text,
    );
  if (!m) return undefined;
  const wall = `${m[1]} ${(m[2] ?? '00').padStart(2, '0')}:${m[3] ?? '00'}:${m[4] ?? '00'}${m[5] ?? ''}`;
  return { wall, zone: normalizeZone(m[6]!) };
}

const unquote = (t: Token) => t.text.slice(1, -1).replace(/''/g, "'");

function findZoned(sql: string, tokens: Token[]): Zoned[] {
  const found: Found[] = [];
  const text = (s: Span) => spanText(sql, tokens, s);
  const operandInstant = (a: Span) => (instantOf: (s: Span) => string) => instantOf(a);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    // TIMESTAMP '… <zone>'
    if (isWord(t, 'timestamp') && tokens[k + 1]?.kind === 'string') {
      const lit = zonedLiteral(unquote(tokens[k + 1]!));
      if (lit) {
        const wallSql = `TIMESTAMP ${sqlString(lit.wall)}`;
        const instant = isUtc(lit.zone)
          ? `CAST(${wallSql} AS TIMESTAMPTZ)`
          : `trino_instant(${wallSql}, ${sqlString(lit.zone)})`;
        found.push({
          first: k,
          last: k + 1,
          instant: () => instant,
          zone: sqlString(lit.zone),
          staticZone: lit.zone,
          what: `the timestamp literal ${t.text} ${tokens[k + 1]!.text}`,
        });
      }
    }
    // x AT TIME ZONE '<zone>'
    if (isWord(t, 'at') && isWord(tokens[k + 1], 'time') && isWord(tokens[k + 2], 'zone')) {
      const zoneTok = tokens[k + 3];
      let first = primaryStart(tokens, k - 1);
      if (zoneTok?.kind !== 'string' || first < 0) {
        throw new LocalDialectError(
          'AT TIME ZONE',
          'the zone must be a string literal (an interval as the zone is not translated)',
        );
      }
      // Chains (x AT TIME ZONE 'a' AT TIME ZONE 'b'): the left operand is the earlier AT TIME ZONE.
      const inner = found.find((z) => z.last === k - 1 && z.first <= first);
      if (inner) first = inner.first;
      const zone = normalizeZone(unquote(zoneTok));
      found.push({
        first,
        last: k + 3,
        instant: operandInstant({ first, last: k - 1 }),
        zone: sqlString(zone),
        staticZone: zone,
        what: `AT TIME ZONE ${zoneTok.text}`,
      });
    }
    const call = callAt(tokens, k);
    if (call && (call.name === 'at_timezone' || call.name === 'with_timezone') && call.args.length === 2) {
      const [a, z] = call.args as [Span, Span];
      const zTok = z.first === z.last && tokens[z.first]!.kind === 'string' ? tokens[z.first]! : undefined;
      const staticZone = zTok ? normalizeZone(unquote(zTok)) : undefined;
      const zoneSql = staticZone !== undefined ? sqlString(staticZone) : text(z);
      found.push({
        first: k,
        last: call.close,
        instant:
          call.name === 'at_timezone'
            ? operandInstant(a)
            : () => `trino_instant(CAST(${text(a)} AS TIMESTAMP), ${zoneSql})`,
        zone: zoneSql,
        ...(staticZone !== undefined ? { staticZone } : {}),
        what: `${call.name}()`,
      });
    }
    if (call && call.name === 'from_iso8601_timestamp' && call.args.length === 1) {
      const a = call.args[0]!;
      const lit =
        a.first === a.last && tokens[a.first]!.kind === 'string' ? unquote(tokens[a.first]!) : undefined;
      // An offset follows a time (…T10:00+01:00); 2024-03-15's -15 is its day.
      const offset = lit === undefined ? undefined : /T[0-9:.,]*([+-]\d{2}(?::?\d{2})?|Z)$/.exec(lit)?.[1];
      const staticZone = lit === undefined ? undefined : offset ? normalizeZone(offset) : 'UTC';
      found.push({
        first: k,
        last: call.close,
        // The instant as the macro reads it (./datetime-functions.ts: milliseconds, as Trino's).
        instant: () => `from_iso8601_timestamp(${text(a)})`,
        zone: staticZone !== undefined ? sqlString(staticZone) : `trino_iso8601_zone(${text(a)})`,
        ...(staticZone !== undefined ? { staticZone } : {}),
        what: 'from_iso8601_timestamp()',
      });
    }
  }
  // Instants, inner values first: an operand that is itself a zoned value gives its instant.
  const resolved = new Map<Found, Zoned>();
  const bySize = [...found].sort((a, b) => a.last - a.first - (b.last - b.first));
  const instantOf = (s: Span): string => {
    const same = found.find((z) => z.first === s.first && z.last === s.last);
    if (same) return resolved.get(same)!.instant;
    const nested = found.find((z) => z.first >= s.first && z.last <= s.last);
    if (nested) {
      throw new LocalDialectError(
        nested.what,
        'a timestamp with time zone inside the operand of another time zone conversion is not translated',
      );
    }
    return `trino_ts_instant(${text(s)})`;
  };
  for (const f of bySize) resolved.set(f, { ...f, instant: f.instant(instantOf) });
  return found.map((f) => resolved.get(f)!);
}

const wall = (z: Zoned) => `trino_wall(${z.instant}, ${z.zone})`;

/** date_trunc's units under 12 hours: Joda truncates those keeping the value's offset (its time arithmetic). */
const OFFSET_KEEPING_UNITS = ['millisecond', 'second', 'minute', 'hour'];

/**
 * The instant date_trunc(unit, z) stands for. A unit under 12 hours keeps the value's own offset, as Joda's
 * ZonedDateTimeField does (the wall clock's remainder taken off the instant: 01:30 EST, the second 01:30 of a night
 * the clocks go back, is 01:00 EST, not EDT); a longer one is the truncated wall clock's instant in the zone.
 */
function truncatedInstant(unit: string, z: Zoned): string {
  const keeping = `(${z.instant}) - (${wall(z)} - date_trunc(${unit}, ${wall(z)}))`;
  const onWall = `trino_instant(date_trunc(${unit}, ${wall(z)}), ${z.zone})`;
  const literal = /^'([a-z]+)'$/i.exec(unit.trim())?.[1]?.toLowerCase();
  if (literal !== undefined) return OFFSET_KEEPING_UNITS.includes(literal) ? keeping : onWall;
  const units = OFFSET_KEEPING_UNITS.map((u) => `'${u}'`).join(', ');
  return `CASE WHEN lower(${unit}) IN (${units}) THEN ${keeping} ELSE ${onWall} END`;
}

const rendered = (z: Zoned) => `(strftime(${wall(z)}, '%Y-%m-%d %H:%M:%S.%g') || ' ' || ${z.zone})`;

/** Is the span a whole column of the outermost SELECT list? */
function outermostColumn(tokens: Token[], s: Span): boolean {
  if (depthAt(tokens, s.first) !== 0) return false;
  const before = tokens[s.first - 1];
  if (!(isWord(before, 'select', 'distinct', 'all') || isSymbol(before, ','))) return false;
  // The nearest clause word before it at depth 0 must be SELECT.
  for (let j = s.first - 1; j >= 0; j--) {
    if (depthAt(tokens, j) !== 0) continue;
    if (isWord(tokens[j], 'select')) break;
    if (isWord(tokens[j], 'from', 'where', 'group', 'order', 'having', 'by', 'on', 'limit')) return false;
  }
  const after = tokens[s.last + 1];
  if (!after || isSymbol(after, ',')) return true;
  if (isWord(after, 'as', 'from', 'union', 'except', 'intersect', 'order', 'limit', 'offset', 'fetch'))
    return true;
  // An alias without AS: a word or quoted identifier followed by the end of the column.
  const next = tokens[s.last + 2];
  return (
    (after.kind === 'quoted' ||
      (after.kind === 'word' && !BOUNDARY_WORDS.includes(after.text.toLowerCase()))) &&
    (!next || isSymbol(next, ',') || isWord(next, 'from', 'union', 'except', 'intersect', 'order', 'limit'))
  );
}

function compared(tokens: Token[], s: Span): boolean {
  const before = tokens[s.first - 1];
  const after = tokens[s.last + 1];
  const op = (t: Token | undefined) =>
    (t?.kind === 'symbol' && COMPARISON.includes(t.text)) || isWord(t, 'between', 'is');
  const boundary = (t: Token | undefined) =>
    !t || isSymbol(t, '(', ')', ',') || isWord(t, ...BOUNDARY_WORDS, 'select', 'by', 'asc', 'desc', 'nulls');
  // ORDER BY / GROUP BY items order and group by the instant.
  const orderItem = isWord(before, 'by') || (isSymbol(before, ',') && clauseOf(tokens, s.first) === 'by');
  if (orderItem && (boundary(after) || isSymbol(after, ','))) return true;
  return (op(before) && (boundary(after) || op(after))) || (op(after) && (boundary(before) || op(before)));
}

function clauseOf(tokens: Token[], at: number): string {
  const depth = depthAt(tokens, at);
  for (let j = at - 1; j >= 0; j--) {
    if (depthAt(tokens, j) !== depth) continue;
    const t = tokens[j]!;
    if (isWord(t, 'select', 'from', 'where', 'by', 'having', 'on', 'limit')) return t.text.toLowerCase();
  }
  return '';
}

/** Whether a format_datetime pattern argument writes a zone: Z or z outside quoted text (any other: assumed to). */
function formatsZone(tokens: Token[], arg: { first: number; last: number } | undefined): boolean {
  if (!arg) return false;
  const t = tokens[arg.first];
  if (arg.first !== arg.last || t?.kind !== 'string') return true;
  // The SQL string's text, then Joda's quoted literals ('T') left out.
  return /[zZ]/.test(
    t.text
      .slice(1, -1)
      .replace(/''/g, "'")
      .replace(/'[^']*'/g, ''),
  );
}

/** The replacement text of a zoned value where it stands, or a LocalDialectError. */
function placeZoned(sql: string, tokens: Token[], z: Zoned, all: Zoned[]): Edit {
  const start = tokens[z.first]!.start;
  const end = tokens[z.last]!.end;
  const edit = (text: string): Edit => ({ start, end, text });
  if (isUtc(z.staticZone)) return edit(`(${z.instant})`);
  // Inside another zoned value (AT TIME ZONE chains, at_timezone(x, …)): that one reads this one's instant.
  if (all.some((o) => o !== z && o.first <= z.first && o.last >= z.last)) return edit(`(${z.instant})`);
  const encl = enclosingCall(tokens, z);
  if (encl) {
    const { call, index } = encl;
    if (call.name === 'format_datetime' && index === 0 && formatsZone(tokens, call.args[1])) {
      throw new LocalDialectError(
        `format_datetime() of ${z.what} with a zone field (Z, z) in its pattern`,
        "Athena writes that zone's offset or name (-04:00); the local engine formats the value's wall clock, whose " +
          'zone it would write as UTC (+00). Format the wall clock without Z, or convert to UTC first',
      );
    }
    if (WALL_CLOCK[call.name] === index) return edit(wall(z));
    if (call.name === 'to_unixtime' && index === 0) return edit(`(${z.instant})`);
    if ((call.name === 'timezone_hour' || call.name === 'timezone_minute') && index === 0) {
      // The whole call: the zone's offset at that instant, in minutes, as hours (truncated) or the rest.
      const offset = `trino_zoned_offset(${z.instant}, ${wall(z)})`;
      return {
        start: tokens[call.at]!.start,
        end: tokens[call.close]!.end,
        text: call.name === 'timezone_hour' ? `(${offset} / 60)` : `(${offset} % 60)`,
      };
    }
    if (call.name === 'date_trunc' && index === 1) {
      // A zoned value again: truncated on its wall clock, in the same zone.
      const unit = spanText(sql, tokens, call.args[0]!);
      const truncated: Zoned = {
        first: call.at,
        last: call.close,
        instant: truncatedInstant(unit, z),
        zone: z.zone,
        ...(z.staticZone !== undefined ? { staticZone: z.staticZone } : {}),
        what: `date_trunc() of ${z.what}`,
      };
      return placeZoned(sql, tokens, truncated, []);
    }
  }
  // CAST(v AS type): the call scan sees `v AS type` as one argument.
  if (isSymbol(tokens[z.first - 1], '(') && isWord(tokens[z.first - 2], 'cast', 'try_cast')) {
    if (isWord(tokens[z.last + 1], 'as')) return castOf(sql, tokens, z, all);
  }
  if (
    isWord(tokens[z.first - 1], 'from') &&
    isSymbol(tokens[z.first - 3], '(') &&
    isWord(tokens[z.first - 4], 'extract') &&
    isSymbol(tokens[z.last + 1], ')')
  ) {
    return edit(wall(z));
  }
  if (compared(tokens, z)) return edit(`(${z.instant})`);
  if (outermostColumn(tokens, z)) {
    return edit(
      `struct_pack(__trino_tstz_instant := ${z.instant}, __trino_tstz_wall := ${wall(z)}, __trino_tstz_zone := ${z.zone})`,
    );
  }
  throw new LocalDialectError(
    `${z.what} (a timestamp with time zone in a zone other than UTC)`,
    'the local engine keeps no time zone inside a value, so such a value is supported only as a column of the ' +
      'outermost SELECT, compared or sorted, cast, or read directly by hour(), day(), date(), date_format(), ' +
      'format_datetime(), date_trunc(), EXTRACT, to_unixtime() or timezone_hour(); e.g. hour(ts AT TIME ZONE ' +
      "'Europe/Paris') rather than a CTE column read later",
  );
}

/**
 * CAST(v AS type) of a zoned value: VARCHAR gives Athena's text; DATE and TIMESTAMP read the wall clock; TIMESTAMP
 * WITH TIME ZONE is the same zoned value, placed where the CAST stands.
 */
function castOf(sql: string, tokens: Token[], z: Zoned, all: Zoned[]): Edit {
  const open = z.first - 1;
  const close = closing(tokens, open);
  const type = tokens
    .slice(z.last + 2, close)
    .map((t) => t.text.toLowerCase())
    .join(' ');
  const whole = (text: string): Edit => ({ start: tokens[open - 1]!.start, end: tokens[close]!.end, text });
  if (/^(varchar|char)\b/.test(type)) return whole(rendered(z));
  if (/^(date|timestamp( \( \d+ \))?)$/.test(type)) {
    return { start: tokens[z.first]!.start, end: tokens[z.last]!.end, text: wall(z) };
  }
  if (/^timestamp( \( \d+ \))? with time zone$/.test(type)) {
    return placeZoned(sql, tokens, { ...z, first: open - 1, last: close }, all);
  }
  throw new LocalDialectError(
    `CAST(${z.what} AS ${type})`,
    'this cast of a timestamp with time zone is not translated',
  );
}

/** Rewrites every zoned timestamp of the statement for DuckDB (see the module comment). */
export function rewriteTimeZones(sql: string): string {
  if (!/\b(at|timestamp|at_timezone|with_timezone|from_iso8601_timestamp)\b/i.test(sql)) return sql;
  const { tokens } = tokenize(sql);
  const zoned = findZoned(sql, tokens);
  if (zoned.length === 0) return sql;
  const edits = zoned.map((z) => placeZoned(sql, tokens, z, zoned));
  return applyEdits(sql, edits);
}
