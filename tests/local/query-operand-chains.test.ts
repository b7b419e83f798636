/**
 * Long chains of operators (a + b + …, a || b || …, CASE … ELSE CASE …) through the local engine's check of mixed
 * operand types (lib/query/duckdb/mixed-operands.ts): bound in bands of levels, each band through placeholders of
 * the types of the one below, so that a chain of 300 no longer binds each of its 300 operands whole (minutes, the
 * lake's query connections held). The refusals hold at every depth, and the answers are the chain's.
 */
import { promises as fs } from 'node:fs';
import { lakeTables } from '../../lib/catalog/tables';
import type { DuckDbQueryEngine } from '../../lib/query/duckdb';
import { checkQuery } from '../../lib/query/sql-guard';
import type { QueryStatus } from '../../lib/query/types';
import { tempLake } from '../support/raw-zone';
import { openTestQueryEngine, TEST_DATABASE } from '../support/query-engine';

const tables = lakeTables();
let lake: string;
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  lake = await tempLake('operand-chains');
  engine = await openTestQueryEngine(lake, tables);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await fs.rm(lake, { recursive: true, force: true });
});

async function run(sql: string): Promise<QueryStatus> {
  const checked = checkQuery(sql, {
    database: TEST_DATABASE,
    tables: tables.map((t) => t.name),
    maxBytes: 262_144,
  });
  const started = await engine.start(checked);
  return (await engine.wait(started.id, 120_000))!;
}

async function value(sql: string): Promise<unknown> {
  const s = await run(sql);
  expect([s.state, s.reason]).toEqual(['SUCCEEDED', undefined]);
  return (await engine.results(s.id, { maxRows: 10 })).rows[0]?.[0];
}

const chain = (terms: string[], op: string) => terms.join(` ${op} `);
const ones = (n: number) => Array<string>(n).fill('1');
/** CASE nested `depth` deep: results[i] at level i (0 outermost), the innermost ELSE last. */
const nestedCase = (results: string[], innermostElse: string) =>
  results.map((r) => `CASE WHEN random() < 2 THEN ${r} ELSE `).join('') +
  innermostElse +
  ' END'.repeat(results.length);

describe('mixed operand types in long chains, as Athena refuses them', () => {
  const xs = (n: number) => Array<string>(n).fill('x');
  const doubles = 'FROM (VALUES (CAST(2.5 AS double))) AS t(x)';
  const integers = 'FROM (VALUES (1), (2)) AS t(x)';
  it.each([
    [
      'at the end of 40 terms',
      `${chain([...xs(40), "'1'"], '+')} ${doubles}`,
      /^Cannot apply operator: double \+ varchar/,
    ],
    [
      'at the start of 40 terms',
      `${chain(["'1'", ...xs(40)], '+')} ${doubles}`,
      /^Cannot apply operator: varchar \+ double/,
    ],
    [
      'in the middle of 40 terms (a band above the first)',
      `${chain([...xs(20), "'1'", ...xs(19)], '+')} ${doubles}`,
      /^Cannot apply operator: double \+ varchar/,
    ],
    [
      'of decimals 30 deep (through 3 bands: the type of each band from the one below)',
      chain([...Array<string>(30).fill('CAST(1.5 AS decimal(10,2))'), "'x'"], '+'),
      /^Cannot apply operator: decimal\(18,2\) \+ varchar/,
    ],
    [
      'a number before 40 texts',
      chain(['1', ...Array<string>(40).fill("'a'")], '||'),
      /^Unexpected parameters \(integer, varchar\) for function concat/,
    ],
    [
      'in a CASE 30 deep whose innermost results mix',
      `${nestedCase(xs(30), "'x'")} ${integers}`,
      /^All CASE results must be the same type \(here integer, varchar\)/,
    ],
    [
      'in a CASE whose outermost result is text and the 20 CASEs below it give numbers',
      `${nestedCase(["'small'", ...xs(20)], 'x')} ${integers}`,
      /^All CASE results must be the same type \(here varchar, integer\)/,
    ],
  ])('refuses operands of mixed types %s', async (_what, expression, reason) => {
    const s = await run(`SELECT ${expression}`);
    expect([s.state, s.reason]).toEqual(['FAILED', expect.stringMatching(reason)]);
  });

  it('answers chains of 300 operators with their value', async () => {
    expect(await value(`SELECT ${chain(ones(300), '+')} AS v`)).toBe(300);
    expect(await value(`SELECT ${chain(Array<string>(300).fill("'ab'"), '||')} AS v`)).toBe('ab'.repeat(300));
    expect(await value(`SELECT ${nestedCase(Array<string>(300).fill("'a'"), "'b'")} AS v`)).toBe('a');
    expect(
      await value(
        `SELECT ${chain([...Array<string>(100).fill('CAST(0.25 AS decimal(10,2))'), '0'], '+')} AS v`,
      ),
    ).toBe('25.00');
  }, 120_000);
});
