/**
 * A deliberately plain FileDownloader for orchestrator tests that must not depend on the real
 * downloader's resume and range logic: one GET per source, whole file, then size and sha256.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toStructuredError } from '../../../../shared/errors';
import type { DownloadOutcome, DownloadRequest, FileDownloader, SourceFailure } from '../../../../main/core/ports';

export class SimpleDownloader implements FileDownloader {
  constructor(private readonly partialDir: string) {}

  async download(request: DownloadRequest): Promise<DownloadOutcome> {
    const { file } = request;
    await mkdir(this.partialDir, { recursive: true });
    const target = path.join(this.partialDir, `${file.sha256}.simple`);
    const failures: SourceFailure[] = [];
    for (const source of request.sources) {
      if (request.signal?.aborted) throw new OrchestratorError('CANCELLED', 'cancelled');
      try {
        let data: Buffer;
        if (source.kind === 'file') data = await readFile(source.filePath);
        else {
          const response = await fetch(source.url, request.signal ? { signal: request.signal } : {});
          if (!response.ok) throw new OrchestratorError('SOURCE_UNAVAILABLE', `HTTP ${response.status}`);
          data = Buffer.from(await response.arrayBuffer());
        }
        if (data.length < file.size) throw new OrchestratorError('INCOMPLETE_DOWNLOAD', `got ${data.length} of ${file.size} bytes`);
        if (data.length > file.size) throw new OrchestratorError('SIZE_MISMATCH', `got ${data.length} bytes, expected ${file.size}`);
        const digest = createHash('sha256').update(data).digest('hex');
        if (digest !== file.sha256) throw new OrchestratorError('CHECKSUM_FAIL', `sha256 ${digest} != ${file.sha256}`);
        await writeFile(target, data);
        request.onProgress?.(data.length);
        return { filePath: target, source: source.base, bytesFetched: data.length, failures };
      } catch (error) {
        const e = toStructuredError(error);
        if (e.code === 'CANCELLED' || request.signal?.aborted) throw new OrchestratorError('CANCELLED', 'cancelled');
        failures.push({ source: source.base, error: e });
      }
    }
    await rm(target, { force: true });
    const last = failures[failures.length - 1];
    if (failures.length === 1 && last && last.error.code !== 'SOURCE_UNAVAILABLE') throw new OrchestratorError(last.error.code, last.error.message, { failures });
    throw new OrchestratorError('SOURCE_UNAVAILABLE', `all sources failed`, { failures });
  }
}
