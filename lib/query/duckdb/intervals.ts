/**
 * Intervals as Athena shows them. Trino has two interval types: year to month, shown as years-months ('1-2'), and
 * day to second, shown as days and a clock to the millisecond ('1 02:30:00.000') — SqlIntervalYearMonth and
 * SqlIntervalDayTime. DuckDB has one interval of months, days and microseconds, shown '1 year 2 months' or
 * '1 day 02:30:00'. A DuckDB interval of months alone is a year to month one; one without months a day to second one
 * (a day being 24 hours, as in Trino); one with both has no Trino form, and the query fails naming the difference.
 * A column is `interval year to month` when every value it holds is one, else `interval day to second`. DuckDB's
 * zero interval has no kind: in a column of year-to-month intervals it is shown `0-0` (when a page of the results is
 * read: the column's type is known once every row is); a column of zero intervals alone is `interval day to second`,
 * `0 00:00:00.000`.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
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

/** A page's rows with the zero intervals of its year-to-month columns shown as Athena shows them (`0-0`). */
export function yearMonthZeros(columns: readonly { type: string }[], rows: Cell[][]): void {
  const yearMonth = columns.flatMap((c, i) => (c.type === 'interval year to month' ? [i] : []));
  for (const r of yearMonth.length ? rows : []) for (const i of yearMonth) if (r[i] === ZERO) r[i] = '0-0';
}

/** Which kinds of interval each interval column of a result holds, to name its type once every row is read. */
export class IntervalColumns {
  private readonly columns: number[];
  /** By column: whether every value other than a zero is year to month (and one is), as read so far. */
  private readonly yearMonth = new Map<number, boolean>();
  constructor(types: readonly DuckDBType[]) {
    this.columns = types.flatMap((t, i) => (t.typeId === DuckDBTypeId.INTERVAL ? [i] : []));
  }
  observe(rows: Cell[][]): void {
    for (const i of this.columns) {
      for (const r of rows) {
        const v = r[i];
        if (typeof v === 'string' && v !== ZERO)
          this.yearMonth.set(i, (this.yearMonth.get(i) ?? true) && YEAR_MONTH.test(v));
      }
    }
  }
  /** The columns with the interval ones typed as what they hold. */
  typed<C extends { type: string }>(columns: C[]): C[] {
    return columns.map((c, i) => (this.yearMonth.get(i) ? { ...c, type: 'interval year to month' } : c));
  }
}
