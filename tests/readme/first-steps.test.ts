/**
 * What a newcomer's first slips print (issue 12 §5): each is one clear answer, not a stack trace, and changes nothing.
 *   - a second `npm start` on a busy port: one line, before anything starts or is written;
 *   - a schema the catalog generator refuses: the generator's reason, not "Command failed: … serverless.js print";
 *   - `npm run compact` where there is no lake: says so, makes none; on an empty lake: says which, and that it was empty;
 *   - `npm run executions` right after a file was dropped: names the file the watcher has not taken yet.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { projectCopy } from '../support/project-copy';
import { fillUntilFree, mountTmpfs } from '../support/tmpfs';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** `npm run <script>` (or `npm start`) in `cwd`; resolves to its exit code and everything it printed. */
const npm = (args: string[], env: Record<string, string | undefined>, cwd = root) =>
  command('npm', args, env, cwd);

/** A command in `cwd`; resolves to its exit code and everything it printed. */
async function command(file: string, args: string[], env: Record<string, string | undefined>, cwd = root) {
  try {
    const r = await run(file, args, { cwd, env: { ...process.env, ...env }, timeout: 90_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** What the command printed itself: without npm's banner and blank lines. */
const said = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('> '))
    .join('\n');

let scratch: string;
beforeEach(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'first-steps-'));
});
afterEach(() => fs.rm(scratch, { recursive: true, force: true }));

it('a second npm start on a busy port says so in one line, and starts and writes nothing', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as net.AddressInfo).port;
  const lake = path.join(scratch, 'lake');
  try {
    const r = await npm(['start'], { PORT: String(port), LAKE_DIR: lake, LOG_FORMAT: 'json' });
    expect(r.code).toBe(1);
    expect(said(r.out)).toBe(
      `failed to start the local data lake: port ${port} on 127.0.0.1 is already in use (another npm start?): ` +
        `stop it, or choose another port, e.g. PORT=${port + 1} npm start`,
    );
    expect(existsSync(lake)).toBe(false);
  } finally {
    busy.close();
  }
}, 60_000);

it.each([
  [{ PORT: '' }, "PORT must be a port number (0-65535), got ''"],
  [{ PORT: '1e3' }, "PORT must be a port number (0-65535), got '1e3'"],
  [{ LAKE_ACCESS_LOG: 'no' }, "LAKE_ACCESS_LOG must be true or false, got 'no'"],
  [{ POWERTOOLS_LOG_LEVEL: 'LOUD' }, /^POWERTOOLS_LOG_LEVEL must be one of TRACE, .*, got 'LOUD'$/],
  [{ LAKE_API_KEY: 'clé' }, /^LAKE_API_KEY must be visible ASCII characters/],
  [
    { LAKE_SFN_STOP_GRACE_SECONDS: 'abc' },
    "LAKE_SFN_STOP_GRACE_SECONDS must be a whole number >= 0, got 'abc'",
  ],
  [{ UPLOAD_SAMPLE_ROWS: 'abc' }, "UPLOAD_SAMPLE_ROWS must be a positive integer, got 'abc'"],
  [{ LAKE_SFN_MAX_CONCURRENCY: 'abc' }, "LAKE_SFN_MAX_CONCURRENCY must be a whole number >= 1, got 'abc'"],
  [{ LAKE_SFN_MAX_CONCURRENCY: '0' }, "LAKE_SFN_MAX_CONCURRENCY must be a whole number >= 1, got '0'"],
  [{ LAKE_SFN_WAIT_MS: '-5' }, "LAKE_SFN_WAIT_MS must be a whole number >= 0 or 'asl', got '-5'"],
  [{ LAKE_STAGE: 'prod' }, /^LAKE_STAGE=prod is a stage serverless.yml deploys to AWS/],
  // A typo is no AWS stage to deploy: its name is none serverless.yml declares.
  [
    { LAKE_STAGE: 'locl' },
    "LAKE_STAGE=locl is no stage serverless.yml declares (its params: local, dev, prod): the local lake runs the stage 'local' (LAKE_STAGE unset)",
  ],
])(
  'a setting that is no such value (%j) is refused at the start, naming it, and nothing is written',
  async (env, why) => {
    const lake = path.join(scratch, 'lake');
    const r = await npm(['start'], { PORT: '0', LAKE_DIR: lake, LOG_FORMAT: 'json', ...env });
    expect(r.code).toBe(1);
    const line = said(r.out)
      .split('\n')
      .at(-1)!
      .replace(/^failed to start the local data lake: /, '');
    if (typeof why === 'string') expect(line).toBe(why);
    else expect(line).toMatch(why);
    expect(existsSync(lake)).toBe(false);
  },
  120_000,
);

it.each([
  [{ LAKE_STAGE: 'prod' }, /^nothing ran: LAKE_STAGE=prod is a stage serverless.yml deploys to AWS/],
  [
    { POWERTOOLS_LOG_LEVEL: 'LOUD' },
    /^nothing ran: POWERTOOLS_LOG_LEVEL must be one of TRACE, .*, got 'LOUD'$/,
  ],
  [{ LAKE_SFN_MAX_CONCURRENCY: 'abc' }, /^nothing ran: LAKE_SFN_MAX_CONCURRENCY must be a whole number >= 1/],
])(
  'npm run compact without a running lake refuses what npm start refuses (%j) and writes nothing',
  async (env, why) => {
    const lake = path.join(scratch, 'refusing-lake');
    await fs.mkdir(path.join(lake, 'raw'), { recursive: true });
    const before = await fs.readdir(lake, { recursive: true });
    const r = await npm(['run', 'compact'], { LAKE_DIR: lake, ...env });
    expect(r.code).toBe(1);
    expect(said(r.out)).toMatch(why);
    expect(await fs.readdir(lake, { recursive: true })).toEqual(before);
    await fs.rm(lake, { recursive: true });
  },
  120_000,
);

it('npm start refuses a lake whose real path is under a key=value folder, or whose raw/ is on another filesystem', async () => {
  // LAKE_DIR a link into env=dev/: the queries would read env as a column (checked by its real path).
  const partitioned = path.join(scratch, 'env=dev', 'lake');
  await fs.mkdir(partitioned, { recursive: true });
  await fs.symlink(partitioned, path.join(scratch, 'linked-lake'));
  const linked = await npm(['start'], {
    PORT: '0',
    LAKE_DIR: path.join(scratch, 'linked-lake'),
    LOG_FORMAT: 'json',
  });
  expect(linked.code).toBe(1);
  expect(said(linked.out).split('\n').at(-1)).toMatch(
    /^failed to start the local data lake: the lake \(LAKE_DIR\) is under a folder named like a partition \('env=dev'/,
  );
  // raw/ linked to another mount: every object is renamed into place from the lake's folder, which EXDEV refuses.
  const shm = (await fs.stat('/dev/shm').catch(() => undefined))?.dev;
  if (shm === undefined || shm === (await fs.stat(scratch)).dev) return; // no other filesystem to link to here
  const lake = path.join(scratch, 'split-lake');
  const elsewhere = await fs.mkdtemp('/dev/shm/first-steps-raw-');
  try {
    await fs.mkdir(lake);
    await fs.symlink(elsewhere, path.join(lake, 'raw'));
    const r = await npm(['start'], { PORT: '0', LAKE_DIR: lake, LOG_FORMAT: 'json' });
    expect(r.code).toBe(1);
    expect(said(r.out).split('\n').at(-1)).toBe(
      `failed to start the local data lake: ${lake}/raw is on another filesystem than the lake's folder ${lake} ` +
        '(LAKE_DIR): the lake writes each object to a temporary file there and renames it into place, which cannot ' +
        'cross filesystems; put the whole LAKE_DIR on that filesystem instead of linking one folder of it there',
    );
  } finally {
    await fs.rm(elsewhere, { recursive: true, force: true });
  }
}, 60_000);

it('npm start and npm run compact refuse a lake whose raw/ links out of its folder, naming the link', async () => {
  // On the same filesystem: the renames work, but the local ETL's DuckDB reads only inside the lake's folder, by
  // real paths (every ETL run failed with its "Permission Error").
  const lake = path.join(scratch, 'linked-raw-lake');
  const elsewhere = path.join(scratch, 'raw-elsewhere');
  await fs.mkdir(path.join(elsewhere, 'uploads'), { recursive: true });
  await fs.mkdir(lake);
  await fs.symlink(elsewhere, path.join(lake, 'raw'));
  const why =
    `${lake}/raw is a link to ${elsewhere}, out of the lake's folder ${lake} (LAKE_DIR): the local ETL and queries ` +
    "run DuckDB allowed to read and write only inside the lake's folder, by real paths; put the whole LAKE_DIR " +
    'there instead of linking one folder of it';
  const before = await fs.readdir(lake, { recursive: true });
  const started = await npm(['start'], { PORT: '0', LAKE_DIR: lake, LOG_FORMAT: 'json' });
  expect(started.code).toBe(1);
  expect(said(started.out).split('\n').at(-1)).toBe(`failed to start the local data lake: ${why}`);
  const compacted = await npm(['run', 'compact'], { LAKE_DIR: lake });
  expect(compacted.code).toBe(1);
  expect(said(compacted.out)).toBe(`nothing ran: ${why}`);
  // Nothing was written (a link to a folder inside the lake's own is no problem: the same real folder).
  expect(await fs.readdir(lake, { recursive: true })).toEqual(before);
  // npm run compact refuses a lake under a key=value folder as npm start does (its rows would read the name as a column).
  const partitioned = path.join(scratch, 'stage=dev', 'lake');
  await fs.mkdir(path.join(partitioned, 'raw'), { recursive: true });
  const r = await npm(['run', 'compact'], { LAKE_DIR: partitioned });
  expect(r.code).toBe(1);
  expect(said(r.out)).toMatch(
    /^nothing ran: the lake \(LAKE_DIR\) is under a folder named like a partition \('stage=dev'/,
  );
  expect(await fs.readdir(partitioned)).toEqual(['raw']);
}, 60_000);

const full = mountTmpfs('first-steps-full', 1);
(('skip' in full ? it.skip : it) as jest.It)(
  'a lake whose disk is full: npm start says so in one line, naming LAKE_DIR, without a stack',
  async () => {
    if ('skip' in full) return;
    try {
      await fillUntilFree(full.dir, 'ballast', 0);
      const r = await npm(['start'], {
        PORT: '0',
        LAKE_DIR: path.join(full.dir, 'lake'),
        LOG_FORMAT: 'json',
      });
      expect(r.code).toBe(1);
      expect(said(r.out).split('\n').at(-1)).toMatch(
        new RegExp(
          `^failed to start the local data lake: no space left on the device: free space under ` +
            `${full.dir}/lake \\(LAKE_DIR; ENOSPC: no space left on device`,
        ),
      );
      expect(r.out).not.toMatch(/^\s+at /m);
    } finally {
      full.unmount();
    }
  },
  90_000,
);

it('a lake under a folder named key=value: npm start says why in one line, and starts and writes nothing', async () => {
  const lake = path.join(scratch, 'team=data', 'lake');
  const r = await npm(['start'], { PORT: '0', LAKE_DIR: lake, LOG_FORMAT: 'json' });
  expect(r.code).toBe(1);
  expect(said(r.out)).toBe(
    `failed to start the local data lake: the lake (LAKE_DIR) is under a folder named like a partition ('team=data', ` +
      `in ${lake}): DuckDB would read it as a column of every table, which Athena does not; put the lake under a ` +
      'path without "=" in its folder names',
  );
  expect(existsSync(path.join(scratch, 'team=data'))).toBe(false);
}, 60_000);

it("a schema the catalog generator refuses: npm start gives the generator's reason, without a stack", async () => {
  const copy = projectCopy();
  try {
    // Two event types whose Glue tables get the same logical id (GlueTableOrderPlaced).
    await fs.copyFile(
      path.join(copy.dir, 'schemas/events/order_placed.json'),
      path.join(copy.dir, 'schemas/events/order__placed.json'),
    );
    const r = await npm(['start'], { PORT: '0', LAKE_DIR: path.join(scratch, 'lake') }, copy.dir);
    expect(r.code).toBe(1);
    const text = said(r.out);
    expect(text).toMatch(/^failed to start the local data lake: /);
    expect(text).toMatch(/order_+placed/); // the table (or file) it is about
    expect(text).not.toMatch(/Command failed|^\s+at /m);
    expect(text.split('\n').length).toBeLessThanOrEqual(4);
  } finally {
    copy.remove();
  }
}, 90_000);

it('npm run compact says which lake it used: none there (and makes none), or one with nothing to compact', async () => {
  const none = path.join(scratch, 'no-lake');
  const missing = await npm(['run', 'compact'], { LAKE_DIR: none });
  expect(missing.code).toBe(1);
  expect(said(missing.out)).toBe(
    `no local lake in ${none} (LAKE_DIR, default the project's .lake): run this where npm start runs, ` +
      'or set LAKE_DIR to the folder it prints',
  );
  expect(existsSync(none)).toBe(false);

  const empty = path.join(scratch, 'empty-lake');
  await fs.mkdir(path.join(empty, 'raw'), { recursive: true });
  // As a user runs it, with no log level set: the outcome alone, none of the lake's own log lines.
  const r = await npm(['run', 'compact'], { LAKE_DIR: empty, POWERTOOLS_LOG_LEVEL: undefined });
  expect(r.code).toBe(0);
  const lines = said(r.out).split('\n');
  expect(lines[0]).toMatch(new RegExp(`^started compact-\\S+ in this process, on the lake in ${empty} \\(`));
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^compact-\S+: SUCCEEDED: 0 rows read, 0 written, 0 rejected$/),
    `nothing to compact: the lake in ${empty} holds no events (raw/events/ is empty)`,
  ]);

  // Events the lake accepted before it was killed, still in its write-ahead log: they wait for the next start.
  const wal = path.join(empty, '.firehose', 'data-lake-local-events');
  await fs.mkdir(wal, { recursive: true });
  await fs.writeFile(path.join(wal, '99999999.1.abc.1~1-0-abcdef.wal'), `${Date.now()}\tpage_view\t{}\n`);
  const stopped = await npm(['run', 'compact'], { LAKE_DIR: empty });
  expect(said(stopped.out).split('\n').slice(1)).toEqual([
    expect.stringMatching(/^compact-\S+: SUCCEEDED: 0 rows read, 0 written, 0 rejected$/),
    `nothing to compact yet: no event has reached raw/events/ in ${empty}`,
    'events the lake accepted before it stopped are still in its delivery stream (.firehose/): they reach ' +
      'raw/events/ when npm start runs again (it delivers them first), and their table at the run after',
  ]);

  // An object whose time is later than now was delivered before the clock stepped back (no run was reading its
  // tables then): compacted, not left to "the next run" until the clock catches up. (One delivered while the run
  // went on is left to the next: tests/etl/events-damaged.test.ts; the line that says so: describe-run.test.ts.)
  await fs.rm(wal, { recursive: true });
  const ahead = path.join(
    empty,
    'raw',
    'events',
    'type=page_view',
    'arrival_date=2026-12-05',
    'arrival_hour=10',
  );
  await fs.mkdir(ahead, { recursive: true });
  const object = path.join(ahead, 'data-lake-local-events-1-2026-12-05-10-00-00-ahead.gz');
  const event = {
    id: 'ahead-1',
    type: 'page_view',
    occurred_at: '2026-12-05T10:00:00.000Z',
    received_at: '2026-12-05T10:00:00.000Z',
    data: { session_id: 'sess-ahead-1', url: 'https://shop.example/ahead' },
  };
  await fs.writeFile(object, gzipSync(JSON.stringify(event) + '\n'));
  const future = new Date(Date.now() + 3_600_000);
  await fs.utimes(object, future, future);
  const compacted = await npm(['run', 'compact'], { LAKE_DIR: empty });
  expect(said(compacted.out).split('\n').slice(1)).toEqual([
    expect.stringMatching(/^compact-\S+: SUCCEEDED: 1 rows read, 1 written, 0 rejected$/),
    '  page_view: 1 read, 1 written, 0 rejected (event_date=2026-12-05)',
  ]);

  // raw/events/ compacted, newer events still in the write-ahead log: not "no events were waiting".
  await fs.mkdir(wal, { recursive: true });
  await fs.writeFile(path.join(wal, '99999999.1.abc.1~1-1-abcdef.wal'), `${Date.now()}\tpage_view\t{}\n`);
  const pending = await npm(['run', 'compact'], { LAKE_DIR: empty });
  expect(said(pending.out).split('\n').slice(1)).toEqual([
    expect.stringMatching(/^compact-\S+: SUCCEEDED: 0 rows read, 0 written, 0 rejected$/),
    'nothing to compact yet: the events in raw/events/ had been compacted already, and no newer one has reached it',
    'events the lake accepted before it stopped are still in its delivery stream (.firehose/): they reach ' +
      'raw/events/ when npm start runs again (it delivers them first), and their table at the run after',
  ]);
}, 120_000);

it('npm run executions refuses arguments it would otherwise read another way (exit 2, naming them); reads no path', async () => {
  const lake = path.join(scratch, 'lake-args');
  await fs.mkdir(path.join(lake, 'raw'), { recursive: true });
  const executions = (...args: string[]) =>
    command(process.execPath, ['--import', 'tsx', 'local/cli/executions.ts', ...args], { LAKE_DIR: lake });
  for (const [args, why] of [
    [['--last', '--status', 'FAILED'], /^--status filters the list; it does not apply to one execution/],
    [['some-name', '--limit', '3'], /^--limit filters the list/],
    [['--limit='], /^--limit takes a whole number \(0: all\), got ''/],
    [['--limit', '1e0'], /^--limit takes a whole number \(0: all\), got '1e0'/],
    [['--status', 'FAILED', '--status', 'SUCCEEDED'], /^--status is given 2 times: give it once/],
    [[''], /^an execution name is not empty/],
    [['--', '--json'], /^one '--' is enough/],
    [['--bogus'], /^unknown option '--bogus'/],
    [['--history'], /^--history shows one execution: give its name or --last/],
    [['retry', 'a', 'b'], /^one execution name to retry/],
  ] as const) {
    const r = await executions(...args);
    expect([args, r.code]).toEqual([args, 2]);
    expect(r.out).toMatch(why);
  }
  // --help: the usage, then what the command does (exit 0).
  expect(await executions('retry', '--help')).toEqual({
    code: 0,
    out: expect.stringMatching(
      /^usage: npm run executions -- retry <name>\n\nRuns a FAILED, TIMED_OUT or ABORTED execution again: a new execution/,
    ),
  });
  // A name is an execution's, not a path to another file.
  expect(await executions('../../../package')).toEqual({
    code: 1,
    out: `no execution named ../../../package (or starting so) in ${lake}\n`,
  });
}, 60_000);

it('npm run executions names a dropped file the uploads watcher has not taken yet', async () => {
  const lake = path.join(scratch, 'lake');
  await fs.mkdir(path.join(lake, 'raw/uploads/orders'), { recursive: true });
  await fs.writeFile(path.join(lake, 'raw/uploads/orders/a.csv'), 'order_id\n');
  await fs.writeFile(path.join(lake, 'raw/uploads/orders/a.csv.tmp'), 'ignored: a temporary name\n');
  const r = await npm(['run', 'executions'], { LAKE_DIR: lake });
  expect(r.code).toBe(0);
  expect(said(r.out).split('\n')).toEqual([
    `no executions in ${lake}`,
    '1 file(s) not taken yet by the uploads watcher: uploads/orders/a.csv',
    `(no local lake is running in ${lake}: npm start takes them)`,
  ]);
}, 60_000);
