/** The HTTP routes of a service definition (serverless.yml's functions, resolved): path, method, authorisation. */

export interface HttpEventLike {
  path: string;
  method: string;
  private?: boolean;
  authorizer?: string | { type?: string; name?: string };
  request?: { schemas?: Record<string, unknown> };
}

export interface FunctionsLike {
  [name: string]: { events?: ({ http?: HttpEventLike | string } & Record<string, unknown>)[] };
}

export interface ApiRoute {
  method: string;
  /** /queries/{id} */
  path: string;
  functionName: string;
  /** aws_iam: SigV4 on AWS (the lake's key locally); apiKey: x-api-key everywhere; none. */
  auth: 'iam' | 'apiKey' | 'none';
  hasBodyModel: boolean;
}

export function apiRoutes(functions: FunctionsLike): ApiRoute[] {
  const out: ApiRoute[] = [];
  for (const [functionName, fn] of Object.entries(functions)) {
    for (const ev of fn.events ?? []) {
      const h = ev.http;
      if (!h) continue;
      if (typeof h === 'string')
        throw new Error(`${functionName}: http events in short form are not supported`);
      const a = h.authorizer;
      const type = typeof a === 'string' ? a : (a?.type ?? a?.name);
      const iam = typeof type === 'string' && type.toLowerCase() === 'aws_iam';
      out.push({
        method: h.method.toUpperCase(),
        path: '/' + h.path.replace(/^\/+/, ''),
        functionName,
        auth: iam ? 'iam' : h.private ? 'apiKey' : 'none',
        hasBodyModel: Object.keys(h.request?.schemas ?? {}).length > 0,
      });
    }
  }
  return out.sort((x, y) => x.path.localeCompare(y.path) || x.method.localeCompare(y.method));
}
