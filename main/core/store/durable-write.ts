/**
 * Small files written so a crash never leaves half of them: write a sibling temp file, fsync it,
 * rename over the target. Used for markers and state.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

export async function writeFileDurable(target: string, data: string): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** fsync a directory so a rename inside it survives a power cut (a no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows and some filesystems refuse to open or sync directories; the rename still happened.
  } finally {
    await handle?.close();
  }
}
