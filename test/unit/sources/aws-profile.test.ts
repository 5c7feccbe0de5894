import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAwsIni } from '../../../main/core/sources/aws-profile';
import { s3OptionsFromEnv } from '../../../main/core/sources/s3-source';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'aws-home-'));
  await mkdir(path.join(home, '.aws'));
  await writeFile(
    path.join(home, '.aws', 'credentials'),
    '# written by aws configure\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = secretDefault\n\n[work]\naws_access_key_id=AKIDWORK\naws_secret_access_key=secretWork\naws_session_token = tokWork\n',
  );
  await writeFile(
    path.join(home, '.aws', 'config'),
    '[default]\nregion = eu-west-1\n\n[profile work]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:9000\n',
  );
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('S3 settings from the AWS shared files', () => {
  it('reads the default profile from ~/.aws/credentials and ~/.aws/config', () => {
    expect(s3OptionsFromEnv({ HOME: home })).toEqual({ accessKeyId: 'AKIDDEFAULT', secretAccessKey: 'secretDefault', region: 'eu-west-1' });
  });

  it('reads the profile named by AWS_PROFILE, with its session token and endpoint', () => {
    expect(s3OptionsFromEnv({ HOME: home, AWS_PROFILE: 'work' })).toEqual({
      accessKeyId: 'AKIDWORK',
      secretAccessKey: 'secretWork',
      sessionToken: 'tokWork',
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:9000',
    });
  });

  it('lets AWS_* variables win, keys taken as one set', () => {
    const out = s3OptionsFromEnv({
      HOME: home,
      AWS_PROFILE: 'work',
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 'secretEnv',
      AWS_REGION: 'us-west-2',
    });
    expect(out).toMatchObject({ accessKeyId: 'AKIDENV', secretAccessKey: 'secretEnv', region: 'us-west-2' });
    expect(out.sessionToken).toBeUndefined();
    // An id without a secret does not get paired with the file's secret.
    expect(s3OptionsFromEnv({ HOME: home, AWS_ACCESS_KEY_ID: 'AKIDENV' })).toMatchObject({
      accessKeyId: 'AKIDDEFAULT',
      secretAccessKey: 'secretDefault',
    });
  });

  it('reads nothing from disk without a home directory or file in the given env', () => {
    expect(s3OptionsFromEnv({})).toEqual({});
    expect(s3OptionsFromEnv({ HOME: path.join(home, 'nowhere') })).toEqual({});
  });

  it('parses comments, spacing and "profile name" sections', () => {
    const ini = parseAwsIni('; c\n[ profile  x ]\n Region =  ap-south-1 \n');
    expect(ini.get('profile x')?.get('region')).toBe('ap-south-1');
  });
});
