/**
 * The real bundled main process (dist/app/main.cjs) run in Node against a stand-in Electron
 * (helpers/fake-electron.cjs), because the Electron binary cannot exist here. It checks the
 * wiring a user depends on: the secure window, the app:// page with its CSP, the API over IPC
 * only from our page, a download from the demo mirror reaching the page as events and the
 * desktop as a notification, the tray, closing to the tray, and a clean quit.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CALL_CHANNEL, API_EVENT_CHANNEL, type ApiResponse } from '../../../shared/api';
import { startDemoMirror, type DemoMirror } from '../../../demo/demo-mirror';

const repo = join(import.meta.dirname, '..', '..', '..');
const mainBundle = join(repo, 'dist', 'app', 'main.cjs');
const APP_PAGE = 'app://model-orchestrator/index.html';

type Message = { type: string; [key: string]: unknown };

let dir: string;
let mirror: DemoMirror;
let child: ChildProcess;
const messages: Message[] = [];
const waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
let nextId = 0;

function waitFor(match: (m: Message) => boolean): Promise<Message> {
  const seen = messages.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

async function command(type: string, data: Record<string, unknown> = {}): Promise<unknown> {
  const id = ++nextId;
  child.send({ type, id, ...data });
  const reply = await waitFor((m) => m.type === 'reply' && m.id === id);
  if (reply.error) throw new Error(String(reply.error));
  return reply.value;
}

function call(method: string, input?: unknown, frameUrl: string | null = APP_PAGE): Promise<ApiResponse> {
  return command('invoke', { channel: API_CALL_CHANNEL, args: [method, input], frameUrl }) as Promise<ApiResponse>;
}

beforeAll(async () => {
  if (!existsSync(mainBundle)) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
  dir = await mkdtemp(join(tmpdir(), 'main-process-'));
  mirror = await startDemoMirror({ dir: join(dir, 'mirror'), sizeScale: 0.005, bytesPerSecond: 0 });
  child = fork(mainBundle, ['--manifest', mirror.manifestPath, '--root', join(dir, 'models')], {
    execArgv: ['-r', join(import.meta.dirname, 'helpers', 'fake-electron.cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m: Message) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await waitFor((m) => m.type === 'window.loadURL');
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill();
  await mirror?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Electron main process (with a stand-in Electron)', () => {
  it('opens one sandboxed, isolated window on the app:// page', async () => {
    const created = await waitFor((m) => m.type === 'window.created');
    expect((created.options as { webPreferences: object }).webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: join(repo, 'dist', 'preload', 'index.cjs'),
    });
    expect((await waitFor((m) => m.type === 'window.loadURL')).url).toBe(APP_PAGE);
    const privileged = await waitFor((m) => m.type === 'protocol.privileged');
    expect(privileged.schemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ secure: true, standard: true }) }),
    ]);
  });

  it('serves the page with the CSP header and nothing outside the renderer', async () => {
    const page = (await command('fetch', { url: APP_PAGE })) as { status: number; headers: Record<string, string> };
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const escape = (await command('fetch', { url: 'app://model-orchestrator/..%2f..%2fpackage.json' })) as { status: number; text: string };
    expect(escape.status).toBe(404);
    expect(escape.text).not.toContain('model-orchestrator');
  });

  it('answers API calls from the app page and refuses them from any other frame', async () => {
    const list = await call('listModels');
    expect(list.ok).toBe(true);
    if (list.ok) expect((list.result as Array<{ id: string }>).map((m) => m.id)).toEqual(mirror.modelIds);
    const info = await call('getAppInfo');
    expect(info).toMatchObject({ ok: true, result: { host: 'electron', canOpenFolder: true } });
    const refused = await call('listModels', undefined, 'https://evil.example/');
    expect(refused).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const gone = await call('listModels', undefined, null);
    expect(gone).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('downloads a demo model: progress reaches the page, the files are verified on disk, the desktop is notified', async () => {
    const started = await call('startDownload', { id: 'hello-embeddings@1.0.0' });
    expect(started.ok).toBe(true);
    const done = await waitFor(
      (m) =>
        m.type === 'webContents.send' &&
        m.channel === API_EVENT_CHANNEL &&
        (m.payload as { type: string; job?: { state: string } }).type === 'job' &&
        ['done', 'failed'].includes((m.payload as { job: { state: string } }).job.state),
    );
    expect((done.payload as { job: { state: string; error?: unknown } }).job).toMatchObject({ state: 'done' });

    const status = await call('getStatus', { id: 'hello-embeddings@1.0.0' });
    expect(status).toMatchObject({ ok: true, result: { status: 'COMPLETE' } });
    const localPath = (status as { result: { localPath: string } }).result.localPath;
    const manifestText = readFileSync(mirror.manifestPath, 'utf8');
    const bytes = readFileSync(join(localPath, 'model.safetensors'));
    expect(manifestText).toContain(createHash('sha256').update(bytes).digest('hex'));

    // The taskbar icon showed the download and cleared when it finished.
    expect(messages.some((m) => m.type === 'window.progress' && typeof m.fraction === 'number' && m.fraction >= 0)).toBe(true);
    expect(messages.filter((m) => m.type === 'window.progress').at(-1)).toMatchObject({ fraction: -1 });

    const note = await waitFor((m) => m.type === 'notification' && String(m.title).includes('hello-embeddings'));
    expect(note.title).toBe('hello-embeddings@1.0.0 is ready');

    const opened = await call('openFolder', { id: 'hello-embeddings@1.0.0' });
    expect(opened).toMatchObject({ ok: true, result: { opened: true, path: localPath } });
    expect(await waitFor((m) => m.type === 'shell.openPath')).toMatchObject({ path: localPath });
  });

  it('keeps the page on the app origin and opens only allowlisted links in the browser', async () => {
    const evil = (await command('navigate', { url: 'https://evil.example/' })) as { prevented: boolean; openHandler: { action: string } };
    expect(evil.prevented).toBe(true);
    expect(evil.openHandler).toEqual({ action: 'deny' });
    const hf = (await command('navigate', { url: 'https://huggingface.co/stabilityai/sd-turbo' })) as { prevented: boolean };
    expect(hf.prevented).toBe(true);
    expect(await waitFor((m) => m.type === 'shell.openExternal')).toMatchObject({ url: 'https://huggingface.co/stabilityai/sd-turbo' });
    expect(messages.filter((m) => m.type === 'shell.openExternal').map((m) => m.url)).not.toContain('https://evil.example/');
  });

  it('has a tray menu with Show, Pause all, Resume all and Quit', async () => {
    const menu = await waitFor((m) => m.type === 'tray.menu');
    expect((menu.items as Array<{ label?: string }>).filter((i) => i.label).map((i) => i.label)).toEqual([
      'Show Model Orchestrator',
      'Pause all',
      'Resume all',
      'Quit',
    ]);
    const appMenu = await waitFor((m) => m.type === 'appMenu');
    expect(JSON.stringify(appMenu.items)).toContain('Import Manifest…');
  });

  it('imports a manifest chosen with File › Import Manifest… and says what it added', async () => {
    const reference = join(repo, 'test', 'fixtures', 'manifests', 'wan22-models.toml');
    await command('menuClick', { path: ['&File', 'Import Manifest…'], pickFile: reference });
    const open = await waitFor((m) => m.type === 'dialog.open');
    expect(JSON.stringify(open.options)).toContain('toml');
    const box = (await waitFor((m) => m.type === 'dialog.message')).options as { type: string; message: string };
    expect(box).toMatchObject({ type: 'info', message: expect.stringMatching(/^Imported \d+ models? from wan22-models\.toml\.$/) });
    const list = await call('listModels');
    expect(list.ok && (list.result as Array<{ manifest: string | null }>).some((m) => m.manifest === 'wan22-models.toml')).toBe(true);
    expect(messages.some((m) => m.type === 'webContents.send' && (m.payload as { type: string }).type === 'models')).toBe(true);
  });

  it('answers chooseFolder with the system folder picker, and null when the user cancels', async () => {
    await command('pickNext', { path: dir });
    const picked = await call('chooseFolder', { title: 'A folder with model files' });
    expect(picked).toEqual({ ok: true, result: { path: dir } });
    const open = messages.filter((m) => m.type === 'dialog.open').at(-1);
    expect(open?.options).toMatchObject({ title: 'A folder with model files', properties: ['openDirectory'] });
    expect(await call('chooseFolder', {})).toEqual({ ok: true, result: { path: null } });
  });

  it('hides the window to the tray on close and quits cleanly from the tray', async () => {
    const closed = (await command('closeWindow')) as { visible: boolean; destroyed: boolean };
    expect(closed).toEqual({ visible: false, destroyed: false });
    expect(await waitFor((m) => m.type === 'notification' && String(m.title).includes('still running'))).toBeTruthy();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await command('trayClick', { label: 'Quit' });
    expect(await exited).toBe(0);
  });
});
