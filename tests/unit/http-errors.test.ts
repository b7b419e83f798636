/**
 * The error middleware (lib/http-middleware.ts): a 5xx the code chose (a 503 of a full disk, a throttled stream) is
 * logged by its code and message — not with a stack trace per refused request, which a full disk turned into a flood.
 * An error nobody chose keeps its stack.
 */
import { httpErrors } from '../../lib/http-middleware';
import { ApiError, ErrorCode } from '../../lib/errors';
import { logger } from '../../lib/logger';

const request = (error: Error) =>
  ({ error, event: { headers: {} }, context: { awsRequestId: 'r-1' }, response: undefined }) as never;

it('logs a 5xx ApiError by its code and reason, without its stack; another error with it', async () => {
  // What the logger prints: its own line, not the middleware's call (Powertools drops attributes under its own keys).
  const printed: string[] = [];
  const take = (chunk: unknown) => (printed.push(String(chunk)), true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(take);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(take);
  const level = logger.getLevelName();
  logger.setLogLevel('INFO'); // tests run SILENT (tests/setup.ts)
  try {
    await httpErrors().onError!(request(new ApiError(503, ErrorCode.StorageFull, 'the disk is full')));
  } finally {
    logger.setLogLevel(level);
    out.mockRestore();
    err.mockRestore();
  }
  const lines = printed.join('').split('\n').filter(Boolean);
  expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
    expect.objectContaining({
      level: 'ERROR',
      message: 'request failed',
      code: 'STORAGE_FULL',
      reason: 'the disk is full',
    }),
  ]);
  const log = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  try {
    const bug = new TypeError('x is undefined');
    await httpErrors().onError!(request(bug));
    expect(log).toHaveBeenLastCalledWith('unhandled error', { error: bug });
  } finally {
    log.mockRestore();
  }
});
