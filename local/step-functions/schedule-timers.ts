/**
 * The local lake's schedule timers: one timer per schedule, set for its next run (local/step-functions/schedules.ts
 * nextRun) after the last. A timer waits real time while the wall clock may step (NTP, a suspended machine): a step
 * back would make the next slot wait for the step too, a step forward would fire every slot passed one after
 * another — either way the next slot is counted from now instead.
 */
import { localLog } from '../log';
import { nextRun, type LocalSchedule } from './schedules';

/** The longest setTimeout (2^31 - 1 ms, ~24.8 days): a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How late a slot may be before it counts as passed while the wall clock stepped forward. */
const MISSED_SLOT_MS = 60_000;

/**
 * Runs `tick` at each time of `schedule` until the returned stop is called. `label` names the schedule in the log.
 * A tick's failure is logged; a schedule whose next time cannot be computed stops, saying so (never out of a timer:
 * the process would end).
 */
export function armSchedule(
  schedule: LocalSchedule,
  tick: () => Promise<void>,
  label: Record<string, unknown>,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  const arm = (after: Date) => {
    if (!running) return;
    let at: Date | null;
    try {
      at = nextRun(schedule, after);
      if (at && at.getTime() <= Date.now() - MISSED_SLOT_MS) at = nextRun(schedule, new Date());
    } catch (e) {
      localLog.error('schedule stopped: its next run could not be computed', { ...label, error: e as Error });
      return;
    }
    if (!at) return;
    const slot = at;
    const wait = Math.max(0, slot.getTime() - Date.now());
    timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) return arm(after);
        tick().catch((e) => localLog.error('scheduled execution failed to start', { error: e as Error }));
        arm(Date.now() < slot.getTime() ? new Date() : slot);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    timer.unref();
  };
  arm(new Date());
  return () => {
    running = false;
    if (timer) clearTimeout(timer);
  };
}
