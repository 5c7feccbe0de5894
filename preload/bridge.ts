/**
 * What the preload exposes as `window.modelOrchestrator`: one function per method of the API
 * contract (generated from API_METHOD_NAMES, so a new method needs no preload change) plus
 * `onEvent(listener) -> unsubscribe`. The renderer never sees ipcRenderer or the IPC event
 * object (its `sender` would hand out ipcRenderer). Built over an injected ipcRenderer-like
 * object so Node tests check it.
 */
import {
  API_CALL_CHANNEL,
  API_EVENT_CHANNEL,
  API_METHOD_NAMES,
  parseApiEvent,
  type ApiEvent,
  type ApiResponse,
  type PreloadBridge,
} from '../shared/api';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadBridge(ipc: IpcRendererLike): PreloadBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of API_METHOD_NAMES) {
    // Only (method, input) crosses; the main side validates both against the contract.
    bridge[method] = (input?: unknown) => ipc.invoke(API_CALL_CHANNEL, method, input) as Promise<ApiResponse>;
  }
  bridge.onEvent = (listener: (event: ApiEvent) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent: pass a function.');
    const relay = (_event: unknown, payload: unknown) => {
      const event = parseApiEvent(payload);
      if (event) listener(event);
    };
    ipc.on(API_EVENT_CHANNEL, relay);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(API_EVENT_CHANNEL, relay);
    };
  };
  return Object.freeze(bridge) as PreloadBridge;
}
