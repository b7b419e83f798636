/**
 * The CloudFormation that `sls package --stage prod` writes, offline: API Gateway's own answers (GatewayResponses,
 * resources/api-gateway-responses.cjs, from lib/gateway-responses.json) have the flat error shape of lib/http.ts ({code, message, ...details,
 * requestId}) and the very status, code and message the local lake's API Gateway answers (local/http-api.ts).
 */
import { ErrorCode } from '../../lib/errors';
import { QueryErrorCode } from '../../lib/query/types';
import { GATEWAY_RESPONSES, type GatewayResponse } from '../../local/http-api';
import { packageService, resourcesOfType, type CfnResource, type Template } from '../support/template';

let t: Template;

beforeAll(async () => {
  t = (await packageService('prod')).template;
}, 180_000);

/**
 * The response types API Gateway can produce for this API (API keys, IAM, a validator, throttling, payload
 * compression, a 29 s limit).
 */
const REQUIRED = [
  'BAD_REQUEST_BODY',
  'BAD_REQUEST_PARAMETERS',
  'API_KEY_INVALID',
  'MISSING_AUTHENTICATION_TOKEN',
  'ACCESS_DENIED',
  'UNAUTHORIZED',
  'INVALID_SIGNATURE',
  'EXPIRED_TOKEN',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTEGRATION_TIMEOUT',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
];

/** Sample values of the $context variables a template may use (messageString is a quoted JSON string). */
const SAMPLES: Record<string, string> = {
  '$context.requestId': 'c0ffee00-0000-4000-8000-000000000000',
  '$context.error.messageString': '"Sample \\"message\\""',
  '$context.error.responseType': 'WAF_FILTERED',
};
const render = (template: string) =>
  template.replace(/\$context\.[A-Za-z.]+/g, (v) => {
    if (!(v in SAMPLES)) throw new Error(`unexpected variable ${v} in ${template}`);
    return SAMPLES[v]!;
  });

function responses(): Map<string, CfnResource> {
  const byType = new Map<string, CfnResource>();
  for (const [id, r] of resourcesOfType(t, 'AWS::ApiGateway::GatewayResponse')) {
    const type = r.Properties.ResponseType as string;
    if (byType.has(type)) throw new Error(`${id}: a second GatewayResponse for ${type}`);
    byType.set(type, r);
  }
  return byType;
}

describe('packaged template: API Gateway responses', () => {
  it('has a GatewayResponse on the REST API for every response type the API can produce, and no other', () => {
    const byType = responses();
    expect([...byType.keys()].sort()).toEqual([...REQUIRED].sort());
    expect(Object.keys(GATEWAY_RESPONSES).sort()).toEqual([...REQUIRED].sort());
    for (const r of byType.values()) expect(r.Properties.RestApiId).toEqual({ Ref: 'ApiGatewayRestApi' });
    // The validator they answer for: the request models of POST /events, POST /queries and POST /executions.
    const validated = resourcesOfType(t, 'AWS::ApiGateway::Method').filter(
      ([, m]) => m.Properties.RequestModels?.['application/json'] && m.Properties.RequestValidatorId,
    );
    expect(validated.map(([id]) => id).sort()).toEqual([
      'ApiGatewayMethodEventsPost',
      'ApiGatewayMethodExecutionsPost',
      'ApiGatewayMethodQueriesPost',
    ]);
  });

  it.each(REQUIRED)(
    '%s: the status, code and message the local lake answers, in the flat error shape',
    (type) => {
      const r = responses().get(type)!;
      const local: GatewayResponse = GATEWAY_RESPONSES[type as keyof typeof GATEWAY_RESPONSES];
      // The catch-alls keep the refusal's own status.
      if (local.status === null) expect(r.Properties.StatusCode).toBeUndefined();
      else expect(r.Properties.StatusCode).toBe(String(local.status));

      expect(Object.keys(r.Properties.ResponseTemplates)).toEqual(['application/json']);
      const template = r.Properties.ResponseTemplates['application/json'] as string;
      expect(template).toContain('"requestId":"$context.requestId"');
      const body = JSON.parse(render(template)) as Record<string, unknown>;
      // Same keys in the same order as errorResponse: code, message, details, requestId.
      expect(Object.keys(body)).toEqual([
        'code',
        'message',
        ...Object.keys(local.details ?? {}),
        'requestId',
      ]);
      expect(body).toEqual({
        code: local.code.startsWith('$context.') ? SAMPLES[local.code] : local.code,
        message: local.message ?? 'Sample "message"',
        ...local.details,
        requestId: SAMPLES['$context.requestId'],
      });
      if (!local.code.startsWith('$context.'))
        expect([...Object.values(ErrorCode), ...Object.values(QueryErrorCode)]).toContain(local.code);
    },
  );

  it('the validator refusal is INVALID_BODY on the whole body (pointer ""), a timeout 504 TIMEOUT, too large 413', () => {
    const body = (type: string) =>
      JSON.parse(render(responses().get(type)!.Properties.ResponseTemplates['application/json'])) as Record<
        string,
        unknown
      >;
    expect(body('BAD_REQUEST_BODY')).toMatchObject({ code: 'INVALID_BODY', pointer: '' });
    expect(responses().get('BAD_REQUEST_BODY')!.Properties.StatusCode).toBe('400');
    expect([
      responses().get('INTEGRATION_TIMEOUT')!.Properties.StatusCode,
      body('INTEGRATION_TIMEOUT').code,
    ]).toEqual(['504', 'TIMEOUT']);
    expect([
      responses().get('REQUEST_TOO_LARGE')!.Properties.StatusCode,
      body('REQUEST_TOO_LARGE').code,
    ]).toEqual(['413', 'PAYLOAD_TOO_LARGE']);
    expect([responses().get('API_KEY_INVALID')!.Properties.StatusCode, body('API_KEY_INVALID').code]).toEqual(
      ['403', 'FORBIDDEN'],
    );
  });

  it("CORS: each carries the stage's corsOrigins ('*' in prod) as Access-Control-Allow-Origin, a single value", () => {
    for (const [type, r] of responses()) {
      const origin = r.Properties.ResponseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin'];
      // A static header value: `*` or one origin, quoted (a comma-separated corsOrigins cannot be expressed here).
      expect([type, origin]).toEqual([type, expect.stringMatching(/^'(\*|https?:\/\/[^,\s']+)'$/)]);
      expect(origin).toBe("'*'");
    }
  });
});
