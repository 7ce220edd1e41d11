import type { ServiceEvent, ServiceRecord } from '../../src/domain/service-record.ts';
import { serviceKey } from '../../src/domain/service-record.ts';
import type {
  ServiceStore,
  TransferInput,
  TransferResult,
  UserGroups,
} from '../../src/ports/services.ts';
import { type RequestContext, StoreError } from '../../src/ports/store.ts';

/**
 * The ServiceStore contract in memory, for fast use-case tests: records put in by the test
 * (as approvals and go-lives leave them), transfers and refusals audited per service. The
 * Firestore one is tested through the bot (test/slack/ownership.test.ts).
 */
export class MemoryServices implements ServiceStore {
  readonly #records = new Map<string, ServiceRecord>();
  readonly #audit = new Map<string, ServiceEvent[]>();

  put(record: ServiceRecord): void {
    this.#records.set(serviceKey(record.project, record.service), structuredClone(record));
  }

  async serviceRecords(service: string, projects: readonly string[]): Promise<ServiceRecord[]> {
    return projects.flatMap((project) => {
      const record = this.#records.get(serviceKey(project, service));
      return record ? [structuredClone(record)] : [];
    });
  }

  async transferService(input: TransferInput): Promise<TransferResult> {
    const key = serviceKey(input.project, input.service);
    const before = this.#records.get(key);
    if (!before) throw new StoreError('not_found', `there is no service ${input.service}`);
    const after = { ...before, owner: input.to };
    this.#records.set(key, after);
    this.#event(key, { at: new Date(), actor: input.actor, action: 'transfer' });
    return { before, after, applied: true };
  }

  async recordServiceRefusal(project: string, service: string, context: RequestContext) {
    const key = serviceKey(project, service);
    if (!this.#records.has(key)) return;
    const { actor, requestId, detail } = context;
    this.#event(key, {
      at: new Date(),
      actor,
      action: 'refused',
      requestId,
      ...(detail ? { detail } : {}),
    });
  }

  async serviceAudit(project: string, service: string): Promise<ServiceEvent[]> {
    return [...(this.#audit.get(serviceKey(project, service)) ?? [])];
  }

  #event(key: string, event: ServiceEvent): void {
    this.#audit.set(key, [...(this.#audit.get(key) ?? []), event]);
  }
}

/** User groups given as a map: group id -> member ids. */
export function groups(members: Record<string, string[]> = {}): UserGroups {
  return { includes: async (group, userId) => members[group]?.includes(userId) ?? false };
}
