/**
 * Realistic ingest request bodies: {"events": [...]} with a mix of page_view, order_placed and signup events that
 * pass schemas/events/*.json. Generated from a fixed seed, so every run posts the same bytes.
 */

import { prng } from '../lib/faults';

/** mulberry32: a small deterministic PRNG (lib/faults.ts). */
export { prng };

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];
export const CATEGORIES = ['shoes', 'jackets', 'bags', 'accessories', 'kids', 'sale', 'new-in', 'outdoor'];
export const WORDS = [
  'trail',
  'runner',
  'classic',
  'linen',
  'wool',
  'canvas',
  'leather',
  'summer',
  'city',
  'alpine',
  'rain',
];
export const REFERRERS = [
  'https://www.google.com/search?q=',
  'https://www.bing.com/search?q=',
  'https://duckduckgo.com/?q=',
  'https://newsletter.shop.example/campaign/',
  'https://www.instagram.com/p/',
];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK'];
export const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'SE', 'ES', 'IT', 'CH', 'PL'];
const PLANS = ['free', 'pro', 'enterprise'] as const;

export interface BodySet {
  bodies: Buffer[];
  eventsPerBody: number;
  sizes: { min: number; max: number; mean: number };
  mix: Record<string, number>;
}

/** `count` distinct bodies of `eventsPerBody` events each. */
export function generateBodies(count = 8, eventsPerBody = 100, seed = 20240601): BodySet {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const slug = () => `${pick(WORDS)}-${pick(WORDS)}-${int(100, 999)}`;
  const now = Date.now();
  const mix: Record<string, number> = {};

  const pageView = () => {
    const category = pick(CATEGORIES);
    const data: Record<string, unknown> = {
      session_id: `sess-${hex(16)}`,
      url: `https://shop.example/${category}/${slug()}?utm_source=${pick(['google', 'newsletter', 'instagram'])}`,
    };
    if (rnd() < 0.55) data.user_id = `user-${int(1, 250_000)}`;
    if (rnd() < 0.4) data.referrer = pick(REFERRERS) + encodeURIComponent(`${pick(WORDS)} ${category}`);
    if (rnd() < 0.5) data.title = `${pick(WORDS)} ${pick(WORDS)} ${category} | Shop Example`;
    if (rnd() < 0.5) data.user_agent = pick(USER_AGENTS);
    if (rnd() < 0.7) data.duration_ms = int(200, 120_000);
    data.viewport = {
      width: pick([390, 412, 768, 1280, 1440, 1920]),
      height: pick([844, 915, 1024, 800, 900, 1080]),
    };
    return data;
  };
  const orderPlaced = () => {
    const items = Array.from({ length: int(1, 4) }, () => ({
      sku: `SKU-${int(10000, 99999)}-${pick(['S', 'M', 'L', 'XL'])}`,
      quantity: int(1, 3),
      unit_price: int(500, 25_000) / 100,
    }));
    const total = Math.round(items.reduce((s, i) => s + i.quantity * i.unit_price, 0) * 100) / 100;
    const data: Record<string, unknown> = {
      order_id: `ord-${hex(12)}`,
      customer_id: `user-${int(1, 250_000)}`,
      currency: pick(CURRENCIES),
      total,
      items,
    };
    if (rnd() < 0.2) data.coupon = `SUMMER${int(10, 30)}`;
    return data;
  };
  const signup = () => {
    const user = int(1, 250_000);
    const data: Record<string, unknown> = {
      user_id: `user-${user}`,
      email: `${pick(WORDS)}.${pick(WORDS)}${user}@example.com`,
      plan: pick(PLANS),
    };
    if (rnd() < 0.8) data.country = pick(COUNTRIES);
    if (rnd() < 0.7) data.marketing_opt_in = rnd() < 0.4;
    if (rnd() < 0.15) data.referral_code = `REF${hex(6).toUpperCase()}`;
    return data;
  };

  const event = () => {
    const r = rnd();
    const [type, data] =
      r < 0.65
        ? ['page_view', pageView()]
        : r < 0.87
          ? ['order_placed', orderPlaced()]
          : ['signup', signup()];
    mix[type] = (mix[type] ?? 0) + 1;
    // Happened up to an hour ago (producers batch and send late).
    return { type, occurred_at: new Date(now - int(0, 3_600_000)).toISOString(), data };
  };

  const bodies = Array.from({ length: count }, () =>
    Buffer.from(JSON.stringify({ events: Array.from({ length: eventsPerBody }, event) }), 'utf8'),
  );
  const lengths = bodies.map((b) => b.length);
  return {
    bodies,
    eventsPerBody,
    sizes: {
      min: Math.min(...lengths),
      max: Math.max(...lengths),
      mean: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    },
    mix,
  };
}
