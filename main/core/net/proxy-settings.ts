/**
 * Which proxy a request takes, decided the way curl decides it, so a proxy setup that works
 * with curl works here too:
 * - an explicit proxy (Settings, `--proxy`, `MODELS_PROXY`) is used for http and https alike;
 * - otherwise `http_proxy`/`HTTP_PROXY` for http URLs and `https_proxy`/`HTTPS_PROXY` for https
 *   URLs (lower case first). Unlike undici's EnvHttpProxyAgent, an https URL never falls back to
 *   HTTP_PROXY: curl does not, and a plain-http proxy meant for http traffic should not see it;
 * - `no_proxy`/`NO_PROXY` (also for an explicit proxy, as with curl): `*` alone bypasses every
 *   host; an entry matches its host and every subdomain (a leading `.` or `*.` is ignored),
 *   `host:port` only that port, and an IP range in CIDR form (`10.0.0.0/8`) every address in it.
 * A proxy URL without a scheme means `http://`, as with curl.
 */
import { BlockList, isIP } from 'node:net';
import { OrchestratorError } from '../../../shared/errors';

export interface ProxyEnvironment {
  http_proxy?: string | undefined;
  HTTP_PROXY?: string | undefined;
  https_proxy?: string | undefined;
  HTTPS_PROXY?: string | undefined;
  no_proxy?: string | undefined;
  NO_PROXY?: string | undefined;
}

export interface ProxySettings {
  /** Proxy URL for http:// requests (credentials included), or null for direct. */
  readonly httpProxy: string | null;
  /** Proxy URL for https:// requests (credentials included), or null for direct. */
  readonly httpsProxy: string | null;
  /** The NO_PROXY list as given. */
  readonly noProxy: string;
}

interface NoProxyRule {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Reads the proxy settings: `explicit` wins over the environment; empty or blank means the environment. */
export function resolveProxySettings(explicit: string | null | undefined, env: ProxyEnvironment = process.env): ProxySettings {
  const pick = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v.trim() !== '')?.trim() ?? null;
  const chosen = pick(explicit ?? undefined);
  const httpProxy = chosen ?? pick(env.http_proxy, env.HTTP_PROXY);
  const httpsProxy = chosen ?? pick(env.https_proxy, env.HTTPS_PROXY);
  return {
    httpProxy: httpProxy === null ? null : normalizeProxyUrl(httpProxy),
    httpsProxy: httpsProxy === null ? null : normalizeProxyUrl(httpsProxy),
    noProxy: pick(env.no_proxy, env.NO_PROXY) ?? '',
  };
}

/** Adds `http://` to a bare `host:port` and checks the URL; a bad one is INVALID_CONFIG (credentials never shown). */
export function normalizeProxyUrl(value: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `The proxy "${redactProxyText(value)}" is not a URL. Write it as http://host:port (or http://user:password@host:port) in Settings, --proxy, MODELS_PROXY or HTTPS_PROXY/HTTP_PROXY.`,
      { proxy: redactProxyText(value) },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `The proxy ${redactProxyUrl(url.href)} uses ${url.protocol.replace(':', '')}://, which is not supported. Use an http:// or https:// proxy.`,
      { proxy: redactProxyUrl(url.href) },
    );
  }
  return url.href;
}

/** A proxy URL fit for messages and logs: scheme, host and port only (user and password removed). */
export function redactProxyUrl(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return redactProxyText(proxy);
  }
}

/** Removes anything before an `@` in text that did not parse as a URL. */
function redactProxyText(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}`);
}

/** Decides, per URL, whether to go through a proxy and which one. */
export class ProxyRoutes {
  private readonly bypassAll: boolean;
  private readonly rules: NoProxyRule[] = [];
  private readonly ranges = new BlockList();
  private hasRanges = false;

  constructor(readonly settings: ProxySettings) {
    const entries = settings.noProxy.split(/[,\s]+/).filter(Boolean);
    this.bypassAll = entries.length === 1 && entries[0] === '*';
    for (const entry of entries) {
      const cidr = /^([0-9a-f.:]+)\/(\d{1,3})$/i.exec(entry);
      const family = cidr ? isIP(cidr[1] as string) : 0;
      if (cidr && family !== 0) {
        this.ranges.addSubnet(cidr[1] as string, Number(cidr[2]), family === 6 ? 'ipv6' : 'ipv4');
        this.hasRanges = true;
        continue;
      }
      let host = entry;
      let port = 0;
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      const withPort = bracketed ?? (isIP(entry) === 6 ? null : /^(.+):(\d+)$/.exec(entry));
      if (withPort) {
        host = withPort[1] as string;
        port = Number(withPort[2] ?? 0);
      }
      host = host.replace(/^\*?\./, '').toLowerCase();
      this.rules.push({ host, port });
    }
  }

  /** The proxy URL (with credentials) a request to `target` goes through, or null for a direct connection. */
  proxyFor(target: string | URL): string | null {
    const url = typeof target === 'string' ? new URL(target) : target;
    const proxy = url.protocol === 'https:' ? this.settings.httpsProxy : url.protocol === 'http:' ? this.settings.httpProxy : null;
    if (proxy === null || this.bypasses(url)) return null;
    return proxy;
  }

  private bypasses(url: URL): boolean {
    if (this.bypassAll) return true;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
    for (const rule of this.rules) {
      if (rule.port !== 0 && rule.port !== port) continue;
      if (host === rule.host || host.endsWith(`.${rule.host}`)) return true;
    }
    const family = isIP(host);
    return this.hasRanges && family !== 0 && this.ranges.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
}
