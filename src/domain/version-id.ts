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
