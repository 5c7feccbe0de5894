/**
 * `s3://bucket/prefix` over the S3 protocol with SigV4-signed GETs. Signing uses aws4fetch: a
 * small, dependency-free, widely used SigV4 implementation whose signer we can call per
 * request to get headers (so each range request carries a fresh signature) without pulling in
 * the AWS SDK. With a custom endpoint (MinIO, Ceph, R2...) URLs are path-style
 * (`endpoint/bucket/key`); without one, virtual-hosted AWS URLs (`bucket.s3.region.amazonaws.com`).
 */
import { AwsV4Signer } from 'aws4fetch';
import { OrchestratorError } from '../../../shared/errors';
import type { ResolvedSource, SourceBackend } from '../ports';
import { s3OptionsFromAwsFiles } from './aws-profile';
import type { S3SourceOptions } from './s3-options';
import { joinUrlPath } from './url-path';

export type { S3SourceOptions } from './s3-options';

/**
 * Settings the AWS CLI would use: AWS_* variables first, then the profile in ~/.aws/credentials
 * and ~/.aws/config. Keys come as one set (never an id from one place and a secret from another).
 */
export function s3OptionsFromEnv(env: Record<string, string | undefined>): S3SourceOptions {
  const out: S3SourceOptions = s3OptionsFromAwsFiles(env);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (endpoint) out.endpoint = endpoint;
  if (region) out.region = region;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    out.accessKeyId = env.AWS_ACCESS_KEY_ID;
    out.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (env.AWS_SESSION_TOKEN) out.sessionToken = env.AWS_SESSION_TOKEN;
    else delete out.sessionToken;
  }
  return out;
}

/** `s3://bucket/prefix` split into its bucket and key prefix (no leading or trailing slash). */
export function parseS3Url(base: string): { bucket: string; prefix: string } {
  const rest = base.slice('s3://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const bucket = slash >= 0 ? rest.slice(0, slash) : rest;
  const prefix = slash >= 0 ? rest.slice(slash + 1) : '';
  if (!base.toLowerCase().startsWith('s3://') || !/^[a-z0-9][a-z0-9.-]{1,62}$/.test(bucket)) {
    throw new OrchestratorError('INVALID_CONFIG', `${base}: "${bucket}" is not a valid S3 bucket name.`, { source: base });
  }
  return { bucket, prefix };
}

/**
 * The HTTP URL of `key` in `bucket`: path-style under a custom endpoint (MinIO, Ceph, R2...),
 * virtual-hosted on AWS, path-style on AWS for dotted bucket names.
 */
export function s3ObjectUrl(options: S3SourceOptions, bucket: string, key: string): string {
  const region = options.region || 'us-east-1';
  const root = options.endpoint
    ? `${options.endpoint.replace(/\/+$/, '')}/${bucket}`
    : bucket.includes('.')
      ? // A dotted bucket name does not match the *.s3 TLS certificate as a host name: path-style.
        `https://s3.${region}.amazonaws.com/${bucket}`
      : `https://${bucket}.s3.${region}.amazonaws.com`;
  return key === '' ? `${root}/` : joinUrlPath(root, key);
}

/** What to set when a bucket refuses us: never holds a secret. */
export function s3AuthHelp(options: S3SourceOptions, bucket: string): string {
  const region = options.region || 'us-east-1';
  if (!options.accessKeyId || !options.secretAccessKey) {
    return `Bucket "${bucket}" is not public: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS_PROFILE in ~/.aws/credentials) and AWS_REGION to credentials that can read it.`;
  }
  return `Check the access key and secret (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS_PROFILE in ~/.aws/credentials) and AWS_REGION (now ${region}) for bucket "${bucket}", and that this computer's clock is right (signatures are time-stamped).`;
}

export function createS3SourceBackend(options: S3SourceOptions): SourceBackend {
  const region = options.region || 'us-east-1';
  return {
    schemes: ['s3'],
    resolve(base: string, filePath: string): ResolvedSource {
      const { bucket, prefix } = parseS3Url(base);
      const key = prefix ? `${prefix}/${filePath}` : filePath;
      const url = s3ObjectUrl(options, bucket, key);
      const authHelp = s3AuthHelp(options, bucket);
      const { accessKeyId, secretAccessKey, sessionToken } = options;
      if (!accessKeyId || !secretAccessKey) {
        // Public buckets work unsigned; a private one answers 403 and the user learns to set keys.
        return { kind: 'http', base, url, authHelp };
      }
      return {
        kind: 'http',
        base,
        url,
        authHelp,
        headers: async ({ method, url: requestUrl, range }) => {
          const signer = new AwsV4Signer({
            method,
            url: requestUrl,
            // The Range is signed (allHeaders: aws4fetch leaves it out by default), so each piece's
            // request carries its own signature and a captured one cannot fetch other bytes.
            ...(range ? { headers: { range }, allHeaders: true } : {}),
            accessKeyId,
            secretAccessKey,
            service: 's3',
            region,
            ...(sessionToken ? { sessionToken } : {}),
          });
          const signed = await signer.sign();
          const headers: Record<string, string> = {};
          signed.headers.forEach((value, name) => {
            // The downloader sets the Range itself; only the signature headers are added.
            if (name !== 'range') headers[name] = value;
          });
          return headers;
        },
      };
    },
  };
}
