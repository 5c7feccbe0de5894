/**
 * A rate-capped link for the bench: two network namespaces of our own joined by a veth pair,
 * the server side shaped with `tc … tbf` (this kernel has no netem), addresses in 10.231.0.0/30
 * that exist only inside those namespaces. Needs root and iproute2; nothing outside the two
 * namespaces is touched, and close() deletes them (which also deletes the veth pair).
 */
import { spawnSync } from 'node:child_process';

export interface RateCappedLink {
  /** Address of the server side (nginx listens here, inside `serverNs`). */
  serverAddress: string;
  serverNs: string;
  clientNs: string;
  /** Command prefix that runs a program on the client side. */
  clientWrap: string[];
  serverWrap: string[];
  /** The cap in bytes per second. */
  bytesPerSecond: number;
  close(): void;
}

const SERVER_NS = 'mo-bench-srv';
const CLIENT_NS = 'mo-bench-cli';

function ip(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() || (r.error?.message ?? '') };
}

function must(args: string[]): void {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.err}`);
}

/** Why the link cannot be made here (not root, no `ip`), or null when it can be tried. */
export function rateCappedLinkUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync('sh', ['-c', 'command -v ip && command -v tc'], { stdio: 'ignore' }).status !== 0) {
    return 'needs iproute2 (ip, tc): apt-get install -y iproute2';
  }
  return null;
}

/** Creates the namespaces and the shaped veth pair; `rate` in tc syntax (e.g. 1gbit). */
export function openRateCappedLink(rate = '1gbit'): RateCappedLink {
  // Left over from an interrupted run: ours by name, safe to drop.
  for (const ns of [SERVER_NS, CLIENT_NS]) ip(['netns', 'del', ns]);
  const close = () => {
    for (const ns of [SERVER_NS, CLIENT_NS]) ip(['netns', 'del', ns]);
  };
  try {
    must(['netns', 'add', SERVER_NS]);
    must(['netns', 'add', CLIENT_NS]);
    must(['-n', SERVER_NS, 'link', 'add', 'mo-veth-s', 'type', 'veth', 'peer', 'name', 'mo-veth-c', 'netns', CLIENT_NS]);
    must(['-n', SERVER_NS, 'addr', 'add', '10.231.0.1/30', 'dev', 'mo-veth-s']);
    must(['-n', CLIENT_NS, 'addr', 'add', '10.231.0.2/30', 'dev', 'mo-veth-c']);
    for (const [ns, dev] of [
      [SERVER_NS, 'mo-veth-s'],
      [CLIENT_NS, 'mo-veth-c'],
    ] as const) {
      must(['-n', ns, 'link', 'set', dev, 'up']);
      must(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Server to client is the direction the bytes flow; burst sized for 1 Gbit at a 250 Hz tick.
    must([
      'netns',
      'exec',
      SERVER_NS,
      'tc',
      'qdisc',
      'add',
      'dev',
      'mo-veth-s',
      'root',
      'tbf',
      'rate',
      rate,
      'burst',
      '512kb',
      'latency',
      '50ms',
    ]);
  } catch (error) {
    close();
    throw error;
  }
  return {
    serverAddress: '10.231.0.1',
    serverNs: SERVER_NS,
    clientNs: CLIENT_NS,
    clientWrap: ['ip', 'netns', 'exec', CLIENT_NS],
    serverWrap: ['ip', 'netns', 'exec', SERVER_NS],
    bytesPerSecond: parseRate(rate),
    close,
  };
}

function parseRate(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)(k|m|g)?bit$/i.exec(rate);
  if (!m) throw new Error(`rate: cannot read ${rate} (use e.g. 1gbit)`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return (Number(m[1]) * mult) / 8;
}
