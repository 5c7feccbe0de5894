/**
 * Fans the app's pushed events (job progress, status changes, notifications…) out to every
 * subscriber: the web host's event stream, the Electron windows.
 */
import type { ApiEvent } from '../../../shared/api';

export type ApiEventListener = (event: ApiEvent) => void;

export class ApiEventHub {
  private readonly listeners = new Set<ApiEventListener>();

  /** Returns the unsubscribe function. */
  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed window) must not stop the others.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
