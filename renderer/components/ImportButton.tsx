/** Opens the file picker for manifests (.toml / .json); dropping files on the window does the same. */
import { useRef } from 'react';
import { useActions } from '../store/app-context';
import { Icon } from './Icon';

export function ImportButton({ primary = false }: { primary?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const actions = useActions();
  return (
    <>
      <button
        type="button"
        className={primary ? 'button button--primary' : 'button'}
        onClick={() => input.current?.click()}
        data-testid="import-button"
      >
        <Icon name="upload" /> Import manifest
      </button>
      <input
        ref={input}
        type="file"
        accept=".toml,.json,application/json,application/toml"
        multiple
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void actions.importFiles(files);
        }}
      />
    </>
  );
}
