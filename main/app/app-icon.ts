/**
 * The app icon, drawn in code (no copied artwork): a rounded indigo-to-teal square with an
 * amber arrow falling onto three stacked bars — models arriving on the disk. Encoded as an
 * RGBA PNG so the build can write it for electron-builder and the app can hand it to
 * nativeImage for the window and the tray. Pure Node (zlib), so it is unit-tested without Electron.
 */
import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const AMBER: Rgba = [251, 191, 36, 255];
const BAR: Rgba = [224, 242, 254, 255];
const SAMPLES = 4; // 4x4 supersampling gives smooth edges at every size

/** Inside test for a rounded rectangle given in unit coordinates (0..1). */
function inRoundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** Inside test for the downward triangle of the arrow head. */
function inArrowHead(x: number, y: number): boolean {
  const top = 0.34;
  const tip = 0.52;
  if (y < top || y > tip) return false;
  const halfWidth = 0.19 * (1 - (y - top) / (tip - top));
  return Math.abs(x - 0.5) <= halfWidth;
}

function background(y: number): Rgba {
  // Vertical gradient: indigo at the top, teal at the bottom.
  const from = [49, 46, 129];
  const to = [15, 118, 110];
  return [0, 1, 2].map((i) => Math.round(from[i]! + (to[i]! - from[i]!) * y)).concat(255) as unknown as Rgba;
}

/** Colour of one sample point, or null outside the icon (transparent). */
function sample(x: number, y: number): Rgba | null {
  if (!inRoundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  if (inRoundedRect(x, y, 0.44, 0.14, 0.56, 0.36, 0.02) || inArrowHead(x, y)) return AMBER;
  for (const top of [0.58, 0.7, 0.82]) {
    if (inRoundedRect(x, y, 0.22, top, 0.78, top + 0.08, 0.04)) return BAR;
  }
  return background(y);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The icon as a `size`×`size` RGBA PNG. */
export function drawAppIconPng(size: number): Buffer {
  if (!Number.isInteger(size) || size < 8 || size > 2048) {
    throw new RangeError(`drawAppIconPng: size must be an integer from 8 to 2048, got ${size}.`);
  }
  const stride = size * 4 + 1;
  const raw = Buffer.alloc(stride * size); // each scanline starts with filter type 0 (none)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = sample((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += c[3];
        }
      }
      const n = SAMPLES * SAMPLES;
      const covered = a / 255;
      const o = py * stride + 1 + px * 4;
      // Average colour over the covered samples (straight alpha), coverage as alpha.
      raw[o] = covered ? Math.round(r / covered) : 0;
      raw[o + 1] = covered ? Math.round(g / covered) : 0;
      raw[o + 2] = covered ? Math.round(b / covered) : 0;
      raw[o + 3] = Math.round(a / n);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
