// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type ApiClient, type ApiMethodName } from '../../../../shared/api';
import type { ModelLink } from '../../../../shared/results';
import { ModelCard } from '../../../../renderer/components/ModelCard';
import { fakeClient, model, OpenDialog, renderWithStore, status, store } from './render-with-store';

const COMMIT = 'c'.repeat(40);
const HF_CACHE = '/home/me/.cache/huggingface/hub';
const hubModel = model('tiny-sd@ccccccc', { sources: [`hf://acme/tiny-sd@${COMMIT}`], variants: ['default'], defaultVariant: 'default' });
const folderModel = model('local@1', { sources: ['file:///data/local'], variants: ['default'], defaultVariant: 'default' });

type Answers = Partial<{ [M in ApiMethodName]: ApiClient[M] }>;

function openUseWith(m = hubModel, answers: Answers = {}, links: ModelLink[] = []) {
  let current = links;
  const rendered = renderWithStore(
    <>
      <ModelCard model={m} />
      <OpenDialog />
    </>,
    fakeClient({
      listModelLinks: async () => ({ links: current }),
      suggestAdoptFolders: async () => ({ folders: [{ path: HF_CACHE, label: 'Hugging Face cache', exists: true }] }),
      ...answers,
    }),
  );
  const setLinks = (l: ModelLink[]) => (current = l);
  act(() => {
    store.getState().setModels([m]);
    store
      .getState()
      .setStatuses([status(m.id, { variant: 'default', status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 })]);
  });
  return { ...rendered, setLinks };
}

const dialog = () => screen.getByTestId('use-with-dialog');

describe('UseWithDialog', () => {
  it('is offered on a complete model only', async () => {
    const { user } = openUseWith();
    await user.click(screen.getByTestId('use-with-button'));
    expect(screen.getByRole('dialog', { name: 'Use tiny-sd@ccccccc with other apps' })).toBeTruthy();
    act(() => store.getState().openDialog(null));
    act(() => store.getState().putStatus(status(hubModel.id, { variant: 'default', status: 'PARTIAL' })));
    expect(screen.queryByTestId('use-with-button')).toBeNull();
  });

  it('exports a Hub model to the default Hugging Face cache, shows where and how to load it, and lists the new link', async () => {
    const { client, user, setLinks } = openUseWith(hubModel, {
      exportModel: async ({ id, variant = 'default' }) => {
        setLinks([{ kind: 'hf-cache', dir: HF_CACHE, variant, createdAt: Date.now() }]);
        return { id, variant, dir: HF_CACHE, files: 4, linked: 4, copied: 0 };
      },
    });
    await user.click(screen.getByTestId('use-with-button'));
    expect(within(dialog()).getByTestId('model-links-empty').textContent).toBe('Nowhere yet.');
    expect((screen.getByTestId('use-with-hf-cache') as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(screen.getByTestId('use-with-default-dir').textContent).toBe(`Empty: the default cache at ${HF_CACHE}.`));
    await user.click(screen.getByTestId('use-with-export'));

    const result = await screen.findByTestId('use-with-result');
    expect(client.exportModel).toHaveBeenCalledWith({ id: hubModel.id, variant: 'default', target: 'hf-cache' });
    expect(within(result).getByTestId('use-with-result-dir').textContent).toBe(HF_CACHE);
    expect(document.activeElement?.textContent).toBe('Done');
    expect(result.textContent).toContain('4 files of tiny-sd@ccccccc (default) in');
    expect(result.textContent).toContain('4 hard-linked (no extra space)');
    expect(within(result).getByTestId('use-with-python-hint').textContent).toBe(
      'Python finds it offline: with HF_HUB_OFFLINE=1, load acme/tiny-sd at revision cccccccccccccccccccccccccccccccccccccccc.',
    );
    await waitFor(() =>
      expect(
        within(dialog())
          .getAllByTestId('model-link')
          .map((l) => l.textContent),
      ).toEqual([`Hugging Face cache ${HF_CACHE} just now`]),
    );
  });

  it('tells Python where a cache other than the default one is', async () => {
    const { client, user } = openUseWith(hubModel, {
      exportModel: async ({ id, variant = 'default', dir = '' }) => ({
        id,
        variant,
        dir: `${dir}/models--acme--tiny-sd`,
        files: 4,
        linked: 4,
        copied: 0,
      }),
    });
    await user.click(screen.getByTestId('use-with-button'));
    await user.type(screen.getByTestId('use-with-hf-cache-dir'), '/data/hf');
    await user.click(screen.getByTestId('use-with-export'));
    expect(client.exportModel).toHaveBeenCalledWith({ id: hubModel.id, variant: 'default', target: 'hf-cache', dir: '/data/hf' });
    expect((await screen.findByTestId('use-with-python-hint')).textContent).toBe(
      'Python finds it offline: with HF_HUB_OFFLINE=1 and HF_HUB_CACHE=/data/hf, load acme/tiny-sd at revision cccccccccccccccccccccccccccccccccccccccc.',
    );
  });

  it('exports to a folder the user types, and says to fill it in before', async () => {
    const { client, user } = openUseWith(hubModel, {
      exportModel: async ({ id, variant = 'default', dir = '' }) => ({ id, variant, dir, files: 4, linked: 3, copied: 1 }),
    });
    await user.click(screen.getByTestId('use-with-button'));
    await user.click(screen.getByTestId('use-with-folder'));
    expect((screen.getByTestId('use-with-export') as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByTestId('use-with-folder-dir'), '/opt/ComfyUI/models/checkpoints');
    await user.click(screen.getByTestId('use-with-export'));
    const result = await screen.findByTestId('use-with-result');
    expect(client.exportModel).toHaveBeenCalledWith({
      id: hubModel.id,
      variant: 'default',
      target: 'folder',
      dir: '/opt/ComfyUI/models/checkpoints',
    });
    expect(result.textContent).toContain('3 hard-linked (no extra space), 1 on another drive, so not hard-linked');
    expect(within(result).queryByTestId('use-with-python-hint')).toBeNull();
  });

  it('offers only a folder for a model that did not come from Hugging Face', async () => {
    const { user } = openUseWith(folderModel);
    await user.click(screen.getByTestId('use-with-button'));
    expect((screen.getByTestId('use-with-hf-cache') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('use-with-folder') as HTMLInputElement).checked).toBe(true);
    expect(dialog().textContent).toContain('Only for models added from Hugging Face');
  });

  it('lists the places the model is already linked', async () => {
    const { user } = openUseWith(hubModel, {}, [
      { kind: 'hf-cache', dir: HF_CACHE, variant: 'default', createdAt: Date.now() },
      { kind: 'folder', dir: '/opt/ComfyUI/models/checkpoints', variant: 'default', createdAt: Date.now() },
    ]);
    await user.click(screen.getByTestId('use-with-button'));
    await waitFor(() =>
      expect(
        within(dialog())
          .getAllByTestId('model-link')
          .map((l) => l.getAttribute('data-kind')),
      ).toEqual(['hf-cache', 'folder']),
    );
    expect(within(dialog()).getAllByTestId('model-link')[1]?.textContent).toBe('Folder /opt/ComfyUI/models/checkpoints just now');
  });

  it('shows an export error with its code, message and what to do', async () => {
    const { user } = openUseWith(hubModel, {
      exportModel: async () => {
        throw new ApiCallError({
          code: 'PERMISSION_DENIED',
          message: 'export: cannot write /opt/ComfyUI/models (permission denied).',
          details: {},
          retryable: false,
        });
      },
    });
    await user.click(screen.getByTestId('use-with-button'));
    await user.click(screen.getByTestId('use-with-folder'));
    await user.type(screen.getByTestId('use-with-folder-dir'), '/opt/ComfyUI/models');
    await user.click(screen.getByTestId('use-with-export'));
    const error = await screen.findByTestId('use-with-error');
    expect(within(error).getByTestId('error-code').textContent).toBe('PERMISSION_DENIED');
    expect(within(error).getByTestId('error-message').textContent).toContain('cannot write /opt/ComfyUI/models');
  });
});
