/** GET /uploads/quarantine?limit&nextToken: the quarantined uploads with their reasons (lib/uploads/quarantine-list.ts). */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { json } from '../http';
import type { ObjectStore } from '../objects/types';
import { InvalidQuarantineTokenError, listQuarantine } from '../uploads/quarantine-list';
import { invalidParameter, limitParam, queryParams, tokenParam } from './params';

export async function listQuarantined(
  objects: ObjectStore,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const params = queryParams(event, ['limit', 'nextToken']);
  try {
    const page = await listQuarantine(objects, { limit: limitParam(params), nextToken: tokenParam(params) });
    return json(event, 200, { items: page.items, nextToken: page.nextToken ?? null });
  } catch (e) {
    if (e instanceof InvalidQuarantineTokenError) throw invalidParameter('nextToken', e.message);
    throw e;
  }
}
