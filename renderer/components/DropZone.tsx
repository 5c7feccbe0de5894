/** Dropping .toml/.json files anywhere on the window imports them; an overlay shows where they go. */
import { useEffect } from 'react';
import { useActions, useAppStore, useStoreApi } from '../store/app-context';
import { Icon } from './Icon';

const hasFiles = (event: DragEvent) => Boolean(event.dataTransfer && [...event.dataTransfer.types].includes('Files'));

export function DropZone() {
  const store = useStoreApi();
  const actions = useActions();
  const dragging = useAppStore((s) => s.dragging);

  useEffect(() => {
    let depth = 0;
    const setDragging = (on: boolean) => store.getState().setDragging(on);
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) void actions.importFiles(files);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [store, actions]);

  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-overlay__panel">
        <Icon name="upload" size={40} />
        <p>Drop manifests to import them</p>
        <small>models.toml or models.json</small>
      </div>
    </div>
  );
}
