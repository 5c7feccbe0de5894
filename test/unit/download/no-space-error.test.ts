import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { noSpaceError } from '../../../main/core/download/no-space-error';

describe('the NO_SPACE error of a download', () => {
  it('names the folder, what the download still needs, what is free and what is missing', async () => {
    const e = await noSpaceError({ folder: tmpdir(), file: { path: 'w.bin', size: 10 * 2 ** 50 }, bytesPresent: 2 ** 30 });
    expect(e.code).toBe('NO_SPACE');
    expect(e.details).toMatchObject({ path: tmpdir(), file: 'w.bin', bytesNeeded: 10 * 2 ** 50 - 2 ** 30, partialBytes: 2 ** 30 });
    expect(e.details.bytesMissing).toBe((e.details.bytesNeeded as number) - (e.details.bytesAvailable as number));
    expect(e.message).toMatch(
      new RegExp(
        `^Not enough space in ${tmpdir()} for w.bin \\(10\\.0 PiB still to download, .+ free: .+ missing\\)\\. Free at least .+ on that disk or run gc, then try again\\. The 1.0 GiB already downloaded are kept`,
      ),
    );
  });

  it('still says what to do when the free space cannot be read', async () => {
    const e = await noSpaceError({ folder: '/no/such/folder', file: { path: 'w.bin', size: 1000 }, bytesPresent: 0 });
    expect(e.message).toBe(
      'Not enough space in /no/such/folder for w.bin (1000 B still to download). Free some space on that disk or run gc, then try again.',
    );
    expect(e.details).not.toHaveProperty('bytesMissing');
  });
});
