/** The local lake's API key: LAKE_API_KEY, else the one saved under the lake directory, else a new one. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function resolveApiKey(
  lakeDir: string,
): Promise<{ key: string; source: 'env' | 'file' | 'generated'; file: string }> {
  const file = path.join(lakeDir, 'api-key');
  const fromEnv = process.env.LAKE_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'env', file };
  try {
    const saved = (await fs.readFile(file, 'utf8')).trim();
    if (saved) return { key: saved, source: 'file', file };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(24).toString('base64url');
  await fs.mkdir(lakeDir, { recursive: true });
  await fs.writeFile(file, key + '\n', { mode: 0o600 });
  return { key, source: 'generated', file };
}
