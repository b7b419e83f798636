/**
 * The text Athena's Hive DDL statements print for a Glue table, generated from the same TableInput
 * lib/catalog/glue.ts deploys (lib/catalog/describe.ts localGlueTables): SHOW CREATE TABLE (the layout Hive's
 * ShowCreateTable writes and Athena returns, one line per row) and DESCRIBE (columns, then the partition section).
 */
import type { GlueTableInput } from '../../catalog/glue';
import { unboundedBacktracking } from './name-pattern';

/** Hive's escaping of text inside single quotes (HiveStringUtils.escapeHiveCommand). */
const escape = (s: string) => s.replace(/[';]/g, (c) => `\\${c}`);

const column = (c: { Name: string; Type: string; Comment?: string }) =>
  `  \`${c.Name}\` ${c.Type}${c.Comment !== undefined ? ` COMMENT '${escape(c.Comment)}'` : ''}`;

/** SHOW CREATE TABLE: the statement's lines. */
export function showCreateTable(database: string, t: GlueTableInput<string>): string[] {
  const sd = t.StorageDescriptor;
  const lines: string[] = [`CREATE EXTERNAL TABLE \`${database}.${t.Name}\`(`];
  sd.Columns.forEach((c, i) => lines.push(column(c) + (i < sd.Columns.length - 1 ? ', ' : ')')));
  if (t.PartitionKeys.length) {
    lines.push('PARTITIONED BY ( ');
    t.PartitionKeys.forEach((c, i) => lines.push(column(c) + (i < t.PartitionKeys.length - 1 ? ', ' : ')')));
  }
  lines.push('ROW FORMAT SERDE ', `  '${sd.SerdeInfo.SerializationLibrary}' `);
  const serde = Object.entries(sd.SerdeInfo.Parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (serde.length) {
    lines.push('WITH SERDEPROPERTIES ( ');
    serde.forEach(([k, v], i) =>
      lines.push(`  '${escape(k)}'='${escape(v)}'${i < serde.length - 1 ? ', ' : ') '}`),
    );
  }
  lines.push('STORED AS INPUTFORMAT ', `  '${sd.InputFormat}' `, 'OUTPUTFORMAT ', `  '${sd.OutputFormat}'`);
  lines.push('LOCATION', `  '${sd.Location}'`);
  const props = Object.entries(t.Parameters)
    .filter(([k]) => k !== 'EXTERNAL')
    .map(([k, v]) => [k, String(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (props.length) {
    lines.push('TBLPROPERTIES (');
    props.forEach(([k, v], i) =>
      lines.push(`  '${escape(k)}'='${escape(v)}'${i < props.length - 1 ? ', ' : ')'}`),
    );
  }
  return lines;
}

/** Hive pads each field of its text output to 20 characters (MetaDataFormatUtils.ALIGNMENT), tab-separated. */
const field = (s: string) => s.padEnd(20);
const row = (...fields: string[]) => fields.map(field).join('\t');

/** DESCRIBE: one line per column, then Hive's partition section. */
export function describeTable(t: GlueTableInput<string>): string[] {
  const line = (c: { Name: string; Type: string; Comment?: string }) => row(c.Name, c.Type, c.Comment ?? '');
  const lines = [...t.StorageDescriptor.Columns, ...t.PartitionKeys].map(line);
  if (t.PartitionKeys.length) {
    lines.push('', '# Partition Information', row('# col_name', 'data_type', 'comment'), '');
    lines.push(...t.PartitionKeys.map(line));
  }
  return lines;
}

/** SHOW COLUMNS: the column names, then the partition keys, as Hive prints them (padded). */
export function showColumns(t: GlueTableInput<string>): string[] {
  return [...t.StorageDescriptor.Columns, ...t.PartitionKeys].map((c) => field(c.Name));
}

/**
 * SHOW TABLES' pattern, as Hive matches it: alternatives separated by `|`, `*` any characters, the rest a regular
 * expression, case-insensitive, over the whole name.
 */
export function tableNameMatcher(pattern: string): (name: string) => boolean {
  const alternatives = pattern.split('|').map((p) => {
    const source = p.trim().replace(/\*/g, '.*');
    const unbounded = unboundedBacktracking(source);
    if (unbounded)
      throw new Error(
        `SHOW TABLES LIKE '${pattern}': not matched locally: ${unbounded}, which can take hours to match a name ` +
          '(Java on AWS backtracks the same way); write a simpler pattern, such as order* or *_view',
      );
    try {
      return new RegExp(`^(?:${source})$`, 'i');
    } catch {
      throw new Error(
        `SHOW TABLES LIKE '${pattern}': '${p.trim()}' is not a pattern Hive reads (a regular expression, with * for ` +
          'any characters and | between alternatives): a bracket or parenthesis is not closed, or a quantifier has ' +
          'nothing to repeat',
      );
    }
  });
  return (name) => alternatives.some((re) => re.test(name));
}
