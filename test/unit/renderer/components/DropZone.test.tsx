// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportManifestResult } from '../../../../shared/api';
import { DropZone } from '../../../../renderer/components/DropZone';
import { Toasts } from '../../../../renderer/components/Toasts';
import { fakeClient, model, OpenDialog, renderWithStore } from './render-with-store';

const TOML = `schema_version = 1

[models."tiny@1"]
version = "1"
variants = ["fp16"]
default_variant = "fp16"
`;

/** A drag event over the window carrying files, as a file manager sends it. */
function fileDrag(type: 'dragenter' | 'dragover' | 'dragleave' | 'drop', files: File[] = [], types = ['Files']) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: { types, files, dropEffect: 'none' } });
  act(() => {
    window.dispatchEvent(event);
  });
  return event;
}

function importHost() {
  return fakeClient({
    importManifest: async ({ name }): Promise<ImportManifestResult> => ({
      name,
      ok: true,
      added: ['tiny@1'],
      conflicts: [],
      problems: [],
      error: null,
    }),
    listModels: async () => [model('tiny@1')],
    listManifests: async () => [],
    getAllStatuses: async () => [],
  });
}

describe('DropZone', () => {
  it('shows where dropped manifests go while files are dragged over the window', () => {
    renderWithStore(<DropZone />);
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    const enter = fileDrag('dragenter');
    expect(enter.defaultPrevented).toBe(true);
    expect(screen.getByText('Drop manifests to import them')).toBeTruthy();
    // Moving over a child element enters it before leaving the parent: the overlay stays.
    fileDrag('dragenter');
    fileDrag('dragleave');
    expect(screen.getByTestId('drop-overlay')).toBeTruthy();
    fileDrag('dragleave');
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
  });

  it('ignores drags that carry no files (e.g. selected text)', () => {
    renderWithStore(<DropZone />);
    const enter = fileDrag('dragenter', [], ['text/plain']);
    expect(enter.defaultPrevented).toBe(false);
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
  });

  it('imports a dropped .toml file with its name and text', async () => {
    const client = importHost();
    renderWithStore(
      <>
        <DropZone />
        <Toasts />
      </>,
      client,
    );
    fileDrag('dragenter');
    const drop = fileDrag('drop', [new File([TOML], 'models.toml', { type: 'application/toml' })]);
    expect(drop.defaultPrevented).toBe(true);
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    await waitFor(() => expect(client.importManifest).toHaveBeenCalledWith({ name: 'models.toml', text: TOML }));
    expect((await screen.findByTestId('toast')).textContent).toContain('Imported models.toml1 model(s) added.');
  });

  it('reports a dropped file that is not a manifest, without sending it to the host', async () => {
    const client = importHost();
    renderWithStore(
      <>
        <DropZone />
        <OpenDialog />
      </>,
      client,
    );
    fileDrag('drop', [new File(['\x89PNG'], 'cat.png', { type: 'image/png' })]);
    const dialog = await screen.findByRole('dialog', { name: 'Manifest import' });
    expect(within(dialog).getByTestId('import-error-code').textContent).toBe('INVALID_CONFIG');
    expect(within(dialog).getByTestId('import-error-message').textContent).toBe(
      'cat.png is not a manifest. Drop a models.toml or models.json file.',
    );
    expect(client.importManifest).not.toHaveBeenCalled();
  });
});
