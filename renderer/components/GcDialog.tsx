/**
 * Clean-up in two steps: a dry run lists what would be removed, why, and the bytes it frees
 * (pinned models are never listed); only then does "Remove" run it.
 */
import { useState } from 'react';
import type { GcOptions, GcReason } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { formatBytes, formatRelativeTime, parseBytes } from '../format';
import { Dialog } from './Dialog';

const REASON: Record<GcReason, string> = {
  quota: 'Over the size budget (least recently used first)',
  'max-age': 'Not used for longer than the age limit',
  requested: 'Requested',
};

export function GcDialog() {
  const actions = useActions();
  const plan = useAppStore((s) => s.gcPlan);
  const result = useAppStore((s) => s.gcResult);
  const quota = useAppStore((s) => s.settings?.quotaBytes ?? null);
  const openDialog = useAppStore((s) => s.openDialog);
  const setGcPlan = useAppStore((s) => s.setGcPlan);
  const setGcResult = useAppStore((s) => s.setGcResult);
  const [maxSize, setMaxSize] = useState(quota ? formatBytes(quota) : '');
  const [maxAgeDays, setMaxAgeDays] = useState('');
  const [busy, setBusy] = useState<'plan' | 'run' | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  // A preview describes the limits it was made with: once they change, it must be made again
  // (otherwise "Remove 2 and free 3 GB" would run with other limits and remove something else).
  const changeLimit = (set: (value: string) => void) => (value: string) => {
    set(value);
    if (plan) setGcPlan(null);
  };

  const close = () => {
    setGcPlan(null);
    setGcResult(null);
    openDialog(null);
  };

  const options = (): GcOptions | null => {
    const o: GcOptions = {};
    if (maxSize.trim()) {
      const bytes = parseBytes(maxSize);
      if (bytes === null) {
        setFormError('Write the size budget like "20 GB" or "500 MB".');
        return null;
      }
      o.maxSizeBytes = bytes;
    }
    if (maxAgeDays.trim()) {
      const days = Number(maxAgeDays);
      if (!Number.isFinite(days) || days < 0) {
        setFormError('Write the age limit as a number of days.');
        return null;
      }
      o.maxAgeMs = Math.round(days * 86_400_000);
    }
    setFormError(null);
    return o;
  };

  const preview = async () => {
    const o = options();
    if (!o) return;
    setBusy('plan');
    await actions.planGc(o);
    setBusy(null);
  };

  const run = async () => {
    const o = options();
    if (!o) return;
    setBusy('run');
    await actions.runGc(o);
    setBusy(null);
  };

  return (
    <Dialog
      title="Clean up disk space"
      onClose={close}
      wide
      testId="gc-dialog"
      footer={
        result ? (
          <button type="button" className="button button--primary" onClick={close} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button button--ghost" onClick={close}>
              Cancel
            </button>
            <button type="button" className="button" onClick={() => void preview()} disabled={busy !== null} data-testid="gc-preview">
              {busy === 'plan' ? 'Checking…' : plan ? 'Preview again' : 'Preview'}
            </button>
            <button
              type="button"
              className="button button--danger"
              onClick={() => void run()}
              disabled={busy !== null || !plan}
              data-testid="gc-run"
              title={plan ? undefined : 'Preview first to see what will be removed'}
            >
              {busy === 'run'
                ? 'Removing…'
                : plan
                  ? `Remove ${plan.removed.length} and free ${formatBytes(plan.bytesReclaimed)}`
                  : 'Remove'}
            </button>
          </>
        )
      }
    >
      {result ? (
        <div className="gc-result" data-testid="gc-result" role="status">
          <p className="big-number">{formatBytes(result.bytesReclaimed)} freed</p>
          <p>
            Removed {result.removed.length} model variant{result.removed.length === 1 ? '' : 's'}
            {result.orphanBytes ? ` and ${formatBytes(result.orphanBytes)} of leftovers` : ''}.
          </p>
        </div>
      ) : (
        <>
          <p className="muted">Models you pinned are always kept. Nothing is removed until you confirm.</p>
          <div className="form-grid">
            <label>
              <span>Keep models under</span>
              <input
                value={maxSize}
                onChange={(e) => changeLimit(setMaxSize)(e.target.value)}
                placeholder={quota ? formatBytes(quota) : 'e.g. 50 GB'}
                data-testid="gc-max-size"
                data-autofocus
              />
              <small className="muted">Least recently used models go first. Empty: {quota ? 'your quota' : 'no size limit'}.</small>
            </label>
            <label>
              <span>Remove models unused for more than</span>
              <div className="input-suffix">
                <input
                  value={maxAgeDays}
                  onChange={(e) => changeLimit(setMaxAgeDays)(e.target.value)}
                  inputMode="decimal"
                  placeholder="e.g. 30"
                  data-testid="gc-max-age"
                />
                <span>days</span>
              </div>
            </label>
          </div>
          {formError ? (
            <p className="inline-error" role="alert">
              {formError}
            </p>
          ) : null}
          {plan ? (
            <div className="gc-plan" data-testid="gc-plan">
              {plan.removed.length === 0 ? (
                <p data-testid="gc-plan-empty">
                  Nothing to remove with these limits
                  {plan.orphanBytes ? `; ${formatBytes(plan.orphanBytes)} of leftovers would be cleaned` : ''}.
                </p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Why</th>
                      <th scope="col">Last used</th>
                      <th scope="col" className="num">
                        Frees
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {plan.removed.map((r) => (
                      <tr key={`${r.id}/${r.variant}`} data-testid="gc-plan-row" data-model-id={r.id}>
                        <td>
                          <strong>{r.id}</strong> <span className="chip">{r.variant}</span>
                        </td>
                        <td>{r.reason ? REASON[r.reason] : 'Over the limits'}</td>
                        <td>{formatRelativeTime(r.lastUsed ?? null)}</td>
                        <td className="num">{formatBytes(r.bytes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <p className="gc-plan__total">
                Would free <strong data-testid="gc-plan-total">{formatBytes(plan.bytesReclaimed)}</strong>
              </p>
            </div>
          ) : null}
        </>
      )}
    </Dialog>
  );
}
