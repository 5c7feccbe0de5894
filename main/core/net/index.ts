export {
  createHttpDispatcher,
  createHttpFetch,
  HttpDispatcher,
  type HttpDispatcherOptions,
  type HttpFetch,
  type NetworkOptions,
} from './http-dispatcher';
export { describeNetworkError, proxyAuthFailure, type NetworkFailureReason } from './network-error';
export { redactProxyUrl, resolveProxySettings, ProxyRoutes } from './proxy-settings';
