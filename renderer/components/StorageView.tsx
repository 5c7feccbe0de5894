/**
 * Where the bytes are: a chart of the whole volume (models, partial downloads, everything
 * else, free), the quota line, each model's share, and the clean-up entry point.
 */
import { useActions, useAppStore } from '../store/app-context';
import { diskBreakdown } from '../disk-breakdown';
import { formatBytes, formatRelativeTime } from '../format';
import { HealthSummary } from './HealthSummary';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';

const SEGMENTS = [
  { key: 'models', label: 'Models', className: 'seg-models' },
  { key: 'partial', label: 'Partial downloads', className: 'seg-partial' },
  { key: 'other', label: 'Other files', className: 'seg-other' },
  { key: 'free', label: 'Free', className: 'seg-free' },
] as const;

export function StorageView() {
  const disk = useAppStore((s) => s.disk);
  const error = useAppStore((s) => s.diskError);
  const openDialog = useAppStore((s) => s.openDialog);
  const actions = useActions();

  if (!disk) {
    return (
      <section className="storage-view" aria-label="Storage">
        {error ? (
          <p className="inline-error" role="alert">
            <Icon name="alert" size={16} /> <strong>{error.code}</strong> {error.message}
          </p>
        ) : (
          <div className="skeleton" aria-busy="true" aria-label="Loading disk usage" />
        )}
      </section>
    );
  }

  const b = diskBreakdown(disk);
  const W = 1000;
  // Models are often tiny next to a whole volume: any non-empty part gets at least a sliver
  // so it stays visible (taken from the widest part, which it cannot visibly change).
  const MIN = 8;
  const widths = SEGMENTS.map((seg) => (b.total > 0 ? (b[seg.key] / b.total) * W : 0));
  const widest = widths.indexOf(Math.max(...widths));
  let borrowed = 0;
  const adjusted = widths.map((w, i) => {
    if (i === widest || w === 0 || w >= MIN) return w;
    borrowed += MIN - w;
    return MIN;
  });
  adjusted[widest] = Math.max(0, (adjusted[widest] ?? 0) - borrowed);
  let x = 0;
  const rects = SEGMENTS.map((seg, i) => {
    const width = adjusted[i] ?? 0;
    const rect = { ...seg, bytes: b[seg.key], x, width };
    x += width;
    return rect;
  });
  const quotaX = b.quota && b.total > 0 ? Math.min(W, (b.quota / b.total) * W) : null;
  const models = [...disk.models].sort((a, c) => c.bytes - a.bytes);
  const largest = models[0]?.bytes ?? 0;

  return (
    <section className="storage-view" aria-label="Storage">
      <HealthSummary />
      <div className="card">
        <div className="card__header">
          <div>
            <h2>Volume</h2>
            <p className="muted">
              <code>{disk.root}</code> · {formatBytes(b.total)} in all
            </p>
          </div>
          <div className="card__actions">
            <button type="button" className="button" onClick={() => void actions.refreshDisk()}>
              Refresh
            </button>
            <button type="button" className="button" onClick={() => openDialog({ kind: 'adopt' })} data-testid="adopt-button">
              <Icon name="search" /> Find models on this computer…
            </button>
            <button type="button" className="button button--primary" onClick={() => openDialog({ kind: 'gc' })} data-testid="gc-button">
              <Icon name="broom" /> Clean up…
            </button>
          </div>
        </div>
        <figure className="volume-chart" data-testid="disk-chart">
          <svg
            viewBox={`0 0 ${W} 56`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`Models ${formatBytes(b.models)}, partial ${formatBytes(b.partial)}, other ${formatBytes(b.other)}, free ${formatBytes(b.free)}`}
          >
            <clipPath id="volume-clip">
              <rect x="0" y="8" width={W} height="40" rx="8" ry="8" />
            </clipPath>
            <g clipPath="url(#volume-clip)">
              {rects.map((r) =>
                r.width > 0 ? <rect key={r.key} className={r.className} x={r.x} y="8" width={r.width} height="40" /> : null,
              )}
            </g>
            {quotaX !== null ? (
              <line className="quota-line" x1={quotaX} x2={quotaX} y1="0" y2="56" vectorEffect="non-scaling-stroke" />
            ) : null}
          </svg>
          <figcaption className="legend">
            {rects.map((r) => (
              <span key={r.key} className="legend__item" data-testid={`legend-${r.key}`}>
                <span className={`legend__swatch ${r.className}`} aria-hidden="true" />
                {r.label} <strong>{formatBytes(r.bytes)}</strong>
              </span>
            ))}
            {b.quota ? (
              <span className="legend__item" data-testid="legend-quota">
                <span className="legend__swatch legend__swatch--quota" aria-hidden="true" />
                Quota <strong>{formatBytes(b.quota)}</strong>
                <span className={b.quotaUse !== null && b.quotaUse > 1 ? 'over-quota' : 'muted'}>
                  {' '}
                  ({Math.round((b.quotaUse ?? 0) * 100)}% used)
                </span>
              </span>
            ) : null}
          </figcaption>
        </figure>
        {b.quota ? (
          <div className="quota-meter" data-testid="quota-meter">
            <div className="quota-meter__label">
              <span>
                Models use <strong>{formatBytes(b.models)}</strong> of the <strong>{formatBytes(b.quota)}</strong> quota
              </span>
              <span className={b.quotaUse !== null && b.quotaUse > 1 ? 'over-quota' : 'muted'}>{Math.round((b.quotaUse ?? 0) * 100)}%</span>
            </div>
            <ProgressBar
              value={Math.min(b.models, b.quota)}
              max={b.quota}
              label="Share of the quota used by models"
              tone={b.quotaUse !== null && b.quotaUse > 1 ? 'danger' : b.quotaUse !== null && b.quotaUse > 0.9 ? 'paused' : 'accent'}
            />
            {b.quotaUse !== null && b.quotaUse > 1 ? (
              <p className="inline-warning">Over quota: Clean up removes the least recently used unpinned models until they fit.</p>
            ) : null}
          </div>
        ) : null}
        <p className="muted small">
          {b.sharedSavings > 0 ? `Identical files are stored once: ${formatBytes(b.sharedSavings)} saved. ` : ''}
          {disk.linkMode === 'copy' ? 'This filesystem refused hard links, so shared files are copied (counted twice). ' : ''}
          {b.quota ? '' : 'No quota set: choose one in Settings to let clean-up keep models under a budget.'}
        </p>
      </div>

      <div className="card">
        <div className="card__header">
          <h2>Models on disk</h2>
          <span className="muted" data-testid="models-on-disk-total">
            {models.length} variant{models.length === 1 ? '' : 's'} · {formatBytes(b.models)}
          </span>
        </div>
        {models.length === 0 ? (
          <div className="empty-state empty-state--inline" data-testid="storage-empty">
            <p>Nothing stored yet. Downloaded models appear here with their size, pin and last use.</p>
          </div>
        ) : (
          <ul className="usage-list" data-testid="usage-list">
            {models.map((m) => (
              <li key={`${m.id}/${m.variant}`} className="usage" data-testid="usage-row" data-model-id={m.id}>
                <div className="usage__label">
                  <strong>{m.id}</strong> <span className="chip">{m.variant}</span>
                  {m.pinned ? (
                    <span className="chip chip--pin">
                      <Icon name="pin" size={12} /> Pinned
                    </span>
                  ) : null}
                  <span className="muted small">last used {formatRelativeTime(m.lastUsed)}</span>
                </div>
                <div className="usage__bar" aria-hidden="true">
                  <div
                    className={`usage__fill${m.pinned ? ' usage__fill--pinned' : ''}`}
                    style={{ width: `${largest > 0 ? Math.max(1, (m.bytes / largest) * 100) : 0}%` }}
                  />
                </div>
                <span className="usage__bytes">{formatBytes(m.bytes)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
