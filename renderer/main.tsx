/**
 * Entry of the renderer. In the desktop app the preload exposes `window.modelOrchestrator`;
 * in a browser the page talks to the localhost web host. Either way the UI only sees the
 * typed API client.
 */
import './strict-csp'; // first: before any zod schema is built
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { API_BRIDGE_GLOBAL, bridgeTransport, createApiClient, type ApiTransport, type PreloadBridge } from '../shared/api';
import { webTransport } from './api/web-transport';
import { App } from './components/App';
import { createAppActions } from './store/app-actions';
import { AppProvider } from './store/app-context';
import { createAppStore, type ThemeChoice } from './store/app-store';
import './styles.css';

const savedTheme = (() => {
  try {
    const t = localStorage.getItem('mo-theme');
    return t === 'light' || t === 'dark' || t === 'system' ? (t as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
})();

const store = createAppStore({ theme: savedTheme });
const bridge = (window as unknown as Record<string, PreloadBridge | undefined>)[API_BRIDGE_GLOBAL];
// Events missed while the stream was down are recovered by reloading the state once it is back.
const onConnection = (state: 'live' | 'lost') => {
  const wasLost = store.getState().connection === 'lost';
  store.getState().setConnection(state);
  if (state === 'live' && wasLost) void actions.resync();
};
const transport: ApiTransport = bridge ? bridgeTransport(bridge) : webTransport({ onConnection });
if (bridge) store.getState().setConnection('live');
const actions = createAppActions(createApiClient(transport), store);

const container = document.getElementById('root');
if (!container) throw new Error('renderer: index.html lacks #root.');
createRoot(container).render(
  <StrictMode>
    <AppProvider store={store} actions={actions}>
      <App />
    </AppProvider>
  </StrictMode>,
);
