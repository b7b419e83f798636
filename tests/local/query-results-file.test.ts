/**
 * Pages of a local query's results file (lib/query/duckdb/results.ts): rows across the reader's 256 KiB chunks, a
 * multi-byte character split between two chunks, tokens from one page to the next, and a row longer than a page may
 * hold refused before it is read whole.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readResultsPage } from '../../lib/query/duckdb/results';
import { RowTooLargeError, type ResultColumn } from '../../lib/query/types';
import { tempLake } from '../support/raw-zone';

const ID = '00000000-0000-4000-8000-000000000001';
const columns: ResultColumn[] = [
  { name: 'n', type: 'integer' },
  { name: 's', type: 'varchar' },
];

// A row of 3 MB (a dozen chunks), one whose 'é' straddles the first chunk's end, and short ones around them.
const rows: [number, string][] = [
  [1, 'a'],
  [2, 'x'.repeat(256 * 1024 - 14) + 'é'.repeat(10)],
  [3, 'y'.repeat(3 * 1024 * 1024)],
  [4, 'ü'],
];

async function resultsFile(): Promise<string> {
  const file = path.join(await tempLake('results-file'), 'results.jsonl');
  await fs.writeFile(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  return file;
}

describe('a local query results file, read by pages', () => {
  it('reads every row whole, in one page or one row a page', async () => {
    const file = await resultsFile();
    expect(await readResultsPage(ID, file, rows.length, columns, { maxRows: 10 })).toEqual({
      columns,
      rows,
      nextToken: null,
    });
    const paged: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readResultsPage(ID, file, rows.length, columns, { maxRows: 1, nextToken });
      paged.push(...page.rows);
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    expect(paged).toEqual(rows);
  });

  it('refuses a row longer than maxRowBytes once that much of it is read, naming the row; the rows before it are a page', async () => {
    const file = await resultsFile();
    const limit = { maxRows: 10, maxRowBytes: 1024 * 1024 };
    // The rows before the long one are the page, its token at the long row.
    const first = await readResultsPage(ID, file, rows.length, columns, limit);
    expect(first.rows).toEqual(rows.slice(0, 2));
    expect(first.nextToken).toEqual(expect.any(String));
    // From there the long row alone: refused.
    const reading = readResultsPage(ID, file, rows.length, columns, {
      ...limit,
      nextToken: first.nextToken!,
    });
    await expect(reading).rejects.toThrow(RowTooLargeError);
    await expect(reading).rejects.toMatchObject({
      row: 2,
      message: expect.stringMatching(/^row 3 of the results is more than \d+ bytes$/),
    });
  });
});
