/**
 * Hands the store and the actions to the component tree. Tests render components inside
 * their own provider with a fresh store, so no state leaks between tests.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppActions } from './app-actions';
import type { AppState, AppStore } from './app-store';

interface AppContextValue {
  store: AppStore;
  actions: AppActions;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ store, actions, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, actions }}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useAppContext: render inside <AppProvider>.');
  return value;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useActions(): AppActions {
  return useAppContext().actions;
}

export function useStoreApi(): AppStore {
  return useAppContext().store;
}
