/**
 * Google Cloud project ids: 6 to 30 characters, lowercase letters, digits and hyphens,
 * starting with a letter and not ending with a hyphen.
 * https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
 */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Returns what is wrong with a project id, or undefined when it is valid. */
export function projectIdProblem(id: string): string | undefined {
  if (PROJECT_ID.test(id)) return undefined;
  return `"${id}" is not a Google Cloud project id (6 to 30 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen)`;
}
