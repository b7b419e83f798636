/** A notice as published: the SNS message body, and the line the local notifier writes (the same text). */
import type { Notice } from './types';

/** SNS's largest message, in UTF-8 bytes, its subject and message attributes included. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Largest message body of a notice, in UTF-8 bytes: SNS takes 256 KiB per message, its message attributes and
 * subject included (the notifier sends one attribute, `kind`, and a subject of at most 99 characters); 1 KiB is
 * left for them.
 */
export const NOTICE_MAX_BYTES = SNS_MAX_MESSAGE_BYTES - 1024;

/** Where a text of the detail is cut, the marker that says so (and how much was left out). */
const cutMarker = (left: number) => `… (${left} more characters cut: the notice's limit)`;

/** The detail with every string longer than `max` characters cut to `max` and marked (arrays and objects walked). */
function cutTexts(value: unknown, max: number): unknown {
  if (typeof value === 'string') {
    return value.length <= max ? value : value.slice(0, max) + cutMarker(value.length - max);
  }
  if (Array.isArray(value)) return value.map((v) => cutTexts(v, max));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutTexts(v, max)]));
  }
  return value;
}

/**
 * The message body of a notice: JSON that subscribers (email, SQS, Lambda) can parse. One larger than
 * NOTICE_MAX_BYTES (a finding's message naming thousands of unknown columns) has the long texts of its detail cut,
 * as little as fits, and says so (`detailCut: true`); the whole text stays where the detail points (an upload's
 * reason file, an execution's history). Both runtimes publish the same text.
 */
export function noticeMessage(notice: Notice, publishedAt: Date, maxBytes = NOTICE_MAX_BYTES): string {
  const body = (detail: unknown, cut?: true) =>
    JSON.stringify({
      kind: notice.kind,
      subject: notice.subject,
      detail,
      ...(cut ? { detailCut: true } : {}),
      publishedAt: publishedAt.toISOString(),
    });
  const whole = body(notice.detail);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  // The longest cut-off length that fits, by halving the range: each try is one JSON.stringify of the detail.
  let fits: string | undefined;
  let lo = 0;
  let hi = whole.length;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const text = body(cutTexts(notice.detail, mid), true);
    if (Buffer.byteLength(text) <= maxBytes) {
      fits = text;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (fits) return fits;
  // Not texts but their number (an array of 100,000 ids): the detail's own keys, its short values, what the others held.
  const outline = Object.fromEntries(
    Object.entries(notice.detail).map(([k, v]) => [
      k,
      Array.isArray(v) ? `(${v.length} items cut)` : v !== null && typeof v === 'object' ? '(object cut)' : v,
    ]),
  );
  return body(cutTexts(outline, 200), true);
}
