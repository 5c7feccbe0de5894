/** The manifests the models come from; imported ones can be removed (files on disk stay). */
import { useActions, useAppStore } from '../store/app-context';
import { formatRelativeTime } from '../format';
import { Icon } from './Icon';

export function ManifestList() {
  const manifests = useAppStore((s) => s.manifests);
  const actions = useActions();
  if (manifests.length === 0) return null;
  return (
    <details className="manifest-list" data-testid="manifest-list">
      <summary>
        <Icon name="file" size={16} /> {manifests.length} manifest{manifests.length === 1 ? '' : 's'}
      </summary>
      <ul>
        {manifests.map((m) => (
          <li key={m.name} data-testid="manifest-row">
            <strong>{m.name}</strong>
            <span className="muted">
              {m.models.length} model{m.models.length === 1 ? '' : 's'} ·{' '}
              {m.builtIn ? 'loaded at startup' : `imported ${formatRelativeTime(m.importedAt)}`}
            </span>
            {m.builtIn ? null : (
              <button
                type="button"
                className="button button--ghost"
                onClick={() => void actions.removeManifest(m.name)}
                aria-label={`Remove the manifest ${m.name} (downloaded files stay on disk)`}
                title="Forget this manifest; downloaded files stay on disk"
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}
