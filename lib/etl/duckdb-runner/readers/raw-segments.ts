/**
 * The segments of raw_input for a batch of inputs, by format; rejected records of the JSON fallback go to
 * lake_malformed.
 */
import path from 'node:path';
import { csvSegment } from './csv';
import { jsonLayoutOf, jsonSegment } from './json';
import { cleanJson } from './json-fallback';
import { mayHoldLenientJson } from './lenient-json';
import { MalformedSink } from './malformed-sink';
import { parquetSegment } from './parquet';
import type { InputFile, ReadContext, Segment } from './types';
import { byCodePoint } from '../../../code-point-order';

/**
 * Builds the segments of raw_input; with `clean`, JSON inputs go through the line-by-line fallback first, and so do
 * JSON uploads that may hold what only read_json takes (./lenient-json.ts).
 */
export async function rawSegments(ctx: ReadContext, inputs: InputFile[], clean: boolean): Promise<Segment[]> {
  const segments: Segment[] = [];
  const byFormat = new Map<string, InputFile[]>();
  for (const input of inputs) {
    const kind =
      input.format === 'csv' || input.format === 'parquet' ? input.format : await jsonLayoutOf(input);
    byFormat.set(kind, [...(byFormat.get(kind) ?? []), input]);
  }
  // JSON uploads read_json would read leniently (a trailing comma, NaN): the strict reader, as if `clean`.
  const strict = new Set<InputFile>();
  for (const input of inputs)
    if (!clean && (input.format === 'json' || input.format === 'jsonl') && (await mayHoldLenientJson(input)))
      strict.add(input);
  const malformed =
    clean || strict.size > 0
      ? new MalformedSink(path.join(ctx.workDir, `malformed-${ctx.seq.n++}.jsonl`))
      : undefined;
  // DuckDB's filename column names the file a row came from, unless the input has a column of that name.
  const together = !ctx.plan.input.columns.some((c) => c.path[0] === 'filename');
  for (const [kind, group] of [...byFormat].sort((a, b) => byCodePoint(a[0], b[0]))) {
    if (kind === 'csv') {
      for (const input of group) {
        const s = await csvSegment(ctx, input);
        if (s) segments.push(s);
      }
    } else if (kind === 'parquet') {
      for (const input of group) segments.push(await parquetSegment(ctx, input));
    } else {
      const layoutKind = kind as 'lines' | 'document';
      if (!malformed && together) {
        // The files read together; lake_source_file from DuckDB's filename column (absolute paths under rawDir).
        segments.push(
          jsonSegment(
            ctx,
            group.map((g) => g.file),
            layoutKind,
            null,
          ),
        );
        continue;
      }
      for (const input of group) {
        if (!clean && !strict.has(input)) {
          segments.push(jsonSegment(ctx, [input.file], layoutKind, input.key));
          continue;
        }
        const out = path.join(ctx.workDir, `clean-${ctx.seq.n++}.jsonl`);
        await cleanJson(ctx, input, layoutKind, out, malformed!);
        segments.push(jsonSegment(ctx, [out], 'lines', input.key));
      }
    }
  }
  await malformed?.closeInto(ctx.conn);
  return segments;
}
