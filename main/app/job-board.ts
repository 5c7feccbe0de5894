/**
 * The main process's view of the download jobs, kept from the API's pushed events, so the
 * tray can show "2 downloading (45%)" and enable Pause all / Resume all without polling.
 */
import type { ApiEvent } from '../../shared/api';
import type { JobProgress } from '../../shared/results';
import { countJobs } from './menus';

export class JobBoard {
  private readonly byId = new Map<string, JobProgress>();

  /** Applies one event; true when the counts the tray menu depends on changed. */
  apply(event: ApiEvent): boolean {
    const before = JSON.stringify(countJobs(this.jobs()));
    if (event.type === 'job') this.byId.set(event.job.jobId, event.job);
    else if (event.type === 'jobRemoved') this.byId.delete(event.jobId);
    else return false;
    return JSON.stringify(countJobs(this.jobs())) !== before;
  }

  replaceAll(jobs: readonly JobProgress[]): void {
    this.byId.clear();
    for (const job of jobs) this.byId.set(job.jobId, job);
  }

  jobs(): JobProgress[] {
    return [...this.byId.values()];
  }
}
