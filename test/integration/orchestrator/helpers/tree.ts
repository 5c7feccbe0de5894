/** Reading what is on disk, the way a user would look at it. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every file under `dir` as relative POSIX paths (sorted); [] when it does not exist. */
export async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), rel);
      else out.push(rel);
    }
  };
  await walk(dir, '');
  return out.sort();
}

export async function inode(p: string): Promise<{ ino: number; nlink: number }> {
  const s = await stat(p);
  return { ino: s.ino, nlink: s.nlink };
}
