import { type Actor, SUBMISSION_ID, type Submission } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { ApproverDirectory } from '../ports/approvers.ts';
import type { SubmissionStore } from '../ports/store.ts';
import {
  type Done,
  done,
  type NotFound,
  notFound,
  type Refused,
  type RefusedApproval,
} from './outcomes.ts';

/** What only the Playground team may do. */
export type ApproverAction =
  | 'approve'
  | 'reject'
  | 'request_changes'
  | 'retry'
  | 'list_all'
  | 'doctor';

/** What someone does with one submission that is not approvers-only. */
export type SubmissionUse = 'view' | 'cancel' | 'resubmit' | 'show_log';

/** The submission an attempt is about, and the request that made it. */
interface About {
  id: string;
  requestId: string;
}

/**
 * Who may use a submission which way: its partner, or its partner and every approver.
 * Approvers may not resubmit: a revision is the partner's word.
 */
const ALLOWED: Record<SubmissionUse, 'partner' | 'partner_or_approver'> = {
  view: 'partner_or_approver',
  cancel: 'partner_or_approver',
  resubmit: 'partner',
  show_log: 'partner_or_approver',
};

/** Who may approve what, beyond being an approver (PLAYGROUND_ALLOW_SELF_APPROVAL, …). */
export interface ApprovalRules {
  allowSelfApproval: boolean;
  /**
   * Target projects with their own approvers: only they approve into it. The set narrows
   * the team for that project; reviewing at all still takes PLAYGROUND_APPROVERS.
   */
  projectApprovers: Record<string, ApproverDirectory>;
}

const NO_RULES: ApprovalRules = { allowSelfApproval: false, projectApprovers: {} };

/**
 * Who may do what to which submission: the one place every use case asks. Every refused
 * attempt is logged and, when it is about a submission that exists, written to that
 * submission's audit trail (`refused`, the action as its detail).
 */
export class AccessPolicy {
  readonly #approvers: ApproverDirectory;
  readonly #store: SubmissionStore;
  readonly #logger: Logger;
  readonly #rules: ApprovalRules;

  constructor(deps: {
    approvers: ApproverDirectory;
    store: SubmissionStore;
    logger: Logger;
    rules?: ApprovalRules;
  }) {
    this.#approvers = deps.approvers;
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#rules = deps.rules ?? NO_RULES;
  }

  isApprover(userId: string): Promise<boolean> {
    return this.#approvers.includes(userId);
  }

  /**
   * The submission `about.id` names (PG-0042, any case) when `actor` may use it that way;
   * undefined when there is none and when it is someone else's alike, so partners learn
   * nothing about other partners' submissions. Someone else's is a refusal all the same:
   * reading another partner's submission is an attempt the team wants on record.
   */
  async find(actor: Actor, use: SubmissionUse, about: About): Promise<Submission | undefined> {
    const canonical = about.id.toUpperCase();
    if (!SUBMISSION_ID.test(canonical)) return undefined;
    const submission = await this.#store.get(canonical);
    if (!submission) return undefined;
    if (submission.partner.userId === actor.userId) return submission;
    if (ALLOWED[use] === 'partner_or_approver' && (await this.isApprover(actor.userId))) {
      return submission;
    }
    await this.#refuse(actor, use, { id: submission.id, requestId: about.requestId });
    return undefined;
  }

  /**
   * Undefined when `actor` is an approver. Otherwise the refusal, logged and, when it is
   * about a submission, written to its audit trail; nothing else changes.
   */
  async approverOnly(
    actor: Actor,
    action: ApproverAction,
    about?: About,
  ): Promise<Refused | undefined> {
    if (await this.isApprover(actor.userId)) return undefined;
    await this.#refuse(actor, action, about);
    return { kind: 'refused', action };
  }

  /**
   * The submission an approver-only action is about: the refusal (logged, audited) for
   * anyone else, not_found when there is no such submission.
   */
  async forApprover(
    actor: Actor,
    action: ApproverAction,
    about: About,
  ): Promise<Done<{ submission: Submission }> | Refused | NotFound> {
    const refused = await this.approverOnly(actor, action, about);
    if (refused) return refused;
    const submission = await this.#store.get(about.id);
    return submission ? done({ submission }) : notFound(about.id);
  }

  /**
   * Undefined when `actor`, an approver, may approve `submission` (into `project` once it
   * is chosen). Otherwise the refusal, logged and audited: approving one's own submission
   * (unless configuration allows it), or a project that has its own approvers.
   */
  async mayApprove(
    actor: Actor,
    submission: Submission,
    { project, requestId }: { project?: string; requestId: string },
  ): Promise<RefusedApproval | undefined> {
    // A refused approve form stays open and may be sent again (another project, another
    // approver): its refusal is written under a request id of its own, so the approval
    // that follows from the same form is not taken for a reused request.
    const about = (rule: string) => ({ id: submission.id, requestId: `${requestId}:${rule}` });
    if (!this.#rules.allowSelfApproval && submission.partner.userId === actor.userId) {
      await this.#refuse(actor, 'approve', about('self'), 'approve: self-approval');
      return {
        kind: 'refused',
        action: 'approve',
        rule: { name: 'self_approval', id: submission.id },
      };
    }
    // At the button no project is chosen yet: that waits for the form.
    if (project === undefined) return undefined;
    const own = this.#rules.projectApprovers[project];
    if (!own || (await own.includes(actor.userId))) return undefined;
    const detail = `approve into ${project}: not its approver`;
    await this.#refuse(actor, 'approve', about(`into:${project}`), detail);
    return {
      kind: 'refused',
      action: 'approve',
      rule: { name: 'project_approvers', project, approvers: own.ids },
    };
  }

  /**
   * A use the actor may make of the submission, refused for what the submission is now
   * (e.g. Show log for an attempt that is not the current one): logged and audited.
   */
  async refuseUse(actor: Actor, use: SubmissionUse, about: About, detail: string): Promise<void> {
    await this.#refuse(actor, use, about, detail);
  }

  /**
   * Undefined when `actor` may move a service's traffic in `project` (promote, roll back):
   * the approvers, narrowed to the project's own when it has them, as for approving into
   * it. Otherwise which rule refuses (the caller audits it on the service's trail).
   */
  async mayMoveTraffic(
    actor: Actor,
    project: string,
  ): Promise<{ project?: string; approvers?: readonly string[] } | undefined> {
    if (!(await this.isApprover(actor.userId))) return {};
    const own = this.#rules.projectApprovers[project];
    if (!own || (await own.includes(actor.userId))) return undefined;
    return { project, approvers: own.ids };
  }

  /** Logs a refused attempt and, when it is about a submission, audits it there. */
  async #refuse(
    actor: Actor,
    action: ApproverAction | SubmissionUse,
    about?: About,
    detail: string = action,
  ) {
    const where = about ? { submissionId: about.id, requestId: about.requestId } : {};
    this.#logger.warn({ ...where, userId: actor.userId, action, detail }, 'refused');
    // `list all` is about no submission: there is no trail to write it to, only the log.
    if (!about) return;
    try {
      await this.#store.recordRefusal(about.id, {
        actor,
        requestId: about.requestId,
        detail,
      });
    } catch (error) {
      // The refusal stands even when it cannot be written down.
      this.#logger.error({ err: error, submissionId: about.id }, 'could not audit a refusal');
    }
  }
}
