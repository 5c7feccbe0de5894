/**
 * A folder typed as a path; on the desktop also chosen with the system's folder picker. In the
 * web UI the folder is on the machine running the server, so only the path field is offered.
 */
import { useActions, useAppStore } from '../store/app-context';
import { Icon } from './Icon';

export function FolderField({
  label,
  value,
  onChange,
  placeholder,
  pickerTitle,
  testId,
  autoFocus = false,
  onPick,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  pickerTitle: string;
  testId: string;
  autoFocus?: boolean;
  /** What a folder chosen with the picker does (default: fills the field). */
  onPick?: (path: string) => void;
}) {
  const actions = useActions();
  const desktop = useAppStore((s) => s.appInfo?.host === 'electron');
  return (
    <div className="folder-field">
      <label>
        <span>{label}</span>
        <input
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          data-testid={testId}
          {...(autoFocus ? { 'data-autofocus': true } : {})}
        />
      </label>
      {desktop ? (
        <button
          type="button"
          className="button"
          data-testid={`${testId}-choose`}
          onClick={() =>
            void actions.chooseFolder(pickerTitle).then((path) => {
              if (path) (onPick ?? onChange)(path);
            })
          }
        >
          <Icon name="folder" /> Choose folder…
        </button>
      ) : null}
    </div>
  );
}
