/**
 * The core's HTTP dispatcher against a real forward proxy and a real TLS server on 127.0.0.1
 * whose certificate is signed by a CA made for this run: `models.internal.test` resolves only
 * through the proxy, so a response proves the request went through it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createHttpDispatcher, createHttpFetch, type HttpDispatcherOptions } from '../../../main/core/net';
import { OrchestratorError } from '../../../shared/errors';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { startForwardProxy, type ForwardProxy } from '../../helpers/forward-proxy';
import { makeTestCa, type TestCa } from '../../helpers/test-ca';
import { startTlsFront, type TlsFront } from '../../helpers/tls-front';

const HOST = 'models.internal.test';
const data = randomBytes(64 * 1024);
let server: FaultServer;
let tlsFront: TlsFront;
let ca: TestCa;
let proxy: ForwardProxy;
let authProxy: ForwardProxy;

beforeAll(async () => {
  ca = makeTestCa([HOST]);
  server = await startFaultServer();
  server.serve('/m/a.bin', data);
  tlsFront = await startTlsFront(server.url, ca);
  const hosts = { [`${HOST}:80`]: server.url, [`${HOST}:443`]: `127.0.0.1:${tlsFront.port}` };
  proxy = await startForwardProxy({ hosts });
  authProxy = await startForwardProxy({ hosts, auth: { user: 'alice', password: 's3cr3t-pw' } });
});

afterAll(async () => {
  await Promise.all([proxy?.close(), authProxy?.close(), tlsFront?.close(), server?.close()]);
});

async function get(url: string, options: HttpDispatcherOptions): Promise<{ status: number; body: Buffer }> {
  const dispatcher = createHttpDispatcher({ env: {}, ...options });
  try {
    const response = await createHttpFetch(dispatcher)(url);
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  } finally {
    await dispatcher.close();
  }
}

async function failureOf(url: string, options: HttpDispatcherOptions): Promise<OrchestratorError> {
  const error = await get(url, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestratorError);
  return error as OrchestratorError;
}

describe('createHttpDispatcher', () => {
  it('forwards http:// requests through the proxy as plain HTTP (GET http://host/path)', async () => {
    const before = proxy.requests.length;
    const got = await get(`http://${HOST}/m/a.bin`, { proxy: proxy.url });
    expect(got.status).toBe(200);
    expect(got.body.equals(data)).toBe(true);
    expect(proxy.requests.slice(before)).toEqual([{ method: 'GET', target: `http://${HOST}/m/a.bin`, status: 200, credentials: false }]);
  });

  it('tunnels https:// through CONNECT and trusts a server signed by the CA file', async () => {
    const before = proxy.requests.length;
    const got = await get(`https://${HOST}/m/a.bin`, { proxy: proxy.url, caFile: ca.caFile });
    expect(got.body.equals(data)).toBe(true);
    expect(proxy.requests.slice(before).map((r) => `${r.method} ${r.target} ${r.status}`)).toEqual([`CONNECT ${HOST}:443 200`]);
  });

  it('takes HTTPS_PROXY from the environment, and an explicit proxy wins over it', async () => {
    const env = { HTTPS_PROXY: proxy.url };
    expect((await get(`https://${HOST}/m/a.bin`, { env, caFile: ca.caFile })).status).toBe(200);
    const dead = { https_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' };
    expect((await get(`https://${HOST}/m/a.bin`, { env: dead, proxy: proxy.url, caFile: ca.caFile })).status).toBe(200);
    // Empty means the environment.
    expect((await get(`https://${HOST}/m/a.bin`, { env, proxy: '', caFile: ca.caFile })).status).toBe(200);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const before = proxy.requests.length;
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.0/8' };
    expect((await get(`${server.url}/m/a.bin`, { env })).body.equals(data)).toBe(true);
    expect(proxy.requests.length).toBe(before);
  });

  it('trusts the CA file in addition to NODE_EXTRA_CA_CERTS and the default roots', async () => {
    const env = { NODE_EXTRA_CA_CERTS: ca.caFile };
    // The CA file holds an unrelated CA; the server's CA comes from NODE_EXTRA_CA_CERTS and must stay trusted.
    expect((await get(`https://localhost:${tlsFront.port}/m/a.bin`, { env, caFile: ca.otherCaFile })).status).toBe(200);
  });

  it('refuses a certificate from an unknown CA with a message naming the host and the setting', async () => {
    const error = await failureOf(`https://${HOST}/m/a.bin`, { proxy: proxy.url });
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('certificate');
    expect(error.message).toContain(HOST);
    expect(error.message).toContain('MODELS_CA_FILE');
    expect(error.details).toMatchObject({ host: HOST, reason: 'certificate', proxy: proxy.url });
    // A CA file that does not hold the server's CA does not help either.
    const still = await failureOf(`https://localhost:${tlsFront.port}/m/a.bin`, { caFile: ca.otherCaFile });
    expect(still.details).toMatchObject({ reason: 'certificate' });
  });

  it('sends user:password@ from the proxy URL, and says to check the credentials on 407 without printing them', async () => {
    const withCredentials = authProxy.url.replace('http://', 'http://alice:s3cr3t-pw@');
    expect((await get(`http://${HOST}/m/a.bin`, { proxy: withCredentials })).status).toBe(200);
    expect((await get(`https://${HOST}/m/a.bin`, { proxy: withCredentials, caFile: ca.caFile })).status).toBe(200);

    const wrong = authProxy.url.replace('http://', 'http://alice:wrong-pw@');
    for (const url of [`http://${HOST}/m/a.bin`, `https://${HOST}/m/a.bin`]) {
      const error = await failureOf(url, { proxy: wrong, caFile: ca.caFile });
      expect(error.code).toBe('AUTH_FAIL');
      expect(error.message).toContain('proxy credentials');
      const printed = JSON.stringify({ message: error.message, details: error.details });
      expect(printed).not.toContain('wrong-pw');
      expect(printed).not.toContain('alice');
    }
  });

  it('names the proxy when it cannot be reached, without its credentials', async () => {
    const error = await failureOf(`https://${HOST}/m/a.bin`, { proxy: 'http://bob:hunter2@127.0.0.1:9' });
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('proxy http://127.0.0.1:9 cannot be reached');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects a proxy setting that is not an http(s) URL, without echoing credentials', () => {
    expect(() => createHttpDispatcher({ proxy: 'socks5://carol:pw123@127.0.0.1:1080' })).toThrow(/not supported/);
    try {
      createHttpDispatcher({ proxy: 'socks5://carol:pw123@127.0.0.1:1080' });
    } catch (e) {
      expect((e as OrchestratorError).code).toBe('INVALID_CONFIG');
      expect((e as Error).message).not.toContain('pw123');
    }
  });
});
