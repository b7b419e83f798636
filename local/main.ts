/**
 * `npm start`: the whole data lake on this machine, no AWS account needed.
 * Environment: PORT (3000), HOST (127.0.0.1), LAKE_DIR (.lake), LAKE_API_KEY, LAKE_STAGE (local).
 */
import { applyFunctionEnvironment } from './environment';
import { loadServiceConfig } from './service-config';

async function main(): Promise<void> {
  const stage = process.env.LAKE_STAGE || 'local';
  const config = await loadServiceConfig(stage);
  applyFunctionEnvironment(config);
  // Modules that read the environment at load (logger, handlers) are loaded after it is set.
  const { startLocalLake } = await import('./lake');
  const { localLog: logger } = await import('./log');

  const lake = await startLocalLake({
    config,
    stage,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST || '127.0.0.1',
    accessLog: process.env.LAKE_ACCESS_LOG !== 'false',
  });
  logger.info('local data lake running', {
    url: lake.url,
    lakeDir: lake.lakeDir,
    apiKeyFile: lake.apiKeyFile,
  });
  process.stdout.write(
    [
      '',
      `  Data lake (stage ${stage}) listening on ${lake.url}`,
      `  Lake directory: ${lake.lakeDir}`,
      `  API key (${lake.apiKeySource}${lake.apiKeySource === 'env' ? '' : `, saved in ${lake.apiKeyFile}`}): ${lake.apiKey}`,
      '',
      `  curl -X POST ${lake.url}/events -H "x-api-key: ${lake.apiKey}" -H 'content-type: application/json' \\`,
      `       -d '{"type":"page_view","data":{"session_id":"sess-0001","url":"https://shop.example/"}}'`,
      '',
    ].join('\n') + '\n',
  );

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    // A second signal must not kill the process half-way through delivering what is buffered: a process group
    // signal reaches both `tsx` and this process, and `tsx` relays it again (and people press Ctrl-C twice).
    if (shuttingDown) {
      logger.warn(
        'still shutting down: delivering what is buffered (SIGKILL stops at once; nothing acknowledged is lost)',
        {
          signal,
        },
      );
      return;
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    lake.stop().then(
      () => {
        logger.info('stopped; every accepted record is delivered');
        process.exit(0);
      },
      (err) => {
        logger.error('shutdown failed', { error: err as Error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  // A refusal of schemas/ is an answer, not a crash: its lines, without a stack.
  const refused = (err as { name?: string }).name === 'SchemasRefused';
  process.stderr.write(
    `failed to start the local data lake: ${refused ? (err as Error).message : ((err as Error).stack ?? err)}\n`,
  );
  process.exit(1);
});
