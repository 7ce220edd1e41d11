import { GRPC } from './grpc-status.ts';

/** What a failure is about, where the advice needs it. */
export interface AdviceContext {
  service?: string;
  project?: string;
}

/** The part of a CodedError (or a ServiceError) that advice depends on. */
interface Failure {
  code: string;
  grpcCode?: number | undefined;
}

/**
 * What the person who sees a failure can do about it, by the failure's code: the one
 * place that says it, so a refusal reads the same in a thread, a DM or an answer.
 */
const BY_CODE: Record<string, (about: AdviceContext) => string> = {
  unavailable: () => 'Nothing was lost; please try again in a minute.',
  conflict: () => 'Nothing was saved; please try again.',
  version_exists: ({ service = 'the service', project = 'its project' }) =>
    `Delete that version of ${service} in ${project} (App Engine console, Versions) and Retry, or cancel and submit again for another version label.`,
};

/** Google's PERMISSION_DENIED, whichever service said it. */
const DENIED = ({ project }: AdviceContext) =>
  `The bot's service account lacks a role${project ? ` in ${project}` : ''}: grant the roles listed in the README (Running on GCP), then Retry.`;

export function adviceFor(failure: Failure, about: AdviceContext = {}): string | undefined {
  const byCode = BY_CODE[failure.code];
  if (byCode) return byCode(about);
  if (failure.grpcCode === GRPC.PERMISSION_DENIED) return DENIED(about);
  return undefined;
}
