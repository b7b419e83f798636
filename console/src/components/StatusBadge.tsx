/** A status as an icon and a word (never by colour alone). */
const ICONS: Record<string, string> = {
  SUCCEEDED: '✓',
  succeeded: '✓',
  FAILED: '✕',
  failed: '✕',
  TIMED_OUT: '⌛',
  ABORTED: '⊘',
  CANCELLED: '⊘',
  RUNNING: '…',
  running: '…',
  QUEUED: '…',
  caught: '⚠',
  retried: '↻',
  REFUSED: '✕',
  /** Accepted, but its end unknown: the lake stopped answering while it ran. */
  UNKNOWN: '?',
  /** Never reached the lake (it did not answer): nothing ran. */
  NOT_SENT: '⚠',
};

export function statusTone(status: string): 'ok' | 'bad' | 'warn' | 'busy' {
  const s = status.toUpperCase();
  if (s === 'SUCCEEDED') return 'ok';
  if (s === 'FAILED' || s === 'TIMED_OUT' || s === 'ABORTED' || s === 'CANCELLED' || s === 'REFUSED')
    return 'bad';
  if (s === 'CAUGHT' || s === 'RETRIED' || s === 'UNKNOWN' || s === 'NOT_SENT') return 'warn';
  return 'busy';
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${statusTone(status)}`}>
      <span aria-hidden="true">{ICONS[status] ?? '•'} </span>
      {status.replace('_', ' ')}
    </span>
  );
}
