import { describe, expect, it } from 'vitest';
import {
  API_METHOD_NAMES,
  ApiCallError,
  apiMethods,
  createApiClient,
  createApiHandlers,
  handleApiCall,
  type ApiEvent,
  type ApiHandlers,
  type ApiService,
  type ApiTransport,
} from '../../../shared/api';
import { OrchestratorError } from '../../../shared/errors';

/** A service whose every method echoes its name and parsed input, so dispatch can be observed. */
function echoService(): ApiService {
  const service: Record<string, (input: unknown) => unknown> = {};
  for (const name of API_METHOD_NAMES) service[name] = async (input: unknown) => ({ method: name, input });
  return service as unknown as ApiService;
}

describe('api contract', () => {
  it('has a handler for every method, and refuses a service that lacks one', () => {
    const handlers = createApiHandlers(echoService());
    for (const name of API_METHOD_NAMES) expect(typeof handlers[name]).toBe('function');

    const incomplete = echoService() as unknown as Record<string, unknown>;
    delete incomplete.verify;
    expect(() => createApiHandlers(incomplete as unknown as ApiService)).toThrow(/lacks verify/);
  });

  it('gives the client one function per method, and each reaches the host under its own name', async () => {
    const handlers = createApiHandlers(echoService());
    const transport: ApiTransport = { call: (m, i) => handleApiCall(handlers, m, i), subscribe: () => () => {} };
    const client = createApiClient(transport);
    for (const name of API_METHOD_NAMES) expect(typeof client[name]).toBe('function');
    expect(await client.getStatus({ id: 'm', variant: 'fp16' })).toEqual({ method: 'getStatus', input: { id: 'm', variant: 'fp16' } });
    expect(await client.listModels()).toEqual({ method: 'listModels', input: {} });
    expect(await client.gcPlan()).toEqual({ method: 'gcPlan', input: {} });
  });

  it('answers an unknown method or a bad payload with INVALID_CONFIG instead of crashing', async () => {
    const handlers = createApiHandlers(echoService());
    const unknown = await handleApiCall(handlers, 'rmRfEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const notAString = await handleApiCall(handlers, 42, {});
    expect(notAString).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const proto = await handleApiCall(handlers, '__proto__', {});
    expect(proto).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });

    for (const [method, input] of [
      ['getStatus', {}],
      ['getStatus', { id: 5 }],
      ['getStatus', { id: 'a', extra: true }],
      ['startDownload', null],
      ['pauseJob', 'job-1'],
      ['gcRun', { maxSizeBytes: -1 }],
      ['setSettings', { parallelDownloads: 0 }],
      ['setSettings', { parallelDownloads: 2.5 }],
      ['importManifest', { name: 'x.toml' }],
      ['listModels', { surprise: 1 }],
    ] as const) {
      const response = await handleApiCall(handlers, method, input);
      expect(response.ok, `${method} ${JSON.stringify(input)}`).toBe(false);
      if (!response.ok) {
        expect(response.error.code).toBe('INVALID_CONFIG');
        expect(response.error.message).toContain(method);
        expect(Array.isArray(response.error.details.problems)).toBe(true);
      }
    }
  });

  it('turns a handler failure into the structured error the core raised', async () => {
    const service = echoService() as unknown as Record<string, unknown>;
    service.verify = async () => {
      throw new OrchestratorError('MODEL_NOT_FOUND', 'verify: no model "x" in the manifest. Import a manifest that lists it.');
    };
    service.diskUsage = () => {
      throw new TypeError('boom');
    };
    const handlers = createApiHandlers(service as unknown as ApiService);
    expect(await handleApiCall(handlers, 'verify', { id: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'MODEL_NOT_FOUND', retryable: false },
    });
    expect(await handleApiCall(handlers, 'diskUsage', undefined)).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_ERROR', message: 'boom' },
    });
  });

  it('rejects client calls with ApiCallError carrying the code, and delivers pushed events', async () => {
    const listeners = new Set<(e: ApiEvent) => void>();
    const handlers = createApiHandlers(echoService()) as ApiHandlers;
    const client = createApiClient({
      call: (m, i) => handleApiCall(handlers, m, i),
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    });
    const error = await client.pauseJob({ jobId: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).error.code).toBe('INVALID_CONFIG');

    const seen: ApiEvent[] = [];
    const off = client.onEvent((e) => seen.push(e));
    for (const l of listeners) l({ type: 'models' });
    off();
    for (const l of listeners) l({ type: 'disk' });
    expect(seen).toEqual([{ type: 'models' }]);
  });

  it('marks only openFolder and chooseFolder as desktop-only', () => {
    const desktopOnly = API_METHOD_NAMES.filter((n) => (apiMethods[n] as { desktopOnly?: boolean }).desktopOnly);
    expect(desktopOnly).toEqual(['openFolder', 'chooseFolder']);
  });
});
