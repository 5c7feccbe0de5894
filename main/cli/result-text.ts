/** The plain-language output of modelctl (without --json): short sentences and aligned tables. */
import type { StructuredError } from '../../shared/errors';
import type { ManifestProblem } from '../../shared/manifest';
import type {
  DiskUsage,
  EnsureResult,
  EstimateResult,
  GcResult,
  HealthReport,
  ModelHealth,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../shared/results';
import { formatAge, formatBytes } from './units';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const name = (id: string, variant: string) => `${id} [${variant}]`;

/** The command that fixes one model of a health report. */
function fixOf(m: ModelHealth): string {
  switch (m.action) {
    case 'download':
      return `modelctl ensure ${m.id} --variant ${m.variant}`;
    case 'repair':
      return `modelctl ensure ${m.id} --variant ${m.variant}`; // downloads again only what is damaged
    case 'check-again':
      return `modelctl health ${m.id} --budget 60s`;
    case null:
      return '';
  }
}

export const resultText = {
  list(models: ModelSummary[]): string {
    if (models.length === 0) return 'The manifest lists no models.';
    return (
      table(
        ['MODEL', 'VARIANTS', 'SIZE'],
        models.map((m) => [m.id, m.variants.map((v) => (v === m.defaultVariant ? `${v}*` : v)).join(', '), formatBytes(m.totalBytes)]),
      ) + '\n(* default variant; size of the default variant)'
    );
  },

  validate(path: string, modelCount: number): string {
    return `${path} is valid: ${modelCount} model${modelCount === 1 ? '' : 's'}.`;
  },

  ensure(result: EnsureResult): string {
    const how =
      result.downloadedBytes > 0
        ? `downloaded ${formatBytes(result.downloadedBytes)}${result.source ? ` from ${result.source}` : ''}`
        : 'already complete, nothing downloaded';
    return `${name(result.id, result.variant)} is ready at ${result.localPath} (${how}).`;
  },

  status(report: StatusReport): string {
    const lines = [`${name(report.id, report.variant)}: ${report.status}`, `  folder: ${report.localPath}`];
    const total = report.bytesPresent + report.bytesNeeded;
    if (report.status !== 'COMPLETE')
      lines.push(
        `  present: ${formatBytes(report.bytesPresent)} of ${formatBytes(total)}, ${formatBytes(report.bytesNeeded)} still needed`,
      );
    if (report.missingFiles.length > 0) lines.push(`  missing: ${report.missingFiles.join(', ')}`);
    if (report.status === 'NOT_PRESENT' || report.status === 'PARTIAL') lines.push(`Run \`modelctl ensure ${report.id}\` to download it.`);
    if (report.status === 'CORRUPT')
      lines.push(`Run \`modelctl verify ${report.id}\` for details, then \`modelctl ensure ${report.id} --force\` to repair it.`);
    return lines.join('\n');
  },

  verify(result: VerificationResult): string {
    if (result.success) return `${name(result.id, result.variant)}: all ${result.verifiedFiles.length} files match their sha256.`;
    const lines = [
      `${name(result.id, result.variant)}: ${result.failedFiles.length} damaged and ${result.missingFiles.length} missing file(s).`,
    ];
    for (const problem of result.problems) lines.push(`  ${problem.path}: ${problem.message}`);
    if (result.problems.length === 0) for (const path of [...result.failedFiles, ...result.missingFiles]) lines.push(`  ${path}`);
    lines.push(`Run \`modelctl ensure ${result.id} --variant ${result.variant} --force\` to download it again.`);
    return lines.join('\n');
  },

  estimate(result: EstimateResult): string {
    return `${name(result.id, result.variant)}: ${formatBytes(result.totalBytes)} in total, ${formatBytes(result.bytesNeeded)} still to download.`;
  },

  gc(result: GcResult): string {
    const verb = result.dryRun ? 'Would remove' : 'Removed';
    if (result.removed.length === 0) {
      return result.bytesReclaimed > 0
        ? `${verb} ${formatBytes(result.bytesReclaimed)} of leftover data; no models.`
        : 'Nothing to remove.';
    }
    const lines = result.removed.map((r) => `  ${name(r.id, r.variant)}  ${formatBytes(r.bytes)}`);
    return [`${verb} ${result.removed.length} model(s), ${formatBytes(result.bytesReclaimed)} in total:`, ...lines].join('\n');
  },

  pin(result: PinResult): string {
    return result.pinned
      ? `Pinned ${name(result.id, result.variant)}: gc will keep it.`
      : `Unpinned ${name(result.id, result.variant)}: gc may remove it when space is needed.`;
  },

  diskUsage(usage: DiskUsage, now: number): string {
    const lines = [`Models root: ${usage.root}`];
    if (usage.models.length === 0) lines.push('No models installed.');
    else {
      lines.push(
        table(
          ['MODEL', 'VARIANT', 'SIZE', 'PINNED', 'LAST USED'],
          usage.models.map((m) => [m.id, m.variant, formatBytes(m.bytes), m.pinned ? 'yes' : 'no', formatAge(m.lastUsed, now)]),
        ),
      );
    }
    if (usage.linkMode === 'copy') lines.push('Note: this filesystem refused hard links, so identical files are stored as copies.');
    lines.push(`Partial downloads: ${formatBytes(usage.partialBytes)}`);
    lines.push(`Free space: ${formatBytes(usage.freeBytes)} of ${formatBytes(usage.totalBytes)}`);
    return lines.join('\n');
  },

  health(report: HealthReport): string {
    const c = report.counts;
    const lines = [
      report.health === 'error'
        ? `Health: error. ${report.problem ?? ''}`.trim()
        : `Health: ${report.health} (${c.complete + c.verifying} of ${c.models} complete) in ${report.root}`,
    ];
    const rows = report.models.filter((m) => m.action !== null);
    if (rows.length > 0) {
      lines.push(
        table(
          ['MODEL', 'STATUS', 'NEEDED', 'PROBLEM', 'FIX'],
          rows.map((m) => [
            name(m.id, m.variant),
            m.status,
            m.bytesNeeded === null ? '?' : formatBytes(m.bytesNeeded),
            m.problem ?? '',
            fixOf(m),
          ]),
        ),
      );
    }
    if (report.health !== 'error' && report.problem) lines.push(report.problem);
    return lines.join('\n');
  },

  error(error: StructuredError): string {
    const problems = error.details.problems;
    if (error.code === 'MANIFEST_VALIDATION_ERROR' && Array.isArray(problems) && problems.length > 1) {
      const where = typeof error.details.manifestPath === 'string' ? `The manifest ${error.details.manifestPath}` : 'The manifest';
      return [
        `modelctl: ${where} has ${problems.length} problems:`,
        ...(problems as ManifestProblem[]).map((p) => `  ${p.path}: ${p.message}`),
        'Fix them and try again.',
      ].join('\n');
    }
    return `modelctl: ${error.message}`;
  },
};
