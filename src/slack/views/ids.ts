/**
 * Identifiers shared by the views and the handlers: view callback ids, button action ids
 * and the block ids of the approve and reason forms. Buttons carry the submission id as
 * their value (except `open_submit`, which has none).
 */

/** `callback_id` of each modal. */
export const CALLBACK_ID = {
  submit: 'submit',
  approve: 'approve',
  reason: 'reason',
  /** The loading modal a click opens when its answer is slow; views.update replaces it (and this id). */
  loading: 'loading',
  /** The confirm modal of a promote or rollback (from → to in its private_metadata). */
  operation: 'operation',
} as const;

/** `action_id` of each button. */
export const ACTION_ID = {
  approve: 'approve',
  reject: 'reject',
  request_changes: 'request_changes',
  resubmit: 'resubmit',
  cancel: 'cancel',
  /** Approvers: a new pipeline attempt for the same revision, after a failure. */
  retry: 'retry',
  open_submit: 'open_submit',
  /** The partner and approvers: a failed step's last lines, as a file (value `PG-0042:2`). */
  show_log: 'show_log',
  /** Approvers, on a live message whose run moved no traffic: move it all to that version. */
  promote: 'promote',
  /** Approvers, on a live message: move the service's traffic back to the previous version. */
  rollback: 'rollback',
} as const;

/** Every input element of every modal uses this action id; the block id names the field. */
export const VALUE_ACTION_ID = 'value';

/** Block id of the pasted-YAML input in the submit modal. */
export const YAML_BLOCK_ID = 'yaml';

/** Block ids of the approve modal. */
export const APPROVE_BLOCK_ID = {
  project: 'project',
  version: 'version',
  promote: 'promote',
  byTag: 'by_tag',
} as const;

/** Block id of the reason input in the reject / request-changes modal. */
export const REASON_BLOCK_ID = 'reason';
