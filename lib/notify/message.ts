/** A notice as published: the SNS message body, and the line the local notifier writes (the same text). */
import type { Notice } from './types';

/** The message body of a notice: JSON that subscribers (email, SQS, Lambda) can parse. */
export function noticeMessage(notice: Notice, publishedAt: Date): string {
  return JSON.stringify({
    kind: notice.kind,
    subject: notice.subject,
    detail: notice.detail,
    publishedAt: publishedAt.toISOString(),
  });
}
