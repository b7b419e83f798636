/**
 * Telling processes apart across pid reuse and zombies (lib/process-identity.ts), and the claims that rely on it:
 * local executions (local/step-functions/execution-claims.ts), the engine file, temporary files.
 */
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempFileName, tempFileOwnerRunning } from '../../lib/durable-fs';
import {
  isThisProcess,
  parseProcessTag,
  processRunning,
  processTag,
  tagRunning,
  thisProcess,
} from '../../lib/process-identity';
import {
  claimExecution,
  claimPath,
  liveClaim,
  openInstances,
} from '../../local/step-functions/execution-claims';
import { executionsToResume } from '../../local/step-functions/execution-recovery';
import { lockLake } from '../../lib/etl/duckdb-runner/lake-lock';
import { removeStaleFile } from '../../lib/stale-file';
import {
  claimsDir,
  engineAlive,
  engineFile,
  type ExecutionRecord,
  readExecution,
  writeRecord,
} from '../../lib/workflow/local';
import { until } from '../support/until';

const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

/** A child killed and left unreaped (its parent, sleep, never waits): a zombie. Returns its pid and a cleanup. */
async function zombie(): Promise<{ pid: number; start: string; done: () => void }> {
  const parent = spawn('sh', ['-c', 'sh -c "echo \\$\\$; exec sleep 600" & exec sleep 600'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  const start = startOf(pid);
  process.kill(pid, 'SIGKILL');
  await until('a zombie', async () =>
    readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z') ? true : undefined,
  );
  return { pid, start, done: () => process.kill(-parent.pid!, 'SIGKILL') };
}

describe('process identity', () => {
  const me = thisProcess();

  it('names this process by pid, start time and boot', () => {
    expect(me.pid).toBe(process.pid);
    expect(me.start).toBe(startOf(process.pid));
    expect(me.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(isThisProcess({ ...me })).toBe(true);
    expect(parseProcessTag(processTag())).toEqual({
      pid: me.pid,
      start: me.start,
      boot: me.boot.replace(/-/g, '').slice(0, 12),
    });
  });

  it('a process with this pid but another start time or boot is not running (pid reuse, as in a container)', () => {
    expect(processRunning({ ...me, start: String(Number(me.start) + 1) })).toBe(false);
    expect(processRunning({ ...me, boot: 'another-boot' })).toBe(false);
    expect(tagRunning(processTag({ ...me, start: '1' }))).toBe(false);
    expect(tagRunning(processTag())).toBe(true);
  });

  it('a running process is running; one that exited is not', () => {
    const parent = { pid: process.ppid, start: startOf(process.ppid), boot: me.boot };
    expect(processRunning(parent)).toBe(true);
    expect(tagRunning(processTag(parent))).toBe(true);
    expect(processRunning({ pid: 2 ** 22 + 3, start: '1', boot: me.boot })).toBe(false);
  });

  it('a zombie is not running, though kill(pid, 0) still answers', async () => {
    const z = await zombie();
    try {
      expect(() => process.kill(z.pid, 0)).not.toThrow();
      expect(processRunning({ pid: z.pid, start: z.start, boot: me.boot })).toBe(false);
      expect(tagRunning(processTag({ pid: z.pid, start: z.start, boot: me.boot }))).toBe(false);
      expect(processRunning({ pid: z.pid, start: '', boot: '' })).toBe(false); // an identity of an earlier version
    } finally {
      z.done();
    }
  });

  it('temporary files name their process: this one, a reused pid, an old pid-only name', () => {
    expect(tempFileOwnerRunning(tempFileName())).toBe(true);
    const reused = processTag({ ...me, start: '1' });
    expect(tempFileOwnerRunning(`${reused}-abcdef.tmp`)).toBe(false);
    expect(tempFileOwnerRunning(`${process.ppid}-abcdef.tmp`)).toBe(true);
    expect(tempFileOwnerRunning(`${2 ** 22 + 5}-abcdef.tmp`)).toBe(false);
  });
});

describe('local execution claims and the engine file', () => {
  let lake: string;
  const machine = 'etl';
  beforeEach(async () => {
    lake = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-'));
    await fs.mkdir(claimsDir(lake, machine), { recursive: true });
  });
  const claim = (owner: object) => fs.writeFile(claimPath(lake, machine, 'run-1'), JSON.stringify(owner));

  it('a claim of this process is live while its engine instance is open', async () => {
    await claim({ ...thisProcess(), instance: 'open-one' });
    openInstances.add('open-one');
    try {
      expect(await liveClaim(lake, machine, 'run-1')).toMatchObject({ instance: 'open-one' });
    } finally {
      openInstances.delete('open-one');
    }
    expect(await liveClaim(lake, machine, 'run-1')).toBe('dead');
  });

  it('a claim by a process that had this pid (a restarted container) is dead, whatever instances are open', async () => {
    await claim({ ...thisProcess(), start: '1', instance: 'same-name' });
    openInstances.add('same-name');
    try {
      expect(await liveClaim(lake, machine, 'run-1')).toBe('dead');
    } finally {
      openInstances.delete('same-name');
    }
  });

  it('a claim by a zombie is dead; by a running process, live', async () => {
    const z = await zombie();
    try {
      await claim({ pid: z.pid, start: z.start, boot: thisProcess().boot, instance: 'x' });
      expect(await liveClaim(lake, machine, 'run-1')).toBe('dead');
    } finally {
      z.done();
    }
    await claim({ pid: process.ppid, start: startOf(process.ppid), boot: thisProcess().boot, instance: 'y' });
    expect(await liveClaim(lake, machine, 'run-1')).toMatchObject({ instance: 'y' });
  });

  it("a dead engine's claim is taken by one engine only, however many judged it dead at once", async () => {
    // Three lakes on the folder find the same dead sibling's execution: one runs it again, one restart more.
    const record: ExecutionRecord = {
      name: 'run-1',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:data-lake-local-etl:run-1',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:data-lake-local-etl',
      status: 'RUNNING',
      requestedBy: { pid: process.pid },
      input: {},
      startDate: new Date().toISOString(),
      runStartDate: new Date().toISOString(),
      runBy: { pid: process.pid, instance: 'gone' },
    };
    await writeRecord(lake, machine, record);
    await claim({ ...thisProcess(), start: '1', instance: 'gone' });
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const publish = async () => {};
    const found = await Promise.all(
      [1, 2, 3].map(() => executionsToResume(lake, machine, log, publish, true)),
    );
    expect(found.flat().map((r) => r.name)).toEqual(['run-1']);
    expect(await readExecution(lake, machine, 'run-1')).toMatchObject({ restarts: 1 });
    // One not yet started: claimed by one engine only.
    await writeRecord(lake, machine, { ...record, name: 'run-2', runStartDate: undefined });
    await fs.writeFile(
      claimPath(lake, machine, 'run-2'),
      JSON.stringify({ ...thisProcess(), instance: 'gone' }),
    );
    const engines = ['a', 'b', 'c'];
    engines.forEach((i) => openInstances.add(i));
    try {
      const claimed = await Promise.all(engines.map((i) => claimExecution(lake, machine, 'run-2', i)));
      expect(claimed.filter(Boolean)).toHaveLength(1);
    } finally {
      engines.forEach((i) => openInstances.delete(i));
    }
  });

  it('the engine file names a process: a dead engine with a reused pid is not serving', async () => {
    await fs.writeFile(
      engineFile(lake, machine),
      JSON.stringify({ ...thisProcess(), start: '1', instance: 'e' }),
    );
    expect(await engineAlive(lake, machine)).toBe(false);
    await fs.writeFile(engineFile(lake, machine), JSON.stringify({ ...thisProcess(), instance: 'e' }));
    expect(await engineAlive(lake, machine)).toBe(true);
  });
});

describe('the ETL lake lock', () => {
  let curated: string;
  const lockFile = () => path.join(curated, '_state', 'locks', '_lake.lock');
  beforeEach(async () => {
    curated = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-lock-'));
    await fs.mkdir(path.dirname(lockFile()), { recursive: true });
  });
  const plantLock = (holder: object) =>
    fs.writeFile(lockFile(), JSON.stringify({ ...holder, runId: 'old-run' }));

  it('is taken over from a process that had this pid (a restarted container) and from a zombie', async () => {
    await plantLock({ ...thisProcess(), start: '1' });
    await (
      await lockLake(curated, 'run-a')
    )();
    const z = await zombie();
    try {
      await plantLock({ pid: z.pid, start: z.start, boot: thisProcess().boot });
      const release = await lockLake(curated, 'run-b');
      expect(JSON.parse(await fs.readFile(lockFile(), 'utf8'))).toMatchObject({
        runId: 'run-b',
        ...thisProcess(),
      });
      await release();
    } finally {
      z.done();
    }
  });

  it('a stale lock is removed only if it is still the one judged, by one process at a time', async () => {
    await plantLock({ pid: 999_999_999, start: '1', boot: 'gone' });
    const stale = await fs.readFile(lockFile(), 'utf8');
    // Another run took it over meanwhile: its fresh lock is not removed.
    await plantLock({ ...thisProcess(), runId: 'other' });
    expect(await removeStaleFile(lockFile(), stale)).toBe(false);
    expect(await fs.readFile(lockFile(), 'utf8')).not.toBe(stale);
    // Another process is taking it over (its guard): left to that one.
    await fs.writeFile(lockFile(), stale);
    await fs.writeFile(`${lockFile()}.takeover`, '');
    expect(await removeStaleFile(lockFile(), stale)).toBe(false);
    expect(await fs.readFile(lockFile(), 'utf8')).toBe(stale);
    // A guard left by a process that died taking it over goes; then the stale lock is removed.
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(`${lockFile()}.takeover`, old, old);
    expect(await removeStaleFile(lockFile(), stale)).toBe(false);
    expect(await removeStaleFile(lockFile(), stale)).toBe(true); // the one to take it over
    await expect(fs.stat(lockFile())).rejects.toThrow();
    await expect(fs.stat(`${lockFile()}.takeover`)).rejects.toThrow();
  });

  it('is not taken from a running process', async () => {
    await plantLock({ pid: process.ppid, start: startOf(process.ppid), boot: thisProcess().boot });
    await expect(lockLake(curated, 'run-c')).rejects.toMatchObject({
      name: 'Glue.ConcurrentRunsExceededException',
    });
  });
});
