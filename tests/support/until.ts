/** Polls `fn` until it returns something other than undefined, or fails with `what` and the context's tail. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${opts.context?.().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
