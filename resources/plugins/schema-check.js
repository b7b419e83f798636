'use strict';
/**
 * The schema check (lib/catalog/schema-check.ts) before anything is packaged, deployed or invoked:
 *  - `sls package` / `sls deploy` (both package first) refuse a schema change that is not safe, and one that is not
 *    recorded yet (`npm run schemas:accept`): what deploys is what schemas/history/ says, version by version;
 *  - `sls invoke local` refuses an unsafe change (an unrecorded one is fine for a local try); on the local stage it
 *    judges the change against the versions the local lake has used too, and records the one it uses, as npm start;
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

  /**
   * The local lake an invocation writes to (the local stage: LAKE_RUNTIME local, its LAKE_DIR), or undefined (a
   * stage on AWS: the deployed schemas are what it runs against).
   */
  localLakeDir() {
    const env = this.serverless.service.provider.environment || {};
    return env.LAKE_RUNTIME === 'local' && env.LAKE_DIR ? env.LAKE_DIR : undefined;
  }

  check({ recorded }) {
    const { checkSchemas, formatReport } = tsRequire('../../lib/catalog/schema-check.ts', __filename);
    // `sls invoke local` against the local lake is a door of that lake: an edit is judged against the versions it
    // has used (local/schemas-in-use.ts) as npm start judges it, and the version the invocation uses is recorded.
    const lakeDir = recorded ? undefined : this.localLakeDir();
    const inUse = lakeDir ? tsRequire('../../local/schemas-in-use.ts', __filename) : undefined;
    const report = checkSchemas(undefined, undefined, inUse ? inUse.readSchemasInUse(lakeDir) : undefined);
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
    if (inUse) inUse.writeSchemasInUse(lakeDir, report.defs);
  }
}

module.exports = SchemaCheckPlugin;
