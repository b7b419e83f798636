// API Gateway's own answers (requests refused before any function runs), one AWS::ApiGateway::GatewayResponse per
// response type of lib/gateway-responses.json — the table the local lake's gateway (local/http-api.ts) renders too:
//   resources: - ${file(resources/api-gateway-responses.cjs):resources}
// Bodies have the shape of lib/http.ts errorResponse: {"code", "message", ...details, "requestId"}. Templates of gateway
// responses are not VTL: only $context variables are substituted, so messages are fixed except where the table has
// none (DEFAULT_4XX/5XX: $context.error.messageString, already a quoted JSON string). $context.error.
// validationErrorString is never used: it holds unescaped double quotes, which would break the JSON body.
// CORS: the stage's corsOrigins as Access-Control-Allow-Origin, like the functions' answers. A gateway response has one
// static value, so corsOrigins must be `*` or a single origin (tests/template/gateway-responses.test.ts checks it).
const { responses } = require('../lib/gateway-responses.json');

const pascal = (type) =>
  type
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

/** The response template: JSON with the $context variables API Gateway substitutes. */
function template(r) {
  const fields = [
    `"code":${JSON.stringify(r.code)}`,
    `"message":${r.message === null ? '$context.error.messageString' : JSON.stringify(r.message)}`,
    ...Object.entries(r.details || {}).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
    '"requestId":"$context.requestId"',
  ];
  return `{${fields.join(',')}}`;
}

module.exports = {
  resources: async ({ resolveVariable }) => {
    const origin = String(await resolveVariable('param:corsOrigins'));
    const Resources = {};
    for (const [type, r] of Object.entries(responses)) {
      Resources[`GatewayResponse${pascal(type)}`] = {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: {
          RestApiId: { Ref: 'ApiGatewayRestApi' },
          ResponseType: type,
          ...(r.status === null ? {} : { StatusCode: String(r.status) }),
          ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': `'${origin}'` },
          ResponseTemplates: { 'application/json': template(r) },
        },
      };
    }
    return { Resources };
  },
};
