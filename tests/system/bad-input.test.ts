/**
 * Whole-system proof, bad input (issue 7): the corpus of tests/system/bad-input.corpus.ts against a real local lake
 * process (`npm start`'s entry point). Every case must be refused clearly — status, machine-readable code, the
 * offending field — and change nothing:
 *  - SQL: 400 QUERY_NOT_ALLOWED, and no file anywhere in the lake changes except the engine's own .queries/;
 *  - API: the status, `code` and pointer/field of each case; afterwards no marker of any case is in the delivery
 *    stream's write-ahead segments, and after a graceful stop (which delivers everything) none is in the raw zone,
 *    while the good control event sent last is (so the check can fail);
 *  - uploads: each bad file ends in quarantine/ with its reason (the expected code and field) or is ignored, no
 *    ETL run starts for any of them and nothing of them reaches the curated tables, while a good control file does;
 *  - upload keys: the key parser and the validateUpload handler (in process, against a lake of its own) classify
 *    each key as specified and write nothing outside quarantine/.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import type { ObjectStore } from '../../lib/objects/types';
import { classifyKey, encodeS3EventKey } from '../../lib/uploads/key';
import { isFinal, listExecutions } from '../../lib/workflow/local';
import { startLakeProcess, type LakeProcess } from '../support/lake-process';
import { queryClient } from '../support/query-client';
import { tempLake, walkFiles } from '../support/raw-zone';
import { until as waitUntil } from '../support/until';
import {
  apiCases,
  CONTROL_MARKER,
  CONTROL_UPLOAD,
  keyCases,
  MARKER_RE,
  pageView,
  sqlCases,
  uploadCases,
  type ApiCase,
} from './bad-input.corpus';

const KEY = 'bad-input-key-abc123';

let lake: LakeProcess;
let lakeDir: string;
let stopped = false;

const walk = walkFiles;

/** Every file of the lake with its size and mtime, relative to the lake, except `skip` prefixes. */
async function listing(dir: string, skip: string[] = []): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await walk(dir)) {
    const rel = path.relative(dir, f);
    if (skip.some((s) => rel.startsWith(s))) continue;
    const st = await fs.stat(f).catch(() => undefined);
    if (st) out.set(rel, `${st.size}:${st.mtimeMs}`);
  }
  return out;
}

const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 40_000) =>
  waitUntil(what, fn, { timeoutMs, intervalMs: 100, context: () => lake?.output() ?? '' });

interface RawResponse {
  status: number;
  text: string;
  body: Record<string, unknown> | null;
}

/** One request with exactly these bytes and headers (no client-side normalisation of path, type or body). */
function request(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<RawResponse> {
  const url = new URL(lake.url);
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: urlPath,
        headers: { ...headers, ...(bytes ? { 'content-length': String(bytes.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | null = null;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, text, body: parsed });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before the whole body is sent.
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    if (bytes) req.end(bytes);
    else req.end();
  });
}

function keyFor(c: ApiCase): string | undefined {
  switch (c.apiKey) {
    case null:
      return undefined;
    case 'valid':
      return KEY;
    case 'UPPER':
      return KEY.toUpperCase();
    case 'PREFIX':
      return KEY.slice(0, -1);
    case 'SUFFIX':
      return KEY + 'x';
    case 'TWICE':
      return `${KEY}, ${KEY}`;
    default:
      return c.apiKey;
  }
}

function send(c: ApiCase): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) headers[k] = v.replace('KEY', KEY);
  const key = keyFor(c);
  if (key !== undefined) headers['x-api-key'] = key;
  return request(c.method, c.path, headers, c.body);
}

const query = (sql: string) => queryClient(() => lake.url, KEY).rows(sql);

/** Markers found in files (gzip objects read decompressed). */
async function markersIn(files: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const f of files) {
    let buf = await fs.readFile(f);
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
    for (const m of buf.toString('latin1').match(MARKER_RE) ?? []) {
      const list = found.get(m) ?? [];
      list.push(path.relative(lakeDir, f));
      found.set(m, list);
    }
  }
  return found;
}

beforeAll(async () => {
  lakeDir = await tempLake('bad-input');
  lake = await startLakeProcess({
    LAKE_DIR: lakeDir,
    LAKE_API_KEY: KEY,
    // Records stay in the write-ahead segment until the graceful stop delivers them.
    LAKE_FIREHOSE_BUFFER_SECONDS: '3600',
    LAKE_UPLOADS_POLL_MS: '200',
    LAKE_COMPACTION_INTERVAL_SECONDS: '0',
    LAKE_QUERY_THREADS: '1',
  });
}, 90_000);

afterAll(async () => {
  if (lake && !stopped) await lake.kill('SIGTERM');
});

describe('bad input is refused clearly and changes nothing', () => {
  it('SQL that writes, escapes the database or runs several statements: 400 QUERY_NOT_ALLOWED, no file changes', async () => {
    // Warm the engine up (it creates its database and .queries/ on first use).
    expect(await query("SELECT 'warm' AS x")).toEqual([['warm']]);
    // (.lakes/: the lake's own heartbeat, touched every few seconds: lib/lake-presence.ts.)
    const before = await listing(lakeDir, ['.queries', '.lakes']);
    const failures: string[] = [];
    for (const c of sqlCases) {
      const res = await request(
        'POST',
        '/queries',
        { 'content-type': 'application/json', 'x-api-key': KEY },
        JSON.stringify({ sql: c.sql, wait: 5 }),
      );
      const got = { status: res.status, code: res.body?.code, field: res.body?.field };
      if (
        got.status !== c.expect.status ||
        got.code !== c.expect.code ||
        got.field !== c.expect.field ||
        typeof res.body?.message !== 'string' ||
        (res.body.message as string).length === 0
      ) {
        failures.push(`${c.name}: ${JSON.stringify(c.sql)} → ${res.status} ${res.text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    const after = await listing(lakeDir, ['.queries', '.lakes']);
    expect([...after.entries()].filter(([k, v]) => before.get(k) !== v)).toEqual([]);
    expect([...before.keys()].filter((k) => !after.has(k))).toEqual([]);
    for (const f of [
      '/tmp/bad-input-copy.csv',
      '/tmp/bad-input.db',
      '/tmp/bad-input-export',
      '/tmp/bad-input-profile',
    ]) {
      await expect(fs.stat(f)).rejects.toThrow();
    }
    expect(sqlCases.length).toBeGreaterThanOrEqual(60);
  }, 60_000);

  it('uploads: each bad file is quarantined with its reason or ignored; only the control reaches curated', async () => {
    const uploads = path.join(lakeDir, 'raw', 'uploads');
    const stage = path.join(lakeDir, 'stage');
    await fs.mkdir(stage, { recursive: true });
    // Put in place the way `cp` of a whole file appears: written elsewhere, then renamed in.
    const drop = async (relative: string, bytes: Buffer, i: number) => {
      const target = path.join(uploads, relative);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const tmp = path.join(stage, `f${i}`);
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, target);
    };
    let i = 0;
    for (const c of uploadCases) await drop(c.relative, c.bytes, i++);
    await drop(CONTROL_UPLOAD.relative, CONTROL_UPLOAD.bytes, i++);

    const quarantineDir = path.join(lakeDir, 'raw', 'quarantine');
    const reasonOf = async (relative: string) => {
      for (const day of await fs.readdir(quarantineDir).catch(() => [] as string[])) {
        const text = await fs
          .readFile(path.join(quarantineDir, day, relative + '.reason.json'), 'utf8')
          .catch(() => undefined);
        if (text) return { day, reason: JSON.parse(text) as Record<string, unknown> };
      }
      return undefined;
    };
    const quarantined = uploadCases.filter((c) => c.expect !== 'ignored');
    const failures: string[] = [];
    // Quarantine writes the reason, then the notice, then moves the object (lib/uploads/process.ts): a file is
    // quarantined once its reason is there and it has left uploads/; the checks below then look at every step.
    const stillUnder = async (relative: string) =>
      (await fs.stat(path.join(uploads, relative)).catch(() => undefined)) !== undefined;
    await until(
      'every bad upload to be quarantined',
      async () => {
        const missing: string[] = [];
        for (const c of quarantined)
          if (!(await reasonOf(c.relative)) || (await stillUnder(c.relative))) missing.push(c.relative);
        return missing.length === 0 ? true : undefined;
      },
      45_000,
    ).catch((e: Error) => failures.push(e.message.split('\n')[0]!));

    for (const c of quarantined) {
      const exp = c.expect as { quarantined: string; field?: string; line?: number };
      const found = await reasonOf(c.relative);
      if (!found) {
        failures.push(`${c.name} (${c.relative}): not quarantined`);
        continue;
      }
      const r = found.reason;
      const problems: string[] = [];
      if (r.code !== exp.quarantined) problems.push(`code ${String(r.code)}, expected ${exp.quarantined}`);
      if (exp.field !== undefined && r.field !== exp.field)
        problems.push(`field ${String(r.field)}, expected ${exp.field}`);
      if (exp.line !== undefined && r.line !== exp.line)
        problems.push(`line ${String(r.line)}, expected ${exp.line}`);
      if (typeof r.message !== 'string' || !r.message) problems.push('no message');
      if (r.key !== `uploads/${c.relative}`) problems.push(`key ${String(r.key)}`);
      // The object moved: beside its reason in quarantine/, gone from uploads/.
      const moved = await fs.stat(path.join(quarantineDir, found.day, c.relative)).catch(() => undefined);
      if (!moved || moved.size !== c.bytes.length) problems.push('the object is not in quarantine/');
      if (await stillUnder(c.relative)) problems.push('still under uploads/');
      if (problems.length)
        failures.push(`${c.name} (${c.relative}): ${problems.join('; ')} — ${String(r.message)}`);
    }

    // Each quarantined file raised its UPLOAD_QUARANTINED notice (locally a line of notifications.jsonl).
    const notices = (await fs.readFile(path.join(lakeDir, 'notifications.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; detail: { key?: string; code?: string } })
      .filter((n) => n.kind === 'UPLOAD_QUARANTINED');
    for (const c of quarantined) {
      const exp = c.expect as { quarantined: string };
      if (!notices.some((n) => n.detail.key === `uploads/${c.relative}` && n.detail.code === exp.quarantined))
        failures.push(`${c.name} (${c.relative}): no UPLOAD_QUARANTINED notice`);
    }

    // The control file's ETL run succeeds; no run started for any bad file.
    const control = await until(
      'the control upload’s ETL run',
      async () =>
        (await listExecutions(lakeDir)).find(
          (x) =>
            (x.input as { key?: string }).key === `uploads/${CONTROL_UPLOAD.relative}` && isFinal(x.status),
        ),
      60_000,
    );
    expect(control.status).toBe('SUCCEEDED');
    for (const x of await listExecutions(lakeDir)) {
      const key = (x.input as { key?: string }).key;
      if (key !== `uploads/${CONTROL_UPLOAD.relative}`)
        failures.push(
          `an ETL run started for ${String(key)}: ${x.status} ${JSON.stringify(x).slice(0, 600)}`,
        );
    }

    // Ignored files are left alone: still in place, no reason anywhere.
    for (const c of uploadCases.filter((x) => x.expect === 'ignored')) {
      if (!(await fs.stat(path.join(uploads, c.relative)).catch(() => undefined)))
        failures.push(`${c.name}: an ignored file was moved`);
      if (await reasonOf(c.relative)) failures.push(`${c.name}: an ignored file was quarantined`);
    }
    expect(failures).toEqual([]);

    // Curated: exactly the control's rows; no marker of any bad file in any curated object.
    const rows = await query('SELECT order_id FROM orders ORDER BY order_id');
    expect(rows).toEqual(CONTROL_UPLOAD.ids.map((id) => [id]));
    const curated = await walk(path.join(lakeDir, 'curated'));
    const leaked = await markersIn(curated);
    expect([...leaked.keys()]).toEqual([]);
    expect(uploadCases.length).toBeGreaterThanOrEqual(60);
  }, 120_000);

  it.each(apiCases.map((c) => [c.category, c.name, c] as const))('API %s: %s', async (_cat, _name, c) => {
    const res = await send(c);
    const e = c.expect;
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: e.status, code: e.code });
    const body = res.body!;
    expect(typeof body.message).toBe('string');
    expect(typeof body.requestId).toBe('string');
    if (e.field !== undefined) expect(body.field).toBe(e.field);
    if (e.details) expect(body).toMatchObject(e.details);
    if (e.code === 'VALIDATION_FAILED') {
      const errors = body.errors as { index: number; pointer: string; code: string; message: string }[];
      expect(Array.isArray(errors) && errors.length > 0).toBe(true);
      for (const p of errors) {
        expect(p).toEqual({
          index: expect.any(Number),
          pointer: expect.any(String),
          code: expect.any(String),
          message: expect.any(String),
        });
      }
      if (e.errorsLength !== undefined) expect(errors).toHaveLength(e.errorsLength);
      const pointers = errors.map((p) => p.pointer);
      for (const p of e.pointers ?? []) expect(pointers).toContain(p);
      for (const code of e.eventCodes ?? []) expect(errors.map((p) => p.code)).toContain(code);
      if (e.indexes) expect([...new Set(errors.map((p) => p.index))].sort()).toEqual(e.indexes);
      // Every problem is counted; at most 100 are listed.
      expect(body.totalProblems).toBeGreaterThanOrEqual(errors.length);
      expect(errors.length).toBe(Math.min(100, body.totalProblems as number));
      if (errors.length === body.totalProblems)
        expect(body.invalidEvents).toBe(new Set(errors.map((p) => p.index)).size);
    } else if (e.code === 'INVALID_BODY' && e.pointers) {
      expect(body.pointer).toBe(e.pointers[0]);
    }
  });

  it('nothing of any refused request was written; the good control event is', async () => {
    const marked = apiCases.filter((c) => c.marker);
    expect(marked.length).toBeGreaterThan(apiCases.length * 0.8);
    // The delivery stream's write-ahead segments hold every accepted record until the buffer rolls over.
    const wal = await walk(path.join(lakeDir, '.firehose'));
    expect([...(await markersIn(wal)).keys()]).toEqual([]);

    const control = await request(
      'POST',
      '/events',
      { 'content-type': 'application/json', 'x-api-key': KEY },
      JSON.stringify(pageView(CONTROL_MARKER)),
    );
    expect(control.status).toBe(202);
    expect([...(await markersIn(await walk(path.join(lakeDir, '.firehose')))).keys()]).toEqual([
      CONTROL_MARKER,
    ]);

    // A graceful stop delivers everything into the raw zone.
    stopped = true;
    expect(await lake.kill('SIGTERM')).toBe(0);
    const raw = (await walk(path.join(lakeDir, 'raw'))).filter(
      (f) => !f.includes(`${path.sep}quarantine${path.sep}`) && !f.includes(`${path.sep}uploads${path.sep}`),
    );
    const found = await markersIn(raw);
    expect([...found.keys()]).toEqual([CONTROL_MARKER]);
    expect(
      found.get(CONTROL_MARKER)!.every((f) => f.startsWith(path.join('raw', 'events', 'type=page_view'))),
    ).toBe(true);
  }, 60_000);
});

describe('upload keys with .., /, encodings and Unicode tricks', () => {
  it.each(keyCases.map((c) => [c.name, c] as const))('key parser: %s', (_name, c) => {
    const cls = classifyKey(c.key);
    if (c.expect.kind === 'ignored') {
      expect(cls.kind).toBe('ignored');
      return;
    }
    expect(cls.kind).toBe('upload');
    if (cls.kind !== 'upload') return;
    if (c.expect.code === 'BAD_KEY') expect(cls.problem).toEqual(expect.any(String));
    else expect(cls.problem).toBeUndefined();
  });

  it('a file over the dataset’s maxFileBytes is FILE_TOO_LARGE from its size alone (nothing read)', async () => {
    const { checkUpload } = await import('../../lib/uploads/process');
    const { sampleLimits } = await import('../../lib/uploads/types');
    const untouchable = new Proxy({} as ObjectStore, {
      get: (_t, name) => {
        throw new Error(`the check read the object (${String(name)})`);
      },
    });
    const size = 2 * 1024 ** 3 + 1;
    const { finding } = await checkUpload(
      untouchable,
      'uploads/orders/huge.csv',
      { key: 'uploads/orders/huge.csv', size, etag: 'x', lastModified: new Date() },
      sampleLimits(),
    );
    expect(finding).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining(String(size)) });
  });

  it('the validateUpload handler: each key is ignored or quarantined as specified, nothing else is written', async () => {
    const dir = await tempLake('bad-input-keys');
    const saved = { ...process.env };
    process.env.LAKE_DIR = dir;
    process.env.IS_LOCAL = 'true';
    process.env.LAKE_RUNTIME = 'local';
    try {
      const { validateUpload } = await import('../../functions/validate-upload');
      const failures: string[] = [];
      for (const c of keyCases) {
        const file = path.join(dir, 'raw', ...c.key.split('/'));
        // Only keys that can be files: no NUL, no '.'/'..' or empty segments (the local store refuses those), no
        // backslash on Windows (a path separator there).
        const representable =
          !/[\u0000]/.test(c.key) &&
          !(path.sep === '\\' && c.key.includes('\\')) &&
          !c.key.split('/').some((s) => s === '.' || s === '..' || s === '' || Buffer.byteLength(s) > 255) &&
          !c.key.endsWith('/');
        if (representable) {
          await fs.mkdir(path.dirname(file), { recursive: true });
          await fs.writeFile(
            file,
            'order_id,customer_id,order_date,status,amount,currency\nbimk0000x,c,2026-11-20,paid,1,EUR\n',
          );
        }
        const before = await listing(dir, [path.join('raw', 'quarantine'), 'notifications.jsonl', '.lakes']);
        const event = {
          version: '0',
          id: 'x',
          'detail-type': 'Object Created',
          source: 'aws.s3',
          account: '000000000000',
          time: new Date().toISOString(),
          region: 'us-east-1',
          resources: ['arn:aws:s3:::raw'],
          detail: {
            version: '0',
            bucket: { name: 'raw' },
            object: { key: encodeS3EventKey(c.key), size: 10, sequencer: '01' },
          },
        } as unknown as S3ObjectCreatedNotificationEvent;
        // The handler's result, or the error it threw (errors from node's own modules are not instances of the
        // test realm's Error, so it is kept as a message).
        let outcome: Record<string, unknown>;
        let thrown: string | undefined;
        try {
          outcome = (await validateUpload(event)) as unknown as Record<string, unknown>;
        } catch (e) {
          thrown = String((e as Error)?.message ?? e);
          outcome = {};
        }
        const after = await listing(dir, [path.join('raw', 'quarantine'), 'notifications.jsonl', '.lakes']);
        const added = [...after.keys()].filter((k) => !before.has(k));
        const problems: string[] = [];
        if (added.length) problems.push(`wrote ${added.join(', ')}`);
        const got = thrown !== undefined ? `threw ${thrown}` : JSON.stringify(outcome);
        if (c.expect.kind === 'ignored') {
          if (outcome.outcome !== 'ignored') problems.push(`outcome ${got}`);
        } else if (!representable) {
          // The local object store cannot hold such a key (S3 can): the handler must refuse it without writing.
          if (thrown === undefined && !(outcome.outcome === 'quarantined' && outcome.code === c.expect.code))
            problems.push(`outcome ${got}`);
        } else if (outcome.outcome !== 'quarantined' || outcome.code !== c.expect.code) {
          problems.push(`outcome ${got}`);
        } else {
          const reasonFile = path.join(dir, 'raw', ...(outcome.reasonKey as string).split('/'));
          const reason = JSON.parse(await fs.readFile(reasonFile, 'utf8')) as Record<string, unknown>;
          if (reason.code !== c.expect.code || reason.key !== c.key)
            problems.push(`reason ${JSON.stringify(reason)}`);
          // Within the quarantine folder of the raw bucket.
          if (!path.resolve(reasonFile).startsWith(path.join(dir, 'raw', 'quarantine') + path.sep))
            problems.push('reason outside quarantine/');
          if (await fs.stat(file).catch(() => undefined)) problems.push('object still under uploads/');
        }
        if (problems.length) failures.push(`${c.name} (${JSON.stringify(c.key)}): ${problems.join('; ')}`);
      }
      expect(failures).toEqual([]);
      // Nothing reached the ETL or the curated zone.
      expect(await walk(path.join(dir, 'curated'))).toEqual([]);
      expect(await listExecutions(dir)).toEqual([]);
    } finally {
      for (const k of ['LAKE_DIR', 'IS_LOCAL', 'LAKE_RUNTIME']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  }, 60_000);
});
