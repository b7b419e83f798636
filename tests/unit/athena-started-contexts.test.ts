/**
 * What a StartQueryExecution gave (QueryExecutionContext, ResultReuseConfiguration) is echoed by GetQueryExecution
 * after the lake restarts too (local/athena/context.ts StartedContexts: a file beside the query's own state), as
 * Athena always echoes it; a query started otherwise has none.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartedContexts } from '../../local/athena/context';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('keeps each query’s request beside its state, read back by a new process', () => {
  const queries = mkdtempSync(path.join(os.tmpdir(), 'queries-'));
  dirs.push(queries);
  const [none, named, other] = [
    '11111111-1111-4111-8111-111111111111',
    '22222222-2222-4222-8222-222222222222',
    '33333333-3333-4333-8333-333333333333',
  ];
  for (const id of [none, named, other]) mkdirSync(path.join(queries, id));
  const before = new StartedContexts(() => queries);
  const reuse = { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 5 } };
  before.set(none, {}, reuse);
  before.set(named, { Database: 'data_lake_local', Catalog: 'awsdatacatalog' });
  // The lake restarted: a new process, nothing in memory.
  const after = new StartedContexts(() => queries);
  expect([after.get(none), after.reuse(none)]).toEqual([{}, reuse]);
  expect([after.get(named), after.reuse(named)]).toEqual([
    { Database: 'data_lake_local', Catalog: 'awsdatacatalog' },
    undefined,
  ]);
  // Started otherwise (POST /queries), or not an id at all: none.
  expect(after.get(other)).toBeUndefined();
  expect(after.get('../../etc')).toBeUndefined();
});
