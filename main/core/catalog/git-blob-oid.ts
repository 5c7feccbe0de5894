/** The git blob sha1 of a file (`sha1("blob <size>\0" + bytes)`): how the Hub names non-LFS files. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export async function gitBlobOid(file: string): Promise<string> {
  const { size } = await stat(file);
  const hash = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
