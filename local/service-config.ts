/**
 * The service definition as the Serverless Framework resolves it for a stage (`sls print`), so the local runtime
 * serves exactly the routes, handlers and environment that serverless.yml declares. The resolved form is cached
 * under node_modules/.cache/, keyed by the content of the files it comes from.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Runs a command to its end: its stdout, or a rejection carrying its stdout and stderr. In a process group of its own
 * (detached): a Ctrl-C while the lake starts is the lake's to handle (it stops once started), where it killed
 * `sls print` and read as a serverless.yml that does not resolve.
 */
function run(
  file: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve({ stdout });
      const failure = new Error(`${path.basename(args[0] ?? file)} exited with ${signal ?? code}`);
      reject(Object.assign(failure, { stdout, stderr: Buffer.concat(err).toString('utf8') }));
    });
  });
}

export const projectRoot = path.resolve(__dirname, '..');

export interface HttpEvent {
  path: string;
  method: string;
  private?: boolean;
  /** `aws_iam` (SigV4 on AWS): the local API Gateway asks for the API key instead. */
  authorizer?: string | { type?: string; name?: string };
  cors?: boolean | { origin?: string; origins?: string[]; headers?: string[]; allowCredentials?: boolean };
}

export interface FunctionConfig {
  handler: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  events?: ({ http?: HttpEvent } & Record<string, unknown>)[];
}

export interface ServiceConfig {
  service: string;
  provider: {
    stage?: string;
    timeout?: number;
    memorySize?: number;
    environment?: Record<string, string>;
    apiGateway?: { minimumCompressionSize?: number };
  };
  functions: Record<string, FunctionConfig>;
}

/** Files whose content the resolved configuration depends on (schemas/ too: the catalog and table names). */
async function sourceFiles(): Promise<string[]> {
  const files = [path.join(projectRoot, 'serverless.yml')];
  for (const dir of ['resources', 'lib', 'local', 'state-machines']) {
    for (const f of await fs.readdir(path.join(projectRoot, dir))) {
      if (/\.(ya?ml|json|cjs)$/.test(f)) files.push(path.join(projectRoot, dir, f));
    }
  }
  const schemas = path.join(projectRoot, 'schemas');
  for (const f of await fs.readdir(schemas, { recursive: true }).catch(() => [] as string[])) {
    if (f.endsWith('.json')) files.push(path.join(schemas, f));
  }
  return files.sort();
}

/** `sls print` refused the service: its reason, without the framework's banner and stack. */
export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
}

/**
 * The reason in what `sls print` printed when it failed: the framework prints the error on stdout, followed by the
 * stack and its environment banner; a variable that could not be resolved nests the generator's own error
 * ("Received rejection: Error: <reason>").
 */
export function printFailureReason(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^\s+at /.test(l) && !/^(Environment|Docs|Support|Bugs):/.test(l) && l !== 'Error:');
  const nested = /out of "([^"]+)": Received rejection: (?:\w*Error: )?(.*)$/;
  // A file every resolver reads (a schemas/history file that does not parse) fails each of them, once per variable:
  // each reason is said once, with the resolvers that gave it.
  const sources = new Map<string, Set<string>>();
  for (const l of lines) {
    const [, from, reason] = nested.exec(l) ?? [];
    if (from !== undefined && reason !== undefined)
      sources.set(reason, (sources.get(reason) ?? new Set()).add(from));
  }
  const reasons = [...sources].map(([reason, from]) => `${[...from].join(', ')}: ${reason}`);
  return (reasons.length ? reasons : lines).join('\n  ').trim();
}

/**
 * What the resolution reads from the environment, besides the files: the region (serverless.yml's provider.region)
 * and the lake directory (local/paths.cjs, as an absolute path: LAKE_DIR=.lake and none are the same). A cache keyed
 * without LAKE_DIR served the folder of the last start that set it to every later start without it.
 */
const resolvedEnvironment = () => [
  process.env.AWS_REGION ?? '',
  process.env.LAKE_DIR
    ? path.resolve(process.env.INIT_CWD || projectRoot, process.env.LAKE_DIR)
    : path.resolve(projectRoot, '.lake'),
];

export async function loadServiceConfig(stage: string): Promise<ServiceConfig> {
  const hash = createHash('sha256').update(stage);
  for (const value of resolvedEnvironment()) hash.update('\0').update(value);
  for (const f of await sourceFiles()) hash.update(f).update(await fs.readFile(f));
  const cacheFile = path.join(
    projectRoot,
    'node_modules',
    '.cache',
    'data-lake',
    `service-${stage}-${hash.digest('hex').slice(0, 16)}.json`,
  );
  try {
    return JSON.parse(await fs.readFile(cacheFile, 'utf8')) as ServiceConfig;
  } catch {
    // not cached yet
  }
  const cli = path.join(projectRoot, 'node_modules', 'osls', 'bin', 'serverless.js');
  const { stdout } = await run(process.execPath, [cli, 'print', '--stage', stage, '--format', 'json'], {
    cwd: projectRoot,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  }).catch((e: Error & { stdout?: string; stderr?: string }) => {
    const reason = printFailureReason(`${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    throw new ServiceConfigError(
      `serverless.yml does not resolve for stage ${stage} (sls print):\n  ${reason || e.message}`,
    );
  });
  const config = JSON.parse(stdout) as ServiceConfig;
  // Only a cache: a project folder the lake may not write (mounted read-only in a container, another user's
  // checkout) resolves serverless.yml again at each start. Written whole or not at all (a temporary file renamed).
  const tmp = `${cacheFile}.tmp-${process.pid}`;
  await fs
    .mkdir(path.dirname(cacheFile), { recursive: true })
    .then(() => fs.writeFile(tmp, JSON.stringify(config)))
    .then(() => fs.rename(tmp, cacheFile))
    .catch(() => fs.rm(tmp, { force: true }).catch(() => undefined));
  return config;
}

export interface Route {
  functionName: string;
  fn: FunctionConfig;
  method: string;
  /** The resource path as API Gateway declares it, e.g. /queries/{id}. */
  resource: string;
  private: boolean;
  cors: { origin: string; headers: string[]; allowCredentials: boolean } | null;
}

const DEFAULT_CORS_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
];

function isIamAuthorizer(a: HttpEvent['authorizer']): boolean {
  const type = typeof a === 'string' ? a : (a?.type ?? a?.name);
  return typeof type === 'string' && type.toLowerCase() === 'aws_iam';
}

export function httpRoutes(config: ServiceConfig): Route[] {
  const routes: Route[] = [];
  for (const [functionName, fn] of Object.entries(config.functions ?? {})) {
    for (const ev of fn.events ?? []) {
      const http = ev.http;
      if (!http) continue;
      const cors = http.cors
        ? {
            origin:
              typeof http.cors === 'object' ? (http.cors.origin ?? http.cors.origins?.join(',') ?? '*') : '*',
            headers:
              typeof http.cors === 'object' && http.cors.headers ? http.cors.headers : DEFAULT_CORS_HEADERS,
            allowCredentials: typeof http.cors === 'object' && !!http.cors.allowCredentials,
          }
        : null;
      routes.push({
        functionName,
        fn,
        method: http.method.toUpperCase(),
        resource: '/' + http.path.replace(/^\/+/, ''),
        // Locally the API key stands in for IAM authorisation: aws_iam routes require it too.
        private: !!http.private || isIamAuthorizer(http.authorizer),
        cors,
      });
    }
  }
  return routes;
}
