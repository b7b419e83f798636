/**
 * GET one of the lake function's routes (functions/lake.ts, without its middleware) as API Gateway hands it over; a
 * refusal (ApiError) comes back as the status and the body the error middleware would answer with.
 */
import { lake } from '../../functions/lake';
import { ApiError } from '../../lib/errors';
import { apiEvent } from './api-event';

export async function lakeGet(path: string, query: Record<string, string> | null = null) {
  const event = apiEvent({ method: 'GET', path });
  event.queryStringParameters = query;
  try {
    const res = await lake(event);
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: { code: e.code, ...e.details } };
    throw e;
  }
}
