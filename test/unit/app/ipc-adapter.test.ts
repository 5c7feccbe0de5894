import { describe, expect, it } from 'vitest';
import { API_EVENT_CHANNEL, API_METHOD_NAMES, type ApiEvent, type ApiHandlers } from '../../../shared/api';
import { createIpcCallHandler, forwardApiEvents, type EventTarget } from '../../../main/app/ipc-adapter';
import { APP_PAGE_URL } from '../../../main/app/app-page';

/** A handler table where every method answers with its own name and input. */
function echoHandlers(): ApiHandlers {
  const handlers: Record<string, (input: unknown) => unknown> = {};
  for (const name of API_METHOD_NAMES) handlers[name] = (input) => ({ method: name, input });
  return handlers as unknown as ApiHandlers;
}

const fromApp = { senderFrame: { url: APP_PAGE_URL } };

describe('IPC adapter', () => {
  it('dispatches a call from the app page to the handler with the parsed input', async () => {
    const handle = createIpcCallHandler(echoHandlers());
    const res = await handle(fromApp, 'getStatus', { id: 'tiny-llm@0.1.0', variant: 'q8' });
    expect(res).toEqual({ ok: true, result: { method: 'getStatus', input: { id: 'tiny-llm@0.1.0', variant: 'q8' } } });
  });

  it('refuses calls from any other frame, without calling the handler', async () => {
    let called = false;
    const handlers = echoHandlers();
    (handlers as unknown as Record<string, unknown>).listModels = () => {
      called = true;
      return [];
    };
    const handle = createIpcCallHandler(handlers);
    for (const senderFrame of [{ url: 'https://evil.example/page?token=secret' }, { url: 'file:///tmp/x.html' }, null]) {
      const res = await handle({ senderFrame }, 'listModels', undefined);
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('PERMISSION_DENIED');
        expect(res.error.message).not.toContain('secret');
      }
    }
    const throwing = {
      get senderFrame(): { url: string } {
        throw new Error('Object has been destroyed');
      },
    };
    expect((await handle(throwing, 'listModels', undefined)).ok).toBe(false);
    expect(called).toBe(false);
  });

  it('turns a bad method or input into a structured error instead of throwing', async () => {
    const handle = createIpcCallHandler(echoHandlers());
    const unknown = await handle(fromApp, 'rm -rf', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const bad = await handle(fromApp, 'getStatus', { id: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const extra = await handle(fromApp, 'getStatus', { id: 'x', __proto__: { polluted: true }, shell: 'yes' });
    expect(extra.ok).toBe(false);
  });

  it('reports a handler failure as data', async () => {
    const handlers = echoHandlers();
    (handlers as unknown as Record<string, unknown>).diskUsage = () => {
      throw Object.assign(new Error('disk gone'), { code: 'EIO' });
    };
    const res = await createIpcCallHandler(handlers)(fromApp, 'diskUsage', undefined);
    expect(res).toMatchObject({ ok: false, error: { code: 'FILESYSTEM_ERROR' } });
  });
});

function fakeWebContents() {
  const sent: unknown[] = [];
  let destroyed = false;
  let onDestroyed: (() => void) | null = null;
  const target: EventTarget = {
    send: (channel, event) => {
      expect(channel).toBe(API_EVENT_CHANNEL);
      sent.push(event);
    },
    isDestroyed: () => destroyed,
    once: (_name, listener) => {
      onDestroyed = listener;
    },
  };
  return {
    target,
    sent,
    destroy: () => {
      destroyed = true;
      onDestroyed?.();
    },
  };
}

function fakeEventSource() {
  const listeners = new Set<(e: ApiEvent) => void>();
  return {
    listeners,
    subscribe: (l: (e: ApiEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (e: ApiEvent) => [...listeners].forEach((l) => l(e)),
  };
}

describe('event forwarding', () => {
  it('pushes service events to the window until the window goes away', () => {
    const wc = fakeWebContents();
    const source = fakeEventSource();
    forwardApiEvents(wc.target, source.subscribe);
    source.emit({ type: 'models' });
    source.emit({ type: 'disk' });
    expect(wc.sent).toEqual([{ type: 'models' }, { type: 'disk' }]);
    wc.destroy();
    expect(source.listeners.size).toBe(0);
    source.emit({ type: 'models' });
    expect(wc.sent).toHaveLength(2);
  });

  it('unsubscribes when a send finds the window already destroyed', () => {
    const wc = fakeWebContents();
    const source = fakeEventSource();
    forwardApiEvents({ ...wc.target, isDestroyed: () => true, once: () => undefined }, source.subscribe);
    source.emit({ type: 'disk' });
    expect(wc.sent).toEqual([]);
    expect(source.listeners.size).toBe(0);
  });
});
