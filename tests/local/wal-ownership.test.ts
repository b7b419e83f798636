/**
 * Who owns a local Firehose segment, for real: acknowledged records are delivered whatever became of the process
 * that wrote them — killed in a container (the next lake gets the same pid), killed and not yet reaped (a zombie),
 * or a writer of this very process that was lost — and never by two writers at once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalFirehose } from '../../lib/firehose/local';
import { processTag, thisProcess } from '../../lib/process-identity';
import { deliveredRecords, tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const root = path.resolve(__dirname, '../..');
const writer = path.join(root, 'tests/support/wal-writer.ts');
const STREAM = 'test-events';
const stateDirOf = (lake: string) => path.join(lake, '.firehose', STREAM);
const segmentsIn = async (lake: string) =>
  (await fs.readdir(stateDirOf(lake))).filter((f) => f.endsWith('.wal') || f.endsWith('.sealed'));

const open = (lakeDir: string, over: Partial<Parameters<typeof LocalFirehose.open>[0]> = {}) =>
  LocalFirehose.open({
    lakeDir,
    streamName: STREAM,
    bufferBytes: 1 << 20,
    bufferIntervalMs: 60_000,
    ...over,
  });

const line = (id: string) => `${Date.now()}\tpage_view\t${JSON.stringify({ id, type: 'page_view' })}\n`;

/** Writes a segment as the writer `owner` left it. */
async function plant(lake: string, owner: string, ids: string[], suffix = '.wal'): Promise<string> {
  await fs.mkdir(stateDirOf(lake), { recursive: true });
  const name = `${owner}~${Date.now()}-0-${Math.random().toString(16).slice(2, 14)}${suffix}`;
  await fs.writeFile(path.join(stateDirOf(lake), name), ids.map(line).join(''));
  return name;
}

/** The first line a child prints, parsed. */
function firstLine(child: ChildProcess, stderr: () => string): Promise<{ pid: number; acked: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before writing: ${stderr()}`)));
  });
}

function startWriter(cmd: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(cmd, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()));

const node = [process.execPath, '--import', 'tsx', writer];

const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['-fp', '--mount-proc', 'true']).status === 0;

describe('local Firehose: segments belong to a process, not a pid', () => {
  (canUnshare ? it : it.skip)(
    'in a container (a new pid namespace), a restarted writer with the same pid delivers what the killed one acknowledged',
    async () => {
      const lake = await tempLake();
      const first = startWriter('unshare', ['-fp', '--mount-proc', ...node, lake, '300', 'hold']);
      const before = await firstLine(first.child, first.stderr);
      expect(before.acked).toBe(300);
      process.kill(-first.child.pid!, 'SIGKILL');
      await exited(first.child);
      expect(await segmentsIn(lake)).toHaveLength(1);

      const second = startWriter('unshare', ['-fp', '--mount-proc', ...node, lake, '0', 'close']);
      const after = await firstLine(second.child, second.stderr);
      await exited(second.child);
      expect(second.child.exitCode).toBe(0);
      expect(after.pid).toBe(before.pid); // the case itself: the same pid as the killed writer
      const delivered = (await deliveredRecords(lake)).map((r) => r.id as string);
      expect(delivered).toHaveLength(300);
      expect(new Set(delivered).size).toBe(300);
      expect(delivered.every((id) => id.startsWith(`${before.pid}-`))).toBe(true);
      expect(await segmentsIn(lake)).toEqual([]);
    },
    60_000,
  );

  it('a killed writer not yet reaped (a zombie) is gone: its acknowledged records are delivered', async () => {
    const lake = await tempLake();
    // sh execs sleep, which never reaps the writer it started: killed, the writer stays a zombie.
    const parent = startWriter('sh', ['-c', `"$@" & exec sleep 600`, 'sh', ...node, lake, '200', 'hold']);
    try {
      const { pid, acked } = await firstLine(parent.child, parent.stderr);
      expect(acked).toBe(200);
      process.kill(pid, 'SIGKILL');
      await until('the writer to be a zombie', async () =>
        readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z') ? true : undefined,
      );
      expect(() => process.kill(pid, 0)).not.toThrow(); // a pid check alone would call it alive
      const stream = await open(lake);
      expect(stream.stats.recovered).toBe(1);
      expect(await deliveredRecords(lake)).toHaveLength(200);
      expect((await stream.close()).left).toEqual([]);
    } finally {
      process.kill(-parent.child.pid!, 'SIGKILL');
    }
  }, 60_000);

  it('a segment tagged with this pid but another start time (pid reuse) is adopted', async () => {
    const lake = await tempLake();
    const me = thisProcess();
    const other = processTag({ ...me, start: `${Number(me.start) + 1}` });
    await plant(lake, `${other}.1`, ['reused-1', 'reused-2']);
    const stream = await open(lake);
    expect(stream.stats.recovered).toBe(1);
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['reused-1', 'reused-2']);
    await stream.close();
  });

  it('a writer of this process that is no longer open is gone; an open one is not', async () => {
    const lake = await tempLake();
    const live = await open(lake);
    await live.putRecords([{ id: 'live-1', type: 'page_view', line: JSON.stringify({ id: 'live-1' }) }]);
    await plant(lake, `${processTag()}.999999`, ['lost-1']);
    const other = await open(lake);
    expect(other.stats.recovered).toBe(1); // the lost writer's, not the open one's
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['lost-1']);
    await other.close();
    expect((await live.close()).left).toEqual([]);
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(['live-1', 'lost-1']);
  });

  it("leaves a running process's segments alone, and says so when it closes", async () => {
    const lake = await tempLake();
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    const parentTag = processTag({ pid: process.ppid, start, boot: thisProcess().boot });
    const name = await plant(lake, `${parentTag}.1`, ['theirs']);
    const stream = await open(lake);
    const report = await stream.close();
    expect(await deliveredRecords(lake)).toEqual([]);
    expect(report.left).toEqual([]);
    expect(report.heldByOthers).toEqual([{ file: path.join(stateDirOf(lake), name), pid: process.ppid }]);
  });

  it('while running, finds segments of writers that went away, and two writers deliver each once', async () => {
    const lake = await tempLake();
    const errors: Error[] = [];
    const opts = { orphanScanMs: 20, onError: (e: Error) => void errors.push(e) };
    const a = await open(lake, opts);
    const b = await open(lake, opts);
    const ids: string[] = [];
    for (let s = 0; s < 20; s++) {
      const seg = Array.from({ length: 10 }, (_, i) => `gone-${s}-${i}`);
      ids.push(...seg);
      await plant(lake, `${processTag()}.${900000 + s}`, seg, s % 2 ? '.sealed' : '.wal');
    }
    await until('the orphans to be delivered', async () =>
      (await segmentsIn(lake)).length === 0 ? true : undefined,
    );
    await a.close();
    await b.close();
    expect(errors).toEqual([]);
    expect(a.stats.recovered + b.stats.recovered).toBe(20);
    expect((await deliveredRecords(lake)).map((r) => r.id).sort()).toEqual(ids.sort());
  });

  it('retries a failed delivery while running, and reports one that still fails at close', async () => {
    const lake = await tempLake();
    const errors: Error[] = [];
    // A file where the delivery's folder must go: every delivery into raw/events/ fails (ENOTDIR).
    await fs.mkdir(path.join(lake, 'raw'), { recursive: true });
    await fs.writeFile(path.join(lake, 'raw', 'events'), 'in the way');
    await plant(lake, `${processTag()}.999998`, ['blocked-1']);
    const stream = await open(lake, { orphanScanMs: 20, onError: (e) => void errors.push(e) });
    expect(errors.length).toBeGreaterThan(0);
    await fs.rm(path.join(lake, 'raw', 'events'));
    await until('the retried delivery', async () =>
      (await deliveredRecords(lake)).length ? true : undefined,
    );
    expect((await stream.close()).left).toEqual([]);

    await fs.rm(path.join(lake, 'raw', 'events'), { recursive: true });
    await fs.writeFile(path.join(lake, 'raw', 'events'), 'in the way');
    const again = await open(lake, { onError: () => undefined });
    await again.putRecords([{ id: 'kept', type: 'page_view', line: JSON.stringify({ id: 'kept' }) }]);
    const report = await again.close();
    expect(report.left).toHaveLength(1);
    expect(report.left[0]!.reason).toMatch(/^delivery failed: .*ENOTDIR/);
    // The next writer, once the way is clear, delivers it.
    await fs.rm(path.join(lake, 'raw', 'events'));
    await (await open(lake)).close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['kept']);
  });

  it('says why a segment it could not seal is left (the folder refused the rename), then the next writer delivers it', async () => {
    const lake = await tempLake();
    const stream = await open(lake, { onError: () => undefined });
    await stream.putRecords([
      { id: 'unsealed', type: 'page_view', line: JSON.stringify({ id: 'unsealed' }) },
    ]);
    const rename = fs.rename;
    const refused = jest.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(from).endsWith('.wal'))
        throw Object.assign(
          new Error(`EACCES: permission denied, rename '${String(from)}' -> '${String(to)}'`),
          {
            code: 'EACCES',
          },
        );
      return rename(from, to);
    });
    let report;
    try {
      report = await stream.close();
    } finally {
      refused.mockRestore();
    }
    expect(report.left).toEqual([
      {
        file: expect.stringMatching(/\.wal$/),
        reason: expect.stringMatching(/^sealing failed: EACCES: permission denied, rename/),
      },
    ]);
    await (await open(lake)).close();
    expect((await deliveredRecords(lake)).map((r) => r.id)).toEqual(['unsealed']);
  });
});
