/**
 * A succeeded query's results: results.jsonl in its folder (state.ts), one JSON array per row, written under a
 * temporary name and renamed once complete, and read a page at a time. Page tokens: row index and byte offset in
 * results.jsonl, bound to the query (encodeToken).
 */
import { yearMonthZeros } from './intervals';
import { jsonCell, parseKeepingIntegers } from '../json-cell';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import {
  InvalidPageTokenError,
  RowTooLargeError,
  type Cell,
  type PageRequest,
  type ResultColumn,
  type ResultPage,
} from '../types';

/** The results file's name in a query's folder. */
export const RESULTS_FILE = 'results.jsonl';
/** Its name while the query runs. */
export const RESULTS_TMP_FILE = 'results.jsonl.tmp';

/**
 * A page token: the row and byte offset where the next page starts, with a digest of the query's id and the two, so
 * that a token is the query's own and as it was returned: another query's token, or an edited one (a row that is
 * not at its offset would skip or repeat rows without a word), is InvalidPageTokenError.
 */
const digest = (queryId: string, row: number, byte: number) =>
  createHash('sha256').update(`${queryId}\n${row}\n${byte}`).digest('base64url').slice(0, 16);

function encodeToken(queryId: string, row: number, byte: number): string {
  return Buffer.from(`${row}:${byte}:${digest(queryId, row, byte)}`).toString('base64url');
}

function decodeToken(queryId: string, token: string): { row: number; byte: number } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^(\d{1,15}):(\d{1,15}):([A-Za-z0-9_-]{16})$/.exec(text);
  if (!m || Buffer.from(text).toString('base64url') !== token) throw new InvalidPageTokenError();
  const [row, byte] = [Number(m[1]), Number(m[2])];
  if (m[3] !== digest(queryId, row, byte)) throw new InvalidPageTokenError();
  return { row, byte };
}

/**
 * The page `page` asks for of a results file of `total` rows: up to page.maxRows rows from its token's position
 * (the start without one), and the token of the next page (null after the last row).
 */
export async function readResultsPage(
  queryId: string,
  file: string,
  total: number,
  columns: ResultColumn[],
  page: PageRequest,
): Promise<ResultPage> {
  let { row, byte } = page.nextToken ? decodeToken(queryId, page.nextToken) : { row: 0, byte: 0 };
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
    // The start of a row that goes on past the chunks read so far (copies: `chunk` is read into again). Each chunk
    // is searched once: a row of 100 MB is read in linear time.
    let started: Buffer[] = [];
    let startedBytes = 0;
    const chunk = Buffer.alloc(256 * 1024);
    for (let at = byte; rows.length < page.maxRows && at < size;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      let data = chunk.subarray(0, bytesRead);
      let nl: number;
      while (rows.length < page.maxRows && (nl = data.indexOf(0x0a)) >= 0) {
        const line =
          startedBytes > 0 ? Buffer.concat([...started, data.subarray(0, nl)]) : data.subarray(0, nl);
        rows.push(parsedRow(line.toString('utf8')));
        byte += line.length + 1;
        row++;
        started = [];
        startedBytes = 0;
        data = data.subarray(nl + 1);
      }
      if (rows.length >= page.maxRows || data.length === 0) continue;
      started.push(Buffer.from(data));
      startedBytes += data.length;
      if (page.maxRowBytes !== undefined && startedBytes > page.maxRowBytes) {
        // The rows before it are the page (its token at the long row); the long row alone is refused.
        if (rows.length > 0) break;
        throw new RowTooLargeError(row, startedBytes);
      }
    }
    yearMonthZeros(columns, rows);
    if (!page.jsonAsText) {
      // The results file keeps a json column's JSON text (cells.ts): the query API's cell is the value it holds.
      const json = columns.flatMap((c, i) => (c.type === 'json' ? [i] : []));
      for (const r of rows) for (const i of json) r[i] = parsedJson(r[i] ?? null);
    }
    return { columns, rows, nextToken: row < total ? encodeToken(queryId, row, byte) : null };
  } finally {
    await handle.close();
  }
}

/**
 * A row of the results file. An integer there that a double does not hold is a json value inside an array, map or
 * row (a bigint cell is written as text, a double as its own shortest text): it keeps its digits, as a json cell
 * does (../json-cell.ts), where JSON.parse alone rounded it (9007199254740993 as 9007199254740992). Rows without
 * 16 digits in a row are parsed at full speed.
 */
function parsedRow(line: string): Cell[] {
  if (!/[0-9]{16}/.test(line)) return JSON.parse(line) as Cell[];
  // (-0 is a double's, written so: it stays the number -0.)
  return parseKeepingIntegers(line, (v, source) => String(v) !== source && !Object.is(v, -0)) as Cell[];
}

/** A json column's JSON text as the value it holds (../json-cell.ts; SQL NULL stays null). */
const parsedJson = (cell: Cell): Cell => (typeof cell === 'string' ? jsonCell(cell) : cell);
