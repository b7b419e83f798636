'use strict';
/**
 * Ships the Glue job's script and ETL plans (resources/glue-assets.cjs) with the service.
 *
 *  - `sls package` (offline): writes them into the package, <package>/glue-assets/ (files + manifest.json with
 *    their deployment-bucket keys), and checks that the Glue job in the template points at those keys;
 *  - `sls deploy`: after the framework uploads its artifacts and before the stack update, uploads them to the
 *    deployment bucket under their content-hashed keys (skipped when already there: same key, same content).
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const glueAssets = require('../glue-assets.cjs');

const DIR = 'glue-assets';
const JOB_LOGICAL_ID = 'EtlGlueJob';

const sha256 = (body) => createHash('sha256').update(body).digest('hex');

class GlueAssetsPlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options;
    this.log = (utils && utils.log) || { info: () => undefined, notice: () => undefined };
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      // After the resources of serverless.yml are in the template, before the package is saved (and moved).
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.writeAssets(),
      // The stack update that points the job at new keys comes after this.
      'after:aws:deploy:deploy:uploadArtifacts': () => this.uploadAssets(),
    };
  }

  /** The packaging directory osls writes to (a --package directory gets its contents at the end). */
  dir() {
    return path.join(this.serverless.serviceDir, '.serverless', DIR);
  }

  prefix() {
    return glueAssets.assetsPrefix({
      deploymentPrefix: this.provider.getDeploymentPrefix(),
      service: this.serverless.service.service,
      stage: this.provider.getStage(),
    });
  }

  writeAssets() {
    const { files } = glueAssets.assets();
    const prefix = this.prefix();
    this.checkTemplate(prefix);
    const dir = this.dir();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const manifest = { prefix, files: [] };
    for (const [name, body] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), body);
      manifest.files.push({ name, key: prefix + name, sha256: sha256(body) });
    }
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    this.log.info(`Glue assets packaged under ${prefix}`);
  }

  /** The job must run the script and plans written here (the keys come from the same module). */
  checkTemplate(prefix) {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources || {};
    const job = resources[JOB_LOGICAL_ID];
    if (!job) throw new Error(`glue-assets: the template has no ${JOB_LOGICAL_ID} resource`);
    if (!resources.ServerlessDeploymentBucket) {
      throw new Error(
        'glue-assets: the Glue assets go to the generated ServerlessDeploymentBucket, which is missing',
      );
    }
    const location = JSON.stringify(job.Properties.Command.ScriptLocation);
    const plansKey = job.Properties.DefaultArguments['--plans_key'];
    if (!location.includes(prefix + glueAssets.SCRIPT_NAME) || plansKey !== prefix + glueAssets.PLANS_NAME) {
      throw new Error(
        `glue-assets: ${JOB_LOGICAL_ID} must use ${prefix}${glueAssets.SCRIPT_NAME} and ${prefix}${glueAssets.PLANS_NAME}`,
      );
    }
  }

  readManifest() {
    const dir = this.dir();
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    return manifest.files.map((f) => {
      const body = fs.readFileSync(path.join(dir, f.name));
      if (sha256(body) !== f.sha256) throw new Error(`glue-assets: ${f.name} in the package was modified`);
      return { ...f, body };
    });
  }

  async uploadAssets() {
    const files = this.readManifest();
    const { S3Client, HeadObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
    const s3 = new S3Client(await this.provider.getAwsSdkV3Config());
    const bucket = await this.provider.getServerlessDeploymentBucketName();
    const bucketOptions = this.serverless.service.provider.deploymentBucketObject || {};
    for (const f of files) {
      if (await exists(s3, HeadObjectCommand, bucket, f.key)) {
        this.log.info(`Glue asset s3://${bucket}/${f.key} already uploaded`);
        continue;
      }
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: f.key,
          Body: f.body,
          ContentType: f.name.endsWith('.json') ? 'application/json' : 'text/x-python',
          Metadata: { filesha256: f.sha256 },
          ...(bucketOptions.serverSideEncryption
            ? { ServerSideEncryption: bucketOptions.serverSideEncryption }
            : {}),
          ...(bucketOptions.sseKMSKeyId ? { SSEKMSKeyId: bucketOptions.sseKMSKeyId } : {}),
        }),
      );
      this.log.info(`Glue asset uploaded to s3://${bucket}/${f.key}`);
    }
  }
}

async function exists(s3, HeadObjectCommand, bucket, key) {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if (e && (e.name === 'NotFound' || (e.$metadata && e.$metadata.httpStatusCode === 404))) return false;
    throw e;
  }
}

module.exports = GlueAssetsPlugin;
