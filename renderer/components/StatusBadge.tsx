import type { DisplayStatus } from '../store/selectors';

/** The status of a model variant in one word (and a percentage while partial or downloading). */
export function StatusBadge({ status }: { status: DisplayStatus }) {
  return (
    <span className={`badge badge--${status.kind}`} data-testid="status-badge" data-status={status.kind} role="status">
      <span className="badge__dot" aria-hidden="true" />
      {status.label}
    </span>
  );
}
