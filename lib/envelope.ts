/**
 * The event envelope: turns a request body (one event, or {"events": [...]}) into stamped raw-zone records,
 * all or nothing. What lands in the raw zone is one JSON object per line:
 *   {"id", "type", "occurred_at", "received_at", "data"}
 */
import layout from './lake-layout.json';
import { isWellFormed } from './unicode';
import { doubleOutOfRangeAt, rememberedNumberAt, sameJsonValue, stringifyJsonExact } from './exact-json';
import { MAX_DATA_NESTING, MAX_NUMBER_CHARS, nestedBeyond, numberDigits } from './json-limits';
import { DOUBLE_OUT_OF_RANGE } from './etl/value-patterns';
import { exactTypeProblem } from './schema-exact-types';
import { nestedIntegerProblem } from './nested-exact-integers';
import { loadHistory, loadSchema } from './schema-loader';
import { ApiError, ErrorCode, EventErrorCode } from './errors';
import { newEventId } from './ids';
import {
  eventValidator,
  fieldErrors,
  MAX_POINTER_CHARS,
  registeredEventTypes,
  validateEnvelope,
} from './schema-registry';

export interface RawEvent {
  id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  data: Record<string, unknown>;
}

/** A record ready for the delivery stream: the event and its serialised line (without the newline). */
export interface EventRecord {
  id: string;
  type: string;
  line: string;
}

export interface EventProblem {
  index: number;
  pointer: string;
  code: string;
  message: string;
}

export interface BatchLimits {
  maxEvents: number;
  maxFutureSkewSeconds: number;
  /** Largest record Firehose takes, including the newline delimiter: 1,000 KiB. */
  maxRecordBytes?: number;
}

export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;
/** Most problems listed in one response; the count of all is always given. */
const MAX_REPORTED_PROBLEMS = 100;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The earliest occurred_at the lake stores: the first day of its date partitions (lib/lake-layout.json
 * curated.earliestPartitionDate, where Athena's partition projection starts; an event's partition is occurred_at's
 * UTC date). An earlier event would be accepted here and never read by Athena.
 */
export const EARLIEST_PARTITION_DATE = layout.curated.earliestPartitionDate;
export const MIN_OCCURRED_AT_MS = Date.parse(`${EARLIEST_PARTITION_DATE}T00:00:00.000Z`);
const MIN_OCCURRED_AT = new Date(MIN_OCCURRED_AT_MS).toISOString();

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON pointer of a path in an event's data. */
const pointerOf = (path: (string | number)[]) =>
  ['/data', ...path.map((k) => escapePointer(String(k)))].join('/');

/** Whether any string (value or property name) in `value` holds a lone surrogate: the fast check, no allocation. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return !isWellFormed(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasLoneSurrogate(value[i])) return true;
    return false;
  }
  if (isPlainObject(value)) {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      if (!isWellFormed(k) || hasLoneSurrogate(value[k])) return true;
    }
  }
  return false;
}

/**
 * The pointer of the first string (value or property name) in a validated value that holds a lone surrogate, or
 * undefined. Only called on data that passed its schema, so its depth is bounded by the schema; it builds pointers,
 * so it runs only once hasLoneSurrogate found one.
 */
function loneSurrogateAt(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : pointer;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = loneSurrogateAt(value[i], `${pointer}/${i}`);
      if (at !== undefined) return at;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = `${pointer}/${escapePointer(k)}`;
      if (!isWellFormed(k)) return p;
      const at = loneSurrogateAt(v, p);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

/** Splits a parsed body into the list of submitted events, or throws INVALID_BODY / TOO_MANY_EVENTS. */
export function submittedEvents(body: unknown, maxEvents: number): unknown[] {
  if (!isPlainObject(body)) {
    throw new ApiError(400, ErrorCode.InvalidBody, 'body must be one event object or {"events": [...]}', {
      pointer: '',
    });
  }
  if (!('events' in body)) return [body];
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length > 0) {
    // Escaped as every pointer is, and cut as fieldErrors cuts one: a key of megabytes is not sent back whole.
    const pointer = '/' + escapePointer(extra[0]!);
    const cut = pointer.length > MAX_POINTER_CHARS;
    throw new ApiError(
      400,
      ErrorCode.InvalidBody,
      'a batch body has only the "events" property' +
        (cut ? ` (the pointer is ${pointer.length} characters: cut at ${MAX_POINTER_CHARS})` : ''),
      { pointer: cut ? pointer.slice(0, MAX_POINTER_CHARS) + '…' : pointer },
    );
  }
  const events = body.events;
  if (!Array.isArray(events)) {
    throw new ApiError(400, ErrorCode.InvalidBody, '"events" must be an array', { pointer: '/events' });
  }
  if (events.length === 0) {
    throw new ApiError(400, ErrorCode.InvalidBody, '"events" must not be empty', { pointer: '/events' });
  }
  if (events.length > maxEvents) {
    throw new ApiError(400, ErrorCode.TooManyEvents, `a batch holds at most ${maxEvents} events`, {
      pointer: '/events',
      limit: maxEvents,
      count: events.length,
    });
  }
  return events;
}

/** An event type's data validator, schema and recorded renames, looked up once per type in a request. */
interface TypeCheck {
  validate: NonNullable<ReturnType<typeof eventValidator>>;
  schema: object;
  history: ReturnType<typeof loadHistory>;
}

/**
 * An ISO-8601 UTC instant as Date#toISOString writes it, YYYY-MM-DDTHH:MM:SS.sssZ (4-digit year, hours 00-23,
 * minutes and seconds 00-59): such an occurred_at is its own rendering and is stored as sent. The calendar date has
 * been checked by the envelope's "format": "date-time" (ajv-formats, full mode: 2026-02-30 is refused, where
 * Date.parse would roll it over to March 2).
 */
const CANONICAL_INSTANT =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$/;

/** Why an occurred_at is no date-time the envelope takes (its "format": "date-time"). */
const OCCURRED_AT_FORMAT =
  'must be a date-time with its zone, Z or ±HH:MM (e.g. 2026-11-24T09:30:00Z): a date that exists, hours 00–23, ' +
  'seconds 00–59 (no leap second :60)';

/** The latest occurred_at a request takes (receipt plus the allowed skew), as a time and in canonical form. */
interface Latest {
  ms: number;
  /** Its toISOString rendering when that is canonical (a 4-digit year), else undefined. */
  canonical: string | undefined;
}

function latestOccurredAt(now: number, maxFutureSkewSeconds: number): Latest {
  const ms = now + maxFutureSkewSeconds * 1000;
  // Beyond ±8.64e15 ms (or NaN) a Date is invalid and has no rendering: every occurred_at is then parsed.
  const iso = Math.abs(ms) <= 8.64e15 ? new Date(Math.floor(ms)).toISOString() : '';
  return { ms, canonical: CANONICAL_INSTANT.test(iso) ? iso : undefined };
}

/**
 * The occurred_at to store for a sent one (which passed the envelope's date-time format), or undefined after
 * reporting why it is refused: before MIN_OCCURRED_AT_MS, or after the latest time the request takes. A canonical
 * instant is stored as sent and judged by comparing texts (a fixed-width UTC rendering sorts as its time does, and
 * to the millisecond both texts hold: ~7 ns against Date.parse's ~165); any other form is parsed and stored as its
 * toISOString rendering.
 */
function storedOccurredAt(
  sent: string,
  latest: Latest,
  maxFutureSkewSeconds: number,
  report: (pointer: string, code: string, message: string) => void,
): string | undefined {
  const latestText = latest.canonical;
  const canonical = latestText !== undefined && CANONICAL_INSTANT.test(sent);
  const t = canonical ? 0 : Date.parse(sent);
  if (Number.isNaN(t)) {
    // The date-time format takes forms no timestamp holds: an offset of hours alone (+05), a leap second (:60).
    report(
      '/occurred_at',
      EventErrorCode.InvalidEnvelope,
      'must be a date-time the lake can store: an offset written ±HH:MM or Z (not +05), seconds 00–59 (no leap ' +
        'second), e.g. 2026-11-24T09:30:00+05:00',
    );
    return undefined;
  }
  if (canonical ? sent < MIN_OCCURRED_AT : t < MIN_OCCURRED_AT_MS) {
    report(
      '/occurred_at',
      EventErrorCode.InvalidEnvelope,
      `is before ${MIN_OCCURRED_AT} (UTC), the first day of the lake's partitions ` +
        '(lib/lake-layout.json curated.earliestPartitionDate, where Athena projects them)',
    );
    return undefined;
  }
  if (canonical ? sent > latestText : t > latest.ms) {
    report(
      '/occurred_at',
      EventErrorCode.OccurredInFuture,
      `is more than ${maxFutureSkewSeconds}s after the time it was received`,
    );
    return undefined;
  }
  return canonical ? sent : new Date(t).toISOString();
}

/**
 * The raw-zone line of a stamped event: exactly JSON.stringify of {id, type, occurred_at, received_at, data}, given
 * data's JSON text (checkData's: stringifyJsonExact, numbers as they were sent). Written by hand around the data: the
 * id and type have passed the envelope's patterns and the times are toISOString renderings, so none of them needs
 * escaping.
 */
export function rawLine(
  id: string,
  type: string,
  occurredAt: string,
  receivedAt: string,
  dataJson: string,
): string {
  return `{"id":"${id}","type":"${type}","occurred_at":"${occurredAt}","received_at":"${receivedAt}","data":${dataJson}}`;
}

/**
 * The type-specific checks of one event's data (data schema, exact types, Unicode), problems reported through
 * `report`. Returns data's JSON text (stringifyJsonExact) when every check passed, else undefined.
 */
function checkData(
  check: TypeCheck,
  data: unknown,
  report: (pointer: string, code: string, message: string) => void,
): string | undefined {
  const { validate } = check;
  // A number beyond a double's range first: read as Infinity (1e400) or 0 (1e-400), the schema would call 1e400 no
  // number, and stored it would be another value (the ETL rejects it in a double column too: DOUBLE_OUT_OF_RANGE).
  const beyond = doubleOutOfRangeAt(data);
  if (beyond) {
    report(pointerOf(beyond), EventErrorCode.SchemaViolation, `is ${DOUBLE_OUT_OF_RANGE}`);
    return undefined;
  }
  if (!validate(data)) {
    const errors = fieldErrors(validate.errors, '/data');
    for (const f of errors) report(f.pointer, EventErrorCode.SchemaViolation, f.message);
    if (errors.length === 0) report('/data', EventErrorCode.SchemaViolation, 'does not match its schema');
    return undefined;
  }
  const inexact = exactTypeProblem(check.schema, data, check.history);
  if (inexact) {
    // An integer beyond its width's range (19-digit bigints are judged as sent), a decimal beyond its precision or
    // scale: the compaction would reject it (lib/schema-exact-types.ts).
    report(`/data/${escapePointer(inexact.field)}`, EventErrorCode.SchemaViolation, inexact.message);
    return undefined;
  }
  const deep = nestedBeyond(data, MAX_DATA_NESTING);
  if (deep) {
    report(
      pointerOf(deep),
      EventErrorCode.SchemaViolation,
      `is nested more than ${MAX_DATA_NESTING} levels deep in data: the lake takes at most ${MAX_DATA_NESTING} ` +
        "(Spark's JSON reader, the ETL on AWS, takes 1,000 and the delivery stream's JQ-1.6 partitioning 256)",
    );
    return undefined;
  }
  // An integer inside a JSON column written with a fraction that a double rounds away (2.0000000000000000001).
  const nestedInteger = nestedIntegerProblem(check.schema, data);
  if (nestedInteger) {
    report(pointerOf(nestedInteger.path), EventErrorCode.SchemaViolation, nestedInteger.message);
    return undefined;
  }
  const long = rememberedNumberAt(data, (text) => numberDigits(text) > MAX_NUMBER_CHARS);
  if (long) {
    report(
      pointerOf(long),
      EventErrorCode.SchemaViolation,
      `is a number written with more than ${MAX_NUMBER_CHARS} digits: Spark's JSON reader (the ETL on AWS) ` +
        'refuses it; write it with fewer digits, or as a string',
    );
    return undefined;
  }
  const text = stringifyJsonExact(data);
  // JSON.stringify writes a lone surrogate, in a value or a property name, as a \udxxx escape (well-formed
  // JSON.stringify, ES2019): a text without "\u" holds none, and only one with it (a lone surrogate, a control
  // character or a backslash before a "u") is walked.
  if (text.includes('\\u') && hasLoneSurrogate(data)) {
    const at = loneSurrogateAt(data, '/data');
    if (at !== undefined) {
      report(
        at,
        EventErrorCode.SchemaViolation,
        'is not valid Unicode text (a lone UTF-16 surrogate escape such as \\ud800 without its pair)',
      );
      return undefined;
    }
  }
  return text;
}

/** The first accepted event of a request under a client-chosen id and its type. */
interface FirstWithId {
  index: number;
  line: string;
  occurredAt: string;
  data: unknown;
}

/**
 * Whether an event is the same as the first one of its type under its id: the same stored occurred_at (the same
 * instant, however it was written) and the same data (keys in any order, numbers by value; lib/exact-json.ts).
 * Asked only when their lines differ; the id, type and received_at are the same.
 */
function sameEvent(first: FirstWithId, occurredAt: string, data: unknown): boolean {
  return first.occurredAt === occurredAt && sameJsonValue(first.data, data);
}

/** The checks of an event type, looked up once per request (null: no such type). */
/** At most this many registered types are named in an UNKNOWN_TYPE message (a batch can list 100 problems). */
const MAX_TYPES_NAMED = 12;

function unknownType(type: string): string {
  const types = registeredEventTypes();
  const named = types.slice(0, MAX_TYPES_NAMED).join(', ');
  const more = types.length > MAX_TYPES_NAMED ? ` and ${types.length - MAX_TYPES_NAMED} more` : '';
  return (
    `event type '${type}' is not registered: ` +
    (types.length
      ? `the registered types are ${named}${more} (schemas/events/<type>.json)`
      : 'schemas/events/ has none')
  );
}

function typeCheck(checks: Map<string, TypeCheck | null>, type: string): TypeCheck | null {
  let check = checks.get(type);
  if (check === undefined) {
    const validate = eventValidator(type);
    check = validate
      ? { validate, schema: loadSchema('events', type) ?? {}, history: loadHistory(type) }
      : null;
    checks.set(type, check);
  }
  return check;
}

/**
 * Validates and stamps every event. Throws VALIDATION_FAILED listing each bad event (index, pointer, code,
 * reason) if any is invalid; nothing is returned for writing in that case.
 */
export function prepareEvents(body: unknown, limits: BatchLimits, now: number = Date.now()): EventRecord[] {
  const submitted = submittedEvents(body, limits.maxEvents);
  const maxRecordBytes = limits.maxRecordBytes ?? FIREHOSE_MAX_RECORD_BYTES;
  const receivedAt = new Date(now).toISOString();
  const latest = latestOccurredAt(now, limits.maxFutureSkewSeconds);
  const problems: EventProblem[] = [];
  const records: EventRecord[] = [];
  const checks = new Map<string, TypeCheck | null>();
  let clientIds: Map<string, FirstWithId> | undefined;
  let index = 0;
  const report = (pointer: string, code: string, message: string) =>
    problems.push({ index, pointer, code, message });

  for (; index < submitted.length; index++) {
    const event = submitted[index];
    const before = problems.length;
    if (!isPlainObject(event)) {
      report('', EventErrorCode.NotAnObject, 'an event must be a JSON object');
      continue;
    }
    if (!validateEnvelope(event)) {
      for (const f of fieldErrors(validateEnvelope.errors))
        report(
          f.pointer,
          EventErrorCode.InvalidEnvelope,
          // The format's own words name no cause: a zone left out (the likeliest slip), a leap second, a date that
          // does not exist.
          f.pointer === '/occurred_at' && /format "date-time"/.test(f.message)
            ? OCCURRED_AT_FORMAT
            : f.message,
        );
      // Every problem is listed: a type that names no event type too, the data of a known type (unless the
      // envelope refused it: missing, no object), and occurred_at.
      const refused = (pointer: string) => problems.slice(before).some((p) => p.pointer === pointer);
      if (typeof event.type === 'string' && !refused('/type')) {
        const check = typeCheck(checks, event.type);
        if (!check) report('/type', EventErrorCode.UnknownType, unknownType(event.type));
        else if (!refused('/data')) checkData(check, event.data, report);
      }
      if (
        typeof event.occurred_at === 'string' &&
        !problems.slice(before).some((p) => p.pointer === '/occurred_at')
      )
        storedOccurredAt(event.occurred_at, latest, limits.maxFutureSkewSeconds, report);
      continue;
    }
    const type = event.type as string;
    const check = typeCheck(checks, type);
    if (!check) {
      report('/type', EventErrorCode.UnknownType, unknownType(type));
      // The envelope's own checks still run: its occurred_at is judged whatever the type.
      if (typeof event.occurred_at === 'string')
        storedOccurredAt(event.occurred_at, latest, limits.maxFutureSkewSeconds, report);
      continue;
    }
    const dataJson = checkData(check, event.data, report);
    const occurredAt =
      typeof event.occurred_at === 'string'
        ? storedOccurredAt(event.occurred_at, latest, limits.maxFutureSkewSeconds, report)
        : receivedAt;
    if (problems.length > before || dataJson === undefined || occurredAt === undefined) continue;

    const id = (event.id as string | undefined) ?? newEventId(now);
    let line = rawLine(id, type, occurredAt, receivedAt, dataJson);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: only a line that could be too large is measured.
    const bytes = line.length * 3 + 1 <= maxRecordBytes ? 0 : Buffer.byteLength(line) + 1;
    if (bytes > maxRecordBytes) {
      report(
        '',
        EventErrorCode.EventTooLarge,
        `the stamped event is ${bytes} bytes; the limit is ${maxRecordBytes}`,
      );
      continue;
    }
    if (event.id !== undefined) {
      // A client-chosen id names one event of its type (the compaction keeps one row per id in the type's table): a
      // copy in the same request (a client-side retry) is taken, another event under the id is refused here, where
      // the producer can still tell them apart — downstream it would be dropped as a duplicate.
      const key = `${type} ${id}`; // neither a type nor an id holds a space (schemas/envelope.json)
      const first = (clientIds ??= new Map()).get(key);
      if (first === undefined) clientIds.set(key, { index, line, occurredAt, data: event.data });
      else if (first.line !== line) {
        if (!sameEvent(first, occurredAt, event.data)) {
          report(
            '/id',
            EventErrorCode.DuplicateId,
            `is also the id of event ${first.index}, a different ${type} event; an id names one event of its type (a retry sends the same event again): give this event an id of its own`,
          );
          continue;
        }
        // The same event written otherwise (keys in another order, 25.0 for 25): stored as its first copy, so that
        // the compaction, which compares objects by their JSON text (lib/etl/event-conflicts.ts), sees one event.
        line = first.line;
      }
    }
    records.push({ id, type, line });
  }

  if (problems.length > 0) {
    const invalidEvents = new Set(problems.map((p) => p.index)).size;
    throw new ApiError(
      400,
      ErrorCode.ValidationFailed,
      `${invalidEvents} of ${submitted.length} event(s) are invalid; nothing was written`,
      {
        invalidEvents,
        totalProblems: problems.length,
        errors: problems.slice(0, MAX_REPORTED_PROBLEMS),
      },
    );
  }
  return records;
}
