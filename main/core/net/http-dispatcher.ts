/**
 * The one place that builds the undici dispatcher for every request the core makes (downloads
 * from HTTP, S3 and Hugging Face sources, the Hub API, mirrors): proxies as curl picks them
 * (see proxy-settings.ts) through undici's EnvHttpProxyAgent, and private CAs added to the
 * default roots (see ca-certificates.ts). http:// URLs go through a proxy by plain forwarding and
 * https:// URLs through a CONNECT tunnel, as curl does, so TLS stays end to end.
 */
import { Agent, Dispatcher, EnvHttpProxyAgent, Pool, fetch as undiciFetch } from 'undici';
import type { SecureContext } from 'node:tls';
import { trustedCaContext } from './ca-certificates';
import { ProxyRoutes, redactProxyUrl, resolveProxySettings, type ProxyEnvironment } from './proxy-settings';
import { describeNetworkError } from './network-error';

export interface NetworkOptions {
  /** Proxy URL for every request (may hold `user:password@`); empty or absent = the environment's HTTP(S)_PROXY. */
  proxy?: string | null;
  /** PEM file of CA certificates trusted in addition to the default roots (and NODE_EXTRA_CA_CERTS). */
  caFile?: string | null;
  /** Where HTTP(S)_PROXY, NO_PROXY and NODE_EXTRA_CA_CERTS are read (default process.env). */
  env?: ProxyEnvironment & { NODE_EXTRA_CA_CERTS?: string | undefined };
}

/** Connection tuning, as undici's Agent takes it; applied to direct and proxied connections alike. */
export interface ConnectionTuning {
  connections?: number;
  pipelining?: number;
  keepAliveTimeout?: number;
  connectTimeout?: number;
  headersTimeout?: number;
  bodyTimeout?: number;
}

export type HttpDispatcherOptions = NetworkOptions & ConnectionTuning;

/** A dispatcher that also says which proxy a URL goes through (credentials removed), for messages. */
export class HttpDispatcher extends Dispatcher {
  private readonly direct: Agent;
  private readonly proxied: EnvHttpProxyAgent | null;

  constructor(
    private readonly routes: ProxyRoutes,
    tuning: ConnectionTuning,
    secureContext: SecureContext | undefined,
  ) {
    super();
    const tls = secureContext ? { secureContext } : {};
    const timeout = tuning.connectTimeout !== undefined ? { timeout: tuning.connectTimeout } : {};
    const options = { ...tuning, connect: { ...tls } };
    this.direct = new Agent(options);
    const { httpProxy, httpsProxy, noProxy } = routes.settings;
    this.proxied =
      httpProxy || httpsProxy
        ? new EnvHttpProxyAgent({
            ...options,
            // Never read the environment again here: the routes decided, these only name the proxy per scheme.
            httpProxy: (httpProxy ?? httpsProxy) as string,
            httpsProxy: (httpsProxy ?? httpProxy) as string,
            noProxy,
            proxyTunnel: false,
            requestTls: { ...tls, ...timeout },
            proxyTls: { ...tls, ...timeout },
            // Pools to the proxy itself (plain forwarding) get the same timeouts as direct ones.
            factory: (origin: string | URL, opts: object) => new Pool(origin, { ...options, ...opts }),
          })
        : null;
  }

  /** The proxy `url` goes through, redacted (`http://host:port`), or null for a direct connection. */
  proxyFor(url: string | URL): string | null {
    const proxy = this.routes.proxyFor(url);
    return proxy === null ? null : redactProxyUrl(proxy);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = options.origin ?? '';
    const viaProxy = this.proxied !== null && this.routes.proxyFor(String(origin)) !== null;
    return (viaProxy ? (this.proxied as EnvHttpProxyAgent) : this.direct).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.direct.close(), this.proxied?.close()]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : (a ?? null);
    const callback = typeof a === 'function' ? a : b;
    const done = Promise.all([this.direct.destroy(err), this.proxied?.destroy(err)]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }
}

/** The proxy `url` goes through when `dispatcher` is ours (redacted), else null. */
export function proxyOf(dispatcher: Dispatcher, url: string | URL): string | null {
  return dispatcher instanceof HttpDispatcher ? dispatcher.proxyFor(url) : null;
}

/**
 * Builds the dispatcher for the core's requests. Throws INVALID_CONFIG for a proxy that is not
 * an http(s) URL or a CA file that cannot be read.
 */
export function createHttpDispatcher(options: HttpDispatcherOptions = {}): HttpDispatcher {
  const { proxy, caFile, env = process.env, ...tuning } = options;
  const routes = new ProxyRoutes(resolveProxySettings(proxy, env));
  return new HttpDispatcher(routes, tuning, trustedCaContext(caFile, env as NodeJS.ProcessEnv));
}

export type HttpFetch = (
  input: string | URL,
  init?: Omit<Parameters<typeof undiciFetch>[1], 'dispatcher'>,
) => ReturnType<typeof undiciFetch>;

/**
 * undici's fetch through `dispatcher`. A failure to reach the server (certificate, proxy,
 * refused, timeout) rejects with an OrchestratorError that names the host and says what to do;
 * HTTP answers, 4xx and 5xx included, resolve as responses.
 */
export function createHttpFetch(dispatcher: HttpDispatcher): HttpFetch {
  return async (input, init) => {
    try {
      return await undiciFetch(input, { ...init, dispatcher });
    } catch (error) {
      const url = new URL(String(input));
      const cause = (error as { cause?: unknown }).cause ?? error;
      const described = describeNetworkError(cause, { url, proxy: dispatcher.proxyFor(url) });
      if (described) throw described;
      throw error;
    }
  };
}
