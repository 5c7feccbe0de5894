/** The download queue: every job with its progress, the parallel limit, and bulk actions. */
import { useShallow } from 'zustand/react/shallow';
import type { JobProgress } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { selectActiveJobCount, selectHasFinishedJobs, selectHasPausedJobs, selectJobList, selectTotalSpeed } from '../store/selectors';
import { formatBytes, formatEta, formatPercent, formatSpeed } from '../format';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';

const STATE_LABEL: Record<JobProgress['state'], string> = {
  queued: 'Queued',
  running: 'Downloading',
  paused: 'Paused',
  verifying: 'Verifying',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function DownloadsView() {
  const jobs = useAppStore(useShallow(selectJobList));
  const active = useAppStore(selectActiveJobCount);
  const running = useAppStore((s) => Object.values(s.jobs).filter((j) => j.state === 'running' || j.state === 'verifying').length);
  const hasPaused = useAppStore(selectHasPausedJobs);
  const hasFinished = useAppStore(selectHasFinishedJobs);
  const speed = useAppStore(selectTotalSpeed);
  const limit = useAppStore((s) => s.settings?.parallelDownloads ?? 2);
  const setView = useAppStore((s) => s.setView);
  const actions = useActions();

  return (
    <section className="downloads-view" aria-label="Downloads">
      <div className="toolbar">
        <p className="toolbar__summary" data-testid="queue-summary">
          {active === 0 ? 'Nothing downloading' : `${running} running · ${active - running} waiting · ${formatSpeed(speed)}`}
        </p>
        <label className="select-field">
          <span>At once</span>
          <select
            value={limit}
            onChange={(e) => void actions.saveSettings({ parallelDownloads: Number(e.target.value) }, { quiet: true })}
            data-testid="parallel-limit"
            aria-label="Downloads at the same time"
          >
            {[1, 2, 3, 4, 6, 8].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" disabled={active === 0} onClick={() => void actions.pauseAll()} data-testid="pause-all">
          <Icon name="pause" /> Pause all
        </button>
        <button type="button" className="button" disabled={!hasPaused} onClick={() => void actions.resumeAll()} data-testid="resume-all">
          <Icon name="play" /> Resume all
        </button>
        <button type="button" className="button button--ghost" disabled={!hasFinished} onClick={() => void actions.clearFinished()}>
          Clear finished
        </button>
      </div>
      {jobs.length === 0 ? (
        <div className="empty-state" data-testid="downloads-empty">
          <div className="empty-state__art" aria-hidden="true">
            <Icon name="download" size={40} />
          </div>
          <h2>No downloads</h2>
          <p>Start one from the model list: every file is checked against its sha256 before it appears on disk.</p>
          <button type="button" className="button button--primary" onClick={() => setView('models')}>
            Go to models
          </button>
        </div>
      ) : (
        <ul className="job-list" data-testid="job-list">
          {jobs.map((job) => (
            <JobRow key={job.jobId} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobRow({ job }: { job: JobProgress }) {
  const actions = useActions();
  const live = job.state === 'queued' || job.state === 'running' || job.state === 'verifying' || job.state === 'paused';
  const tone =
    job.state === 'failed' || job.state === 'cancelled'
      ? 'danger'
      : job.state === 'paused'
        ? 'paused'
        : job.state === 'done'
          ? 'success'
          : 'accent';
  return (
    <li className={`job job--${job.state}`} data-testid="job-row" data-job-state={job.state} data-model-id={job.id}>
      <div className="job__head">
        <strong className="job__name">{job.id}</strong>
        <span className="chip">{job.variant}</span>
        <span className={`badge badge--job-${job.state}`}>{STATE_LABEL[job.state]}</span>
        <span className="job__percent">{formatPercent(job.bytesDone, job.bytesTotal)}</span>
        <div className="job__actions">
          {job.state === 'running' || job.state === 'queued' || job.state === 'verifying' ? (
            <button type="button" className="button" onClick={() => void actions.pauseJob(job.jobId)} aria-label={`Pause ${job.id}`}>
              <Icon name="pause" /> Pause
            </button>
          ) : null}
          {job.state === 'paused' || job.state === 'failed' || job.state === 'cancelled' ? (
            <button
              type="button"
              className="button button--primary"
              onClick={() => void actions.resumeJob(job.jobId)}
              aria-label={`${job.state === 'paused' ? 'Resume' : 'Retry'} ${job.id}`}
            >
              <Icon name="play" /> {job.state === 'paused' ? 'Resume' : 'Retry'}
            </button>
          ) : null}
          {live ? (
            <button
              type="button"
              className="button button--ghost"
              onClick={() => void actions.cancelJob(job.jobId)}
              aria-label={`Cancel ${job.id}`}
            >
              <Icon name="stop" /> Cancel
            </button>
          ) : (
            <button
              type="button"
              className="button button--ghost"
              onClick={() => void actions.dismissJob(job.jobId)}
              aria-label={`Clear ${job.id} from the list`}
            >
              Clear
            </button>
          )}
        </div>
      </div>
      <ProgressBar
        value={job.bytesDone}
        max={job.bytesTotal}
        label={`${job.id} ${job.variant} progress`}
        tone={tone}
        indeterminate={job.state === 'verifying'}
      />
      <div className="progress-stats">
        <span>
          {formatBytes(job.bytesDone)} of {formatBytes(job.bytesTotal)}
        </span>
        {job.state === 'running' ? (
          <>
            <span>{formatSpeed(job.speed)}</span>
            <span>{job.etaSeconds === null ? 'estimating…' : `${formatEta(job.etaSeconds)} left`}</span>
          </>
        ) : null}
        {job.source ? <span className="muted">from {job.source}</span> : null}
      </div>
      {job.error ? (
        <p className="inline-error" role="alert">
          <Icon name="alert" size={16} /> <strong>{job.error.code}</strong> {job.error.message}
        </p>
      ) : null}
    </li>
  );
}
