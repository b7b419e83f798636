/** The schedule: the schedule events of a state machine, as the local lake runs them (rate() and cron()). */
import { ETL_STATE_MACHINE } from '../../lib/workflow/local';
import { SettingError } from '../../lib/setting-error';
import { compactionIntervalSeconds } from '../start-settings';
import awsCron from 'aws-cron-parser';
import { cronGrammarProblem } from './cron-grammar';
import type { ServiceConfigWithStateMachines, StateMachineConfig } from './config';

/**
 * rate(N minute|minutes|hour|hours|day|days) in seconds; undefined for cron() and anything else. A rate() that
 * EventBridge refuses is refused here too, with its reason, rather than read some other way: N a whole number of 1
 * or more, the unit singular for 1 and plural otherwise (`rate(1 minutes)`, `rate(5 minute)` and `rate(0 minutes)`
 * fail at deploy).
 */
export function rateSeconds(expression: string): number | undefined {
  const inner = /^rate\((.*)\)$/.exec(expression.trim())?.[1];
  if (inner === undefined) return undefined;
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(inner);
  if (!m) {
    throw new Error(
      `schedule ${expression}: a rate() expression is rate(<value> <unit>), the unit minute(s), hour(s) or day(s)`,
    );
  }
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value < 1) throw new Error(`schedule ${expression}: a rate() value is a whole number of 1 or more`);
  if ((value === 1) !== !unit.endsWith('s')) {
    throw new Error(
      `schedule ${expression}: EventBridge takes the unit singular for 1 and plural otherwise (rate(1 ${unit.replace(/s$/, '')}), rate(${value === 1 ? 5 : value} ${unit.replace(/s?$/, 's')}))`,
    );
  }
  return value * (unit.startsWith('minute') ? 60 : unit.startsWith('hour') ? 3600 : 86400);
}

/**
 * The six fields of an EventBridge cron(minutes hours day-of-month month day-of-week year), UTC, read by
 * aws-cron-parser (day-of-week 1 = Sunday, L, W, #). What EventBridge refuses is refused here too, with its reason,
 * rather than read some other way: not six fields, a field outside its grammar (./cron-grammar.ts), or neither or
 * both of day-of-month and day-of-week '?'.
 */
export function cronFields(expression: string): string | undefined {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const fields = m[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `schedule ${expression}: a cron() expression has six fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const grammar = cronGrammarProblem(fields);
  if (grammar) throw new Error(`schedule ${expression}: ${grammar}`);
  if ((fields[2] === '?') === (fields[4] === '?')) {
    throw new Error(
      `schedule ${expression}: one of day-of-month and day-of-week must be '?' (EventBridge cron expressions)`,
    );
  }
  // A bare L in day-of-week is the week's last day, Saturday (7), which aws-cron-parser cannot read alone.
  if (fields[4] === 'L') fields[4] = '7';
  const cron = fields.join(' ');
  try {
    // Its next time too: the parser throws some of its refusals only then.
    nextCronRun(cron, new Date());
  } catch (e) {
    throw new Error(`schedule ${expression}: ${(e as Error).message}`);
  }
  return cron;
}

/** Times a cron()'s next run is looked for before giving up (a day that exists in no month of its years). */
const MAX_CRON_TRIES = 1000;

/**
 * The next time of a cron() after `from`, by aws-cron-parser, on days that exist: the parser rolls a day past a
 * month's end over into the next month (day 30 of February firing on 2 March), where EventBridge fires only on the
 * dates there are, so a time that is not in the expression's months and days is passed over.
 */
function nextCronRun(cron: string, from: Date): Date | null {
  const parsed = awsCron.parse(cron);
  const plain = (list: unknown[]) => list.length > 0 && list.every((v) => typeof v === 'number');
  const months = plain(parsed.months) ? new Set(parsed.months as number[]) : undefined;
  const days = plain(parsed.daysOfMonth) ? new Set(parsed.daysOfMonth as number[]) : undefined;
  let at: Date | null = from;
  for (let i = 0; i < MAX_CRON_TRIES && at; i++) {
    at = awsCron.next(parsed, at);
    if (!at) return null;
    if ((!months || months.has(at.getUTCMonth() + 1)) && (!days || days.has(at.getUTCDate()))) return at;
  }
  return null;
}

/** Every intervalSeconds (rate(), or LAKE_COMPACTION_INTERVAL_SECONDS), or at the times of a cron(). */
export type LocalSchedule = { input: unknown; source: string } & (
  { intervalSeconds: number; cron?: undefined } | { cron: string; intervalSeconds?: undefined }
);

/** When a schedule fires next after `from` (strictly); null when a cron() has no later time (its years are past). */
export function nextRun(schedule: LocalSchedule, from: Date): Date | null {
  if (schedule.cron !== undefined) return nextCronRun(schedule.cron, from);
  return new Date(from.getTime() + schedule.intervalSeconds * 1000);
}

/**
 * The schedule events of a state machine, as the local lake runs them: the rate() or cron() from serverless.yml, or
 * LAKE_COMPACTION_INTERVAL_SECONDS (every so many seconds instead; 0 disables). Anything else is refused by name.
 */
export function localSchedules(sm: StateMachineConfig, env = process.env): LocalSchedule[] {
  const override = env.LAKE_COMPACTION_INTERVAL_SECONDS;
  const out: LocalSchedule[] = [];
  for (const ev of sm.events ?? []) {
    if (!ev.schedule) continue;
    const s = typeof ev.schedule === 'string' ? { rate: ev.schedule } : ev.schedule;
    // The expression deploys whatever replaces it here: what EventBridge refuses is refused either way.
    if (rateSeconds(s.rate) === undefined && cronFields(s.rate) === undefined) {
      throw new Error(`schedule ${s.rate}: only rate() and cron() expressions are schedules`);
    }
    if (s.enabled === false && (override === undefined || override === '')) continue;
    let seconds: number | undefined;
    let source = s.rate;
    if (override !== undefined && override !== '') {
      seconds = compactionIntervalSeconds(env)!;
      source = 'LAKE_COMPACTION_INTERVAL_SECONDS';
    } else {
      seconds = rateSeconds(s.rate);
      if (seconds === undefined) {
        const cron = cronFields(s.rate);
        if (cron === undefined) {
          throw new Error(`schedule ${s.rate}: only rate() and cron() expressions are schedules`);
        }
        out.push({ cron, input: s.input ?? {}, source: s.rate });
        continue;
      }
    }
    if (seconds > 0) out.push({ intervalSeconds: seconds, input: s.input ?? {}, source });
  }
  return out;
}

/** A name for a scheduled execution: the time it fires, to the second. */
export const scheduledExecutionName = (at: Date, prefix = 'scheduled') =>
  `${prefix}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;

/**
 * Why the ETL state machine's schedule (serverless.yml, as EventBridge reads it: local/step-functions/schedules.ts)
 * is none the local lake runs, or undefined: told at the start in one line, before the state machine runs what an
 * earlier process left requested.
 */
export function scheduleProblem(config: ServiceConfigWithStateMachines): string | undefined {
  const sm = config.stepFunctions?.stateMachines?.[ETL_STATE_MACHINE];
  if (!sm) return undefined;
  try {
    localSchedules(sm);
    return undefined;
  } catch (e) {
    if (e instanceof SettingError) return e.message;
    if (e instanceof Error && e.message.startsWith('schedule ')) return `serverless.yml: ${e.message}`;
    throw e;
  }
}
