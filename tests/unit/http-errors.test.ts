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

it('logs a 5xx ApiError by its code and message, without its stack; another error with it', async () => {
  const log = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  try {
    await httpErrors().onError!(request(new ApiError(503, ErrorCode.StorageFull, 'the disk is full')));
    expect(log).toHaveBeenCalledWith('request failed', {
      code: 'STORAGE_FULL',
      message: 'the disk is full',
    });
    const bug = new TypeError('x is undefined');
    await httpErrors().onError!(request(bug));
    expect(log).toHaveBeenLastCalledWith('unhandled error', { error: bug });
  } finally {
    log.mockRestore();
  }
});
