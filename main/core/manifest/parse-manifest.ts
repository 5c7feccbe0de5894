/**
 * Parses manifest text (TOML or JSON) and validates it. Syntax errors become
 * MANIFEST_VALIDATION_ERROR with the line and column, so every failure a user can cause by
 * editing the file is reported the same way.
 */
import { dirname, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Manifest } from '../../../shared/manifest';
import { validateManifest, validationError, type ValidationContext } from './validate-manifest';

export type ManifestFormat = 'toml' | 'json';

export interface ParseManifestOptions {
  format: ManifestFormat;
  /** Where the text came from; `local://` sources resolve against its folder. */
  manifestPath?: string;
  /** Overrides the folder `local://` sources resolve against (default: the manifest's folder). */
  localMirrorRoot?: string;
}

export function parseManifestText(text: string, options: ParseManifestOptions): Manifest {
  const context: ValidationContext = {};
  if (options.manifestPath !== undefined) {
    context.manifestPath = resolve(options.manifestPath);
    context.localMirrorRoot = dirname(context.manifestPath);
  }
  if (options.localMirrorRoot !== undefined) context.localMirrorRoot = resolve(options.localMirrorRoot);

  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const document = options.format === 'json' ? parseJson(body, context) : parseTomlText(body, context);
  return validateManifest(document, context);
}

function parseTomlText(text: string, context: ValidationContext): unknown {
  try {
    // Big integers arrive as bigint so an oversized `size` is reported as such, not as a syntax error.
    return parseToml(text, { integersAsBigInt: 'asNeeded', maxDepth: 64 });
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = firstLine(error.message).replace(/^Invalid TOML document:\s*/, '');
      throw validationError(
        [
          {
            path: `line ${error.line}, column ${error.column}`,
            message: `TOML syntax error: ${reason}`,
            line: error.line,
            column: error.column,
          },
        ],
        context,
      );
    }
    throw validationError([{ path: '(document)', message: `could not be read as TOML: ${firstLine(String(error))}` }], context);
  }
}

function parseJson(text: string, context: ValidationContext): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : /end of JSON/i.test(message) ? text.length : null;
    const place = offset === null ? null : lineAndColumn(text, offset);
    const problem = place
      ? {
          path: `line ${place.line}, column ${place.column}`,
          message: `JSON syntax error: ${stripPosition(message)}`,
          line: place.line,
          column: place.column,
        }
      : { path: '(document)', message: `JSON syntax error: ${message}` };
    throw validationError([problem], context);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

function stripPosition(message: string): string {
  return message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
