/**
 * Mode 'events': the pending raw event objects of each table, compacted in batches of bounded size, with the
 * compaction manifests that record which objects are in the table.
 */
import { writeFileDurably } from '../../durable-fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableDef } from '../../catalog/tables';
import { rawEventsFormat } from '../../layout';
import { buildPlan } from '../plan';
import { arrivalDateOf, compactionManifestKey, rawEventsPrefix } from '../plans';
import { runBatch, type RunContext } from './batch';
import { failed } from './errors';
import { addFigures, emptyFigures, type TableTally } from './figures';
import { listFiles, readJsonFile } from './fs-util';

interface Manifest {
  processed: string[];
}

export async function runEvents(
  ctx: RunContext,
  tables: TableDef[],
  maxBatchBytes: number,
): Promise<{ inputs: string[]; figures: TableTally[] }> {
  const inputs: string[] = [];
  const figures: TableTally[] = [];
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const plan = buildPlan(table);
    const f = emptyFigures(plan);
    figures.push(f);
    const prefix = rawEventsPrefix(table.name);
    const keys = (await listFiles(path.join(ctx.rawDir, prefix)))
      .map((rel) => prefix + rel)
      .filter((k) => k.endsWith(rawEventsFormat.extension) && !k.split('/').some((s) => s.startsWith('.')));
    const byDate = new Map<string, string[]>();
    for (const key of keys) {
      const date = arrivalDateOf(key);
      if (!date) throw failed(`raw event object '${key}' has no arrival_date in its key`);
      byDate.set(date, [...(byDate.get(date) ?? []), key]);
    }
    const manifests = new Map<string, Set<string>>();
    const pending: { key: string; date: string; bytes: number }[] = [];
    for (const [date, dateKeys] of [...byDate].sort((a, b) => a[0].localeCompare(b[0]))) {
      const file = path.join(ctx.curatedDir, compactionManifestKey(table.name, date));
      const m = await readJsonFile<Manifest>(file);
      const processed = new Set(Array.isArray(m?.processed) ? m.processed : []);
      manifests.set(date, processed);
      for (const key of dateKeys) {
        if (!processed.has(key)) {
          pending.push({ key, date, bytes: (await fs.stat(path.join(ctx.rawDir, key))).size });
        }
      }
    }
    // Batches of bounded size, in key order (arrival order within a day).
    const batches: (typeof pending)[] = [];
    let current: typeof pending = [];
    let bytes = 0;
    for (const p of pending) {
      if (current.length > 0 && bytes + p.bytes > maxBatchBytes) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(p);
      bytes += p.bytes;
    }
    if (current.length > 0) batches.push(current);

    for (const [i, batch] of batches.entries()) {
      const files = batch.map((p) => ({
        key: p.key,
        file: path.join(ctx.rawDir, ...p.key.split('/')),
        // The declared format of raw event objects (their names do not tell it).
        format: rawEventsFormat.format,
        gz: rawEventsFormat.gzip,
      }));
      addFigures(f, await runBatch(ctx, table, plan, files, i));
      // Only now that the rows are in the table: a crash before this re-runs these objects (deduplicated).
      const touched = new Set<string>();
      for (const p of batch) {
        manifests.get(p.date)!.add(p.key);
        touched.add(p.date);
      }
      for (const date of [...touched].sort()) {
        const manifest: Manifest = { processed: [...manifests.get(date)!].sort() };
        await writeFileDurably(
          path.join(ctx.curatedDir, compactionManifestKey(table.name, date)),
          JSON.stringify(manifest, null, 2) + '\n',
        );
      }
      inputs.push(...batch.map((p) => p.key));
    }
  }
  return { inputs, figures };
}
