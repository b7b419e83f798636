/** The schedule: the schedule events of a state machine, as the local lake runs them. */
import { localLog } from '../log';
import type { StateMachineConfig } from './config';

/** rate(N minute|minutes|hour|hours|day|days) in seconds; undefined for cron() and anything else. */
export function rateSeconds(expression: string): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60 : m[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(m[1]) * unit;
}

export interface LocalSchedule {
  intervalSeconds: number;
  input: unknown;
  source: string;
}

/**
 * The schedule events of a state machine, as the local lake runs them: the rate from serverless.yml, or
 * LAKE_COMPACTION_INTERVAL_SECONDS (0 disables). cron() expressions need the variable.
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
        localLog.warn(
          'schedule not run locally: only rate() expressions are; set LAKE_COMPACTION_INTERVAL_SECONDS',
          {
            schedule: s.rate,
          },
        );
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
