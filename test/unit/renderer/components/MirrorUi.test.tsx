// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SettingsPatch, SettingsView } from '../../../../shared/api';
import type { MirrorPushResult } from '../../../../shared/results';
import { ModelCard } from '../../../../renderer/components/ModelCard';
import { disk, fakeClient, model, OpenDialog, renderWithStore, status, store } from './render-with-store';

const settings: SettingsView = {
  modelsRoot: '/models',
  parallelDownloads: 2,
  maxBytesPerSecond: null,
  quotaBytes: null,
  hfTokenSet: false,
  s3: { endpoint: 'http://127.0.0.1:9000', region: null, accessKeyId: 'AK', secretAccessKeySet: true },
  mirrors: ['s3://team-models/v1'],
};

describe('team mirror UI', () => {
  it('Settings lists the mirrors, tests one, and saves an added one', async () => {
    const client = fakeClient({
      testMirror: async ({ mirror }) =>
        mirror === 's3://team-models/v1'
          ? { mirror, ok: true, models: 2, message: 'Reachable; 2 models in the mirror.' }
          : {
              mirror,
              ok: false,
              models: null,
              message: 'access denied (HTTP 403). Check the access key and secret',
              error: { code: 'AUTH_FAIL', message: 'x', details: {}, retryable: false },
            },
      setSettings: async (patch: SettingsPatch) => ({ ...settings, mirrors: patch.mirrors ?? [] }),
      diskUsage: async () => disk(),
    });
    const { user } = renderWithStore(<OpenDialog />, client);
    act(() => {
      store.getState().setSettings(settings);
      store.getState().openDialog({ kind: 'settings' });
    });
    const section = screen.getByTestId('mirror-settings');
    expect((within(section).getByTestId('mirror-input') as HTMLInputElement).value).toBe('s3://team-models/v1');
    await user.click(within(section).getByTestId('mirror-test'));
    expect((await within(section).findByTestId('mirror-test-result')).textContent).toBe('Reachable; 2 models in the mirror.');
    await user.click(within(section).getByTestId('mirror-add'));
    const inputs = within(section).getAllByTestId('mirror-input');
    await user.type(inputs[1]!, 's3://other/x');
    await user.click(within(section).getAllByTestId('mirror-test')[1]!);
    await within(section)
      .findAllByTestId('mirror-test-result')
      .then((r) => expect(r).toHaveLength(2));
    expect(within(section).getAllByTestId('mirror-test-result')[1]?.textContent).toMatch(/^AUTH_FAIL: access denied/);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(client.setSettings.mock.calls.at(-1)?.[0].mirrors).toEqual(['s3://team-models/v1', 's3://other/x']);
  });

  it('a complete model says where its files came from and pushes to a mirror with progress', async () => {
    let finish: (r: MirrorPushResult) => void = () => undefined;
    const client = fakeClient({ pushToMirror: () => new Promise<MirrorPushResult>((resolve) => (finish = resolve)) });
    const m = model('llm@1');
    const { user } = renderWithStore(
      <>
        <ModelCard model={m} />
        <OpenDialog />
      </>,
      client,
    );
    act(() => {
      store.getState().setSettings(settings);
      store.getState().setModels([m]);
      store.getState().putStatus(
        status('llm@1', {
          status: 'COMPLETE',
          fileSources: [
            { path: 'a.bin', source: 's3://team-models/v1/blobs/sha256' },
            { path: 'b.bin', source: 'https://origin.example/m' },
          ],
        }),
      );
    });
    expect(screen.getByTestId('model-source').textContent).toBe(
      'via s3://team-models/v1/blobs/sha256 (1 file), https://origin.example/m (1 file)',
    );
    await user.click(screen.getByTestId('push-button'));
    const dialog = screen.getByTestId('push-dialog');
    expect((within(dialog).getByTestId('push-target') as HTMLInputElement).value).toBe('s3://team-models/v1');
    await user.click(within(dialog).getByTestId('push-confirm'));
    expect(client.pushToMirror).toHaveBeenCalledWith({ id: 'llm@1', variant: 'fp16', to: 's3://team-models/v1' });
    act(() =>
      store.getState().putMirrorProgress({
        id: 'llm@1',
        variant: 'fp16',
        to: 's3://team-models/v1',
        bytesDone: 50,
        bytesTotal: 200,
        bytesUploaded: 50,
        done: false,
      }),
    );
    expect(within(dialog).getByRole('progressbar', { name: 'Pushing llm@1' }).getAttribute('aria-valuenow')).toBe('25');
    await act(async () =>
      finish({ mirror: 's3://team-models/v1', pushed: [{ id: 'llm@1', variant: 'fp16' }], skipped: [], bytesUploaded: 200 }),
    );
    expect((await within(dialog).findByTestId('push-result')).textContent).toMatch(/^Pushed: 200 B? uploaded to s3:\/\/team-models\/v1\.$/);
  });
});
