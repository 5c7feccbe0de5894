/** Confirms removing a model variant from disk (files shared with other models stay). */
import { useActions, useAppStore } from '../store/app-context';
import { statusKey } from '../store/app-store';
import { formatBytes } from '../format';
import { Dialog } from './Dialog';

export function RemoveDialog({ id, variant }: { id: string; variant: string }) {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const status = useAppStore((s) => s.statuses[statusKey(id, variant)]);
  const close = () => openDialog(null);
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
    </Dialog>
  );
}
