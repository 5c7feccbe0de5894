/** Settings: where models live, download limits, quota, network (proxy, CA file), and source credentials (write-only). */
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
  // Network and free-space margin: sent only when changed, so a saved proxy keeps its (never shown) credentials.
  const savedMinFree = settings?.minFreeBytes != null ? formatBytes(settings.minFreeBytes) : '';
  const [minFree, setMinFree] = useState(savedMinFree);
  const [proxy, setProxy] = useState(settings?.proxy ?? '');
  const [caFile, setCaFile] = useState(settings?.caFile ?? '');
  const [mirrors, setMirrors] = useState<string[]>(settings?.mirrors ?? []);
  const [error, setError] = useState<string | null>(null);
  const close = () => openDialog(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const patch: SettingsPatch = { parallelDownloads: Number(parallel) };
    if (root.trim() && root.trim() !== settings?.modelsRoot) patch.modelsRoot = root.trim();
    const bw = bandwidth.trim() ? parseBytes(bandwidth.replace(/\/s$/i, '')) : 0;
    const q = quota.trim() ? parseBytes(quota) : 0;
    const margin = minFree.trim() ? parseBytes(minFree) : null;
    if (bw === null || q === null || (minFree.trim() && margin === null)) {
      setError('Write sizes like "20 GB" or "5 MB".');
      return;
    }
    patch.maxBytesPerSecond = bw || null;
    patch.quotaBytes = q || null;
    if (hfToken) patch.hfToken = hfToken;
    else if (clearHf) patch.hfToken = null;
    patch.s3 = { endpoint: endpoint.trim() || null, region: region.trim() || null, accessKeyId: accessKeyId.trim() || null };
    if (secret) patch.s3.secretAccessKey = secret;
    if (minFree.trim() !== savedMinFree) patch.minFreeBytes = margin;
    if (proxy.trim() !== (settings?.proxy ?? '')) patch.proxy = proxy.trim() || null;
    if (caFile.trim() !== (settings?.caFile ?? '')) patch.caFile = caFile.trim() || null;
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
          <label>
            <span>Keep free on disk</span>
            <input
              value={minFree}
              onChange={(e) => setMinFree(e.target.value)}
              placeholder="1 GiB (default)"
              data-testid="settings-min-free"
            />
            <small className="muted">A download starts only if this much space stays free after it.</small>
          </label>
        </fieldset>
        <fieldset>
          <legend>Network</legend>
          <label>
            <span>Proxy</span>
            <input
              value={proxy}
              onChange={(e) => setProxy(e.target.value)}
              placeholder="From the environment (HTTPS_PROXY, HTTP_PROXY)"
              spellCheck={false}
              autoComplete="off"
              data-testid="settings-proxy"
            />
            <small className="muted">
              {settings?.proxyCredentialsSet
                ? 'A user and password are saved with this proxy; type the whole URL to replace them.'
                : 'http://host:port, or http://user:password@host:port. Empty uses the environment; NO_PROXY always applies.'}
            </small>
          </label>
          <label>
            <span>CA certificates file</span>
            <input
              value={caFile}
              onChange={(e) => setCaFile(e.target.value)}
              placeholder="None (the system's usual CAs)"
              spellCheck={false}
              data-testid="settings-ca-file"
            />
            <small className="muted">A PEM file with your company's CA, trusted in addition to the usual ones.</small>
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
