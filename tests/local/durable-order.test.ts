/**
 * Files the local lake replaces are replaced only once the new content is on disk: when fsync fails (EIO), the old
 * file stays, whole, and no temporary file is left. A crash test cannot see a reversed order (SIGKILL leaves the
 * page cache to the kernel), so the sync itself is made to fail: execution records (lib/workflow/local.ts) and every
 * file written with writeFileDurably (history, query state, objects).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileDurably } from '../../lib/durable-fs';
import {
  executionsDir,
  readExecution,
  requestExecution,
  writeRecord,
  type ExecutionRecord,
} from '../../lib/workflow/local';

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

async function fileHandlePrototype(): Promise<{ sync: () => Promise<void> }> {
  const fh = await fs.open(path.join(os.tmpdir(), `fh-probe-${process.pid}`), 'w');
  await fh.close();
  return Object.getPrototypeOf(fh);
}

/** Every file below `dir`. */
async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe('replacing a file waits for its content to be on disk', () => {
  let lake: string;
  beforeEach(async () => {
    lake = await fs.mkdtemp(path.join(os.tmpdir(), 'durable-order-'));
  });
  afterEach(() => jest.restoreAllMocks());

  it('an execution record is not replaced when the new one cannot be synced', async () => {
    await requestExecution(lake, 'etl', 'run-1', { file: 'a.csv' });
    const before = (await readExecution(lake, 'etl', 'run-1'))!;
    const files = await filesIn(executionsDir(lake, 'etl'));
    jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(eio());
    const next: ExecutionRecord = { ...before, status: 'SUCCEEDED', stopDate: new Date().toISOString() };
    await expect(writeRecord(lake, 'etl', next)).rejects.toThrow(/EIO/);
    expect(await readExecution(lake, 'etl', 'run-1')).toEqual(before);
    expect(await filesIn(executionsDir(lake, 'etl'))).toEqual(files); // no temporary file left
    await writeRecord(lake, 'etl', next);
    expect(await readExecution(lake, 'etl', 'run-1')).toEqual(next);
  });

  it('an execution whose record cannot be synced is not started (no record, the caller sees the error)', async () => {
    jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(eio());
    await expect(requestExecution(lake, 'etl', 'run-2', {})).rejects.toThrow(/EIO/);
    expect(await readExecution(lake, 'etl', 'run-2')).toBeUndefined();
    expect((await requestExecution(lake, 'etl', 'run-2', {})).alreadyStarted).toBe(false);
  });

  it('writeFileDurably keeps the old file when the new content cannot be synced', async () => {
    const target = path.join(lake, 'state', 'query.json');
    await writeFileDurably(target, 'old');
    jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(eio());
    await expect(writeFileDurably(target, 'new')).rejects.toThrow(/EIO/);
    expect(await fs.readFile(target, 'utf8')).toBe('old');
    expect(await filesIn(lake)).toEqual(['state/query.json']);
  });
});
