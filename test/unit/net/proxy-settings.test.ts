import { describe, expect, it } from 'vitest';
import {
  normalizeProxyUrl,
  ProxyRoutes,
  redactProxyUrl,
  resolveProxySettings,
  type ProxyEnvironment,
} from '../../../main/core/net/proxy-settings';

const P = 'http://proxy.corp:3128/';
const routes = (env: ProxyEnvironment, explicit?: string) => new ProxyRoutes(resolveProxySettings(explicit, env));
const via = (env: ProxyEnvironment, url: string, explicit?: string) => routes(env, explicit).proxyFor(url);

describe('proxy choice (as curl makes it)', () => {
  it('uses http_proxy for http and https_proxy for https, lower case before upper case', () => {
    expect(via({ http_proxy: P }, 'http://a.test/x')).toBe(P);
    expect(via({ HTTP_PROXY: P }, 'http://a.test/x')).toBe(P);
    expect(via({ https_proxy: P, HTTPS_PROXY: 'http://other:1' }, 'https://a.test/x')).toBe(P);
    expect(via({ HTTPS_PROXY: P }, 'http://a.test/x')).toBeNull();
  });

  it('does not send https through HTTP_PROXY (undici would; curl does not)', () => {
    expect(via({ HTTP_PROXY: P }, 'https://a.test/x')).toBeNull();
  });

  it('lets an explicit proxy win for both schemes; empty means the environment', () => {
    expect(via({ HTTPS_PROXY: 'http://env:1' }, 'https://a.test/', 'http://mine:8080')).toBe('http://mine:8080/');
    expect(via({ HTTPS_PROXY: 'http://env:1' }, 'http://a.test/', 'http://mine:8080')).toBe('http://mine:8080/');
    expect(via({ HTTPS_PROXY: 'http://env:1' }, 'https://a.test/', '  ')).toBe('http://env:1/');
  });

  it('reads a bare host:port as http://', () => {
    expect(normalizeProxyUrl('proxy.corp:3128')).toBe(P);
  });

  it('honours NO_PROXY: *, names and their subdomains, leading dots, ports, CIDR ranges', () => {
    const env = { HTTPS_PROXY: P, HTTP_PROXY: P };
    expect(via({ ...env, NO_PROXY: '*' }, 'https://a.test/')).toBeNull();
    expect(via({ ...env, no_proxy: 'corp.example' }, 'https://hub.corp.example/')).toBeNull();
    expect(via({ ...env, no_proxy: 'corp.example' }, 'https://corp.example/')).toBeNull();
    expect(via({ ...env, no_proxy: 'corp.example' }, 'https://notcorp.example/')).toBe(P);
    expect(via({ ...env, no_proxy: '.corp.example' }, 'https://corp.example/')).toBeNull();
    expect(via({ ...env, no_proxy: '*.corp.example' }, 'https://a.corp.example/')).toBeNull();
    expect(via({ ...env, NO_PROXY: 'a.test:8443' }, 'https://a.test:8443/')).toBeNull();
    expect(via({ ...env, NO_PROXY: 'a.test:8443' }, 'https://a.test/')).toBe(P);
    expect(via({ ...env, NO_PROXY: 'localhost, 10.0.0.0/8' }, 'http://10.1.2.3/')).toBeNull();
    expect(via({ ...env, NO_PROXY: 'localhost, 10.0.0.0/8' }, 'http://11.1.2.3/')).toBe(P);
    expect(via({ ...env, NO_PROXY: '::1' }, 'http://[::1]:80/')).toBeNull();
    expect(via({ ...env, NO_PROXY: 'A.TEST' }, 'http://a.test/')).toBeNull();
    // A blank no_proxy does not hide NO_PROXY (blank counts as unset, as for the proxies).
    expect(via({ ...env, no_proxy: '', NO_PROXY: 'a.test' }, 'http://a.test/')).toBeNull();
    // `*` inside a list is not a wildcard (curl ignores it there too).
    expect(via({ ...env, NO_PROXY: 'x.test,*' }, 'http://a.test/')).toBe(P);
  });

  it('applies NO_PROXY to an explicit proxy too', () => {
    expect(via({ NO_PROXY: 'a.test' }, 'https://a.test/', 'http://mine:8080')).toBeNull();
  });

  it('redacts credentials from proxy URLs in messages', () => {
    expect(redactProxyUrl('http://user:pa%40ss@proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(() => normalizeProxyUrl('http://user:pw@[bad')).toThrow(/not a URL/);
    try {
      normalizeProxyUrl('http://user:pw@[bad');
    } catch (e) {
      expect((e as Error).message).not.toContain('pw');
    }
  });
});
