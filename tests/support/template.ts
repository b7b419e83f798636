/**
 * Packages the service offline (`sls package`, no AWS credentials) once per stage and test run, and reads the
 * CloudFormation template it writes. It packages a copy of the project (tests/support/project-copy.ts): osls uses
 * <service>/.serverless/ as its work folder even with --package, and empties it, so packaging in the project itself
 * would delete the user's own .serverless/ (tests/readme/project-untouched.test.ts checks it does not).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withBuildLock } from './build-lock';
import { projectCopy } from './project-copy';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  DependsOn?: string | string[];
}
export interface Template {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export interface Packaged {
  template: Template;
  dir: string;
}

/**
 * The package of `stage` for this test run. jest's global setup gives the run an id (LAKE_TEST_RUN_ID); the first
 * template test to ask packages the service, the others (in any worker) read the same output. `params` are passed
 * as `--param name=value` (they override the stage's params: of serverless.yml, as on the command line).
 */
export async function packageService(stage = 'prod', params: Record<string, string> = {}): Promise<Packaged> {
  const runId = process.env.LAKE_TEST_RUN_ID;
  const paramArgs = Object.entries(params).map(([k, v]) => `--param=${k}=${v}`);
  const variant = paramArgs.length
    ? `-${createHash('sha256').update(paramArgs.join('\n')).digest('hex').slice(0, 12)}`
    : '';
  const dir = runId
    ? path.join(os.tmpdir(), `sls-package-${runId}-${stage}${variant}`)
    : await fs.mkdtemp(path.join(os.tmpdir(), `sls-package-${stage}${variant}-`));
  const templateFile = path.join(dir, 'cloudformation-template-update-stack.json');
  const readTemplate = async () => JSON.parse(await fs.readFile(templateFile, 'utf8')) as Template;
  await withBuildLock(async () => {
    if (runId && (await fs.stat(templateFile).catch(() => null))) return; // packaged earlier in this run
    const staging = `${dir}.tmp-${process.pid}`;
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    };
    // Prove it needs no credentials.
    for (const k of Object.keys(env))
      if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(k)) delete env[k];
    env.AWS_SHARED_CREDENTIALS_FILE = path.join(staging, 'no-credentials');
    env.AWS_CONFIG_FILE = path.join(staging, 'no-config');
    const copy = projectCopy();
    try {
      await run(
        process.execPath,
        [
          path.join(root, 'node_modules/osls/bin/serverless.js'),
          'package',
          '--stage',
          stage,
          '--package',
          staging,
          ...paramArgs,
        ],
        { cwd: copy.dir, env, maxBuffer: 64 * 1024 * 1024 },
      );
    } finally {
      copy.remove();
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
  });
  return { template: await readTemplate(), dir };
}

export const resourcesOfType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** Every IAM statement of a role's inline policies. */
export function roleStatements(
  role: CfnResource,
): { Effect: string; Action: string | string[]; Resource: unknown }[] {
  return (role.Properties.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
  );
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
