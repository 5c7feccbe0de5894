// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ModelsView } from '../../../../renderer/components/ModelsView';
import { fakeClient, job, model, OpenDialog, renderWithStore, status, store } from './render-with-store';

const models = [
  model('beta@1', { description: 'Speech to text', totalBytes: 9_000_000, variantBytes: { fp16: 9_000_000 } }),
  model('alpha@1', { description: 'Upscaler', totalBytes: 1_000_000, variantBytes: { fp16: 1_000_000 } }),
  model('gamma@1', { description: 'Text to video', totalBytes: 5_000_000, variantBytes: { fp16: 5_000_000 } }),
];

function loadModels() {
  act(() => {
    const s = store.getState();
    s.setModels(models);
    s.setStatuses([
      status('alpha@1', { status: 'COMPLETE', missingFiles: [], lastUsed: 3_000 }),
      status('beta@1', { lastUsed: 1_000 }),
      status('gamma@1', { status: 'CORRUPT', lastUsed: 2_000 }),
    ]);
  });
}

const shownIds = () => screen.queryAllByRole('article').map((a) => a.getAttribute('aria-label'));

describe('ModelsView', () => {
  it('shows a loading placeholder until the models arrive, then the list sorted by name', () => {
    renderWithStore(<ModelsView />);
    expect(screen.getByLabelText('Loading models').getAttribute('aria-busy')).toBe('true');
    loadModels();
    expect(screen.queryByLabelText('Loading models')).toBeNull();
    expect(shownIds()).toEqual(['alpha@1', 'beta@1', 'gamma@1']);
  });

  it('explains manifests and offers an import when there are no models', () => {
    renderWithStore(<ModelsView />);
    act(() => store.getState().setModels([]));
    const empty = screen.getByTestId('models-empty');
    expect(within(empty).getByRole('heading', { name: 'No models yet' })).toBeTruthy();
    expect(within(empty).getByRole('button', { name: 'Import manifest' })).toBeTruthy();
    expect(within(empty).getByText('What does a manifest look like?')).toBeTruthy();
    expect(screen.queryByRole('searchbox')).toBeNull();
  });

  it('imports the manifests chosen with "Import manifest" from the empty state', async () => {
    const client = fakeClient({
      importManifest: async ({ name }) => ({ name, ok: true, added: ['alpha@1'], conflicts: [], problems: [], error: null }),
      listModels: async () => [models[1]!],
      listManifests: async () => [{ name: 'models.json', models: ['alpha@1'], importedAt: Date.now(), builtIn: false }],
      getAllStatuses: async () => [],
    });
    const { user } = renderWithStore(<ModelsView />, client);
    act(() => store.getState().setModels([]));
    await user.click(screen.getByRole('button', { name: 'Import manifest' }));
    await user.upload(
      screen.getByTestId('import-input') as HTMLInputElement,
      new File(['{"schema_version":1}'], 'models.json', { type: 'application/json' }),
    );
    expect(client.importManifest).toHaveBeenCalledWith({ name: 'models.json', text: '{"schema_version":1}' });
    expect(await screen.findByRole('article', { name: 'alpha@1' })).toBeTruthy();
    expect(screen.queryByTestId('models-empty')).toBeNull();
  });

  it('filters by the text typed in the search box (name or description)', async () => {
    const { user } = renderWithStore(<ModelsView />);
    loadModels();
    await user.type(screen.getByRole('searchbox', { name: 'Search models' }), 'video');
    expect(shownIds()).toEqual(['gamma@1']);
    await user.clear(screen.getByRole('searchbox'));
    await user.type(screen.getByRole('searchbox'), 'ALPHA');
    expect(shownIds()).toEqual(['alpha@1']);
  });

  it('filters by status', async () => {
    const { user } = renderWithStore(<ModelsView />);
    loadModels();
    act(() => store.getState().setJobs([job('beta@1', { state: 'running' })]));
    const show = screen.getByRole('combobox', { name: 'Show' });
    await user.selectOptions(show, 'Ready');
    expect(shownIds()).toEqual(['alpha@1']);
    await user.selectOptions(show, 'Downloading');
    expect(shownIds()).toEqual(['beta@1']);
    await user.selectOptions(show, 'Problems');
    expect(shownIds()).toEqual(['gamma@1']);
    await user.selectOptions(show, 'All');
    expect(shownIds()).toHaveLength(3);
  });

  it('sorts by size, status and last use', async () => {
    const { user } = renderWithStore(<ModelsView />);
    loadModels();
    const sort = screen.getByRole('combobox', { name: 'Sort by' });
    await user.selectOptions(sort, 'Size');
    expect(shownIds()).toEqual(['beta@1', 'gamma@1', 'alpha@1']);
    await user.selectOptions(sort, 'Last used');
    expect(shownIds()).toEqual(['alpha@1', 'gamma@1', 'beta@1']);
    await user.selectOptions(sort, 'Status');
    // Problems before ready before not downloaded.
    expect(shownIds()).toEqual(['gamma@1', 'alpha@1', 'beta@1']);
  });

  it('says when nothing matches and brings everything back with one click', async () => {
    const { user } = renderWithStore(<ModelsView />);
    loadModels();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'Ready');
    await user.type(screen.getByRole('searchbox'), 'nothing like this');
    expect(shownIds()).toEqual([]);
    expect(screen.getByText('No model matches these filters.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Show all models' }));
    expect(shownIds()).toHaveLength(3);
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('');
    expect((screen.getByRole('combobox', { name: 'Show' }) as HTMLSelectElement).value).toBe('all');
  });

  it('jumps to the search box on "/" unless the user is typing in a field', async () => {
    const { user } = renderWithStore(<ModelsView />);
    loadModels();
    const search = screen.getByRole('searchbox');
    expect(search.getAttribute('aria-keyshortcuts')).toBe('/');
    await user.keyboard('/');
    expect(document.activeElement).toBe(search);
    expect((search as HTMLInputElement).value).toBe('');
    await user.keyboard('a/');
    expect((search as HTMLInputElement).value).toBe('a/');
  });

  it('leaves "/" alone while a dialog is open, so focus stays in the dialog', async () => {
    const { user } = renderWithStore(
      <>
        <ModelsView />
        <OpenDialog />
      </>,
    );
    loadModels();
    act(() => store.getState().openDialog({ kind: 'remove', id: 'alpha@1', variant: 'fp16' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove alpha@1?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep it' }));
    await user.keyboard('/');
    expect(dialog.contains(document.activeElement)).toBe(true);
  });

  it('lists the manifests and removes an imported one (not the startup one)', async () => {
    const { user, client } = renderWithStore(<ModelsView />);
    loadModels();
    act(() =>
      store.getState().setManifests([
        { name: 'models.toml', models: ['alpha@1', 'beta@1'], importedAt: 0, builtIn: true },
        { name: 'extra.toml', models: ['gamma@1'], importedAt: Date.now(), builtIn: false },
      ]),
    );
    await user.click(screen.getByText('2 manifests'));
    const rows = screen.getAllByTestId('manifest-row');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('2 models · loaded at startup'),
      expect.stringContaining('1 model · imported just now'),
    ]);
    expect(within(rows[0]!).queryByRole('button')).toBeNull();
    client.removeManifest.mockResolvedValue({ name: 'extra.toml', removed: ['gamma@1'] });
    client.listModels.mockResolvedValue(models.slice(0, 2));
    client.listManifests.mockResolvedValue([{ name: 'models.toml', models: ['alpha@1', 'beta@1'], importedAt: 0, builtIn: true }]);
    await user.click(within(rows[1]!).getByRole('button', { name: 'Remove the manifest extra.toml (downloaded files stay on disk)' }));
    expect(client.removeManifest).toHaveBeenCalledWith({ name: 'extra.toml' });
    expect(await screen.findByText('1 manifest')).toBeTruthy();
    expect(shownIds()).toEqual(['alpha@1', 'beta@1']);
  });
});
