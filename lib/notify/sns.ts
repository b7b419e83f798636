/** Notices on AWS: one SNS message per notice on the notifications topic (env NOTIFICATIONS_TOPIC_ARN). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { noticeMessage } from './message';
import type { Notice, Notifier } from './types';

export { noticeMessage };

/** SNS subjects: printable ASCII, no line breaks, fewer than 100 characters. */
export const SNS_SUBJECT_MAX = 99;

/** A subject SNS accepts: control characters and non-ASCII replaced, cut to the limit with an ellipsis. */
export function snsSubject(subject: string): string {
  let s = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  if (s === '') s = 'Notice';
  return s.length <= SNS_SUBJECT_MAX ? s : s.slice(0, SNS_SUBJECT_MAX - 3).trimEnd() + '...';
}

export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(notice: Notice, text?: string): Promise<void> {
    if (!notice.kind) throw new Error('a notice needs a kind');
    // Within SNS's 256 KiB with the subject and the attribute (./message.ts cuts a detail that is not).
    const message = text ?? noticeMessage(notice, this.now());
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(notice.subject),
        Message: message,
        // Subscriptions can filter on the kind.
        MessageAttributes: { kind: { DataType: 'String', StringValue: notice.kind } },
      }),
    );
  }
}
