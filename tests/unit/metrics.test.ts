/**
 * What CloudWatch gets from the handlers: the EMF lines (Powertools metrics, captured from stdout, with metrics
 * enabled as in Lambda) and the correlation ids (response header, execution input). The delivery stream, the
 * workflow and the notifier are fakes; uploads use the local object store in a temporary lake.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiEvent, lambdaContext, pageView, s3ObjectCreated } from '../support/api-event';

const lake = mkdtempSync(path.join(os.tmpdir(), 'lake-metrics-'));

// As in Lambda, but with the local object store. Set before the modules load, as Lambda would.
process.env.LAKE_RUNTIME = 'local';
process.env.LAKE_DIR = lake;
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'DataLake';
process.env.POWERTOOLS_SERVICE_NAME = 'data-lake';
process.env.AWS_LAMBDA_FUNCTION_NAME = 'data-lake-test-ingest';
delete process.env.LAKE_STAGE;
delete process.env.POWERTOOLS_DEV; // would send EMF to console.log instead of stdout

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
type Outcome = import('../../lib/uploads/process').UploadOutcome;

interface Loaded {
  ingest: Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  queries: Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  validateUpload: Handler<unknown, Outcome>;
  firehose: typeof import('../../lib/firehose');
  workflow: typeof import('../../lib/workflow');
  notify: typeof import('../../lib/notify');
  query: typeof import('../../lib/query');
  metrics: typeof import('../../lib/metrics');
  logger: typeof import('../../lib/logger');
}

/** The handlers and their ports, loaded afresh (a new process, as far as module state goes). */
function load(): Loaded {
  let loaded!: Loaded;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded = {
      ingest: require('../../functions/ingest').handler,
      queries: require('../../functions/queries').handler,
      validateUpload: require('../../functions/validate-upload').handler,
      firehose: require('../../lib/firehose'),
      workflow: require('../../lib/workflow'),
      notify: require('../../lib/notify'),
      query: require('../../lib/query'),
      metrics: require('../../lib/metrics'),
      logger: require('../../lib/logger'),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return loaded;
}

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

// Every test's stdout is captured (metrics are on in this file: EMF would otherwise end up in the test output).
let stdout: string[] = [];
let stdoutSpy: jest.SpyInstance | undefined;
beforeEach(() => {
  stdout = [];
  stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  }) as typeof process.stdout.write);
});
afterEach(() => stdoutSpy?.mockRestore());

/** What is written to stdout while `fn` runs: the EMF documents and the raw text. */
async function captureStdout(fn: () => Promise<unknown>): Promise<{ emf: Emf[]; text: string }> {
  const from = stdout.length;
  await fn();
  const text = stdout.slice(from).join('');
  const emf = text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((d): d is Emf => typeof d._aws === 'object');
  return { emf, text };
}

/** The application metrics (not ColdStart) of the captured documents: name → value. */
function values(emf: Emf[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of emf) {
    for (const m of d._aws.CloudWatchMetrics[0]!.Metrics) if (m.Name !== 'ColdStart') out[m.Name] = d[m.Name];
  }
  return out;
}

const appDocs = (emf: Emf[]) =>
  emf.filter((d) => !d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === 'ColdStart'));

const ids = (records: { id: string }[]) => records.map((r) => r.id);

let m: Loaded;
const started: { name: string; input: Record<string, unknown> }[] = [];
const notices: unknown[] = [];

beforeAll(() => {
  m = load();
  m.workflow.setWorkflow({
    startExecution: async (name, input) => {
      const dup = started.some((s) => s.name === name);
      started.push({ name, input });
      return {
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:data-lake-test-etl:${name}`,
        alreadyStarted: dup,
      };
    },
  });
  m.notify.setNotifier({ publish: async (n) => void notices.push(n) });
});

afterAll(() => rmSync(lake, { recursive: true, force: true }));

beforeEach(() => {
  m.firehose.setEventStream({ putRecords: async () => ({ failed: [] }) });
});

const post = (
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  handler = m.ingest,
) =>
  handler(
    apiEvent({ body: typeof body === 'string' ? body : JSON.stringify(body), headers }),
    lambdaContext('data-lake-test-ingest'),
  );

describe('stage', () => {
  it('comes from LAKE_STAGE, else from the function name data-lake-<stage>-<fn>', () => {
    const { lakeStage } = m.metrics;
    expect(lakeStage({ AWS_LAMBDA_FUNCTION_NAME: 'data-lake-prod-ingest' })).toBe('prod');
    expect(lakeStage({ AWS_LAMBDA_FUNCTION_NAME: 'data-lake-pr-12-validateUpload' })).toBe('pr-12');
    expect(lakeStage({ AWS_LAMBDA_FUNCTION_NAME: 'lake-prod-ingest', POWERTOOLS_SERVICE_NAME: 'lake' })).toBe(
      'prod',
    );
    expect(lakeStage({ LAKE_STAGE: 'qa', AWS_LAMBDA_FUNCTION_NAME: 'data-lake-prod-ingest' })).toBe('qa');
    expect(lakeStage({ AWS_LAMBDA_FUNCTION_NAME: 'something-else' })).toBe('unknown');
    expect(lakeStage({})).toBe('unknown');
  });
});

describe('ingest metrics', () => {
  it('a 202 batch of 3: EventsAccepted=3, namespace DataLake, dimensions service and stage', async () => {
    const { emf } = await captureStdout(() =>
      post({ events: [pageView(), pageView(), pageView()] }).then((r) => expect(r.statusCode).toBe(202)),
    );
    const docs = appDocs(emf);
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    expect(doc._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'DataLake',
      Dimensions: [['service', 'stage']],
      Metrics: [{ Name: 'EventsAccepted', Unit: 'Count' }],
    });
    expect(doc).toMatchObject({
      service: 'data-lake',
      stage: 'test',
      EventsAccepted: 3,
      correlation_id: 'req-1',
    });
  });

  it('a validation failure of a 2-event batch: EventsRejected=2, no EventsAccepted', async () => {
    const { emf } = await captureStdout(async () => {
      const res = await post({ events: [pageView(), { type: 'nope', data: {} }] });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).code).toBe('VALIDATION_FAILED');
    });
    expect(values(emf)).toEqual({ EventsRejected: 2 });
    expect(appDocs(emf)[0]).toMatchObject({
      service: 'data-lake',
      stage: 'test',
      error_code: 'VALIDATION_FAILED',
    });
  });

  it('one invalid event: EventsRejected=1', async () => {
    const { emf } = await captureStdout(() => post({ type: 'page_view', data: {} }));
    expect(values(emf)).toEqual({ EventsRejected: 1 });
  });

  it.each([
    ['malformed JSON', '{"type":', { 'content-type': 'application/json' }, 'MALFORMED_JSON'],
    [
      'a wrong content type',
      JSON.stringify(pageView()),
      { 'content-type': 'text/plain' },
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a body that is not an event', '[1,2]', { 'content-type': 'application/json' }, 'INVALID_BODY'],
  ])('%s: RequestsRejected=1, no event count', async (_what, body, headers, code) => {
    const { emf } = await captureStdout(async () => {
      const res = await post(body, headers);
      expect(JSON.parse(res.body).code).toBe(code);
    });
    expect(values(emf)).toEqual({ RequestsRejected: 1 });
  });

  it('a partial Firehose failure: EventsAccepted for the accepted part, EventsDeliveryFailed for the rest', async () => {
    m.firehose.setEventStream({
      putRecords: async (records) => ({
        failed: ids(records)
          .map((id, index) => ({
            index,
            id,
            errorCode: 'ServiceUnavailableException',
            errorMessage: 'Slow down.',
          }))
          .filter(({ id }) => id === 'b' || id === 'd'),
      }),
    });
    const { emf } = await captureStdout(async () => {
      const res = await post({ events: ['a', 'b', 'c', 'd', 'e'].map((id) => pageView({ id })) });
      expect(res.statusCode).toBe(503);
    });
    expect(values(emf)).toEqual({ EventsAccepted: 3, EventsDeliveryFailed: 2 });
    const doc = appDocs(emf)[0]!;
    expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
  });

  it('every record refused: EventsDeliveryFailed only', async () => {
    m.firehose.setEventStream({
      putRecords: async (records) => ({
        failed: ids(records).map((id, index) => ({ index, id, errorCode: 'X', errorMessage: 'x' })),
      }),
    });
    const { emf } = await captureStdout(() => post({ events: [pageView(), pageView()] }));
    expect(values(emf)).toEqual({ EventsDeliveryFailed: 2 });
  });

  it('metrics of one invocation are flushed by it: nothing carries over to the next', async () => {
    const { emf } = await captureStdout(async () => {
      await post(pageView());
      await post('{');
    });
    expect(appDocs(emf).map((d) => values([d]))).toEqual([{ EventsAccepted: 1 }, { RequestsRejected: 1 }]);
  });
});

describe('cold start', () => {
  it('the first invocation of a process emits ColdStart (with function_name), once', async () => {
    // Lambda tells on-demand (cold-startable) environments from provisioned ones with this variable.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    let fresh: Loaded;
    try {
      fresh = load();
    } finally {
      delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    }
    fresh.firehose.setEventStream({ putRecords: async () => ({ failed: [] }) });
    const { emf } = await captureStdout(async () => {
      await post(pageView(), undefined, fresh.ingest);
      await post(pageView(), undefined, fresh.ingest);
    });
    const cold = emf.filter((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((x) => x.Name === 'ColdStart'));
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatchObject({
      ColdStart: 1,
      function_name: 'data-lake-test-ingest',
      service: 'data-lake',
      stage: 'test',
    });
    expect(cold[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('DataLake');
    expect(appDocs(emf).map((d) => values([d]))).toEqual([{ EventsAccepted: 1 }, { EventsAccepted: 1 }]);
  });
});

describe('correlation id (ingest)', () => {
  it('is API Gateway request id, returned in x-correlation-id on a 202', async () => {
    const res = await post(pageView());
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['x-correlation-id']).toBe('req-1');
  });

  it('is returned on errors too (400, 415, 503, 500)', async () => {
    expect((await post({ type: 'nope', data: {} })).headers?.['x-correlation-id']).toBe('req-1');
    expect((await post('x', { 'content-type': 'text/plain' })).headers?.['x-correlation-id']).toBe('req-1');
    m.firehose.setEventStream({
      putRecords: async (records) => ({
        failed: ids(records).map((id, index) => ({ index, id, errorCode: 'X', errorMessage: 'x' })),
      }),
    });
    const unavailable = await post(pageView());
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers).toMatchObject({ 'x-correlation-id': 'req-1', 'retry-after': '2' });
    m.firehose.setEventStream({
      putRecords: async () => {
        throw new Error('disk on fire');
      },
    });
    const internal = await post(pageView());
    expect(internal.statusCode).toBe(500);
    expect(internal.headers?.['x-correlation-id']).toBe('req-1');
  });

  it("honours a client's valid x-correlation-id, and ignores an invalid one", async () => {
    const own = await post(pageView(), {
      'content-type': 'application/json',
      'X-Correlation-Id': 'order-flow-42',
    });
    expect(own.headers?.['x-correlation-id']).toBe('order-flow-42');
    for (const bad of ['has space', 'x'.repeat(129), 'tab\there', '']) {
      const res = await post(pageView(), { 'content-type': 'application/json', 'x-correlation-id': bad });
      expect(res.headers?.['x-correlation-id']).toBe('req-1');
    }
  });

  it('falls back to the Lambda request id without an API Gateway request id', async () => {
    const event = apiEvent({ body: JSON.stringify(pageView()) });
    (event.requestContext as { requestId?: string }).requestId = undefined;
    const res = await m.ingest(event, lambdaContext());
    expect(res.headers?.['x-correlation-id']).toBe('aws-req-1');
  });

  it('logs one line per accepted request with the correlation id, the count and the event ids', async () => {
    const info = jest.spyOn(m.logger.logger, 'info');
    try {
      await post(
        { events: ['e-1', 'e-2', 'e-3'].map((id) => pageView({ id })) },
        { 'content-type': 'application/json', 'x-correlation-id': 'flow-7' },
      );
      const accepted = info.mock.calls.filter((c) => c[0] === 'events accepted');
      expect(accepted).toHaveLength(1);
      expect(accepted[0]![1]).toEqual({ correlation_id: 'flow-7', count: 3, ids: ['e-1', 'e-2', 'e-3'] });
    } finally {
      info.mockRestore();
    }
  });

  it('keeps the other headers (content type, CORS) as they were', async () => {
    const res = await post(pageView());
    expect(res.headers?.['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('validateUpload metrics and correlation', () => {
  const CSV_HEADER = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at';
  const row = (i: number) => `o-${i},c-${i},2026-11-24,paid,1.25,EUR,1,,2026-11-24T10:00:00Z`;

  function drop(key: string, body: string): void {
    const file = path.join(lake, 'raw', ...key.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
  }

  const objectCreated = (key: string, id = 'evt-0001') => s3ObjectCreated(key, {}, id);

  const invoke = (key: string, id?: string) =>
    m.validateUpload(objectCreated(key, id), lambdaContext('data-lake-test-validateUpload'));

  it('an accepted upload: UploadsAccepted=1, dataset as metadata (not a dimension), correlationId in the input', async () => {
    const key = 'uploads/orders/accepted.csv';
    drop(key, [CSV_HEADER, row(1), row(2)].join('\n') + '\n');
    const before = started.length;
    let outcome!: Outcome;
    const { emf } = await captureStdout(async () => {
      outcome = await invoke(key, 'evt-accepted');
    });
    expect(outcome.outcome).toBe('started');
    expect(values(emf)).toEqual({ UploadsAccepted: 1 });
    const doc = appDocs(emf)[0]!;
    expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
    expect(doc).toMatchObject({
      dataset: 'orders',
      key,
      correlation_id: 'evt-accepted',
      outcome: 'started',
      stage: 'test',
    });
    expect(started.slice(before)).toHaveLength(1);
    expect(started[before]!.input).toMatchObject({
      mode: 'file',
      table: 'orders',
      inputs: [key],
      correlationId: 'evt-accepted',
    });
  });

  it('a duplicate event (another id) starts nothing new: the execution name ignores the correlation id', async () => {
    const key = 'uploads/orders/dup.csv';
    drop(key, [CSV_HEADER, row(1)].join('\n') + '\n');
    const first = await invoke(key, 'evt-a');
    const second = await invoke(key, 'evt-b');
    expect([first.outcome, second.outcome]).toEqual(['started', 'alreadyStarted']);
    const runs = started.filter((s) => s.input.key === key);
    expect(runs[0]!.name).toBe(runs[1]!.name);
  });

  it('a quarantined upload: UploadsQuarantined=1 with dataset and reason as metadata', async () => {
    const key = 'uploads/orders/broken.csv';
    drop(key, 'nonsense,columns\n1,2\n');
    const { emf } = await captureStdout(async () => {
      expect((await invoke(key)).outcome).toBe('quarantined');
    });
    expect(values(emf)).toEqual({ UploadsQuarantined: 1 });
    expect(appDocs(emf)[0]).toMatchObject({ dataset: 'orders', reason: 'HEADER_MISMATCH', key });
    expect(appDocs(emf)[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
  });

  it('an ignored object: UploadsIgnored=1 with the reason as metadata', async () => {
    const { emf } = await captureStdout(async () => {
      expect((await invoke('uploads/orders/_SUCCESS')).outcome).toBe('ignored');
    });
    expect(values(emf)).toEqual({ UploadsIgnored: 1 });
    expect(appDocs(emf)[0]).toMatchObject({ reason: expect.stringMatching(/hidden/) });
  });
});

describe('queries metrics', () => {
  const status = (id: string) => ({
    id,
    state: 'RUNNING' as const,
    sql: 'SELECT 1',
    submittedAt: new Date().toISOString(),
    completedAt: null,
    dataScannedBytes: 0,
    engineTimeMs: 0,
    engine: 'athena' as const,
  });
  beforeAll(() =>
    m.query.setQueryEngine({
      name: 'athena',
      start: async () => status('9a4f0d2e-0000-4000-8000-000000000001'),
      status: async (id) => status(id),
      wait: async (id) => status(id),
      results: async () => {
        throw new Error('not here');
      },
      cancel: async (id) => status(id),
    }),
  );

  const query = (sql: string) =>
    m.queries(
      apiEvent({ path: '/queries', body: JSON.stringify({ sql, wait: 0 }) }),
      lambdaContext('data-lake-test-queries'),
    );

  it('a started query: QueriesStarted=1, and the correlation id header', async () => {
    let res!: APIGatewayProxyResult;
    const { emf } = await captureStdout(async () => {
      res = await query('SELECT count(*) FROM page_view');
    });
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['x-correlation-id']).toBe('req-1');
    expect(values(emf)).toEqual({ QueriesStarted: 1 });
  });

  it('a refused query: QueriesRejected=1', async () => {
    let res!: APIGatewayProxyResult;
    const { emf } = await captureStdout(async () => {
      res = await query('DROP TABLE page_view');
    });
    expect(JSON.parse(res.body).code).toBe('QUERY_NOT_ALLOWED');
    expect(res.headers?.['x-correlation-id']).toBe('req-1');
    expect(values(emf)).toEqual({ QueriesRejected: 1 });
  });

  it('polling counts nothing and prints nothing but the cold start', async () => {
    const { emf } = await captureStdout(() =>
      m.queries(
        {
          ...apiEvent({ method: 'GET', path: '/queries/9a4f0d2e-0000-4000-8000-000000000001' }),
          resource: '/queries/{id}',
          pathParameters: { id: '9a4f0d2e-0000-4000-8000-000000000001' },
        },
        lambdaContext('data-lake-test-queries'),
      ),
    );
    expect(appDocs(emf)).toEqual([]);
  });
});

describe('POWERTOOLS_METRICS_DISABLED', () => {
  const withEnv = async (env: Record<string, string | undefined>, fn: () => Promise<void>) => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };

  const runAll = async (fresh: Loaded) => {
    fresh.firehose.setEventStream({ putRecords: async () => ({ failed: [] }) });
    await post({ events: [pageView(), pageView()] }, undefined, fresh.ingest);
    await post({ type: 'nope', data: {} }, undefined, fresh.ingest);
    await post('{', undefined, fresh.ingest);
  };

  it('=true: nothing is printed, cold start included', async () => {
    await withEnv(
      { POWERTOOLS_METRICS_DISABLED: 'true', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' },
      async () => {
        const fresh = load();
        const { text } = await captureStdout(() => runAll(fresh));
        expect(text).toBe('');
      },
    );
  });

  it('unset outside Lambda (tests, sls invoke local, the local lake): off', async () => {
    await withEnv({ POWERTOOLS_METRICS_DISABLED: undefined, AWS_EXECUTION_ENV: undefined }, async () => {
      const fresh = load();
      const { text } = await captureStdout(() => runAll(fresh));
      expect(text).toBe('');
    });
    await withEnv(
      {
        POWERTOOLS_METRICS_DISABLED: undefined,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        IS_LOCAL: 'true',
      },
      async () => {
        const fresh = load();
        const { text } = await captureStdout(() => runAll(fresh));
        expect(text).toBe('');
      },
    );
  });

  it('unset inside Lambda: on', async () => {
    await withEnv(
      {
        POWERTOOLS_METRICS_DISABLED: undefined,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        IS_LOCAL: undefined,
      },
      async () => {
        const fresh = load();
        const { emf } = await captureStdout(() => runAll(fresh));
        expect(appDocs(emf).map((d) => values([d]))).toEqual([
          { EventsAccepted: 2 },
          { EventsRejected: 1 },
          { RequestsRejected: 1 },
        ]);
      },
    );
  });
});
