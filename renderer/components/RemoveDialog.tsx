/**
 * Confirms removing a model variant from disk (files shared with other models stay), and warns
 * where the model is still linked ("Use with…" exports), since apps there rely on it.
 */
import { useEffect } from 'react';
import type { ModelLink } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { statusKey } from '../store/app-store';
import { formatBytes } from '../format';
import { Dialog } from './Dialog';

const NO_LINKS: ModelLink[] = [];

export function RemoveDialog({ id, variant }: { id: string; variant: string }) {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const status = useAppStore((s) => s.statuses[statusKey(id, variant)]);
  const links = useAppStore((s) => s.modelLinks[id] ?? NO_LINKS).filter((l) => l.variant === variant);
  const close = () => openDialog(null);
  useEffect(() => void actions.refreshModelLinks(id), [actions, id]);
  return (
    <Dialog
      title={`Remove ${id}?`}
      onClose={close}
      testId="remove-dialog"
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={close} data-autofocus>
            Keep it
          </button>
          <button
            type="button"
            className="button button--danger"
            data-testid="confirm-remove"
            onClick={() => {
              close();
              void actions.remove(id, variant);
            }}
          >
            Remove from disk
          </button>
        </>
      }
    >
      <p>
        The <strong>{variant}</strong> files of <strong>{id}</strong>
        {status ? ` (${formatBytes(status.bytesPresent)})` : ''} will be deleted from this computer. Files other models share stay. You can
        download it again at any time.
      </p>
      {status?.pinned ? <p className="inline-warning">This model is pinned; removing it unpins it.</p> : null}
      {links.length ? (
        <div className="inline-warning" data-testid="remove-links-warning">
          <p>
            It is still linked in {links.length === 1 ? 'this place' : `these ${links.length} places`}; apps there may stop finding it, and
            its space is only freed once those links are deleted too:
          </p>
          <ul>
            {links.map((l) => (
              <li key={`${l.kind}:${l.dir}`}>
                <code>{l.dir}</code> {l.kind === 'hf-cache' ? '(Hugging Face cache)' : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Dialog>
  );
}
