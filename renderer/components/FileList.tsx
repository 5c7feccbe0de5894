/** The files of one model variant with their own progress and the last verification result. */
import type { ModelListItem } from '../../shared/api';
import type { FileProblem } from '../../shared/results';
import { statusKey } from '../store/app-store';
import { useAppStore } from '../store/app-context';
import { isLiveJob, jobFor } from '../store/selectors';
import { formatBytes } from '../format';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';

export function FileList({ id, model, variant }: { id: string; model: ModelListItem; variant: string }) {
  const key = statusKey(model.id, variant);
  const job = useAppStore((s) => jobFor(s, model.id, variant));
  const verification = useAppStore((s) => s.verifyResults[key]);
  const status = useAppStore((s) => s.statuses[key]);
  const files = model.files.filter((f) => !f.variants || f.variants.includes(variant));
  const live = isLiveJob(job) ? job : undefined;
  const problems = new Map<string, FileProblem>((verification?.problems ?? []).map((p) => [p.path, p]));
  const verified = new Set(verification?.verifiedFiles ?? []);
  const missing = new Set(status?.missingFiles ?? []);

  return (
    <div className="file-list" id={id} data-testid="file-list">
      {verification ? (
        <p
          className={`verify-summary ${verification.success ? 'verify-summary--ok' : 'verify-summary--bad'}`}
          data-testid="verify-summary"
          role="status"
        >
          <Icon name={verification.success ? 'check' : 'alert'} size={16} />
          {verification.success
            ? `All ${verification.verifiedFiles.length} files match their sha256.`
            : `${verification.failedFiles.length + verification.missingFiles.length} of ${files.length} files failed verification. Download again to repair them.`}
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {files.map((file) => {
            const progress = live?.files.find((f) => f.path === file.path);
            const problem = problems.get(file.path);
            return (
              <tr
                key={file.path}
                data-testid="file-row"
                data-path={file.path}
                data-result={problem ? 'failed' : verified.has(file.path) ? 'verified' : undefined}
              >
                <td>
                  <span className="file-list__path">
                    <Icon name="file" size={14} /> <code>{file.path}</code>
                    {file.optional ? <span className="chip chip--small">optional</span> : null}
                  </span>
                </td>
                <td className="num">{formatBytes(file.size)}</td>
                <td className="file-list__state">
                  {problem ? (
                    <span className="file-state file-state--bad" data-testid="file-failed" title={problem.message}>
                      <Icon name="alert" size={14} />
                      <span className="file-state__text">
                        {problem.code === 'MISSING' ? 'Missing' : problem.code === 'SIZE_MISMATCH' ? 'Wrong size' : 'Checksum mismatch'}
                        <small className="muted">{problemDetail(problem)}</small>
                      </span>
                    </span>
                  ) : verified.has(file.path) ? (
                    <span className="file-state file-state--ok">
                      <Icon name="check" size={14} /> Verified
                    </span>
                  ) : progress && progress.state !== 'pending' && progress.state !== 'done' ? (
                    <span className="file-state">
                      <ProgressBar
                        value={progress.bytesDone}
                        max={progress.bytesTotal}
                        label={`${file.path} progress`}
                        indeterminate={progress.state === 'verifying'}
                      />
                      <span className="muted">{progress.state === 'verifying' ? 'verifying' : `${formatBytes(progress.bytesDone)}`}</span>
                    </span>
                  ) : progress?.state === 'done' || status?.status === 'COMPLETE' ? (
                    <span className="file-state file-state--ok">
                      <Icon name="check" size={14} /> Present
                    </span>
                  ) : live ? (
                    <span className="muted">waiting</span>
                  ) : missing.has(file.path) || status?.status === 'NOT_PRESENT' ? (
                    <span className="muted">not downloaded</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {status?.localPath ? (
        <p className="file-list__path-line muted">
          Folder: <code data-testid="local-path">{status.localPath}</code>
        </p>
      ) : null}
    </div>
  );
}

/** "expected e7435cb0…c50f789e, found f16b70b7…66520d9d" — enough to compare, short enough to read. */
function problemDetail(problem: FileProblem): string {
  const short = (v: string | number) =>
    typeof v === 'string' && v.length > 20 ? `${v.slice(0, 8)}…${v.slice(-8)}` : typeof v === 'number' ? formatBytes(v) : v;
  if (problem.expected !== undefined && problem.actual !== undefined)
    return `expected ${short(problem.expected)}, found ${short(problem.actual)}`;
  return problem.message;
}
