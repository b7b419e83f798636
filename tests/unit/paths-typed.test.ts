/**
 * Paths a user types (LAKE_DIR, `npm run schemas:check -- --dir`) are taken from the folder they typed them in:
 * `npm run` runs scripts in the project's root and tells that folder in INIT_CWD.
 */
import path from 'node:path';
import { fromWhereTyped, lakeDir } from '../../lib/config';

const withEnv = (env: Record<string, string | undefined>, run: () => void) => {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    run();
  } finally {
    for (const [k, v] of Object.entries(before))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
};

it('a relative LAKE_DIR is from where the command was typed (INIT_CWD), an absolute one as it is', () => {
  withEnv({ INIT_CWD: '/home/me/project/local', LAKE_DIR: 'my-lake' }, () =>
    expect(lakeDir()).toBe('/home/me/project/local/my-lake'),
  );
  withEnv({ INIT_CWD: '/home/me/project/local', LAKE_DIR: '/srv/lake' }, () =>
    expect(lakeDir()).toBe('/srv/lake'),
  );
  withEnv({ INIT_CWD: undefined, LAKE_DIR: 'my-lake' }, () =>
    expect(lakeDir()).toBe(path.resolve(process.cwd(), 'my-lake')),
  );
  // Unset: the project's .lake (npm runs the script there).
  withEnv({ INIT_CWD: '/home/me/project/local', LAKE_DIR: undefined }, () =>
    expect(lakeDir()).toBe(path.resolve('.lake')),
  );
  withEnv({ INIT_CWD: '/a/b' }, () => expect(fromWhereTyped('../s2')).toBe('/a/s2'));
});

it('serverless.yml resolves the lake as the lake does (local/paths.cjs, for sls invoke local)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const paths = require('../../local/paths.cjs') as { lakeDir: () => string };
  for (const env of [
    { INIT_CWD: '/home/me/project/local', LAKE_DIR: 'my-lake' },
    { INIT_CWD: '/home/me/project/local', LAKE_DIR: '/srv/lake' },
    { INIT_CWD: undefined, LAKE_DIR: '/srv/lake' },
  ])
    withEnv(env, () => expect([env, paths.lakeDir()]).toEqual([env, lakeDir()]));
  withEnv({ INIT_CWD: '/somewhere', LAKE_DIR: undefined }, () =>
    expect(paths.lakeDir()).toBe(path.resolve(__dirname, '../../.lake')),
  );
});
