import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawAppIconPng } from '../../../main/app/app-icon';

/** Decodes our own unfiltered RGBA PNG back to pixels. */
function pixels(png: Buffer): { size: number; rgba: (x: number, y: number) => number[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const size = png.readUInt32BE(16);
  const idatLength = png.readUInt32BE(33);
  expect(png.toString('ascii', 37, 41)).toBe('IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const stride = size * 4 + 1;
  return { size, rgba: (x, y) => [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)] };
}

describe('app icon', () => {
  it('is a square RGBA PNG of the asked size with transparent corners and an opaque middle', () => {
    for (const size of [16, 32, 256]) {
      const { size: decoded, rgba } = pixels(drawAppIconPng(size));
      expect(decoded).toBe(size);
      expect(rgba(0, 0)[3]).toBe(0);
      expect(rgba(size >> 1, size >> 1)[3]).toBe(255);
    }
  });

  it('refuses sizes that make no sense', () => {
    expect(() => drawAppIconPng(0)).toThrow(RangeError);
    expect(() => drawAppIconPng(1.5)).toThrow(RangeError);
  });
});
