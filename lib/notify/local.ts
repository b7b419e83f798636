/**
 * Notices on the local lake: one JSON line per notice appended to <LAKE_DIR>/notifications.jsonl (fsynced before
 * publish resolves), and a log line. The line is the SNS message body the AWS notifier sends.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { faults } from '../faults';
import { logger } from '../logger';
import { noticeMessage } from './message';
import type { Notice, Notifier } from './types';

export const NOTIFICATIONS_FILE = 'notifications.jsonl';

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

  publish(notice: Notice): Promise<void> {
    if (!notice.kind) return Promise.reject(new Error('a notice needs a kind'));
    // Fault injection (LAKE_FAULTS sns.fail, lib/faults.ts): a transient publish failure, as SNS throttling is;
    // keyed by the notice, so that its retries see the same choice.
    const f = faults();
    if (
      f.rate('sns.fail') > 0 &&
      f.transient('sns.fail', JSON.stringify([notice.kind, notice.subject, notice.detail]), {
        kind: notice.kind,
        subject: notice.subject,
      })
    ) {
      const err = new Error('Rate exceeded (injected)');
      err.name = 'ThrottledException';
      return Promise.reject(err);
    }
    const line = noticeMessage(notice, this.now()) + '\n';
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
