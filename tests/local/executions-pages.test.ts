/**
 * The local lake's execution list in pages (lib/workflow/local-workflow.ts): a token names the last execution given,
 * so one started, or changing status, between two pages neither repeats an execution nor skips one.
 */
import { ETL_STATE_MACHINE, writeRecord, type ExecutionRecord } from '../../lib/workflow/local';
import { LocalWorkflow } from '../../lib/workflow/local-workflow';
import { tempLake } from '../support/raw-zone';

const record = (
  name: string,
  startDate: string,
  status: ExecutionRecord['status'] = 'SUCCEEDED',
): ExecutionRecord => ({
  name,
  executionArn: `arn:aws:states:local:000000000000:execution:etl:${name}`,
  stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:etl',
  status,
  input: {},
  startDate,
  requestedBy: { pid: 1 },
});

describe('local execution list in pages', () => {
  it('goes on after the last execution given, whatever started or changed between pages', async () => {
    const dir = await tempLake('executions-pages');
    const put = (r: ExecutionRecord) => writeRecord(dir, ETL_STATE_MACHINE, r);
    // Two started at the same instant: a fixed order (by name) between them.
    await put(record('c', '2026-12-01T10:00:03.000Z'));
    await put(record('b2', '2026-12-01T10:00:02.000Z', 'RUNNING'));
    await put(record('b1', '2026-12-01T10:00:02.000Z', 'RUNNING'));
    await put(record('a', '2026-12-01T10:00:01.000Z', 'RUNNING'));
    const wf = new LocalWorkflow(dir);
    const names = (p: { items: { name: string }[] }) => p.items.map((i) => i.name);

    const first = await wf.listExecutions({ limit: 2 });
    expect(names(first)).toEqual(['c', 'b1']);
    // A new execution, and one of the next page's finishing: neither shifts what comes next.
    await put(record('d', '2026-12-01T10:00:04.000Z'));
    const second = await wf.listExecutions({ limit: 2, nextToken: first.nextToken! });
    expect(names(second)).toEqual(['b2', 'a']);
    expect(second.nextToken).toBeUndefined();

    const running = await wf.listExecutions({ limit: 1, status: 'RUNNING' });
    expect(names(running)).toEqual(['b1']);
    await put(record('b1', '2026-12-01T10:00:02.000Z', 'SUCCEEDED'));
    const more = await wf.listExecutions({ limit: 5, status: 'RUNNING', nextToken: running.nextToken! });
    expect(names(more)).toEqual(['b2', 'a']);
  });
});
