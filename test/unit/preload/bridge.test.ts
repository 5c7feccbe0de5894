import { describe, expect, it } from 'vitest';
import { API_CALL_CHANNEL, API_EVENT_CHANNEL, API_METHOD_NAMES, bridgeTransport, createApiClient } from '../../../shared/api';
import { createPreloadBridge, type IpcRendererLike } from '../../../preload/bridge';
import { createIpcCallHandler } from '../../../main/app/ipc-adapter';
import { APP_PAGE_URL } from '../../../main/app/app-page';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(invoke: IpcRendererLike['invoke'] = async () => ({ ok: true, result: null })) {
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike = {
    invoke,
    on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l({ sender: 'the ipcRenderer itself' }, payload));
  return { ipc, listeners, emit };
}

describe('preload bridge', () => {
  it('exposes exactly one function per API method plus onEvent', () => {
    const bridge = createPreloadBridge(fakeIpcRenderer().ipc);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHOD_NAMES, 'onEvent'].sort());
    for (const key of Object.keys(bridge)) expect(typeof (bridge as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('forwards (method, input) over the call channel', async () => {
    const calls: unknown[][] = [];
    const bridge = createPreloadBridge(
      fakeIpcRenderer(async (...args) => {
        calls.push(args);
        return { ok: true, result: [] };
      }).ipc,
    );
    await bridge.startDownload({ id: 'tiny-llm@0.1.0' });
    expect(calls).toEqual([[API_CALL_CHANNEL, 'startDownload', { id: 'tiny-llm@0.1.0' }]]);
  });

  it('hands listeners the event payload only, never the IPC event, and unsubscribes', () => {
    const fake = fakeIpcRenderer();
    const bridge = createPreloadBridge(fake.ipc);
    const seen: unknown[] = [];
    const unsubscribe = bridge.onEvent((e) => seen.push(e));
    fake.emit(API_EVENT_CHANNEL, { type: 'disk' });
    fake.emit(API_EVENT_CHANNEL, { type: 'not-an-event' });
    expect(seen).toEqual([{ type: 'disk' }]);
    unsubscribe();
    unsubscribe();
    expect(fake.listeners.get(API_EVENT_CHANNEL)?.size).toBe(0);
  });

  it('gives the renderer a working typed client end to end through the IPC adapter', async () => {
    const handlers: Record<string, (input: unknown) => unknown> = {};
    for (const name of API_METHOD_NAMES) handlers[name] = () => `${name} answered`;
    const mainSide = createIpcCallHandler(handlers as never);
    // invoke() as Electron does it: the main handler gets an event from our page's frame.
    const fake = fakeIpcRenderer((_channel, method, input) => mainSide({ senderFrame: { url: APP_PAGE_URL } }, method, input));
    const client = createApiClient(bridgeTransport(createPreloadBridge(fake.ipc)));
    expect(await client.diskUsage()).toBe('diskUsage answered');
    await expect(client.getStatus({ id: '' })).rejects.toMatchObject({ error: { code: 'INVALID_CONFIG' } });
  });
});
