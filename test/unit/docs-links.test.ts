/**
 * The repository stands alone: every link in its Markdown points to a file inside the clone
 * (and to a heading that exists there), or to a web address; nothing reaches beside the repo.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFiles(full));
    else if (name.endsWith('.md')) out.push(full);
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const anchors = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}

function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const problems: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#') as [string, string | undefined];
    const resolved = pathPart ? resolve(dirname(file), pathPart) : file;
    const where = `${relative(repo, file)} -> ${target}`;
    if (resolved !== repo && !resolved.startsWith(repo + sep)) problems.push(`${where}: outside the repository`);
    else if (!existsSync(resolved)) problems.push(`${where}: no such file`);
    else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) problems.push(`${where}: no such heading`);
  }
  return problems;
}

describe('documentation links', () => {
  it('every Markdown link stays inside the repository and lands on an existing file and heading', () => {
    const files = markdownFiles(repo);
    expect(files.map((f) => relative(repo, f))).toEqual(expect.arrayContaining(['README.md', join('docs', 'architecture.md')]));
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });
});
