// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { GcOptions, GcResult } from '../../../../shared/results';
import { StorageView } from '../../../../renderer/components/StorageView';
import { disk, emptyHost, fakeClient, OpenDialog, renderWithStore, startApp, store } from './render-with-store';

const GB = 1_000_000_000;
const DAY = 86_400_000;

const plan: GcResult = {
  dryRun: true,
  removed: [
    { id: 'old@1', variant: 'fp16', bytes: 2 * GB, reason: 'max-age', lastUsed: Date.now() - 10 * DAY },
    { id: 'big@1', variant: 'fp8', bytes: 1 * GB, reason: 'quota', lastUsed: Date.now() - 3 * 3_600_000 },
  ],
  bytesReclaimed: 3 * GB,
  orphanBytes: 0,
};

/** A host with three models on disk whose clean-up, like the real one, never touches the pinned "keep@1". */
function gcHost() {
  let ran = false;
  const entry = (id: string, variant: string, bytes: number, pinned = false) => ({ id, variant, bytes, pinned, lastUsed: null });
  return fakeClient({
    ...emptyHost,
    gcPlan: async () => plan,
    gcRun: async () => {
      ran = true;
      return { ...plan, dryRun: false, orphanBytes: 5_000_000 };
    },
    diskUsage: async () =>
      disk({
        totalBytes: 100 * GB,
        freeBytes: 50 * GB,
        models: ran
          ? [entry('keep@1', 'fp16', 4 * GB, true)]
          : [entry('keep@1', 'fp16', 4 * GB, true), entry('old@1', 'fp16', 2 * GB), entry('big@1', 'fp8', 1 * GB)],
      }),
  });
}

function openGc(client = gcHost()) {
  const rendered = renderWithStore(<OpenDialog />, client);
  act(() => store.getState().openDialog({ kind: 'gc' }));
  return rendered;
}

const dialog = () => screen.getByRole('dialog', { name: 'Clean up disk space' });
const button = (name: string | RegExp) => within(dialog()).getByRole('button', { name }) as HTMLButtonElement;
const sizeBox = () => within(dialog()).getByRole('textbox', { name: /Keep models under/ }) as HTMLInputElement;
const ageBox = () => within(dialog()).getByRole('textbox', { name: /Remove models unused for more than/ }) as HTMLInputElement;

describe('GcDialog', () => {
  it('removes nothing before a preview, and says pinned models are kept', () => {
    const { client } = openGc();
    expect(within(dialog()).getByText('Models you pinned are always kept. Nothing is removed until you confirm.')).toBeTruthy();
    expect(button('Remove').disabled).toBe(true);
    expect(button('Remove').title).toBe('Preview first to see what will be removed');
    expect(client.gcRun).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(sizeBox());
  });

  it('previews with the limits typed in and lists each model, why, when last used and the bytes it frees', async () => {
    const { client, user } = openGc();
    await user.type(sizeBox(), '20 GB');
    await user.type(ageBox(), '30');
    await user.click(button('Preview'));
    expect(client.gcPlan).toHaveBeenCalledWith({ maxSizeBytes: 20 * GB, maxAgeMs: 30 * DAY } satisfies GcOptions);
    const rows = within(dialog()).getAllByTestId('gc-plan-row');
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['old@1 fp16', 'Not used for longer than the age limit', '10 days ago', '2.00 GB'],
      ['big@1 fp8', 'Over the size budget (least recently used first)', '3 h ago', '1.00 GB'],
    ]);
    expect(within(dialog()).getByTestId('gc-plan-total').textContent).toBe('3.00 GB');
    expect(button('Remove 2 and free 3.00 GB').disabled).toBe(false);
    expect(button('Preview again')).toBeTruthy();
  });

  it('runs the previewed clean-up and reports what it freed', async () => {
    const { client, user } = openGc();
    await user.type(ageBox(), '30');
    await user.click(button('Preview'));
    await user.click(button('Remove 2 and free 3.00 GB'));
    expect(client.gcRun).toHaveBeenCalledWith({ maxAgeMs: 30 * DAY });
    const result = within(dialog()).getByRole('status');
    expect(result.textContent).toBe('3.00 GB freedRemoved 2 model variants and 5.00 MB of leftovers.');
    expect(client.getAllStatuses).toHaveBeenCalled();
    expect(client.diskUsage).toHaveBeenCalled();
    await user.click(button('Done'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the pinned model: after the clean-up Storage still lists it, and only it', async () => {
    const { actions, user } = renderWithStore(
      <>
        <StorageView />
        <OpenDialog />
      </>,
      gcHost(),
    );
    const stop = await startApp(actions);
    const onDisk = () => screen.getAllByTestId('usage-row').map((r) => r.getAttribute('data-model-id'));
    expect(onDisk()).toEqual(['keep@1', 'old@1', 'big@1']);
    await user.click(screen.getByRole('button', { name: 'Clean up…' }));
    await user.click(button('Preview'));
    expect(
      within(dialog())
        .getAllByTestId('gc-plan-row')
        .map((r) => r.getAttribute('data-model-id')),
    ).toEqual(['old@1', 'big@1']);
    await user.click(button('Remove 2 and free 3.00 GB'));
    await user.click(button('Done'));
    await waitFor(() => expect(onDisk()).toEqual(['keep@1']));
    expect(screen.getByTestId('usage-row').textContent).toContain('Pinned');
    stop();
  });

  it('asks for a new preview when the limits change after one', async () => {
    const { client, user } = openGc();
    await user.type(ageBox(), '30');
    await user.click(button('Preview'));
    expect(button('Remove 2 and free 3.00 GB').disabled).toBe(false);
    await user.clear(ageBox());
    await user.type(ageBox(), '1');
    // The shown plan was made for 30 days; running 1 day could remove more than it lists.
    expect(within(dialog()).queryByTestId('gc-plan')).toBeNull();
    expect(button('Remove').disabled).toBe(true);
    expect(client.gcRun).not.toHaveBeenCalled();
  });

  it('says how to write a size it cannot read, and asks the host nothing', async () => {
    const { client, user } = openGc();
    await user.type(sizeBox(), 'lots');
    await user.click(button('Preview'));
    expect(within(dialog()).getByRole('alert').textContent).toBe('Write the size budget like "20 GB" or "500 MB".');
    expect(client.gcPlan).not.toHaveBeenCalled();
  });

  it('starts from the quota in the settings', () => {
    act(() => store.getState().setSettings({ ...settingsWithQuota(4 * GB) }));
    openGc();
    expect(sizeBox().value).toBe('4.00 GB');
  });

  it('says when there is nothing to remove', async () => {
    const client = fakeClient({ gcPlan: async () => ({ dryRun: true, removed: [], bytesReclaimed: 0, orphanBytes: 2_000_000 }) });
    const { user } = openGc(client);
    await user.click(button('Preview'));
    expect(within(dialog()).getByTestId('gc-plan-empty').textContent).toBe(
      'Nothing to remove with these limits; 2.00 MB of leftovers would be cleaned.',
    );
    expect(button('Remove 0 and free 0 B')).toBeTruthy();
  });

  it('closes on Escape and forgets the preview', async () => {
    const { user } = openGc();
    await user.click(button('Preview'));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => store.getState().openDialog({ kind: 'gc' }));
    expect(within(dialog()).queryByTestId('gc-plan')).toBeNull();
  });

  it('keeps keyboard focus inside the dialog (Tab and Shift+Tab cycle)', async () => {
    const { user } = openGc();
    const names = async (steps: number, shift = false) => {
      const seen: string[] = [];
      for (let i = 0; i < steps; i++) {
        await user.tab({ shift });
        const el = document.activeElement as HTMLElement;
        seen.push(el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName);
      }
      return seen;
    };
    expect(await names(4)).toEqual(['', 'Cancel', 'Preview', 'Close dialog']);
    expect(await names(2, true)).toEqual(['Preview', 'Cancel']);
    expect(dialog().contains(document.activeElement)).toBe(true);
  });
});

function settingsWithQuota(quotaBytes: number) {
  return {
    modelsRoot: '/models',
    parallelDownloads: 2,
    maxBytesPerSecond: null,
    quotaBytes,
    hfTokenSet: false,
    s3: { endpoint: null, region: null, accessKeyId: null, secretAccessKeySet: false },
  };
}
