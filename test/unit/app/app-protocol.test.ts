import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, serveAppAsset } from '../../../main/app/app-protocol';

let root: string;
let rendererDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'app-protocol-'));
  rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Model Orchestrator</title>');
  await writeFile(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'not for the renderer');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves the page with a strict CSP header', async () => {
    const res = await serveAppAsset('app://model-orchestrator/', rendererDir);
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain('Model Orchestrator');
    expect(res.headers['Content-Type']).toMatch(/^text\/html/);
    expect(res.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('serves assets with their content type', async () => {
    const res = await serveAppAsset('app://model-orchestrator/assets/index-abc.js', rendererDir);
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toMatch(/^text\/javascript/);
    expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const url of [
      'app://model-orchestrator/../secret.txt',
      'app://model-orchestrator/%2e%2e/secret.txt',
      'app://model-orchestrator/assets/..%2f..%2fsecret.txt',
      'app://model-orchestrator/..%5csecret.txt',
      'app://model-orchestrator/index.html%00.js',
      'app://other-host/index.html',
      'file:///etc/passwd',
      'app://model-orchestrator/missing.js',
    ]) {
      const res = await serveAppAsset(url, rendererDir);
      expect(res.status, url).toBe(404);
      expect(String(res.body)).not.toContain('not for the renderer');
    }
  });
});
