/**
 * The local query engine's sandbox, tested on the lock itself (not through the read-only guard, which refuses a SET
 * before DuckDB sees it): once the configuration is locked, no connection can widen what DuckDB may read.
 */
import { promises as fs, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openQuerySandbox } from '../../lib/query/duckdb-sandbox';

let root: string;
let instance: DuckDBInstance;

beforeAll(async () => {
  root = realpathSync(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-')));
  await fs.mkdir(path.join(root, 'allowed'));
  await fs.mkdir(path.join(root, 'tmp'));
  await fs.writeFile(path.join(root, 'allowed', 'a.csv'), 'x\n1\n');
  await fs.writeFile(path.join(root, 'secret.csv'), 'x\n2\n');
  ({ instance } = await openQuerySandbox({
    database: 'data_lake_test',
    allowedDirectories: [path.join(root, 'allowed') + path.sep],
    tmpDir: path.join(root, 'tmp'),
    memoryLimit: '256MB',
    threads: 1,
  }));
});

afterAll(() => instance?.closeSync());

describe('the query sandbox', () => {
  it('reads the allowed folder, and nothing else', async () => {
    const c = await instance.connect();
    const ok = await c.runAndReadAll(`SELECT x FROM read_csv('${path.join(root, 'allowed', 'a.csv')}')`);
    expect(ok.getRows()).toEqual([[1n]]);
    await expect(c.run(`SELECT * FROM read_csv('${path.join(root, 'secret.csv')}')`)).rejects.toThrow(
      /Permission Error|disabled by configuration/,
    );
  });

  it.each([
    'SET enable_external_access = true',
    `SET allowed_directories = ['/']`,
    'SET lock_configuration = false',
    'RESET allowed_directories',
    'SET GLOBAL enable_external_access = true',
  ])('refuses %s from any connection: the configuration is locked', async (statement) => {
    const c = await instance.connect();
    await expect(c.run(statement)).rejects.toThrow(/locked/i);
    await expect(c.run(`SELECT * FROM read_csv('${path.join(root, 'secret.csv')}')`)).rejects.toThrow(
      /Permission Error|disabled by configuration/,
    );
  });
});
