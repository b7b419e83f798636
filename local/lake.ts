/**
 * The local lake: one process that runs the service's functions against embedded stand-ins for AWS.
 *   - API Gateway  → LocalApi (local/http-api.ts), routes from serverless.yml
 *   - Firehose     → LocalFirehose (lib/firehose/local.ts), the raw zone under <LAKE_DIR>/raw/
 * Later stand-ins (S3 events, Step Functions, Glue, Athena) register here the same way: started in `start`,
 * stopped in reverse order in `stop`.
 */
import { lakeDir } from '../lib/config';
import { closeEventStream, openLocalFirehose } from '../lib/firehose';
import type { CloseReport } from '../lib/firehose/local';
// Athena → DuckDB (lib/query/duckdb/), opened on the first /queries request; stopped here.
import { closeQueryEngine, useQueryTables } from '../lib/query';
import { localLog as logger } from './log';
import { resolveApiKey } from './api-key';
import { LocalApi } from './http-api';
import { applySchemas, startSchemasFollower } from './schemas-follower';
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
}

export interface RunningLake {
  url: string;
  apiKey: string;
  apiKeySource: string;
  apiKeyFile: string;
  lakeDir: string;
  /** Stops everything; says what the delivery stream delivered and left (the lake's last line). */
  stop(): Promise<CloseReport | undefined>;
}

export async function startLocalLake(opts: LocalLakeOptions): Promise<RunningLake> {
  // schemas/ must pass the check before anything starts (SchemasRefused says why); then the lake follows its edits.
  const schemas = applySchemas();
  if (schemas.unrecorded.length)
    logger.warn('schema changes not recorded: npm run schemas:accept before a deploy', {
      tables: schemas.unrecorded,
    });
  const dir = lakeDir();
  const key = await resolveApiKey(dir);
  // Recover what an earlier process left in the delivery stream before accepting new records.
  await openLocalFirehose();
  // Step Functions → the ETL state machine of serverless.yml, with its schedule (local/step-functions/); runs the
  // executions an earlier process left requested before the uploads watcher adds new ones.
  const etl = await startLocalEtl({ config: opts.config, stage: opts.stage, lakeDir: dir });
  // S3 → EventBridge → validateUpload: files dropped under <LAKE_DIR>/raw/uploads/ (LAKE_UPLOADS_POLL_MS).
  const uploads = await startUploadsWatcher({ lakeDir: dir, config: opts.config, stage: opts.stage });

  const api = new LocalApi({
    routes: httpRoutes(opts.config),
    apiKey: key.key,
    stage: opts.stage,
    service: opts.config.service,
    defaultTimeoutSeconds: opts.config.provider.timeout,
    onRequest: opts.accessLog === false ? undefined : (info) => logger.info('request', info),
    onError: (err, info) => logger.error('handler failed', { ...info, error: err }),
  });
  const url = await api.listen(opts.port, opts.host);
  const follower = startSchemasFollower({ onApplied: (tables) => useQueryTables(tables) });

  let stopping: Promise<CloseReport | undefined> | undefined;
  return {
    url,
    apiKey: key.key,
    apiKeySource: key.source,
    apiKeyFile: key.file,
    lakeDir: dir,
    stop: () =>
      (stopping ??= (async () => {
        follower.stop();
        await api.close();
        await closeQueryEngine();
        await uploads.stop();
        await etl.stop();
        return closeEventStream();
      })()),
  };
}
