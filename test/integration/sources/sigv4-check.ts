/**
 * An independent server-side AWS Signature V4 check (header form), written from the AWS
 * specification. s3rver only checks that the access key exists, so the S3 test puts this in front
 * of it to catch what real S3 rejects: a wrong secret, a key encoded differently from how it was
 * signed (`@`, spaces, `+`), a missing x-amz-content-sha256, a region mismatch.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SigV4Expectation {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  /** Temporary credentials: when a request carries x-amz-security-token it must be this one, and signed. */
  sessionToken?: string;
}

export type SigV4Verdict = { ok: true; signedHeaders: string[] } | { ok: false; code: string; reason: string };

const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const hex = (data: string): string => createHash('sha256').update(data).digest('hex');

/** S3 canonicalizes the object key it decoded from the path, each segment encoded exactly once. */
function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/');
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function checkSigV4(req: IncomingMessage, expected: SigV4Expectation): SigV4Verdict {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, code: 'AccessDenied', reason: 'no SigV4 Authorization header' };
  const [, keyId, date, region, service, signedList, signature] = m as unknown as string[];
  if (keyId !== expected.accessKeyId) return { ok: false, code: 'InvalidAccessKeyId', reason: 'unknown access key' };
  if (region !== expected.region)
    return { ok: false, code: 'AuthorizationHeaderMalformed', reason: `region ${region}, expected ${expected.region}` };
  if (service !== expected.service) return { ok: false, code: 'AuthorizationHeaderMalformed', reason: `service ${service}` };
  const amzDate = req.headers['x-amz-date'];
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date as string))
    return { ok: false, code: 'AccessDenied', reason: 'x-amz-date missing or not the credential date' };
  if (typeof payloadHash !== 'string') return { ok: false, code: 'InvalidRequest', reason: 'x-amz-content-sha256 missing' };
  const signedHeaders = (signedList as string).split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signedHeaders.includes(required)) return { ok: false, code: 'AccessDenied', reason: `${required} not signed` };
  }
  const sessionToken = req.headers['x-amz-security-token'];
  if (sessionToken !== undefined) {
    if (sessionToken !== expected.sessionToken) return { ok: false, code: 'InvalidToken', reason: 'the session token is invalid' };
    if (!signedHeaders.includes('x-amz-security-token'))
      return { ok: false, code: 'AccessDenied', reason: 'x-amz-security-token not signed' };
  }
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const canonicalHeaders = signedHeaders.map((name) => {
    const value = req.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [
    req.method ?? 'GET',
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders.join(''),
    signedList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${expected.secretAccessKey}`, date as string), region as string), service as string),
    'aws4_request',
  );
  const calculated = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (calculated !== signature) return { ok: false, code: 'SignatureDoesNotMatch', reason: 'signature does not match' };
  return { ok: true, signedHeaders };
}

export type PayloadVerdict = { ok: true } | { ok: false; code: string; reason: string };

/**
 * What S3 checks about a request body besides the signature: a hex x-amz-content-sha256 (the
 * signed payload hash) must be the body's sha256 (XAmzContentSHA256Mismatch), and an
 * x-amz-checksum-sha256 (base64) must match it too (BadDigest). s3rver checks neither.
 */
export function checkPayload(headers: IncomingMessage['headers'], body: Buffer): PayloadVerdict {
  const digest = createHash('sha256').update(body).digest();
  const checksum = headers['x-amz-checksum-sha256'];
  if (typeof checksum === 'string' && checksum !== digest.toString('base64')) {
    return { ok: false, code: 'BadDigest', reason: 'The sha256 you specified did not match the calculated checksum.' };
  }
  const signed = headers['x-amz-content-sha256'];
  if (typeof signed === 'string' && /^[0-9a-f]{64}$/.test(signed) && signed !== digest.toString('hex')) {
    return {
      ok: false,
      code: 'XAmzContentSHA256Mismatch',
      reason: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  return { ok: true };
}
