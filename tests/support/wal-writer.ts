/**
 * A process that writes to the local Firehose, for the ownership tests (tests/local/wal-ownership.test.ts):
 *   node --import tsx tests/support/wal-writer.ts <lakeDir> <records> hold|close
 * Opens the stream (delivering what gone writers left), writes <records> records (each acknowledged), prints
 * `{"pid":…,"acked":…}`, then either holds (to be killed) or closes and prints the close report.
 */
import { LocalFirehose } from '../../lib/firehose/local';

async function main(): Promise<void> {
  const [lakeDir, count, mode] = process.argv.slice(2);
  if (!lakeDir || !count || (mode !== 'hold' && mode !== 'close'))
    throw new Error('usage: wal-writer <lakeDir> <records> hold|close');
  const stream = await LocalFirehose.open({
    lakeDir,
    streamName: 'test-events',
    bufferBytes: 1 << 30,
    bufferIntervalMs: 3_600_000,
  });
  let acked = 0;
  const n = Number(count);
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => {
      const id = `${process.pid}-${i + j}-${Date.now()}`;
      return { id, type: 'page_view', line: JSON.stringify({ id, type: 'page_view', data: {} }) };
    });
    const { failed } = await stream.putRecords(batch);
    if (failed.length) throw new Error(`refused: ${JSON.stringify(failed[0])}`);
    acked += batch.length;
  }
  process.stdout.write(JSON.stringify({ pid: process.pid, acked, recovered: stream.stats.recovered }) + '\n');
  if (mode === 'hold') {
    setInterval(() => undefined, 1 << 30);
    return;
  }
  process.stdout.write(JSON.stringify(await stream.close()) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
