/**
 * Compaction of streamed events on the local runner with a damaged input: a raw event object that is not a whole
 * gzip stream stopped its table's compaction and every table after it, at every run ("unexpected end of file",
 * naming nothing); it is now skipped, named in a warning and left pending, and the others are compacted, as the
 * Glue job does (tests/unit/glue-events-batches.test.ts). A compaction manifest of another shape is named as damaged
 * instead of read as empty (which compacted the whole day again).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { listFiles } from '../../lib/etl/duckdb-runner/fs-util';
import { compactionManifestKey } from '../../lib/etl/plans';
import { logger } from '../../lib/logger';
import { deliver, newLake, run, useReloadLakes } from './reload-lake';

useReloadLakes();

const event = (id: string, type: string, data: Record<string, unknown>): EventRecord => ({
  id,
  type,
  line: JSON.stringify({
    id,
    type,
    occurred_at: '2026-03-01T10:00:00.000Z',
    received_at: '2026-03-01T10:00:00.000Z',
    data,
  }),
});
const view = (id: string) =>
  event(id, 'page_view', {
    session_id: 'sess-0123456789',
    url: `https://shop.example/${id}`,
    duration_ms: 1,
  });
const signup = (id: string) =>
  event(id, 'signup', { user_id: `u-${id}`, email: `${id}@example.com`, plan: 'pro' });

/** The raw event objects of a type (keys under raw/). */
async function rawObjects(lake: string, type: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.gz'))
        out.push(path.relative(path.join(lake, 'raw'), p).split(path.sep).join('/'));
    }
  };
  await walk(path.join(lake, 'raw', 'events', `type=${type}`));
  return out.sort();
}

it('skips a raw event object that is not a whole gzip stream, names it, and compacts the others', async () => {
  const lake = await newLake();
  await deliver(
    lake,
    Array.from({ length: 2000 }, (_, i) => view(`v${i}`)),
  );
  const [damaged] = await rawObjects(lake, 'page_view');
  const file = path.join(lake, 'raw', damaged!);
  const whole = await fs.readFile(file);
  await fs.writeFile(file, whole.subarray(0, whole.length - 100));
  await deliver(lake, [view('v-late'), signup('s1')]);
  const warn = jest.spyOn(logger, 'warn');
  try {
    for (const runId of ['compact-1', 'compact-2']) {
      const summary = await run(lake, { '--etl_mode': 'events', '--run_id': runId });
      const rows = Object.fromEntries(summary.tables.map((t) => [t.table, t.rowsWritten]));
      expect(rows).toMatchObject(
        runId === 'compact-1' ? { page_view: 1, signup: 1 } : { page_view: 0, signup: 0 },
      );
    }
    const skipped = warn.mock.calls.filter(([m]) =>
      /cannot be read as rows is skipped; it stays pending/.test(String(m)),
    );
    expect(skipped.map(([, extra]) => extra)).toEqual([
      expect.objectContaining({
        table: 'page_view',
        key: damaged,
        problem: expect.stringMatching(/^not a complete gzip stream/),
      }),
      expect.objectContaining({ table: 'page_view', key: damaged }),
    ]);
  } finally {
    warn.mockRestore();
  }
  const manifest = JSON.parse(
    await fs.readFile(
      path.join(
        lake,
        'curated',
        compactionManifestKey('page_view', damaged!.match(/arrival_date=([\d-]+)/)![1]!),
      ),
      'utf8',
    ),
  ) as { processed: string[] };
  expect(manifest.processed).not.toContain(damaged);
});

it.each(['[]', 'null', '{"processed": null}', '{"processed": [1]}'])(
  'names a compaction manifest %s as damaged',
  async (body) => {
    const lake = await newLake();
    await deliver(lake, [signup('s1')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    const [key] = await rawObjects(lake, 'signup');
    const manifest = path.join(
      lake,
      'curated',
      compactionManifestKey('signup', key!.match(/arrival_date=([\d-]+)/)![1]!),
    );
    await fs.writeFile(manifest, body);
    await expect(run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' })).rejects.toThrow(
      /arrival_date=[\d-]+\.json is damaged \(not a compaction manifest, \{"processed": \[keys\], "versions": \{key: size\}\}\); README "Damaged state files"/,
    );
  },
);

it('leaves a raw event object delivered after the run read its tables to the next run (its schema may be newer)', async () => {
  const lake = await newLake();
  await deliver(lake, [signup('s-before')]);
  await deliver(lake, [signup('s-after')]);
  const [, late] = await rawObjects(lake, 'signup');
  // As if written while the run was going: after it read its tables (the run's real clock then reads a minute later).
  const readAt = Date.now();
  const during = new Date(readAt + 30_000);
  await fs.utimes(path.join(lake, 'raw', late!), during, during);
  const stepped = () => {
    let calls = 0;
    return () => (calls++ === 0 ? readAt : readAt + 60_000);
  };
  for (const mode of ['events', 'rebuild']) {
    const args = {
      '--etl_mode': mode,
      '--run_id': `${mode}-1`,
      ...(mode === 'rebuild' ? { '--table': 'signup' } : {}),
    };
    const summary = await run(lake, args, { realClock: stepped() });
    const signupFigures = summary.tables.find((t) => t.table === 'signup')!;
    expect([mode, signupFigures.rowsRead, summary.eventObjectsLeft]).toEqual([mode, 1, 1]);
    if (mode === 'rebuild') expect(summary.rebuild?.skipped).toEqual([late]);
  }
  const manifest = JSON.parse(
    await fs.readFile(
      path.join(lake, 'curated', compactionManifestKey('signup', late!.match(/arrival_date=([\d-]+)/)![1]!)),
      'utf8',
    ),
  ) as { processed: string[] };
  expect(manifest.processed).not.toContain(late);
  // Once written before a run starts, the next run takes it.
  const past = new Date(Date.now() - 1000);
  await fs.utimes(path.join(lake, 'raw', late!), past, past);
  const next = await run(lake, { '--etl_mode': 'events', '--run_id': 'events-2' });
  expect(next.tables.find((t) => t.table === 'signup')!.rowsWritten).toBe(1);
  expect(next.eventObjectsLeft).toBe(0);
});

it('compacts a raw event object written before the clock stepped back (its time is later than now)', async () => {
  const lake = await newLake();
  await deliver(lake, [signup('s-ahead')]);
  const [ahead] = await rawObjects(lake, 'signup');
  // Delivered an hour "ahead": then the clock went back an hour (an NTP correction), or the lake was copied with its
  // times from a machine whose clock was ahead. No run could have been reading its tables when it was written.
  const future = new Date(Date.now() + 3_600_000);
  await fs.utimes(path.join(lake, 'raw', ahead!), future, future);
  const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'events-ahead' });
  expect([summary.tables.find((t) => t.table === 'signup')!.rowsWritten, summary.eventObjectsLeft]).toEqual([
    1, 0,
  ]);
});

it("names a curated Parquet file that does not read, with the README section, not DuckDB's statement", async () => {
  const lake = await newLake();
  await deliver(lake, [signup('s1')]);
  await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
  const tables = path.join(lake, 'curated', 'tables');
  const stored = path.join(
    tables,
    (await listFiles(tables)).find((f) => /signup.*\.parquet$/.test(f))!,
  );
  await fs.truncate(stored, 100);
  await deliver(lake, [signup('s2')]);
  const failure = await run(lake, {
    '--etl_mode': 'rebuild',
    '--table': 'signup',
    '--run_id': 'rebuild-1',
  }).then(
    () => undefined,
    (e: Error) => e.message,
  );
  expect(failure).toBe(
    `the ETL run failed: ${stored} does not read as Parquet (DuckDB: No magic bytes found at end of file ` +
      `'${stored}'): README "Damaged state files" says what to do with it`,
  );
});
