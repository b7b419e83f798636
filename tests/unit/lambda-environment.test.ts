import { plainEnvironment, usePlainEnvironmentInLambda } from '../../lib/lambda-environment';
import { stdoutLines } from '../support/stdout-lines';

describe('process.env inside Lambda (lib/lambda-environment.ts)', () => {
  const real = process.env;
  afterEach(() => {
    process.env = real;
    delete real.AWS_EXECUTION_ENV;
    delete real.IS_LOCAL;
    delete real._X_AMZN_TRACE_ID;
  });

  it('copies every variable into a plain object and reads and writes the trace id through', () => {
    const env: NodeJS.ProcessEnv = { A: '1', B: '', _X_AMZN_TRACE_ID: 'Root=1-a' };
    const copy = plainEnvironment(env);
    expect({ ...copy }).toEqual(env);
    expect(Object.getOwnPropertyDescriptor(copy, 'A')).toMatchObject({ value: '1', writable: true });
    env._X_AMZN_TRACE_ID = 'Root=1-b'; // the runtime's next invocation, written to the real environment
    expect(copy._X_AMZN_TRACE_ID).toBe('Root=1-b');
    copy._X_AMZN_TRACE_ID = 'Root=1-c';
    expect(env._X_AMZN_TRACE_ID).toBe('Root=1-c');
    copy._X_AMZN_TRACE_ID = undefined;
    expect('_X_AMZN_TRACE_ID' in env).toBe(false);
    copy.C = 'new';
    expect(env.C).toBeUndefined(); // other writes stay in the copy, where this process reads them
  });

  it('is used inside Lambda only, not locally or under sls invoke local', () => {
    expect(usePlainEnvironmentInLambda()).toBe(false);
    expect(process.env).toBe(real);
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    process.env.IS_LOCAL = 'true';
    expect(usePlainEnvironmentInLambda()).toBe(false);
    delete process.env.IS_LOCAL;
    expect(usePlainEnvironmentInLambda()).toBe(true);
    expect(process.env).not.toBe(real);
    expect(process.env.AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs24.x');
    // A plain object: no string conversion on write, as Node's process.env would make.
    (process.env as Record<string, unknown>).N = 1;
    expect(process.env.N).toBe(1);
    real._X_AMZN_TRACE_ID = 'Root=1-d';
    expect(process.env._X_AMZN_TRACE_ID).toBe('Root=1-d');
  });
});

describe("Powertools' logger inside Lambda, on the plain copy", () => {
  const real = process.env;
  afterEach(() => {
    process.env = real;
    for (const k of ['AWS_EXECUTION_ENV', '_X_AMZN_TRACE_ID', 'POWERTOOLS_DEV']) delete real[k];
    real.POWERTOOLS_LOG_LEVEL = level;
  });
  const level = real.POWERTOOLS_LOG_LEVEL;

  it("logs each invocation's trace id as the runtime writes it to the real environment", () => {
    delete real.POWERTOOLS_DEV;
    real.POWERTOOLS_LOG_LEVEL = 'INFO';
    real.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    const lines = stdoutLines(() =>
      jest.isolateModules(() => {
        const { logger } = require('../../lib/logger') as typeof import('../../lib/logger');
        expect(process.env).not.toBe(real); // the plain copy, made when the logger loaded
        for (const root of ['1-67891233-abcdef012345678912345678', '1-67891234-abcdef012345678912345679']) {
          real._X_AMZN_TRACE_ID = `Root=${root};Parent=557abcec3ee5a047;Sampled=1`;
          logger.info('an invocation');
        }
      }),
    );
    const traced = lines
      .filter((l) => l.includes('an invocation'))
      .map((l) => (JSON.parse(l) as { xray_trace_id?: string }).xray_trace_id);
    expect(traced).toEqual(['1-67891233-abcdef012345678912345678', '1-67891234-abcdef012345678912345679']);
  });
});
