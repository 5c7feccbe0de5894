/**
 * Private certificate authorities. Node already adds `NODE_EXTRA_CA_CERTS` to its default roots
 * at startup, so with no CA file nothing is configured here and TLS uses those defaults. A CA file
 * (Settings, `MODELS_CA_FILE`) is added to the defaults, never replacing them: Node's `ca` option
 * replaces the roots, so the context is built from the bundled roots, the NODE_EXTRA_CA_CERTS
 * file and the CA file together. Verification is never turned off.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { OrchestratorError } from '../../../shared/errors';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates in a PEM file; INVALID_CONFIG when it cannot be read or holds none. */
export function readCaFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `The CA file ${file} cannot be read (${code}). Point MODELS_CA_FILE or the CA file in Settings at a PEM file with your company's CA certificate.`,
      { file, errno: code },
    );
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `The CA file ${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Export your company's CA certificate as PEM and point MODELS_CA_FILE or the CA file in Settings at it.`,
      { file },
    );
  }
  return certificates;
}

/**
 * A TLS context trusting the default roots plus `caFile`, or undefined when there is no CA file
 * (Node's defaults, NODE_EXTRA_CA_CERTS included, then apply as they are).
 */
export function trustedCaContext(caFile: string | null | undefined, env: NodeJS.ProcessEnv = process.env): SecureContext | undefined {
  if (!caFile) return undefined;
  const extra = env.NODE_EXTRA_CA_CERTS ? readExtraCaCerts(env.NODE_EXTRA_CA_CERTS) : [];
  return createSecureContext({ ca: [...rootCertificates, ...extra, ...readCaFile(caFile)] });
}

/** Node only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it), rather than refusing to start. */
function readExtraCaCerts(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}
