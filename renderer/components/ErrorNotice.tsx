/**
 * A failed host call shown in place, the way the import report shows one: the error code, the
 * host's message, and what to do next (for a token problem, a way to open Settings).
 */
import type { StructuredError } from '../../shared/errors';
import { useAppStore } from '../store/app-context';
import { Icon } from './Icon';

function whatToDo(error: StructuredError, tokenSaved: boolean): string | null {
  switch (error.code) {
    case 'AUTH_FAIL':
      return tokenSaved
        ? 'If the model is gated, open its page on Hugging Face and accept its terms with the account of your token; otherwise check the token in Settings. Then try again.'
        : 'Save your Hugging Face access token in Settings (or set HF_TOKEN). For a gated model, also accept its terms on its page on Hugging Face. Then try again.';
    case 'MODEL_NOT_FOUND':
      return 'Check the repo id (org/name, as in the address of its Hugging Face page) and the revision, for a typo.';
    case 'SOURCE_UNAVAILABLE':
      return 'Check the address and your network connection, then try again.';
    case 'INVALID_CONFIG':
      return 'Check what you typed (source, patterns, folder), then try again.';
    case 'NO_SPACE':
      return 'Free some space (Storage › Clean up…) or choose another folder.';
    case 'PERMISSION_DENIED':
      return 'Choose a folder your user can read (and, for an export, write).';
    case 'RATE_LIMIT':
    case 'NETWORK_TIMEOUT':
      return 'Wait a minute, then try again.';
    default:
      return null;
  }
}

export function ErrorNotice({ error, testId = 'error-notice' }: { error: StructuredError; testId?: string }) {
  const tokenSaved = useAppStore((s) => Boolean(s.settings?.hfTokenSet));
  const openDialog = useAppStore((s) => s.openDialog);
  const advice = whatToDo(error, tokenSaved);
  return (
    <div className="error-notice" role="alert" data-testid={testId}>
      <p>
        <Icon name="alert" size={16} />{' '}
        <span className="code-badge" data-testid="error-code">
          {error.code}
        </span>{' '}
        <span data-testid="error-message">{error.message}</span>
      </p>
      {advice ? (
        <p className="what-to-do" data-testid="error-what-to-do">
          What to do: {advice}
        </p>
      ) : null}
      {error.code === 'AUTH_FAIL' ? (
        <p>
          <button type="button" className="button" onClick={() => openDialog({ kind: 'settings' })} data-testid="open-settings">
            <Icon name="settings" /> Open Settings
          </button>
        </p>
      ) : null}
    </div>
  );
}
