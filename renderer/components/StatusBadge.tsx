import type { DisplayStatus } from '../store/selectors';

/**
 * The status of a model variant in one word (and a percentage while partial or downloading).
 * Not a live region: progress changes often and toasts announce what matters.
 */
export function StatusBadge({ status }: { status: DisplayStatus }) {
  return (
    <span className={`badge badge--${status.kind}`} data-testid="status-badge" data-status={status.kind}>
      <span className="badge__dot" aria-hidden="true" />
      {status.label}
    </span>
  );
}
