/**
 * The sandboxed preload: exposes the API bridge, and nothing else, to the isolated page.
 * Bundled by scripts/build.mjs to dist/preload/index.cjs with only `electron` external.
 */
import './strict-csp'; // first: before the API contract builds its schemas
import { contextBridge, ipcRenderer } from 'electron';
import { API_BRIDGE_GLOBAL } from '../shared/api';
import { createPreloadBridge } from './bridge';

contextBridge.exposeInMainWorld(API_BRIDGE_GLOBAL, createPreloadBridge(ipcRenderer));
