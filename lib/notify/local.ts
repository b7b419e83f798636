/**
 * Notices on the local lake: one JSON line per notice appended to <LAKE_DIR>/notifications.jsonl (fsynced before
 * publish resolves), and a log line. The line is the SNS message body the AWS notifier sends, or, for a state
 * machine's notice, the Message its sns:publish task sends (one line: JSON text has no raw line break).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { faults } from '../faults';
import { logger } from '../logger';
import { noticeMessage } from './message';
import type { Notice, Notifier } from './types';

export const NOTIFICATIONS_FILE = 'notifications.jsonl';

/**
 * A notice as its retries see it: an upload's quarantine notice is built again at each attempt with the time its
 * check ran (detail.detectedAt), so that time is not part of it — else every retry of validateUpload would be a new
 * notice to the fault injector, and three in a row could fail (the watcher then gives the file up until the next
 * start, as Lambda sends an event to its dead-letter queue after its retries).
 */
function retryIdentity(notice: Notice): string {
  const { detectedAt: _time, ...detail } = (notice.detail ?? {}) as Record<string, unknown>;
  return JSON.stringify([notice.kind, notice.subject, detail]);
}

export class LocalNotifier implements Notifier {
  readonly file: string;
  /** Appends of this process, one after the other (each is one write of a whole line). */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    lakeDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(lakeDir, NOTIFICATIONS_FILE);
  }

  publish(notice: Notice, message?: string): Promise<void> {
    if (!notice.kind) return Promise.reject(new Error('a notice needs a kind'));
    // Fault injection (LAKE_FAULTS sns.fail, lib/faults.ts): a transient publish failure, as SNS throttling is;
    // keyed by the notice, so that its retries see the same choice (at most transientAttempts failures in a row).
    const f = faults();
    if (
      f.rate('sns.fail') > 0 &&
      f.transient('sns.fail', retryIdentity(notice), { kind: notice.kind, subject: notice.subject })
    ) {
      const err = new Error('Rate exceeded (injected)');
      err.name = 'ThrottledException';
      return Promise.reject(err);
    }
    const line = (message ?? noticeMessage(notice, this.now())) + '\n';
    const next = this.chain.then(() => this.append(line));
    this.chain = next.catch(() => undefined);
    return next.then(() => {
      logger.info('notification', { kind: notice.kind, subject: notice.subject, detail: notice.detail });
    });
  }

  private async append(line: string): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const fh = await fs.open(this.file, 'a');
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
