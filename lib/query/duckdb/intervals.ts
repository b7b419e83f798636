/**
 * Intervals as Athena shows them. Trino has two interval types: year to month, shown as years-months ('1-2'), and
 * day to second, shown as days and a clock to the millisecond ('1 02:30:00.000') — SqlIntervalYearMonth and
 * SqlIntervalDayTime. DuckDB has one interval of months, days and microseconds, shown '1 year 2 months' or
 * '1 day 02:30:00'. A DuckDB interval of months alone is a year to month one; one without months a day to second one
 * (a day being 24 hours, as in Trino); one with both has no Trino form, and the query fails naming the difference.
 * A column is `interval year to month` when every value it holds is one, else `interval day to second`. DuckDB's
 * zero interval has no kind: in a column of year-to-month intervals it is shown `0-0` (the results file is written
 * again, for such columns only); a column of zero intervals alone is `interval day to second`, `0 00:00:00.000`.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { createReadStream, promises as fs } from 'node:fs';
import readline from 'node:readline';
import type { Cell } from '../types';

interface Interval {
  months: number;
  days: number;
  micros: bigint;
}

const MICROS_PER_DAY = 86_400_000_000n;
const pad = (n: bigint, w = 2) => String(n).padStart(w, '0');

/** A year-to-month interval's text, as Athena renders it. */
const YEAR_MONTH = /^-?[0-9]+-[0-9]+$/;

/** The interval as Athena's text. */
export function intervalText(v: Interval): string {
  if (v.months !== 0) {
    if (v.days !== 0 || v.micros !== 0n) {
      throw new Error(
        `the interval ${v.months} months ${v.days} days ${v.micros} microseconds has no Athena form: Trino keeps ` +
          'year-to-month and day-to-second intervals apart; add or subtract them one at a time',
      );
    }
    const sign = v.months < 0 ? '-' : '';
    const months = Math.abs(v.months);
    return `${sign}${Math.floor(months / 12)}-${months % 12}`;
  }
  let micros = BigInt(v.days) * MICROS_PER_DAY + v.micros;
  const sign = micros < 0n ? '-' : '';
  if (micros < 0n) micros = -micros;
  const millis = micros / 1000n; // Trino's intervals hold milliseconds
  const days = millis / 86_400_000n;
  const rest = millis % 86_400_000n;
  return (
    `${sign}${days} ${pad(rest / 3_600_000n)}:${pad((rest / 60_000n) % 60n)}:${pad((rest / 1000n) % 60n)}.` +
    pad(rest % 1000n, 3)
  );
}

/** DuckDB's zero interval, as intervalText writes it (it has no months, so no kind). */
const ZERO = intervalText({ months: 0, days: 0, micros: 0n });
const YEAR_MONTH_ZERO = '0-0';

/** Which kinds of interval each interval column of a result holds, to name its type once every row is read. */
export class IntervalColumns {
  private readonly columns: number[];
  /** By column: whether every value other than a zero is year to month (and one is), as read so far. */
  private readonly yearMonth = new Map<number, boolean>();
  private readonly zeros = new Set<number>();
  constructor(types: readonly DuckDBType[]) {
    this.columns = types.flatMap((t, i) => (t.typeId === DuckDBTypeId.INTERVAL ? [i] : []));
  }
  observe(rows: Cell[][]): void {
    for (const i of this.columns) {
      for (const r of rows) {
        const v = r[i];
        if (v === ZERO) this.zeros.add(i);
        else if (typeof v === 'string')
          this.yearMonth.set(i, (this.yearMonth.get(i) ?? true) && YEAR_MONTH.test(v));
      }
    }
  }
  /** The columns with the interval ones typed as what they hold. */
  typed<C extends { type: string }>(columns: C[]): C[] {
    return columns.map((c, i) => (this.yearMonth.get(i) ? { ...c, type: 'interval year to month' } : c));
  }
  /** The year-to-month columns that hold a zero, written as a day-to-second one (yearMonthZeros rewrites them). */
  zerosToRewrite(): number[] {
    return [...this.zeros].filter((i) => this.yearMonth.get(i));
  }
}

/** Rewrites a results file (a JSON array of cells per line) with the zero intervals of `columns` shown `0-0`. */
export async function yearMonthZeros(file: string, columns: number[]): Promise<void> {
  const tmp = `${file}.intervals`;
  const out = await fs.open(tmp, 'w');
  try {
    try {
      const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      let batch: string[] = [];
      for await (const line of lines) {
        const row = JSON.parse(line) as Cell[];
        for (const i of columns) if (row[i] === ZERO) row[i] = YEAR_MONTH_ZERO;
        batch.push(JSON.stringify(row) + '\n');
        if (batch.length >= 4096) {
          await out.write(batch.join(''));
          batch = [];
        }
      }
      if (batch.length) await out.write(batch.join(''));
    } finally {
      await out.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
