/**
 * Log attribution where invocations share a process (issue 12 §4): two invocations of a handler run at once —
 * both have set their log context before either logs — while notices are published from inside one of them and
 * from outside both, and an execution is started from inside the other. Each line must carry its own
 * invocation's function name, request id and correlation id; a notice is logged by the topic, under its own name
 * and request id; what an invocation starts or leaves running is logged under no invocation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiEvent, lambdaContext, pageView } from '../support/api-event';

const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-logs-'));
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:data-lake-test-notifications';

process.env.LAKE_RUNTIME = 'local';
process.env.LAKE_DIR = lake;
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.NOTIFICATIONS_TOPIC_ARN = TOPIC;
delete process.env.POWERTOOLS_DEV;

type Line = Record<string, unknown>;
let stdout: string[] = [];
let spy: jest.SpyInstance | undefined;
beforeEach(() => {
  stdout = [];
  spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    stdout.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
});
afterEach(() => spy?.mockRestore());
afterAll(() => rmSync(lake, { recursive: true, force: true }));

const lines = (): Line[] =>
  stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

it('keeps each invocation, the notifier and started work apart in the log lines', async () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { enableInvocationScopes } =
    require('../../lib/invocation-scope') as typeof import('../../lib/invocation-scope');
  enableInvocationScopes(); // as the local lake does (local/environment.ts)
  const { handler } = require('../../functions/ingest') as {
    handler: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
  };
  const { setEventStream } = require('../../lib/firehose') as typeof import('../../lib/firehose');
  const { logger } = require('../../lib/logger') as typeof import('../../lib/logger');
  const { LocalNotifier } = require('../../lib/notify/local') as typeof import('../../lib/notify/local');
  const { detachedWorkflow, topicScopedNotifier } =
    require('../../local/log-scopes') as typeof import('../../local/log-scopes');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const notifier = topicScopedNotifier(new LocalNotifier(lake));
  const workflow = detachedWorkflow({
    startExecution: async (name) => {
      await new Promise((r) => setImmediate(r));
      logger.info('execution running', { name });
      return { executionArn: name, alreadyStarted: false };
    },
  });
  // Both invocations wait in the delivery stream until both have entered it (their contexts are both set).
  let entered = 0;
  const bothIn = deferred();
  const aReturned = deferred();
  setEventStream({
    putRecords: async (records) => {
      if (++entered === 2) bothIn.resolve();
      await bothIn.promise;
      if (records[0]!.id === 'event-a') {
        // Inside invocation A: a notice (as validateUpload's quarantine notice), and a line left for later.
        await notifier.publish({ kind: 'UPLOAD_QUARANTINED', subject: 'from A', detail: {} });
        void aReturned.promise.then(() => logger.info('left running by A'));
      } else {
        await workflow.startExecution('started-by-b', {}); // inside invocation B
      }
      return { failed: [] };
    },
  });

  const call = (id: string, requestId: string, correlation: string) =>
    handler(
      apiEvent({
        body: JSON.stringify(pageView({ id })),
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlation },
      }),
      { ...lambdaContext(`data-lake-test-${id}`), awsRequestId: requestId },
    );
  const [a, b] = await Promise.all([
    call('event-a', 'request-a', 'corr-a'),
    call('event-b', 'request-b', 'corr-b'),
  ]);
  aReturned.resolve();
  // Outside any invocation (as the state machine's notice at the end of an ETL run).
  await notifier.publish({ kind: 'ETL_SUCCEEDED', subject: 'from outside', detail: {} });
  await new Promise((r) => setImmediate(r));
  expect([a.statusCode, b.statusCode]).toEqual([202, 202]);

  const byMessage = (m: string) => lines().filter((l) => l.message === m);
  const who = (l: Line | undefined) => ({
    function_name: l?.function_name,
    function_request_id: l?.function_request_id,
    correlation_id: l?.correlation_id,
  });
  const accepted = byMessage('events accepted');
  expect(
    accepted.map(who).sort((x, y) => String(x.correlation_id).localeCompare(String(y.correlation_id))),
  ).toEqual([
    { function_name: 'data-lake-test-event-a', function_request_id: 'request-a', correlation_id: 'corr-a' },
    { function_name: 'data-lake-test-event-b', function_request_id: 'request-b', correlation_id: 'corr-b' },
  ]);

  const notices = byMessage('notification');
  expect(notices.map((l) => l.subject).sort()).toEqual(['from A', 'from outside']);
  for (const n of notices) {
    expect(n.function_name).toBe('data-lake-test-notifications');
    expect(n.function_arn).toBe(TOPIC);
    expect(['request-a', 'request-b']).not.toContain(n.function_request_id);
    expect(n.correlation_id).toBeUndefined();
  }
  expect(new Set(notices.map((n) => n.function_request_id)).size).toBe(2);

  // Work started by B and left behind by A belongs to no invocation.
  expect(who(byMessage('execution running')[0])).toEqual({
    function_name: undefined,
    function_request_id: undefined,
    correlation_id: undefined,
  });
  expect(who(byMessage('left running by A')[0])).toEqual({
    function_name: undefined,
    function_request_id: undefined,
    correlation_id: undefined,
  });
});
