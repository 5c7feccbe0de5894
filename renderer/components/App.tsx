/** The window: sidebar, the current view with its header, dialogs, toasts and the drop target. */
import { useEffect } from 'react';
import { useActions, useAppStore } from '../store/app-context';
import { AddModelButton } from './AddModelButton';
import { AddModelDialog } from './AddModelDialog';
import { AdoptDialog } from './AdoptDialog';
import { DownloadsView } from './DownloadsView';
import { DropZone } from './DropZone';
import { GcDialog } from './GcDialog';
import { Icon } from './Icon';
import { ImportButton } from './ImportButton';
import { ImportReportsDialog } from './ImportReportsDialog';
import { ModelsView } from './ModelsView';
import { RemoveDialog } from './RemoveDialog';
import { SettingsDialog } from './SettingsDialog';
import { Sidebar } from './Sidebar';
import { StorageView } from './StorageView';
import { PushToMirrorDialog } from './PushToMirrorDialog';
import { Toasts } from './Toasts';
import { UseWithDialog } from './UseWithDialog';

const TITLES = { models: 'Models', downloads: 'Downloads', storage: 'Storage' } as const;
const SUBTITLES = {
  models: 'Everything your manifests list, and what is on disk.',
  downloads: 'Verified while they download; paused downloads keep their data.',
  storage: 'Where the bytes are, and how to get some back.',
} as const;

export function App() {
  const actions = useActions();
  const view = useAppStore((s) => s.view);
  const dialog = useAppStore((s) => s.dialog);
  const loadError = useAppStore((s) => s.loadError);
  const theme = useAppStore((s) => s.theme);
  const notices = useAppStore((s) => s.appInfo?.notices);

  useEffect(() => actions.start(), [actions]);

  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    try {
      localStorage.setItem('mo-theme', theme);
    } catch {
      // Storage may be unavailable (private mode); the choice then lasts this session.
    }
  }, [theme]);

  return (
    <div className="app">
      <Sidebar />
      <main className="main" id="main">
        <header className="page-header">
          <div>
            <h1 data-testid="view-title">{TITLES[view]}</h1>
            <p className="muted">{SUBTITLES[view]}</p>
          </div>
          <div className="page-header__actions">
            {view === 'models' ? (
              <>
                <AddModelButton />
                <ImportButton />
              </>
            ) : null}
          </div>
        </header>
        {loadError ? (
          <div className="inline-error banner" role="alert" data-testid="load-error">
            <Icon name="alert" /> <strong>{loadError.code}</strong> {loadError.message}
          </div>
        ) : null}
        {notices?.map((notice) => (
          <p className="inline-warning banner" role="alert" key={notice} data-testid="startup-notice">
            {notice}
          </p>
        ))}
        {view === 'models' ? <ModelsView /> : view === 'downloads' ? <DownloadsView /> : <StorageView />}
      </main>
      {dialog?.kind === 'gc' ? <GcDialog /> : null}
      {dialog?.kind === 'remove' ? <RemoveDialog id={dialog.id} variant={dialog.variant} /> : null}
      {dialog?.kind === 'settings' ? <SettingsDialog /> : null}
      {dialog?.kind === 'imports' ? <ImportReportsDialog /> : null}
      {dialog?.kind === 'add-model' ? <AddModelDialog /> : null}
      {dialog?.kind === 'adopt' ? <AdoptDialog /> : null}
      {dialog?.kind === 'use-with' ? <UseWithDialog id={dialog.id} variant={dialog.variant} /> : null}
      {dialog?.kind === 'push' ? <PushToMirrorDialog id={dialog.id} variant={dialog.variant} /> : null}
      <DropZone />
      <Toasts />
    </div>
  );
}
