import { describe, expect, it } from 'vitest';
import { labelValue, sourceLabel } from '../../../main/core/health/metric-labels';
import { OrchestratorMetrics } from '../../../main/core/health/orchestrator-metrics';
import { parsePrometheusText } from '../../helpers/prometheus-text';
import { leakedSecrets, TEST_SECRETS } from '../../helpers/test-secrets';

describe('metric labels', () => {
  it('keep a source base but drop user:password, the query and the fragment', () => {
    expect(
      sourceLabel(`https://reader:${TEST_SECRETS.basicPassword}@mirror.example/models?X-Amz-Signature=${TEST_SECRETS.urlSignature}#x`),
    ).toBe('https://mirror.example/models');
    expect(sourceLabel('s3://team-bucket/wan22')).toBe('s3://team-bucket/wan22');
    expect(sourceLabel('hf://Wan-AI/Wan2.2-T2V-A14B@main')).toBe('hf://Wan-AI/Wan2.2-T2V-A14B@main');
    expect(sourceLabel(null)).toBe('none');
  });

  it('are bounded in length and characters', () => {
    const long = labelValue(`${'x'.repeat(500)}`);
    expect(long.length).toBe(128);
    expect(labelValue('a b"c\\d\n{e}')).toBe('a_b_c_d__e_');
  });

  it('never carry a secret into the exposition text, whatever the events say', async () => {
    const metrics = new OrchestratorMetrics({ root: () => null });
    const dirty = `https://u:${TEST_SECRETS.basicPassword}@h.example/p?sig=${TEST_SECRETS.urlSignature}`;
    metrics.observe({ type: 'file-fetched', id: 'm@1', variant: 'fp16', path: 'a', source: dirty, bytes: 10 });
    metrics.observe({
      type: 'download-finished',
      id: 'm@1',
      variant: 'fp16',
      status: 'success',
      source: dirty,
      bytesDownloaded: 10,
      dedupBytesSaved: 5,
      durationSeconds: 0.2,
    });
    const text = await metrics.text();
    expect(leakedSecrets(text)).toEqual([]);
    const parsed = parsePrometheusText(text);
    expect(parsed.value('model_download_bytes_total', { source: 'https://h.example/p' })).toBe(10);
    expect(parsed.value('model_dedup_bytes_saved_total')).toBe(5);
    expect(parsed.value('model_storage_bytes_used')).toBe(0);
  });
});
