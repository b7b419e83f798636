/**
 * An event id reused for another event (lib/etl/event-conflicts.ts), on the local Glue runner with real DuckDB: a copy
 * whose data differs from the row its id keeps is rejected with its reason, never dropped as a duplicate, and never
 * replaces the stored row; copies with the same data stay duplicates (also a retry with its own occurred_at).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../lib/envelope';
import { ID_CONFLICT_REASON } from '../../lib/etl/event-conflicts';
import { buildPlan } from '../../lib/etl/plan';
import { lakeTable } from '../../lib/catalog/tables';
import { deliver, editedTables, newLake, rejectedRows, run, tableRows, useReloadLakes } from './reload-lake';

useReloadLakes();

const view = (id: string, page: string, receivedAt: string, occurredAt = receivedAt): EventRecord => ({
  id,
  type: 'page_view',
  line: JSON.stringify({
    id,
    type: 'page_view',
    occurred_at: occurredAt,
    received_at: receivedAt,
    data: {
      session_id: 'sess-0123456789',
      url: `https://shop.example/${page}`,
      viewport: { width: 1, height: 2 },
    },
  }),
});

const compact = async (lake: string, runId: string) =>
  (await run(lake, { '--etl_mode': 'events', '--run_id': runId })).tables.find(
    (t) => t.table === 'page_view',
  );

const stored = async (lake: string) =>
  (await tableRows(lake, 'page_view', 'event_id')).map((r) => [r.event_id, r.url, r.received_at]);

/** A signup event of user u-1 as ingest leaves it, its data as given over the usual ones. */
const signupEvent = (id: string, receivedAt: string, data: Record<string, unknown>): EventRecord => ({
  id,
  type: 'signup',
  line: JSON.stringify({
    id,
    type: 'signup',
    occurred_at: '2026-03-01T10:00:00.000Z',
    received_at: receivedAt,
    data: { user_id: 'u-1', email: 'ada@example.com', plan: 'pro', ...data },
  }),
});

describe('an event id given to another event', () => {
  it('keeps the stored row, rejects every copy with other data (also one received before it) and drops same-data copies', async () => {
    const lake = await newLake();
    await deliver(lake, [view('e1', 'a', '2026-03-01T10:00:00.000Z')]);
    await compact(lake, 'compact-1');

    await deliver(lake, [
      view('e1', 'b', '2026-03-01T11:00:00.000Z'), // another event under e1, after it
      view('e1', 'c', '2026-03-01T09:00:00.000Z'), // another one, received before the stored row (delivered late)
      view('e1', 'a', '2026-03-01T12:00:00.000Z'), // a retry: the same event
    ]);
    expect(await compact(lake, 'compact-2')).toMatchObject({
      rowsRead: 3,
      rowsRejected: 2,
      rowsWritten: 0,
      duplicatesRemoved: 1,
      rejectedLocation: expect.stringMatching(/^rejected\/table_name=page_view\//),
    });
    expect(await stored(lake)).toEqual([['e1', 'https://shop.example/a', '2026-03-01 10:00:00']]);
    const rejected = await rejectedRows(lake, 'page_view');
    expect(rejected.map((r) => [r.reason, (r.raw as Record<string, unknown>).url, r.run_id])).toEqual([
      [ID_CONFLICT_REASON, 'https://shop.example/b', 'compact-2'],
      [ID_CONFLICT_REASON, 'https://shop.example/c', 'compact-2'],
    ]);
    expect(rejected[0]!.source_file).toMatch(/^events\/type=page_view\//);

    // A replay does not read their raw object again: no schema change can load such a copy (the stored row stays),
    // and read again it was rejected again, failing every later replay of the table; a rebuild, which reads every raw
    // object of the table, does not record them a second time (a compaction took their object and recorded them then).
    for (const [mode, read, rejectedNow] of [
      ['replay', 0, 0], // the rejected file holds only such copies: nothing to read
      ['replay', 0, 0], // and again
      ['rebuild', 4, 0], // every raw object of the table
    ] as const) {
      const s = await run(lake, { '--etl_mode': mode, '--table': 'page_view', '--run_id': `${mode}-1` });
      expect(s.rejectedAboveThreshold).toBe(false);
      expect(s.tables[0]).toMatchObject({
        rowsRead: read,
        rowsRejected: rejectedNow,
        rowsWritten: 0,
        duplicatesRemoved: read - rejectedNow,
      });
    }
    expect(await stored(lake)).toEqual([['e1', 'https://shop.example/a', '2026-03-01 10:00:00']]);
    expect((await rejectedRows(lake, 'page_view')).map((r) => [r.run_id, r.reason])).toEqual([
      ['compact-2', ID_CONFLICT_REASON],
      ['compact-2', ID_CONFLICT_REASON],
    ]);
  });

  it('a rebuild records the conflicting copy of an object no compaction took yet, and every one once the curated zone is lost', async () => {
    const lake = await newLake();
    await deliver(lake, [view('e9', 'a', '2026-03-01T10:00:00.000Z')]);
    await compact(lake, 'compact-1');
    // Another event under e9, delivered (202) but not compacted when the rebuild runs.
    await deliver(lake, [view('e9', 'b', '2026-03-01T11:00:00.000Z')]);
    const rebuilt = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'page_view',
      '--run_id': 'rebuild-1',
    });
    expect(rebuilt.tables[0]).toMatchObject({ rowsRead: 2, rowsRejected: 1, rowsWritten: 0 });
    const reasons = async () =>
      (await rejectedRows(lake, 'page_view')).map((r) => [r.reason, (r.raw as Record<string, unknown>).url]);
    expect(await reasons()).toEqual([[ID_CONFLICT_REASON, 'https://shop.example/b']]);
    expect(await stored(lake)).toEqual([['e9', 'https://shop.example/a', '2026-03-01 10:00:00']]);

    // The curated zone lost (the table, its manifests, the rejected store): a rebuild from the raw zone keeps the
    // first received copy and records the other again.
    await fs.rm(path.join(lake, 'curated'), { recursive: true, force: true });
    const again = await run(lake, {
      '--etl_mode': 'rebuild',
      '--table': 'page_view',
      '--run_id': 'rebuild-2',
    });
    expect(again.tables[0]).toMatchObject({ rowsRead: 2, rowsRejected: 1, rowsWritten: 1 });
    expect(await reasons()).toEqual([[ID_CONFLICT_REASON, 'https://shop.example/b']]);
    expect(await stored(lake)).toEqual([['e9', 'https://shop.example/a', '2026-03-01 10:00:00']]);
  });

  it('in one batch with nothing stored: the first received is kept, a later copy with other data is rejected', async () => {
    const lake = await newLake();
    await deliver(lake, [
      view('e2', 'b', '2026-03-01T10:01:00.000Z'),
      view('e2', 'a', '2026-03-01T10:00:00.000Z'),
      // A retry sent without occurred_at takes the time of its own receipt: the same event.
      view('e2', 'a', '2026-03-01T10:02:00.000Z'),
      view('e3', 'x', '2026-03-01T10:03:00.000Z'),
    ]);
    expect(await compact(lake, 'compact-1')).toMatchObject({
      rowsRead: 4,
      rowsRejected: 1,
      rowsWritten: 2,
      duplicatesRemoved: 1,
    });
    expect(await stored(lake)).toEqual([
      ['e2', 'https://shop.example/a', '2026-03-01 10:00:00'],
      ['e3', 'https://shop.example/x', '2026-03-01 10:03:00'],
    ]);
    expect(
      (await rejectedRows(lake, 'page_view')).map((r) => (r.raw as Record<string, unknown>).url),
    ).toEqual(['https://shop.example/b']);
  });

  it('a copy received before the stored row with the same data is still the one kept (first received)', async () => {
    const lake = await newLake();
    await deliver(lake, [view('e4', 'a', '2026-03-01T10:00:00.000Z')]);
    await compact(lake, 'compact-1');
    await deliver(lake, [view('e4', 'a', '2026-03-01T09:00:00.000Z')]);
    expect(await compact(lake, 'compact-2')).toMatchObject({
      rowsRead: 1,
      rowsRejected: 0,
      duplicatesRemoved: 1,
    });
    expect(await stored(lake)).toEqual([['e4', 'https://shop.example/a', '2026-03-01 09:00:00']]);
    expect(await rejectedRows(lake, 'page_view')).toEqual([]);
  });

  it('a copy that says another value in a column retired since is rejected; one without it is the same event', async () => {
    const lake = await newLake();
    const signup = (id: string, receivedAt: string, referral?: string) =>
      signupEvent(id, receivedAt, referral ? { referral_code: referral } : {});
    await deliver(lake, [signup('f2', '2026-03-01T10:00:00.000Z', 'R1')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    // referral_code retired; copies accepted before (still in the stream) and one sent since, without it.
    const retired = editedTables({
      'events/signup.json': (s) => {
        delete s.properties.referral_code;
        s['x-lake'] = { ...(s['x-lake'] ?? {}), retired: ['referral_code'] };
      },
    });
    await deliver(lake, [
      signup('f2', '2026-03-01T11:00:00.000Z', 'R2'), // another event under f2
      signup('f2', '2026-03-01T12:00:00.000Z', 'R1'), // a retry of it
      signup('f2', '2026-03-01T13:00:00.000Z'), // a retry sent after the retirement: the field is gone
    ]);
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' }, { tables: retired });
    expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({
      rowsRead: 3,
      rowsRejected: 1,
      duplicatesRemoved: 2,
    });
    const rows = await tableRows(lake, 'signup', 'event_id');
    expect(rows.map((r) => [r.event_id, r.referral_code])).toEqual([['f2', 'R1']]);
    const rejected = await rejectedRows(lake, 'signup');
    expect(rejected.map((r) => [r.reason, (r.raw as Record<string, unknown>).referral_code])).toEqual([
      [ID_CONFLICT_REASON, 'R2'],
    ]);
  });

  it("a copy without a retired column's stored value never replaces the stored row, even received before it (compaction, rebuild)", async () => {
    const lake = await newLake();
    const signup = (id: string, receivedAt: string, referral?: string) =>
      signupEvent(id, receivedAt, referral ? { referral_code: referral } : {});
    await deliver(lake, [signup('s7', '2026-03-01T10:00:00.000Z', 'R1')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    const retired = editedTables({
      'events/signup.json': (s) => {
        delete s.properties.referral_code;
        s['x-lake'] = { ...(s['x-lake'] ?? {}), retired: ['referral_code'] };
      },
    });
    const row = async () =>
      (await tableRows(lake, 'signup', 'event_id')).map((r) => [
        r.event_id,
        r.received_at,
        r.referral_code,
        String(r.lake_schema_version),
      ]);
    const before = await row();
    expect(before).toEqual([['s7', '2026-03-01 10:00:00', 'R1', '1']]);
    // Received before the stored row, without the field, delivered late: the same event, not its stored copy.
    await deliver(lake, [signup('s7', '2026-03-01T09:00:00.000Z')]);
    const summary = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' }, { tables: retired });
    expect(summary.tables.find((t) => t.table === 'signup')).toMatchObject({
      rowsRead: 1,
      rowsRejected: 0,
      duplicatesRemoved: 1,
    });
    expect(await row()).toEqual(before);
    await run(
      lake,
      { '--etl_mode': 'rebuild', '--table': 'signup', '--run_id': 'rebuild-1' },
      { tables: retired },
    );
    expect(await row()).toEqual(before);
    expect(await rejectedRows(lake, 'signup')).toEqual([]);
  });

  it('the copy with a retired value, received first but delivered after a retry sent since (without it) was stored, is the one kept, as in one run', async () => {
    const retired = editedTables({
      'events/signup.json': (s) => {
        delete s.properties.referral_code;
        s['x-lake'] = { ...(s['x-lake'] ?? {}), retired: ['referral_code'] };
      },
    });
    const original = signupEvent('x1', '2026-03-01T10:00:00.000Z', { referral_code: 'R1' });
    const retry = signupEvent('x1', '2026-03-01T10:05:00.000Z', {});
    const row = async (lake: string) =>
      (await tableRows(lake, 'signup', 'event_id')).map((r) => [r.event_id, r.received_at, r.referral_code]);
    const kept = [['x1', '2026-03-01 10:00:00', 'R1']];
    // Both in one run: the first received is kept, the retry without the field is its duplicate.
    const together = await newLake();
    await deliver(together, [retry, original]);
    const one = await run(together, { '--etl_mode': 'events', '--run_id': 'c-1' }, { tables: retired });
    expect(one.tables.find((t) => t.table === 'signup')).toMatchObject({
      rowsRejected: 0,
      duplicatesRemoved: 1,
    });
    expect(await row(together)).toEqual(kept);
    // The retry stored first, the original delivered late: the same end, nothing rejected.
    const apart = await newLake();
    await deliver(apart, [retry]);
    await run(apart, { '--etl_mode': 'events', '--run_id': 'c-1' }, { tables: retired });
    await deliver(apart, [original]);
    const late = await run(apart, { '--etl_mode': 'events', '--run_id': 'c-2' }, { tables: retired });
    expect(late.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRead: 1, rowsRejected: 0 });
    expect(await row(apart)).toEqual(kept);
    expect(await rejectedRows(apart, 'signup')).toEqual([]);
    await run(
      apart,
      { '--etl_mode': 'rebuild', '--table': 'signup', '--run_id': 'rb-1' },
      { tables: retired },
    );
    expect(await row(apart)).toEqual(kept);
    // A copy with another value received after the stored one (which has none) is another event, as in one run.
    await deliver(apart, [signupEvent('x1', '2026-03-01T11:00:00.000Z', { referral_code: 'R9' })]);
    const other = await run(apart, { '--etl_mode': 'events', '--run_id': 'c-3' }, { tables: retired });
    expect(other.tables.find((t) => t.table === 'signup')).toMatchObject({ rowsRejected: 1 });
    expect(await row(apart)).toEqual(kept);
  });

  it('a replay records a copy that now parses but names another event than the stored row, with that reason', async () => {
    const lake = await newLake();
    const signup = (id: string, receivedAt: string, plan: string) => signupEvent(id, receivedAt, { plan });
    // A copy the ETL rejects (plan: not in the enum yet), then another event under the same id, stored.
    await deliver(lake, [signup('m1', '2026-03-01T10:00:00.000Z', 'gold')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    await deliver(lake, [signup('m1', '2026-03-01T11:00:00.000Z', 'pro')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
    const gold = editedTables({ 'events/signup.json': (s) => s.properties.plan.enum.push('gold') });
    const replay = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'signup', '--run_id': 'replay-gold' },
      { tables: gold },
    );
    expect(replay.replay?.figures).toMatchObject({ rowsRead: 1, rowsWritten: 0, rowsRejected: 1 });
    expect((await tableRows(lake, 'signup', 'event_id')).map((r) => [r.event_id, r.plan])).toEqual([
      ['m1', 'pro'],
    ]);
    const rejected = await rejectedRows(lake, 'signup');
    expect(
      rejected.map((r) => [r.run_id, String(r.reason).startsWith('plan:') ? 'plan: …' : r.reason]),
    ).toEqual([
      ['compact-1', 'plan: …'],
      ['replay-gold', ID_CONFLICT_REASON],
    ]);
    // The next replay leaves that copy alone: it reads nothing, rejects nothing, records nothing again.
    const again = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'signup', '--run_id': 'replay-again' },
      { tables: gold },
    );
    expect(again.replay?.figures).toMatchObject({ rowsRead: 0, rowsRejected: 0 });
    expect((await rejectedRows(lake, 'signup')).map((r) => r.run_id)).toEqual(['compact-1', 'replay-gold']);
  });

  it('a replay that reads an object again for another row does not record a conflicting copy of it a second time', async () => {
    const lake = await newLake();
    const signup = (id: string, receivedAt: string, plan: string) => signupEvent(id, receivedAt, { plan });
    await deliver(lake, [signup('m1', '2026-03-01T10:00:00.000Z', 'pro')]);
    await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-1' });
    // One raw object: another event under m1 (a conflict), and m2 the ETL rejects (plan: not in the enum yet).
    await deliver(lake, [
      signup('m1', '2026-03-01T11:00:00.000Z', 'free'),
      signup('m2', '2026-03-01T11:00:01.000Z', 'gold'),
    ]);
    const compacted = await run(lake, { '--etl_mode': 'events', '--run_id': 'compact-2' });
    expect(compacted.tables.find((t) => t.table === 'signup')).toMatchObject({
      rowsRead: 2,
      rowsRejected: 2,
    });
    const gold = editedTables({ 'events/signup.json': (s) => s.properties.plan.enum.push('gold') });
    const replay = await run(
      lake,
      { '--etl_mode': 'replay', '--table': 'signup', '--run_id': 'replay-gold' },
      { tables: gold },
    );
    // m2 comes back; m1's copy, read again with it, is the copy recorded then: counted as a duplicate, not again.
    expect(replay.replay?.figures).toMatchObject({
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 0,
      duplicatesRemoved: 1,
    });
    expect(replay.rejectedAboveThreshold).toBeFalsy();
    expect((await tableRows(lake, 'signup', 'event_id')).map((r) => [r.event_id, r.plan])).toEqual([
      ['m1', 'pro'],
      ['m2', 'gold'],
    ]);
    const rejected = await rejectedRows(lake, 'signup');
    expect(
      rejected.map((r) => [r.run_id, String(r.reason).startsWith('plan:') ? 'plan: …' : r.reason]).sort(),
    ).toEqual([
      ['compact-2', ID_CONFLICT_REASON],
      ['compact-2', 'plan: …'],
    ]);
  });

  it('compares the event data only: the plan of an event type names its data columns, a dataset has none', () => {
    const plan = buildPlan(lakeTable('page_view')!);
    for (const dialect of ['duckdb', 'spark'] as const) {
      const sql = plan.conflicts!.recordsSql[dialect];
      for (const c of ['session_id', 'url', 'viewport', 'duration_ms'])
        expect(sql).toContain(`lake_copies.${c} IS NOT DISTINCT FROM lake_merged.${c}`);
      for (const c of ['event_id', 'occurred_at', 'received_at', 'lake_schema_version'])
        expect(sql).not.toContain(`lake_copies.${c} IS NOT DISTINCT FROM`);
      expect(sql).toContain(plan.rejectedSql[dialect].slice(0, plan.rejectedSql[dialect].indexOf('\nFROM')));
    }
    expect(plan.conflicts!.countSql).toContain('incoming.url IS NOT DISTINCT FROM lake_merged.url');
    expect(buildPlan(lakeTable('orders')!).conflicts).toBeUndefined();
  });
});
