import { describe, expect, it } from 'vitest';
import { APP_PAGE_URL, isAllowedExternalUrl, isTrustedSenderUrl } from '../../../main/app/app-page';

describe('app page and external links', () => {
  it('trusts only frames on the app origin', () => {
    expect(isTrustedSenderUrl(APP_PAGE_URL)).toBe(true);
    expect(isTrustedSenderUrl('app://model-orchestrator/assets/x.js')).toBe(true);
    for (const url of [
      'https://huggingface.co/',
      'file:///work/main/dist/renderer/index.html',
      'app://evil/index.html',
      'app://user:pw@model-orchestrator/index.html',
      'http://127.0.0.1:5173/',
      'about:blank',
      '',
      null,
      undefined,
      42,
    ]) {
      expect(isTrustedSenderUrl(url), String(url)).toBe(false);
    }
  });

  it('opens only https links to huggingface.co in the browser', () => {
    expect(isAllowedExternalUrl('https://huggingface.co/Wan-AI/Wan2.2-T2V-A14B')).toBe(true);
    expect(isAllowedExternalUrl('https://huggingface.co/settings/tokens')).toBe(true);
    expect(isAllowedExternalUrl('https://cdn-lfs.huggingface.co/x')).toBe(true);
    for (const url of [
      'http://huggingface.co/',
      'https://huggingface.co.evil.com/',
      'https://evilhuggingface.co/',
      'https://user@huggingface.co/',
      'https://huggingface.co:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://example.com/',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});
