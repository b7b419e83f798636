/** `sls invoke local --stage local` of one function against a given lake; returns the handler's result. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { withBuildLock } from './build-lock';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

export async function invokeLocal<T>(fn: string, eventPath: string, lakeDir: string): Promise<T> {
  const { stdout } = await withBuildLock(() =>
    run(
      process.execPath,
      [
        path.join(root, 'node_modules/osls/bin/serverless.js'),
        'invoke',
        'local',
        '-f',
        fn,
        '--stage',
        'local',
        '--path',
        eventPath,
      ],
      {
        cwd: root,
        env: { ...process.env, LAKE_DIR: lakeDir, SLS_TELEMETRY_DISABLED: '1' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ),
  );
  // Log lines are single-line JSON; the result is printed indented.
  return JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as T;
}
