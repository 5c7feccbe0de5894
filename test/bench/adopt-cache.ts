/**
 * How fast `modelctl adopt` takes over an existing Hugging Face cache: builds a cache of
 * ADOPT_BENCH_GIB GiB (default 4) in the shape snapshotDownload leaves (blobs/ + snapshot
 * symlinks + refs/main) with a manifest naming its files, runs the real CLI (`adopt --json`)
 * into an empty models root, and prints its time and hashed GB/s against `openssl dgst -sha256` over the
 * same blobs right after (both read the files from the page cache when RAM allows) (the reference: one core, no scan, no links). Everything is made
 * under ADOPT_BENCH_DIR (default the OS temp folder) and deleted afterwards.
 *   npx tsx test/bench/adopt-cache.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measure } from './measure';

const GiB = 1024 ** 3;
const totalGiB = Number(process.env.ADOPT_BENCH_GIB ?? 4);
const weightFiles = 4;
const chunk = randomBytes(16 * 1024 * 1024);

async function writeFileHashed(file: string, size: number, seed: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let written = 0, i = 0; written < size; i++) {
    const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, size - written)));
    piece.writeUInt32LE(seed, 0);
    piece.writeUInt32LE(i, 4); // every 16 MiB piece differs, so nothing dedupes
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += piece.length;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(process.env.ADOPT_BENCH_DIR ?? tmpdir(), 'adopt-bench-'));
  try {
    const repo = path.join(dir, 'hf-cache', 'models--bench--big');
    const commit = 'abcdef0123456789abcdef0123456789abcdef01';
    const snapshot = path.join(repo, 'snapshots', commit);
    await mkdir(path.join(repo, 'blobs'), { recursive: true });
    await mkdir(path.join(repo, 'refs'), { recursive: true });
    await writeFile(path.join(repo, 'refs', 'main'), commit);
    const files: Array<{ path: string; size: number; sha256: string }> = [];
    const size = Math.floor((totalGiB * GiB) / weightFiles);
    process.stderr.write(`writing a ${totalGiB} GiB HF cache in ${dir}…\n`);
    for (let i = 0; i < weightFiles; i++) {
      const tmpBlob = path.join(repo, 'blobs', `tmp-${i}`);
      const sha256 = await writeFileHashed(tmpBlob, size, i);
      const rel = `transformer/diffusion_pytorch_model-0000${i + 1}-of-0000${weightFiles}.safetensors`;
      await rename(tmpBlob, path.join(repo, 'blobs', sha256));
      await mkdir(path.dirname(path.join(snapshot, rel)), { recursive: true });
      await symlink(path.relative(path.dirname(path.join(snapshot, rel)), path.join(repo, 'blobs', sha256)), path.join(snapshot, rel));
      files.push({ path: rel, size, sha256 });
    }
    const manifest = path.join(dir, 'models.toml');
    const toml = [
      'schema_version = 1',
      '[models."big@abcdef0"]',
      'version = "1"',
      'variants = ["default"]',
      'default_variant = "default"',
      ...files.flatMap((f) => ['[[models."big@abcdef0".files]]', `path = "${f.path}"`, `size = ${f.size}`, `sha256 = "${f.sha256}"`]),
      '[models."big@abcdef0".sources]',
      `priority = ["hf://bench/big@${commit}"]`,
    ].join('\n');
    await writeFile(manifest, `${toml}\n`);

    // Written data is flushed first, so neither measurement pays for the writeback of the other.
    await measure('sync', []);
    const adopt = await measure(process.execPath, [
      '--import',
      'tsx',
      'main/cli/modelctl.ts',
      '--json',
      '--manifest',
      manifest,
      '--root',
      path.join(dir, 'root'),
      'adopt',
      path.join(dir, 'hf-cache'),
    ]);
    const reference = await measure('sh', ['-c', `openssl dgst -sha256 ${path.join(repo, 'blobs')}/* > /dev/null`]);
    const doc = JSON.parse(adopt.stdout) as { hashedBytes: number; adoptedFiles: number; models: Array<{ status: string }> };
    const gbps = (bytes: number, ms: number) => (bytes / 1e9 / (ms / 1000)).toFixed(2);
    const bytes = files.reduce((s, f) => s + f.size, 0);
    console.log(`adopt of a ${totalGiB} GiB HF cache (${files.length} files), ${process.env.ADOPT_BENCH_NOTE ?? ''}`.trim());
    console.log(
      `  modelctl adopt    ${(adopt.ms / 1000).toFixed(2)} s  ${gbps(doc.hashedBytes, adopt.ms)} GB/s hashed  peak RSS ${(adopt.peakRss / 2 ** 20).toFixed(0)} MiB  adopted ${doc.adoptedFiles} files, model ${doc.models[0]?.status ?? 'not complete'}`,
    );
    console.log(
      `  openssl (ref)     ${(reference.ms / 1000).toFixed(2)} s  ${gbps(bytes, reference.ms)} GB/s  (one core, no scan or links)`,
    );
    console.log(`  ratio adopt/ref   ${(adopt.ms / reference.ms).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
