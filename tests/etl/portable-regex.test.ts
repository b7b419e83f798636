/**
 * One meaning for every regular expression of the ETL plans, checked in the three real engines: ECMAScript (ajv at
 * ingest and in validateUpload), RE2 (DuckDB, the local runner) and java.util.regex `find()` (Spark's regexp_like,
 * the Glue job). Every pattern the plans generate from schemas/ and a corpus of constructs are run over inputs
 * chosen where the dialects differ (trailing line terminators, Unicode line and space characters, non-ASCII digits).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { fullFormats } from 'ajv-formats/dist/formats';
import { lakeTables } from '../../lib/catalog/tables';
import { buildPlan, DUCKDB_PRELUDE } from '../../lib/etl/plan';
import { ETL_FORMATS } from '../../lib/etl/other-rule-checks';
import {
  PatternError,
  portablePattern,
  REPEATED_GROUP_MAX_CHARS,
  repeatsGroup,
} from '../../lib/etl/portable-regex';
import {
  DATE_PATTERN,
  DECIMAL_PATTERN,
  DOUBLE_PATTERN,
  INTEGER_PATTERN,
  UTC_TIMESTAMP_RE,
  decimalScalePattern,
} from '../../lib/etl/value-patterns';
import { javaAvailable, javaFind } from '../support/java-regex';

const withJava = javaAvailable() ? it : it.skip;
if (!javaAvailable()) console.warn('no JDK: the java.util.regex comparisons are skipped');

let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await db.connect();
  for (const s of DUCKDB_PRELUDE) await conn.run(s);
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

/** The schemas' patterns, and the value patterns every plan uses. */
const schemaPatterns = () => [
  ...new Set(
    lakeTables()
      .flatMap((t) => t.columns)
      .flatMap((c) => (c.pattern ? [c.pattern] : [])),
  ),
];
const CORPUS = [
  DATE_PATTERN,
  UTC_TIMESTAMP_RE,
  INTEGER_PATTERN,
  DECIMAL_PATTERN,
  decimalScalePattern(0),
  decimalScalePattern(2),
  DOUBLE_PATTERN,
  '^[A-Z]{3}$',
  'a.c',
  '^.*$',
  '\\s+',
  '^\\S+$',
  '^\\d+$',
  '^\\w+$',
  '[\\w.-]+@[\\w-]+',
  '^[^,]*$',
  'x|y$',
  '^(?<cur>[A-Z]{2})[0-9]?$',
  '^(?:ab)+?$',
  '^\\p{Lu}\\p{Ll}*$',
  '^[\\p{L}\\d ]+$',
  '^\\u00e9t\\u00e9$',
  '^[\\u2028]$',
  '^\\x41\\t\\n$',
  '^[a-c\\]\\[&&]+$',
  '\\$\\^\\.\\|\\?\\*\\+\\(\\)\\{\\}',
  '^[^]$',
  '^a{2,}$',
  '^-?[1-9]\\d{0,2}(,\\d{3})*$',
  ...Object.values(ETL_FORMATS).map((f) => f.pattern),
];
const INPUTS = [
  '',
  'USD',
  'USD\n',
  'USD\r\n',
  'USD\u2028',
  'USD\u0085',
  'usd',
  '123',
  '123\n',
  '-42',
  '١٢٣',
  '12.5',
  '1e10',
  '2024-01-02',
  '2024-01-02\n',
  '2024-01-02T10:00:00Z',
  '2024-01-02T10:00:00Z\n',
  'abc',
  'a\nc',
  'a\rc',
  'a\u2028c',
  'a\u0085c',
  ' ',
  '\u00a0',
  '\u3000',
  '\u000b',
  'x\n',
  'ada@example.com',
  'été',
  'Éa',
  'Zoë',
  'A\t\n',
  'ab]&[',
  '$^.|?*+(){}',
  '\n',
  'aa',
  '1,234,567',
  '9223372036854775807',
  '-9223372036854775808',
  '0012.50',
  '12.500',
  '12.505',
  '12.',
  '.5',
  '-0.00',
  '1.5e2',
  '🙂',
  'SE',
  'SE1',
  // The formats the ETL checks (lib/etl/other-rule-checks.ts).
  "o'neil+x@Example.co",
  'a@b',
  'a..b@c.d',
  'ADA@EXAMPLE.COM\n',
  'urn:uuid:123E4567-e89b-12d3-a456-426614174000',
  '123e4567-e89b-12d3-a456-42661417400',
  '192.168.0.255',
  '256.1.1.1',
  '01.2.3.4',
];

async function duckdbFind(pairs: [string, string][]): Promise<boolean[]> {
  const values = pairs
    .map(([p, s], i) => `(${i}, '${p.replace(/'/g, "''")}', '${s.replace(/'/g, "''")}')`)
    .join(',\n');
  const r = await conn.runAndReadAll(
    `SELECT i, regexp_like(s, p) AS m FROM (VALUES ${values}) t(i, p, s) ORDER BY i`,
  );
  return r.getRowObjectsJS().map((row) => row.m as boolean);
}

const cases = () => {
  const patterns = [...new Set([...CORPUS, ...schemaPatterns()])];
  return patterns.flatMap((p) => INPUTS.map((s) => ({ p, s, portable: portablePattern(p) })));
};

describe('portable regular expressions (ECMAScript → RE2 and java.util.regex)', () => {
  it('covers every pattern the plans generate from schemas/', () => {
    const sql = lakeTables()
      .map((t) => buildPlan(t).typedSql)
      .join('\n');
    for (const p of schemaPatterns()) expect(sql).toContain(`'${portablePattern(p)}'`);
    // The plans carry no `$` anchor any more: its Java meaning differs.
    expect(sql).not.toMatch(/regexp_like\([^)]*\$'/);
  });

  it('DuckDB (RE2) finds exactly what ECMAScript finds, for every pattern and input', async () => {
    const all = cases();
    const duck = await duckdbFind(all.map((c) => [c.portable, c.s]));
    const differ = all.filter((c, i) => duck[i] !== new RegExp(c.p, 'u').test(c.s));
    expect(differ.map(({ p, s, portable }) => ({ p, s, portable }))).toEqual([]);
  });

  withJava('java.util.regex (Spark) finds exactly what ECMAScript finds, for every pattern and input', () => {
    const all = cases();
    const java = javaFind(all.map((c) => [c.portable, c.s]));
    const differ = all
      .map((c, i) => ({ ...c, java: java[i] }))
      .filter((c) => c.java !== new RegExp(c.p, 'u').test(c.s));
    expect(differ.map(({ p, s, portable, java }) => ({ p, s, portable, java: String(java) }))).toEqual([]);
  });

  withJava(
    "without the translation, Java's `$` takes a trailing newline (what the plans used to hand Spark)",
    () => {
      const [usd, num, date] = javaFind([
        ['^[A-Z]{3}$', 'USD\n'],
        [INTEGER_PATTERN, '123\n'],
        [DATE_PATTERN, '2024-01-02\n'],
      ]);
      expect([usd, num, date]).toEqual([true, true, true]);
      expect(new RegExp('^[A-Z]{3}$', 'u').test('USD\n')).toBe(false);
    },
  );

  it("writes ajv-formats' email, uuid and ipv4 (the `i` flag's cases spelled out): the same answers", () => {
    const inputs = [...INPUTS, 'A@B.C', 'x@y', 'URN:UUID:123e4567-e89b-12d3-a456-426614174000', '0.0.0.0'];
    for (const [name, f] of Object.entries(ETL_FORMATS)) {
      const ajv = fullFormats[name as keyof typeof fullFormats] as RegExp;
      const differ = inputs.filter((s) => new RegExp(f.pattern, 'u').test(s) !== ajv.test(s));
      expect([name, differ]).toEqual([name, []]);
    }
  });

  it('refuses what cannot mean the same in the ETL engines, naming the construct', () => {
    const refused: [string, RegExp][] = [
      ['^(?=a)a$', /lookahead.*RE2/],
      ['(?<!a)b', /lookbehind/],
      ['(a)\\1', /backreference/],
      ['\\bword\\b', /word boundary/],
      ['^\\p{Script=Greek}+$', /general categories/],
      ['[\\D]', /inside a character class/],
      ['^a{1001}$', /repeat count above 1000/],
      ['(', /not a valid regular expression/],
    ];
    for (const [p, why] of refused) {
      expect(() => portablePattern(p)).toThrow(PatternError);
      expect(() => portablePattern(p)).toThrow(why);
    }
  });

  it('refuses such a pattern in a schema when the plan is built, naming the table and the column', () => {
    const orders = lakeTables().find((t) => t.name === 'orders')!;
    const broken = {
      ...orders,
      columns: orders.columns.map((c) => (c.name === 'currency' ? { ...c, pattern: '^(?=[A-Z])...$' } : c)),
    };
    expect(() => buildPlan(broken)).toThrow(/column currency: a lookahead assertion/);
  });

  it('tells the patterns that repeat a group (tested on at most REPEATED_GROUP_MAX_CHARS characters) from the others', () => {
    const repeats = (p: string) => repeatsGroup(p);
    expect(
      [
        '^[a-z0-9]+(-[a-z0-9]+)*$',
        '^(a|b)*$',
        '(ab){300}',
        '^(?:x(?:y)+)?$',
        '^(?:(?:ab){1,100}){1,100}$',
        ETL_FORMATS.email!.pattern,
      ].map(repeats),
    ).toEqual([true, true, true, true, true, true]);
    expect(
      [
        '^[A-Z]{3}$',
        '^[a-z]+$',
        '^(?:ab){1,3}$',
        '^(?:[0-9a-f]{2}){128}$',
        '^.*$',
        ETL_FORMATS.uuid!.pattern,
        ETL_FORMATS.ipv4!.pattern,
      ].map(repeats),
    ).toEqual([false, false, false, false, false, false, false]);
  });

  withJava(
    'java.util.regex (Spark) tests a value as long as the limit against a pattern repeating a group within its stack',
    () => {
      const n = REPEATED_GROUP_MAX_CHARS;
      const email = `${'a.'.repeat(Math.floor((n - 13) / 2))}a@example.com`;
      const cases: [string, string][] = [
        [ETL_FORMATS.email!.pattern, email],
        ['^(?:(?:(?:(?:a|b)|c)|d)|e)*$', 'a'.repeat(n)],
        ['^[a-z0-9]+(-[a-z0-9]+)*$', `a${'-a'.repeat((n - 1) / 2)}`.slice(0, n)],
        ['^(a|ab)*c$', 'a'.repeat(n)],
      ];
      for (const [, s] of cases) expect(s.length).toBeGreaterThanOrEqual(n - 1);
      const java = javaFind(cases.map(([p, s]) => [portablePattern(p), s]));
      expect(java).toEqual(cases.map(([p, s]) => new RegExp(p, 'u').test(s)));
    },
  );
});
