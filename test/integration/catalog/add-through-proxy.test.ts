/**
 * `modelctl add hf://` reaches the Hub API the way downloads do: through --proxy (or
 * HTTP(S)_PROXY), here a forward proxy through which alone the Hub's host name resolves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy } from '../../helpers/forward-proxy';
import { startHubLookalike, type HubLookalike } from '../../helpers/hub-lookalike';
import { jsonOf, runCli } from '../cli/cli-harness';

const PROXY_PASSWORD = 'proxy-pass-Qm27';
const HUB_HOST = 'hub.internal.test';

let hub: HubLookalike;
let proxy: ForwardProxy;
let tmp: string;

beforeAll(async () => {
  hub = await startHubLookalike([
    {
      id: 'org/tiny',
      revisions: { main: { 'config.json': Buffer.from('{"hidden": 8}\n'), 'model.safetensors': Buffer.alloc(300_000, 7) } },
    },
  ]);
  const hubPort = new URL(hub.url).port;
  // The Hub's host name exists only behind the proxy; its paging links name 127.0.0.1, also reached through it.
  proxy = await startForwardProxy({
    hosts: { [`${HUB_HOST}:80`]: hub.url, [`127.0.0.1:${hubPort}`]: hub.url },
    auth: { user: 'lab', password: PROXY_PASSWORD },
  });
  tmp = await mkdtemp(path.join(tmpdir(), 'catalog-proxy-'));
});

afterAll(async () => {
  await proxy.close();
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

const env = { HF_ENDPOINT: `http://${HUB_HOST}`, HF_TOKEN: '', HTTP_PROXY: '', HTTPS_PROXY: '', NO_PROXY: '' };

describe('modelctl add through a proxy', () => {
  it('lists and pins a Hub repo through --proxy with credentials, which never appear in the output', async () => {
    const manifest = path.join(tmp, 'models.toml');
    const proxyUrl = `http://lab:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`;
    const run = await runCli(['--json', '--proxy', proxyUrl, '--manifest', manifest, 'add', 'hf://org/tiny'], { env });
    expect(run.code, run.stderr).toBe(0);
    const commit = hub.commitOf('org/tiny');
    expect(jsonOf(run)).toMatchObject({ source: `hf://org/tiny@${commit}`, files: 2, revision: commit });
    const viaProxy = proxy.requests.filter((r) => r.target.startsWith(`http://${HUB_HOST}/api/models/org/tiny`));
    expect(viaProxy.length).toBeGreaterThan(0);
    expect(viaProxy.every((r) => r.credentials && r.status === 200)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(PROXY_PASSWORD);
  });

  it('fails with a clear error, not a crash, when the Hub host cannot be reached without the proxy', async () => {
    const run = await runCli(['--json', '--manifest', path.join(tmp, 'direct.toml'), 'add', 'hf://org/tiny'], { env });
    expect(run.code).toBe(1);
    const { error } = jsonOf(run) as { error: { code: string; message: string } };
    expect(error.code).not.toBe('UNKNOWN_ERROR');
    expect(error.message).toContain(HUB_HOST);
  });
});
