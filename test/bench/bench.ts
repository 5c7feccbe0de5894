/**
 * `npm run bench`: our download engine against its peers on the same bytes served by
 * nginx-light, alternating tools within each run, median of `--runs`. Cases:
 *   - one file and a model of `--files` files from 127.0.0.1: ours (a real ensure), curl -o,
 *     curl + sha256sum, aria2c -x8 --checksum, @huggingface/hub snapshotDownload, cp;
 *     our user+sys CPU per GiB and peak RSS
 *   - `--small-files` small files (16 KB-1 MB, about `--small-size` in all): ours vs aria2c -j16
 *   - crash resume: kill -9 at half of the file, restart, bytes served again (unpaced, once),
 *     and the same at `--paced-size` paced to ~40 MiB/s (nginx limit_rate 5 MiB/s on 8
 *     connections), every run
 *   - verify: one file vs `openssl dgst -sha256`, a model of 8 files vs sha256sum one by one
 *   - a rate-capped link (network namespaces, tc tbf at `--cap`): ours vs aria2c and curl
 *   - peak RSS on one large file (`--rss-size`)
 * Then every target with its value and whether it was met.
 *
 *   npm run bench -- [--runs 3] [--size 1G] [--files 64] [--small-files 600] [--small-size 300M]
 *                    [--paced-size 200M] [--cap 1gbit] [--cap-size 512M] [--json] [--dir .bench]
 *                    [--keep] [--tools ours,curl-o,curl,aria2c,hf,cp] [--no-resume] [--no-verify]
 *                    [--no-cap] [--no-small] [--rss-size 2G | --no-rss]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { ensureDataSet, type BenchFile } from './bench-data';
import { startHubServer } from './hub-server';
import { measure, type Measured } from './measure';
import { startNginx, type Nginx } from './nginx';
import { openRateCappedLink, rateCappedLinkUnavailable } from './rate-capped-link';
import { missingPackages } from './required-programs';

const repo = resolve(import.meta.dirname, '..', '..');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The figures of issue 12's starting point on this machine kind (user and sys seconds per GiB). */
const OLD_CPU_PER_GIB_S = 2.7 + 5.9;

interface Options {
  runs: number;
  size: number;
  files: number;
  smallFiles: number;
  smallSize: number;
  pacedSize: number;
  cap: string;
  capSize: number;
  json: boolean;
  dir: string;
  keep: boolean;
  tools: string[];
  resume: boolean;
  verify: boolean;
  capped: boolean;
  small: boolean;
  /** Size of the one-off file fetched by ours to check peak RSS on a large file; 0 skips it. */
  rssSize: number;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`--size: cannot read "${text}" (use e.g. 256M or 2G)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * unit);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    runs: 3,
    size: GiB,
    files: 64,
    smallFiles: 600,
    smallSize: 300 * MiB,
    pacedSize: 200 * MiB,
    cap: '1gbit',
    capSize: 512 * MiB,
    json: false,
    dir: join(repo, '.bench'),
    keep: false,
    tools: ['ours', 'curl-o', 'curl', 'aria2c', 'hf', 'cp'],
    resume: true,
    verify: true,
    capped: true,
    small: true,
    rssSize: -1,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') o.runs = Math.max(1, Number(next()));
    else if (a === '--size') o.size = parseSize(next());
    else if (a === '--files') o.files = Math.max(1, Number(next()));
    else if (a === '--small-files') o.smallFiles = Math.max(1, Number(next()));
    else if (a === '--small-size') o.smallSize = parseSize(next());
    else if (a === '--paced-size') o.pacedSize = parseSize(next());
    else if (a === '--cap') o.cap = next();
    else if (a === '--cap-size') o.capSize = parseSize(next());
    else if (a === '--json') o.json = true;
    else if (a === '--dir') o.dir = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--tools') o.tools = next().split(',');
    else if (a === '--no-resume') o.resume = false;
    else if (a === '--no-verify') o.verify = false;
    else if (a === '--no-cap') o.capped = false;
    else if (a === '--no-small') o.small = false;
    else if (a === '--rss-size') o.rssSize = parseSize(next());
    else if (a === '--no-rss') o.rssSize = 0;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.rssSize < 0) o.rssSize = 2 * o.size;
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const say = (text: string) => {
  if (!opts.json) process.stderr.write(`${text}\n`);
};

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    p.on('error', rej);
    p.on('close', (code) => (code === 0 ? res() : rej(new Error(`${cmd} exited with ${code}`))));
  });
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round2 = (x: number) => Number(x.toFixed(2));

interface Case {
  name: string;
  files: BenchFile[];
  /** Folder under the nginx root that holds the files. */
  folder: string;
}

interface ToolResult {
  tool: string;
  timesMs: number[];
  peakRss: number[];
  cpuMs: number[];
}

interface Target {
  name: string;
  value: number;
  /** How the value compares: 'max' means value <= target is met, 'min' means value >= target. */
  kind: 'max' | 'min';
  target: number;
  unit: string;
  met: boolean;
}

const targets: Target[] = [];
function target(name: string, value: number, kind: 'max' | 'min', limit: number, unit = ''): void {
  const met = Number.isFinite(value) && (kind === 'max' ? value <= limit : value >= limit);
  targets.push({ name, value: round2(value), kind, target: round2(limit), unit, met });
}

/** `count` files of 16 KB-1 MB (a fixed pseudo-random spread) adding up to about `total` bytes. */
function smallFileSizes(count: number, total: number): number[] {
  let seed = 12;
  const raw = Array.from({ length: count }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 16_000 + (seed / 2 ** 31) * (1_000_000 - 16_000);
  });
  const scale = total / raw.reduce((a, b) => a + b, 0);
  return raw.map((s) => Math.max(1, Math.round(s * scale)));
}

function modelSpec(id: string, c: Case, source: string) {
  return {
    id,
    version: '1',
    variants: ['default'],
    defaultVariant: 'default',
    allowPatterns: ['*'],
    files: c.files.map((f) => ({ path: relName(c, f), size: f.size, sha256: f.sha256, optional: false })),
    sources: [source],
  };
}
const relName = (c: Case, f: BenchFile) => f.path.slice(c.folder.length + 1);

function dataCase(dataDir: string, name: string, folder: string, sizes: number[], names: (i: number) => string): Case {
  const files = ensureDataSet(
    dataDir,
    folder,
    sizes.map((size, i) => ({ path: `${folder}/${names(i)}`, size })),
  );
  return { name, folder, files };
}

async function main(): Promise<void> {
  const peerTools = ['ours', 'curl-o', 'curl', 'aria2c', 'hf', 'cp'];
  const missing = missingPackages([...opts.tools, ...(opts.small ? ['aria2c-j16'] : []), ...(opts.verify ? ['verify'] : [])]);
  if (missing.length > 0) {
    process.stderr.write(`bench: needs ${missing.join(', ')} from Debian: apt-get install -y ${missing.join(' ')}\n`);
    process.exit(2);
  }
  const dataDir = join(opts.dir, 'data');
  const outDir = join(opts.dir, 'out');
  mkdirSync(dataDir, { recursive: true });
  const sizeLabel = `${(opts.size / GiB).toFixed(opts.size >= GiB ? 0 : 2)} GiB`;
  say(`bench: ${sizeLabel} single file, a ${opts.files}-file model of ${sizeLabel}, ${opts.smallFiles} small files; ${opts.runs} runs`);
  say(`generating incompressible data in ${dataDir} (cached between runs of the same shape)...`);
  const per = Math.floor(opts.size / opts.files);
  const single = dataCase(dataDir, 'single file', `single-${opts.size}`, [opts.size], () => 'model.bin');
  const model = dataCase(
    dataDir,
    `model (${opts.files} files)`,
    `model-${opts.size}-${opts.files}`,
    Array.from({ length: opts.files }, (_, i) => (i === opts.files - 1 ? opts.size - per * (opts.files - 1) : per)),
    (i) => `part-${String(i).padStart(3, '0')}.safetensors`,
  );
  const small = opts.small
    ? dataCase(
        dataDir,
        `${opts.smallFiles} small files`,
        `small-${opts.smallSize}-${opts.smallFiles}`,
        smallFileSizes(opts.smallFiles, opts.smallSize),
        (i) => `f${String(i).padStart(4, '0')}.json`,
      )
    : null;
  const eight = opts.verify
    ? dataCase(
        dataDir,
        'model (8 files)',
        `eight-${opts.size}`,
        Array.from({ length: 8 }, (_, i) => (i === 7 ? opts.size - Math.floor(opts.size / 8) * 7 : Math.floor(opts.size / 8))),
        (i) => `shard-${i}.safetensors`,
      )
    : null;
  const paced = opts.resume ? dataCase(dataDir, 'paced', `paced-${opts.pacedSize}`, [opts.pacedSize], () => 'model.bin') : null;
  const cases = [single, model, small, eight, paced].filter((c): c is Case => c !== null);
  // Warm the page cache so every tool reads the source from memory, not from the disk.
  for (const c of cases) for (const f of c.files) await run('cat', [join(dataDir, f.path)]).catch(() => undefined);

  const nginx = await startNginx(dataDir, join(opts.dir, 'nginx'));
  const peerCases = [single, model];
  const hub = await startHubServer(
    peerCases.map((c, i) => ({
      id: `bench/case${i}`,
      files: c.files.map((f) => ({ path: relName(c, f), size: f.size, sha256: f.sha256, urlPath: `/${f.path}` })),
    })),
    nginx.url,
  );
  const engine = join(opts.dir, 'engine-child.mjs');
  await build({
    entryPoints: [join(repo, 'test/bench/engine-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: engine,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });

  /** A tool fetches case `c` from `url` into `out`, optionally under a command prefix (a namespace). */
  type Tool = (c: Case, ci: number, out: string, where?: { url: string; wrap: string[] }) => Promise<Measured>;
  const wrapped = (wrap: string[], cmd: string, args: string[], options: Parameters<typeof measure>[2] = {}) =>
    wrap.length > 0 ? measure(wrap[0] as string, [...wrap.slice(1), cmd, ...args], options) : measure(cmd, args, options);
  const aria2 =
    (jobs: number): Tool =>
    async (c, _ci, out, where) => {
      mkdirSync(out, { recursive: true });
      const url = where?.url ?? nginx.url;
      const input = join(opts.dir, 'aria2-input.txt');
      writeFileSync(input, c.files.map((f) => `${url}/${f.path}\n  out=${relName(c, f)}\n  checksum=sha-256=${f.sha256}\n`).join(''));
      return wrapped(where?.wrap ?? [], 'aria2c', [
        '-x8',
        '-s8',
        `-j${jobs}`,
        '-k1M',
        '--file-allocation=falloc',
        '--allow-overwrite=true',
        '--auto-file-renaming=false',
        '--console-log-level=error',
        '--summary-interval=0',
        '-q',
        '-d',
        out,
        '-i',
        input,
      ]);
    };
  const tools: Record<string, Tool> = {
    ours: async (c, _ci, out, where) => {
      const spec = join(opts.dir, 'engine-spec.json');
      writeFileSync(
        spec,
        JSON.stringify({
          root: out,
          orchestrator: true,
          model: modelSpec(`bench-${c.folder}`, c, `${where?.url ?? nginx.url}/${c.folder}`),
        }),
      );
      const m = await wrapped(where?.wrap ?? [], process.execPath, [engine, spec]);
      verifyOurs(c, out);
      return m;
    },
    'curl-o': async (c, _ci, out, where) => {
      mkdirSync(out, { recursive: true });
      const url = where?.url ?? nginx.url;
      return wrapped(where?.wrap ?? [], 'curl', [
        '-sS',
        '--fail',
        ...c.files.flatMap((f) => ['-o', join(out, relName(c, f)), `${url}/${f.path}`]),
      ]);
    },
    curl: async (c, _ci, out) => {
      mkdirSync(out, { recursive: true });
      const gets = c.files.map((f) => `-o '${join(out, relName(c, f))}' '${nginx.url}/${f.path}'`).join(' ');
      const sums = c.files.map((f) => `'${join(out, relName(c, f))}'`).join(' ');
      const m = await measure('sh', ['-c', `curl -sS --fail ${gets} && sha256sum ${sums}`]);
      const got = new Map(
        m.stdout
          .trim()
          .split('\n')
          .map((l) => [l.slice(66), l.slice(0, 64)]),
      );
      for (const f of c.files) if (got.get(join(out, relName(c, f))) !== f.sha256) throw new Error(`curl: wrong bytes for ${f.path}`);
      return m;
    },
    aria2c: aria2(8),
    'aria2c-j16': aria2(16),
    hf: async (_c, ci, out) =>
      measure(process.execPath, [join(repo, 'test/bench/hub-child.mjs'), hub.url, `bench/case${ci}`, out], { cwd: repo }),
    cp: async (c, _ci, out) => measure('cp', ['-r', join(dataDir, c.folder), out]),
  };

  /** Runs `order` on case `c`, `opts.runs` times, rotating the order each run. */
  const runCase = async (c: Case, ci: number, order: string[], where?: { url: string; wrap: string[] }) => {
    const perTool = new Map<string, ToolResult>(order.map((t) => [t, { tool: t, timesMs: [], peakRss: [], cpuMs: [] }]));
    for (let r = 0; r < opts.runs; r++) {
      // Alternate the order so no tool always runs right after the same neighbour.
      const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const tool of rotated) {
        const out = join(outDir, tool);
        rmSync(out, { recursive: true, force: true });
        await run('sync', []);
        const m = await (tools[tool] as Tool)(c, ci, out, where);
        const t = perTool.get(tool) as ToolResult;
        t.timesMs.push(m.ms);
        t.peakRss.push(m.peakRss);
        t.cpuMs.push(m.userMs + m.sysMs);
        say(
          `  ${c.name}${where ? ' (capped)' : ''} run ${r + 1}/${opts.runs} ${tool}: ${(m.ms / 1000).toFixed(2)} s, user ${(m.userMs / 1000).toFixed(2)} s, sys ${(m.sysMs / 1000).toFixed(2)} s, peak RSS ${(m.peakRss / MiB).toFixed(0)} MB`,
        );
        rmSync(out, { recursive: true, force: true });
      }
    }
    return {
      case: `${c.name}${where ? ` over a ${opts.cap} cap` : ''}`,
      bytes: c.files.reduce((n, f) => n + f.size, 0),
      tools: [...perTool.values()],
    };
  };

  const results: Array<Awaited<ReturnType<typeof runCase>>> = [];
  const peers = opts.tools.filter((t) => peerTools.includes(t));
  for (const [ci, c] of peerCases.entries()) results.push(await runCase(c, ci, peers));
  if (small) results.push(await runCase(small, -1, ['ours', 'aria2c-j16']));

  const resumes: Array<Awaited<ReturnType<typeof resumeCase>> & { paced: boolean }> = [];
  if (opts.resume) {
    say('crash resume: kill -9 at half, restart...');
    resumes.push({ ...(await resumeCase(single, `${nginx.url}/${single.folder}`, engine, nginx, outDir)), paced: false });
    for (let r = 0; r < opts.runs; r++) {
      const p = await resumeCase(paced as Case, `${nginx.url}/paced/${(paced as Case).folder}`, engine, nginx, outDir);
      say(`  paced run ${r + 1}/${opts.runs}: served again ${(p.refetchedBytes / MiB).toFixed(2)} MiB`);
      resumes.push({ ...p, paced: true });
    }
  }

  const verifies: Array<{ case: string; oursMs: number[]; peerMs: number[]; peer: string }> = [];
  if (opts.verify) {
    for (const [c, peer] of [
      [single, 'openssl dgst -sha256'],
      [eight as Case, 'sha256sum one file after another'],
    ] as const) {
      const root = join(outDir, 'verify');
      rmSync(root, { recursive: true, force: true });
      const spec = join(opts.dir, 'verify-spec.json');
      const specOf = (action: string) =>
        JSON.stringify({ root, orchestrator: true, action, model: modelSpec(`verify-${c.folder}`, c, `${nginx.url}/${c.folder}`) });
      writeFileSync(spec, specOf('ensure'));
      await measure(process.execPath, [engine, spec]);
      writeFileSync(spec, specOf('verify'));
      const modelFiles = c.files.map((f) => join(root, 'models', `verify-${c.folder}`, 'default', relName(c, f)));
      const v = { case: `verify ${c.name}`, oursMs: [] as number[], peerMs: [] as number[], peer };
      for (let r = 0; r < opts.runs; r++) {
        const ours = await measure(process.execPath, [engine, spec]);
        const other =
          c === single
            ? await measure('openssl', ['dgst', '-sha256', ...modelFiles])
            : await measure('sh', ['-c', 'for f; do sha256sum "$f"; done', 'sh', ...modelFiles]);
        v.oursMs.push(ours.ms);
        v.peerMs.push(other.ms);
        say(`  ${v.case} run ${r + 1}/${opts.runs}: ours ${(ours.ms / 1000).toFixed(2)} s, ${peer} ${(other.ms / 1000).toFixed(2)} s`);
      }
      verifies.push(v);
      rmSync(root, { recursive: true, force: true });
    }
  }

  let capped: { reason?: string; result?: Awaited<ReturnType<typeof runCase>>; capBytesPerSecond?: number } | null = null;
  if (opts.capped) {
    const why = rateCappedLinkUnavailable();
    if (why) capped = { reason: why };
    else {
      say(`rate-capped link (${opts.cap}, tc tbf in network namespaces)...`);
      const link = openRateCappedLink(opts.cap);
      let far: Nginx | null = null;
      try {
        far = await startNginx(dataDir, join(opts.dir, 'nginx-capped'), { host: link.serverAddress, wrap: link.serverWrap });
        const capCase = dataCase(dataDir, 'one file', `capped-${opts.capSize}`, [opts.capSize], () => 'model.bin');
        await run('cat', [join(dataDir, capCase.files[0]?.path as string)]);
        const result = await runCase(capCase, -1, ['ours', 'aria2c', 'curl-o'], { url: far.url, wrap: link.clientWrap });
        capped = { result, capBytesPerSecond: link.bytesPerSecond };
      } finally {
        await far?.stop();
        link.close();
      }
    }
  }

  let rss: { fileBytes: number; peakRss: number; ms: number } | null = null;
  if (opts.rssSize > 0 && peers.includes('ours')) {
    say(`peak RSS check: ours on one ${(opts.rssSize / GiB).toFixed(2)} GiB file...`);
    const c = dataCase(dataDir, 'rss', `rss-${opts.rssSize}`, [opts.rssSize], () => 'model.bin');
    const out = join(outDir, 'rss');
    rmSync(out, { recursive: true, force: true });
    await run('sync', []);
    const m = await (tools.ours as Tool)(c, 0, out);
    rmSync(out, { recursive: true, force: true });
    rmSync(join(dataDir, c.folder), { recursive: true, force: true });
    rmSync(join(dataDir, `${c.folder}.index.json`), { force: true });
    rss = { fileBytes: opts.rssSize, peakRss: m.peakRss, ms: m.ms };
  }

  await hub.close();
  await nginx.stop();
  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  report(results, resumes, verifies, capped, rss);
}

function verifyOurs(c: Case, out: string): void {
  // The engine verified while downloading; check the files really landed (a stat, not a hash).
  const found = new Map<string, number>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else found.set(n, s.size);
    }
  };
  walk(join(out, 'models'));
  for (const f of c.files)
    if (found.get(f.path.split('/').pop() as string) !== f.size) throw new Error(`ours: ${f.path} missing from the models folder`);
}

async function resumeCase(c: Case, source: string, engine: string, nginx: Nginx, outDir: string) {
  const f = c.files[0] as BenchFile;
  const out = join(outDir, 'resume');
  rmSync(out, { recursive: true, force: true });
  await run('sync', []);
  const spec = join(opts.dir, 'resume-spec.json');
  writeFileSync(spec, JSON.stringify({ root: out, orchestrator: true, model: modelSpec('bench-resume', c, source) }));
  const before = nginx.bytesSent();
  // What a restart will trust: the synced journal plus the same-boot hot journal.
  const journals: Array<[string, 'done' | 'written']> = [
    [join(out, '.partial', `${f.sha256}.journal.json`), 'done'],
    [join(out, '.partial', `${f.sha256}.journal.hot.json`), 'written'],
  ];
  const recorded = () =>
    Math.max(
      0,
      ...journals.map(([path, key]) => {
        try {
          return (
            (JSON.parse(readFileSync(path, 'utf8')) as Record<string, Array<[number, number]>>)[key]?.reduce((n, [s, e]) => n + e - s, 0) ??
            0
          );
        } catch {
          return 0;
        }
      }),
    );
  let killedAt = 0;
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, [engine, spec], { stdio: 'ignore' });
    const timer = setInterval(() => {
      const done = recorded();
      if (done >= f.size / 2 && killedAt === 0) {
        killedAt = done;
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('error', rej);
    child.on('close', () => {
      clearInterval(timer);
      if (killedAt === 0) rej(new Error('resume case: the download finished before it could be killed at 50%; use a larger --size'));
      else res();
    });
  });
  // nginx logs a request when its connection closes; give it a moment after the kill.
  await new Promise((r) => setTimeout(r, 300));
  const second = await measure(process.execPath, [engine, spec]);
  await new Promise((r) => setTimeout(r, 300));
  const total = nginx.bytesSent() - before;
  rmSync(out, { recursive: true, force: true });
  const refetchedBytes = Math.max(0, total - f.size);
  return {
    killedAtBytes: killedAt,
    fileBytes: f.size,
    refetchedBytes,
    refetchedPercent: (refetchedBytes / f.size) * 100,
    secondRunMs: second.ms,
  };
}

function report(
  results: Array<{ case: string; bytes: number; tools: ToolResult[] }>,
  resumes: Array<{
    paced: boolean;
    killedAtBytes: number;
    fileBytes: number;
    refetchedBytes: number;
    refetchedPercent: number;
    secondRunMs: number;
  }>,
  verifies: Array<{ case: string; oursMs: number[]; peerMs: number[]; peer: string }>,
  capped: { reason?: string; result?: { case: string; bytes: number; tools: ToolResult[] }; capBytesPerSecond?: number } | null,
  rss: { fileBytes: number; peakRss: number; ms: number } | null,
): void {
  const m = (r: { tools: ToolResult[] } | undefined, tool: string) => median(r?.tools.find((t) => t.tool === tool)?.timesMs ?? []);
  const [single, model, small] = [results[0], results[1], results.find((r) => r.tools.some((t) => t.tool === 'aria2c-j16'))];
  const ours = single?.tools.find((t) => t.tool === 'ours');
  if (single && ours) {
    target('1 file: ours / curl -o', m(single, 'ours') / m(single, 'curl-o'), 'max', 1.5);
    target('1 file: ours / aria2c -x8 --checksum', m(single, 'ours') / m(single, 'aria2c'), 'max', 0.5);
    const cpuPerGiB = median(ours.cpuMs) / 1000 / (single.bytes / GiB);
    target(`1 file: ours user+sys CPU per GiB (old ${OLD_CPU_PER_GIB_S.toFixed(1)} s)`, cpuPerGiB, 'max', OLD_CPU_PER_GIB_S / 2, 's');
    target('1 file: ours peak RSS', Math.max(...ours.peakRss) / MiB, 'max', 150, 'MB');
  }
  if (model) target(`${model.case}: ours / aria2c -x8 --checksum`, m(model, 'ours') / m(model, 'aria2c'), 'max', 0.8);
  if (small) {
    target(`${small.case}: ours / aria2c -j16 --checksum`, m(small, 'ours') / m(small, 'aria2c-j16'), 'max', 0.7);
    if (single) {
      // Per-file overhead: the small files should go at least as fast per byte as one big file.
      const perByte = (r: { bytes: number } & Parameters<typeof m>[0]) => m(r, 'ours') / r.bytes;
      target(`${small.case}: ours time per byte / one file's`, perByte(small) / perByte(single), 'max', 1);
    }
  }
  const paced = resumes.filter((r) => r.paced);
  if (paced.length > 0)
    target(
      'kill -9 resume at ~40 MiB/s: most bytes served again in any run',
      Math.max(...paced.map((r) => r.refetchedBytes)) / MiB,
      'max',
      4,
      'MiB',
    );
  const workers = availableParallelism();
  for (const v of verifies) {
    const ratio = median(v.oursMs) / median(v.peerMs);
    if (v.peer.startsWith('openssl')) target(`${v.case}: ours / openssl dgst -sha256`, ratio, 'max', 1.3);
    else target(`${v.case}: ours / sequential sha256sum (${workers} hash workers)`, ratio, 'max', round2(1 / workers));
  }
  if (capped?.result && capped.capBytesPerSecond) {
    const r = capped.result;
    const rate = (tool: string) => r.bytes / (m(r, tool) / 1000);
    target(`${r.case}: ours share of the cap`, (rate('ours') / capped.capBytesPerSecond) * 100, 'min', 85, '%');
    target(`${r.case}: ours / aria2c -x8`, m(r, 'ours') / m(r, 'aria2c'), 'max', 1);
    target(`${r.case}: ours / curl -o`, m(r, 'ours') / m(r, 'curl-o'), 'max', 1);
  }
  if (rss) target(`large file (${(rss.fileBytes / GiB).toFixed(0)} GiB): ours peak RSS`, rss.peakRss / MiB, 'max', 200, 'MB');

  const all = [...results, ...(capped?.result ? [capped.result] : [])];
  const doc = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryBytes: totalmem(), loadAverage: loadavg() },
    size: opts.size,
    files: opts.files,
    runs: opts.runs,
    cases: all.map((r) => {
      const oursMedian = m(r, 'ours');
      return {
        case: r.case,
        bytes: r.bytes,
        tools: r.tools.map((t) => ({
          tool: t.tool,
          medianMs: Math.round(median(t.timesMs)),
          /** This tool's median time divided by ours: above 1 means ours is faster. */
          timeVsOurs: round2(median(t.timesMs) / oursMedian),
          mibPerSecond: round2(r.bytes / MiB / (median(t.timesMs) / 1000)),
          medianCpuMs: Math.round(median(t.cpuMs)),
          peakRssMB: Math.round(Math.max(...t.peakRss) / MiB),
          timesMs: t.timesMs.map(Math.round),
        })),
      };
    }),
    resumes,
    verifies: verifies.map((v) => ({ ...v, oursMs: v.oursMs.map(Math.round), peerMs: v.peerMs.map(Math.round) })),
    capped: capped ? { reason: capped.reason ?? null, capBytesPerSecond: capped.capBytesPerSecond ?? null } : null,
    largeFile: rss ? { fileBytes: rss.fileBytes, oursPeakRssMB: Math.round(rss.peakRss / MiB), oursMs: Math.round(rss.ms) } : null,
    targets,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const names: Record<string, string> = {
    ours: 'ours (ensure, verified)',
    'curl-o': 'curl -o (no checksum)',
    curl: 'curl + sha256sum',
    aria2c: 'aria2c -x8 -s8 --checksum',
    'aria2c-j16': 'aria2c -j16 --checksum',
    hf: '@huggingface/hub snapshotDownload',
    cp: 'cp (write limit)',
  };
  const lines: string[] = [];
  lines.push(
    `machine: ${doc.machine.cpus} CPUs (${doc.machine.cpuModel}), ${(doc.machine.memoryBytes / GiB).toFixed(0)} GiB RAM, load average at the end ${doc.machine.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  for (const c of doc.cases) {
    lines.push('');
    lines.push(`${c.case}, ${(c.bytes / MiB).toFixed(0)} MiB, median of ${opts.runs}`);
    lines.push(
      `${'tool'.padEnd(36)}${'median s'.padStart(9)}${'time/ours'.padStart(10)}${'MiB/s'.padStart(8)}${'CPU s'.padStart(7)}${'RSS MB'.padStart(8)}   runs (s)`,
    );
    for (const t of c.tools) {
      lines.push(
        `${(names[t.tool] ?? t.tool).padEnd(36)}${(t.medianMs / 1000).toFixed(2).padStart(9)}${t.timeVsOurs.toFixed(2).padStart(10)}${t.mibPerSecond.toFixed(0).padStart(8)}${(t.medianCpuMs / 1000).toFixed(2).padStart(7)}${String(t.peakRssMB).padStart(8)}   ${t.timesMs.map((x) => (x / 1000).toFixed(2)).join(' ')}`,
      );
    }
  }
  if (capped?.reason) lines.push('', `rate-capped case skipped: ${capped.reason}`);
  for (const v of verifies) {
    lines.push(
      '',
      `${v.case}, median of ${opts.runs}: ours ${(median(v.oursMs) / 1000).toFixed(2)} s (${v.oursMs.map((x) => (x / 1000).toFixed(2)).join(' ')}), ${v.peer} ${(median(v.peerMs) / 1000).toFixed(2)} s (${v.peerMs.map((x) => (x / 1000).toFixed(2)).join(' ')})`,
    );
  }
  for (const r of resumes) {
    lines.push(
      '',
      `resume${r.paced ? ' (paced ~40 MiB/s)' : ''}: SIGKILL at ${(r.killedAtBytes / MiB).toFixed(0)} MiB journaled of ${(r.fileBytes / MiB).toFixed(0)} MiB; restart finished in ${(r.secondRunMs / 1000).toFixed(2)} s; bytes served again ${(r.refetchedBytes / MiB).toFixed(2)} MiB (${r.refetchedPercent.toFixed(2)} %)`,
    );
  }
  if (rss)
    lines.push(
      '',
      `large file: ours fetched ${(rss.fileBytes / GiB).toFixed(2)} GiB in ${(rss.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(rss.peakRss / MiB)} MB`,
    );
  lines.push('', 'targets:');
  for (const t of targets) {
    lines.push(
      `  ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.value}${t.unit ? ` ${t.unit}` : ''} (target ${t.kind === 'max' ? '<=' : '>='} ${t.target}${t.unit ? ` ${t.unit}` : ''})`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
