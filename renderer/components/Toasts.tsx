/** Short-lived messages (completions, failures); each can be dismissed at once. */
import { useEffect } from 'react';
import { useAppStore } from '../store/app-context';
import type { Toast } from '../store/app-store';
import { Icon } from './Icon';

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useAppStore((s) => s.dismissToast);
  useEffect(() => {
    // Errors stay longer; the place they concern (card, dialog) keeps showing them anyway.
    const timer = setTimeout(() => dismiss(toast.id), toast.tone === 'error' ? 15_000 : 6000);
    return () => clearTimeout(timer);
  }, [toast, dismiss]);
  return (
    <div className={`toast toast--${toast.tone}`} data-testid="toast" data-tone={toast.tone}>
      <Icon name={toast.tone === 'error' ? 'alert' : toast.tone === 'success' ? 'check' : 'file'} size={18} />
      <div className="toast__text">
        <strong>{toast.title}</strong>
        {toast.body ? <span>{toast.body}</span> : null}
      </div>
      <button type="button" className="icon-button" onClick={() => dismiss(toast.id)} aria-label="Dismiss notification">
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
