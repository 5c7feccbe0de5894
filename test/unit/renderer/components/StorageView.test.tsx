// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StorageView } from '../../../../renderer/components/StorageView';
import { disk, fakeClient, OpenDialog, renderWithStore, store } from './render-with-store';

const GB = 1_000_000_000;
const MB = 1_000_000;

/** The chart's bars as [part, x, width] in the 0..1000 wide drawing. */
const segments = () =>
  [...screen.getByTestId('disk-chart').querySelectorAll('svg g rect')].map((r) => [
    r.getAttribute('class'),
    Number(r.getAttribute('x')),
    Number(r.getAttribute('width')),
  ]);
const quotaLine = () => screen.getByTestId('disk-chart').querySelector('line.quota-line');
const legend = (part: string) => screen.getByTestId(`legend-${part}`).textContent;

describe('StorageView', () => {
  it('shows a placeholder while loading and the error code and message when disk usage cannot be read', () => {
    renderWithStore(<StorageView />);
    expect(screen.getByLabelText('Loading disk usage').getAttribute('aria-busy')).toBe('true');
    act(() =>
      store.getState().setDisk(null, {
        code: 'PERMISSION_DENIED',
        message: 'Cannot read /models: permission denied. Choose another folder in Settings.',
        details: {},
        retryable: false,
      }),
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('PERMISSION_DENIED');
    expect(alert.textContent).toContain('Choose another folder in Settings.');
  });

  it('draws the volume as models, partial downloads, other files and free space, in proportion', () => {
    renderWithStore(<StorageView />);
    act(() =>
      store.getState().setDisk(
        disk({
          totalBytes: 10 * GB,
          freeBytes: 4 * GB,
          partialBytes: 1 * GB,
          models: [{ id: 'a@1', variant: 'fp16', bytes: 2 * GB, pinned: false, lastUsed: null }],
        }),
      ),
    );
    expect(segments()).toEqual([
      ['seg-models', 0, 200],
      ['seg-partial', 200, 100],
      ['seg-other', 300, 300],
      ['seg-free', 600, 400],
    ]);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe('Models 2.00 GB, partial 1.00 GB, other 3.00 GB, free 4.00 GB');
    expect([legend('models'), legend('partial'), legend('other'), legend('free')]).toEqual([
      'Models 2.00 GB',
      'Partial downloads 1.00 GB',
      'Other files 3.00 GB',
      'Free 4.00 GB',
    ]);
  });

  it('keeps a tiny part visible as a sliver taken from the widest part', () => {
    renderWithStore(<StorageView />);
    act(() =>
      store.getState().setDisk(
        disk({
          totalBytes: 1000 * GB,
          freeBytes: 999 * GB,
          models: [{ id: 'a@1', variant: 'fp16', bytes: 5 * MB, pinned: false, lastUsed: null }],
        }),
      ),
    );
    const [models, other, free] = segments();
    expect(models?.[0]).toBe('seg-models');
    expect(models?.[2]).toBe(8);
    expect(other?.[0]).toBe('seg-other');
    expect(free?.[0]).toBe('seg-free');
    expect((models?.[2] as number) + (other?.[2] as number) + (free?.[2] as number)).toBeCloseTo(1000);
  });

  it('counts files shared between models once and says how much that saves', () => {
    renderWithStore(<StorageView />);
    act(() =>
      store.getState().setDisk(
        disk({
          totalBytes: 10 * GB,
          freeBytes: 5 * GB,
          storedBytes: 3 * GB,
          models: [
            { id: 'wan@2.2', variant: 'fp16', bytes: 2 * GB, pinned: true, lastUsed: null },
            { id: 'wan@2.2', variant: 'fp8', bytes: 1.5 * GB, pinned: false, lastUsed: null },
          ],
        }),
      ),
    );
    expect(legend('models')).toBe('Models 3.00 GB');
    expect(screen.getByTestId('models-on-disk-total').textContent).toBe('2 variants · 3.00 GB');
    expect(screen.getByText(/Identical files are stored once: 500 MB saved\./)).toBeTruthy();
    const rows = screen.getAllByTestId('usage-row');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^wan@2\.2 fp16 Pinned.*2\.00 GB$/),
      expect.stringMatching(/^wan@2\.2 fp8.*1\.50 GB$/),
    ]);
  });

  it('marks the quota on the chart and says how much of it the models use', () => {
    renderWithStore(<StorageView />);
    act(() =>
      store.getState().setDisk(
        disk({
          totalBytes: 10 * GB,
          freeBytes: 5 * GB,
          quotaBytes: 4 * GB,
          models: [{ id: 'a@1', variant: 'fp16', bytes: 3 * GB, pinned: false, lastUsed: null }],
        }),
      ),
    );
    expect(quotaLine()?.getAttribute('x1')).toBe('400');
    expect(legend('quota')).toBe('Quota 4.00 GB (75% used)');
    const meter = screen.getByTestId('quota-meter');
    expect(meter.textContent).toContain('Models use 3.00 GB of the 4.00 GB quota');
    expect(within(meter).getByRole('progressbar', { name: 'Share of the quota used by models' }).getAttribute('aria-valuenow')).toBe('75');
    expect(screen.queryByText(/Over quota/)).toBeNull();
  });

  it('warns when models are over the quota', () => {
    renderWithStore(<StorageView />);
    act(() =>
      store.getState().setDisk(
        disk({
          totalBytes: 10 * GB,
          freeBytes: 5 * GB,
          quotaBytes: 2 * GB,
          models: [{ id: 'a@1', variant: 'fp16', bytes: 3 * GB, pinned: false, lastUsed: null }],
        }),
      ),
    );
    expect(legend('quota')).toBe('Quota 2.00 GB (150% used)');
    expect(screen.getByText('Over quota: Clean up removes the least recently used unpinned models until they fit.')).toBeTruthy();
  });

  it('has no quota line without a quota and suggests setting one', () => {
    renderWithStore(<StorageView />);
    act(() => store.getState().setDisk(disk()));
    expect(quotaLine()).toBeNull();
    expect(screen.queryByTestId('legend-quota')).toBeNull();
    expect(screen.getByText('No quota set: choose one in Settings to let clean-up keep models under a budget.')).toBeTruthy();
    expect(screen.getByText('Nothing stored yet. Downloaded models appear here with their size, pin and last use.')).toBeTruthy();
  });

  it('re-reads disk usage on Refresh and opens the clean-up dialog', async () => {
    const client = fakeClient({ diskUsage: async () => disk({ freeBytes: 100 * MB }) });
    const { user } = renderWithStore(
      <>
        <StorageView />
        <OpenDialog />
      </>,
      client,
    );
    act(() => store.getState().setDisk(disk()));
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(client.diskUsage).toHaveBeenCalledTimes(1);
    expect(legend('free')).toBe('Free 100 MB');
    await user.click(screen.getByRole('button', { name: 'Clean up…' }));
    expect(screen.getByRole('dialog', { name: 'Clean up disk space' })).toBeTruthy();
  });
});
