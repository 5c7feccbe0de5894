/**
 * `npm run bench`: our download engine against curl+sha256sum, aria2c with checksum,
 * @huggingface/hub's snapshotDownload and cp, on the same bytes served by nginx-light on
 * 127.0.0.1, alternating tools within each run. Prints medians, ratios to ours and peak RSS,
 * plus a crash-resume case (kill -9 at ~50%, restart, bytes fetched twice).
 *
 *   npm run bench -- [--runs 3] [--size 2G] [--files 64] [--json] [--dir /work/.bench] [--keep]
 *                    [--tools ours,curl,aria2c,hf,cp] [--no-resume] [--rss-size 4G | --no-rss]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { ensureDataSet, type BenchFile } from './bench-data';
import { startHubServer } from './hub-server';
import { measure, type Measured } from './measure';
import { startNginx } from './nginx';
import { missingPackages } from './required-programs';

const repo = resolve(import.meta.dirname, '..', '..');

interface Options {
  runs: number;
  size: number;
  files: number;
  json: boolean;
  dir: string;
  keep: boolean;
  tools: string[];
  resume: boolean;
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
    size: 2 * 1024 ** 3,
    files: 64,
    json: false,
    dir: join(repo, '.bench'),
    keep: false,
    tools: ['ours', 'curl', 'aria2c', 'hf', 'cp'],
    resume: true,
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
    else if (a === '--json') o.json = true;
    else if (a === '--dir') o.dir = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--tools') o.tools = next().split(',');
    else if (a === '--no-resume') o.resume = false;
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
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

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
}

async function main(): Promise<void> {
  const missing = missingPackages(opts.tools);
  if (missing.length > 0) {
    process.stderr.write(`bench: needs ${missing.join(', ')} from Debian: apt-get install -y ${missing.join(' ')}\n`);
    process.exit(2);
  }
  const dataDir = join(opts.dir, 'data');
  const outDir = join(opts.dir, 'out');
  mkdirSync(dataDir, { recursive: true });
  const sizeLabel = `${(opts.size / 1024 ** 3).toFixed(opts.size >= 1024 ** 3 ? 0 : 2)} GiB`;
  say(`bench: ${sizeLabel} single file and a ${opts.files}-file model of ${sizeLabel}; ${opts.runs} runs; data in ${dataDir}`);
  say('generating incompressible data (cached between runs of the same shape)...');
  const per = Math.floor(opts.size / opts.files);
  const cases: Case[] = [
    {
      name: 'single file',
      folder: 'single',
      files: ensureDataSet(dataDir, `single-${opts.size}`, [{ path: `single-${opts.size}/model.bin`, size: opts.size }]),
    },
    {
      name: `model (${opts.files} files)`,
      folder: `model-${opts.size}-${opts.files}`,
      files: ensureDataSet(
        dataDir,
        `model-${opts.size}-${opts.files}`,
        Array.from({ length: opts.files }, (_, i) => ({
          path: `model-${opts.size}-${opts.files}/part-${String(i).padStart(3, '0')}.safetensors`,
          size: i === opts.files - 1 ? opts.size - per * (opts.files - 1) : per,
        })),
      ),
    },
  ];
  for (const c of cases) c.folder = c.files[0]?.path.split('/')[0] as string;
  // Warm the page cache so every tool reads the source from memory, not from the disk.
  for (const c of cases) for (const f of c.files) await run('cat', [join(dataDir, f.path)]).catch(() => undefined);

  const nginx = await startNginx(dataDir, join(opts.dir, 'nginx'));
  const relName = (c: Case, f: BenchFile) => f.path.slice(c.folder.length + 1);
  const hub = await startHubServer(
    cases.map((c, i) => ({
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
  const useOrchestrator = existsSync(join(repo, 'main/core/orchestrator.ts'));

  const tools: Record<string, (c: Case, ci: number, out: string) => Promise<Measured>> = {
    ours: async (c, _ci, out) => {
      const spec = join(opts.dir, 'engine-spec.json');
      writeFileSync(
        spec,
        JSON.stringify({
          root: out,
          orchestrator: useOrchestrator,
          model: {
            id: `bench-${c.folder}`,
            version: '1',
            variants: ['default'],
            defaultVariant: 'default',
            allowPatterns: ['*'],
            files: c.files.map((f) => ({ path: relName(c, f), size: f.size, sha256: f.sha256, optional: false })),
            sources: [`${nginx.url}/${c.folder}`],
          },
        }),
      );
      return measure(process.execPath, [engine, spec]);
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
    aria2c: async (c, _ci, out) => {
      mkdirSync(out, { recursive: true });
      const input = join(opts.dir, 'aria2-input.txt');
      writeFileSync(input, c.files.map((f) => `${nginx.url}/${f.path}\n  out=${relName(c, f)}\n  checksum=sha-256=${f.sha256}\n`).join(''));
      return measure('aria2c', [
        '-x8',
        '-s8',
        '-j8',
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
    },
    hf: async (_c, ci, out) =>
      measure(process.execPath, [join(repo, 'test/bench/hub-child.mjs'), hub.url, `bench/case${ci}`, out], { cwd: repo }),
    cp: async (c, _ci, out) => measure('cp', ['-r', join(dataDir, c.folder), out]),
  };
  const order = opts.tools.filter((t) => t in tools);

  const results: Array<{ case: string; tools: ToolResult[] }> = [];
  for (const [ci, c] of cases.entries()) {
    const perTool = new Map<string, ToolResult>(order.map((t) => [t, { tool: t, timesMs: [], peakRss: [] }]));
    for (let r = 0; r < opts.runs; r++) {
      // Alternate the order so no tool always runs right after the same neighbour.
      const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const tool of rotated) {
        const out = join(outDir, tool);
        rmSync(out, { recursive: true, force: true });
        await run('sync', []);
        const m = await (tools[tool] as (typeof tools)[string])(c, ci, out);
        const t = perTool.get(tool) as ToolResult;
        t.timesMs.push(m.ms);
        t.peakRss.push(m.peakRss);
        say(
          `  ${c.name} run ${r + 1}/${opts.runs} ${tool}: ${(m.ms / 1000).toFixed(2)} s, peak RSS ${(m.peakRss / 1024 ** 2).toFixed(0)} MB`,
        );
        if (tool === 'ours') verifyOurs(c, out);
        rmSync(out, { recursive: true, force: true });
      }
    }
    results.push({ case: c.name, tools: [...perTool.values()] });
  }

  let resume: { killedAtBytes: number; fileBytes: number; refetchedBytes: number; refetchedPercent: number; secondRunMs: number } | null =
    null;
  if (opts.resume && order.includes('ours')) resume = await resumeCase(cases[0] as Case, engine, nginx, outDir, useOrchestrator);

  let rss: { fileBytes: number; peakRss: number; ms: number } | null = null;
  if (opts.rssSize > 0 && order.includes('ours')) {
    say(`peak RSS check: ours on one ${(opts.rssSize / 1024 ** 3).toFixed(2)} GiB file...`);
    const big = ensureDataSet(dataDir, `rss-${opts.rssSize}`, [{ path: `rss-${opts.rssSize}/model.bin`, size: opts.rssSize }]);
    const c: Case = { name: 'rss', folder: `rss-${opts.rssSize}`, files: big };
    const out = join(outDir, 'rss');
    rmSync(out, { recursive: true, force: true });
    await run('sync', []);
    const m = await (tools.ours as (typeof tools)[string])(c, 0, out);
    verifyOurs(c, out);
    rmSync(out, { recursive: true, force: true });
    rmSync(join(dataDir, c.folder), { recursive: true, force: true });
    rmSync(join(dataDir, `rss-${opts.rssSize}.index.json`), { force: true });
    rss = { fileBytes: opts.rssSize, peakRss: m.peakRss, ms: m.ms };
  }

  await hub.close();
  await nginx.stop();
  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  report(results, resume, rss);
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

async function resumeCase(
  c: Case,
  engine: string,
  nginx: Awaited<ReturnType<typeof startNginx>>,
  outDir: string,
  useOrchestrator: boolean,
) {
  const f = c.files[0] as BenchFile;
  const out = join(outDir, 'resume');
  rmSync(out, { recursive: true, force: true });
  await run('sync', []);
  const spec = join(opts.dir, 'engine-spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      root: out,
      orchestrator: useOrchestrator,
      model: {
        id: 'bench-resume',
        version: '1',
        variants: ['default'],
        defaultVariant: 'default',
        allowPatterns: ['*'],
        files: [{ path: f.path.split('/').pop(), size: f.size, sha256: f.sha256, optional: false }],
        sources: [`${nginx.url}/${c.folder}`],
      },
    }),
  );
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
  results: Array<{ case: string; tools: ToolResult[] }>,
  resume: Awaited<ReturnType<typeof resumeCase>> | null,
  rss: { fileBytes: number; peakRss: number; ms: number } | null,
): void {
  const doc = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryBytes: totalmem(), loadAverage: loadavg() },
    size: opts.size,
    files: opts.files,
    runs: opts.runs,
    cases: results.map((r) => {
      const ours = r.tools.find((t) => t.tool === 'ours');
      const oursMedian = ours ? median(ours.timesMs) : NaN;
      return {
        case: r.case,
        tools: r.tools.map((t) => ({
          tool: t.tool,
          medianMs: Math.round(median(t.timesMs)),
          /** This tool's median time divided by ours: above 1 means ours is faster. */
          timeVsOurs: Number((median(t.timesMs) / oursMedian).toFixed(2)),
          peakRssMB: Math.round(Math.max(...t.peakRss) / 1024 ** 2),
          timesMs: t.timesMs.map(Math.round),
        })),
      };
    }),
    resume,
    largeFile: rss
      ? { fileBytes: rss.fileBytes, oursPeakRssMB: Math.round(rss.peakRss / 1024 ** 2), oursMs: Math.round(rss.ms), targetPeakRssMB: 200 }
      : null,
    targets: results.map((r) => {
      const m = (tool: string) => {
        const t = r.tools.find((x) => x.tool === tool);
        return t ? median(t.timesMs) : NaN;
      };
      const ratio = (tool: string) => Number((m('ours') / m(tool)).toFixed(2));
      return {
        case: r.case,
        oursOverAria2c: { value: ratio('aria2c'), target: 0.8 },
        oursOverHuggingfaceHub: { value: ratio('hf'), target: 0.5 },
        oursOverCp: { value: ratio('cp'), target: 1.3 },
        oursPeakRssMB: {
          value: Math.round(Math.max(...(r.tools.find((x) => x.tool === 'ours')?.peakRss ?? [0])) / 1024 ** 2),
          target: 200,
        },
      };
    }),
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const names: Record<string, string> = {
    ours: 'ours (ensure, verified)',
    curl: 'curl + sha256sum',
    aria2c: 'aria2c -x8 -s8 --checksum',
    hf: '@huggingface/hub snapshotDownload',
    cp: 'cp (write limit)',
  };
  const lines: string[] = [];
  lines.push(
    `machine: ${doc.machine.cpus} CPUs (${doc.machine.cpuModel}), ${(doc.machine.memoryBytes / 1024 ** 3).toFixed(0)} GiB RAM, load average ${doc.machine.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  for (const c of doc.cases) {
    lines.push('');
    lines.push(`${c.case}, ${(opts.size / 1024 ** 3).toFixed(2)} GiB, median of ${opts.runs}`);
    lines.push(`${'tool'.padEnd(36)}${'median s'.padStart(10)}${'time/ours'.padStart(11)}${'peak RSS MB'.padStart(13)}   runs (s)`);
    for (const t of c.tools) {
      lines.push(
        `${(names[t.tool] ?? t.tool).padEnd(36)}${(t.medianMs / 1000).toFixed(2).padStart(10)}${t.timeVsOurs.toFixed(2).padStart(11)}${String(t.peakRssMB).padStart(13)}   ${t.timesMs.map((x) => (x / 1000).toFixed(2)).join(' ')}`,
      );
    }
  }
  lines.push('');
  for (const t of doc.targets) {
    const mark = (v: number, target: number) =>
      Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} ${v <= target ? 'ok' : 'MISSED'} (target <= ${target})`;
    lines.push(
      `${t.case}: ours/aria2c ${mark(t.oursOverAria2c.value, 0.8)}; ours/hub ${mark(t.oursOverHuggingfaceHub.value, 0.5)}; ours/cp ${mark(t.oursOverCp.value, 1.3)}; ours peak RSS ${t.oursPeakRssMB.value} MB (target <= 200)`,
    );
  }
  if (resume) {
    lines.push('');
    lines.push(
      `resume: killed with SIGKILL at ${(resume.killedAtBytes / 1024 ** 2).toFixed(0)} MiB journaled of ${(resume.fileBytes / 1024 ** 2).toFixed(0)} MiB; restart finished in ${(resume.secondRunMs / 1000).toFixed(2)} s; bytes fetched twice ${(resume.refetchedBytes / 1024 ** 2).toFixed(1)} MiB = ${resume.refetchedPercent.toFixed(2)}% of the file (target <= 2%)`,
    );
  }
  if (rss) {
    const mb = Math.round(rss.peakRss / 1024 ** 2);
    lines.push(
      `large file: ours fetched ${(rss.fileBytes / 1024 ** 3).toFixed(2)} GiB in ${(rss.ms / 1000).toFixed(2)} s with peak RSS ${mb} MB ${mb <= 200 ? 'ok' : 'MISSED'} (target <= 200)`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
