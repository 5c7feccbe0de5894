// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type ApiClient, type ApiMethodName } from '../../../../shared/api';
import type { SourcePreview } from '../../../../shared/results';
import { ModelsView } from '../../../../renderer/components/ModelsView';
import { emptyHost, fakeClient, job, model, OpenDialog, renderWithStore, startApp, status, store } from './render-with-store';

const COMMIT = 'a'.repeat(40);
const preview: SourcePreview = {
  source: `hf://acme/tiny-sd@${COMMIT}`,
  revision: COMMIT,
  revisionName: 'main',
  suggestedId: 'tiny-sd@aaaaaaa',
  totalBytes: 6_000_000 + 3_000_000 + 2_000_000 + 500 + 100,
  files: [
    { path: 'unet/diffusion_pytorch_model.safetensors', size: 6_000_000, sha256: '1'.repeat(64), lfs: true },
    { path: 'unet/diffusion_pytorch_model.fp16.safetensors', size: 3_000_000, sha256: '2'.repeat(64), lfs: true },
    { path: 'unet/diffusion_pytorch_model.bin', size: 2_000_000, sha256: '3'.repeat(64), lfs: true },
    { path: 'unet/config.json', size: 500, sha256: '4'.repeat(64), lfs: false },
    { path: 'README.md', size: 100, sha256: '5'.repeat(64), lfs: false },
  ],
};

type Answers = Partial<{ [M in ApiMethodName]: ApiClient[M] }>;

async function openAdd(answers: Answers = {}) {
  const rendered = renderWithStore(
    <>
      <ModelsView />
      <OpenDialog />
    </>,
    fakeClient({ ...emptyHost, previewModelSource: async () => preview, ...answers }),
  );
  await startApp(rendered.actions);
  await rendered.user.click(screen.getByTestId('add-model-button'));
  return rendered;
}

const dialog = () => screen.getByTestId('add-model-dialog');
const keptPaths = () =>
  within(dialog())
    .getAllByTestId('source-file')
    .filter((r) => r.getAttribute('data-kept') === 'true')
    .map((r) => r.getAttribute('data-path'));

describe('AddModelDialog', () => {
  it('opens from the empty Models page with the source field focused', async () => {
    await openAdd();
    expect(screen.getByRole('dialog', { name: 'Add model' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('add-model-source'));
    // The web UI has no folder picker: the folder is typed as a path.
    expect(screen.queryByText('Choose folder…')).toBeNull();
  });

  it('looks a repo up, lists its files with sizes and the total, and pre-fills the model id', async () => {
    const { client, user } = await openAdd();
    await user.type(screen.getByTestId('add-model-source'), 'acme/tiny-sd');
    await user.type(screen.getByTestId('add-model-revision'), 'v1');
    await user.keyboard('{Enter}');
    await screen.findByRole('dialog', { name: 'Add model: choose files' });
    expect(client.previewModelSource).toHaveBeenCalledWith({ source: 'acme/tiny-sd', revision: 'v1' });
    expect(within(dialog()).getByTestId('add-model-pinned').textContent).toContain(`hf://acme/tiny-sd@${COMMIT}`);
    expect(within(dialog()).getByTestId('add-model-pinned').textContent).toContain('commit aaaaaaa');
    expect(within(dialog()).getAllByTestId('source-file')).toHaveLength(5);
    expect(within(dialog()).getByText('unet/diffusion_pytorch_model.safetensors').closest('tr')?.textContent).toContain('6.00 MB');
    expect(within(dialog()).getByTestId('add-model-total').textContent).toBe('5 of 5 files · 11.0 MB of 11.0 MB');
    expect((screen.getByTestId('add-model-id') as HTMLInputElement).value).toBe('tiny-sd@aaaaaaa');
    expect((screen.getByTestId('preset-everything') as HTMLInputElement).checked).toBe(true);
    // The keyboard lands on the filter: arrow keys pick a preset.
    expect(document.activeElement).toBe(screen.getByTestId('preset-everything'));
  });

  it('narrows the files with the presets and with patterns, and the total follows', async () => {
    const { user } = await openAdd();
    await user.type(screen.getByTestId('add-model-source'), 'acme/tiny-sd{Enter}');
    await screen.findByRole('dialog', { name: 'Add model: choose files' });

    await user.click(screen.getByTestId('preset-safetensors'));
    expect(keptPaths()).toEqual([
      'unet/diffusion_pytorch_model.safetensors',
      'unet/diffusion_pytorch_model.fp16.safetensors',
      'unet/config.json',
      'README.md',
    ]);

    await user.click(screen.getByTestId('preset-fp16'));
    expect(keptPaths()).toEqual(['unet/diffusion_pytorch_model.fp16.safetensors', 'unet/config.json', 'README.md']);
    expect(screen.getByTestId('add-model-total').textContent).toBe('3 of 5 files · 3.00 MB of 11.0 MB');

    await user.click(screen.getByTestId('preset-everything'));
    await user.type(screen.getByTestId('add-model-exclude'), '*.md, *.bin');
    expect(keptPaths()).toHaveLength(3);
    expect((screen.getByTestId('preset-everything') as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText('Your own patterns')).toBeTruthy();

    await user.type(screen.getByTestId('add-model-include'), 'model[[1');
    expect(screen.getByRole('alert').textContent).toContain('“model[1”: a “[” needs its “]”.');
    expect((screen.getByTestId('add-model-add') as HTMLButtonElement).disabled).toBe(true);
    await user.clear(screen.getByTestId('add-model-include'));
    await user.type(screen.getByTestId('add-model-include'), 'nothing-matches');
    expect(screen.getByText(/No file matches these patterns/)).toBeTruthy();
    expect((screen.getByTestId('add-model-add') as HTMLButtonElement).disabled).toBe(true);
  });

  it('adds the pinned source with the chosen patterns, id and variant, then downloads it on request', async () => {
    const added = model('tiny-sd@1', { variants: ['fp16'], defaultVariant: 'fp16', manifest: 'Added models' });
    let models: ReturnType<typeof model>[] = [];
    const { client, user } = await openAdd({
      addModel: async () => {
        models = [added];
        return {
          id: 'tiny-sd@1',
          variants: ['fp16'],
          files: 3,
          totalBytes: 3_000_600,
          source: preview.source,
          revision: COMMIT,
          manifest: '/state/added-models.toml',
        };
      },
      listModels: async () => models,
      getAllStatuses: async () => (models.length ? [status('tiny-sd@1')] : []),
      startDownload: async ({ id, variant = 'fp16' }) => job(id, { variant, state: 'queued', bytesDone: 0 }),
    });
    await user.type(screen.getByTestId('add-model-source'), 'https://huggingface.co/acme/tiny-sd{Enter}');
    await screen.findByRole('dialog', { name: 'Add model: choose files' });
    await user.click(screen.getByTestId('preset-fp16'));
    await user.clear(screen.getByTestId('add-model-id'));
    await user.type(screen.getByTestId('add-model-id'), 'tiny-sd@1');
    await user.type(screen.getByTestId('add-model-variant'), 'fp16');
    await user.click(screen.getByTestId('add-model-add'));

    const result = await screen.findByTestId('add-model-result');
    expect(client.addModel).toHaveBeenCalledWith({
      source: preview.source,
      // The branch the pinned commit came from, so an export writes refs/main.
      revisionName: 'main',
      id: 'tiny-sd@1',
      include: ['*fp16*', '*.json', '*.txt', '*.model', '*.tiktoken', '*.md', '*.py', '*.yaml', '*.jinja', '.gitattributes'],
      exclude: expect.arrayContaining(['*.bin', '*.ckpt', '*.gguf']),
      variants: [{ name: 'fp16', patterns: ['*'] }],
    });
    expect(result.textContent).toContain('tiny-sd@1 is in Added models: 3 files, 3.00 MB.');
    expect(result.textContent).toContain('pinned to this commit');
    // The new model is listed behind the dialog already.
    await waitFor(() => expect(screen.getAllByTestId('model-card').map((c) => c.getAttribute('data-model-id'))).toEqual(['tiny-sd@1']));

    expect(document.activeElement).toBe(screen.getByTestId('add-model-download'));
    await user.keyboard('{Enter}');
    expect(screen.queryByTestId('add-model-dialog')).toBeNull();
    expect(client.startDownload).toHaveBeenCalledWith({ id: 'tiny-sd@1', variant: 'fp16' });
  });

  it('shows a token problem with its code, the message and what to do, and opens Settings', async () => {
    const { user } = await openAdd({
      previewModelSource: async () => {
        throw new ApiCallError({
          code: 'AUTH_FAIL',
          message: 'acme/private-model: the Hub refused access (401). Set HF_TOKEN or save your token in Settings.',
          details: {},
          retryable: false,
        });
      },
    });
    await user.type(screen.getByTestId('add-model-source'), 'acme/private-model{Enter}');
    const error = await screen.findByTestId('add-model-error');
    expect(within(error).getByTestId('error-code').textContent).toBe('AUTH_FAIL');
    expect(within(error).getByTestId('error-message').textContent).toContain('the Hub refused access (401)');
    expect(within(error).getByTestId('error-what-to-do').textContent).toContain('Save your Hugging Face access token in Settings');
    expect(within(error).getByTestId('error-what-to-do').textContent).toContain('accept its terms');
    await user.click(within(error).getByTestId('open-settings'));
    expect(screen.getByTestId('settings-dialog')).toBeTruthy();
  });

  it('says to check the repo id for a typo when the repo is unknown, and keeps what was typed', async () => {
    const { user } = await openAdd({
      previewModelSource: async () => {
        throw new ApiCallError({
          code: 'MODEL_NOT_FOUND',
          message: 'acme/tiny-sdd: no such repo on the Hub.',
          details: {},
          retryable: false,
        });
      },
    });
    await user.type(screen.getByTestId('add-model-source'), 'acme/tiny-sdd');
    await user.click(screen.getByTestId('add-model-lookup'));
    const error = await screen.findByTestId('add-model-error');
    expect(within(error).getByTestId('error-code').textContent).toBe('MODEL_NOT_FOUND');
    expect(within(error).getByTestId('error-what-to-do').textContent).toContain('Check the repo id');
    expect((screen.getByTestId('add-model-source') as HTMLInputElement).value).toBe('acme/tiny-sdd');
  });

  it('shows that it is busy while a source is read, and cannot be sent twice', async () => {
    let answer: (p: SourcePreview) => void = () => {};
    const { client, user } = await openAdd({
      previewModelSource: () => new Promise<SourcePreview>((resolve) => (answer = resolve)),
    });
    await user.type(screen.getByTestId('add-model-source'), '/data/my-model{Enter}');
    expect(screen.getByTestId('add-model-busy').textContent).toContain('Reading the list of files');
    expect(screen.getByTestId('add-model-lookup').textContent).toContain('Looking up…');
    expect((screen.getByTestId('add-model-lookup') as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('{Enter}');
    expect(client.previewModelSource).toHaveBeenCalledTimes(1);
    await act(async () =>
      answer({ ...preview, source: 'file:///data/my-model', revision: null, revisionName: null, suggestedId: 'my-model' }),
    );
    expect((await screen.findByTestId('add-model-id')) as HTMLInputElement).toHaveProperty('value', 'my-model');
  });

  it('offers the folder picker on the desktop and fills the source with the chosen folder', async () => {
    const { user } = await openAdd({
      getAppInfo: async () => ({ version: '0.1.0', host: 'electron', canOpenFolder: true, modelsRoot: '/models' }),
      chooseFolder: async () => ({ path: '/home/me/models/my-model' }),
    });
    await user.click(screen.getByTestId('add-model-source-choose'));
    await waitFor(() => expect((screen.getByTestId('add-model-source') as HTMLInputElement).value).toBe('/home/me/models/my-model'));
  });

  it('closes on Escape without adding anything', async () => {
    const rendered = renderWithStore(
      <>
        <ModelsView />
        <OpenDialog />
      </>,
      fakeClient({ ...emptyHost, listModels: async () => [model('a@1')] }),
    );
    await startApp(rendered.actions);
    act(() => store.getState().openDialog({ kind: 'add-model' }));
    expect(screen.getByTestId('add-model-dialog')).toBeTruthy();
    await rendered.user.type(screen.getByTestId('add-model-source'), 'acme/tiny-sd');
    await rendered.user.keyboard('{Escape}');
    expect(screen.queryByTestId('add-model-dialog')).toBeNull();
    expect(rendered.client.previewModelSource).not.toHaveBeenCalled();
    expect(rendered.client.addModel).not.toHaveBeenCalled();
  });
});
