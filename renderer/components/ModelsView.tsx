/** The models list with its search, status filter and sort, or a first-run explanation. */
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/app-context';
import type { SortKey, StatusFilter } from '../store/app-store';
import { selectVisibleModelIds } from '../store/selectors';
import { AddModelButton } from './AddModelButton';
import { Icon } from './Icon';
import { ImportButton } from './ImportButton';
import { ManifestList } from './ManifestList';
import { ModelCard } from './ModelCard';

const EXAMPLE = `schema_version = 1

[models."my-model@1.0"]
version = "1.0"
variants = ["fp16"]
default_variant = "fp16"

[[models."my-model@1.0".files]]
path = "model.safetensors"
size = 4000000
sha256 = "…64 hex characters…"

[models."my-model@1.0".sources]
priority = ["https://example.org/my-model"]`;

export function ModelsView() {
  const ids = useAppStore(useShallow(selectVisibleModelIds));
  const models = useAppStore((s) => s.models);
  const loaded = useAppStore((s) => s.modelsLoaded);
  const filter = useAppStore((s) => s.filter);
  const statusFilter = useAppStore((s) => s.statusFilter);
  const sort = useAppStore((s) => s.sort);
  const setFilter = useAppStore((s) => s.setFilter);
  const setStatusFilter = useAppStore((s) => s.setStatusFilter);
  const setSort = useAppStore((s) => s.setSort);
  const byId = new Map(models.map((m) => [m.id, m]));
  const search = useRef<HTMLInputElement>(null);

  // "/" jumps to the search box, as on many sites, unless the user is typing somewhere or a
  // modal dialog is open (focus must not leave it for the list behind).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (!search.current) return;
      event.preventDefault();
      search.current.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (loaded && models.length === 0) {
    return (
      <section className="empty-state empty-state--hero" data-testid="models-empty">
        <div className="empty-state__art" aria-hidden="true">
          <Icon name="models" size={44} />
        </div>
        <h2>No models yet</h2>
        <p>Add a model from Hugging Face, an S3 bucket or a folder: the app reads its list of files and their sha256 for you.</p>
        <AddModelButton primary />
        <p>
          Or use a <strong>manifest</strong>: a <code>models.toml</code> or <code>models.json</code> file that lists each model, its files
          with their size and sha256, and where to download them. Drop a manifest anywhere on this window, or choose one:
        </p>
        <ImportButton />
        <details className="example">
          <summary>What does a manifest look like?</summary>
          <pre>
            <code>{EXAMPLE}</code>
          </pre>
        </details>
      </section>
    );
  }

  return (
    <section className="models-view" aria-label="Models">
      <div className="toolbar" role="search">
        <label className="search">
          <Icon name="search" size={16} />
          <span className="visually-hidden">Search models</span>
          <input
            ref={search}
            type="search"
            placeholder="Search models"
            aria-keyshortcuts="/"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            data-testid="model-search"
          />
          <kbd className="kbd" aria-hidden="true" title="Press / to search">
            /
          </kbd>
        </label>
        <label className="select-field">
          <span>Show</span>
          <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value as StatusFilter)} data-testid="status-filter">
            <option value="all">All</option>
            <option value="ready">Ready</option>
            <option value="active">Downloading</option>
            <option value="missing">Not downloaded</option>
            <option value="problems">Problems</option>
          </select>
        </label>
        <label className="select-field">
          <span>Sort by</span>
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="sort">
            <option value="name">Name</option>
            <option value="size">Size</option>
            <option value="status">Status</option>
            <option value="lastUsed">Last used</option>
          </select>
        </label>
      </div>
      {!loaded ? (
        <div className="skeleton-list" aria-busy="true" aria-label="Loading models">
          <div className="skeleton" />
          <div className="skeleton" />
          <div className="skeleton" />
        </div>
      ) : ids.length === 0 ? (
        <div className="empty-state" data-testid="models-no-match">
          <p>No model matches these filters.</p>
          <button
            type="button"
            className="button"
            onClick={() => {
              setFilter('');
              setStatusFilter('all');
            }}
          >
            Show all models
          </button>
        </div>
      ) : (
        <div className="model-list" data-testid="model-list">
          {ids.map((id) => {
            const model = byId.get(id);
            return model ? <ModelCard key={id} model={model} /> : null;
          })}
        </div>
      )}
      <ManifestList />
    </section>
  );
}
