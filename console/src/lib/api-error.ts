/**
 * An answer of the lake's API that is not a success, read from either error shape the API uses: the flat one of
 * lib/http.ts and API Gateway's own refusals (`{"code","message","field"?,...}`), or the nested one
 * (`{"error":{"code","message","field"?}}`). No DOM: tests import it.
 */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /**
   * The key was refused: the caller must sign in again. A 403 (a wrong, revoked or expired credential, or one that
   * may not call the route). Not a 401: the console always sends its key, and the API answers 401 (API Gateway's
   * MISSING_AUTHENTICATION_TOKEN) for a method and path it has no route for — `/executions/..`, which the browser
   * resolves to `/`, signed the user out.
   */
  get refusesKey(): boolean {
    return this.status === 403;
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The failure an HTTP answer carries (status ≥ 400), whatever its body. */
export function failureOf(status: number, body: unknown, statusText = ''): ApiFailure {
  const outer = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const inner =
    typeof outer.error === 'object' && outer.error !== null
      ? (outer.error as Record<string, unknown>)
      : outer;
  const code = text(inner.code) ?? `HTTP_${status}`;
  const message = text(inner.message) ?? text(inner.reason) ?? (statusText || `the lake answered ${status}`);
  const { code: _c, message: _m, field, ...details } = inner;
  return new ApiFailure(status, code, message, text(field), details);
}
