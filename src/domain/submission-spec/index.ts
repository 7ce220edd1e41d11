// The submission spec: the single source of truth for what a partner submits.
export { checkVersionId, isValidCpu, memoryRange } from './appengine.ts';
export {
  isRequired,
  SECTION_FIELDS,
  SPEC_CATALOGUE,
  SPEC_DEFAULTS,
  SPEC_FIELDS,
  type SpecField,
  type SpecPath,
} from './catalogue.ts';
export { type DockerRef, parseDockerRef } from './docker-ref.ts';
export { formatIssue } from './issues.ts';
export {
  isOnlyComments,
  loadYaml,
  parseSpec,
  parseSpecYaml,
  SPEC_YAML_MAX,
  yamlSizeProblem,
} from './parse.ts';
export { PYTHON_KEYWORDS, PYTHON_SOFT_KEYWORDS } from './python-names.ts';
export { specSchema } from './schema.ts';
export { tileSettingProblem } from './tile.ts';
export type { SpecIssue, SpecResult, SubmissionSpec } from './types.ts';
export { isMapping } from './values.ts';
