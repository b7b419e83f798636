/**
 * The local lake's schedules (local/step-functions/schedules.ts): rate() and cron() from serverless.yml, as
 * EventBridge reads them — cron() with AWS's six fields in UTC (aws-cron-parser: day-of-week 1 = Sunday), and what
 * EventBridge refuses refused with its reason.
 */
import type { StateMachineConfig } from '../../local/step-functions/config';
import { cronFields, localSchedules, nextRun, scheduleProblem } from '../../local/step-functions/schedules';

const machine = (rate: string): StateMachineConfig => ({
  definition: { StartAt: 'x', States: { x: { Type: 'Succeed' } } } as never,
  events: [{ schedule: { rate, input: { mode: 'events' } } }],
});
const at = (iso: string) => new Date(iso);
const next = (rate: string, from: string) => {
  const [s] = localSchedules(machine(rate), {});
  return nextRun(s!, at(from))?.toISOString();
};

describe('local schedules', () => {
  it('rate(): every so many seconds after the last run', () => {
    expect(localSchedules(machine('rate(5 minutes)'), {})).toEqual([
      { intervalSeconds: 300, input: { mode: 'events' }, source: 'rate(5 minutes)' },
    ]);
    expect(next('rate(5 minutes)', '2026-01-01T00:02:00Z')).toBe('2026-01-01T00:07:00.000Z');
  });

  it('cron(): the next time its six fields allow, UTC', () => {
    expect(localSchedules(machine('cron(0/15 * * * ? *)'), {})).toEqual([
      { cron: '0/15 * * * ? *', input: { mode: 'events' }, source: 'cron(0/15 * * * ? *)' },
    ]);
    expect(next('cron(0/15 * * * ? *)', '2026-01-01T00:02:00Z')).toBe('2026-01-01T00:15:00.000Z');
    // Strictly after: the run at 00:15 is followed by the one at 00:30.
    expect(next('cron(0/15 * * * ? *)', '2026-01-01T00:15:00Z')).toBe('2026-01-01T00:30:00.000Z');
    expect(next('cron(0 12 * * ? *)', '2026-01-01T12:00:00Z')).toBe('2026-01-02T12:00:00.000Z');
  });

  it('cron(): day-of-week 1 is Sunday, as in EventBridge (2026-01-01 is a Thursday)', () => {
    expect(next('cron(0 9 ? * 1 *)', '2026-01-01T00:00:00Z')).toBe('2026-01-04T09:00:00.000Z');
    expect(next('cron(0 9 ? * MON-FRI *)', '2026-01-02T10:00:00Z')).toBe('2026-01-05T09:00:00.000Z');
    expect(next('cron(0 0 L * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
  });

  it('cron(): fires only on days that exist, as EventBridge (not day 30 of February on 2 March)', () => {
    const times = (rate: string, from: string, n: number) => {
      const [s] = localSchedules(machine(rate), {});
      const out: string[] = [];
      for (let t: Date | null = at(from); out.length < n && t;) {
        t = nextRun(s!, t);
        if (t) out.push(t.toISOString().slice(0, 10));
      }
      return out;
    };
    expect(times('cron(0 0 30 * ? *)', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-30',
      '2027-03-30',
      '2027-04-30',
    ]);
    expect(times('cron(0 0 31 * ? *)', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-31',
      '2027-03-31',
      '2027-05-31',
    ]);
    expect(times('cron(0 0 29 2 ? *)', '2027-01-01T00:00:00Z', 2)).toEqual(['2028-02-29', '2032-02-29']);
    expect(times('cron(0 0 28-31 * ? *)', '2027-02-01T00:00:00Z', 3)).toEqual([
      '2027-02-28',
      '2027-03-28',
      '2027-03-29',
    ]);
  });

  it('cron(): L alone in day-of-week is the last day of the week, Saturday; 5L the last Thursday', () => {
    expect(localSchedules(machine('cron(0 0 ? * L *)'), {})[0]).toMatchObject({ cron: '0 0 ? * 7 *' });
    expect(next('cron(0 0 ? * L *)', '2027-01-01T00:00:00Z')).toBe('2027-01-02T00:00:00.000Z');
    expect(next('cron(0 0 ? * 5L *)', '2027-01-01T00:00:00Z')).toBe('2027-01-28T00:00:00.000Z');
    // 28W from the end of January: 28 February 2027 is a Sunday, its nearest weekday in the month the 26th.
    expect(next('cron(0 0 28W * ? *)', '2027-01-29T00:00:00Z')).toBe('2027-02-26T00:00:00.000Z');
  });

  it('cron(): no later time once its years are past', () => {
    expect(next('cron(0 0 1 1 ? 2020)', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it('refuses what EventBridge refuses, saying why; nothing is scheduled', () => {
    expect(() => cronFields('cron(0 * * * *)')).toThrow(/six fields .* got 5/);
    expect(() => cronFields('cron(0 12 * * MON *)')).toThrow(
      /one of day-of-month and day-of-week must be '\?'/,
    );
    expect(() => cronFields('cron(0 12 ? * ? *)')).toThrow(/one of day-of-month and day-of-week/);
    expect(() => cronFields('cron(99 * * * ? *)')).toThrow(/99 is not between 0 and 59/);
    // The forms aws-cron-parser would read another way, or fail on with its own internal errors.
    expect(() => cronFields('cron(0 0 ? * 3#1,6#3 *)')).toThrow(
      /'3#1' stands alone in the day-of-week field/,
    );
    expect(() => cronFields('cron(0 0 1-L * ? *)')).toThrow(
      /'1-L' is not a value, a range, \* or an increment/,
    );
    expect(() => cronFields('cron(0 0 ? * FRIDAY *)')).toThrow(/'FRIDAY' is not a value/);
    expect(() => cronFields('cron(0 0 ? * 5#6 *)')).toThrow(/its instance in the month \(1-5\)/);
    expect(() => cronFields('cron(0 0 ? * SAT-SUN *)')).toThrow(
      /the range 'SAT-SUN' wraps around, which the local engine cannot read: list its two parts instead \(SAT-SAT,SUN-SUN\)/,
    );
    expect(() => cronFields('cron(0 22-2 * * ? *)')).toThrow(/the range '22-2' wraps around/);
    expect(() => cronFields('cron(0 0 LW * ? *)')).toThrow(/cannot read 'LW'/);
    // aws-cron-parser fails on 29W-31W from a month without that day ("getDaysOfMonthForW - should not happen"):
    // accepted on some days of the year, the schedule's timer threw later. Refused whatever the day.
    for (const n of [29, 30, 31])
      expect(() => cronFields(`cron(0 0 ${n}W * ? *)`)).toThrow(
        new RegExp(`cannot read '${n}W' .*use a day up to 28 with W, or L`),
      );
    expect(() => cronFields('cron(0 0 0W * ? *)')).toThrow(/0 is not between 1 and 31/);
    expect(() => cronFields('cron(0 0 32W * ? *)')).toThrow(/32 is not between 1 and 31/);
    // EventBridge's day-of-week field takes `, - * ? L #`: no increment.
    expect(() => cronFields('cron(0 0 ? * */2 *)')).toThrow(/day-of-week field takes no increment/);
    expect(() => cronFields('cron(0 0 ? * 2-6/2 *)')).toThrow(/day-of-week field takes no increment/);
    expect(() => cronFields('cron(0 0 */2 * ? *)')).not.toThrow();
    expect(() => cronFields('cron(0 0 1,15 * ? *)')).not.toThrow();
    expect(() => cronFields('cron(0/5 8-17 ? JAN-MAR MON-FRI 2026-2030)')).not.toThrow();
    expect(() => cronFields('cron(0 0 15W * ? *)')).not.toThrow();
    expect(() => cronFields('cron(0 0 ? * 6#2 *)')).not.toThrow();
    // rate(): a whole number of 1 or more, the unit singular for 1 and plural otherwise (EventBridge's PutRule).
    expect(() => localSchedules(machine('rate(1 minutes)'), {})).toThrow(
      /singular for 1 and plural otherwise/,
    );
    expect(() => localSchedules(machine('rate(5 minute)'), {})).toThrow(
      /singular for 1 and plural otherwise/,
    );
    expect(() => localSchedules(machine('rate(0 minutes)'), {})).toThrow(/a whole number of 1 or more/);
    expect(() => localSchedules(machine('rate(5 weeks)'), {})).toThrow(/minute\(s\), hour\(s\) or day\(s\)/);
    expect(localSchedules(machine('rate(1 day)'), {})[0]).toMatchObject({ intervalSeconds: 86400 });
    expect(() => localSchedules(machine('at(2026-01-01T00:00:00)'), {})).toThrow(
      /only rate\(\) and cron\(\) expressions/,
    );
  });

  it('LAKE_COMPACTION_INTERVAL_SECONDS does not hide an expression EventBridge refuses (it deploys as written)', () => {
    expect(() =>
      localSchedules(machine('rate(1 minutes)'), { LAKE_COMPACTION_INTERVAL_SECONDS: '30' }),
    ).toThrow(/singular for 1 and plural otherwise/);
    expect(() =>
      localSchedules(machine('cron(0 * * * *)'), { LAKE_COMPACTION_INTERVAL_SECONDS: '30' }),
    ).toThrow(/six fields/);
  });

  it('LAKE_COMPACTION_INTERVAL_SECONDS replaces either (0 disables)', () => {
    expect(localSchedules(machine('cron(0 * * * ? *)'), { LAKE_COMPACTION_INTERVAL_SECONDS: '30' })).toEqual([
      { intervalSeconds: 30, input: { mode: 'events' }, source: 'LAKE_COMPACTION_INTERVAL_SECONDS' },
    ]);
    expect(localSchedules(machine('cron(0 * * * ? *)'), { LAKE_COMPACTION_INTERVAL_SECONDS: '0' })).toEqual(
      [],
    );
  });

  it("npm start's refusal of a schedule EventBridge would refuse: one line naming serverless.yml, no stack", () => {
    const config = (rate: string) =>
      ({
        service: 'x',
        provider: { name: 'aws' },
        stepFunctions: { stateMachines: { etl: machine(rate) } },
      }) as never;
    expect(scheduleProblem(config('rate(5 minutes)'))).toBeUndefined();
    expect(scheduleProblem(config('rate(1 minutes)'))).toMatch(
      /^serverless\.yml: schedule rate\(1 minutes\): EventBridge takes the unit singular for 1 and plural otherwise/,
    );
    expect(scheduleProblem({ service: 'x', provider: { name: 'aws' } } as never)).toBeUndefined();
  });
});
