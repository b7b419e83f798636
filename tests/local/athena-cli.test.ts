/**
 * The AWS CLI against the local lake's Athena API, as the README shows it: `aws athena … --endpoint-url <lake>`
 * with the lake's API key as access key id and `local` as secret. Skipped where no `aws` is installed (.ci/run
 * installs Debian's awscli).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startAthenaLake, type AthenaLake } from '../support/athena-lake';

const run = promisify(execFile);
const hasAws = (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
  try {
    accessSync(path.join(dir, 'aws'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

let lake: AthenaLake;

async function aws(
  args: string[],
  accessKeyId = lake.apiKey,
): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    // Nothing from the user's own AWS configuration.
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  const argv = ['athena', ...args, '--endpoint-url', lake.url, '--output', 'json'];
  try {
    const { stdout, stderr } = await run('aws', argv, { env });
    return { code: 0, json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {}, stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, json: {}, stderr: err.stderr ?? '' };
  }
}

(hasAws ? describe : describe.skip)(
  hasAws
    ? 'the AWS CLI against the local lake'
    : "the AWS CLI against the local lake (skipped: no 'aws' on PATH)",
  () => {
    beforeAll(async () => {
      lake = await startAthenaLake('athena-cli');
    }, 120_000);

    afterAll(async () => {
      await lake?.stop();
    });

    it('starts a query, waits for it and pages its results', async () => {
      const started = await aws([
        'start-query-execution',
        '--query-execution-context',
        'Database=data_lake_local',
        '--work-group',
        'data-lake-local-queries',
        '--query-string',
        "SELECT event_id, duration_ms FROM page_view WHERE event_date = '2024-03-02' ORDER BY event_id LIMIT 3",
      ]);
      expect(started).toMatchObject({
        code: 0,
        json: { QueryExecutionId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      });
      const id = started.json.QueryExecutionId as string;
      let state = '';
      for (let i = 0; i < 50 && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state); i++) {
        const q = await aws(['get-query-execution', '--query-execution-id', id]);
        state = (q.json as { QueryExecution: { Status: { State: string } } }).QueryExecution.Status.State;
      }
      expect(state).toBe('SUCCEEDED');
      // The CLI follows NextToken itself: pages of 2 rows, merged.
      const results = await aws(['get-query-results', '--query-execution-id', id, '--page-size', '2']);
      const rows = (results.json as { ResultSet: { Rows: { Data: { VarCharValue?: string }[] }[] } })
        .ResultSet.Rows;
      expect(rows.map((r) => r.Data.map((d) => d.VarCharValue))).toEqual([
        ['event_id', 'duration_ms'],
        ['pv-2024-03-02-000', '0'],
        ['pv-2024-03-02-001', '1'],
        ['pv-2024-03-02-002', '2'],
      ]);
    });

    it("lists the lake's tables and refuses a wrong access key", async () => {
      const tables = await aws([
        'list-table-metadata',
        '--catalog-name',
        'AwsDataCatalog',
        '--database-name',
        'data_lake_local',
      ]);
      const names = (tables.json as { TableMetadataList: { Name: string }[] }).TableMetadataList.map(
        (t) => t.Name,
      );
      expect(names).toEqual(expect.arrayContaining(['page_view', 'lake_rejected']));
      const refused = await aws(['list-query-executions'], 'AKIAEXAMPLE');
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('UnrecognizedClientException');
    });
  },
);
