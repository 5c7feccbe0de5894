// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../../../shared/results';
import { ModelCard } from '../../../../renderer/components/ModelCard';
import { Toasts } from '../../../../renderer/components/Toasts';
import { fakeClient, job, model, OpenDialog, renderWithStore, status, store } from './render-with-store';

const wan = model('wan@2.2', {
  description: 'Text to video',
  variants: ['fp16', 'fp8'],
  variantBytes: { fp16: 4_000_000, fp8: 2_000_000 },
  files: [
    { path: 'high.safetensors', size: 2_000_000, optional: false, variants: ['fp16'] },
    { path: 'low.safetensors', size: 2_000_000, optional: false, variants: ['fp16'] },
    { path: 'small.safetensors', size: 2_000_000, optional: false, variants: ['fp8'] },
  ],
});

function withStatus(...list: ReturnType<typeof status>[]) {
  act(() => store.getState().setStatuses(list));
}

const card = () => screen.getByRole('article', { name: 'wan@2.2' });
const actionsGroup = () => within(card()).getByRole('group', { name: 'Actions for wan@2.2' });

describe('ModelCard', () => {
  it('shows the name, version, description, size and file count of the chosen variant', async () => {
    const { user } = renderWithStore(<ModelCard model={wan} />);
    withStatus(status('wan@2.2'));
    expect(within(card()).getByRole('heading', { name: 'wan@2.2' })).toBeTruthy();
    expect(within(card()).getByText('v1.0')).toBeTruthy();
    expect(within(card()).getByText('Text to video')).toBeTruthy();
    expect(screen.getByTestId('model-size').textContent).toBe('4.00 MB');
    expect(within(card()).getByText('2 files')).toBeTruthy();
    expect(screen.getByTestId('status-badge').textContent).toBe('Not downloaded');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant of wan@2.2' }), 'fp8');
    expect(screen.getByTestId('model-size').textContent).toBe('2.00 MB');
    expect(within(card()).getByText('1 file')).toBeTruthy();
    expect(screen.getByTestId('status-badge').textContent).toBe('Checking…');
  });

  it('downloads the chosen variant and then shows bytes, speed and time left with Pause and Cancel', async () => {
    let answer!: (value: ReturnType<typeof job>) => void;
    const client = fakeClient({ startDownload: () => new Promise((resolve) => (answer = resolve)) });
    const { user } = renderWithStore(<ModelCard model={wan} />, client);
    withStatus(status('wan@2.2', { variant: 'fp8' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Variant of wan@2.2' }), 'fp8');

    await user.click(within(actionsGroup()).getByRole('button', { name: 'Download' }));
    expect(client.startDownload).toHaveBeenCalledWith({ id: 'wan@2.2', variant: 'fp8' });
    // While the host has not answered, a second click cannot queue it twice.
    expect((within(actionsGroup()).getByRole('button', { name: 'Download' }) as HTMLButtonElement).disabled).toBe(true);

    await act(async () =>
      answer(job('wan@2.2', { variant: 'fp8', bytesDone: 500_000, bytesTotal: 2_000_000, speed: 250_000, etaSeconds: 6 })),
    );
    expect(screen.getByRole('progressbar', { name: 'wan@2.2 download progress' }).getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId('progress-bytes').textContent).toBe('500 KB of 2.00 MB');
    expect(screen.getByTestId('progress-speed').textContent).toBe('250 KB/s');
    expect(screen.getByTestId('progress-eta').textContent).toBe('6 s left');
    expect(screen.getByTestId('status-badge').textContent).toBe('Downloading 25%');
    expect(
      within(actionsGroup())
        .getAllByRole('button')
        .map((b) => b.textContent?.trim()),
    ).toEqual(['Pause', 'Cancel', '']);
  });

  it('pauses and resumes the running job through the host', async () => {
    const client = fakeClient({
      pauseJob: async ({ jobId }) => job('wan@2.2', { jobId, state: 'paused' }),
      resumeJob: async ({ jobId }) => job('wan@2.2', { jobId, state: 'running' }),
    });
    const { user } = renderWithStore(<ModelCard model={wan} />, client);
    act(() => store.getState().setJobs([job('wan@2.2')]));
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(client.pauseJob).toHaveBeenCalledWith({ jobId: 'job-wan@2.2' });
    expect(await screen.findByText('Paused — partial data is kept')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(client.resumeJob).toHaveBeenCalledWith({ jobId: 'job-wan@2.2' });
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeTruthy();
  });

  it('names what a failed download needs (code and message) and offers a retry', () => {
    renderWithStore(<ModelCard model={wan} />);
    withStatus(status('wan@2.2'));
    act(() =>
      store.getState().setJobs([
        job('wan@2.2', {
          state: 'failed',
          error: {
            code: 'NO_SPACE',
            message: 'Needs 4 MB more free space. Free some space or run Clean up.',
            details: {},
            retryable: true,
          },
        }),
      ]),
    );
    const alert = within(card()).getByRole('alert');
    expect(alert.textContent).toContain('NO_SPACE');
    expect(alert.textContent).toContain('Needs 4 MB more free space. Free some space or run Clean up.');
    expect(screen.getByTestId('status-badge').textContent).toBe('Failed');
    expect(within(actionsGroup()).getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('offers Resume for a partial download and Repair for a corrupt one', () => {
    renderWithStore(<ModelCard model={wan} />);
    withStatus(status('wan@2.2', { status: 'PARTIAL', bytesPresent: 1_000_000, bytesNeeded: 3_000_000 }));
    expect(within(card()).getByText('1.00 MB of 4.00 MB on disk — resume to finish')).toBeTruthy();
    expect(within(actionsGroup()).getByRole('button', { name: 'Resume' })).toBeTruthy();
    withStatus(status('wan@2.2', { status: 'CORRUPT' }));
    expect(within(actionsGroup()).getByRole('button', { name: 'Repair' })).toBeTruthy();
    expect(within(actionsGroup()).getByRole('button', { name: 'Verify' })).toBeTruthy();
  });

  it('pins a ready model so clean-up keeps it, and shows it as pinned', async () => {
    const client = fakeClient({
      pin: async ({ id, variant = 'fp16' }) => ({ id, variant, pinned: true }),
      getStatus: async () =>
        status('wan@2.2', { status: 'COMPLETE', pinned: true, missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }),
    });
    const { user } = renderWithStore(<ModelCard model={wan} />, client);
    withStatus(status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }));
    expect(screen.getByTestId('status-badge').textContent).toBe('Ready');
    expect(within(actionsGroup()).queryByRole('button', { name: 'Download' })).toBeNull();
    const pin = within(actionsGroup()).getByRole('button', { name: 'Pin' });
    expect(pin.getAttribute('aria-pressed')).toBe('false');
    await user.click(pin);
    expect(client.pin).toHaveBeenCalledWith({ id: 'wan@2.2', variant: 'fp16' });
    const unpin = await within(actionsGroup()).findByRole('button', { name: 'Unpin' });
    expect(unpin.getAttribute('aria-pressed')).toBe('true');
    expect(within(card()).getByTestId('pinned-chip').textContent).toContain('Pinned');
  });

  it('verifies a ready model and opens its files with the mismatching one marked', async () => {
    const failed: VerificationResult = {
      id: 'wan@2.2',
      variant: 'fp16',
      success: false,
      verifiedFiles: ['high.safetensors'],
      failedFiles: ['low.safetensors'],
      missingFiles: [],
      problems: [
        { path: 'low.safetensors', code: 'CHECKSUM_FAIL', message: 'sha256 differs', expected: 'a'.repeat(64), actual: 'b'.repeat(64) },
      ],
    };
    const client = fakeClient({
      verify: async () => failed,
      getStatus: async () => status('wan@2.2', { status: 'CORRUPT' }),
    });
    const { user } = renderWithStore(<ModelCard model={wan} />, client);
    withStatus(status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }));
    await user.click(within(actionsGroup()).getByRole('button', { name: 'Verify' }));
    expect(client.verify).toHaveBeenCalledWith({ id: 'wan@2.2', variant: 'fp16' });
    const summary = await screen.findByTestId('verify-summary');
    expect(summary.textContent).toBe('1 of 2 files failed verification. Download again to repair them.');
    expect(screen.getByRole('button', { name: 'Hide the files of wan@2.2' }).getAttribute('aria-expanded')).toBe('true');
    const rows = screen.getAllByTestId('file-row');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Verified'),
      expect.stringContaining('Checksum mismatchexpected aaaaaaaa…aaaaaaaa, found bbbbbbbb…bbbbbbbb'),
    ]);
    expect(screen.getByTestId('status-badge').textContent).toBe('Corrupt');
    expect(within(actionsGroup()).getByRole('button', { name: 'Repair' })).toBeTruthy();
  });

  it('opens and closes the file list from the keyboard', async () => {
    const { user } = renderWithStore(<ModelCard model={wan} />);
    withStatus(status('wan@2.2'));
    const toggle = screen.getByRole('button', { name: 'Show the files of wan@2.2' });
    toggle.focus();
    await user.keyboard('{Enter}');
    expect(screen.getAllByTestId('file-row').map((r) => r.getAttribute('data-path'))).toEqual(['high.safetensors', 'low.safetensors']);
    expect(screen.getByTestId('local-path').textContent).toBe('/models/wan@2.2/fp16');
    await user.keyboard(' ');
    expect(screen.queryByTestId('file-list')).toBeNull();
    expect(screen.getByRole('button', { name: 'Show the files of wan@2.2' }).getAttribute('aria-expanded')).toBe('false');
  });

  it('asks before removing a model from disk', async () => {
    const { user } = renderWithStore(
      <>
        <ModelCard model={wan} />
        <OpenDialog />
      </>,
    );
    withStatus(status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }));
    await user.click(screen.getByRole('button', { name: 'Remove wan@2.2 (fp16) from disk' }));
    expect(screen.getByRole('dialog', { name: 'Remove wan@2.2?' })).toBeTruthy();
  });

  it('copies the folder of a ready model to the clipboard and says so', async () => {
    const { user } = renderWithStore(
      <>
        <ModelCard model={wan} />
        <Toasts />
      </>,
    );
    withStatus(status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }));
    await user.click(screen.getByRole('button', { name: 'Copy the path of wan@2.2' }));
    expect(await navigator.clipboard.readText()).toBe('/models/wan@2.2/fp16');
    expect((await screen.findByTestId('toast')).textContent).toBe('Path copied/models/wan@2.2/fp16');
  });

  it('offers Open folder only where the host can open one', () => {
    renderWithStore(<ModelCard model={wan} />);
    withStatus(status('wan@2.2', { status: 'COMPLETE', missingFiles: [], bytesPresent: 4_000_000, bytesNeeded: 0 }));
    expect(screen.queryByRole('button', { name: 'Open the folder of wan@2.2' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy the path of wan@2.2' })).toBeTruthy();
    act(() => store.getState().setAppInfo({ version: '1', host: 'electron', canOpenFolder: true, modelsRoot: '/models' }));
    expect(screen.getByRole('button', { name: 'Open the folder of wan@2.2' })).toBeTruthy();
  });
});
