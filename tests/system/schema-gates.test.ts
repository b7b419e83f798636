/**
 * The schema check guards every door, on a copy of the project whose schemas are edited as a user edits them:
 * `npm start` and `sls package` refuse an unsafe change before anything starts or is written, naming the table, the
 * column, the rule and the safe alternative; `sls package` also refuses a change not recorded yet; `sls invoke
 * local` refuses an unsafe one. And a running lake follows edits of schemas/: one that passes is used at once (an
 * event with a new property is accepted), one that does not is refused while the lake keeps its last good schemas.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLakeProcess } from '../support/lake-process';
import { projectCopy, type ProjectCopy } from '../support/project-copy';
import { tempLake } from '../support/raw-zone';
import { until } from '../support/until';

const run = promisify(execFile);

/** Runs a command of the copy; resolves with its exit code and output (never rejects on a non-zero exit). */
async function inCopy(copy: ProjectCopy, args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, args, {
      cwd: copy.dir,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
const sls = (copy: ProjectCopy, ...args: string[]) =>
  inCopy(copy, [path.join(copy.dir, 'node_modules/osls/bin/serverless.js'), ...args]);

const copies: ProjectCopy[] = [];
afterAll(() => copies.forEach((c) => c.remove()));
const copy = () => {
  const c = projectCopy();
  copies.push(c);
  return c;
};

describe('the doors the schema check guards', () => {
  it('npm start refuses an unsafe change before starting anything, and says what to do instead', async () => {
    const c = copy();
    c.editJson('schemas/datasets/orders.json', (s) => delete s.properties.coupon);
    const lake = await tempLake('gate-start');
    const r = await inCopy(c, ['--import', 'tsx', 'local/main.ts'], { LAKE_DIR: lake, PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/REFUSED REMOVED orders\.coupon: removed from the schema/);
    expect(r.output).toMatch(/Instead: keep it with "deprecated": true/);
    expect(r.output).not.toMatch(/\n\s+at /); // an answer, not a stack
    expect(r.output).not.toMatch(/listening on/);
    // Nothing was started: no lake state was written.
    expect(await fs.readdir(lake)).toEqual([]);
  }, 120_000);

  it('npm run rebuild/replay/compact with no lake running refuse an unsafe change, and record what they use', async () => {
    const c = copy();
    const lake = await tempLake('gate-cli');
    await fs.mkdir(path.join(lake, 'raw'), { recursive: true });
    const cli = (name: string, ...args: string[]) =>
      inCopy(c, ['--import', 'tsx', `local/cli/${name}.ts`, ...args], { LAKE_DIR: lake });

    // A safe change not recorded yet: the run uses it, says so, and records the version it used.
    c.editJson(
      'schemas/datasets/orders.json',
      (s) => (s.properties.channel = { type: 'string', maxLength: 16 }),
    );
    const used = await cli('rebuild', 'orders');
    expect(used.output).toMatch(/in this process/);
    expect(used.output).toMatch(/schema changes not recorded \(orders\): npm run schemas:accept/);
    expect(used.code).toBe(0);
    const inUse = JSON.parse(await fs.readFile(path.join(lake, 'schemas-in-use', 'orders.json'), 'utf8'));
    expect(inUse.version).toBe(2);

    // Taking it back is judged against the version this lake used, as npm start judges it.
    c.editJson('schemas/datasets/orders.json', (s) => delete s.properties.channel);
    const back = await cli('replay', 'orders');
    expect(back.code).toBe(1);
    expect(back.output).toMatch(/nothing ran: .*not safe/s);
    expect(back.output).toMatch(/REFUSED REMOVED orders\.channel/);
    expect(back.output).not.toMatch(/in this process/);

    // An unsafe type change: refused before anything runs (a rebuild would re-type the stored amounts).
    c.editJson('schemas/datasets/orders.json', (s) => {
      s.properties.channel = { type: 'string', maxLength: 16 };
      s.properties.amount.type = 'integer';
    });
    const executions = await fs.readdir(path.join(lake, '_state')).catch(() => []);
    const refused = await cli('rebuild', 'orders');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/REFUSED TYPE_CHANGED orders\.amount: type double → bigint/);
    expect(refused.output).not.toMatch(/\n\s+at /);
    expect(await fs.readdir(path.join(lake, '_state')).catch(() => [])).toEqual(executions);
    const compact = await cli('compact');
    expect(compact.code).toBe(1);
    expect(compact.output).toMatch(/REFUSED TYPE_CHANGED orders\.amount/);
  }, 240_000);

  it('npm run schemas:check says in one line which history file does not read, and what to do', async () => {
    const c = copy();
    const file = path.join(c.dir, 'schemas/history/orders.json');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).slice(0, 200));
    const r = await inCopy(c, ['--import', 'tsx', 'local/cli/schemas.ts', 'check']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /^schemas\/history\/orders\.json is not valid JSON: .*restore it from version control/,
    );
    expect(r.output).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('sls package refuses an unsafe change, and a safe one that is not recorded yet', async () => {
    const c = copy();
    c.editJson('schemas/events/signup.json', (s) => s.required.push('country'));
    const refused = await sls(c, 'package', '--stage', 'prod', '--package', path.join(c.dir, 'out'));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/REFUSED MADE_REQUIRED signup\.country: made required/);
    expect(refused.output).toMatch(/SCHEMA_CHANGE_REFUSED|not safe/);

    c.editJson('schemas/events/signup.json', (s) => {
      s.required = s.required.filter((r: string) => r !== 'country');
      s.properties.campaign = { type: 'string', maxLength: 64 };
    });
    const unrecorded = await sls(c, 'package', '--stage', 'prod', '--package', path.join(c.dir, 'out'));
    expect(unrecorded.code).not.toBe(0);
    expect(unrecorded.output).toMatch(/not recorded: npm run schemas:accept/);
    expect(unrecorded.output).toMatch(
      /signup: version 2 \(not recorded\): campaign: added \(string, optional\)/,
    );

    // Recorded, it packages, and the plans carry the new version.
    const accepted = await inCopy(c, ['--import', 'tsx', 'local/cli/schemas.ts', 'accept']);
    expect(accepted).toMatchObject({ code: 0 });
    expect(accepted.output).toMatch(/recorded: signup v2/);
    const ok = await sls(c, 'package', '--stage', 'prod', '--package', path.join(c.dir, 'out'));
    expect(ok.output).not.toMatch(/REFUSED|not recorded/);
    expect(ok.code).toBe(0);
    const plans = JSON.parse(await fs.readFile(path.join(c.dir, 'out', 'glue-assets', 'plans.json'), 'utf8'));
    expect(plans.tables.signup.version).toBe(2);
  }, 240_000);

  it('sls deploy function refuses ingest and validateUpload (the schemas deploy with the stack), before any AWS call', async () => {
    const c = copy();
    for (const fn of ['ingest', 'validateUpload']) {
      const r = await inCopy(
        c,
        [
          path.join(c.dir, 'node_modules/osls/bin/serverless.js'),
          'deploy',
          'function',
          '-f',
          fn,
          '--stage',
          'prod',
        ],
        { AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'us-east-1' },
      );
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(
        new RegExp(`sls deploy function -f ${fn} is refused: ${fn} carries the validators`),
      );
      expect(r.output).toMatch(/Deploy the stack: sls deploy updates the catalog, then the job/);
      expect(r.output).not.toMatch(/amazonaws\.com|ENOTFOUND|credentials/i);
    }
  }, 240_000);

  it('sls invoke local refuses an unsafe change', async () => {
    const c = copy();
    c.editJson('schemas/datasets/orders.json', (s) => (s.properties.amount.type = 'integer'));
    const lake = await tempLake('gate-invoke');
    const r = await inCopy(
      c,
      [
        path.join(c.dir, 'node_modules/osls/bin/serverless.js'),
        'invoke',
        'local',
        '-f',
        'ingest',
        '--stage',
        'local',
        '--path',
        'events/ingest.json',
      ],
      { LAKE_DIR: lake, SLS_TELEMETRY_DISABLED: '1' },
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/REFUSED TYPE_CHANGED orders\.amount: type double → bigint/);
  }, 240_000);
});

describe('a running lake follows schemas/', () => {
  it('uses an edit that passes at once, and refuses one that does not while keeping the last good schemas', async () => {
    const c = copy();
    const lake = await tempLake('follow');
    const proc = await startLakeProcess({ LAKE_DIR: lake, POWERTOOLS_LOG_LEVEL: 'INFO' }, 120_000, c.dir);
    try {
      const key = (await fs.readFile(path.join(lake, 'api-key'), 'utf8')).trim();
      const post = (data: Record<string, unknown>) =>
        fetch(`${proc.url}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({
            type: 'page_view',
            data: { session_id: 'sess-0000000001', url: 'https://x.example/', ...data },
          }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

      expect((await post({ campaign: 'spring' })).status).toBe(400); // not a property yet

      // A safe edit: an optional property. No restart.
      c.editJson(
        'schemas/events/page_view.json',
        (s) => (s.properties.campaign = { type: 'string', maxLength: 32 }),
      );
      await until(
        'the edit to be used',
        async () => ((await post({ campaign: 'spring' })).status === 202 ? true : undefined),
        {
          timeoutMs: 30_000,
          context: proc.output,
        },
      );
      expect(proc.output()).toMatch(/schemas reloaded/);

      // An unsafe edit: the property removed again, and a name the engines cannot store. Refused, logged, and the
      // lake keeps the last good schemas: the property is still accepted, the bad name still refused.
      c.editJson('schemas/events/page_view.json', (s) => {
        delete s.properties.campaign;
        s.properties.UtmCampaign = { type: 'string' };
      });
      await until('the refusal', async () => (/schema edit refused/.test(proc.output()) ? true : undefined), {
        timeoutMs: 30_000,
        context: proc.output,
      });
      expect(proc.output()).toMatch(/INVALID_SCHEMA.*UtmCampaign/);
      expect((await post({ campaign: 'summer' })).status).toBe(202);
      const bad = await post({ UtmCampaign: 'x' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/UtmCampaign/);
      // The edit only reverted (campaign removed, as recorded in schemas/history/): refused as well — the lake has
      // used the version with campaign, not recorded, and accepted events under it (a rewrite would drop them).
      c.editJson('schemas/events/page_view.json', (s) => {
        delete s.properties.campaign;
        delete s.properties.UtmCampaign;
      });
      await until(
        'the second refusal',
        async () => ((proc.output().match(/schema edit refused/g) ?? []).length >= 2 ? true : undefined),
        { timeoutMs: 30_000, context: proc.output },
      );
      expect(proc.output()).toMatch(/REMOVED page_view\.campaign: .*the local lake has used version 2/);
      expect((await post({ campaign: 'autumn' })).status).toBe(202);
      // So does schemas:check of the project, which reads the lake's versions in use; a usage error is one.
      const schemas = (...args: string[]) =>
        inCopy(c, ['--import', 'tsx', 'local/cli/schemas.ts', ...args], { LAKE_DIR: lake });
      const check = await schemas('check');
      expect(check.code).toBe(1);
      expect(check.output).toMatch(/REFUSED REMOVED page_view\.campaign/);
      // The project's folder by another name (a link to it): the same check, the lake's versions in use too.
      await fs.symlink(path.join(c.dir, 'schemas'), path.join(c.dir, 'schemas-link'));
      const linked = await schemas('check', '--dir', path.join(c.dir, 'schemas-link'));
      expect([linked.code, linked.output]).toEqual([
        1,
        expect.stringMatching(/REFUSED REMOVED page_view\.campaign/),
      ]);
      expect((await schemas('check', '--dir', path.join(c.dir, 'no-such-folder'))).code).toBe(2);
      expect((await schemas('check', '--dir=')).code).toBe(2);
      expect(check.output).toMatch(/delete its record there \(<LAKE_DIR>\/schemas-in-use\/page_view\.json\)/);
      expect((await schemas('check', '--bogus')).code).toBe(2);
      // `npm run schemas:check -- extra`: the words the user typed, not the script's own `check`.
      const extra = await schemas('check', 'extra');
      expect([extra.code, extra.output]).toEqual([
        2,
        expect.stringMatching(/^no arguments but --dir \(got 'extra'\)\n/),
      ]);
      // Following that advice on the running lake: the record deleted, the edit on disk is checked again and used
      // (no edit of schemas/ needed); a version of the property's events is no longer accepted.
      await fs.rm(path.join(lake, 'schemas-in-use', 'page_view.json'));
      await until(
        'the edit to be used once the record is gone',
        async () => ((await post({ campaign: 'winter' })).status === 400 ? true : undefined),
        { timeoutMs: 30_000, context: proc.output },
      );
      expect(await fs.readFile(path.join(lake, 'schemas-in-use', 'page_view.json'), 'utf8')).not.toMatch(
        /campaign/,
      );
      // Other tables are untouched: a query over them still runs.
      const q = await fetch(`${proc.url}/queries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ sql: 'SELECT count(*) FROM orders', wait: 10 }),
      });
      expect(q.status).toBe(200);
    } finally {
      expect(await proc.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);
});
