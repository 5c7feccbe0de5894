/**
 * The model service in use, which can be replaced at runtime (another models root, bandwidth or
 * quota): calls already running finish on the old service, which is closed after its last call.
 */
import type { StatusReport } from '../../../shared/results';
import type { ClosableModelService } from './model-service-factory';

interface ServiceSlot {
  service: ClosableModelService;
  users: number;
  retired: boolean;
  unsubscribe: () => void;
}

type BuildService = (root: string) => ClosableModelService | Promise<ClosableModelService>;

export class ReplaceableModelService {
  private constructor(
    private readonly build: BuildService,
    private readonly onStatus: (status: StatusReport) => void,
    private slot: ServiceSlot,
  ) {}

  /**
   * @param build creates the service for a models root.
   * @param onStatus receives the status changes the current service reports.
   */
  static async start(root: string, build: BuildService, onStatus: (status: StatusReport) => void): Promise<ReplaceableModelService> {
    return new ReplaceableModelService(build, onStatus, await newSlot(root, build, onStatus));
  }

  /** Builds the service for `root`; the previous one is retired. */
  async replace(root: string): Promise<void> {
    const previous = this.slot;
    this.slot = await newSlot(root, this.build, this.onStatus);
    await this.retire(previous);
  }

  /** Runs `fn` on the current service, keeping it open until `fn` settles. */
  async use<T>(fn: (service: ClosableModelService) => Promise<T>): Promise<T> {
    const slot = this.slot;
    slot.users++;
    try {
      return await fn(slot.service);
    } finally {
      slot.users--;
      if (slot.retired && slot.users === 0) await slot.service.close();
    }
  }

  /** Closes the current service now (running calls have been stopped by the caller). */
  async close(): Promise<void> {
    this.slot.unsubscribe();
    await this.slot.service.close();
  }

  private async retire(slot: ServiceSlot): Promise<void> {
    slot.retired = true;
    slot.unsubscribe();
    if (slot.users === 0) await slot.service.close();
  }
}

async function newSlot(root: string, build: BuildService, onStatus: (status: StatusReport) => void): Promise<ServiceSlot> {
  const service = await build(root);
  const unsubscribe = service.onStatusChange?.(onStatus) ?? (() => {});
  return { service, users: 0, retired: false, unsubscribe };
}
