/** Who belongs to the Playground team (PLAYGROUND_APPROVERS); Slack's user groups answer it. */
export interface ApproverDirectory {
  /** The configured Slack ids (users U…/W…, user groups S…), to name who may. */
  readonly ids: readonly string[];
  includes(userId: string): Promise<boolean>;
}
