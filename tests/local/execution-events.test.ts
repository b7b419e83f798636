/**
 * What an execution record keeps of each state (local/step-functions/execution-events.ts): its input and output
 * whole up to Step Functions' payload quota, as GetExecutionHistory keeps them, so that what is read from them (the
 * notices an execution published) is there on the local lake as on AWS.
 */
import { compactEvent } from '../../local/step-functions/execution-events';
import { publishedNotices } from '../../lib/workflow/state-path';

const definition = {
  States: { PublishSuccess: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } },
};

it("keeps a state's input of tens of KiB whole, and lists the notice a publish state sent from it", () => {
  // A rebuild's notice: a few tables, each with its partitions listed (~40 KiB of detail).
  const tables = Object.fromEntries(
    Array.from({ length: 8 }, (_, t) => [
      `table_${t}`,
      {
        partitions: Array.from(
          { length: 20 },
          (_, p) => `dt=2026-11-${String(p + 1).padStart(2, '0')}/${'x'.repeat(200)}`,
        ),
      },
    ]),
  );
  const notice = { kind: 'ETL_SUCCEEDED', subject: 'Data lake ETL run succeeded', detail: { tables } };
  const input = { notice };
  expect(JSON.stringify(input).length).toBeGreaterThan(8 * 1024);
  const at = Date.parse('2026-12-06T05:00:00.000Z');
  const events = [
    compactEvent({
      type: 'StateEntered',
      timestamp: at,
      state: { name: 'PublishSuccess', type: 'Task', input },
    }),
    compactEvent({
      type: 'StateExited',
      timestamp: at + 50,
      state: { name: 'PublishSuccess', type: 'Task', input, output: input },
    }),
  ];
  expect(events[0]!.input).toEqual(input);
  expect(publishedNotices(events, 'SUCCEEDED', definition)).toEqual([
    { at: '2026-12-06T05:00:00.050Z', subject: notice.subject, code: 'ETL_SUCCEEDED' },
  ]);
});

it('marks a payload over the quota (256 KiB in UTF-8) instead of keeping it', () => {
  const big = { text: 'é'.repeat(140 * 1024) }; // 280 KiB in UTF-8, 140 Ki characters
  const ev = compactEvent({
    type: 'StateEntered',
    timestamp: 0,
    state: { name: 'S', type: 'Pass', input: big },
  });
  expect(ev.input).toBe('(too large to keep)');
});
