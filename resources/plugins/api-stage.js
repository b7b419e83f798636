'use strict';
/**
 * The REST API stage, in the CloudFormation template (so it is reviewed and tested like the rest): an
 * AWS::ApiGateway::Stage resource with access logging to ApiAccessLogGroup (resources/framework-resources.yml), X-Ray
 * tracing, CloudWatch metrics and the throttling of each method (custom.apiStage in serverless.yml).
 *
 * osls creates the stage through its AWS::ApiGateway::Deployment (StageName), a new deployment with a new logical id
 * each deploy. Settings given there (StageDescription) work on the first deploy only: CloudFormation refuses every
 * later one ("StageDescription cannot be specified when stage referenced by StageName already exists") and rolls the
 * update back. So the deployment here creates no stage; the Stage resource points at the deployment of the day
 * (DeploymentId), and the resources that name the stage (the producer key, the usage plan) wait for it.
 *
 * osls would set access logs and API tracing (provider.logs.restApi, provider.tracing.apiGateway) with SDK calls
 * after the deployment, outside the template, and would add a custom resource whose Lambda sets the account-wide
 * API Gateway CloudWatch role with broad IAM permissions; neither is used. The deployment also waits for the gateway
 * responses so that it includes them. Execution logging stays off; access logging needs the account's API Gateway
 * CloudWatch Logs role to be set once per account and region (README, "Deploying to AWS").
 */

/** The stage's logical id. */
const STAGE_ID = 'ApiGatewayStage';

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
    const deployments = Object.keys(template.Resources).filter(
      (id) => template.Resources[id].Type === 'AWS::ApiGateway::Deployment',
    );
    if (deployments.length === 0) return;
    if (deployments.length > 1)
      throw new Error(`api-stage: one API deployment expected, found ${deployments.join(', ')}`);
    const [deploymentId] = deployments;
    const deployment = template.Resources[deploymentId];
    const stageName = deployment.Properties.StageName;
    // The deployment creates no stage (the Stage resource below owns it).
    delete deployment.Properties.StageName;
    delete deployment.Properties.StageDescription;
    // A deployment publishes the API as it is when it is created: the gateway responses
    // (resources/api-gateway-responses.cjs, from lib/gateway-responses.json) must exist by then, or the stage answers with API Gateway's defaults.
    const responses = Object.keys(template.Resources).filter(
      (id) => template.Resources[id].Type === 'AWS::ApiGateway::GatewayResponse',
    );
    const dependsOn = [].concat(deployment.DependsOn || []);
    deployment.DependsOn = [...dependsOn, ...responses.filter((id) => !dependsOn.includes(id))];

    template.Resources[STAGE_ID] = {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: deployment.Properties.RestApiId,
        DeploymentId: { Ref: deploymentId },
        StageName: stageName,
        AccessLogSetting: {
          DestinationArn: { 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] },
          Format: ACCESS_LOG_FORMAT,
        },
        TracingEnabled: true,
        // Every method of the stage ("/*", "*"): metrics and the throttle, which API Gateway applies to each method apart (not
        // one budget for the stage); execution logging off.
        MethodSettings: [
          {
            ResourcePath: '/*',
            HttpMethod: '*',
            MetricsEnabled: true,
            LoggingLevel: 'OFF',
            DataTraceEnabled: false,
            ThrottlingRateLimit: Number(settings.rateLimit || 100),
            ThrottlingBurstLimit: Number(settings.burstLimit || 200),
          },
        ],
      },
    };
    // What names the stage (the producer key's StageKeys, the usage plan's ApiStages) waited for the deployment that
    // created it: it waits for the stage now.
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (id === STAGE_ID) continue;
      const waits = [].concat(resource.DependsOn || []);
      if (!waits.includes(deploymentId) || resource.Type === 'AWS::ApiGateway::Deployment') continue;
      resource.DependsOn = [...waits.filter((w) => w !== deploymentId), STAGE_ID];
    }
  }
}

module.exports = ApiStagePlugin;
module.exports.ACCESS_LOG_FORMAT = ACCESS_LOG_FORMAT;
module.exports.STAGE_ID = STAGE_ID;
