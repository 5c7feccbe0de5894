/**
 * modelctl for headless machines, end to end in child processes against a real HTTP server:
 * `health` gates a startup script by its exit status, `--metrics-file` leaves a complete
 * Prometheus textfile (and never half of one, even after kill -9), `--log-format json` prints
 * one JSON object a line with a correlation id per job. Every output is checked for secrets.
 */
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelsRoot } from '../../../main/core/store/models-root';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { parsePrometheusText } from '../../helpers/prometheus-text';
import { leakedSecrets, secretEnv, TEST_SECRETS } from '../../helpers/test-secrets';
import { generateFiles, jsonOf, runCli, startCli, writeManifest, type CliRun, type GeneratedFile } from '../cli/cli-harness';

let server: FaultServer;
/** Everything the runs of this file printed or wrote, for the secrets check at the end. */
const outputs: Array<{ what: string; text: string }> = [];

beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
});

function publish(prefix: string, files: GeneratedFile[], options?: { bytesPerSecond?: number }): string {
  for (const f of files) server.serve(`/${prefix}/${f.path}`, f.data, options);
  // Credentials in the source URL: they go into a header, never into labels or logs.
  return `${server.url.replace('http://', `http://reader:${TEST_SECRETS.basicPassword}@`)}/${prefix}`;
}

function sentUnder(prefix: string): number {
  return server.requests.filter((r) => r.path.startsWith(`/${prefix}/`)).reduce((sum, r) => sum + r.bytesSent, 0);
}

async function modelctl(what: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli(args, { env: { ...secretEnv(), ...env } });
  outputs.push({ what: `${what} stdout`, text: run.stdout }, { what: `${what} stderr`, text: run.stderr });
  return run;
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    });
}

describe('modelctl health', () => {
  const [shared, own, weights] = generateFiles([
    { path: 'shared.bin', size: 4096 },
    { path: 'own.bin', size: 2048 },
    { path: 'weights.bin', size: 8192 },
  ]) as [GeneratedFile, GeneratedFile, GeneratedFile];
  const root = mkdtempSync(join(tmpdir(), 'health-root-'));
  let manifest: string;

  beforeAll(async () => {
    manifest = writeManifest([
      { id: 'complete@1', files: [shared], sources: [publish('h-ok', [shared])] },
      // Shares shared.bin (so some bytes are present); own.bin is served nowhere.
      { id: 'partial@1', files: [shared, own], sources: [`${server.url}/h-nothing`] },
      { id: 'corrupt@1', files: [weights], sources: [publish('h-bad', [weights])] },
    ]);
    for (const id of ['complete@1', 'corrupt@1']) {
      const run = await modelctl(`ensure ${id}`, ['--manifest', manifest, '--root', root, 'ensure', id]);
      expect(run.code, run.stderr).toBe(0);
    }
    // The marker says complete; the file on disk no longer has its size.
    truncateSync(new ModelsRoot(root).modelFile('corrupt@1', 'fp16', 'weights.bin'), 10);
  });

  it('is degraded with the partial and the corrupt model listed, exit 1', async () => {
    const textfile = join(mkdtempSync(join(tmpdir(), 'health-textfile-')), 'health.prom');
    const run = await modelctl('health --json', ['--manifest', manifest, '--root', root, '--metrics-file', textfile, 'health', '--json']);
    expect(run.code).toBe(1);
    const exported = readFileSync(textfile, 'utf8');
    outputs.push({ what: 'health metrics file', text: exported });
    const metrics = parsePrometheusText(exported);
    expect(metrics.value('model_health_state', { state: 'degraded' })).toBe(1);
    expect(metrics.value('model_health_state', { state: 'healthy' })).toBe(0);
    expect(metrics.value('model_health_models', { status: 'PARTIAL' })).toBe(1);
    expect(metrics.value('model_health_models', { status: 'CORRUPT' })).toBe(1);
    const report = jsonOf(run) as { health: string; models: Array<{ id: string; status: string; action: string | null }> };
    expect(report.health).toBe('degraded');
    expect(report.models).toEqual([
      expect.objectContaining({ id: 'complete@1', status: 'COMPLETE', action: null }),
      expect.objectContaining({ id: 'partial@1', status: 'PARTIAL', bytesNeeded: 2048, missingFiles: ['own.bin'], action: 'download' }),
      expect.objectContaining({ id: 'corrupt@1', status: 'CORRUPT', missingFiles: ['weights.bin'], action: 'repair' }),
    ]);

    const text = await modelctl('health', ['--manifest', manifest, '--root', root, 'health']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Health: degraded (1 of 3 complete)');
    expect(text.stdout).toContain('modelctl ensure partial@1 --variant fp16');
    expect(text.stdout).toContain('modelctl ensure corrupt@1 --variant fp16');
    expect(text.stdout).not.toMatch(/complete@1 \[fp16\]\s+COMPLETE/); // only what needs fixing is listed
  });

  it('is healthy with exit 0 when every model checked is complete', async () => {
    const named = await modelctl('health complete@1', ['--manifest', manifest, '--root', root, 'health', 'complete@1', '--json']);
    expect(named.code).toBe(0);
    expect(jsonOf(named)).toMatchObject({ health: 'healthy', counts: { models: 1, complete: 1 } });

    const onlyComplete = writeManifest([{ id: 'complete@1', files: [shared], sources: ['https://example.com/unused'] }]);
    const all = await modelctl('health all', ['--manifest', onlyComplete, '--root', root, 'health']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Health: healthy (1 of 1 complete)');
  });

  it('is error with exit 1 when the manifest lists no models', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'empty-')), 'models.json');
    writeFileSync(empty, JSON.stringify({ schema_version: 1, models: {} }));
    const run = await modelctl('health empty', ['--manifest', empty, '--root', root, 'health', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ health: 'error', models: [] });
  });
});

describe('modelctl --metrics-file and --log-format json', () => {
  const [a, b, common, lost] = generateFiles([
    { path: 'a.bin', size: 300_000 },
    { path: 'b.bin', size: 5000 },
    { path: 'common.bin', size: 70_000 },
    { path: 'lost.bin', size: 1000 },
  ]) as [GeneratedFile, GeneratedFile, GeneratedFile, GeneratedFile];
  const root = mkdtempSync(join(tmpdir(), 'metrics-root-'));
  const metricsDir = mkdtempSync(join(tmpdir(), 'textfile-'));
  const metricsFile = join(metricsDir, 'modelctl.prom');
  let manifest: string;
  let slowManifest: string;

  beforeAll(() => {
    manifest = writeManifest([
      { id: 'first@1', files: [a, common], sources: [publish('mf-first', [a, common])] },
      { id: 'second@1', files: [b, common], sources: [publish('mf-second', [b, common])] },
      { id: 'broken@1', files: [lost], sources: [`${server.url}/mf-nothing`] },
    ]);
    const [big] = generateFiles([{ path: 'big.bin', size: 4 * 1024 * 1024 }]) as [GeneratedFile];
    slowManifest = writeManifest([{ id: 'slow@1', files: [big], sources: [publish('mf-slow', [big], { bytesPerSecond: 256 * 1024 })] }]);
  });

  function readMetrics(): string {
    const text = readFileSync(metricsFile, 'utf8');
    outputs.push({ what: 'metrics file', text });
    return text;
  }

  it('writes a complete textfile after an ensure: downloads by model, variant, source and status, bytes as served', async () => {
    const run = await modelctl('ensure first --metrics-file', [
      '--manifest',
      manifest,
      '--root',
      root,
      '--metrics-file',
      metricsFile,
      '--log-format',
      'json',
      'ensure',
      'first@1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const metrics = parsePrometheusText(readMetrics());
    const source = `${server.url}/mf-first`; // the password is gone from the label
    expect(metrics.value('model_downloads_total', { model_id: 'first@1', variant: 'fp16', source, status: 'success' })).toBe(1);
    expect(metrics.value('model_download_bytes_total', { source })).toBe(sentUnder('mf-first'));
    expect(sentUnder('mf-first')).toBe(a.data.length + common.data.length);
    expect(metrics.value('model_download_duration_seconds_count')).toBe(1);
    expect(metrics.value('model_storage_bytes_used')).toBe(a.data.length + common.data.length);
    expect(metrics.value('model_storage_files_total')).toBe(2);
    expect(metrics.value('model_dedup_bytes_saved_total')).toBe(0);
    expect(metrics.types.get('model_download_duration_seconds')).toBe('histogram');
    expect(readdirSync(metricsDir)).toEqual(['modelctl.prom']);

    // One JSON object a line; the lines of the job share one correlation id.
    const lines = jsonLines(run.stderr);
    for (const line of lines)
      expect(line).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) }));
    const job = lines.filter((l) => ['download-started', 'file-fetched', 'download-finished'].includes(l.event as string));
    expect(job.map((l) => l.event)).toEqual(['download-started', 'file-fetched', 'file-fetched', 'download-finished']);
    expect(new Set(job.map((l) => l.correlationId)).size).toBe(1);
    expect(job[0]?.correlationId).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.at(-1)).toMatchObject({ event: 'command-finished', exitCode: 0 });
  });

  it('counts the bytes a second model did not download because the blob was already stored', async () => {
    const run = await modelctl('ensure second', [
      '--manifest',
      manifest,
      '--root',
      root,
      '--metrics-file',
      metricsFile,
      'ensure',
      'second@1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // text logs (the default) stay the human output: nothing on stderr without a terminal
    const metrics = parsePrometheusText(readMetrics());
    expect(metrics.value('model_dedup_bytes_saved_total')).toBe(common.data.length);
    expect(metrics.value('model_download_bytes_total', { source: `${server.url}/mf-second` })).toBe(b.data.length);
    expect(sentUnder('mf-second')).toBe(b.data.length);
  });

  it('counts a failed ensure by error code, and MODELS_LOG_FORMAT=json logs the error', async () => {
    const run = await modelctl(
      'ensure broken',
      ['--manifest', manifest, '--root', root, '--metrics-file', metricsFile, 'ensure', 'broken@1'],
      {
        MODELS_LOG_FORMAT: 'json',
      },
    );
    expect(run.code).toBe(1);
    const metrics = parsePrometheusText(readMetrics());
    expect(metrics.value('model_errors_total', { error_code: 'SOURCE_UNAVAILABLE' })).toBe(1);
    expect(metrics.value('model_downloads_total', { model_id: 'broken@1', status: 'failure', source: 'none' })).toBe(1);
    const lines = jsonLines(run.stderr);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', event: 'command-failed', error: expect.objectContaining({ code: 'SOURCE_UNAVAILABLE' }) }),
    );
    expect(lines.at(-1)).toMatchObject({ event: 'command-finished', exitCode: 1 });
  });

  it('refuses an unknown log format as bad usage', async () => {
    const run = await modelctl('bad log format', ['--manifest', manifest, '--log-format', 'xml', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Use json or text');
  });

  it('leaves no half-written textfile when killed with SIGKILL: the last complete one stays', async () => {
    const before = readMetrics();
    const cli = startCli(
      ['--manifest', slowManifest, '--root', root, '--metrics-file', metricsFile, '--log-format', 'json', 'ensure', 'slow@1'],
      {
        env: secretEnv(),
      },
    );
    const deadline = Date.now() + 30_000;
    while (!cli.stderr().includes('"download-started"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    cli.child.kill('SIGKILL');
    const run = await cli.done;
    outputs.push({ what: 'killed run stderr', text: run.stderr });
    expect(run.signal).toBe('SIGKILL');
    expect(readMetrics()).toBe(before);
    parsePrometheusText(before);
    expect(readdirSync(metricsDir).filter((n) => n.endsWith('.prom'))).toEqual(['modelctl.prom']);

    const fresh = join(mkdtempSync(join(tmpdir(), 'textfile-')), 'node.prom');
    const second = startCli(
      ['--manifest', slowManifest, '--root', root, '--metrics-file', fresh, '--log-format', 'json', 'ensure', 'slow@1'],
      {
        env: secretEnv(),
      },
    );
    while (!second.stderr().includes('"download-started"') && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 50));
    second.child.kill('SIGKILL');
    await second.done;
    expect(readdirSync(join(fresh, '..'))).toEqual([]);
  }, 90_000);
});

describe('modelctl logs and metrics when a source refuses the credentials', () => {
  const [w] = generateFiles([{ path: 'w.bin', size: 1000 }]) as [GeneratedFile];
  const root = mkdtempSync(join(tmpdir(), 'auth-root-'));

  it('says AUTH_FAIL for hf:// and s3:// without the token or the keys in any log line or metric', async () => {
    for (const path of ['/acme/private/resolve/main/w.bin', '/team-bucket/models/w.bin']) {
      server.serve(path, w.data);
      server.fault(path, { type: 'status', status: 403 }, { times: 50 });
    }
    const manifest = writeManifest([
      { id: 'hub@1', files: [w], sources: ['hf://acme/private'] },
      { id: 'bucket@1', files: [w], sources: ['s3://team-bucket/models'] },
    ]);
    const env = { HF_ENDPOINT: server.url, AWS_ENDPOINT_URL: server.url, AWS_REGION: 'us-east-1', MODELS_LOG_FORMAT: 'json' };
    const textfile = join(mkdtempSync(join(tmpdir(), 'auth-textfile-')), 'auth.prom');
    for (const id of ['hub@1', 'bucket@1']) {
      const run = await modelctl(
        `ensure ${id} (refused)`,
        ['--manifest', manifest, '--root', root, '--metrics-file', textfile, 'ensure', id],
        env,
      );
      expect(run.code).toBe(1);
      expect(jsonLines(run.stderr)).toContainEqual(
        expect.objectContaining({ event: 'command-failed', error: expect.objectContaining({ code: 'AUTH_FAIL' }) }),
      );
      outputs.push({ what: `metrics of ${id}`, text: readFileSync(textfile, 'utf8') });
    }
    // The credentials really were in play: the server was sent them.
    const auth = server.requests.map((r) => r.authorization ?? '').join('\n');
    expect(auth).toContain(TEST_SECRETS.hfToken);
    expect(auth).toContain(TEST_SECRETS.awsAccessKeyId);
  });
});

describe('secrets in outputs', () => {
  it('appear in no output, log line or metrics file of the runs above', () => {
    expect(outputs.length).toBeGreaterThan(10);
    const leaks = outputs.flatMap((o) => leakedSecrets(o.text).map((secret) => `${secret} in ${o.what}`));
    expect(leaks).toEqual([]);
  });
});
