/**
 * Whether a request's client is the only one the gateway has heard from lately (local/function-workers.ts runs such
 * a request's function in the lake's own thread, sparing it the hand-offs to a worker and back).
 *
 * Requests that are open are no measure of this: while the lake's thread is busy, other clients' requests wait
 * unread in their sockets. So each request notes its connection, and a request is alone when no other connection
 * sent one within `windowMs`.
 */
export class ClientActivity {
  /** The connection of the latest request, and when it arrived. */
  private latest: { connection: object | undefined; at: number } = { connection: undefined, at: -Infinity };
  /** When a connection other than the latest's last sent a request. */
  private otherAt = -Infinity;

  constructor(private readonly windowMs = 1000) {}

  /** Notes a request of `connection` at `now` and says whether it is alone. */
  request(connection: object, now: number): boolean {
    if (connection !== this.latest.connection) {
      this.otherAt = this.latest.at;
      this.latest = { connection, at: now };
    } else this.latest.at = now;
    return now - this.otherAt > this.windowMs;
  }
}
