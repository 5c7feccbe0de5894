/**
 * A proxy- and CA-aware fetch for callers whose network settings can change while they live (the
 * app's Settings): one dispatcher is kept while the proxy and CA file stay the same, and replaced
 * (the old one closed) when they change. The Hub API and bucket listings of `add` use it.
 */
import { createHttpDispatcher, createHttpFetch, type HttpDispatcher, type NetworkOptions } from './http-dispatcher';

export class SharedFetch {
  private current: { key: string; dispatcher: HttpDispatcher; fetch: typeof fetch } | null = null;

  /** The fetch for these settings; throws INVALID_CONFIG for a bad proxy URL or an unreadable CA file. */
  for(options: NetworkOptions): typeof fetch {
    const key = JSON.stringify([options.proxy ?? null, options.caFile ?? null]);
    if (this.current?.key !== key) {
      const dispatcher = createHttpDispatcher(options);
      void this.current?.dispatcher.close();
      // undici's fetch and the global one share the WHATWG shapes the Hub client and S3 listing use.
      this.current = { key, dispatcher, fetch: createHttpFetch(dispatcher) as unknown as typeof fetch };
    }
    return this.current.fetch;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.dispatcher.close();
  }
}
