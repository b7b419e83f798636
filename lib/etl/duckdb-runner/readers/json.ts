/**
 * JSON inputs (JSON lines or one JSON document): read_json with explicit columns, nested paths as structs of text.
 */
import { NO_HIVE_PARTITIONS, sqlIdent, sqlString, sqlStringList } from '../../../duckdb-sql';
import type { EtlPlan } from '../../plan';
import { failed } from '../errors';
import { isPlainObject } from '../is-plain-object';
import { headBytes } from './input-stream';
import { lineageSql, pathSql } from './select-sql';
import type { InputFile, ReadContext, Segment } from './types';

/**
 * Largest JSON object (one line or one document element) read_json takes (DuckDB's default; it reads in buffers
 * of twice this size); larger records are rejected by the line-by-line fallback. Events are at most 1,000 KiB.
 */
export const MAX_JSON_OBJECT_BYTES = 16 * 1024 * 1024;

/** Bytes before a .json input's first character: white space, and a byte order mark's (EF BB BF). */
const LEADING_BYTES = new Set([0x20, 0x09, 0x0d, 0x0a, 0xef, 0xbb, 0xbf]);

/** read_json's columns for the input paths: {"id": 'VARCHAR', "data": 'STRUCT("x" VARCHAR, ...)'}. */
function jsonColumns(plan: EtlPlan): string {
  interface Node {
    leaf: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { leaf: false, children: new Map() };
  for (const c of plan.input.columns) {
    if (c.path.length === 0) throw failed(`${plan.table}: input column ${c.name} has an empty path`);
    let node = root;
    c.path.forEach((field, depth) => {
      const leaf = depth === c.path.length - 1;
      let child = node.children.get(field);
      if (!child) node.children.set(field, (child = { leaf, children: new Map() }));
      else if (leaf || child.leaf)
        throw failed(`${plan.table}: input path ${c.path.join('.')} conflicts with another`);
      node = child;
    });
  }
  const typeOf = (n: Node): string =>
    n.leaf
      ? 'VARCHAR'
      : `STRUCT(${[...n.children].map(([name, child]) => `${sqlIdent(name)} ${typeOf(child)}`).join(', ')})`;
  return `{${[...root.children].map(([name, child]) => `${sqlString(name)}: ${sqlString(typeOf(child))}`).join(', ')}}`;
}

export function jsonSegment(
  ctx: ReadContext,
  files: string[],
  layoutKind: 'lines' | 'document',
  key: string | null,
): Segment {
  const cols = ctx.plan.input.columns.map((c) => `${pathSql(c.path)} AS ${c.name}`);
  const format = layoutKind === 'lines' ? 'newline_delimited' : 'auto';
  return {
    sql:
      `SELECT ${cols.join(', ')}, ${lineageSql(ctx, key)} FROM read_json(${sqlStringList(files)}, ` +
      `columns = ${jsonColumns(ctx.plan)}, format = '${format}', maximum_object_size = ${MAX_JSON_OBJECT_BYTES}, ` +
      `${NO_HIVE_PARTITIONS})`,
  };
}

/**
 * A .json input's first bytes as text, read until they hold its first line whole (a line end after its first
 * character, or a document's opening bracket), at most MAX_JSON_OBJECT_BYTES + 1 bytes: as the Glue job reads them
 * (etl_job.py json_layout_of; a longer first line is no JSON line). A first line longer than a fixed sniff was cut
 * short, did not parse, and sent a file of JSON lines to the document reader — on AWS Spark's multi-line reader,
 * which takes only its first object.
 */
async function headToFirstLine(input: InputFile): Promise<string> {
  let started = false;
  const head = await headBytes(input.file, input.gz, MAX_JSON_OBJECT_BYTES + 1, (chunk) => {
    let i = 0;
    if (!started) {
      while (i < chunk.length && LEADING_BYTES.has(chunk[i]!)) i++;
      if (i === chunk.length) return false;
      started = true;
      if (chunk[i] === 0x5b) return true; // [
    }
    return chunk.indexOf(0x0a, i) >= 0;
  });
  return head.toString('utf8');
}

export async function jsonLayoutOf(input: InputFile): Promise<'lines' | 'document'> {
  if (input.format === 'jsonl') return 'lines';
  const text = (await headToFirstLine(input)).replace(/^[\uFEFF \t\r\n]+/, '');
  if (text.startsWith('[')) return 'document';
  const first = text.split('\n', 1)[0]!.trim();
  try {
    return isPlainObject(JSON.parse(first)) ? 'lines' : 'document';
  } catch {
    return 'document';
  }
}
