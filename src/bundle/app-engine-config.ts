import type { SubmissionSpec } from '../domain/submission-spec/index.ts';

/** Where the wrapper answers App Engine's health checks (see templates/app.py). */
export const HEALTH_PATH = '/api/v1/health';

/**
 * The App Engine flexible settings for a wrapped service, in one place: app.yaml is
 * dumped from it, and the pipeline builds its Admin API version from the same values.
 * Check timings follow https://cloud.google.com/appengine/docs/flexible/reference/app-yaml
 * (health checks): readiness waits up to 30 minutes for a model to load, liveness
 * restarts an instance that stops answering for two minutes.
 */
export function appEngineSettings(spec: SubmissionSpec) {
  return {
    runtime: 'custom',
    env: 'flex',
    service: spec.service,
    resources: { ...spec.resources },
    automatic_scaling: { min_num_instances: 1, max_num_instances: 2, cool_down_period_sec: 180 },
    liveness_check: {
      path: HEALTH_PATH,
      check_interval_sec: 30,
      timeout_sec: 4,
      failure_threshold: 4,
      success_threshold: 2,
      // As long as readiness waits: a model still loading must not be restarted as dead.
      initial_delay_sec: 1800,
    },
    readiness_check: {
      path: HEALTH_PATH,
      check_interval_sec: 5,
      timeout_sec: 4,
      failure_threshold: 2,
      success_threshold: 2,
      app_start_timeout_sec: 1800,
    },
  };
}

/**
 * The wrapper's settings, delivered as App Engine env variables (strings, as the Admin
 * API requires) and read back by templates/playground_wrapper/settings.py from app.yaml
 * inside the image.
 */
export function wrapperEnv(
  spec: SubmissionSpec,
  project: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    PREDICTOR_CLASS: spec.PREDICTOR_CLASS,
    PREDICTOR_PACKAGE: spec.PREDICTOR_PACKAGE,
    PROJECT_NAME: project ?? '',
    ZOOM_LEVEL: String(spec.ZOOM_LEVEL),
    PADDING: String(spec.PADDING),
    SERVICE_NAME: spec.service,
    PARTNER_IMAGE: spec.image,
  };
  const { title, description, organization, email } = spec.describe;
  if (title !== undefined) env.DESCRIBE_TITLE = title;
  if (description !== undefined) env.DESCRIBE_DESCRIPTION = description;
  if (organization !== undefined) env.DESCRIBE_ORGANIZATION = organization;
  if (email !== undefined) env.DESCRIBE_EMAIL = email;
  return env;
}
