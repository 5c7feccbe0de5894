#!/usr/bin/env node
/**
 * `npm start [-- --manifest FILE --root DIR ...]`: builds, then opens the desktop app when
 * Electron can run here; otherwise says why in one sentence and serves the same UI as a
 * localhost web app (main/web/serve), printing its URL and opening a browser when there is a
 * display. Never downloads anything: the Electron binary is found by file existence only
 * (requiring the `electron` package would try to download it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));

/** The Electron executable installed by the electron package, or null (read from path.txt, no require). */
export function electronExecutable(root = repo, env = process.env) {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  // Like the electron package: ELECTRON_OVERRIDE_DIST_PATH names a folder holding a local build.
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const full = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(full) ? full : null;
  }
  if (!relative) return null;
  const full = join(pkg, 'dist', relative);
  return existsSync(full) ? full : null;
}

export function hasDisplay(env = process.env, platform = process.platform) {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** null when Electron can start here, else the reason as the end of one sentence. */
export function whyElectronCannotStart({ root = repo, env = process.env, platform = process.platform, uid = process.getuid?.() } = {}) {
  if (!electronExecutable(root, env)) return 'no Electron binary is installed';
  if (!hasDisplay(env, platform)) return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  // Chromium refuses to run as root unless its sandbox is switched off, which we never do.
  if (platform === 'linux' && uid === 0) return 'it refuses to run as root with its sandbox on';
  return null;
}

function onPath(command, env = process.env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Opens `url` in the user's browser when a display exists; returns whether it tried. */
function openInBrowser(url) {
  if (!hasDisplay()) return false;
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  if (process.platform === 'linux' && !onPath('xdg-open')) return false;
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
  return true;
}

/** Runs the child until it exits, passing Ctrl+C / SIGTERM on so it can pause downloads cleanly. */
function supervise(child) {
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Electron on the project folder, so it reads package.json (name, version, main: dist/app/main.cjs). */
function startElectron(executable, args) {
  supervise(spawn(executable, [repo, ...args], { stdio: 'inherit' }));
}

function startWeb(args) {
  const built = join(repo, 'dist', 'web', 'serve.mjs');
  const source = join(repo, 'main', 'web', 'serve.ts');
  let command;
  if (existsSync(built)) command = [process.execPath, [built, ...args]];
  else if (existsSync(source)) command = [process.execPath, ['--import', 'tsx', source, ...args]];
  else {
    console.error('start: the web UI is not built (dist/web/serve.mjs and main/web/serve.ts are missing).');
    process.exit(1);
  }
  const child = spawn(command[0], command[1], { stdio: ['inherit', 'pipe', 'pipe'], cwd: repo });
  // The host prints its URL first on stdout and then explains it on stderr; keep that order.
  let urlShown = false;
  const heldBack = [];
  createInterface({ input: child.stderr }).on('line', (line) => (urlShown ? console.error(line) : heldBack.push(line)));
  const showHeldBack = () => {
    urlShown = true;
    for (const line of heldBack.splice(0)) console.error(line);
  };
  child.on('exit', showHeldBack);
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!urlShown && /^https?:\/\//.test(line)) {
      console.log(`Model Orchestrator web UI: ${line}`);
      if (openInBrowser(line)) console.log('Opening it in your browser.');
      showHeldBack();
      return;
    }
    console.log(line);
  });
  supervise(child);
}

function main() {
  const args = process.argv.slice(2);
  if (process.env.MODEL_ORCHESTRATOR_SKIP_BUILD !== '1') {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const reason = whyElectronCannotStart();
  if (reason === null) {
    startElectron(electronExecutable(), args);
    return;
  }
  console.log(`Electron is not available here (${reason}); opening the web UI instead.`);
  startWeb(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
