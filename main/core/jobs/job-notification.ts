/**
 * The desktop/web notification for a download job that has just settled: "ready" when it is
 * done, "could not be downloaded" with the error code when it failed; nothing otherwise.
 */
import type { AppNotification } from '../../../shared/api';
import { formatDecimalBytes } from '../../../shared/byte-sizes';
import { toStructuredError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/results';
import type { JobOutcome } from './download-queue';

export function jobNotification(job: JobProgress, outcome: JobOutcome): AppNotification | null {
  if (job.state === 'done' && outcome.result) {
    const fetched = outcome.result.downloadedBytes;
    return {
      kind: 'completed',
      title: `${job.id} is ready`,
      body:
        fetched > 0
          ? `Variant ${job.variant}: ${formatDecimalBytes(fetched)} downloaded and verified.`
          : `Variant ${job.variant} was already present and verified.`,
      id: job.id,
      variant: job.variant,
      jobId: job.jobId,
    };
  }
  if (job.state === 'failed') {
    const error = job.error ?? (outcome.error ? outcome.error : toStructuredError(new Error('unknown failure')));
    return {
      kind: 'failed',
      title: `${job.id} could not be downloaded`,
      body: `${error.code}: ${error.message}`,
      id: job.id,
      variant: job.variant,
      jobId: job.jobId,
    };
  }
  return null;
}
