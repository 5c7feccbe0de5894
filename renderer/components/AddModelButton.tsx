/** Opens "Add model…": a model from Hugging Face, S3 or a folder, without writing a manifest. */
import { useAppStore } from '../store/app-context';
import { Icon } from './Icon';

export function AddModelButton({ primary = false }: { primary?: boolean }) {
  const openDialog = useAppStore((s) => s.openDialog);
  return (
    <button
      type="button"
      className={primary ? 'button button--primary' : 'button'}
      onClick={() => openDialog({ kind: 'add-model' })}
      data-testid="add-model-button"
    >
      <Icon name="plus" /> Add model…
    </button>
  );
}
