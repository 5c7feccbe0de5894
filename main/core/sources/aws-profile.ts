/**
 * S3 settings from the AWS shared files most users already have (`aws configure` writes them):
 * ~/.aws/credentials (`[profile]` sections with aws_access_key_id, aws_secret_access_key,
 * aws_session_token) and ~/.aws/config (`[profile name]` or `[default]`: region, endpoint_url).
 * The profile is AWS_PROFILE or "default"; AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move
 * the files. Nothing is read without a home directory or an explicit file in `env`, so a
 * caller passing its own env never picks up the machine's keys by accident.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { S3SourceOptions } from './s3-options';

type Sections = Map<string, Map<string, string>>;

/** The INI dialect of the AWS files: `[section]`, `key = value`, `#`/`;` comments. */
export function parseAwsIni(text: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set((header[1] as string).replace(/\s+/g, ' '), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

function readIni(file: string | undefined): Sections {
  if (!file) return new Map();
  try {
    return parseAwsIni(readFileSync(file, 'utf8'));
  } catch {
    // No file (or unreadable) is the common case: the settings simply come from elsewhere.
    return new Map();
  }
}

export function s3OptionsFromAwsFiles(env: Record<string, string | undefined>): S3SourceOptions {
  const home = env.HOME || env.USERPROFILE;
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || (home ? path.join(home, '.aws', 'credentials') : undefined);
  const configFile = env.AWS_CONFIG_FILE || (home ? path.join(home, '.aws', 'config') : undefined);
  const profile = env.AWS_PROFILE || 'default';
  const credentials = readIni(credentialsFile).get(profile);
  const configs = readIni(configFile);
  const config = configs.get(profile === 'default' ? 'default' : `profile ${profile}`) ?? configs.get(profile);
  const out: S3SourceOptions = {};
  const keyId = credentials?.get('aws_access_key_id') ?? config?.get('aws_access_key_id');
  const secret = credentials?.get('aws_secret_access_key') ?? config?.get('aws_secret_access_key');
  if (keyId && secret) {
    out.accessKeyId = keyId;
    out.secretAccessKey = secret;
    const token = credentials?.get('aws_session_token') ?? config?.get('aws_session_token');
    if (token) out.sessionToken = token;
  }
  const region = config?.get('region');
  const endpoint = config?.get('endpoint_url');
  if (region) out.region = region;
  if (endpoint) out.endpoint = endpoint;
  return out;
}
