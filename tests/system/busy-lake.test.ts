/**
 * Two uploads of one table at once on a running lake (issue 12 §3): the lake runs one ETL run at a time, so one
 * execution waits for the other's run. The wait is visible while it lasts and afterwards:
 *  - a log line when the execution starts waiting ('execution waiting': WaitForLake, and the run that holds the
 *    lake) and one when it resumes ('execution resumed': the looks, the state it goes on with);
 *  - `npm run executions -- <name>` of the waiting execution, while it is RUNNING, says it is waiting now and for
 *    which run, and once it has finished, how many times it waited and for which run.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ETL_STATE_MACHINE, listExecutions } from '../../lib/workflow/local';
import { summarizeExecution } from '../../local/cli/execution-summary';
import { startLakeProcess } from '../support/lake-process';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';

/** An orders file big enough that its run lasts a moment (order ids prefixed, so the two files do not overlap). */
const ordersFile = (prefix: string, rows: number) =>
  `${HEADER}\n` +
  Array.from(
    { length: rows },
    (_, i) => `${prefix}${i},c${i % 97},2026-11-${20 + (i % 5)},paid,${i}.5,EUR,1,,2026-11-25T10:00:00Z`,
  ).join('\n') +
  '\n';

interface LogLine {
  message?: string;
  name?: string;
  state?: string;
  heldBy?: string;
  waits?: number;
  next?: string;
}

it('one of two uploads at once waits for the lake, and says so while it waits and afterwards', async () => {
  const lakeDir = await tempLake('busy-lake');
  const uploads = path.join(lakeDir, 'raw', 'uploads', 'orders');
  await fs.mkdir(uploads, { recursive: true });
  const lake = await startLakeProcess({
    LAKE_DIR: lakeDir,
    LAKE_API_KEY: 'busy-lake',
    LOG_FORMAT: 'json',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  try {
    // Both files appear at once (renamed into place: the watcher sees them complete, in the same look).
    for (const f of ['a', 'b']) await fs.writeFile(path.join(lakeDir, `${f}.csv`), ordersFile(f, 60_000));
    await Promise.all(
      ['a', 'b'].map((f) => fs.rename(path.join(lakeDir, `${f}.csv`), path.join(uploads, `${f}.csv`))),
    );

    // While one waits: its record (as npm run executions reads it) says so.
    const waitingNow = await until(
      'an execution recorded as waiting',
      async () => {
        const all = await listExecutions(lakeDir, ETL_STATE_MACHINE);
        for (const r of all) {
          const text = summarizeExecution(r);
          if (r.status === 'RUNNING' && text.includes('Waiting   now')) return { r, text };
        }
        // Both over, and neither was seen waiting.
        return all.length === 2 && all.every((r) => r.status !== 'RUNNING')
          ? { r: undefined, text: '' }
          : undefined;
      },
      { intervalMs: 20, context: lake.output },
    );
    const execs = await until(
      'both executions to finish',
      async () => {
        const all = await listExecutions(lakeDir, ETL_STATE_MACHINE);
        return all.length === 2 && all.every((r) => r.status !== 'RUNNING') ? all : undefined;
      },
      { context: lake.output },
    );
    expect(execs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(waitingNow.r).toBeDefined();
    const waiter = execs.find((r) => r.name === waitingNow.r!.name)!;
    const holder = execs.find((r) => r.name !== waiter.name)!;
    expect(waitingNow.text).toMatch(
      new RegExp(
        `^ {2}Waiting {3}now, in WaitForLake for .+ \\(\\d+ looks?\\ so far\\): the lake is held by run ${holder.name}$`,
        'm',
      ),
    );

    // Afterwards: the summary counts the waits and names the run that held the lake.
    expect(summarizeExecution(waiter)).toMatch(
      new RegExp(
        `^ {2}Waits {5}WaitForLake \\d+ times?, .+ in all \\(the lake was held by run ${holder.name}\\)$`,
        'm',
      ),
    );
    expect(summarizeExecution(waiter)).not.toContain('Waiting   now');
    expect(summarizeExecution(holder)).toContain('  Waits     none');

    // The log: when it started waiting (and for which run), then when it resumed.
    const lines = lake
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.name === waiter.name);
    const waiting = lines.findIndex((l) => l.message === 'execution waiting');
    const resumed = lines.findIndex((l) => l.message === 'execution resumed');
    expect(lines[waiting]).toMatchObject({ state: 'WaitForLake', heldBy: holder.name });
    expect(resumed).toBeGreaterThan(waiting);
    expect(lines[resumed]).toMatchObject({ state: 'WaitForLake', waits: expect.any(Number) });
    expect(['ReadResult', 'NoticeDefaults']).toContain(lines[resumed]!.next);
    expect(lines.filter((l) => l.message === 'execution waiting')).toHaveLength(1);
    expect(await lake.kill('SIGTERM')).toBe(0);
  } finally {
    if (lake.child.exitCode === null) await lake.kill('SIGKILL');
    await fs.rm(lakeDir, { recursive: true, force: true });
  }
});
