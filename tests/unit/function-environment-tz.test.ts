/**
 * The functions' environment on the local lake (local/environment.ts) has Lambda's TZ, UTC, whatever the shell's:
 * Powertools' Logger writes a timestamp's offset from the local zone, an hour wrong at -03:30. Run in a process of
 * its own (jest's process.env is not the process's).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

it("gives the functions Lambda's TZ (UTC): log timestamps end in Z, not a local offset", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tz-'));
  try {
    const script = path.join(dir, 'tz.ts');
    writeFileSync(
      script,
      [
        `import { Logger } from ${JSON.stringify(require.resolve('@aws-lambda-powertools/logger'))};`,
        `import { applyFunctionEnvironment } from ${JSON.stringify(path.join(root, 'local/environment'))};`,
        `process.stdout.write(String(new Date(Date.UTC(2026, 11, 5)).getTimezoneOffset()) + '\\n');`,
        `applyFunctionEnvironment({ provider: {}, functions: {} } as never);`,
        `new Logger({ serviceName: 'tz', logLevel: 'INFO' }).info('a line');`,
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, TZ: 'America/St_Johns', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_DEV: 'false' },
    })
      .toString()
      .trim()
      .split('\n');
    expect(out[0]).toBe('210'); // the shell's zone, before
    expect((JSON.parse(out.at(-1)!) as { timestamp: string }).timestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
