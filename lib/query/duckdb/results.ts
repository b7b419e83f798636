/**
 * A succeeded query's results: results.jsonl in its folder (state.ts), one JSON array per row, written under a
 * temporary name and renamed once complete, and read a page at a time. Page tokens: row index and byte offset in
 * results.jsonl.
 */
import { promises as fs } from 'node:fs';
import {
  InvalidPageTokenError,
  type Cell,
  type PageRequest,
  type ResultColumn,
  type ResultPage,
} from '../types';

/** The results file's name in a query's folder. */
export const RESULTS_FILE = 'results.jsonl';
/** Its name while the query runs. */
export const RESULTS_TMP_FILE = 'results.jsonl.tmp';

function encodeToken(row: number, byte: number): string {
  return Buffer.from(`${row}:${byte}`).toString('base64url');
}

function decodeToken(token: string): { row: number; byte: number } {
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m || Buffer.from(`${m[1]}:${m[2]}`).toString('base64url') !== token) throw new InvalidPageTokenError();
  return { row: Number(m[1]), byte: Number(m[2]) };
}

/**
 * The page `page` asks for of a results file of `total` rows: up to page.maxRows rows from its token's position
 * (the start without one), and the token of the next page (null after the last row).
 */
export async function readResultsPage(
  file: string,
  total: number,
  columns: ResultColumn[],
  page: PageRequest,
): Promise<ResultPage> {
  let { row, byte } = page.nextToken ? decodeToken(page.nextToken) : { row: 0, byte: 0 };
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (row > total || byte > size || (row === 0) !== (byte === 0) || (row === total) !== (byte === size)) {
      throw new InvalidPageTokenError();
    }
    if (byte > 0) {
      const prev = Buffer.alloc(1);
      await handle.read(prev, 0, 1, byte - 1);
      if (prev[0] !== 0x0a) throw new InvalidPageTokenError();
    }
    const rows: Cell[][] = [];
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(256 * 1024);
    while (rows.length < page.maxRows && byte < size) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, byte + pending.length);
      if (bytesRead === 0) break;
      pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      let nl: number;
      while (rows.length < page.maxRows && (nl = pending.indexOf(0x0a)) >= 0) {
        rows.push(JSON.parse(pending.subarray(0, nl).toString('utf8')) as Cell[]);
        byte += nl + 1;
        row++;
        pending = pending.subarray(nl + 1);
      }
    }
    return { columns, rows, nextToken: row < total ? encodeToken(row, byte) : null };
  } finally {
    await handle.close();
  }
}
