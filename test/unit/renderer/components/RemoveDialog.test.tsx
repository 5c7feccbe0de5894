// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../../../shared/api';
import { Toasts } from '../../../../renderer/components/Toasts';
import { disk, fakeClient, OpenDialog, renderWithStore, status, store } from './render-with-store';

function openRemove(client = fakeClient()) {
  const rendered = renderWithStore(
    <>
      <OpenDialog />
      <Toasts />
    </>,
    client,
  );
  act(() => {
    store.getState().setStatuses([status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 })]);
    store.getState().openDialog({ kind: 'remove', id: 'wan@2.2', variant: 'fp16' });
  });
  return rendered;
}

const dialog = () => screen.getByRole('dialog', { name: 'Remove wan@2.2?' });

describe('RemoveDialog', () => {
  it('says which files go and how much, and that shared files stay', () => {
    openRemove();
    expect(dialog().textContent).toContain(
      'The fp16 files of wan@2.2 (4.00 MB) will be deleted from this computer. Files other models share stay.',
    );
    expect(within(dialog()).queryByText('This model is pinned; removing it unpins it.')).toBeNull();
  });

  it('starts on "Keep it", so Enter does not delete anything', async () => {
    const { client, user } = openRemove();
    expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Keep it' }));
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.remove).not.toHaveBeenCalled();
  });

  it('closes on Escape without removing', async () => {
    const { client, user } = openRemove();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.remove).not.toHaveBeenCalled();
  });

  it('keeps Tab and Shift+Tab inside the dialog', async () => {
    const { user } = openRemove();
    const names: string[] = [];
    for (const shift of [false, false, true, true]) {
      await user.tab({ shift });
      names.push((document.activeElement as HTMLElement).getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    }
    expect(names).toEqual(['Remove from disk', 'Close dialog', 'Remove from disk', 'Keep it']);
  });

  it('warns that removing a pinned model unpins it', () => {
    openRemove();
    act(() => store.getState().putStatus(status('wan@2.2', { status: 'COMPLETE', pinned: true, bytesPresent: 4_000_000 })));
    expect(within(dialog()).getByText('This model is pinned; removing it unpins it.')).toBeTruthy();
  });

  it('warns where the model is still linked (Use with… exports of this variant)', async () => {
    const client = fakeClient({
      listModelLinks: async () => ({
        links: [
          { kind: 'hf-cache', dir: '/home/me/.cache/huggingface/hub', variant: 'fp16', createdAt: 1 },
          { kind: 'folder', dir: '/opt/ComfyUI/models/checkpoints', variant: 'fp16', createdAt: 2 },
          { kind: 'folder', dir: '/elsewhere', variant: 'bf16', createdAt: 3 },
        ],
      }),
    });
    openRemove(client);
    const warning = await within(dialog()).findByTestId('remove-links-warning');
    expect(client.listModelLinks).toHaveBeenCalledWith({ id: 'wan@2.2' });
    expect(warning.textContent).toContain('It is still linked in these 2 places');
    expect(
      within(warning)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['/home/me/.cache/huggingface/hub (Hugging Face cache)', '/opt/ComfyUI/models/checkpoints ']);
  });

  it('says where the removed model is still linked', async () => {
    const client = fakeClient({
      remove: async ({ id, variant = 'fp16' }) => ({
        id,
        variant,
        bytesFreed: 0,
        links: [{ kind: 'folder', dir: '/opt/ComfyUI/models/checkpoints', variant, createdAt: 1 }],
      }),
      getStatus: async () => status('wan@2.2'),
      diskUsage: async () => disk(),
    });
    const { user } = openRemove(client);
    await user.click(within(dialog()).getByRole('button', { name: 'Remove from disk' }));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('fp16: freed 0 B. Still linked in /opt/ComfyUI/models/checkpoints.');
  });

  it('removes the variant through the host and tells how much was freed', async () => {
    const client = fakeClient({
      remove: async ({ id, variant = 'fp16' }) => ({ id, variant, bytesFreed: 4_000_000 }),
      getStatus: async () => status('wan@2.2'),
      diskUsage: async () => disk(),
    });
    const { user } = openRemove(client);
    await user.click(within(dialog()).getByRole('button', { name: 'Remove from disk' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.remove).toHaveBeenCalledWith({ id: 'wan@2.2', variant: 'fp16' });
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('Removed wan@2.2');
    expect(toast.textContent).toContain('fp16: freed 4.00 MB.');
    await waitFor(() => expect(client.diskUsage).toHaveBeenCalled());
  });

  it('shows the error code and message when the host cannot remove it', async () => {
    const client = fakeClient({
      remove: async () => {
        throw new ApiCallError({
          code: 'LOCK_TIMEOUT',
          message: 'wan@2.2 is being downloaded by another process. Try again when it finishes.',
          details: {},
          retryable: true,
        });
      },
    });
    const { user } = openRemove(client);
    await user.click(within(dialog()).getByRole('button', { name: 'Remove from disk' }));
    const toast = await screen.findByTestId('toast');
    expect(toast.getAttribute('data-tone')).toBe('error');
    expect(toast.textContent).toContain('Could not remove wan@2.2');
    expect(toast.textContent).toContain('LOCK_TIMEOUT: wan@2.2 is being downloaded by another process. Try again when it finishes.');
  });
});
