/**
 * A promise lock: runs functions one at a time, in call order, whether the previous one resolved or threw. The
 * engine serialises its use of the setup connection with it (view changes, log truncation).
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
