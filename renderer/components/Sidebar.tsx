/** Navigation between the three views, a compact disk meter, the theme switch and settings. */
import { useAppStore } from '../store/app-context';
import type { ThemeChoice, View } from '../store/app-store';
import { selectActiveJobCount } from '../store/selectors';
import { diskBreakdown } from '../disk-breakdown';
import { formatBytes } from '../format';
import { Icon, type IconName } from './Icon';

const VIEWS: Array<{ view: View; label: string; icon: IconName }> = [
  { view: 'models', label: 'Models', icon: 'models' },
  { view: 'downloads', label: 'Downloads', icon: 'download' },
  { view: 'storage', label: 'Storage', icon: 'storage' },
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'system', light: 'sun', dark: 'moon' };

export function Sidebar() {
  const view = useAppStore((s) => s.view);
  const setView = useAppStore((s) => s.setView);
  const active = useAppStore(selectActiveJobCount);
  const modelCount = useAppStore((s) => s.models.length);
  const disk = useAppStore((s) => s.disk);
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  const openDialog = useAppStore((s) => s.openDialog);
  const connection = useAppStore((s) => s.connection);
  const b = disk ? diskBreakdown(disk) : null;
  const usedShare = b && b.total > 0 ? (b.total - b.free) / b.total : 0;

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true">
          <rect x="2" y="2" width="28" height="28" rx="8" className="brand__bg" />
          <path d="M9 20.5V11l7 5 7-5v9.5" className="brand__stroke" />
        </svg>
        <div>
          <strong>Model Orchestrator</strong>
          <small className={`connection connection--${connection}`} data-testid="connection">
            {connection === 'live' ? 'Connected' : connection === 'lost' ? 'Reconnecting…' : 'Connecting…'}
          </small>
        </div>
      </div>
      <ul className="nav">
        {VIEWS.map((v) => (
          <li key={v.view}>
            <button
              type="button"
              className={`nav__item${view === v.view ? ' nav__item--active' : ''}`}
              aria-current={view === v.view ? 'page' : undefined}
              onClick={() => setView(v.view)}
              data-testid={`nav-${v.view}`}
            >
              <Icon name={v.icon} />
              <span>{v.label}</span>
              {v.view === 'downloads' && active > 0 ? (
                <span className="nav__count" aria-label={`${active} active`}>
                  {active}
                </span>
              ) : null}
              {v.view === 'models' && modelCount > 0 ? <span className="nav__count nav__count--muted">{modelCount}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar__footer">
        {b ? (
          <button type="button" className="mini-disk" onClick={() => setView('storage')} aria-label="Open storage">
            <span className="mini-disk__label">
              <span>Disk</span>
              <span>{formatBytes(b.free)} free</span>
            </span>
            <span className="mini-disk__bar" aria-hidden="true">
              <span style={{ width: `${Math.round(usedShare * 100)}%` }} />
            </span>
          </button>
        ) : null}
        <div className="sidebar__buttons">
          <button
            type="button"
            className="icon-button"
            onClick={() => setTheme(NEXT_THEME[theme])}
            aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}`}
            title={`Theme: ${theme}`}
            data-testid="theme-toggle"
          >
            <Icon name={THEME_ICON[theme]} />
          </button>
          <button
            type="button"
            className="icon-button"
            onClick={() => openDialog({ kind: 'settings' })}
            aria-label="Settings"
            title="Settings"
            data-testid="settings-button"
          >
            <Icon name="settings" />
          </button>
        </div>
      </div>
    </nav>
  );
}
