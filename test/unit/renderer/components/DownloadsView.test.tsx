// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../../shared/api';
import { DownloadsView } from '../../../../renderer/components/DownloadsView';
import { Sidebar } from '../../../../renderer/components/Sidebar';
import { emptyHost, fakeClient, job, renderWithStore, startApp, store } from './render-with-store';

const settings: SettingsView = {
  modelsRoot: '/models',
  parallelDownloads: 2,
  maxBytesPerSecond: null,
  quotaBytes: null,
  hfTokenSet: false,
  s3: { endpoint: null, region: null, accessKeyId: null, secretAccessKeySet: false },
};

const row = (id: string) => screen.getAllByTestId('job-row').find((r) => r.getAttribute('data-model-id') === id)!;
const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;

describe('DownloadsView', () => {
  it('says there are no downloads and leads back to the models', async () => {
    const { user } = renderWithStore(
      <>
        <Sidebar />
        <DownloadsView />
      </>,
    );
    act(() => store.getState().setView('downloads'));
    expect(screen.getByRole('heading', { name: 'No downloads' })).toBeTruthy();
    expect(screen.getByTestId('queue-summary').textContent).toBe('Nothing downloading');
    expect(button('Pause all').disabled).toBe(true);
    expect(button('Resume all').disabled).toBe(true);
    expect(button('Clear finished').disabled).toBe(true);
    await user.click(button('Go to models'));
    expect(screen.getByTestId('nav-models').getAttribute('aria-current')).toBe('page');
  });

  it('lists every job newest first with its state, progress, speed and time left', () => {
    renderWithStore(<DownloadsView />);
    act(() =>
      store.getState().setJobs([
        job('a@1', {
          state: 'running',
          bytesDone: 1_000_000,
          bytesTotal: 4_000_000,
          speed: 500_000,
          etaSeconds: 6,
          source: 'https://mirror.example/a',
        }),
        job('b@1', { state: 'queued', bytesDone: 0, speed: 0, etaSeconds: null }),
      ]),
    );
    expect(screen.getAllByTestId('job-row').map((r) => r.getAttribute('data-model-id'))).toEqual(['b@1', 'a@1']);
    expect(screen.getByTestId('queue-summary').textContent).toBe('1 running · 1 waiting · 500 KB/s');
    const a = within(row('a@1'));
    expect(a.getByText('Downloading')).toBeTruthy();
    expect(a.getByText('25%')).toBeTruthy();
    expect(a.getByRole('progressbar', { name: 'a@1 fp16 progress' }).getAttribute('aria-valuenow')).toBe('25');
    expect(row('a@1').textContent).toContain('1.00 MB of 4.00 MB500 KB/s6 s leftfrom https://mirror.example/a');
    expect(within(row('b@1')).getByText('Queued')).toBeTruthy();
    expect(button('Pause all').disabled).toBe(false);
    expect(button('Resume all').disabled).toBe(true);
  });

  it('pauses, resumes and cancels one job through the host', async () => {
    const client = fakeClient({
      pauseJob: async ({ jobId }) => job('a@1', { jobId, state: 'paused' }),
      resumeJob: async ({ jobId }) => job('a@1', { jobId, state: 'running' }),
      cancelJob: async ({ jobId }) => job('a@1', { jobId, state: 'cancelled' }),
    });
    const { user } = renderWithStore(<DownloadsView />, client);
    act(() => store.getState().setJobs([job('a@1')]));
    await user.click(button('Pause a@1'));
    expect(client.pauseJob).toHaveBeenCalledWith({ jobId: 'job-a@1' });
    expect(within(row('a@1')).getByText('Paused')).toBeTruthy();
    expect(button('Resume all').disabled).toBe(false);
    await user.click(button('Resume a@1'));
    expect(client.resumeJob).toHaveBeenCalledWith({ jobId: 'job-a@1' });
    expect(within(row('a@1')).getByText('Downloading')).toBeTruthy();
    await user.click(button('Cancel a@1'));
    expect(within(row('a@1')).getByText('Cancelled')).toBeTruthy();
    expect(button('Retry a@1')).toBeTruthy();
    expect(button('Clear finished').disabled).toBe(false);
  });

  it('shows why a job failed and clears finished jobs from the list', async () => {
    const client = fakeClient({ dismissJob: async ({ jobId }) => ({ jobId }) });
    const { user } = renderWithStore(<DownloadsView />, client);
    act(() =>
      store.getState().setJobs([
        job('a@1', { state: 'done', bytesDone: 4_000_000 }),
        job('b@1', {
          state: 'failed',
          error: {
            code: 'CHECKSUM_FAIL',
            message: 'model.safetensors does not match its sha256; it was discarded. Try another source.',
            details: {},
            retryable: true,
          },
        }),
        job('c@1', { state: 'running' }),
      ]),
    );
    const alert = within(row('b@1')).getByRole('alert');
    expect(alert.textContent).toContain('CHECKSUM_FAIL');
    expect(alert.textContent).toContain('does not match its sha256; it was discarded. Try another source.');
    await user.click(button('Clear finished'));
    expect(client.dismissJob.mock.calls.map(([input]) => input)).toEqual([{ jobId: 'job-a@1' }, { jobId: 'job-b@1' }]);
    expect(screen.getAllByTestId('job-row').map((r) => r.getAttribute('data-model-id'))).toEqual(['c@1']);
  });

  it('retries a failed job through the host', async () => {
    const client = fakeClient({ resumeJob: async ({ jobId }) => job('b@1', { jobId, state: 'queued' }) });
    const { user } = renderWithStore(<DownloadsView />, client);
    act(() => store.getState().setJobs([job('b@1', { state: 'failed' })]));
    await user.click(button('Retry b@1'));
    expect(client.resumeJob).toHaveBeenCalledWith({ jobId: 'job-b@1' });
    expect(within(row('b@1')).getByText('Queued')).toBeTruthy();
  });

  it('pauses and resumes everything at once', async () => {
    const client = fakeClient({
      pauseAll: async () => [job('a@1', { state: 'paused' }), job('b@1', { state: 'paused' })],
      resumeAll: async () => [job('a@1', { state: 'running' }), job('b@1', { state: 'queued' })],
    });
    const { user } = renderWithStore(<DownloadsView />, client);
    act(() => store.getState().setJobs([job('a@1'), job('b@1', { state: 'queued' })]));
    await user.click(button('Pause all'));
    expect(screen.getByTestId('queue-summary').textContent).toBe('Nothing downloading');
    expect(button('Pause all').disabled).toBe(true);
    await user.click(button('Resume all'));
    expect(screen.getByTestId('queue-summary').textContent).toBe('1 running · 1 waiting · 500 KB/s');
  });

  it('changes how many downloads run at once', async () => {
    const client = fakeClient({ setSettings: async (patch) => ({ ...settings, parallelDownloads: patch.parallelDownloads ?? 2 }) });
    const { user } = renderWithStore(<DownloadsView />, client);
    act(() => store.getState().setSettings(settings));
    const limit = screen.getByRole('combobox', { name: 'Downloads at the same time' }) as HTMLSelectElement;
    expect(limit.value).toBe('2');
    await user.selectOptions(limit, '4');
    expect(client.setSettings).toHaveBeenCalledWith({ parallelDownloads: 4 });
    expect(limit.value).toBe('4');
  });

  it('follows the progress the host pushes', async () => {
    const { client, actions } = renderWithStore(<DownloadsView />, fakeClient(emptyHost));
    const stop = await startApp(actions);
    act(() => client.push({ type: 'job', job: job('a@1', { bytesDone: 3_000_000 }) }));
    expect(within(row('a@1')).getByText('75%')).toBeTruthy();
    act(() => client.push({ type: 'job', job: job('a@1', { state: 'done', bytesDone: 4_000_000 }) }));
    expect(within(row('a@1')).getByText('Done')).toBeTruthy();
    expect(button('Clear a@1 from the list')).toBeTruthy();
    act(() => client.push({ type: 'jobRemoved', jobId: 'job-a@1' }));
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
    stop();
  });
});
