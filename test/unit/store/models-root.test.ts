import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { ModelsRoot } from '../../../main/core/store/models-root';

const layout = new ModelsRoot('/srv/models-root');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof OrchestratorError ? error.code : 'not-an-orchestrator-error';
  }
  return undefined;
}

describe('ModelsRoot layout', () => {
  it('places models, blobs and the hidden work folders under the root', () => {
    expect(layout.modelDir('t2v-A14B@2.2.0', 'fp16')).toBe('/srv/models-root/models/t2v-A14B@2.2.0/fp16');
    expect(layout.modelFile('m', 'v', 'unet/model.safetensors')).toBe('/srv/models-root/models/m/v/unet/model.safetensors');
    expect(layout.markerPath('m', 'v')).toBe('/srv/models-root/models/m/v/.verified.json');
    expect(layout.blobPath('a'.repeat(64))).toBe(`/srv/models-root/blobs/sha256/${'a'.repeat(64)}`);
    expect([layout.partialDir, layout.tmpDir, layout.locksDir, layout.stateDir].map((d) => path.basename(d))).toEqual([
      '.partial',
      '.tmp',
      '.locks',
      '.state',
    ]);
  });

  it('refuses file paths that would leave the model folder (PATH_TRAVERSAL_DETECTED)', () => {
    for (const bad of ['../other/file', 'a/../../x', '/etc/passwd', 'C:\\x', 'a\\b', 'nul\0byte', '..']) {
      expect(
        codeOf(() => layout.modelFile('m', 'v', bad)),
        bad,
      ).toBe('PATH_TRAVERSAL_DETECTED');
    }
  });

  it('refuses model ids and variants that are not plain folder names', () => {
    expect(codeOf(() => layout.modelDir('..', 'v'))).toBe('PATH_TRAVERSAL_DETECTED');
    expect(codeOf(() => layout.modelDir('m', '../x'))).toBe('PATH_TRAVERSAL_DETECTED');
    expect(codeOf(() => layout.modelDir('a/b', 'v'))).toBe('PATH_TRAVERSAL_DETECTED');
    expect(codeOf(() => layout.blobPath('../../etc'))).toBe('PATH_TRAVERSAL_DETECTED');
  });

  it('keeps lock and state keys unambiguous', () => {
    expect(layout.key('m@1.0', 'fp16')).toBe('m@1.0~fp16');
    expect(codeOf(() => layout.key('m~x', 'fp16'))).toBe('PATH_TRAVERSAL_DETECTED');
  });
});
