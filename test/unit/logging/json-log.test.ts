import { describe, expect, it } from 'vitest';
import { JsonLog } from '../../../main/core/logging/json-log';
import { maskText, secretsFromEnv } from '../../../main/core/logging/secret-mask';
import { leakedSecrets, secretEnv, TEST_SECRETS } from '../../helpers/test-secrets';

describe('JSON log', () => {
  it('writes one JSON object a line with time, level, msg and a correlation id shared by one job', () => {
    const lines: string[] = [];
    const log = new JsonLog({ write: (l) => lines.push(l), now: () => Date.UTC(2026, 0, 2) });
    log.observe({ type: 'download-started', id: 'm@1', variant: 'fp16', bytesToFetch: 100 });
    log.observe({ type: 'file-fetched', id: 'm@1', variant: 'fp16', path: 'a.bin', source: 'https://h.example/m', bytes: 100 });
    log.observe({ type: 'download-started', id: 'other@1', variant: 'fp16', bytesToFetch: 1 });
    log.observe({
      type: 'download-finished',
      id: 'm@1',
      variant: 'fp16',
      status: 'success',
      source: 'https://h.example/m',
      bytesDownloaded: 100,
      dedupBytesSaved: 0,
      durationSeconds: 1,
    });
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ time: '2026-01-02T00:00:00.000Z', level: 'info', msg: 'downloading m@1 [fp16]', runId: log.runId });
    const ids = records.map((r) => r.correlationId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[3]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('masks the secrets of the environment, passwords in URLs, query strings and bearer tokens, however deep', () => {
    const lines: string[] = [];
    const log = new JsonLog({ write: (l) => lines.push(l), secrets: secretsFromEnv(secretEnv()) });
    log.log('error', `auth failed with ${TEST_SECRETS.hfToken}`, {
      error: {
        details: {
          url: `https://u:${TEST_SECRETS.basicPassword}@h.example/f?X-Amz-Signature=${TEST_SECRETS.urlSignature}`,
          header: `Bearer ${TEST_SECRETS.webToken}`,
          nested: [{ key: TEST_SECRETS.awsSecretAccessKey }],
        },
      },
    });
    expect(leakedSecrets(lines.join(''))).toEqual([]);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: 'auth failed with ***',
      error: { details: { url: 'https://***@h.example/f?***', header: 'Bearer ***', nested: [{ key: '***' }] } },
    });
  });

  it('leaves ordinary text alone', () => {
    expect(maskText('fetched unet/model.safetensors from https://h.example/wan22', [])).toBe(
      'fetched unet/model.safetensors from https://h.example/wan22',
    );
  });
});
