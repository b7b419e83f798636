/**
 * The local Serverless plugin that ships the Glue script and plans (resources/plugins/glue-assets.js): it writes them
 * into the package with a manifest, refuses a template whose job points elsewhere, and uploads them on deploy
 * (once: content-hashed keys), with the deployment bucket's encryption.
 */
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
// Under jest, TypeScript is compiled by jest itself: tsx's namespaced require (used by sls) is not needed here.
jest.mock('tsx/cjs/api', () => ({
  require: (id: string, parent: string) =>
    jest.requireActual(require('node:path').resolve(require('node:path').dirname(parent), id)),
}));
const GlueAssetsPlugin = require('../../resources/plugins/glue-assets.js');
const glueAssets = require('../../resources/glue-assets.cjs');

const s3 = mockClient(S3Client);

function fakeServerless(serviceDir: string, prefixOverride?: string) {
  const prefix =
    prefixOverride ??
    glueAssets.assetsPrefix({ deploymentPrefix: 'serverless', service: 'data-lake', stage: 'prod' });
  const provider = {
    getDeploymentPrefix: () => 'serverless',
    getStage: () => 'prod',
    getAwsSdkV3Config: async () => ({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    }),
    getServerlessDeploymentBucketName: async () => 'deploy-bucket',
  };
  return {
    serviceDir,
    getProvider: () => provider,
    service: {
      service: 'data-lake',
      provider: {
        deploymentBucketObject: { serverSideEncryption: 'AES256' },
        compiledCloudFormationTemplate: {
          Resources: {
            ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket' },
            EtlGlueJob: {
              Type: 'AWS::Glue::Job',
              Properties: {
                Command: {
                  ScriptLocation: { 'Fn::Sub': `s3://\${ServerlessDeploymentBucket}/${prefix}etl_job.py` },
                },
                DefaultArguments: { '--plans_key': `${prefix}plans.json` },
              },
            },
          },
        },
      },
    },
  };
}

const newPlugin = (sls: unknown) => new GlueAssetsPlugin(sls, {}, { log: { info: () => undefined } });

beforeEach(() => s3.reset());

describe('glue-assets plugin', () => {
  it('hooks packaging (after the resources are merged) and deployment (after the artifacts are uploaded)', () => {
    const plugin = newPlugin(fakeServerless(mkdtempSync(path.join(os.tmpdir(), 'svc-'))));
    expect(Object.keys(plugin.hooks).sort()).toEqual([
      'after:aws:deploy:deploy:uploadArtifacts',
      'after:aws:package:finalize:mergeCustomProviderResources',
    ]);
  });

  it('writes the script, the plans and a manifest of their keys and hashes into the package', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-'));
    newPlugin(fakeServerless(dir)).writeAssets();
    const out = path.join(dir, '.serverless', 'glue-assets');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.prefix).toMatch(/^serverless\/data-lake\/prod\/glue\/[0-9a-f]{16}\/$/);
    expect(manifest.files.map((f: any) => f.key)).toEqual([
      `${manifest.prefix}etl_job.py`,
      `${manifest.prefix}plans.json`,
    ]);
    expect(readFileSync(path.join(out, 'etl_job.py'), 'utf8')).toContain('def main(argv)');
    expect(Object.keys(JSON.parse(readFileSync(path.join(out, 'plans.json'), 'utf8')).tables)).toContain(
      'orders',
    );
  });

  it('refuses to package when the Glue job does not point at the packaged assets', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-'));
    expect(() =>
      newPlugin(fakeServerless(dir, 'serverless/data-lake/prod/glue/0000000000000000/')).writeAssets(),
    ).toThrow(/EtlGlueJob must use/);
  });

  it('uploads missing assets to the deployment bucket with its encryption, and skips those already there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-'));
    const plugin = newPlugin(fakeServerless(dir));
    plugin.writeAssets();
    const manifest = JSON.parse(
      readFileSync(path.join(dir, '.serverless', 'glue-assets', 'manifest.json'), 'utf8'),
    );
    const [script, plans] = manifest.files;
    s3.on(HeadObjectCommand, { Key: script.key }).resolves({});
    s3.on(HeadObjectCommand, { Key: plans.key }).rejects(
      Object.assign(new Error('NotFound'), { name: 'NotFound' }),
    );
    s3.on(PutObjectCommand).resolves({});

    await plugin.uploadAssets();

    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'deploy-bucket',
      Key: plans.key,
      ContentType: 'application/json',
      ServerSideEncryption: 'AES256',
    });
    expect(
      Buffer.from(put.Body as Buffer).equals(
        readFileSync(path.join(dir, '.serverless', 'glue-assets', 'plans.json')),
      ),
    ).toBe(true);
  });

  it('fails the deployment on other S3 errors and on a package modified after packaging', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-'));
    const plugin = newPlugin(fakeServerless(dir));
    plugin.writeAssets();
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(plugin.uploadAssets()).rejects.toThrow(/Forbidden/);

    writeFileSync(path.join(dir, '.serverless', 'glue-assets', 'etl_job.py'), 'print("changed")\n');
    await expect(plugin.uploadAssets()).rejects.toThrow(/modified/);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });
});
