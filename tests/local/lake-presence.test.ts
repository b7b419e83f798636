/**
 * Lakes on one folder from two pid namespaces (lib/lake-presence.ts): /proc shows neither the other's process, so
 * each judges the other by its heartbeat — and a lake does not start beside a running one, while one killed in a
 * container is waited for until its heartbeat is stale.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  claimLakeDir,
  folderIdentity,
  LakeDirInUse,
  otherLakes,
  pidNamespace,
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_STALE_MS,
  type LakePresence,
} from '../../lib/lake-presence';
import { thisProcess } from '../../lib/process-identity';
import { engineAlive } from '../../lib/workflow/local';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const root = path.resolve(__dirname, '../..');

/** A presence file as a lake of pid namespace `ns` left it, last touched `ageMs` ago. */
async function plant(lake: string, ns: string, ageMs: number, pid = 7, command?: string): Promise<string> {
  const p: LakePresence = {
    tag: `${pid}.123.abc`,
    pid,
    ns,
    startedAt: new Date().toISOString(),
    ...(command ? { command } : {}),
  };
  const file = path.join(lake, '.lakes', `${p.tag}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(p));
  const at = new Date(Date.now() - ageMs);
  await fs.utimes(file, at, at);
  return file;
}

/** What tests/support/presence-holder.ts prints once it holds the folder: its pid and pid namespace. */
const holding = (holder: ChildProcess) =>
  new Promise<{ pid: number; ns: string }>((resolve, reject) => {
    let out = '';
    holder.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    holder.on('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });

const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['-fp', '--mount-proc', 'true']).status === 0;

describe('lakes on one folder, across pid namespaces', () => {
  it('judges a heartbeat ahead of the clock (the clock stepped back) by whether it moves: gone once it stays as it was', async () => {
    const lake = await tempLake();
    const ahead = await plant(lake, 'pid:[1]', -10 * 60_000);
    const t0 = performance.now();
    // First seen: it may be a running lake whose next heartbeat writes the clock's time.
    expect(await otherLakes(lake, Date.now(), t0)).toEqual([
      expect.objectContaining({ pid: 7, foreign: true, heartbeatAgeMs: 0 }),
    ]);
    // (The monotonic times are floats: t0 + 5,000 - t0 may be 5,000.000000000001.)
    expect(await otherLakes(lake, Date.now(), t0 + 5_000)).toEqual([
      expect.objectContaining({ pid: 7, heartbeatAgeMs: expect.closeTo(5_000, 6) }),
    ]);
    // Touched again (still ahead: a lake on a machine whose clock is ahead): running, timed afresh.
    const later = new Date(Date.now() + 10 * 60_000 + 3_000);
    await fs.utimes(ahead, later, later);
    expect(await otherLakes(lake, Date.now(), t0 + PRESENCE_STALE_MS + 1_000)).toEqual([
      expect.objectContaining({ pid: 7, heartbeatAgeMs: 0 }),
    ]);
    // Unchanged for PRESENCE_STALE_MS: a lake killed before the step; its file goes.
    expect(await otherLakes(lake, Date.now(), t0 + 2 * PRESENCE_STALE_MS + 2_000)).toEqual([]);
    await expect(fs.stat(ahead)).rejects.toThrow();
  });

  it('judges a lake of another namespace by its heartbeat, one of this namespace by its process', async () => {
    const lake = await tempLake();
    const fresh = await plant(lake, 'pid:[1]', 1_000);
    const others = await otherLakes(lake);
    expect(others).toEqual([expect.objectContaining({ pid: 7, ns: 'pid:[1]', foreign: true })]);
    expect(await engineAlive(lake)).toBe(true); // a CLI hands its execution to that lake
    // Stale: a lake killed in its container; its file goes.
    const at = new Date(Date.now() - PRESENCE_STALE_MS - 1_000);
    await fs.utimes(fresh, at, at);
    expect(await otherLakes(lake)).toEqual([]);
    await expect(fs.stat(fresh)).rejects.toThrow();
    // This namespace, heartbeat fresh, but no such process (pid above pid_max): gone at once.
    const dead = await plant(lake, pidNamespace(), 0, 99_999_999);
    expect(await otherLakes(lake)).toEqual([]);
    await expect(fs.stat(dead)).rejects.toThrow();
    expect(await engineAlive(lake)).toBe(false);
  });

  it('waits for a lake of another namespace whose heartbeat goes stale (killed in a container), then starts', async () => {
    const lake = await tempLake();
    await plant(lake, 'pid:[1]', PRESENCE_STALE_MS - 1_500);
    const waited: number[] = [];
    const t0 = Date.now();
    const presence = await claimLakeDir(lake, (o) => waited.push(o.length));
    expect(waited).toEqual([1]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect((await fs.readdir(path.join(lake, '.lakes'))).length).toBe(1); // its own
    await presence.stop();
    expect(await fs.readdir(path.join(lake, '.lakes'))).toEqual([]);
  });

  it('tells a lake whose presence file another judged stale and removed (a paused container): it lost the folder', async () => {
    const lake = await tempLake();
    let lost = 0;
    const presence = await claimLakeDir(lake, undefined, 500, () => lost++);
    try {
      const [file] = await fs.readdir(path.join(lake, '.lakes'));
      // Still there at the heartbeat: nothing to tell.
      await new Promise((r) => setTimeout(r, PRESENCE_HEARTBEAT_MS + 500));
      expect(lost).toBe(0);
      // Removed by a lake or command that judged it gone (otherLakes, once its heartbeat was stale).
      await fs.rm(path.join(lake, '.lakes', file!));
      await until('the next heartbeat', async () => (lost > 0 ? true : undefined), { timeoutMs: 10_000 });
      expect(lost).toBe(1);
      await until('the file written again', async () =>
        (await fs.stat(path.join(lake, '.lakes', file!)).catch(() => undefined)) ? true : undefined,
      );
    } finally {
      await presence.stop();
    }
  });

  it('refuses to start beside a running lake of another namespace, naming it', async () => {
    const lake = await tempLake();
    const file = await plant(lake, 'pid:[1]', 0, 4242);
    const beat = setInterval(() => void fs.utimes(file, new Date(), new Date()).catch(() => undefined), 200);
    try {
      const refused = await claimLakeDir(lake, undefined, 1_500).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LakeDirInUse);
      expect((refused as Error).message).toMatch(
        /^another local lake runs on .* from another pid namespace .*: pid 4242 there, .* stop that lake first, or give this one another LAKE_DIR$/,
      );
      expect((await fs.readdir(path.join(lake, '.lakes'))).length).toBe(1); // its own file removed again
    } finally {
      clearInterval(beat);
    }
  });

  it('a command running an execution in its own process (another namespace): no lake to hand executions to, and none starts beside it', async () => {
    const lake = await tempLake();
    const file = await plant(lake, 'pid:[1]', 0, 4343, 'execution rebuild-orders-20261205T190000000Z');
    const beat = setInterval(() => void fs.utimes(file, new Date(), new Date()).catch(() => undefined), 200);
    try {
      expect(await otherLakes(lake)).toEqual([
        expect.objectContaining({
          pid: 4343,
          foreign: true,
          command: 'execution rebuild-orders-20261205T190000000Z',
        }),
      ]);
      // A command serves no executions: another command runs its own (and waits for this one's end to claim).
      expect(await engineAlive(lake)).toBe(false);
      const refused = await claimLakeDir(lake, undefined, 1_500).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LakeDirInUse);
      expect((refused as Error).message).toMatch(
        /^a command \(execution rebuild-orders-20261205T190000000Z\) that runs an execution in its own process runs on .* from another pid namespace .*: pid 4343 there, .* wait until it has ended, or give this one another LAKE_DIR$/,
      );
    } finally {
      clearInterval(beat);
    }
  });

  it("a copy of a running lake's folder (cp -a) is no folder that lake serves: its presence and engine files name the original's", async () => {
    const lake = await tempLake();
    const holder: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/support/presence-holder.ts', lake],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const held = await holding(holder);
    try {
      // The engine file a lake's state machine writes: this process stands for the holder's engine.
      const engine = path.join(lake, '.stepfunctions', 'etl', '.engine.json');
      await fs.mkdir(path.dirname(engine), { recursive: true });
      await fs.writeFile(
        engine,
        JSON.stringify({ ...thisProcess(), instance: 'x', folder: await folderIdentity(lake) }),
      );
      expect(await otherLakes(lake)).toEqual([expect.objectContaining({ pid: held.pid, foreign: false })]);
      expect(await engineAlive(lake)).toBe(true);
      const copy = `${lake}-copy`;
      expect(spawnSync('cp', ['-a', lake, copy]).status).toBe(0);
      expect(await otherLakes(copy)).toEqual([]);
      expect(await engineAlive(copy)).toBe(false);
      // The original's are judged as before, and the copy's file is left where it is.
      expect(await otherLakes(lake)).toEqual([expect.objectContaining({ pid: held.pid })]);
      expect(await fs.readdir(path.join(copy, '.lakes'))).toHaveLength(1);
    } finally {
      const exit = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGTERM');
      await exit;
    }
  }, 60_000);

  (canUnshare ? it : it.skip)(
    'for real: a lake holding the folder in another pid namespace is seen running, and gone once stopped',
    async () => {
      const lake = await tempLake();
      const holder: ChildProcess = spawn(
        'unshare',
        [
          '-fp',
          '--mount-proc',
          process.execPath,
          '--import',
          'tsx',
          'tests/support/presence-holder.ts',
          lake,
        ],
        { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const held = await holding(holder);
      try {
        expect(held.ns).not.toBe(pidNamespace());
        expect(await otherLakes(lake)).toEqual([expect.objectContaining({ pid: held.pid, foreign: true })]);
        await expect(claimLakeDir(lake, undefined, 500)).rejects.toBeInstanceOf(LakeDirInUse);
      } finally {
        // To its process group: unshare passes no signal on to the lake it forked.
        const exit = new Promise((r) => holder.once('exit', r));
        process.kill(-holder.pid!, 'SIGTERM');
        await exit;
      }
      expect(await otherLakes(lake)).toEqual([]);
      await (await claimLakeDir(lake, undefined, 500)).stop();
    },
    60_000,
  );
});
