/**
 * Concurrency: a process-wide run limit. Runs beyond MAX_CONCURRENT_RUNS wait for a slot, in arrival order.
 */

/** Runs at once in this process; more wait for a slot (each run uses `threads` DuckDB threads). */
export const MAX_CONCURRENT_RUNS = 2;

let slotsInUse = 0;
const slotWaiters: (() => void)[] = [];

export async function acquireSlot(): Promise<void> {
  if (slotsInUse < MAX_CONCURRENT_RUNS) {
    slotsInUse++;
    return;
  }
  await new Promise<void>((resolve) => slotWaiters.push(resolve));
}

export function releaseSlot(): void {
  const next = slotWaiters.shift();
  if (next) next();
  else slotsInUse--;
}
