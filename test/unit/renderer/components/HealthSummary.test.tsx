// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HealthReport, ModelHealth } from '../../../../shared/results';
import { StorageView } from '../../../../renderer/components/StorageView';
import { disk, fakeClient, job, renderWithStore, store } from './render-with-store';

function entry(id: string, overrides: Partial<ModelHealth> = {}): ModelHealth {
  return { id, variant: 'fp16', status: 'COMPLETE', bytesNeeded: 0, missingFiles: [], problem: null, action: null, ...overrides };
}

function report(models: ModelHealth[], overrides: Partial<HealthReport> = {}): HealthReport {
  const count = (s: ModelHealth['status']) => models.filter((m) => m.status === s).length;
  const complete = count('COMPLETE');
  return {
    health: complete === models.length ? 'healthy' : 'degraded',
    root: '/models',
    checkedAt: 0,
    problem: null,
    counts: {
      models: models.length,
      complete,
      verifying: 0,
      notPresent: count('NOT_PRESENT'),
      partial: count('PARTIAL'),
      corrupt: count('CORRUPT'),
      unchecked: count('UNCHECKED'),
    },
    models,
    ...overrides,
  };
}

const degraded = report([
  entry('ok@1'),
  entry('half@1', {
    status: 'PARTIAL',
    bytesNeeded: 2_000_000,
    missingFiles: ['b.bin'],
    problem: 'Partly downloaded: 1 file(s) still missing.',
    action: 'download',
  }),
  entry('bad@1', {
    status: 'CORRUPT',
    missingFiles: ['w.bin'],
    problem: 'Damaged (a file is missing, has the wrong size or failed verification): w.bin.',
    action: 'repair',
  }),
]);

describe('Storage health summary', () => {
  it('says degraded, lists what is wrong with each model and offers the one action that fixes it', async () => {
    const client = fakeClient({ startDownload: async ({ id }) => job(id, { state: 'queued' }) });
    const { user } = renderWithStore(<StorageView />, client);
    act(() => {
      store.getState().setDisk(disk());
      store.getState().setHealth(degraded);
    });
    expect(screen.getByTestId('health-summary').getAttribute('data-health')).toBe('degraded');
    expect(screen.getByTestId('health-state').textContent).toBe('Degraded: 1 of 3 complete');
    const rows = screen.getAllByTestId('health-problem');
    expect(rows.map((r) => r.getAttribute('data-model-id'))).toEqual(['half@1', 'bad@1']); // the complete one is not listed
    expect(rows[0]?.textContent).toContain('Partly downloaded: 1 file(s) still missing. 2.00 MB to download.');
    expect(rows[1]?.textContent).toContain('w.bin');

    await user.click(within(rows[0] as HTMLElement).getByRole('button', { name: 'Download' }));
    expect(client.startDownload).toHaveBeenCalledWith({ id: 'half@1', variant: 'fp16' });
    await user.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Repair' }));
    expect(client.startDownload).toHaveBeenCalledWith({ id: 'bad@1', variant: 'fp16' });
  });

  it('shows a running download instead of the action while the model is being fetched', () => {
    renderWithStore(<StorageView />);
    act(() => {
      store.getState().setDisk(disk());
      store.getState().setHealth(degraded);
      store.getState().putJob(job('half@1', { state: 'running' }));
    });
    const row = screen.getAllByTestId('health-problem')[0] as HTMLElement;
    const button = within(row).getByRole('button');
    expect(button.textContent).toBe('Downloading…');
    expect(button.hasAttribute('disabled')).toBe(true);
  });

  it('says healthy when every model is complete, and Check again asks the host again', async () => {
    const client = fakeClient({ getHealth: async () => report([entry('ok@1'), entry('fine@1')]) });
    const { user, actions } = renderWithStore(<StorageView />, client);
    act(() => store.getState().setDisk(disk()));
    await act(() => actions.refreshHealth());
    expect(screen.getByTestId('health-state').textContent).toBe('Healthy: all 2 complete');
    expect(screen.queryAllByTestId('health-problem')).toEqual([]);
    await user.click(within(screen.getByTestId('health-summary')).getByRole('button', { name: 'Check again' }));
    expect(client.getHealth).toHaveBeenCalledTimes(2);
  });

  it('shows why when the state is error, and the error when the host cannot answer', async () => {
    renderWithStore(<StorageView />);
    act(() => {
      store.getState().setDisk(disk());
      store
        .getState()
        .setHealth(report([], { health: 'error', problem: 'The manifest lists no models, so there is nothing to be healthy.' }));
    });
    expect(screen.getByRole('alert').textContent).toContain('The manifest lists no models');

    act(() =>
      store.getState().setHealth(null, { code: 'PERMISSION_DENIED', message: 'Cannot read /models.', details: {}, retryable: false }),
    );
    expect(screen.getByRole('alert').textContent).toContain('PERMISSION_DENIED');
  });

  it('marks an unchecked model as such with Check again as its action', () => {
    renderWithStore(<StorageView />);
    act(() => {
      store.getState().setDisk(disk());
      store.getState().setHealth(
        report(
          [
            entry('late@1', {
              status: 'UNCHECKED',
              bytesNeeded: null,
              problem: 'Not checked: the time budget ran out first.',
              action: 'check-again',
            }),
          ],
          {
            problem: '1 model(s) were not checked within the time budget.',
          },
        ),
      );
    });
    const row = screen.getByTestId('health-problem');
    expect(row.getAttribute('data-status')).toBe('UNCHECKED');
    expect(within(row).getByRole('button').textContent).toBe('Check again');
  });
});
