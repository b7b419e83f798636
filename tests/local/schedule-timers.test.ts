/**
 * The local schedule's timers (local/step-functions/schedule-timers.ts) when the wall clock steps: timers wait real
 * time, the slots are wall-clock times. Jest's fake timers move both together (advanceTimersByTime) or the wall clock
 * alone (setSystemTime), as an NTP correction or a suspended machine does.
 */
import { armSchedule } from '../../local/step-functions/schedule-timers';
import type { LocalSchedule } from '../../local/step-functions/schedules';

const START = Date.parse('2026-12-06T12:00:00Z');
let stop: (() => void) | undefined;

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => {
  stop?.();
  jest.useRealTimers();
});

/** Ticks of a schedule, as the wall-clock times they ran at. */
function ticksOf(schedule: LocalSchedule): string[] {
  const ticks: string[] = [];
  stop = armSchedule(schedule, async () => void ticks.push(new Date().toISOString()), {});
  return ticks;
}

const every10s: LocalSchedule = { intervalSeconds: 10, input: {}, source: 'test' };
const minutes = (n: number) => n * 60_000;

it('runs every interval', () => {
  const ticks = ticksOf(every10s);
  jest.advanceTimersByTime(30_000);
  expect(ticks).toEqual(['2026-12-06T12:00:10.000Z', '2026-12-06T12:00:20.000Z', '2026-12-06T12:00:30.000Z']);
});

it('keeps its interval when the wall clock steps back (it waited for the step too)', () => {
  const ticks = ticksOf(every10s);
  jest.advanceTimersByTime(10_000); // one tick, at 12:00:10
  jest.setSystemTime(Date.now() - minutes(10)); // the clock steps back ten minutes
  jest.advanceTimersByTime(30_000);
  // The timer armed at 12:00:10 for 12:00:20 fires after 10 s of real time (11:50:20 on the clock), then every 10 s.
  expect(ticks).toEqual([
    '2026-12-06T12:00:10.000Z',
    '2026-12-06T11:50:20.000Z',
    '2026-12-06T11:50:30.000Z',
    '2026-12-06T11:50:40.000Z',
  ]);
});

it('does not fire every slot it passed when the wall clock steps forward', () => {
  const ticks = ticksOf(every10s);
  jest.advanceTimersByTime(10_000);
  jest.setSystemTime(Date.now() + minutes(60)); // an hour forward: 360 slots passed
  jest.advanceTimersByTime(20_000);
  expect(ticks).toEqual(['2026-12-06T12:00:10.000Z', '2026-12-06T13:00:20.000Z', '2026-12-06T13:00:30.000Z']);
});

it('a cron() keeps firing at its times after the wall clock stepped back', () => {
  const ticks = ticksOf({ cron: '0/5 * * * ? *', input: {}, source: 'test' });
  jest.advanceTimersByTime(minutes(5)); // 12:05
  jest.setSystemTime(Date.now() - minutes(30)); // 11:35
  jest.advanceTimersByTime(minutes(10));
  // The timer set for 12:10 fires after 5 real minutes (11:40 on the clock), then at the next time from there.
  expect(ticks).toEqual(['2026-12-06T12:05:00.000Z', '2026-12-06T11:40:00.000Z', '2026-12-06T11:45:00.000Z']);
});

it('a schedule whose next time cannot be computed stops, and nothing throws out of the timer', () => {
  let calls = 0;
  const schedule = {
    input: {},
    source: 'test',
    get intervalSeconds(): number {
      if (++calls > 1) throw new Error('no next time');
      return 10;
    },
  } as LocalSchedule;
  const ticks = ticksOf(schedule);
  expect(() => jest.advanceTimersByTime(60_000)).not.toThrow();
  expect(ticks).toEqual(['2026-12-06T12:00:10.000Z']);
});
