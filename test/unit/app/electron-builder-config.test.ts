/**
 * `npm run dist` cannot run here (it needs the Electron binary), so the packaging config is
 * checked the way electron-builder itself checks it: parsed as YAML, validated against
 * electron-builder's own schema, and every file it points at exists after the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  icon: string;
  extraMetadata: { main: string };
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
}

const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

beforeAll(() => {
  // `npm test` builds first; a lone `vitest run` of this file builds here.
  if (!existsSync(join(repo, 'dist', 'app', 'main.cjs'))) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
});

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('packages Linux (AppImage, deb), macOS (dmg) and Windows (nsis) as "Model Orchestrator" in an asar', () => {
    expect(config.productName).toBe('Model Orchestrator');
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
  });

  it('points at files the build produced: main, preload, icon', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { main: string };
    expect(config.extraMetadata.main).toBe(pkg.main);
    for (const file of [
      config.extraMetadata.main,
      'dist/preload/index.cjs',
      config.icon,
      config.linux.icon,
      config.mac.icon,
      config.win.icon,
    ]) {
      expect(existsSync(join(repo, file)), file).toBe(true);
    }
    // macOS needs at least 512x512 to make an .icns; read the PNG header.
    const png = readFileSync(join(repo, config.icon));
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
  });
});
