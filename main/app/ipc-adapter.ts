/**
 * The Electron side of the API: one `ipcMain.handle(API_CALL_CHANNEL)` whose handler checks
 * the sender frame, then lets the contract's `handleApiCall` validate and dispatch (errors
 * travel as data, nothing throws across IPC). Events go to one window with
 * `webContents.send(API_EVENT_CHANNEL)` until it is destroyed. Both are plain functions over
 * structural types, so Node tests drive them with fake events and fake webContents.
 */
import { API_EVENT_CHANNEL, handleApiCall, type ApiEvent, type ApiHandlers, type ApiResponse } from '../../shared/api';
import { OrchestratorError, toStructuredError } from '../../shared/errors';
import { isTrustedSenderUrl } from './app-page';

/** The part of Electron's IpcMainInvokeEvent the adapter reads. */
export interface IpcCallEvent {
  readonly senderFrame: { readonly url: string } | null;
}

export type IpcCallHandler = (event: IpcCallEvent, method: unknown, input: unknown) => Promise<ApiResponse>;

function senderUrl(event: IpcCallEvent): string | null {
  try {
    return event.senderFrame?.url ?? null; // a destroyed frame may throw on access
  } catch {
    return null;
  }
}

/** Origin only: a refused URL may carry a query string we must not log. */
function describeSender(url: string | null): string {
  if (!url) return 'a frame that no longer exists';
  try {
    const u = new URL(url);
    return u.origin && u.origin !== 'null' ? u.origin : `${u.protocol} page`;
  } catch {
    return 'an unknown page';
  }
}

export function createIpcCallHandler(
  handlers: ApiHandlers,
  isTrustedSender: (frameUrl: string | null) => boolean = isTrustedSenderUrl,
): IpcCallHandler {
  return async (event, method, input) => {
    const url = senderUrl(event);
    if (!isTrustedSender(url)) {
      const error = new OrchestratorError(
        'PERMISSION_DENIED',
        `api: refused a call from ${describeSender(url)}; only the app's own page may use the API.`,
        { sender: describeSender(url) },
      );
      return { ok: false, error: toStructuredError(error) };
    }
    return handleApiCall(handlers, method, input);
  };
}

/** The part of Electron's WebContents the event forwarder uses. */
export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

/**
 * Pushes every API event to `target` until it is destroyed (window closed or renderer gone),
 * then unsubscribes from the service. Returns the unsubscribe function for an earlier stop.
 */
export function forwardApiEvents(target: EventTarget, subscribe: (listener: (event: ApiEvent) => void) => () => void): () => void {
  let unsubscribe: (() => void) | null = null;
  const stop = () => {
    const u = unsubscribe;
    unsubscribe = null;
    u?.();
  };
  unsubscribe = subscribe((event) => {
    if (target.isDestroyed()) {
      stop();
      return;
    }
    try {
      target.send(API_EVENT_CHANNEL, event);
    } catch {
      stop(); // the renderer went away between the check and the send
    }
  });
  target.once('destroyed', stop);
  return stop;
}
