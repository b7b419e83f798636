/**
 * The event envelope: turns a request body (one event, or {"events": [...]}) into stamped raw-zone records,
 * all or nothing. What lands in the raw zone is one JSON object per line:
 *   {"id", "type", "occurred_at", "received_at", "data"}
 */
import { isWellFormed } from './unicode';
import { stringifyJsonExact } from './exact-json';
import { exactTypeProblem } from './schema-exact-types';
import { loadSchema } from './schema-loader';
import { ApiError, ErrorCode, EventErrorCode } from './errors';
import { newEventId } from './ids';
import { eventValidator, fieldErrors, validateEnvelope } from './schema-registry';

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
 * The earliest occurred_at the lake stores: the tables' timestamps have 4-digit years from 1000 (lib/etl/plan.ts —
 * year 0 is 1 BC in DuckDB); an earlier event would be accepted here and rejected by the compaction.
 */
export const MIN_OCCURRED_AT_MS = Date.UTC(1000, 0, 1);

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

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
    throw new ApiError(400, ErrorCode.InvalidBody, 'a batch body has only the "events" property', {
      pointer: '/' + extra[0],
    });
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

/**
 * Validates and stamps every event. Throws VALIDATION_FAILED listing each bad event (index, pointer, code,
 * reason) if any is invalid; nothing is returned for writing in that case.
 */
export function prepareEvents(body: unknown, limits: BatchLimits, now: number = Date.now()): EventRecord[] {
  const submitted = submittedEvents(body, limits.maxEvents);
  const maxRecordBytes = limits.maxRecordBytes ?? FIREHOSE_MAX_RECORD_BYTES;
  const receivedAt = new Date(now).toISOString();
  const problems: EventProblem[] = [];
  const records: EventRecord[] = [];

  submitted.forEach((event, index) => {
    const before = problems.length;
    const report = (pointer: string, code: string, message: string) =>
      problems.push({ index, pointer, code, message });

    if (!isPlainObject(event)) {
      report('', EventErrorCode.NotAnObject, 'an event must be a JSON object');
      return;
    }
    if (!validateEnvelope(event)) {
      for (const f of fieldErrors(validateEnvelope.errors))
        report(f.pointer, EventErrorCode.InvalidEnvelope, f.message);
      return;
    }
    const type = event.type as string;
    const validate = eventValidator(type);
    if (!validate) {
      report('/type', EventErrorCode.UnknownType, `event type '${type}' is not registered`);
      return;
    }
    const exact = () => exactTypeProblem(loadSchema('events', type) ?? {}, event.data);
    let inexact: ReturnType<typeof exact>;
    if (!validate(event.data)) {
      for (const f of fieldErrors(validate.errors, '/data'))
        report(f.pointer, EventErrorCode.SchemaViolation, f.message);
    } else if ((inexact = exact())) {
      // An integer beyond its width's range (19-digit bigints are judged as sent), a decimal beyond its precision or
      // scale: the compaction would reject it (lib/schema-exact-types.ts).
      report(`/data/${escapePointer(inexact.field)}`, EventErrorCode.SchemaViolation, inexact.message);
    } else if (hasLoneSurrogate(event.data)) {
      const at = loneSurrogateAt(event.data, '/data');
      if (at !== undefined) {
        report(
          at,
          EventErrorCode.SchemaViolation,
          'is not valid Unicode text (a lone UTF-16 surrogate escape such as \\ud800 without its pair)',
        );
      }
    }
    let occurredAt = receivedAt;
    if (typeof event.occurred_at === 'string') {
      const t = Date.parse(event.occurred_at);
      if (Number.isNaN(t)) {
        report('/occurred_at', EventErrorCode.InvalidEnvelope, 'must be a valid ISO-8601 date-time');
      } else if (t < MIN_OCCURRED_AT_MS) {
        report(
          '/occurred_at',
          EventErrorCode.InvalidEnvelope,
          'is before 1000-01-01T00:00:00Z (UTC), the earliest time the lake stores',
        );
      } else if (t > now + limits.maxFutureSkewSeconds * 1000) {
        report(
          '/occurred_at',
          EventErrorCode.OccurredInFuture,
          `is more than ${limits.maxFutureSkewSeconds}s after the time it was received`,
        );
      } else {
        occurredAt = new Date(t).toISOString();
      }
    }
    if (problems.length > before) return;

    const raw: RawEvent = {
      id: (event.id as string | undefined) ?? newEventId(now),
      type,
      occurred_at: occurredAt,
      received_at: receivedAt,
      data: event.data as Record<string, unknown>,
    };
    const line = stringifyJsonExact(raw); // numbers as they were sent (lib/exact-json.ts)
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes > maxRecordBytes) {
      report(
        '',
        EventErrorCode.EventTooLarge,
        `the stamped event is ${bytes} bytes; the limit is ${maxRecordBytes}`,
      );
      return;
    }
    records.push({ id: raw.id, type, line });
  });

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
