/** Who belongs to the Playground team (PLAYGROUND_APPROVERS); Slack's user groups answer it. */
export interface ApproverDirectory {
  includes(userId: string): Promise<boolean>;
}
