/**
 * `npm run bench:mirror`: push and pull throughput against a local S3 store (s3rver in its own
 * process on 127.0.0.1), ours side by side with the AWS SDK in the same run, alternating:
 *
 *   push  ours: `mirror push` core (HEAD, multipart with sha256 per part, hash while reading)
 *         sdk:  @aws-sdk/lib-storage Upload per file (16 MiB parts, 4 in flight, SHA256 checksums)
 *   pull  ours: `ensure` of a fresh root with the mirror in MODELS_MIRRORS (ranges, verify as it arrives)
 *         sdk:  @aws-sdk/client-s3 GetObject of each blob streamed to a file (no hash, like `aws s3 cp`)
 *
 *   npm run bench:mirror -- [--size 512M] [--small 16] [--runs 2] [--json] [--dir DIR]
 *
 * s3rver writes every byte to disk and is the bottleneck of both clients; the ratio is the figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, S3Client as SdkS3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ModelSpec } from '../../shared/manifest';
import { pushToMirror } from '../../main/core/mirror/push-to-mirror';
import { createOrchestrator } from '../../main/core/orchestrator';

const repo = path.resolve(import.meta.dirname, '..', '..');
const KEY = 'S3RVER';
const BUCKET = 'bench';
const MiB = 1024 * 1024;

interface Options {
  size: number;
  small: number;
  runs: number;
  json: boolean;
  dir: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { size: 512 * MiB, small: 16, runs: 2, json: false, dir: path.join(repo, '.bench', 'mirror') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? '';
    if (a === '--size') {
      const m = /^(\d+)([MG])$/i.exec(next());
      if (!m) throw new Error('--size takes e.g. 256M or 1G');
      o.size = Number(m[1]) * (m[2]!.toUpperCase() === 'G' ? 1024 * MiB : MiB);
    } else if (a === '--small') o.small = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--json') o.json = true;
    else if (a === '--dir') o.dir = path.resolve(next());
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function startStore(dir: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(repo, 'node_modules/s3rver/bin/s3rver.js'),
      '-d',
      dir,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-s',
      '--configure-bucket',
      BUCKET,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (up) return { endpoint: `http://127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('s3rver did not start');
}

async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let left = size; left > 0;) {
    const chunk = randomBytes(Math.min(8 * MiB, left));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    left -= chunk.length;
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return hash.digest('hex');
}

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  await rm(o.dir, { recursive: true, force: true });
  const data = path.join(o.dir, 'data');
  await mkdir(data, { recursive: true });
  const files: ModelSpec['files'] = [];
  const big = { path: 'model.safetensors', size: o.size };
  files.push({ ...big, sha256: await writeRandomFile(path.join(data, big.path), big.size), optional: false });
  for (let i = 0; i < o.small; i++) {
    const p = `shards/part-${i}.bin`;
    await mkdir(path.join(data, 'shards'), { recursive: true });
    files.push({ path: p, size: MiB, sha256: await writeRandomFile(path.join(data, p), MiB), optional: false });
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  const model: ModelSpec = {
    id: 'bench@1',
    version: '1',
    variants: ['fp16'],
    defaultVariant: 'fp16',
    allowPatterns: ['*'],
    files,
    sources: [`file://${data}`],
  };
  const store = await startStore(path.join(o.dir, 's3'));
  const s3 = { endpoint: store.endpoint, accessKeyId: KEY, secretAccessKey: KEY };
  const sdk = new SdkS3Client({
    endpoint: store.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: KEY, secretAccessKey: KEY },
  });
  const pushRoot = path.join(o.dir, 'push-root');
  const seed = createOrchestrator({ root: pushRoot, models: [model] });
  await seed.ensure(model.id);
  await seed.close();

  const times: Record<string, number[]> = { 'push ours': [], 'push sdk': [], 'pull ours': [], 'pull sdk': [] };
  try {
    for (let run = 0; run < o.runs; run++) {
      const order = run % 2 === 0 ? ['ours', 'sdk'] : ['sdk', 'ours'];
      for (const who of order) {
        const prefix = `${who}-${run}`;
        if (who === 'ours') {
          times['push ours']!.push(
            await seconds(() => pushToMirror({ root: pushRoot, models: [model], to: `s3://${BUCKET}/${prefix}`, s3 })),
          );
        } else {
          times['push sdk']!.push(
            await seconds(async () => {
              const queue = [...files];
              const worker = async () => {
                for (let f = queue.shift(); f; f = queue.shift()) {
                  const upload = new Upload({
                    client: sdk,
                    partSize: 16 * MiB,
                    queueSize: 4,
                    params: {
                      Bucket: BUCKET,
                      Key: `${prefix}/blobs/sha256/${f.sha256}`,
                      Body: createReadStream(path.join(data, f.path)),
                      ChecksumAlgorithm: 'SHA256',
                    },
                  });
                  await upload.done();
                }
              };
              await Promise.all([worker(), worker(), worker(), worker()]);
            }),
          );
        }
      }
      for (const who of order) {
        const prefix = `${who}-${run}`;
        const out = path.join(o.dir, `pull-${prefix}`);
        if (who === 'ours') {
          const orch = createOrchestrator({
            root: out,
            models: [{ ...model, sources: ['http://127.0.0.1:9/unreachable'] }],
            sources: { env: {}, s3, mirrors: [`s3://${BUCKET}/${prefix}`] },
          });
          times['pull ours']!.push(await seconds(() => orch.ensure(model.id)));
          await orch.close();
        } else {
          await mkdir(out, { recursive: true });
          times['pull sdk']!.push(
            await seconds(async () => {
              const queue = [...files];
              const worker = async () => {
                for (let f = queue.shift(); f; f = queue.shift()) {
                  const got = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}/blobs/sha256/${f.sha256}` }));
                  await pipeline(got.Body as Readable, createWriteStream(path.join(out, f.sha256)));
                }
              };
              await Promise.all([worker(), worker(), worker(), worker()]);
            }),
          );
        }
        await rm(out, { recursive: true, force: true });
      }
    }
  } finally {
    sdk.destroy();
    store.child.kill();
  }
  const rows = Object.entries(times).map(([name, xs]) => ({ name, seconds: median(xs), mibPerSecond: total / MiB / median(xs) }));
  const result = { bytes: total, files: files.length, runs: o.runs, cpus: cpus().length, loadavg: loadavg()[0], rows };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const ratio = (a: string, b: string) => (times[a] && times[b] ? (median(times[b]) / median(times[a])).toFixed(2) : '');
    console.log(
      `${(total / MiB).toFixed(0)} MiB in ${files.length} files, ${o.runs} runs (medians), ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log('| case | ours s | ours MiB/s | sdk s | sdk MiB/s | sdk time / ours |');
    console.log('|---|---|---|---|---|---|');
    for (const op of ['push', 'pull']) {
      const a = median(times[`${op} ours`]!);
      const b = median(times[`${op} sdk`]!);
      console.log(
        `| ${op} | ${a.toFixed(2)} | ${(total / MiB / a).toFixed(0)} | ${b.toFixed(2)} | ${(total / MiB / b).toFixed(0)} | ${ratio(`${op} ours`, `${op} sdk`)}× |`,
      );
    }
  }
  await rm(o.dir, { recursive: true, force: true });
}

await main();
