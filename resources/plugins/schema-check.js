'use strict';
/**
 * The schema check (lib/catalog/schema-check.ts) before anything is packaged, deployed or invoked:
 *  - `sls package` / `sls deploy` (both package first) refuse a schema change that is not safe, and one that is not
 *    recorded yet (`npm run schemas:accept`): what deploys is what schemas/history/ says, version by version;
 *  - `sls invoke local` refuses an unsafe change (an unrecorded one is fine for a local try);
 *  - `sls deploy function` refuses the functions that carry the schemas' validators (ingest, validateUpload): alone,
 *    they would accept data under schemas that the catalog and the Glue job's plans, updated only with the stack
 *    (which updates them first), do not have yet, and compactions would drop its new fields. Any other function is
 *    deployed after the same check as `sls deploy`.
 * Every refusal lists the table, the column, the rule and the safe alternative.
 */
const { require: tsRequire } = require('tsx/cjs/api');

/** The functions whose bundles carry the schemas (lib/validators/generated/): deployed with the stack only. */
const SCHEMA_FUNCTIONS = ['ingest', 'validateUpload'];

class SchemaCheckPlugin {
  constructor(serverless, options = {}) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:package:initialize': () => this.check({ recorded: true }),
      'before:invoke:local:invoke': () => this.check({ recorded: false }),
      'before:deploy:function:initialize': () => this.deployFunction(),
    };
  }

  deployFunction() {
    const fn = this.options.function;
    if (SCHEMA_FUNCTIONS.includes(fn)) {
      throw new this.serverless.classes.Error(
        `sls deploy function -f ${fn} is refused: ${fn} carries the validators of schemas/, and deployed alone it ` +
          'would accept data under schemas that the Glue catalog and the ETL job do not have yet (a compaction by ' +
          'the job on its old plans drops the new fields). Deploy the stack: sls deploy updates the catalog, then ' +
          `the job, then ${SCHEMA_FUNCTIONS.join(' and ')}.`,
        'SCHEMA_FUNCTION_DEPLOYED_ALONE',
      );
    }
    this.check({ recorded: true });
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
