// @huggingface/hub's snapshotDownload as a child process for the bench.
// Usage: node hub-child.mjs <hubUrl> <repo> <cacheDir>
import { snapshotDownload } from '@huggingface/hub';

const [hubUrl, repo, cacheDir] = process.argv.slice(2);
console.debug = () => {};
const folder = await snapshotDownload({ repo, hubUrl, cacheDir });
process.stdout.write(`${JSON.stringify({ folder })}\n`);
