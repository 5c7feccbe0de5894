/** Settings: where models live, download limits, quota, and source credentials (write-only). */
import { useState, type FormEvent } from 'react';
import type { SettingsPatch } from '../../shared/api';
import { useActions, useAppStore } from '../store/app-context';
import { formatBytes, parseBytes } from '../format';
import { Dialog } from './Dialog';
import { MirrorSettings } from './MirrorSettings';

export function SettingsDialog() {
  const settings = useAppStore((s) => s.settings);
  const host = useAppStore((s) => s.appInfo?.host ?? 'web');
  const openDialog = useAppStore((s) => s.openDialog);
  const actions = useActions();
  const [root, setRoot] = useState(settings?.modelsRoot ?? '');
  const [parallel, setParallel] = useState(String(settings?.parallelDownloads ?? 2));
  const [bandwidth, setBandwidth] = useState(settings?.maxBytesPerSecond ? formatBytes(settings.maxBytesPerSecond) : '');
  const [quota, setQuota] = useState(settings?.quotaBytes ? formatBytes(settings.quotaBytes) : '');
  const [hfToken, setHfToken] = useState('');
  const [clearHf, setClearHf] = useState(false);
  const [endpoint, setEndpoint] = useState(settings?.s3.endpoint ?? '');
  const [region, setRegion] = useState(settings?.s3.region ?? '');
  const [accessKeyId, setAccessKeyId] = useState(settings?.s3.accessKeyId ?? '');
  const [secret, setSecret] = useState('');
  const [mirrors, setMirrors] = useState<string[]>(settings?.mirrors ?? []);
  const [error, setError] = useState<string | null>(null);
  const close = () => openDialog(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const patch: SettingsPatch = { parallelDownloads: Number(parallel) };
    if (root.trim() && root.trim() !== settings?.modelsRoot) patch.modelsRoot = root.trim();
    const bw = bandwidth.trim() ? parseBytes(bandwidth.replace(/\/s$/i, '')) : 0;
    const q = quota.trim() ? parseBytes(quota) : 0;
    if (bw === null || q === null) {
      setError('Write sizes like "20 GB" or "5 MB".');
      return;
    }
    patch.maxBytesPerSecond = bw || null;
    patch.quotaBytes = q || null;
    if (hfToken) patch.hfToken = hfToken;
    else if (clearHf) patch.hfToken = null;
    patch.s3 = { endpoint: endpoint.trim() || null, region: region.trim() || null, accessKeyId: accessKeyId.trim() || null };
    if (secret) patch.s3.secretAccessKey = secret;
    const cleanMirrors = mirrors.map((m) => m.trim()).filter((m) => m !== '');
    if (cleanMirrors.join('\n') !== (settings?.mirrors ?? []).join('\n')) patch.mirrors = cleanMirrors;
    if (await actions.saveSettings(patch)) close();
  };

  return (
    <Dialog title="Settings" onClose={close} wide testId="settings-dialog">
      <form className="settings-form" onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>Storage</legend>
          <label>
            <span>Models folder</span>
            <input value={root} onChange={(e) => setRoot(e.target.value)} spellCheck={false} data-autofocus />
            <small className="muted">
              {host === 'web' ? 'A folder on the machine running the server.' : 'Where models are stored on this computer.'}
            </small>
          </label>
          <label>
            <span>Quota for models</span>
            <input value={quota} onChange={(e) => setQuota(e.target.value)} placeholder="No quota" data-testid="settings-quota" />
            <small className="muted">Clean-up keeps models under this size, least recently used first; pinned models stay.</small>
          </label>
        </fieldset>
        <fieldset>
          <legend>Downloads</legend>
          <label>
            <span>Downloads at the same time</span>
            <select value={parallel} onChange={(e) => setParallel(e.target.value)}>
              {[1, 2, 3, 4, 6, 8].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Bandwidth limit (per second)</span>
            <input value={bandwidth} onChange={(e) => setBandwidth(e.target.value)} placeholder="Unlimited" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Hugging Face</legend>
          <label>
            <span>Access token</span>
            <input
              type="password"
              autoComplete="off"
              value={hfToken}
              onChange={(e) => setHfToken(e.target.value)}
              placeholder={settings?.hfTokenSet ? 'A token is saved — type to replace it' : 'hf_…'}
            />
          </label>
          {settings?.hfTokenSet ? (
            <label className="checkbox">
              <input type="checkbox" checked={clearHf} onChange={(e) => setClearHf(e.target.checked)} /> Forget the saved token
            </label>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>S3-compatible storage</legend>
          <label>
            <span>Endpoint</span>
            <input
              value={endpoint}
              onChange={(e) => setEndpoint(e.target.value)}
              placeholder="https://s3.amazonaws.com"
              spellCheck={false}
            />
          </label>
          <label>
            <span>Region</span>
            <input value={region} onChange={(e) => setRegion(e.target.value)} placeholder="us-east-1" spellCheck={false} />
          </label>
          <label>
            <span>Access key id</span>
            <input value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} spellCheck={false} autoComplete="off" />
          </label>
          <label>
            <span>Secret access key</span>
            <input
              type="password"
              autoComplete="off"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              placeholder={settings?.s3.secretAccessKeySet ? 'Saved — type to replace it' : ''}
            />
          </label>
        </fieldset>
        <MirrorSettings mirrors={mirrors} onChange={setMirrors} />
        {settings?.secretStorage === 'file' ? (
          <p className="muted">
            No system keychain is available here: tokens and keys are saved unencrypted in a settings file only your user can read.
          </p>
        ) : settings?.secretStorage === 'os-keychain' ? (
          <p className="muted">Tokens and keys are encrypted with your system keychain.</p>
        ) : null}
        {error ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog__footer dialog__footer--inline">
          <button type="button" className="button button--ghost" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button--primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
