/** A failure where it happened: the lake's code, message and offending field, or what went wrong on the way. */
import { ApiFailure } from '../lib/api-error';

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const f = error instanceof ApiFailure ? error : null;
  const reason =
    f && typeof f.details.reason === 'string' && f.details.reason !== f.message ? f.details.reason : null;
  return (
    <div class="error" role="alert">
      <strong>
        <span aria-hidden="true">⚠ </span>
        {title ?? 'Error'}
        {f ? `: ${f.code}` : ''}
        {f ? <span class="muted"> (HTTP {f.status})</span> : null}
      </strong>
      <p class="error-message">{f ? f.message : error instanceof Error ? error.message : String(error)}</p>
      {reason ? <p>{reason}</p> : null}
      {f?.field ? (
        <p>
          Field: <code>{f.field}</code>
        </p>
      ) : null}
    </div>
  );
}
