/**
 * Readable log lines for a terminal (local/pretty-log.ts): which format the lake chooses, how each kind of line
 * reads, and that the printer keeps the loggers' threshold while showing deliveries. The request line's detail
 * comes from the answer (local/request-summary.ts).
 */
import { LakeLogger, setLogPrinter } from '../../lib/lake-logger';
import { installPrettyLogs, logFormat, renderLine } from '../../local/pretty-log';
import { responseSummary } from '../../local/request-summary';

const TS = '2026-12-03T08:41:34.000Z';
const TIME = /^\d\d:\d\d:\d\d /;

describe('logFormat', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'yaml' }, false)).toThrow(/LOG_FORMAT must be 'json' or 'pretty'/);
  });
});

describe('renderLine', () => {
  const line = (a: Record<string, unknown>) => renderLine({ level: 'INFO', timestamp: TS, ...a });

  it('writes control characters of a field escaped: a file name cannot forge a line or a terminal escape', () => {
    const key =
      'uploads/orders/x\n03:40:00 ETL orders-fake SUCCEEDED\n\u001b[31mRED\u001b[0m\u001b]0;pwned\u0007.csv';
    const notice = line({
      message: 'notification',
      kind: 'UPLOAD_QUARANTINED',
      subject: 'Upload quarantined',
      detail: { key },
    })!;
    const warn = line({ level: 'WARN', message: 'upload quarantined', key })!;
    for (const l of [notice, warn]) {
      expect(l).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(l.split('\n')).toHaveLength(1);
      expect(l).toContain('x\\n03:40:00 ETL orders-fake SUCCEEDED\\n\\u001b[31mRED');
    }
  });

  it('gives requests, deliveries, notices and executions one short line each', () => {
    expect(
      line({
        message: 'request',
        method: 'POST',
        path: '/events',
        status: 202,
        ms: 12,
        detail: '3 accepted',
      }),
    ).toMatch(/^\d\d:\d\d:\d\d POST \/events 202 3 accepted \(12 ms\)$/);
    expect(line({ message: 'delivered', key: 'events/type=signup/x.gz', records: 1, bytes: 2048 })).toMatch(
      /^\d\d:\d\d:\d\d delivered 1 record to raw\/events\/type=signup\/x\.gz \(2\.0 KiB\)$/,
    );
    expect(
      line({
        message: 'notification',
        kind: 'ETL_SUCCEEDED',
        subject: 'Data lake ETL run succeeded',
        detail: { input: { key: 'uploads/orders/a.csv' }, rowsWritten: 2, rowsRejected: 0 },
        function_name: 'data-lake-local-notifications',
      }),
    ).toMatch(
      / notice ETL_SUCCEEDED: Data lake ETL run succeeded \(uploads\/orders\/a\.csv, 2 rows written\)$/,
    );
    expect(
      line({
        message: 'notification',
        kind: 'ETL_SUCCEEDED',
        subject: 'Data lake ETL run succeeded',
        detail: {
          input: { key: 'uploads/orders/b.csv' },
          rowsWritten: 0,
          rowsRejected: 0,
          tables: [{ table: 'orders', duplicatesRemoved: 2 }],
        },
        function_name: 'data-lake-local-notifications',
      }),
    ).toMatch(
      /\(uploads\/orders\/b\.csv, 0 rows written, 2 duplicate key\(s\) \(stored rows kept or replaced\)\)$/,
    );
    expect(line({ message: 'execution finished', name: 'orders-a', status: 'SUCCEEDED' })).toMatch(
      /^\d\d:\d\d:\d\d ETL orders-a SUCCEEDED$/,
    );
    expect(
      line({
        level: 'WARN',
        message: 'execution finished',
        name: 'b',
        status: 'FAILED',
        error: 'Etl.TableFailed',
      }),
    ).toMatch(/ WARN ETL b FAILED Etl\.TableFailed \(npm run executions -- b\)$/);
    expect(
      line({
        message: 'execution waiting',
        name: 'orders-b',
        state: 'WaitForLake',
        error: 'Glue.ConcurrentRunsExceededException',
        heldBy: 'run-7',
      }),
    ).toMatch(/^\d\d:\d\d:\d\d ETL orders-b waiting in WaitForLake for run run-7$/);
    expect(
      line({ message: 'execution waiting', name: 'c', state: 'WaitForLake', error: 'Lake.Busy' }),
    ).toMatch(/ ETL c waiting in WaitForLake \(Lake\.Busy\)$/);
    expect(
      line({ message: 'execution resumed', name: 'orders-b', next: 'RunEtlJob', waits: 3, waitedMs: 700 }),
    ).toMatch(/ ETL orders-b resumed with RunEtlJob after 3 looks \(700 ms\)$/);
  });

  it('shows other lines as message and fields, without Powertools keys, with the short function name', () => {
    const l = line({
      message: 'upload ignored',
      service: 'data-lake',
      function_name: 'data-lake-local-validateUpload',
      function_request_id: 'r-1',
      correlation_id: 'c-1',
      cold_start: false,
      sampling_rate: 0,
      key: 'uploads/x y.csv',
      size: 3,
    });
    expect(l).toMatch(TIME);
    expect(l!.slice(9)).toBe('validateUpload: upload ignored key="uploads/x y.csv" size=3');
  });

  it('leaves out lines the request line already says, and gives an error its stack', () => {
    expect(line({ message: 'events accepted', count: 3 })).toBeNull();
    const err = { name: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1:1)' };
    expect(line({ level: 'ERROR', message: 'handler failed', error: err })).toMatch(
      /^\d\d:\d\d:\d\d ERROR handler failed error=Error: boom\n {4}at f \(a\.ts:1:1\)$/,
    );
  });

  it("puts an error's reason before long fields, which would clip it away", () => {
    const err = { name: 'Error', message: 'ENOSPC: no space left on device, write' };
    const shown = line({
      level: 'ERROR',
      message: 'local firehose delivery failed',
      file: `${'x'.repeat(3000)}.wal`,
      error: err,
    });
    expect(shown).toMatch(
      /^\d\d:\d\d:\d\d ERROR local firehose delivery failed error=Error: ENOSPC: no space left/,
    );
    expect(shown!.length).toBeLessThanOrEqual(2000);
    expect(shown!.endsWith('…')).toBe(true);
  });

  it('keeps what a warning names to act on (the segments a stop left), where an info line is cut at 240', () => {
    const left = Array.from({ length: 4 }, (_, i) => ({
      file: `/mnt/lake/.firehose/data-lake-local-events/${i}.4051916.f1ce397d1d44.1~1796487980904-2-5cb0b25982e3.wal`,
      reason: 'the disk under LAKE_DIR is full',
    }));
    const warn = line({ level: 'WARN', message: 'stopped, leaving events not delivered', left });
    expect(warn).toContain(left[3]!.file);
    expect(warn!.endsWith('…')).toBe(false);
    const info = line({ message: 'stopped', left });
    expect(info!.length).toBe(240);
    expect(info!.endsWith('…')).toBe(true);
  });
});

describe('installPrettyLogs', () => {
  afterEach(() => setLogPrinter(undefined));

  it('prints at the loggers threshold, and deliveries (DEBUG) when that is INFO', () => {
    const out: string[] = [];
    const logger = new LakeLogger({ serviceName: 't', logLevel: 'INFO' });
    installPrettyLogs({ loggers: [logger], write: (l) => out.push(l) });
    logger.debug('noise');
    logger.debug('delivered', { key: 'k', records: 2, bytes: 10 });
    logger.info('hello');
    expect(out.map((l) => l.slice(9))).toEqual(['delivered 2 records to raw/k (10 B)', 'hello']);

    const quiet = new LakeLogger({ serviceName: 't', logLevel: 'WARN' });
    out.length = 0;
    installPrettyLogs({ loggers: [quiet], write: (l) => out.push(l) });
    quiet.debug('delivered', { key: 'k', records: 2, bytes: 10 });
    quiet.info('hello');
    quiet.warn('careful');
    expect(out.map((l) => l.slice(9))).toEqual(['WARN careful']);
  });
});

describe('responseSummary', () => {
  it('says what an answer says in a few words', () => {
    expect(responseSummary(202, '{"accepted":3,"ids":["a","b","c"]}')).toBe('3 accepted');
    expect(responseSummary(400, '{"code":"VALIDATION_FAILED","errors":[]}')).toBe('VALIDATION_FAILED');
    expect(responseSummary(200, '{"id":"q","state":"SUCCEEDED","rows":[[1]]}')).toBe('SUCCEEDED 1 row');
    expect(responseSummary(200, 'not json')).toBeUndefined();
    expect(responseSummary(200, '{"other":1}')).toBeUndefined();
  });
});
