/**
 * The API over the localhost web host: calls are `POST /api/call/<method>` (the token travels
 * in the HttpOnly cookie set at first load), events arrive over server-sent events and
 * reconnect by themselves.
 */
import { parseApiEvent, type ApiEvent, type ApiResponse, type ApiTransport } from '../../shared/api';

export interface WebTransportOptions {
  baseUrl?: string;
  /** Told when the event stream connects or drops, to show the connection state. */
  onConnection?: (state: 'live' | 'lost') => void;
}

export function webTransport(options: WebTransportOptions = {}): ApiTransport {
  const base = options.baseUrl ?? '';
  const listeners = new Set<(event: ApiEvent) => void>();
  let source: EventSource | null = null;

  const connect = () => {
    if (source) return;
    source = new EventSource(`${base}/api/events`, { withCredentials: true });
    source.onopen = () => options.onConnection?.('live');
    source.onerror = () => options.onConnection?.('lost');
    source.onmessage = (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseApiEvent(data);
      if (event) for (const l of listeners) l(event);
    };
  };

  return {
    async call(method, input) {
      const response = await fetch(`${base}/api/call/${encodeURIComponent(method)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: input ?? null }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text) as ApiResponse;
      } catch {
        return {
          ok: false,
          error: {
            code: response.status === 401 ? 'PERMISSION_DENIED' : 'UNKNOWN_ERROR',
            message:
              response.status === 401
                ? 'The session expired. Open the URL printed by the server again.'
                : `The server answered ${response.status}: ${text.slice(0, 200)}`,
            details: { status: response.status },
            retryable: response.status >= 500,
          },
        };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
