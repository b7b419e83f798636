/**
 * GET /openapi.json on the local lake: the OpenAPI 3.1 document of the API it serves (lib/openapi/document.ts),
 * made from the same serverless.yml routes and schemas/ as the one `sls package` writes for AWS
 * (.serverless/openapi.json) — made at each request, so an edit of schemas/ the lake follows shows at once. No key
 * is needed: it describes the API, it reads no data.
 */
import type http from 'node:http';
import path from 'node:path';
import { OPENAPI_PATH, openApiDocument } from '../lib/openapi/document';
import type { FunctionsLike } from '../lib/openapi/http-events';
import { projectRoot, type Route } from './service-config';

export const isOpenApiRequest = (method: string, pathname: string) =>
  (method === 'GET' || method === 'HEAD') && pathname === OPENAPI_PATH;

export function serveOpenApi(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  api: { routes: Route[]; service: string; stage: string },
  headers: Record<string, string> = {},
): number {
  const functions: FunctionsLike = {};
  for (const r of api.routes) functions[r.functionName] = r.fn as FunctionsLike[string];
  const body = JSON.stringify(
    openApiDocument({
      functions,
      schemasDir: path.join(projectRoot, 'schemas'),
      service: api.service,
      stage: api.stage,
      version: (require(path.join(projectRoot, 'package.json')) as { version: string }).version,
      // The address the client reached (PORT, HOST): a client generated from the document calls this lake.
      ...(req.headers.host ? { localUrl: `http://${req.headers.host}` } : {}),
    }),
  );
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
  return 200;
}
