import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../../shared/results';
import { jobNotification } from '../../../main/core/jobs/job-notification';

const job = (state: JobProgress['state'], extra: Partial<JobProgress> = {}): JobProgress => ({
  jobId: 'j1',
  id: 'llama',
  variant: 'q4',
  state,
  bytesDone: 0,
  bytesTotal: 0,
  speed: 0,
  etaSeconds: null,
  files: [],
  ...extra,
});
const result = (downloadedBytes: number) => ({ id: 'llama', variant: 'q4', localPath: '/m', downloadedBytes, source: null });

describe('jobNotification', () => {
  it('says a finished model is ready, with what was downloaded or that it was already there', () => {
    expect(jobNotification(job('done'), { result: result(2_500_000) })).toEqual({
      kind: 'completed',
      title: 'llama is ready',
      body: 'Variant q4: 2.50 MB downloaded and verified.',
      id: 'llama',
      variant: 'q4',
      jobId: 'j1',
    });
    expect(jobNotification(job('done'), { result: result(0) })?.body).toBe('Variant q4 was already present and verified.');
  });

  it('says a failed download could not be done, with the error code and message', () => {
    const error = { code: 'AUTH_FAIL' as const, message: 'The Hub refused the token.', details: {}, retryable: false };
    expect(jobNotification(job('failed', { error }), {})).toMatchObject({
      kind: 'failed',
      title: 'llama could not be downloaded',
      body: 'AUTH_FAIL: The Hub refused the token.',
    });
  });

  it('says nothing for a cancelled or paused job', () => {
    expect(jobNotification(job('cancelled'), {})).toBeNull();
    expect(jobNotification(job('paused'), {})).toBeNull();
  });
});
