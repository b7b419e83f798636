/**
 * The ETL's checks of a column's other rules (lib/catalog/other-rules.ts: the keywords its property has beside enum,
 * pattern, the lengths and the bounds), where both engines can test them as ajv does at ingest and in the upload
 * check's sample: exclusiveMinimum and exclusiveMaximum (numbers), const (a scalar), multipleOf (an integer column,
 * by an integer), and the formats email, uuid and ipv4 (ajv-formats' full regular expressions, case spelled out).
 * The other keywords — other formats, multipleOf of a double, the rules inside a JSON column, the applicators — are
 * checked on the upload's sample only (README: Drop files); every event is checked at ingest.
 */
import type { ColumnDef } from '../catalog/tables';
import { isIntegerType, isNumericType } from '../catalog/lake-types';
import { patternProblems } from './pattern-problems';
import { portablePattern } from './portable-regex';

/** ajv-formats' full formats (lib/validators/formats.ts) as ECMAScript patterns without the `i` flag, and what a value failing one is not. */
export const ETL_FORMATS: Record<string, { pattern: string; not: string }> = {
  email: {
    pattern:
      "^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*@" +
      '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$',
    not: 'an email address',
  },
  uuid: {
    pattern: '^(?:[uU][rR][nN]:[uU][uU][iI][dD]:)?[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$',
    not: 'a UUID',
  },
  ipv4: {
    pattern: '^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$',
    not: 'an IPv4 address',
  },
};

type Literal = (value: string | number | boolean, where: string) => string;

/**
 * Conditions that reject a row for the column's other rules, with their reasons, over its raw text `raw` and typed
 * value `typed` (as ./column-rules.ts's problems). `literal` writes a value as both engines read it.
 */
export function otherRuleProblems(
  c: ColumnDef,
  raw: string,
  typed: string,
  literal: Literal,
): [condition: string, reason: string][] {
  if (c.otherRules === undefined || c.json) return [];
  const rules = JSON.parse(c.otherRules) as Record<string, unknown>;
  const where = `column ${c.name}`;
  const problems: [string, string][] = [];
  const number = (k: string) => (typeof rules[k] === 'number' ? (rules[k] as number) : undefined);
  if (isNumericType(c.type)) {
    const low = number('exclusiveMinimum');
    if (low !== undefined) problems.push([`${typed} <= ${literal(low, where)}`, `not greater than ${low}`]);
    const high = number('exclusiveMaximum');
    if (high !== undefined) problems.push([`${typed} >= ${literal(high, where)}`, `not less than ${high}`]);
  }
  const step = number('multipleOf');
  if (step !== undefined && isIntegerType(c.type) && Number.isInteger(step))
    problems.push([`${typed} % ${literal(step, where)} <> 0`, `not a multiple of ${step}`]);
  const only = rules.const;
  if (typeof only === 'string' && c.type === 'string')
    problems.push([`${raw} <> ${literal(only, where)}`, `not ${JSON.stringify(only)}`]);
  else if (
    (typeof only === 'number' && isNumericType(c.type)) ||
    (typeof only === 'boolean' && c.type === 'boolean')
  )
    problems.push([`${typed} <> ${literal(only, where)}`, `not ${String(only)}`]);
  const format = typeof rules.format === 'string' ? ETL_FORMATS[rules.format] : undefined;
  if (format !== undefined && c.type === 'string')
    problems.push(
      ...patternProblems(
        c,
        raw,
        literal(portablePattern(format.pattern), where),
        format.pattern,
        `not ${format.not} (format ${String(rules.format)})`,
        `format ${String(rules.format)}`,
      ),
    );
  return problems;
}
