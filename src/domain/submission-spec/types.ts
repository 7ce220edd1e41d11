/** A validated, normalised submission: what the renderer and the pipeline consume. */
export interface SubmissionSpec {
  /** Normalised Docker reference, e.g. `docker.io/library/ubuntu:22.04`. */
  image: string;
  /** App Engine service id. */
  service: string;
  ZOOM_LEVEL: number;
  PADDING: number;
  PREDICTOR_CLASS: string;
  PREDICTOR_PACKAGE: string;
  resources: { cpu: number; memory_gb: number; disk_size_gb: number };
  gunicorn: { workers: number; backlog: number; timeout: number };
  describe: { title?: string; description?: string; organization?: string; email?: string };
}

/**
 * One problem with a submission. `path` names the field (`PADDING`, `resources.cpu`),
 * `yaml` for YAML syntax problems, `''` for the document as a whole. `message` starts
 * with what is wrong and does not repeat the field name, so it reads well on its own
 * under a Slack modal input; use `formatIssue` for `PATH: message` output.
 */
export interface SpecIssue {
  path: string;
  message: string;
}

export type SpecResult =
  | { ok: true; spec: SubmissionSpec; warnings: SpecIssue[] }
  | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };
