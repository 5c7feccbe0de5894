/**
 * Distinctive secrets for tests (tokens, keys, passwords, signatures), so a test can grep
 * everything a run printed, logged or exported as metrics and prove none of them leaked.
 */
export const TEST_SECRETS = {
  hfToken: 'hf_TESTSECRETtokenQ7x9ZmD2wLp',
  awsAccessKeyId: 'AKIATESTSECRETKEY7Q2Z',
  awsSecretAccessKey: 'TESTSECRETawsSecretKey9xQZm2Lp4Vb',
  awsSessionToken: 'TESTSECRETsessionTokenZ9qW3e',
  webToken: 'TESTSECRETwebToken-Ab12Cd34Ef56Gh78',
  basicPassword: 'TESTSECRETbasicPw42',
  urlSignature: 'TESTSECRETsignature0f1e2d',
} as const;

/** The environment variables a process reads credentials from, set to the test secrets. */
export function secretEnv(): Record<string, string> {
  return {
    HF_TOKEN: TEST_SECRETS.hfToken,
    AWS_ACCESS_KEY_ID: TEST_SECRETS.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_SECRETS.awsSecretAccessKey,
    AWS_SESSION_TOKEN: TEST_SECRETS.awsSessionToken,
  };
}

/** Which test secrets occur in `text` (an empty list is what every test wants). */
export function leakedSecrets(text: string): string[] {
  return Object.entries(TEST_SECRETS)
    .filter(([, value]) => text.includes(value) || text.includes(encodeURIComponent(value)))
    .map(([name]) => name);
}
