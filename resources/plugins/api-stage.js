'use strict';
/**
 * The REST API stage's settings, in the CloudFormation template (so they are reviewed and tested like the rest):
 * access logging to ApiAccessLogGroup (resources/framework-resources.yml), X-Ray tracing, CloudWatch metrics and
 * stage-wide throttling (custom.apiStage in serverless.yml).
 *
 * osls would set access logs and API tracing (provider.logs.restApi, provider.tracing.apiGateway) with SDK calls
 * after the deployment, outside the template, and would add a custom resource whose Lambda sets the account-wide
 * API Gateway CloudWatch role with broad IAM permissions. Instead, this sets StageDescription on the framework's
 * AWS::ApiGateway::Deployment (a new one each deploy, so the stage is updated each deploy), which also waits for the
 * gateway responses so that the deployment includes them. Execution logging stays
 * off; access logging needs the account's API Gateway CloudWatch Logs role to be set once per account and region
 * (README, "Deploying to AWS").
 */

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  userArn: '$context.identity.userArn',
  apiKeyId: '$context.identity.apiKeyId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  errorMessage: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
});

class ApiStagePlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.configureStage(),
    };
  }

  configureStage() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const settings = (this.serverless.service.custom && this.serverless.service.custom.apiStage) || {};
    const deployments = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::ApiGateway::Deployment',
    );
    for (const deployment of deployments) {
      deployment.Properties.StageDescription = {
        AccessLogSetting: {
          DestinationArn: { 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] },
          Format: ACCESS_LOG_FORMAT,
        },
        TracingEnabled: true,
        MetricsEnabled: true,
        ThrottlingRateLimit: Number(settings.rateLimit || 100),
        ThrottlingBurstLimit: Number(settings.burstLimit || 200),
      };
      // A deployment publishes the API as it is when it is created: the gateway responses
      // (resources/api-gateway-responses.cjs, from lib/gateway-responses.json) must exist by then, or the stage answers with API Gateway's defaults.
      const responses = Object.keys(template.Resources).filter(
        (id) => template.Resources[id].Type === 'AWS::ApiGateway::GatewayResponse',
      );
      const dependsOn = [].concat(deployment.DependsOn || []);
      deployment.DependsOn = [...dependsOn, ...responses.filter((id) => !dependsOn.includes(id))];
    }
  }
}

module.exports = ApiStagePlugin;
module.exports.ACCESS_LOG_FORMAT = ACCESS_LOG_FORMAT;
