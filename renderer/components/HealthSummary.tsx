/**
 * The Storage page's health summary, the same report as `modelctl health` and GET /api/health:
 * healthy or degraded, what is wrong with each model that is not complete, and the one action
 * that fixes it (Download, Repair, Check again).
 */
import type { HealthAction, ModelHealth } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { statusKey } from '../store/app-store';
import { formatBytes } from '../format';
import { Icon } from './Icon';

const STATUS_LABEL: Record<ModelHealth['status'], { label: string; badge: string }> = {
  COMPLETE: { label: 'Complete', badge: 'complete' },
  VERIFYING: { label: 'Verifying', badge: 'verifying' },
  NOT_PRESENT: { label: 'Missing', badge: 'missing' },
  PARTIAL: { label: 'Partial', badge: 'partial' },
  CORRUPT: { label: 'Damaged', badge: 'corrupt' },
  UNCHECKED: { label: 'Unchecked', badge: 'missing' },
};

const ACTION_LABEL: Record<HealthAction, string> = { download: 'Download', repair: 'Repair', 'check-again': 'Check again' };

const LIVE_JOB = new Set(['queued', 'running', 'verifying', 'paused']);

export function HealthSummary() {
  const health = useAppStore((s) => s.health);
  const error = useAppStore((s) => s.healthError);
  const jobs = useAppStore((s) => s.jobs);
  const pending = useAppStore((s) => s.pending);
  const actions = useActions();

  if (!health) {
    return error ? (
      <div className="card health-summary" data-testid="health-summary">
        <p className="inline-error" role="alert">
          <Icon name="alert" size={16} /> <strong>{error.code}</strong> {error.message}
        </p>
      </div>
    ) : null;
  }

  const c = health.counts;
  const toFix = health.models.filter((m) => m.action !== null);
  const busy = (m: ModelHealth) =>
    Boolean(pending[statusKey(m.id, m.variant)]) ||
    Object.values(jobs).some((j) => j.id === m.id && j.variant === m.variant && LIVE_JOB.has(j.state));
  const act = (m: ModelHealth) => {
    if (m.action === 'check-again') void actions.refreshHealth();
    else void actions.startDownload(m.id, m.variant); // a download also repairs: it fetches again only what is damaged
  };

  return (
    <div className="card health-summary" data-testid="health-summary" data-health={health.health}>
      <div className="card__header">
        <div>
          <h2>Health</h2>
          <p className="muted" data-testid="health-state">
            {health.health === 'healthy'
              ? `Healthy: all ${c.models} complete`
              : health.health === 'degraded'
                ? `Degraded: ${c.complete + c.verifying} of ${c.models} complete`
                : 'Error'}
          </p>
        </div>
        <div className="card__actions">
          <button type="button" className="button" onClick={() => void actions.refreshHealth()}>
            Check again
          </button>
        </div>
      </div>
      {health.health === 'healthy' ? (
        <p className="health-ok">
          <Icon name="check" size={16} /> Every model is present with every file at its size.
        </p>
      ) : null}
      {health.health === 'error' ? (
        <p className="inline-error" role="alert">
          <Icon name="alert" size={16} /> {health.problem}
        </p>
      ) : null}
      {toFix.length > 0 ? (
        <ul className="health-list">
          {toFix.map((m) => (
            <li
              key={`${m.id}/${m.variant}`}
              className="health-item"
              data-testid="health-problem"
              data-model-id={m.id}
              data-status={m.status}
            >
              <div className="health-item__what">
                <strong>{m.id}</strong> <span className="chip">{m.variant}</span>{' '}
                <span className={`badge badge--${STATUS_LABEL[m.status].badge}`}>{STATUS_LABEL[m.status].label}</span>
                <p className="muted small">
                  {m.problem}
                  {m.bytesNeeded ? ` ${formatBytes(m.bytesNeeded)} to download.` : ''}
                </p>
              </div>
              {m.action ? (
                <button type="button" className="button button--primary" disabled={busy(m)} onClick={() => act(m)}>
                  {busy(m) ? 'Downloading…' : ACTION_LABEL[m.action]}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {health.health === 'degraded' && health.problem ? <p className="muted small">{health.problem}</p> : null}
    </div>
  );
}
