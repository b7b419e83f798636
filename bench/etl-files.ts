/**
 * The ETL bench's input files (bench/etl.ts): an orders CSV and a customers JSON-lines file of the given number of
 * rows, spread over 90 days (90 partitions), a few optional fields empty or absent; the same rows for the same count
 * (seeded generators).
 */
import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { prng } from './events';

async function writeLines(
  file: string,
  header: string,
  count: number,
  line: (i: number) => string,
): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let chunk: string[] = header ? [header] : [];
  const flush = async () => {
    const ok = out.write(chunk.join(''));
    chunk = [];
    if (!ok) await once(out, 'drain');
  };
  for (let i = 0; i < count; i++) {
    chunk.push(line(i));
    if (chunk.length === 10_000) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return (await fs.stat(file)).size;
}

const STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK'];
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'SE', 'ES', 'IT', 'CH', 'PL'];
const SEGMENTS = ['consumer', 'business', 'vip'];
const FIRST = ['anna', 'ben', 'carla', 'david', 'eva', 'felix', 'greta', 'hugo', 'ines', 'jonas'];
const LAST = ['meyer', 'schmidt', 'dubois', 'smith', 'jansen', 'berg', 'garcia', 'rossi', 'keller', 'nowak'];
const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

const iso = (ms: number) => new Date(ms).toISOString();

/** Orders CSV: 90 days of orders (90 partitions), a few optional fields empty. */
export function ordersFile(file: string, rows: number): Promise<number> {
  const rnd = prng(7);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const header = 'order_id,customer_id,order_date,status,amount,currency,item_count,coupon,updated_at\n';
  return writeLines(file, header, rows, (i) => {
    const placed = BASE + int(0, 89) * DAY + int(0, DAY - 1);
    const coupon = rnd() < 0.15 ? `SPRING${int(10, 30)}` : '';
    return (
      `ord-${String(i).padStart(8, '0')},cust-${int(1, 200_000)},${iso(placed).slice(0, 10)},` +
      `${STATUSES[int(0, 5)]},${(int(100, 500_000) / 100).toFixed(2)},${CURRENCIES[int(0, 4)]},${int(1, 12)},` +
      `${coupon},${iso(placed + int(0, 3 * DAY))}\n`
    );
  });
}

/** Customers JSON lines: created over 90 days (90 partitions), some optional fields absent. */
export function customersFile(file: string, rows: number): Promise<number> {
  const rnd = prng(11);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  return writeLines(file, '', rows, (i) => {
    const created = BASE + int(0, 89) * DAY + int(0, DAY - 1);
    const first = FIRST[int(0, 9)]!;
    const last = LAST[int(0, 9)]!;
    const c: Record<string, unknown> = {
      customer_id: `cust-${String(i).padStart(8, '0')}`,
      email: `${first}.${last}${i}@example.com`,
      name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
    };
    if (rnd() < 0.9) c.country = COUNTRIES[int(0, 9)];
    if (rnd() < 0.8) c.segment = SEGMENTS[int(0, 2)];
    if (rnd() < 0.7) c.marketing_opt_in = rnd() < 0.4;
    c.lifetime_value = int(0, 2_000_000) / 100;
    c.created_at = iso(created);
    c.updated_at = iso(created + int(0, 30 * DAY));
    return JSON.stringify(c) + '\n';
  });
}
