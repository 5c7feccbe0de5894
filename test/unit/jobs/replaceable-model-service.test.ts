import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../shared/results';
import type { ClosableModelService } from '../../../main/core/jobs/model-service-factory';
import { ReplaceableModelService } from '../../../main/core/jobs/replaceable-model-service';

/** A service that only records its root, whether it was closed, and lets the test emit status changes. */
function fakeService(root: string) {
  const listeners = new Set<(s: StatusReport) => void>();
  const service = {
    root,
    closed: false,
    close() {
      service.closed = true;
    },
    onStatusChange(listener: (s: StatusReport) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (id: string) => {
      for (const l of listeners) l({ id } as StatusReport);
    },
  };
  return service;
}
type Fake = ReturnType<typeof fakeService>;

async function started() {
  const built: Fake[] = [];
  const statuses: string[] = [];
  const services = await ReplaceableModelService.start(
    '/a',
    (root) => {
      const s = fakeService(root);
      built.push(s);
      return s as unknown as ClosableModelService;
    },
    (status) => statuses.push(status.id),
  );
  return { services, built, statuses };
}

describe('ReplaceableModelService', () => {
  it('closes a replaced service right away when no call is running on it', async () => {
    const { services, built } = await started();
    await services.replace('/b');
    expect(built.map((s) => [s.root, s.closed])).toEqual([
      ['/a', true],
      ['/b', false],
    ]);
    await services.use(async (s) => expect((s as unknown as Fake).root).toBe('/b'));
  });

  it('lets a running call finish on the old service and closes it after that call', async () => {
    const { services, built } = await started();
    let finish!: () => void;
    const running = services.use((s) => new Promise<string>((resolve) => (finish = () => resolve((s as unknown as Fake).root))));
    await services.replace('/b');
    expect(built[0]!.closed).toBe(false);
    finish();
    await expect(running).resolves.toBe('/a');
    expect(built[0]!.closed).toBe(true);
    expect(built[1]!.closed).toBe(false);
  });

  it('forwards status changes of the current service only, and close() closes it', async () => {
    const { services, built, statuses } = await started();
    built[0]!.emit('from-a');
    await services.replace('/b');
    built[0]!.emit('late-from-a');
    built[1]!.emit('from-b');
    expect(statuses).toEqual(['from-a', 'from-b']);
    await services.close();
    expect(built[1]!.closed).toBe(true);
  });
});
