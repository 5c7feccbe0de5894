// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type ApiClient, type ApiMethodName } from '../../../../shared/api';
import type { AdoptResult } from '../../../../shared/results';
import { StorageView } from '../../../../renderer/components/StorageView';
import { Toasts } from '../../../../renderer/components/Toasts';
import { emptyHost, fakeClient, OpenDialog, renderWithStore, startApp, store } from './render-with-store';

const suggestions = [
  { path: '/home/me/.cache/huggingface/hub', label: 'Hugging Face cache', exists: true },
  { path: '/home/me/ComfyUI/models', label: 'ComfyUI models', exists: false },
  { path: '/home/me/Downloads', label: 'Downloads', exists: true },
];

const result: AdoptResult = {
  scannedFiles: 42,
  hashedBytes: 4_200_000_000,
  adoptedFiles: 3,
  adoptedBytes: 4_100_000_000,
  linked: 3,
  copied: 0,
  models: [
    { id: 'tiny-sd@1', variant: 'default', status: 'COMPLETE' },
    { id: 'wan@2.2', variant: 'fp16', status: 'COMPLETE' },
    { id: 'llm@3', variant: 'q4', status: 'PARTIAL' },
  ],
};

type Answers = Partial<{ [M in ApiMethodName]: ApiClient[M] }>;

async function openAdopt(answers: Answers = {}) {
  const rendered = renderWithStore(
    <>
      <StorageView />
      <OpenDialog />
      <Toasts />
    </>,
    fakeClient({ ...emptyHost, suggestAdoptFolders: async () => ({ folders: suggestions }), ...answers }),
  );
  await startApp(rendered.actions);
  await rendered.user.click(screen.getByTestId('adopt-button'));
  await screen.findByTestId('adopt-folders');
  return rendered;
}

const rows = () => screen.getAllByTestId('adopt-folder');
const checkbox = (path: string) =>
  within(rows().find((r) => r.getAttribute('data-path') === path) as HTMLElement).getByRole('checkbox') as HTMLInputElement;

describe('AdoptDialog', () => {
  it('lists the usual folders, the ones that exist checked and the missing ones unavailable', async () => {
    await openAdopt();
    expect(screen.getByRole('dialog', { name: 'Find models on this computer' })).toBeTruthy();
    expect(rows().map((r) => r.textContent)).toEqual([
      'Hugging Face cache/home/me/.cache/huggingface/hub',
      'ComfyUI models · not on this computer/home/me/ComfyUI/models',
      'Downloads/home/me/Downloads',
    ]);
    expect(checkbox('/home/me/.cache/huggingface/hub').checked).toBe(true);
    expect(checkbox('/home/me/ComfyUI/models').checked).toBe(false);
    expect(checkbox('/home/me/ComfyUI/models').disabled).toBe(true);
    expect(screen.getByTestId('adopt-scan').textContent).toContain('Scan 2 folders');
  });

  it('adds and removes a folder of the user, and scans exactly the checked folders', async () => {
    const { client, user } = await openAdopt({ adoptFolders: async () => result });
    await user.type(screen.getByTestId('adopt-new-folder'), '/mnt/models{Enter}');
    expect(rows().map((r) => r.getAttribute('data-path'))).toContain('/mnt/models');
    expect(screen.getByTestId('adopt-scan').textContent).toContain('Scan 3 folders');
    await user.type(screen.getByTestId('adopt-new-folder'), '/mnt/other');
    await user.click(screen.getByTestId('adopt-add-folder'));
    await user.click(screen.getByRole('button', { name: 'Remove /mnt/other from the list' }));
    await user.click(checkbox('/home/me/Downloads'));
    await user.click(screen.getByTestId('adopt-scan'));
    expect(client.adoptFolders).toHaveBeenCalledWith({ dirs: ['/home/me/.cache/huggingface/hub', '/mnt/models'] });
  });

  it('adds a folder chosen with the desktop folder picker straight to the list, checked', async () => {
    const { user } = await openAdopt({
      getAppInfo: async () => ({ version: '0.1.0', host: 'electron', canOpenFolder: true, modelsRoot: '/models' }),
      chooseFolder: async () => ({ path: '/media/usb/models' }),
    });
    await user.click(screen.getByTestId('adopt-new-folder-choose'));
    await waitFor(() => expect(checkbox('/media/usb/models').checked).toBe(true));
    expect(screen.getByTestId('adopt-scan').textContent).toContain('Scan 3 folders');
  });

  it('shows the scan as it goes from adoptProgress events: files looked at, bytes checked of the total, the current file', async () => {
    let finish: (r: AdoptResult) => void = () => {};
    const { client, user } = await openAdopt({ adoptFolders: () => new Promise<AdoptResult>((resolve) => (finish = resolve)) });
    await user.click(screen.getByTestId('adopt-scan'));
    const progress = await screen.findByTestId('adopt-progress');
    expect(progress.textContent).toContain('Starting…');
    act(() =>
      client.push({
        type: 'adoptProgress',
        progress: {
          phase: 'hashing',
          scannedFiles: 40,
          bytesToHash: 4_000_000_000,
          hashedBytes: 1_000_000_000,
          currentFile: '/home/me/x.bin',
        },
      }),
    );
    expect(screen.getByTestId('adopt-scanned').textContent).toBe('40 files looked at');
    expect(screen.getByTestId('adopt-hashed').textContent).toBe('1.00 GB of 4.00 GB checked');
    expect(screen.getByTestId('adopt-current-file').textContent).toBe('/home/me/x.bin');
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');

    await act(async () => finish(result));
    const done = await screen.findByTestId('adopt-result');
    expect(within(done).getByTestId('adopt-summary').textContent).toBe(
      'Adopted 3 files, 4.10 GB; these models are now complete: tiny-sd@1, wan@2.2 (fp16).',
    );
    expect(done.textContent).toContain('Nothing was downloaded, and the files in your folders were not changed.');
    expect(
      within(done)
        .getAllByTestId('adopt-model')
        .map((m) => m.getAttribute('data-status')),
    ).toEqual(['COMPLETE', 'COMPLETE', 'PARTIAL']);
    // The storage view and statuses are read again: adopted models now take space here.
    await waitFor(() => expect(client.diskUsage).toHaveBeenCalledTimes(2));
    expect(client.getAllStatuses).toHaveBeenCalledTimes(2);
    expect(document.activeElement?.textContent).toBe('Done');
  });

  it('says so when no model became complete', async () => {
    const { user } = await openAdopt({
      adoptFolders: async () => ({ ...result, adoptedFiles: 0, adoptedBytes: 0, linked: 0, models: [] }),
    });
    await user.click(screen.getByTestId('adopt-scan'));
    expect((await screen.findByTestId('adopt-summary')).textContent).toBe('Adopted 0 files, 0 B; no model became complete.');
  });

  it('tells the result in a message when the dialog was closed during the scan', async () => {
    let finish: (r: AdoptResult) => void = () => {};
    const { user } = await openAdopt({ adoptFolders: () => new Promise<AdoptResult>((resolve) => (finish = resolve)) });
    await user.click(screen.getByTestId('adopt-scan'));
    await screen.findByTestId('adopt-progress');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('adopt-dialog')).toBeNull();
    await act(async () => finish(result));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('Adopted 3 files, 4.10 GB; these models are now complete: tiny-sd@1, wan@2.2 (fp16).');
  });

  it('shows a failed scan with its code and message and lets the user try again', async () => {
    const { user } = await openAdopt({
      adoptFolders: async () => {
        throw new ApiCallError({
          code: 'PERMISSION_DENIED',
          message: 'adopt: cannot read /home/me/Downloads (permission denied).',
          details: {},
          retryable: false,
        });
      },
    });
    await user.click(screen.getByTestId('adopt-scan'));
    const error = await screen.findByTestId('adopt-error');
    expect(within(error).getByTestId('error-code').textContent).toBe('PERMISSION_DENIED');
    expect(within(error).getByTestId('error-message').textContent).toContain('cannot read /home/me/Downloads');
    expect(within(error).getByTestId('error-what-to-do').textContent).toContain('Choose a folder your user can read');
    expect(screen.getByTestId('adopt-scan')).toBeTruthy();
    expect(store.getState().dialog).toEqual({ kind: 'adopt' });
  });
});
