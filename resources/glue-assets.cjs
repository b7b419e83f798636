// What the Glue job runs, shipped through the Serverless deployment bucket: the job script
// (resources/glue/etl_job.py) and the ETL plans generated from schemas/ (lib/etl/plans.ts), under a key prefix named
// by their content hash, <deploymentPrefix>/<service>/<stage>/glue/<hash>/ (osls's cleanup of old deployments only
// removes its own timestamped folders, so earlier versions stay for rollbacks).
//   ${file(resources/glue-assets.cjs):prefix}     the key prefix (IAM: the job role may read it)
//   ${file(resources/glue-assets.cjs):scriptKey}  <prefix>etl_job.py   (the job's ScriptLocation)
//   ${file(resources/glue-assets.cjs):plansKey}   <prefix>plans.json   (the job's --plans_key)
// The local plugin resources/plugins/glue-assets.js writes the same files into the package and uploads them on deploy.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { require: tsRequire } = require('tsx/cjs/api');

const SCRIPT = path.join(__dirname, 'glue', 'etl_job.py');
const SCRIPT_NAME = 'etl_job.py';
const PLANS_NAME = 'plans.json';

let cached;

/** The files ({name: Buffer}) and the hash of their content; computed once per process. */
function assets() {
  if (!cached) {
    const { etlPlansFile } = tsRequire('../lib/etl/plans.ts', __filename);
    const files = {
      [SCRIPT_NAME]: readFileSync(SCRIPT),
      [PLANS_NAME]: Buffer.from(JSON.stringify(etlPlansFile(), null, 2) + '\n'),
    };
    const hash = createHash('sha256');
    for (const name of Object.keys(files).sort())
      hash.update(name).update('\0').update(files[name]).update('\0');
    cached = { hash: hash.digest('hex').slice(0, 16), files };
  }
  return cached;
}

function assetsPrefix({ deploymentPrefix, service, stage }) {
  return `${deploymentPrefix || 'serverless'}/${service}/${stage}/glue/${assets().hash}/`;
}

async function prefixFromConfig({ resolveConfigurationProperty, resolveVariable }) {
  const service = await resolveConfigurationProperty(['service']);
  const deploymentPrefix = await resolveConfigurationProperty(['provider', 'deploymentPrefix']);
  return assetsPrefix({
    deploymentPrefix,
    service: typeof service === 'object' ? service.name : service,
    stage: await resolveVariable('sls:stage'),
  });
}

module.exports = {
  SCRIPT_NAME,
  PLANS_NAME,
  assets,
  assetsPrefix,
  prefix: prefixFromConfig,
  scriptKey: async (ctx) => (await prefixFromConfig(ctx)) + SCRIPT_NAME,
  plansKey: async (ctx) => (await prefixFromConfig(ctx)) + PLANS_NAME,
};
