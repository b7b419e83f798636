/**
 * The local lake: one process that runs the service's functions against embedded stand-ins for AWS.
 *   - API Gateway  → LocalApi (local/http-api.ts), routes from serverless.yml
 *   - Firehose     → LocalFirehose (lib/firehose/local.ts), the raw zone under <LAKE_DIR>/raw/
 * Later stand-ins (S3 events, Step Functions, Glue, Athena) register here the same way: started in `start`,
 * stopped in reverse order in `stop`.
 */
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { lakeDir } from '../lib/config';
import { lakeTables } from '../lib/catalog/tables';
import { finishLeftSwaps } from '../lib/etl/duckdb-runner/start-recovery';
import { checkLakeFormat, claimLakeFormat } from '../lib/lake-format';
import { claimLakeDir, otherLakes, PRESENCE_STALE_MS, type Presence } from '../lib/lake-presence';
import { closeEventStream, openLocalFirehose } from '../lib/firehose';
import type { StopReport } from './shutdown';
// Athena → DuckDB (lib/query/duckdb/), opened on the first /queries request; stopped here.
import { closeQueryEngine, stopQueries, useQueryTables } from '../lib/query';
import { queryLimits } from '../lib/query/settings';
import { schemaSnapshot } from '../lib/schema-loader';
import { localLog as logger } from './log';
import { resolveApiKey } from './api-key';
import { prepareConsole } from './console-static';
import { FunctionWorkers, functionWorkerCount, WORKER_FUNCTIONS } from './function-workers';
import { LocalApi } from './http-api';
import { applySchemas, schemasStamp, startSchemasFollower } from './schemas-follower';
import { startUploadsWatcher } from './uploads-watcher';
import { startLocalEtl } from './step-functions';
import { httpRoutes, type ServiceConfig } from './service-config';

export interface LocalLakeOptions {
  config: ServiceConfig;
  stage: string;
  port: number;
  host?: string;
  /** Log one line per request (default true). */
  accessLog?: boolean;
  /** How the functions' log lines are printed (local/pretty-log.ts); function workers print the same way. */
  logFormat?: 'json' | 'pretty';
}

export interface RunningLake {
  url: string;
  apiKey: string;
  apiKeySource: string;
  apiKeyFile: string;
  /** LAKE_API_KEY is set and apiKeyFile holds another key (an earlier start's): that key is refused. */
  apiKeyFileRefused: boolean;
  lakeDir: string;
  /** Stops everything; says what the delivery stream delivered and left (the lake's last line). */
  stop(): Promise<StopReport | undefined>;
  /** The ETL executions running now (a stop waits for them, up to LAKE_SFN_STOP_GRACE_SECONDS). */
  executionsRunning(): string[];
}

export async function startLocalLake(opts: LocalLakeOptions): Promise<RunningLake> {
  // schemas/ must pass the check before anything starts (SchemasRefused says why); then the lake follows its edits.
  const dir = lakeDir();
  // Not a folder of a newer version of the project (lib/lake-format.ts), before anything reads or writes it.
  await checkLakeFormat(dir);
  const schemasRead = schemasStamp();
  const schemas = applySchemas(undefined, dir);
  if (schemas.unrecorded.length)
    logger.warn('schema changes not recorded: npm run schemas:accept before a deploy', {
      tables: schemas.unrecorded,
    });
  const reuse = queryLimits().resultReuseMinutes;
  if (reuse > 0)
    logger.warn(
      'QUERY_RESULT_REUSE_MINUTES is set: on AWS a repeated identical query answers with results up to that old ' +
        '(Athena result reuse, even when the data changed since); the local engine runs every query afresh',
      { minutes: reuse },
    );
  await claimLakeFormat(dir);
  const folder = statSync(dir);
  // Not beside a lake of another pid namespace, whose files this process could not tell from a dead one's
  // (lib/lake-presence.ts); one killed in a container is waited for until its heartbeat is stale.
  const presence = await claimLakeDir(
    dir,
    (others) =>
      logger.warn(
        others[0]!.command
          ? `waiting for a command of another pid namespace on this folder to end (${others[0]!.command})`
          : 'waiting for a lake of another pid namespace on this folder to be gone',
        { pid: others[0]!.pid, heartbeatAgeMs: Math.round(others[0]!.heartbeatAgeMs) },
      ),
    undefined,
    () => lostFolder(dir, folder),
  );
  try {
    return await startClaimed(opts, dir, presence, schemasRead);
  } catch (e) {
    await presence.stop();
    throw e;
  }
}

/**
 * Another lake or command judged this one dead and may have taken over its folder (lib/lake-presence.ts onLost):
 * going on would write beside it — segments it adopts, executions it runs again. This lake ends at once, as after a
 * crash (nothing it acknowledged is lost: its segments are on disk for the lake that took them; the write-ahead log
 * refuses a write into a segment taken meanwhile, lib/firehose/local.ts).
 */
function lostFolder(dir: string, folder: Stats): never {
  // Its heartbeat file gone with the folder itself: moved or deleted while the lake ran, no other lake (what the lake
  // acknowledged is in the folder where it is now).
  const now = statSync(dir, { throwIfNoEntry: false });
  if (!now || now.ino !== folder.ino || now.dev !== folder.dev) {
    logger.error(
      // A write of this lake between the move and this check may have made the path again (a folder of another
      // inode): moved all the same.
      `the lake's folder ${dir} was moved, deleted or replaced while the lake ran: this lake stops at once, as ` +
        'after a crash (what it acknowledged is in the folder, wherever it is now; what it wrote at this path since ' +
        'the move is not); start it again with LAKE_DIR naming where the folder is',
      { lakeDir: dir },
    );
    process.exit(LOST_FOLDER_EXIT_CODE);
  }
  logger.error(
    'another local lake or command judged this lake gone (its presence heartbeat stopped for ' +
      `${PRESENCE_STALE_MS / 1000} s: a paused or stalled container?) and may have taken over ${dir}: this lake ` +
      'stops at once, as after a crash; start it again once the other one has stopped',
    { lakeDir: dir },
  );
  process.exit(LOST_FOLDER_EXIT_CODE);
}

/** The exit status of a lake that stopped because another one took over its folder (lostFolder). */
export const LOST_FOLDER_EXIT_CODE = 75;

/** The lake's table names (the schemas' tables). */
const lakeNames = () => lakeTables().map((t) => t.name);

/** `schemasRead`: schemas/ as read for the schemas the start applied (the follower's starting point). */
async function startClaimed(
  opts: LocalLakeOptions,
  dir: string,
  presence: Presence,
  schemasRead: string,
): Promise<RunningLake> {
  const beside = (await otherLakes(dir)).filter((o) => !o.command);
  if (beside.length > 0)
    logger.warn('another lake runs on this folder (npm start twice?): both serve it', {
      pids: beside.map((o) => o.pid),
    });
  const key = await resolveApiKey(dir);
  if (key.fileEmpty)
    logger.warn(
      'the saved API key file held no key (emptied by a disk error or a hand edit): a new key was generated and ' +
        'saved, and clients that hold the old one get 403 until they take the new one (or set LAKE_API_KEY)',
      { file: key.file },
    );
  // Recover what an earlier process left in the delivery stream before accepting new records.
  await openLocalFirehose();
  // Swaps that runs of ended processes left half done are finished before anything is served: a query would read
  // such a table half swapped until the next ETL run (lib/etl/duckdb-runner/start-recovery.ts).
  // A damaged state file there (README "Damaged state files") does not keep the lake from starting: the next ETL
  // run names it again, and fails until it is dealt with.
  const left = await finishLeftSwaps(path.join(dir, 'curated'), lakeNames()).catch((e: unknown) => {
    logger.error('what crashed runs left in curated/_state/tmp/ could not be finished at start', {
      error: e,
    });
    return 'failed' as const;
  });
  if (left === 'busy')
    logger.info(
      'a run of another process holds the lake: it finishes what crashed runs left before its own work',
    );
  // Step Functions → the ETL state machine of serverless.yml, with its schedule (local/step-functions/); runs the
  // executions an earlier process left requested before the uploads watcher adds new ones.
  const etl = await startLocalEtl({ config: opts.config, stage: opts.stage, lakeDir: dir });
  // S3 → EventBridge → validateUpload: files dropped under <LAKE_DIR>/raw/uploads/ (LAKE_UPLOADS_POLL_MS).
  const uploads = await startUploadsWatcher({ lakeDir: dir, config: opts.config, stage: opts.stage });

  // Functions whose only port is the delivery stream run in worker threads, on the other cores
  // (local/function-workers.ts; LAKE_FUNCTION_WORKERS=0 runs them in this thread).
  const routes = httpRoutes(opts.config);
  const workerCount = functionWorkerCount();
  const workers =
    workerCount > 0
      ? await FunctionWorkers.start({
          routes: routes.filter((r) => WORKER_FUNCTIONS.includes(r.functionName)),
          size: workerCount,
          logFormat: opts.logFormat ?? 'json',
          stream: openLocalFirehose,
          onError: (err, info) => logger.error('function worker failed', { ...info, error: err }),
          schemas: schemaSnapshot(),
          idleLakeThread: true,
        })
      : undefined;
  const api = new LocalApi({
    routes,
    apiKey: key.key,
    stage: opts.stage,
    service: opts.config.service,
    defaultTimeoutSeconds: opts.config.provider.timeout,
    minimumCompressionSize: opts.config.provider.apiGateway?.minimumCompressionSize,
    onRequest: opts.accessLog === false ? undefined : (info) => logger.info('request', info),
    onError: (err, info) => logger.error('handler failed', { ...info, error: err }),
    onClientGone: (info) => logger.info('client went away before sending its whole request', info),
    ...(workers ? { functions: workers } : {}),
  });
  const url = await api.listen(opts.port, opts.host);
  // The console (GET /console): built in the background when missing or stale (local/console-static.ts).
  prepareConsole((err) => logger.error('the console could not be built', { error: err }));
  const follower = startSchemasFollower({
    lakeDir: dir,
    appliedFrom: schemasRead,
    onApplied: (tables) => {
      // The ingest function's workers validate with the schemas just applied, as this thread does.
      const applied = schemaSnapshot();
      if (applied) workers?.useSchemas(applied);
      return useQueryTables(tables);
    },
  });

  let stopping: Promise<StopReport | undefined> | undefined;
  return {
    url,
    apiKey: key.key,
    apiKeySource: key.source,
    apiKeyFile: key.file,
    apiKeyFileRefused: key.fileKeyRefused === true,
    lakeDir: dir,
    executionsRunning: () => etl.engine.runningExecutions(),
    stop: () =>
      (stopping ??= (async () => {
        // A step that fails (a folder of the state machine gone read-only) is logged and named in the report: the
        // steps after it still run, the delivery of every accepted event and the presence file's removal included.
        const stepsFailed: string[] = [];
        const step = async <T>(name: string, run: () => T | Promise<T>): Promise<T | undefined> => {
          try {
            return await run();
          } catch (e) {
            logger.error(`stopping: ${name} failed; the stop goes on`, { error: e as Error });
            stepsFailed.push(name);
            return undefined;
          }
        };
        await step('the schemas follower', () => follower.stop());
        // Nothing new starts while the requests in flight are answered (one whose client never finishes sending is
        // cut after the API's close grace): the schedules and the uploads watcher stop at once.
        await step('the schedules', () => etl.stopSchedules());
        const apiClosed = step('the API', () => api.close());
        // A request waiting on a query is answered with the query's end, not with RUNNING when its wait runs out.
        const queriesStopped = step('the queries', () => stopQueries());
        await step('the uploads watcher', () => uploads.stop());
        await apiClosed;
        await queriesStopped;
        await step('the function workers', () => workers?.close());
        const engine = await step('the query engine', () => closeQueryEngine());
        const runsNotEnded = engine?.runsNotEnded ?? 0;
        await step('the state machine', () => etl.stop());
        const report = await closeEventStream();
        await step('the presence file', () => presence.stop());
        const base = report ?? { recordsDelivered: 0, objectsDelivered: 0, left: [] };
        return runsNotEnded === 0 && stepsFailed.length === 0
          ? report
          : {
              ...base,
              ...(runsNotEnded ? { queriesNotEnded: runsNotEnded } : {}),
              ...(stepsFailed.length ? { stepsFailed } : {}),
            };
      })()),
  };
}
