/** Reads what the local Firehose delivered into a lake's raw zone. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface DeliveredObject {
  key: string;
  lines: string[];
}

/** Every file below `dir` (none if it does not exist). */
export async function walkFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else out.push(p);
  }
  return out;
}

export async function deliveredObjects(lakeDir: string, prefix = 'events/'): Promise<DeliveredObject[]> {
  const raw = path.join(lakeDir, 'raw');
  const files = (await walkFiles(path.join(raw, prefix))).sort();
  const out: DeliveredObject[] = [];
  for (const f of files) {
    const text = gunzipSync(await fs.readFile(f)).toString('utf8');
    expect(text.endsWith('\n')).toBe(true); // every object ends with a whole line
    out.push({ key: path.relative(raw, f), lines: text.slice(0, -1).split('\n') });
  }
  return out;
}

/** Every delivered record, parsed (throws on a torn or corrupt line). */
export async function deliveredRecords(lakeDir: string): Promise<Record<string, unknown>[]> {
  return (await deliveredObjects(lakeDir)).flatMap((o) =>
    o.lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

export async function tempLake(name = 'lake'): Promise<string> {
  return fs.mkdtemp(path.join((await import('node:os')).tmpdir(), `${name}-`));
}
