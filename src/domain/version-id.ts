import { HOST_LABEL_MAX, ID_MAX } from './submission-spec/appengine.ts';

/**
 * The App Engine version id used when the approver gives none: the submission id and
 * revision, lowercase, e.g. `pg-0042-r1`. Only lowercase letters, digits and hyphens,
 * never starting or ending with a hyphen, so App Engine accepts it as is.
 */
export function defaultVersionId(id: string, revision: number): string {
  const base = id
    .toLowerCase()
    .replace(/[^a-z\d]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base === '' ? 'pg' : base}-r${Math.trunc(revision)}`;
}

/**
 * The version id of a retry whose previous create was abandoned at its deadline (that
 * create may still make its version): `pg-0042-r1-a2` for attempt 2, replacing the suffix
 * an earlier such retry added, and shortened so that `VERSION-dot-SERVICE-dot-PROJECT`
 * stays a host name App Engine accepts.
 */
export function retryVersionId(
  previous: { versionId: string; attempt: number; service: string; project: string },
  attempt: number,
): string {
  const base = previous.versionId.replace(new RegExp(`-a${previous.attempt}$`), '');
  const suffix = `-a${attempt}`;
  const room = Math.min(
    ID_MAX,
    HOST_LABEL_MAX - `-dot-${previous.service}-dot-${previous.project}`.length,
  );
  return `${base.slice(0, Math.max(1, room - suffix.length)).replace(/-+$/, '')}${suffix}`;
}
