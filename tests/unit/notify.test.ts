/** The notifier port: SNS (mocked) and the local notifications file (for real). */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { Faults, setFaults } from '../../lib/faults';
import { LocalNotifier } from '../../lib/notify/local';
import { SNS_SUBJECT_MAX, SnsNotifier, snsSubject } from '../../lib/notify/sns';

const sns = mockClient(SNSClient);
const at = new Date('2026-11-24T10:00:00.000Z');

beforeEach(() => sns.reset());

describe('SNS notifier', () => {
  it('publishes the notice as JSON to the topic, with its kind as a message attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    const n = new SnsNotifier(
      new SNSClient({ region: 'us-east-1' }),
      'arn:aws:sns:us-east-1:1:topic',
      () => at,
    );
    await n.publish({
      kind: 'UPLOAD_QUARANTINED',
      subject: 'Upload quarantined',
      detail: { key: 'uploads/a/b.csv' },
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe('arn:aws:sns:us-east-1:1:topic');
    expect(input.Subject).toBe('Upload quarantined');
    expect(JSON.parse(input.Message!)).toEqual({
      kind: 'UPLOAD_QUARANTINED',
      subject: 'Upload quarantined',
      detail: { key: 'uploads/a/b.csv' },
      publishedAt: at.toISOString(),
    });
    expect(input.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'UPLOAD_QUARANTINED' },
    });
  });

  it('keeps subjects within SNS rules: under 100 characters, printable ASCII, one line', async () => {
    sns.on(PublishCommand).resolves({});
    const n = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t');
    await n.publish({ kind: 'K', subject: `Quarantined: ${'été/'.repeat(60)}\nsecond line`, detail: {} });
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX);
    expect(SNS_SUBJECT_MAX).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
    expect(snsSubject('  ')).toBe('Notice');
  });

  it('refuses a message over 256 KiB before calling SNS', async () => {
    const n = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t');
    await expect(
      n.publish({ kind: 'K', subject: 's', detail: { big: 'x'.repeat(300 * 1024) } }),
    ).rejects.toThrow(/SNS takes at most/);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('passes SNS errors on', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    const n = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t');
    await expect(n.publish({ kind: 'K', subject: 's', detail: {} })).rejects.toThrow('denied');
  });
});

describe('local notifier', () => {
  it('appends one JSON line per notice to <LAKE_DIR>/notifications.jsonl, in order, even when concurrent', async () => {
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'notify-'));
    const n = new LocalNotifier(lake, () => at);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => n.publish({ kind: 'K', subject: `s${i}`, detail: { i } })),
    );
    const lines = (await fs.readFile(path.join(lake, 'notifications.jsonl'), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).detail.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(JSON.parse(lines[0]!)).toEqual({
      kind: 'K',
      subject: 's0',
      detail: { i: 0 },
      publishedAt: at.toISOString(),
    });
  });

  it('fails one notice at most transientAttempts times in a row under LAKE_FAULTS sns.fail, though its retries are checked again', async () => {
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'notify-'));
    setFaults(new Faults({ rates: { 'sns.fail': 1 }, transientAttempts: 2, seed: 1 }));
    try {
      const n = new LocalNotifier(lake, () => at);
      for (let file = 0; file < 20; file++) {
        let failures = 0;
        // As validateUpload retries a quarantine: the same notice, with the time of each new check.
        for (let attempt = 0; attempt < 10; attempt++) {
          const detectedAt = new Date(at.getTime() + file * 1000 + attempt).toISOString();
          const notice = {
            kind: 'UPLOAD_QUARANTINED',
            subject: `bad-${file}`,
            detail: { key: `bad-${file}`, detectedAt },
          };
          const ok = await n.publish(notice).then(
            () => true,
            () => false,
          );
          if (ok) break;
          failures++;
        }
        expect(failures).toBeGreaterThanOrEqual(1); // rate 1: every notice is hit at least once
        expect(failures).toBeLessThanOrEqual(2);
      }
    } finally {
      setFaults(undefined);
    }
  });

  it('refuses a notice without a kind', async () => {
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'notify-'));
    await expect(new LocalNotifier(lake).publish({ kind: '', subject: 's', detail: {} })).rejects.toThrow(
      'kind',
    );
    await expect(fs.stat(path.join(lake, 'notifications.jsonl'))).rejects.toThrow();
  });
});
