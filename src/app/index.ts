// The use cases, bound to their ports: what the Slack handlers call. Each use case lives in
// its own file; this only wires them.
import type { Logger } from '../log.ts';
import type { ApproverDirectory } from '../ports/approvers.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { RegistryPort } from '../ports/registry.ts';
import type { ServiceStore } from '../ports/services.ts';
import type { SubmissionStore } from '../ports/store.ts';
import { AccessPolicy, type ApprovalRules } from './access.ts';
import { cancel } from './cancel.ts';
import type { AppDeps, FailureLogs } from './context.ts';
import { type DoctorSetup, doctor } from './doctor.ts';
import { askPromote, askRollback, confirmOperation } from './operate.ts';
import type { Ownership } from './ownership.ts';
import { help, history, home, list, status } from './queries.ts';
import { resubmit, resubmitForm } from './resubmit.ts';
import { retry } from './retry.ts';
import { approve, openReview, reject, requestChanges } from './review.ts';
import { showLog } from './show-log.ts';
import { submit } from './submit.ts';
import { transfer } from './transfer.ts';

/** A use case with its ports given: what is left is the request. */
type Bound<F> = F extends (deps: never, input: infer I) => infer R ? (input: I) => R : never;

function bind<F extends (deps: AppDeps, input: never) => unknown>(deps: AppDeps, use: F): Bound<F> {
  return ((input: never) => use(deps, input)) as Bound<F>;
}

export function createUseCases(ports: {
  store: SubmissionStore;
  pipeline: Pipeline;
  notifier: Notifier;
  registry: RegistryPort;
  approvers: ApproverDirectory;
  /** Self-approval and per-project approvers; none unless configured. */
  rules?: ApprovalRules;
  services: ServiceStore;
  ownership: Ownership;
  logger: Logger;
  /** The doctor's probes and what they check (`/playground doctor`). */
  setup?: DoctorSetup;
  /** Where Show log reads a failed step's lines. */
  logs?: FailureLogs;
  /** Promote and roll back: App Engine and where operations are stored. */
  ops?: AppDeps['ops'];
}) {
  const { approvers, rules, ...rest } = ports;
  const deps: AppDeps = {
    ...rest,
    access: new AccessPolicy({ approvers, ...(rules ? { rules } : {}), ...rest }),
  };
  return {
    submit: bind(deps, submit),
    resubmitForm: bind(deps, resubmitForm),
    resubmit: bind(deps, resubmit),
    openReview: bind(deps, openReview),
    approve: bind(deps, approve),
    reject: bind(deps, reject),
    requestChanges: bind(deps, requestChanges),
    cancel: bind(deps, cancel),
    retry: bind(deps, retry),
    status: bind(deps, status),
    history: bind(deps, history),
    list: bind(deps, list),
    home: bind(deps, home),
    help: bind(deps, help),
    doctor: bind(deps, doctor),
    transfer: bind(deps, transfer),
    showLog: bind(deps, showLog),
    askRollback: bind(deps, askRollback),
    askPromote: bind(deps, askPromote),
    confirmOperation: bind(deps, confirmOperation),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
