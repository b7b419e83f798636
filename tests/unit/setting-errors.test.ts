/**
 * A setting of the environment that is no such value is an answer, told in one line without a stack by npm start
 * and the commands (local/told-refusals.ts): every reader of one throws a SettingError naming the variable. A plain
 * Error printed the stack (failed to start the local data lake: Error: … at intEnv …).
 */
import { ingestLimits, localFirehoseSettings } from '../../lib/config';
import { parseFaults } from '../../lib/faults';
import { queryLimits } from '../../lib/query/settings';
import { sampleLimits } from '../../lib/uploads/types';
import { functionWorkerCount } from '../../local/function-workers';
import { logFormat } from '../../local/pretty-log';
import { localSchedules } from '../../local/step-functions/schedules';
import { retryIntervalsFromEnv, waitTimesFromEnv } from '../../local/step-functions/etl';
import { isToldRefusal } from '../../local/told-refusals';
import { nodeVersionProblem } from '../../local/start-settings';

function refusal(read: () => unknown): Error {
  try {
    read();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal');
}

const withEnv = (name: string, value: string, read: () => unknown) => () => {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return read();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
};

describe('settings of the environment that are no such value', () => {
  it.each<[string, () => unknown]>([
    ['INGEST_MAX_EVENTS', withEnv('INGEST_MAX_EVENTS', 'abc', ingestLimits)],
    ['INGEST_MAX_BODY_BYTES', withEnv('INGEST_MAX_BODY_BYTES', '-1', ingestLimits)],
    // Over Firehose's largest buffer: a segment of 2 GiB or more could never be read whole for its delivery.
    ['LAKE_FIREHOSE_BUFFER_MB', withEnv('LAKE_FIREHOSE_BUFFER_MB', '2048', localFirehoseSettings)],
    ['LAKE_FAULTS', () => parseFaults('abc', {})],
    ['LAKE_FAULTS_SEED', () => parseFaults('', { LAKE_FAULTS_SEED: 'x' })],
    ['LAKE_FAULTS (an unknown fault)', () => parseFaults('nosuch=0.1', {})],
    ['QUERY_RESULT_REUSE_MINUTES', withEnv('QUERY_RESULT_REUSE_MINUTES', 'abc', queryLimits)],
    ['UPLOAD_SAMPLE_BYTES', withEnv('UPLOAD_SAMPLE_BYTES', 'abc', sampleLimits)],
    ['LAKE_FUNCTION_WORKERS', () => functionWorkerCount({ LAKE_FUNCTION_WORKERS: 'abc' })],
    ['LOG_FORMAT', () => logFormat({ LOG_FORMAT: 'abc' }, false)],
    [
      'LAKE_COMPACTION_INTERVAL_SECONDS',
      () =>
        localSchedules({ events: [{ schedule: 'rate(1 hour)' }] } as never, {
          LAKE_COMPACTION_INTERVAL_SECONDS: 'x',
        }),
    ],
    [
      'LAKE_SFN_RETRY_INTERVAL_MS',
      () => retryIntervalsFromEnv({ States: {} } as never, { LAKE_SFN_RETRY_INTERVAL_MS: 'abc' }),
    ],
  ])('%s: a SettingError naming it, told without a stack', (name, read) => {
    const e = refusal(read);
    expect([name, e.name, isToldRefusal(e)]).toEqual([name, 'SettingError', true]);
    expect(e.message).toContain(name.split(' ')[0]);
  });
});

describe('an empty setting is unset, whichever it is', () => {
  it('LAKE_SFN_WAIT_MS= waits the default 1000 ms in every Wait state, as unset', () => {
    const definition = { States: { WaitForLake: { Type: 'Wait', Seconds: 60 }, Run: { Type: 'Task' } } };
    expect(waitTimesFromEnv(definition as never, { LAKE_SFN_WAIT_MS: '' })).toEqual({ WaitForLake: 1000 });
    expect(waitTimesFromEnv(definition as never, {})).toEqual({ WaitForLake: 1000 });
  });
});

describe('the Node.js the lake runs on', () => {
  it('an older one is refused at the start, saying how to run the devDependency’s Node.js 24', () => {
    expect(nodeVersionProblem('20.20.2')).toBe(
      'the local data lake needs Node.js 24 or later, and this is Node.js 20.20.2: start it with npm start, or ' +
        'npx node --import tsx local/main.ts (Node.js 24 is a devDependency: npm and npx run it)',
    );
    for (const v of ['24.0.0', '24.11.1', '25.2.0']) expect(nodeVersionProblem(v)).toBeUndefined();
    // The tests run on the devDependency's Node.js, as npm start does.
    expect(nodeVersionProblem()).toBeUndefined();
  });
});
