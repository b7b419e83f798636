/** Middy middleware that turns thrown errors into API responses: ApiError as is, anything else as a 500. */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, ErrorCode } from './errors';
import { errorResponse } from './http';
import { logger } from './logger';

export function httpErrors(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const err = request.error;
      const requestId = request.context?.awsRequestId;
      if (err instanceof ApiError) {
        // An answer the code chose (a 503 of a full disk, a throttled stream): its code and reason, no stack (under
        // `reason`: Powertools keeps `message` for the line's own and dropped this one, with a warning each time).
        if (err.status >= 500) logger.error('request failed', { code: err.code, reason: err.message });
        else logger.info('request refused', { status: err.status, code: err.code });
        request.response = errorResponse(request.event, err, requestId);
      } else {
        logger.error('unhandled error', { error: err as Error });
        request.response = errorResponse(
          request.event,
          new ApiError(500, ErrorCode.Internal, 'internal error'),
          requestId,
        );
      }
    },
  };
}
