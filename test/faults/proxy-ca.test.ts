/**
 * Network faults, end to end through real `modelctl` processes: a forward proxy on 127.0.0.1
 * through which alone `models.internal.test` resolves (plain forwarding for http, CONNECT for
 * https), an HTTPS server whose certificate is signed by a CA made for this run, NO_PROXY, a proxy
 * that wants credentials, and an untrusted certificate. Each case checks the exit status and the
 * error code, that models/ holds only verified files, and a generous time bound.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFiles, jsonOf, runCli, writeManifest, type CliRun } from '../integration/cli/cli-harness';
import { startFaultServer, type FaultServer } from '../helpers/fault-server';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';
import { makeTestCa, type TestCa } from '../helpers/test-ca';
import { startTlsFront, type TlsFront } from '../helpers/tls-front';
import { assertStoreSound } from './helpers/store-invariants';

const HOST = 'models.internal.test';
const PASSWORD = 'pr0xy-s3cret';
const files = generateFiles([
  { path: 'weights.bin', size: 3 * 1024 * 1024 + 17 },
  { path: 'config.json', size: 900 },
]);
/** Generous bound: well under one 30 s stall timeout per case. */
const BOUND_MS = 30_000;

let server: FaultServer;
let tls: TlsFront;
let ca: TestCa;
let proxy: ForwardProxy;
let authProxy: ForwardProxy;

beforeAll(async () => {
  ca = makeTestCa([HOST]);
  server = await startFaultServer();
  for (const f of files) server.serve(`/m/${f.path}`, f.data);
  tls = await startTlsFront(server.url, ca);
  // The proxy also knows the test server's own address, so a request that should bypass it but does not still succeeds (and is logged).
  const hosts = { [`${HOST}:80`]: server.url, [`${HOST}:443`]: `127.0.0.1:${tls.port}`, [new URL(server.url).host]: server.url };
  proxy = await startForwardProxy({ hosts });
  authProxy = await startForwardProxy({ hosts, auth: { user: 'alice', password: PASSWORD } });
});

afterAll(async () => {
  await Promise.all([proxy?.close(), authProxy?.close(), tls?.close(), server?.close()]);
});

/** No proxy or CA from the machine running the tests leaks into a case. */
const CLEAN_ENV = { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', NO_PROXY: '', no_proxy: '', NODE_EXTRA_CA_CERTS: '' };

async function ensure(
  source: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ run: CliRun; root: string; ms: number }> {
  const manifest = writeManifest([{ id: 'net-model', files, sources: [source] }]);
  const root = mkdtempSync(join(tmpdir(), 'mo-net-root-'));
  const started = Date.now();
  const run = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', 'net-model', ...args], {
    env: { ...CLEAN_ENV, ...env },
  });
  return { run, root, ms: Date.now() - started };
}

async function expectInstalled({ run, root, ms }: { run: CliRun; root: string; ms: number }): Promise<void> {
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const doc = jsonOf(run) as { localPath: string };
  for (const f of files)
    expect(
      createHash('sha256')
        .update(readFileSync(join(doc.localPath, f.path)))
        .digest('hex'),
    ).toBe(f.sha256);
  expect((await assertStoreSound(root)).modelFiles).toBe(files.length);
  expect(ms).toBeLessThan(BOUND_MS);
}

async function expectFailure({ run, root, ms }: { run: CliRun; root: string; ms: number }, code: string) {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  const error = (jsonOf(run) as { error: { code: string; message: string; details: unknown } }).error;
  expect(error.code).toBe(code);
  expect((await assertStoreSound(root)).models).toBe(0);
  expect(ms).toBeLessThan(BOUND_MS);
  return error;
}

describe('network faults: proxies and private CAs', () => {
  it('ensures through HTTP_PROXY over plain http (forwarded GETs)', async () => {
    const before = proxy.requests.length;
    await expectInstalled(await ensure(`http://${HOST}/m`, { HTTP_PROXY: proxy.url }));
    const seen = proxy.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.method === 'GET' && r.target.startsWith(`http://${HOST}/m/`) && r.status === 200)).toBe(true);
  });

  it('ensures over https through CONNECT with the company CA in MODELS_CA_FILE', async () => {
    const before = proxy.requests.length;
    await expectInstalled(await ensure(`https://${HOST}/m`, { HTTPS_PROXY: proxy.url, MODELS_CA_FILE: ca.caFile }));
    expect(new Set(proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`))).toEqual(new Set([`CONNECT ${HOST}:443`]));
  });

  it('ensures over https when the CA comes from NODE_EXTRA_CA_CERTS (Node applies it at start)', async () => {
    await expectInstalled(await ensure(`https://${HOST}/m`, { https_proxy: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile }));
  });

  it('goes direct for a host in NO_PROXY, and through the proxy otherwise', async () => {
    const before = proxy.requests.length;
    await expectInstalled(await ensure(`${server.url}/m`, { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }));
    expect(proxy.requests.length).toBe(before);
    // Without NO_PROXY (or with a domain that does not match) the same requests go through the proxy.
    await expectInstalled(await ensure(`${server.url}/m`, { HTTP_PROXY: proxy.url, NO_PROXY: 'internal.test' }));
    expect(proxy.requests.slice(before).every((r) => r.target.startsWith(`${server.url}/m/`))).toBe(true);
    expect(proxy.requests.length).toBeGreaterThan(before);
  });

  it('uses user:password@ from --proxy, and says to check the credentials on 407 without printing them', async () => {
    const withCredentials = authProxy.url.replace('http://', `http://alice:${PASSWORD}@`);
    await expectInstalled(await ensure(`https://${HOST}/m`, { MODELS_CA_FILE: ca.caFile }, ['--proxy', withCredentials]));

    const wrong = authProxy.url.replace('http://', 'http://alice:not-the-password@');
    for (const source of [`https://${HOST}/m`, `http://${HOST}/m`]) {
      const result = await ensure(source, { MODELS_PROXY: wrong, MODELS_CA_FILE: ca.caFile });
      const error = await expectFailure(result, 'AUTH_FAIL');
      expect(error.message).toContain('proxy credentials');
      expect(result.run.stdout + result.run.stderr).not.toContain('not-the-password');
    }
    const none = await ensure(`https://${HOST}/m`, { HTTPS_PROXY: authProxy.url, MODELS_CA_FILE: ca.caFile });
    await expectFailure(none, 'AUTH_FAIL');
  });

  it('refuses an untrusted certificate with a message that names the host and the setting to use', async () => {
    const result = await ensure(`https://${HOST}/m`, { HTTPS_PROXY: proxy.url });
    const error = await expectFailure(result, 'SOURCE_UNAVAILABLE');
    expect(error.message).toContain('certificate');
    expect(error.message).toContain(HOST);
    expect(error.message).toContain('MODELS_CA_FILE');
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
    // Trusting another CA does not make this server trusted.
    await expectFailure(
      await ensure(`https://${HOST}/m`, { HTTPS_PROXY: proxy.url, MODELS_CA_FILE: ca.otherCaFile }),
      'SOURCE_UNAVAILABLE',
    );
  });

  it('names an unreachable proxy without its password', async () => {
    const result = await ensure(`https://${HOST}/m`, { HTTPS_PROXY: `http://bob:${PASSWORD}@127.0.0.1:9`, MODELS_CA_FILE: ca.caFile });
    const error = await expectFailure(result, 'SOURCE_UNAVAILABLE');
    expect(error.message).toContain('proxy http://127.0.0.1:9 cannot be reached');
    expect(result.run.stdout + result.run.stderr).not.toContain(PASSWORD);
  });
});
