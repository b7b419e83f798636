/**
 * The lake's console routes (lib/lake-api/): the ETL's executions (list, one whole, start a replay or rebuild,
 * retry), the quarantined uploads with their reasons, and the ingest statistics — on AWS over Step Functions, S3
 * and CloudWatch; locally over the local lake's execution records, folders and counts. Authorised like /queries
 * (aws_iam on AWS, the lake's key locally); errors in the shape of every route (lib/http.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, ErrorCode } from '../lib/errors';
import { httpHandler } from '../lib/http-handler';
import { ingestStatsSource } from '../lib/ingest-stats/source';
import { getExecution, listExecutions, retryExecution, startExecution } from '../lib/lake-api/executions';
import { ingestStats } from '../lib/lake-api/ingest-stats';
import { listQuarantined } from '../lib/lake-api/quarantine';
import { objectStore } from '../lib/objects';
import { executions } from '../lib/workflow';

export async function lake(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const route = `${event.httpMethod.toUpperCase()} ${event.resource}`;
  switch (route) {
    case 'GET /executions':
      return listExecutions(await executions(), event);
    case 'POST /executions':
      return startExecution(await executions(), event);
    case 'GET /executions/{name}':
      return getExecution(await executions(), event);
    case 'POST /executions/{name}/retry':
      return retryExecution(await executions(), objectStore(), event);
    case 'GET /uploads/quarantine':
      return listQuarantined(objectStore(), event);
    case 'GET /ingest/stats':
      return ingestStats(ingestStatsSource(), event);
    default:
      throw new ApiError(
        405,
        ErrorCode.MethodNotAllowed,
        `${event.httpMethod} is not allowed on ${event.path}`,
      );
  }
}

export const handler = httpHandler(lake);
