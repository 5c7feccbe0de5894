/**
 * The app's team-mirror actions behind `testMirror` and `pushToMirror`: the S3 settings of the
 * app (over the AWS_* environment, as for s3:// sources) and progress as throttled
 * `mirrorProgress` events, the last one with `done`.
 */
import type { ApiEvent } from '../../../shared/api';
import { toStructuredError } from '../../../shared/errors';
import type { ModelSpec } from '../../../shared/manifest';
import type { MirrorPushProgress, MirrorPushResult, MirrorTestResult } from '../../../shared/results';
import { pushToMirror } from '../mirror/push-to-mirror';
import type { S3ClientOptions } from '../mirror/s3-client';
import { testMirror } from '../mirror/test-mirror';
import { Throttle } from '../progress-meter';
import { s3OptionsFromEnv } from '../sources/index';
import { createHttpDispatcher, type HttpDispatcher } from '../net/http-dispatcher';
import { networkOptionsOf, type AppSettings } from './settings-store';

export interface MirrorActionsDeps {
  root: () => string;
  resolveVariant: (id: string, variant?: string) => { model: ModelSpec; variant: string };
  settings: () => AppSettings;
  emit: (event: ApiEvent) => void;
  env?: Record<string, string | undefined>;
}

export class MirrorActions {
  constructor(private readonly deps: MirrorActionsDeps) {}

  /** The app's S3 settings over the environment, with a dispatcher (proxy, CA) the caller closes. */
  private s3(dispatcher: HttpDispatcher): S3ClientOptions {
    const s = this.deps.settings().s3;
    return {
      dispatcher,
      ...s3OptionsFromEnv(this.deps.env ?? process.env),
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.region ? { region: s.region } : {}),
      ...(s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : {}),
    };
  }

  /** Runs `fn` with a dispatcher through the proxy and CA of the current Settings, closed afterwards. */
  private async withNetwork<T>(fn: (dispatcher: HttpDispatcher) => Promise<T>): Promise<T> {
    const env = this.deps.env ?? process.env;
    const dispatcher = createHttpDispatcher({
      ...networkOptionsOf(this.deps.settings(), env),
      env,
      connections: 8,
      keepAliveTimeout: 10_000,
    });
    try {
      return await fn(dispatcher);
    } finally {
      await dispatcher.close();
    }
  }

  test(mirror: string): Promise<MirrorTestResult> {
    return this.withNetwork((dispatcher) => testMirror(mirror, this.s3(dispatcher)));
  }

  async push(input: { id: string; variant?: string; to: string }): Promise<MirrorPushResult> {
    const { model, variant } = this.deps.resolveVariant(input.id, input.variant);
    const base = { id: model.id, variant, to: input.to };
    const emit = (progress: MirrorPushProgress) => this.deps.emit({ type: 'mirrorProgress', progress });
    const throttle = new Throttle<MirrorPushProgress>(emit, 200);
    let last: MirrorPushProgress = { ...base, bytesDone: 0, bytesTotal: 0, bytesUploaded: 0, done: false };
    try {
      const result = await this.withNetwork((dispatcher) =>
        pushToMirror({
          root: this.deps.root(),
          models: [model],
          variant,
          to: input.to,
          s3: this.s3(dispatcher),
          onProgress: (p) => throttle.push((last = { ...base, ...p, done: false })),
        }),
      );
      throttle.flush();
      emit({ ...last, done: true });
      return result;
    } catch (error) {
      throttle.flush();
      emit({ ...last, done: true, error: toStructuredError(error) });
      throw error;
    }
  }
}
