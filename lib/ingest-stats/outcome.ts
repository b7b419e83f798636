/**
 * What one POST /events came to, for the ingest statistics (./types.ts): the accepted records by type, or, for a
 * refused request, its events by the type they name and one refusal per problem (VALIDATION_FAILED lists each
 * invalid event's problems) or one for the request (any other 4xx). A type that is not registered counts as none:
 * what producers send cannot make new series (nor new CloudWatch metrics).
 */
import type { EventRecord } from '../envelope';
import { ApiError, ErrorCode } from '../errors';
import { eventValidator } from '../schema-registry';
import type { IngestOutcome, Refusal } from './types';

/** Refusals kept from one request at most (a batch of 500 invalid events lists 500+ problems). */
const MAX_REFUSALS_PER_REQUEST = 20;

/** Longest field and message a refusal keeps (they quote what producers sent: a property name can be megabytes). */
const MAX_REFUSAL_TEXT = 256;
function bounded<T extends string | null>(s: T): T {
  return (s === null || s.length <= MAX_REFUSAL_TEXT ? s : s.slice(0, MAX_REFUSAL_TEXT) + '…') as T;
}

const objectOf = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** A registered event type named by `value`, or null. */
export function registeredType(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    return eventValidator(value) ? value : null;
  } catch {
    return null;
  }
}

/** The events of a body as submitted (one event, {events: [...]}, or an array), without judging them. */
function submitted(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const events = objectOf(body)?.events;
  return Array.isArray(events) ? events : body === undefined ? [] : [body];
}

const add = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

export function acceptedOutcome(records: EventRecord[], at = new Date()): IngestOutcome {
  const accepted = new Map<string, number>();
  for (const r of records) add(accepted, r.type);
  return { at, accepted, refused: new Map(), refusals: [] };
}

/** A refused request (a 4xx ApiError); undefined for anything else (5xx: nothing was refused, retry). */
export function refusedOutcome(err: unknown, body: unknown, at = new Date()): IngestOutcome | undefined {
  if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500) return undefined;
  const events = submitted(body);
  const typeAt = (i: number) => registeredType(objectOf(events[i])?.type);
  const refused = new Map<string, number>();
  // VALIDATION_FAILED refuses every event of the batch; other refusals are counted by request only.
  if (err.code === ErrorCode.ValidationFailed) events.forEach((_, i) => add(refused, typeAt(i) ?? ''));
  const iso = at.toISOString();
  const problems = Array.isArray(err.details.errors) ? (err.details.errors as unknown[]) : [];
  const refusals: Refusal[] = problems.length
    ? problems.slice(0, MAX_REFUSALS_PER_REQUEST).map((p) => {
        const e = objectOf(p) ?? {};
        return {
          at: iso,
          type: typeof e.index === 'number' ? typeAt(e.index) : null,
          code: typeof e.code === 'string' ? e.code : err.code,
          field: bounded(typeof e.pointer === 'string' ? e.pointer : null),
          message: bounded(typeof e.message === 'string' ? e.message : err.message),
        };
      })
    : [
        {
          at: iso,
          type: events.length === 1 ? typeAt(0) : null,
          code: err.code,
          field: bounded(
            typeof err.details.field === 'string'
              ? err.details.field
              : typeof err.details.pointer === 'string'
                ? err.details.pointer
                : null,
          ),
          message: bounded(err.message),
        },
      ];
  return { at, accepted: new Map(), refused, refusals };
}
