/** GET /ingest/stats?hours=24 (1-168): accepted and refused events per type over time, refusals, delivery buffer. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { json } from '../http';
import type { IngestStatsSource } from '../ingest-stats/types';
import { MAX_HOURS, statsWindow } from '../ingest-stats/window';
import { intParam, queryParams } from './params';

export async function ingestStats(
  source: IngestStatsSource,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const hours = intParam(queryParams(event, ['hours']), 'hours', 24, 1, MAX_HOURS);
  return json(event, 200, await source.read(statsWindow(hours)));
}
