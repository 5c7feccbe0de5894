/**
 * A certificate authority made for one test run with openssl: a CA certificate and a server
 * certificate it signed for the given host names (plus localhost and 127.0.0.1), and a second,
 * unrelated CA for "untrusted" cases. Elliptic-curve keys, so it takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  /** PEM file of the CA certificate (what MODELS_CA_FILE / NODE_EXTRA_CA_CERTS point at). */
  caFile: string;
  /** Server key and certificate (PEM text) signed by the CA. */
  key: string;
  cert: string;
  /** A CA that signed nothing here: trusting it does not make the server trusted. */
  otherCaFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

export function makeTestCa(hosts: string[]): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'mo-ca-'));
  makeCa(dir, 'company');
  makeCa(dir, 'other');
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${hosts[0] ?? 'localhost'}`,
  ]);
  const names = [...hosts, 'localhost'].map((h) => `DNS:${h}`).join(',');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${names},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'company.pem',
    '-CAkey',
    'company.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return {
    dir,
    caFile: join(dir, 'company.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    otherCaFile: join(dir, 'other.pem'),
  };
}
