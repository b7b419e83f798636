/**
 * `npm start`: the whole data lake on this machine, no AWS account needed.
 * Environment: PORT (3000), HOST (127.0.0.1), LAKE_DIR (.lake), LAKE_API_KEY, LAKE_STAGE (local),
 * LOG_FORMAT (json | pretty; default: pretty on a terminal, else JSON lines as on Lambda).
 * SIGTERM / SIGINT stop it cleanly, however it was launched (local/shutdown.ts).
 */
import { constants } from 'node:os';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { lakeDir } from '../lib/config';
import { applyFunctionEnvironment } from './environment';
import { lakeDirProblem } from './lake-dir-checks';
import { logFormat } from './pretty-log';
import { loadServiceConfig } from './service-config';
import { Shutdown, type ShutdownLog } from './shutdown';
import { nodeVersionProblem, notLocalStage, startSettingProblem } from './start-settings';
import { isToldRefusal } from './told-refusals';

/** Until the lake's logger is loaded (a signal during start): plain lines on stderr. */
const startupLog: ShutdownLog = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`${m}\n`),
  error: (m) => process.stderr.write(`${m}\n`),
};
let log: ShutdownLog = startupLog;
let inFlight: () => number = () => 0;
let executionsRunning: () => string[] = () => [];
// First thing: as a container's init (pid 1), a signal without a handler is ignored.
const shutdown = new Shutdown({
  log: () => log,
  pending: () => ({ requestsInFlight: inFlight(), executionsRunning: executionsRunning() }),
}).listen();

/** A start that cannot go on, told in one line without a stack (a busy port, a PORT that is no port). */
class StartRefused extends Error {
  override readonly name = 'StartRefused';
}

const portTaken = (port: number, host: string, code: string) =>
  new StartRefused(
    code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use (another npm start?): stop it, or choose another port, e.g. PORT=${port + 1} npm start`
      : `cannot listen on ${host}:${port} (${code}): choose another PORT or HOST`,
  );

/** Whether the API's address is free, asked before anything starts (nothing is started or written otherwise). */
async function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return; // any free port
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(portTaken(port, host, e.code ?? e.message)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const node = nodeVersionProblem();
  if (node) throw new StartRefused(node);
  const format = logFormat();
  const stage = process.env.LAKE_STAGE || 'local';
  // Digits only: Number('') is 0 (any port) and Number('1e3') 1000, neither what was meant.
  const rawPort = process.env.PORT;
  const port = rawPort === undefined ? 3000 : /^[0-9]{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  const host = process.env.HOST || '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartRefused(`PORT must be a port number (0-65535), got '${process.env.PORT}'`);
  const refused = startSettingProblem();
  if (refused) throw new StartRefused(refused);
  await checkPortFree(port, host);
  const lakeFolder = lakeDirProblem(lakeDir());
  if (lakeFolder !== undefined) throw new StartRefused(lakeFolder);
  const config = await loadServiceConfig(stage);
  const notLocal = notLocalStage(stage, config);
  if (notLocal) throw new StartRefused(notLocal);
  // The compaction schedule as EventBridge reads it: refused here, before the state machine runs anything.
  const schedule = (await import('./step-functions/schedules')).scheduleProblem(config);
  if (schedule) throw new StartRefused(schedule);
  applyFunctionEnvironment(config);
  // Read by the functions on use (an upload's check): refused at the start, not at the first upload.
  try {
    (await import('../lib/uploads/types')).sampleLimits();
  } catch (e) {
    throw new StartRefused((e as Error).message);
  }
  // Modules that read the environment at load (logger, handlers) are loaded after it is set.
  const { startLocalLake } = await import('./lake');
  const { localLog: logger } = await import('./log');
  const { logger: functionsLog } = await import('../lib/logger');
  if (format === 'pretty')
    (await import('./pretty-log')).installPrettyLogs({ loggers: [functionsLog, logger] });
  log = logger;
  inFlight = (await import('./http-api')).requestsInFlight;
  // Notices log as the topic, executions outside the invocation that started them (local/log-scopes.ts).
  await (await import('./log-scopes')).scopeLocalPorts();

  const lake = await startLocalLake({
    config,
    stage,
    port,
    host,
    accessLog: process.env.LAKE_ACCESS_LOG !== 'false',
    logFormat: format,
  }).catch((e: NodeJS.ErrnoException) => {
    // Taken between the check and the listen: the same one line.
    throw e.syscall === 'listen' && e.code ? portTaken(port, host, e.code) : e;
  });
  logger.info('local data lake running', {
    url: lake.url,
    lakeDir: lake.lakeDir,
    // The file holds the key only when the lake made it (LAKE_API_KEY given: none is written).
    ...(lake.apiKeySource === 'env' ? { apiKeySource: 'env' } : { apiKeyFile: lake.apiKeyFile }),
  });
  if (lake.apiKeyFileRefused)
    logger.warn(
      `LAKE_API_KEY is set: the key saved in ${lake.apiKeyFile} (by an earlier start) is refused; send LAKE_API_KEY's`,
      { apiKeyFile: lake.apiKeyFile },
    );
  // In JSON (piped, a container's log) stdout carries JSON lines only, as on Lambda: the greeting goes to stderr.
  (format === 'json' ? process.stderr : process.stdout).write(
    [
      '',
      `  Data lake (stage ${stage}) listening on ${lake.url}`,
      `  Lake directory: ${lake.lakeDir}`,
      `  API key (${lake.apiKeySource}${lake.apiKeySource === 'env' ? '' : `, saved in ${lake.apiKeyFile}`}): ${lake.apiKey}`,
      '',
      `  curl -X POST ${lake.url}/events -H "x-api-key: ${lake.apiKey}" -H 'content-type: application/json' \\`,
      `       -d '{"type":"page_view","data":{"session_id":"sess-0001","url":"https://shop.example/"}}'`,
      '',
      `  Athena's API on the same port (the SDK's AthenaClient, the AWS CLI): access key id = the API key, secret 'local'`,
      `  AWS_ACCESS_KEY_ID=${lake.apiKey} AWS_SECRET_ACCESS_KEY=local aws athena list-databases --catalog-name AwsDataCatalog --region us-east-1 --endpoint-url ${lake.url}`,
      '',
    ].join('\n') + '\n',
  );

  executionsRunning = () => lake.executionsRunning();
  shutdown.started(lake);
}

/** Errors of the lake's folder itself, by code: what the operator must do. */
const FOLDER_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device: free space',
  EDQUOT: 'the disk quota is used up: free space',
  EROFS: 'the file system is read-only: give the lake a writable folder',
  EACCES: 'permission denied: give the lake a folder it may write',
  EPERM: 'operation not permitted: give the lake a folder it may write',
};

/**
 * The error's code; for ENOENT, that of writing into the nearest folder of its path that exists: Node's recursive
 * mkdir on a read-only file system reports ENOENT (a fresh read-only LAKE_DIR failed with a stack, not the line).
 */
function folderErrorCode(e: NodeJS.ErrnoException): string {
  if (e.code !== 'ENOENT' || typeof e.path !== 'string') return e.code ?? '';
  let dir = path.dirname(e.path);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    accessSync(dir, fsConstants.W_OK);
    return 'ENOENT';
  } catch (a) {
    return (a as NodeJS.ErrnoException).code ?? 'ENOENT';
  }
}

/**
 * A start's failure: the lake's folder full, read-only or not ours in one line (which folder, what to do), else the
 * stack.
 */
function startFailure(err: unknown): string {
  const folder = FOLDER_ERRORS[folderErrorCode(err as NodeJS.ErrnoException)];
  return folder
    ? `${folder} under ${lakeDir()} (LAKE_DIR; ${(err as Error).message})`
    : String((err as Error).stack ?? err);
}

// npm start takes its settings from the environment: an argument (--port 4000) would be passed over without a word,
// and the lake start elsewhere than asked.
const args = process.argv.slice(2);
if (args.length > 0) {
  process.stderr.write(
    `npm start takes no arguments (given: ${args.join(' ')}): its settings are environment variables, ` +
      'e.g. PORT=3001 LAKE_DIR=/path/to/lake npm start (README "Configuration")\n',
  );
  process.exit(2);
}

main().catch((err) => {
  // Ctrl-C while the lake starts reaches the children of its process group too (tsx's esbuild service, which loads
  // what the start imports next): the start then fails for that, and the stop asked for is what happened.
  const signal = shutdown.requestedWhileStarting;
  if (signal) {
    const cut = String((err as Error).message ?? err).split('\n')[0];
    process.stderr.write(
      `stopped by ${signal} before the lake had started (the start was cut short: ${cut})\n`,
    );
    process.exit(128 + (constants.signals[signal] ?? 15));
  }
  // A refusal of schemas/, a busy port, a service that does not resolve or a folder another namespace's lake runs
  // on is an answer, not a crash: its lines, without a stack.
  const refused = isToldRefusal(err);
  process.stderr.write(
    `failed to start the local data lake: ${refused ? (err as Error).message : startFailure(err)}\n`,
  );
  process.exit(1);
});
