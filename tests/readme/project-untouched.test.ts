/**
 * `npm test` leaves the user's project alone: the offline package the template tests read is made in a copy of the
 * project (tests/support/template.ts), because osls empties <service>/.serverless/ — its work folder, even with
 * --package — and packaging in the project deleted the user's own `sls package` output.
 *
 * The check watches the project's top folder while a package is made (a variant of the dev stage no other test asks
 * for, so it is really made here): nothing may appear in, or vanish from, the project's .serverless/.
 */
import { existsSync, readdirSync, watch } from 'node:fs';
import path from 'node:path';
import { packageService } from '../support/template';

const root = path.resolve(__dirname, '../..');
const listing = (dir: string) =>
  existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : null;

it("packaging for the tests does not touch the project's .serverless/", async () => {
  const before = listing(path.join(root, '.serverless'));
  const touched: string[] = [];
  const watcher = watch(root, (event, name) => {
    if (name === '.serverless') touched.push(event);
  });
  try {
    const { template, dir } = await packageService('dev', {
      alertEmail: `project-untouched-${process.pid}@example.com`,
    });
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    expect(path.relative(root, dir).startsWith('..')).toBe(true); // the package itself is outside the project
  } finally {
    watcher.close();
  }
  expect(touched).toEqual([]);
  expect(listing(path.join(root, '.serverless'))).toEqual(before);
}, 170_000);
