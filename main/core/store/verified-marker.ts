/**
 * `.verified.json`: written last into a model directory that was assembled from verified blobs.
 * Its presence (plus every file having its size) is what makes a model COMPLETE without hashing.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurable } from './durable-write';

export const MARKER_NAME = '.verified.json';

const markerSchema = z.object({
  id: z.string(),
  variant: z.string(),
  version: z.string(),
  verified_at: z.string(),
  linkMode: z.enum(['hardlink', 'copy']).optional(),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string() })),
});

export type VerifiedMarker = z.infer<typeof markerSchema>;

/** The marker at `markerPath`, or null when it is missing or unreadable (treated as "no marker"). */
export async function readMarker(markerPath: string): Promise<VerifiedMarker | null> {
  let text: string;
  try {
    text = await readFile(markerPath, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = markerSchema.safeParse(JSON.parse(text) as unknown);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeMarker(markerPath: string, marker: VerifiedMarker): Promise<void> {
  await writeFileDurable(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
}
