import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveApiKey } from '../../local/api-key';
import { tempLake } from '../support/raw-zone';

const saved = process.env.LAKE_API_KEY;
afterEach(() => {
  if (saved === undefined) delete process.env.LAKE_API_KEY;
  else process.env.LAKE_API_KEY = saved;
});

describe("the local lake's API key", () => {
  it('generates a key once and reads it back at the next start', async () => {
    const dir = await tempLake('api-key');
    delete process.env.LAKE_API_KEY;
    const first = await resolveApiKey(dir);
    expect(first.source).toBe('generated');
    const again = await resolveApiKey(dir);
    expect(again).toEqual({ key: first.key, source: 'file', file: path.join(dir, 'api-key') });
  });

  it('says so when the saved file holds no key (emptied), and saves the new key readable by its owner only', async () => {
    const dir = await tempLake('api-key');
    delete process.env.LAKE_API_KEY;
    const first = await resolveApiKey(dir);
    expect(first).not.toHaveProperty('fileEmpty');
    expect((await fs.stat(first.file)).mode & 0o777).toBe(0o600);
    await fs.writeFile(first.file, '  \n');
    const again = await resolveApiKey(dir);
    expect(again).toMatchObject({ source: 'generated', fileEmpty: true });
    expect(again.key).not.toBe(first.key);
    expect((await fs.readFile(first.file, 'utf8')).trim()).toBe(again.key);
    expect((await fs.stat(first.file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['api-key']);
  });

  it("says so when LAKE_API_KEY is set and the file holds an earlier start's key (cat .lake/api-key would be refused)", async () => {
    const dir = await tempLake('api-key');
    delete process.env.LAKE_API_KEY;
    const generated = await resolveApiKey(dir);
    process.env.LAKE_API_KEY = 'key-from-the-environment';
    const fromEnv = await resolveApiKey(dir);
    expect(fromEnv).toMatchObject({ key: 'key-from-the-environment', source: 'env', fileKeyRefused: true });
    // The file is left as it was (an environment's secret is not written to disk).
    expect((await fs.readFile(generated.file, 'utf8')).trim()).toBe(generated.key);
  });

  it('takes LAKE_API_KEY whatever is at the file’s place (a folder)', async () => {
    const dir = await tempLake('api-key');
    await fs.mkdir(path.join(dir, 'api-key'));
    process.env.LAKE_API_KEY = 'key-from-the-environment';
    expect(await resolveApiKey(dir)).toMatchObject({ key: 'key-from-the-environment', source: 'env' });
  });

  it('does not warn when the file holds the same key as LAKE_API_KEY, or there is no file', async () => {
    const dir = await tempLake('api-key');
    process.env.LAKE_API_KEY = 'same-key';
    expect((await resolveApiKey(dir)).fileKeyRefused).toBeUndefined();
    await fs.writeFile(path.join(dir, 'api-key'), 'same-key\n');
    expect((await resolveApiKey(dir)).fileKeyRefused).toBeUndefined();
  });
});
