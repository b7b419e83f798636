'use strict';
/**
 * Writes the OpenAPI 3.1 document of the HTTP API (lib/openapi/document.ts) into the package: `sls package` →
 * .serverless/openapi.json (and so into a --package directory). The document is checked against the OpenAPI 3.1
 * schema first (@seriousme/openapi-schema-validator): an invalid one fails the packaging.
 */
const fs = require('node:fs');
const path = require('node:path');
const { require: tsRequire } = require('tsx/cjs/api');

const FILE = 'openapi.json';

class OpenApiPlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.log = (utils && utils.log) || { info: () => undefined };
    this.hooks = {
      // With the other files of the package, before the package is saved (and moved to --package).
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.write(),
    };
  }

  async write() {
    const { openApiDocument } = tsRequire('../../lib/openapi/document.ts', __filename);
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const service = this.serverless.service;
    const doc = openApiDocument({
      functions: service.functions,
      schemasDir: path.join(this.serverless.serviceDir, 'schemas'),
      service: service.service,
      stage: this.serverless.getProvider('aws').getStage(),
      version: require(path.join(this.serverless.serviceDir, 'package.json')).version,
    });
    const result = await new Validator().validate(doc);
    if (!result.valid)
      throw new this.serverless.classes.Error(
        `the OpenAPI document is not valid OpenAPI 3.1: ${JSON.stringify(result.errors).slice(0, 2000)}`,
        'OPENAPI_INVALID',
      );
    const dir = path.join(this.serverless.serviceDir, '.serverless');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, FILE), JSON.stringify(doc, null, 2) + '\n');
    this.log.info(`OpenAPI document written: .serverless/${FILE}`);
  }
}

module.exports = OpenApiPlugin;
