/** What happened to each imported manifest: models added, conflicts, and every problem with its place. */
import type { ImportManifestResult } from '../../shared/api';
import type { ErrorCode } from '../../shared/errors';
import { useAppStore } from '../store/app-context';
import { Dialog } from './Dialog';
import { Icon } from './Icon';

const WHAT_TO_DO: Partial<Record<ErrorCode, string>> = {
  MANIFEST_VALIDATION_ERROR: 'Fix each listed place in the file, save it, and drop it here again.',
  SCHEMA_VERSION_MISMATCH: 'This app reads manifests with schema_version = 1. Update the file or the app.',
  MISSING_MANIFEST: 'Choose a models.toml or models.json file.',
  INVALID_CONFIG: 'Check the file type and size, then try again.',
};

export function ImportReportsDialog() {
  const reports = useAppStore((s) => s.importReports);
  const openDialog = useAppStore((s) => s.openDialog);
  const clear = useAppStore((s) => s.clearImportReports);
  const close = () => {
    clear();
    openDialog(null);
  };
  return (
    <Dialog
      title="Manifest import"
      onClose={close}
      wide
      testId="import-dialog"
      footer={
        <button type="button" className="button button--primary" onClick={close} data-autofocus>
          Close
        </button>
      }
    >
      <ul className="import-reports">
        {reports.map((r, i) => (
          <ImportReport key={`${r.name}-${i}`} report={r} />
        ))}
      </ul>
    </Dialog>
  );
}

function ImportReport({ report }: { report: ImportManifestResult }) {
  return (
    <li
      className={`import-report ${report.ok ? 'import-report--ok' : 'import-report--bad'}`}
      data-testid="import-report"
      data-ok={String(report.ok)}
    >
      <h3>
        <Icon name={report.ok ? 'check' : 'alert'} size={18} /> {report.name}
      </h3>
      {report.ok ? (
        <p>
          {report.added.length
            ? `Added ${report.added.length} model(s): ${report.added.join(', ')}.`
            : 'No new models: they were already known.'}
        </p>
      ) : report.error ? (
        <>
          <p>
            <span className="code-badge" data-testid="import-error-code">
              {report.error.code}
            </span>{' '}
            <span data-testid="import-error-message">{report.error.message}</span>
          </p>
          {WHAT_TO_DO[report.error.code] ? <p className="what-to-do">What to do: {WHAT_TO_DO[report.error.code]}</p> : null}
        </>
      ) : null}
      {report.problems.length ? (
        <ol className="problem-list" data-testid="import-problems">
          {report.problems.map((p, i) => (
            <li key={i} data-testid="import-problem">
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ol>
      ) : null}
      {report.conflicts.length ? (
        <>
          <p className="inline-warning">Skipped {report.conflicts.length} model(s) that another manifest already defines differently:</p>
          <ol className="problem-list" data-testid="import-conflicts">
            {report.conflicts.map((p, i) => (
              <li key={i}>
                <code>{p.path}</code> {p.message}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </li>
  );
}
