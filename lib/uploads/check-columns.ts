/**
 * A file's column names against its dataset: the columns a file may carry (the dataset's own, and the old names of
 * renamed ones), and the header check every format shares (CSV header, Parquet schema; JSON rows name theirs).
 */
import type { ColumnDef } from '../catalog/tables';
import { columnFormerNames } from '../catalog/former-names';
import type { Dataset } from '../dataset-registry';
import { headerMismatch } from './findings';
import type { Finding } from './types';

export const inputColumns = (ds: Dataset) => ds.table.columns.filter((c) => !c.generated && !c.retired);

/**
 * The column a name in a file stands for: a column's own name, or the old name of a renamed column
 * (x-lake.renamedFrom, and the names it had before that: formerNames) — files written before a rename still load,
 * into the new column.
 */
export function columnsByName(ds: Dataset): Map<string, ColumnDef> {
  const out = new Map(inputColumns(ds).map((c) => [c.name, c]));
  for (const c of inputColumns(ds))
    for (const former of columnFormerNames(c)) if (!out.has(former)) out.set(former, c);
  return out;
}

/** Why a name is not a column: retired from the dataset (x-lake.retired), or a near miss of a column's name. */
export function notAColumn(ds: Dataset, name: string, columns: string[]): string {
  const retired = (ds.schema as { 'x-lake'?: { retired?: string[] } })['x-lake']?.retired ?? [];
  return retired.includes(name)
    ? ` ('${name}' is retired (x-lake.retired): new files no longer carry it; its stored values stay in the table)`
    : didYouMean(name, columns);
}

function didYouMean(name: string, columns: string[]): string {
  const norm = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const match = columns.find((c) => c === norm);
  return match ? ` (did you mean '${match}'? names are exact: lower case, no spaces)` : '';
}

const OTHER_DELIMITERS = [
  [';', "';'"],
  ['\t', 'tabs'],
  ['|', "'|'"],
] as const;

/**
 * A CSV header read as one column that another delimiter splits into the dataset's columns: the file was exported
 * with ';' (a decimal-comma locale), tabs or '|'. Both engines read a CSV upload as comma-separated.
 */
function otherDelimiter(names: string[], byName: Map<string, unknown>): string | undefined {
  if (names.length !== 1) return undefined;
  for (const [delimiter, named] of OTHER_DELIMITERS) {
    const parts = names[0]!.split(delimiter).map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
    if (parts.length > 1 && parts.some((p) => byName.has(p)))
      return ` (the header row reads as one column: the file looks delimited by ${named}; a CSV upload must be comma-separated)`;
  }
  return undefined;
}

/** Header problems: nameless, repeated, unknown or missing columns. */
/** Most unknown columns a finding names one by one (a header can have thousands; the count says the rest). */
const MAX_NAMES_LISTED = 20;

/** `'a', 'b', …` — at most MAX_NAMES_LISTED of them, then how many more. */
function namesListed(names: string[]): string {
  const listed = names.slice(0, MAX_NAMES_LISTED).map((n) => `'${n}'`);
  const more = names.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

export function checkColumnNames(
  names: string[],
  ds: Dataset,
  where: { line?: number; what: string },
): Finding | null {
  const columns = inputColumns(ds);
  const byName = columnsByName(ds);
  const known = new Set(columns.map((c) => c.name));
  const at = (i: number) => ({ ...(where.line ? { line: where.line } : {}), column: i + 1 });
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === '') return headerMismatch(`${where.what} ${i + 1} has no name`, at(i));
    const column = byName.get(name)?.name ?? name;
    const before = seen.get(column);
    if (before !== undefined) {
      const as =
        names[before] === name
          ? ''
          : ` (as '${names[before]}' and '${name}': a renamed column and its old name)`;
      return headerMismatch(
        `column '${column}' appears twice (${where.what}s ${before + 1} and ${i + 1})${as}`,
        {
          ...at(i),
          field: name,
        },
      );
    }
    seen.set(column, i);
  }
  const unknown = names.map((n, i) => [n, i] as const).filter(([n]) => !byName.has(n));
  const missing = columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (unknown.length > 0) {
    const [name, i] = unknown[0]!;
    // The required columns it lacks too (a misspelt name is both): one refusal says all a fix needs.
    const lacking = missing.length
      ? `; missing required column(s) ${missing.map((n) => `'${n}'`).join(', ')}`
      : '';
    return headerMismatch(
      `unknown column(s) ${namesListed(unknown.map(([n]) => n))} for dataset ${ds.name}` +
        `${(where.what === 'column' && otherDelimiter(names, byName)) || notAColumn(ds, name, [...known])}` +
        `${lacking}; its columns: ${[...known].join(', ')}`,
      { ...at(i), field: name },
    );
  }
  if (missing.length > 0) {
    return headerMismatch(
      `missing required column(s) ${missing.map((n) => `'${n}'`).join(', ')} of dataset ${ds.name}`,
      {
        ...(where.line ? { line: where.line } : {}),
        field: missing[0]!,
      },
    );
  }
  return null;
}
