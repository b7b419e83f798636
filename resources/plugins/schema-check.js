'use strict';
/**
 * The schema check (lib/catalog/schema-check.ts) before anything is packaged, deployed or invoked:
 *  - `sls package` / `sls deploy` (both package first) refuse a schema change that is not safe, and one that is not
 *    recorded yet (`npm run schemas:accept`): what deploys is what schemas/history/ says, version by version;
 *  - `sls invoke local` refuses an unsafe change (an unrecorded one is fine for a local try).
 * Every refusal lists the table, the column, the rule and the safe alternative.
 */
const { require: tsRequire } = require('tsx/cjs/api');

class SchemaCheckPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.check({ recorded: true }),
      'before:invoke:local:invoke': () => this.check({ recorded: false }),
    };
  }

  check({ recorded }) {
    const { checkSchemas, formatReport } = tsRequire('../../lib/catalog/schema-check.ts', __filename);
    const report = checkSchemas();
    const lines = formatReport(report);
    if (report.violations.length) {
      throw new this.serverless.classes.Error(
        `schemas/ has changes that are not safe (npm run schemas:check):\n  ${lines.filter((l) => l.startsWith('REFUSED')).join('\n  ')}`,
        'SCHEMA_CHANGE_REFUSED',
      );
    }
    if (recorded && report.unrecorded.length) {
      throw new this.serverless.classes.Error(
        `schemas/ has changes that are not recorded: npm run schemas:accept, then commit schemas/history/:\n  ${lines.join('\n  ')}`,
        'SCHEMA_CHANGE_NOT_RECORDED',
      );
    }
  }
}

module.exports = SchemaCheckPlugin;
