/**
 * Models made for the end-to-end tests: random bytes with their real sha256, served by the
 * fault server (a real HTTP server on 127.0.0.1, throttled so progress is visible), and the
 * manifests that describe them: a valid one and one with mistakes a user could make.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';

export interface CatalogueFile {
  path: string;
  data: Buffer;
}

export interface TestCatalogue {
  server: FaultServer;
  /** A manifest with two models: `e2e-small@1.0` (two tiny files) and `e2e-big@1.0` (a few MB). */
  manifestToml: string;
  /** A manifest with a bad sha256, a negative size and an unsafe path. */
  invalidToml: string;
  bigModel: { id: string; variant: string; files: CatalogueFile[] };
  smallModel: { id: string; variant: string; files: CatalogueFile[] };
  close(): Promise<void>;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function modelToml(id: string, description: string, base: string, files: CatalogueFile[]): string {
  const lines = [
    `[models."${id}"]`,
    `description = "${description}"`,
    'version = "1.0"',
    'variants = ["default"]',
    'default_variant = "default"',
    '',
  ];
  for (const f of files) {
    lines.push(`[[models."${id}".files]]`, `path = "${f.path}"`, `size = ${f.data.length}`, `sha256 = "${sha256(f.data)}"`, '');
  }
  lines.push(`[models."${id}".sources]`, `priority = ["${base}"]`, '');
  return lines.join('\n');
}

export async function startTestCatalogue(options: { bigBytes?: number; bytesPerSecond?: number } = {}): Promise<TestCatalogue> {
  const server = await startFaultServer();
  const bigBytes = options.bigBytes ?? 4 * 1024 * 1024;
  const big = {
    id: 'e2e-big@1.0',
    variant: 'default',
    files: [
      { path: 'weights.safetensors', data: randomBytes(bigBytes) },
      { path: 'config.json', data: Buffer.from('{"hidden_size": 64}\n') },
    ],
  };
  const small = {
    id: 'e2e-small@1.0',
    variant: 'default',
    files: [
      { path: 'tokenizer.json', data: randomBytes(48 * 1024) },
      { path: 'model.bin', data: randomBytes(160 * 1024) },
    ],
  };
  for (const [folder, model] of [
    ['big', big],
    ['small', small],
  ] as const) {
    for (const f of model.files) server.serve(`/${folder}/${f.path}`, f.data, { bytesPerSecond: options.bytesPerSecond ?? 512 * 1024 });
  }
  const manifestToml = [
    'schema_version = 1',
    '',
    modelToml(big.id, 'A few megabytes of random weights, served slowly so progress shows.', `${server.url}/big`, big.files),
    modelToml(small.id, 'Two small files that download in a moment.', `${server.url}/small`, small.files),
  ].join('\n');
  const invalidToml = [
    'schema_version = 1',
    '',
    '[models."broken@1"]',
    'version = "1"',
    'variants = ["fp16"]',
    'default_variant = "fp16"',
    '',
    '[[models."broken@1".files]]',
    'path = "../escape.bin"',
    'size = -5',
    'sha256 = "not-a-hash"',
    '',
    '[models."broken@1".sources]',
    `priority = ["${server.url}/broken"]`,
    '',
  ].join('\n');
  return { server, manifestToml, invalidToml, bigModel: big, smallModel: small, close: () => server.close() };
}
