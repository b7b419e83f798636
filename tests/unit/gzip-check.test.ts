/**
 * The local runner's check that a gzip input is whole (lib/etl/duckdb-runner/gzip-check.ts): a cut stream is the
 * input's problem (skipped, named); a file that cannot be read at all is the run's failure, as a plain file's read and
 * the Glue job's S3 read are (a .gz gone between listing and its batch was reported as a damaged stream).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { gzipProblem } from '../../lib/etl/duckdb-runner/gzip-check';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gzip-check-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('answers nothing for a whole stream and names a cut one', async () => {
  const whole = gzipSync(Buffer.from('order_id\no1\n'.repeat(1000)));
  await fs.writeFile(path.join(dir, 'whole.csv.gz'), whole);
  await fs.writeFile(path.join(dir, 'cut.csv.gz'), whole.subarray(0, whole.length - 20));
  expect(await gzipProblem(path.join(dir, 'whole.csv.gz'))).toBeUndefined();
  expect(await gzipProblem(path.join(dir, 'cut.csv.gz'))).toMatch(/^not a complete gzip stream \(/);
});

it('fails with the read error for a file that is not there, rather than calling it a damaged stream', async () => {
  await expect(gzipProblem(path.join(dir, 'gone.csv.gz'))).rejects.toMatchObject({
    code: 'ENOENT',
    message: expect.stringContaining('gone.csv.gz'),
  });
});
