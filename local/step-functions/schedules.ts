/** The schedule: the schedule events of a state machine, as the local lake runs them (rate() and cron()). */
import awsCron from 'aws-cron-parser';
import type { StateMachineConfig } from './config';

/** rate(N minute|minutes|hour|hours|day|days) in seconds; undefined for cron() and anything else. */
export function rateSeconds(expression: string): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60 : m[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(m[1]) * unit;
}

/**
 * The six fields of an EventBridge cron(minutes hours day-of-month month day-of-week year), UTC, read by
 * aws-cron-parser (day-of-week 1 = Sunday, L, W, #). What EventBridge refuses is refused here too, with its reason,
 * rather than read some other way: not six fields, or neither or both of day-of-month and day-of-week '?'.
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
  if ((fields[2] === '?') === (fields[4] === '?')) {
    throw new Error(
      `schedule ${expression}: one of day-of-month and day-of-week must be '?' (EventBridge cron expressions)`,
    );
  }
  try {
    awsCron.parse(fields.join(' '));
  } catch (e) {
    throw new Error(`schedule ${expression}: ${(e as Error).message}`);
  }
  return fields.join(' ');
}

/** Every intervalSeconds (rate(), or LAKE_COMPACTION_INTERVAL_SECONDS), or at the times of a cron(). */
export type LocalSchedule = { input: unknown; source: string } & (
  { intervalSeconds: number; cron?: undefined } | { cron: string; intervalSeconds?: undefined }
);

/** When a schedule fires next after `from` (strictly); null when a cron() has no later time (its years are past). */
export function nextRun(schedule: LocalSchedule, from: Date): Date | null {
  if (schedule.cron !== undefined) return awsCron.next(awsCron.parse(schedule.cron), from);
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
    if (s.enabled === false && (override === undefined || override === '')) continue;
    let seconds: number | undefined;
    let source = s.rate;
    if (override !== undefined && override !== '') {
      seconds = Number(override);
      source = 'LAKE_COMPACTION_INTERVAL_SECONDS';
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new Error(
          `LAKE_COMPACTION_INTERVAL_SECONDS must be a number of seconds >= 0, got '${override}'`,
        );
      }
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
