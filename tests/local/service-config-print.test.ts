/**
 * The service as `sls print` resolves it (local/service-config.ts), run as a child in a process group of its own (a
 * Ctrl-C while the lake starts is the lake's to handle): what it refuses is still told with its reason.
 */
import os from 'node:os';
import path from 'node:path';
import { loadServiceConfig, printFailureReason } from '../../local/service-config';

it('tells why serverless.yml does not resolve, with the reason sls print gives', async () => {
  const refused = await loadServiceConfig('--bad').catch((e: unknown) => e as Error);
  expect(refused).toMatchObject({
    name: 'ServiceConfigError',
    message: expect.stringMatching(
      /^serverless.yml does not resolve for stage --bad \(sls print\):\n {2}Missing value for CLI parameter "--stage"/,
    ),
  });
}, 120_000);

it('says a reason that fails several resolvers once, naming them (a schemas/history file that does not parse)', () => {
  // Abridged from what `sls print` printed for a history file with a merge conflict marker appended: each variable
  // that reads the lake's tables failed with the same reason (13 of them), each followed by its stack.
  const reason =
    'schemas/history/page_view.json is not valid JSON: Unexpected non-whitespace character after JSON at position 2176 (line 99 column 1)';
  const failure = (at: string, file: string) => [
    `  - Cannot resolve variable at "${at}": Cannot resolve "names" out of "${file}": Received rejection: Error: ${reason}`,
    '    at readHistories (/p/lib/catalog/history.ts:152:13)',
    '    at async Promise.all (index 0)',
  ];
  const output = [
    'Environment: linux, node 24.21.0, osls 4.3.1 (local)',
    'Docs:        github.com/oss-serverless/osls',
    '',
    'Error:',
    'Cannot resolve serverless.yml: Variables resolution errored with:',
    ...failure('functions.queries.environment.LAKE_TABLES', 'query-tables.cjs'),
    ...failure('functions.lake.environment.LAKE_EVENT_TABLES', 'query-tables.cjs'),
    ...failure('resources.Resources', 'catalog.cjs'),
    ...failure('resources.Resources.RejectedTable', 'rejected-table.cjs'),
    ...failure('custom.glueAssets', 'glue-assets.cjs'),
    ...failure('resources.Outputs', 'catalog.cjs'),
  ].join('\n');
  expect(printFailureReason(output)).toBe(
    `query-tables.cjs, catalog.cjs, rejected-table.cjs, glue-assets.cjs: ${reason}`,
  );
  // Two different reasons stay two lines, in the order sls print gave them.
  expect(
    printFailureReason(
      [
        '  - Cannot resolve variable at "a": Cannot resolve "x" out of "one.cjs": Received rejection: Error: first',
        '  - Cannot resolve variable at "b": Cannot resolve "y" out of "two.cjs": Received rejection: TypeError: second',
        '  - Cannot resolve variable at "c": Cannot resolve "z" out of "three.cjs": Received rejection: Error: first',
      ].join('\n'),
    ),
  ).toBe('one.cjs, three.cjs: first\n  two.cjs: second');
});

it('starts from a project folder it may not write (read-only in a container): the resolved form is only a cache', async () => {
  const { promises: fs } = await import('node:fs');
  const writeFile = fs.writeFile;
  const refused = jest.spyOn(fs, 'writeFile').mockImplementation(((file: unknown, ...rest: unknown[]) =>
    String(file).includes(`${path.sep}.cache${path.sep}data-lake${path.sep}`)
      ? Promise.reject(
          Object.assign(new Error(`EROFS: read-only file system, open '${String(file)}'`), {
            code: 'EROFS',
          }),
        )
      : (writeFile as (...a: unknown[]) => Promise<void>)(file, ...rest)) as typeof fs.writeFile);
  const lakeDir = process.env.LAKE_DIR;
  // Another lake folder: a cache key not written yet.
  process.env.LAKE_DIR = path.join(os.tmpdir(), `uncached-${process.pid}-${Date.now()}`);
  try {
    const config = await loadServiceConfig('local');
    expect(config.functions).toHaveProperty('ingest');
    expect(refused).toHaveBeenCalled();
  } finally {
    refused.mockRestore();
    if (lakeDir === undefined) delete process.env.LAKE_DIR;
    else process.env.LAKE_DIR = lakeDir;
  }
}, 120_000);
