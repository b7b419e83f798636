/** The running lake's follower of schemas/ (local/schemas-follower.ts): every edit that passes is applied. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tables from '../../lib/catalog/tables';
import type { TableDef } from '../../lib/catalog/types';
import { schemaGeneration } from '../../lib/schema-loader';
import { localLog } from '../../local/log';
import {
  applySchemas,
  schemasStamp,
  startSchemasFollower,
  type SchemasFollower,
} from '../../local/schemas-follower';
import { until } from '../support/until';

/** Called while the follower applies an edit (inside useLakeTables), once. */
let mockDuringApply: (() => void) | undefined;
jest.mock('../../lib/catalog/tables', () => {
  const actual = jest.requireActual<typeof import('../../lib/catalog/tables')>('../../lib/catalog/tables');
  return {
    ...actual,
    useLakeTables: jest.fn((...args: Parameters<typeof actual.useLakeTables>) => {
      const hook = mockDuringApply;
      mockDuringApply = undefined;
      hook?.();
      return actual.useLakeTables(...args);
    }),
  };
});

/** Makes the next record of the schema versions in use fail (a full disk), once. */
let mockInUseFails = false;
jest.mock('../../local/schemas-in-use', () => {
  const actual = jest.requireActual<typeof import('../../local/schemas-in-use')>(
    '../../local/schemas-in-use',
  );
  return {
    ...actual,
    writeSchemasInUse: jest.fn((...args: Parameters<typeof actual.writeSchemasInUse>) => {
      if (mockInUseFails) {
        mockInUseFails = false;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return actual.writeSchemasInUse(...args);
    }),
  };
});

let dir: string;
let follower: SchemasFollower | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'follower-'));
  cpSync(tables.schemasDir, dir, { recursive: true });
});
afterEach(() => {
  follower?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const addProperty = (name: string) => {
  const file = path.join(dir, 'events', 'page_view.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
  schema.properties[name] = { type: 'string' };
  writeFileSync(file, JSON.stringify(schema, null, 2));
};

it('an edit that lands while the one before is being applied is applied too, not taken as seen', async () => {
  const applied: TableDef[][] = [];
  // The second edit lands while the first is applied (between the follower's check and its next look).
  mockDuringApply = () => addProperty('c2');
  follower = startSchemasFollower({ dir, pollMs: 50, onApplied: (defs) => void applied.push(defs) });
  addProperty('c1');
  const columns = () =>
    applied
      .at(-1)
      ?.find((t) => t.name === 'page_view')
      ?.columns.map((c) => c.name) ?? [];
  await until('the second edit applied', async () => (columns().includes('c2') ? true : undefined), {
    timeoutMs: 20_000,
  });
  expect(columns()).toEqual(expect.arrayContaining(['c1', 'c2']));
  expect(tables.useLakeTables).toHaveBeenCalledTimes(2);
});

it('a schemas/ that does not read (a merge conflict in a history file) is logged; the lake keeps its last good schemas', async () => {
  const errors: string[] = [];
  const spy = jest
    .spyOn(localLog, 'error')
    .mockImplementation((...args) => void errors.push(String(args[0])));
  try {
    const applied: TableDef[][] = [];
    follower = startSchemasFollower({ dir, pollMs: 50, onApplied: (defs) => void applied.push(defs) });
    const history = path.join(dir, 'history', 'orders.json');
    const good = readFileSync(history, 'utf8');
    writeFileSync(history, `<<<<<<< HEAD\n${good}`);
    await until('the damaged history logged', async () => (errors.length ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(errors[0]).toMatch(/last good schemas/);
    expect(applied).toHaveLength(0);
    // Mended: the next edit is applied.
    writeFileSync(history, good);
    addProperty('after_mend');
    await until('the edit after the mend applied', async () => (applied.length ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(applied[0]!.find((t) => t.name === 'page_view')!.columns.map((c) => c.name)).toContain(
      'after_mend',
    );
  } finally {
    spy.mockRestore();
  }
});

it('an edit whose versions in use cannot be recorded (a full disk) is not taken: ingest keeps the last good schemas', async () => {
  const lake = mkdtempSync(path.join(os.tmpdir(), 'follower-lake-'));
  const spy = jest.spyOn(localLog, 'error').mockImplementation(() => undefined);
  try {
    const applied: TableDef[][] = [];
    follower = startSchemasFollower({
      dir,
      lakeDir: lake,
      pollMs: 50,
      onApplied: (defs) => void applied.push(defs),
    });
    const generation = schemaGeneration();
    mockInUseFails = true;
    addProperty('campaign');
    await until('the failure logged', async () => (spy.mock.calls.length ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(String(spy.mock.calls[0]![0])).toMatch(/last good schemas/);
    // Nothing of the edit is served: not its schemas, not its tables.
    expect(schemaGeneration()).toBe(generation);
    expect(applied).toHaveLength(0);
    // The next edit, recorded, is taken whole.
    addProperty('campaign2');
    await until('the next edit applied', async () => (applied.length ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(schemaGeneration()).toBeGreaterThan(generation);
  } finally {
    spy.mockRestore();
    rmSync(lake, { recursive: true, force: true });
  }
});

it('an edit saved between the check at start and the start of the follower is applied at its first look', async () => {
  // As local/lake.ts starts: schemas/ read, checked and applied, then (after the API listens) followed.
  const read = schemasStamp(dir);
  applySchemas(dir);
  addProperty('c3');
  const applied: TableDef[][] = [];
  follower = startSchemasFollower({
    dir,
    pollMs: 50,
    appliedFrom: read,
    onApplied: (defs) => void applied.push(defs),
  });
  await until(
    'the edit applied',
    async () =>
      applied
        .at(-1)
        ?.find((t) => t.name === 'page_view')
        ?.columns.some((c) => c.name === 'c3') || undefined,
    { timeoutMs: 20_000 },
  );
});
