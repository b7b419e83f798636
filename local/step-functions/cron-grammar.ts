/**
 * The grammar of an EventBridge cron() field, checked before aws-cron-parser reads the expression: the parser takes
 * some forms EventBridge refuses, or reads them another way, without a word (`3#1,6#3` kept as the first Tuesday
 * only, `1-L` as the day before the last), and fails on others with its own internal errors. Each field takes what
 * EventBridge's cron reference lists for it (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
 *   minutes 0-59, hours 0-23, month 1-12 or JAN-DEC, year 1970-2199: values, ranges, * and increments (/), in lists;
 *   day-of-month 1-31 also ?, L and nW; day-of-week 1-7 or SUN-SAT: values, ranges and *, in lists, or ?, L, nL and
 *   one n#k, alone — no increments (the reference lists `, - * ? L #` for it).
 * The local engine refuses LW and 29W-31W: aws-cron-parser does not take LW, and fails on nW from a month that has
 * no day n (29W from late January).
 * A range whose end comes before its start (SAT-SUN, 22-2) is refused too: the parser cannot read one.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

/** A value of the field (a number, or a three-letter name where the field has names), or undefined. */
function valueOf(f: Field, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + 1 : undefined;
}

/** Why one item of a field's list is not EventBridge's, or undefined when it is. */
function itemProblem(f: Field, item: string, alone: boolean): string | undefined {
  const day = f.name === 'day-of-week';
  if (item === '*') return undefined;
  const single =
    item === '?' ||
    item === 'L' ||
    (day && item.includes('#')) ||
    (f.name === 'day-of-month' && item.endsWith('W'));
  if (single && !alone) return `'${item}' stands alone in the ${f.name} field, not in a list`;
  if (f.name === 'day-of-month' && item === 'LW')
    return `the local engine cannot read 'LW' (the month's last weekday; aws-cron-parser does not take it): use L or nW`;
  if (item === '?')
    return f.name === 'day-of-month' || day ? undefined : `'?' is for day-of-month or day-of-week`;
  if (item === 'L')
    return f.name === 'day-of-month' || day ? undefined : `'L' is for day-of-month or day-of-week`;
  if (f.name === 'day-of-month' && /^\d+W$/.test(item)) {
    const n = Number(item.slice(0, -1));
    if (n < 1 || n > 31) return `${n} is not between 1 and 31 (day-of-month)`;
    if (n > 28)
      return (
        `the local engine cannot read '${item}' (the weekday nearest day ${n}; aws-cron-parser fails in a month ` +
        `without day ${n}): use a day up to 28 with W, or L`
      );
    return undefined;
  }
  if (day && /^\w+L$/.test(item) && valueOf(f, item.slice(0, -1)) !== undefined) return undefined;
  if (day && /^\w+#\d$/.test(item)) {
    const [d, n] = item.split('#');
    if (valueOf(f, d!) !== undefined && Number(n) >= 1 && Number(n) <= 5) return undefined;
    return `'${item}': a day of the week (1-7 or SUN-SAT), '#', then its instance in the month (1-5)`;
  }
  if (day && item.includes('/'))
    return `'${item}': the day-of-week field takes no increment (/): list the days instead (e.g. 2,4,6)`;
  const [range, step, more] = item.split('/');
  if (more !== undefined || (step !== undefined && !/^\d+$/.test(step)))
    return `'${item}': an increment is <start or range>/<number>`;
  if (range === '*') return undefined;
  const ends = range!.split('-');
  if (ends.length > 2) return `'${item}' is not a value, a range, * or an increment`;
  const values = ends.map((e) => valueOf(f, e));
  if (values.some((v) => v === undefined))
    return `'${item}' is not a value, a range, * or an increment of the ${f.name} field (${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names.at(-1)}` : ''})`;
  for (const v of values)
    if (v! < f.min || v! > f.max) return `${v} is not between ${f.min} and ${f.max} (${f.name})`;
  if (values.length === 2 && values[1]! < values[0]!)
    return `the range '${range}' wraps around, which the local engine cannot read: list its two parts instead (${ends[0]}-${f.names?.at(-1) ?? f.max},${f.names?.[0] ?? f.min}-${ends[1]})`;
  return undefined;
}

/** Why the six fields are not an EventBridge cron expression, or undefined when they are. */
export function cronGrammarProblem(fields: string[]): string | undefined {
  for (let i = 0; i < FIELDS.length; i++) {
    const f = FIELDS[i]!;
    const items = fields[i]!.split(',');
    if (items.some((it) => it === '')) return `the ${f.name} field '${fields[i]}' has an empty item`;
    for (const item of items) {
      const problem = itemProblem(f, item, items.length === 1);
      if (problem) return problem;
    }
  }
  return undefined;
}
