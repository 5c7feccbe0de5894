/** An accessible progress bar; `indeterminate` when the total is unknown (e.g. verifying). */
export function ProgressBar({
  value,
  max,
  label,
  tone = 'accent',
  indeterminate = false,
  testId,
}: {
  value: number;
  max: number;
  label: string;
  tone?: 'accent' | 'paused' | 'success' | 'danger';
  indeterminate?: boolean;
  testId?: string;
}) {
  const percent = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div
      className={`progress progress--${tone}${indeterminate ? ' progress--indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(indeterminate ? {} : { 'aria-valuenow': Math.floor(percent) })}
      data-testid={testId}
    >
      <div className="progress__fill" style={{ width: indeterminate ? undefined : `${percent}%` }} />
    </div>
  );
}
