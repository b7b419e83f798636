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

  it('cuts the long texts of a detail that would be over 256 KiB, says so, and sends what both runtimes write', async () => {
    sns.on(PublishCommand).resolves({});
    const n = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t', () => at);
    // A finding naming 30,000 unknown columns of a CSV header: ~390 KB of message.
    const columns = Array.from({ length: 30_000 }, (_, i) => `'col_${String(i).padStart(5, '0')}'`).join(
      ', ',
    );
    const detail = {
      code: 'HEADER_MISMATCH',
      message: `unknown column(s) ${columns}`,
      reasonKey: 'quarantine/x.reason.json',
    };
    const notice = {
      kind: 'UPLOAD_QUARANTINED',
      subject: 'Upload quarantined (HEADER_MISMATCH): orders/wide.csv',
      detail,
    };
    await n.publish(notice);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    // SNS counts the message, the subject and the attributes (name, type, value) against 256 KiB.
    const attributes = Object.entries(input.MessageAttributes!).reduce(
      (sum, [k, v]) =>
        sum + Buffer.byteLength(k) + Buffer.byteLength(v.DataType!) + Buffer.byteLength(v.StringValue!),
      0,
    );
    const size = Buffer.byteLength(input.Message!) + Buffer.byteLength(input.Subject!) + attributes;
    expect(size).toBeLessThanOrEqual(256 * 1024);
    expect(Buffer.byteLength(input.Message!)).toBeGreaterThan(250 * 1024); // cut as little as fits
    const sent = JSON.parse(input.Message!);
    expect(sent.detailCut).toBe(true);
    expect(sent.detail.code).toBe('HEADER_MISMATCH');
    expect(sent.detail.reasonKey).toBe('quarantine/x.reason.json');
    expect(sent.detail.message.startsWith(detail.message.slice(0, 1000))).toBe(true);
    expect(sent.detail.message).toMatch(/… \(\d+ more characters cut: the notice's limit\)$/);
    // The local notifier writes the same text.
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'notify-'));
    await new LocalNotifier(lake, () => at).publish(notice);
    expect(await fs.readFile(path.join(lake, 'notifications.jsonl'), 'utf8')).toBe(input.Message + '\n');
  });

  it('sends a detail of very many short values as an outline of its keys', async () => {
    sns.on(PublishCommand).resolves({});
    const n = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:t', () => at);
    const ids = Array.from({ length: 60_000 }, (_, i) => `id-${i}`);
    await n.publish({ kind: 'K', subject: 's', detail: { table: 'orders', ids } });
    const sent = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(sent).toEqual({
      kind: 'K',
      subject: 's',
      detail: { table: 'orders', ids: '(60000 items cut)' },
      detailCut: true,
      publishedAt: at.toISOString(),
    });
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
