// What the version lifecycle says in a submission's thread: the old versions stopped and
// deleted after it went live, the stopped versions deleted before its create near App
// Engine's version limit, and what became of its version when its deploy was cancelled.
// Pure builders from the run as stored.
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { APP_ENGINE_VERSION_LIMIT, type VersionRef } from '../../domain/version-lifecycle.ts';
import type { Message } from './kit.ts';
import { code, escapeMrkdwn } from './mrkdwn.ts';

/** "`v2` (PG-0002 r1)": a version with the submission (and revision) that made it, when known. */
export function versionLabel(ref: VersionRef): string {
  const revision = ref.revision === undefined ? '' : ` r${ref.revision}`;
  const from = ref.submissionId ? ` (${escapeMrkdwn(ref.submissionId)}${revision})` : '';
  return `${code(ref.version, 100)}${from}`;
}

/** "`v1` (PG-0001), `v0`". */
function versionList(refs: readonly VersionRef[]): string {
  return refs.map(versionLabel).join(', ');
}

/** "Housekeeping for `svc` in `proj`: stopped …; deleted …; kept serving … for rollback." */
export function housekeepingMessage(run: PipelineRun): Message {
  const work = run.housekeeping;
  const parts: string[] = [];
  if (work?.stopped.length) parts.push(`stopped ${versionList(work.stopped)}`);
  if (work?.removed.length) parts.push(`deleted ${versionList(work.removed)}`);
  if (work?.keptServing.length) {
    parts.push(`kept serving ${versionList(work.keptServing)} for rollback`);
  }
  return {
    text: `:broom: Housekeeping for ${code(run.service, 100)} in ${code(run.project, 100)}: ${parts.join('; ')}.`,
  };
}

/** The stopped versions a deploy deleted first, to stay under App Engine's version limit. */
export function versionRoomMessage(run: PipelineRun): Message {
  const room = run.versionRoom;
  const removed = versionList(room?.removed ?? []);
  return {
    text: `:broom: The application in ${code(run.project, 100)} held ${room?.count ?? '?'} of App Engine's ${APP_ENGINE_VERSION_LIMIT.max} versions: deleted the stopped ${removed} of ${code(run.service, 100)} before creating ${code(run.versionId, 100)}.`,
  };
}

/** What the cancelled reply adds about the version App Engine was creating, if there was one. */
export function removalNote(run: PipelineRun): string {
  const removal = run.removal;
  const version = code(run.versionId, 100);
  switch (removal?.state) {
    case undefined:
    case 'deleting':
    case 'stopping':
    case 'to_stop':
      return '';
    case 'deleted':
      return ` Version ${version} was removed once App Engine had created it.`;
    case 'stopped':
      return ` Version ${version} holds the service's traffic, so it could not be deleted: it was stopped instead.`;
    case 'not_created':
      return ` App Engine did not create version ${version}${removal.detail ? ` (${escapeMrkdwn(removal.detail)})` : ''}.`;
    case 'failed':
      return ` Version ${version} could not be removed${removal.detail ? `: ${escapeMrkdwn(removal.detail)}` : ''}; delete it in the App Engine console.`;
  }
}
