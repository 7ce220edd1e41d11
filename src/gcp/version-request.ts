// The App Engine Admin API version for a wrapped service: the same settings app.yaml is
// dumped from (appEngineSettings, wrapperEnv), translated field by field into the API's
// Version message, the way `gcloud app deploy --image-url` translates app.yaml.
import type { protos } from '@google-cloud/appengine-admin';
import { appEngineSettings, wrapperEnv } from '../bundle/app-engine-config.ts';
import {
  checkVersionId,
  formatIssue,
  parseDockerRef,
  type SpecIssue,
} from '../domain/submission-spec/index.ts';
import type { DeployPlan } from '../ports/deploy.ts';
import { ServiceError } from '../ports/service-error.ts';

type IVersion = protos.google.appengine.v1.IVersion;
type ICreateVersionRequest = protos.google.appengine.v1.ICreateVersionRequest;
type IDuration = protos.google.protobuf.IDuration;
type Settings = ReturnType<typeof appEngineSettings>;

/** A plan the Admin API would refuse (or that would deploy something unrepeatable). */
export class VersionRequestError extends ServiceError<'invalid_version_request'> {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super(
      'invalid_version_request',
      `cannot deploy this version: ${issues.map(formatIssue).join('; ')}`,
    );
    this.issues = issues;
  }
}

/** `apps/{project}/services/{service}`: the parent of the plan's version. */
export function serviceName(project: string, service: string): string {
  return `apps/${project}/services/${service}`;
}

/**
 * The Version to create for `plan` (pure). Throws VersionRequestError when the version id
 * breaks App Engine's rules (including VERSION-dot-SERVICE-dot-PROJECT within 63
 * characters) or the image is not pinned by digest: a tag can move between the test
 * stage and the deploy, a digest cannot.
 */
export function versionRequest(plan: DeployPlan): IVersion {
  return translate(plan).version;
}

/** The whole `versions.create` request: the service named by the settings, and the version. */
export function createVersionRequest(plan: DeployPlan): ICreateVersionRequest {
  const { service, version } = translate(plan);
  return { parent: serviceName(plan.project, service), version };
}

function translate(plan: DeployPlan): { service: string; version: IVersion } {
  const issues = [
    ...checkVersionId(plan.versionId, plan.spec.service, plan.project),
    ...imageIssues(plan.imageUrl),
  ];
  if (issues.length > 0) throw new VersionRequestError(issues);

  // Every field of the settings is used below; the rest objects must come out empty, so a
  // setting added to app.yaml and forgotten here is a type error, not a silent difference.
  const {
    runtime,
    env,
    service,
    resources,
    automatic_scaling,
    liveness_check,
    readiness_check,
    ...rest
  } = appEngineSettings(plan.spec);
  allUsed(rest);

  const version: IVersion = {
    id: plan.versionId,
    runtime,
    env,
    deployment: { container: { image: plan.imageUrl } },
    resources: resourcesOf(resources),
    automaticScaling: scalingOf(automatic_scaling),
    livenessCheck: livenessOf(liveness_check),
    readinessCheck: readinessOf(readiness_check),
    envVariables: wrapperEnv(plan.spec, plan.project),
    servingStatus: 'SERVING',
  };
  return { service, version };
}

function imageIssues(imageUrl: string): SpecIssue[] {
  const issue = (message: string) => [{ path: 'image', message }];
  const ref = parseDockerRef(imageUrl);
  if (typeof ref === 'string') return issue(ref);
  if (ref.digest === undefined) {
    return issue(
      `${JSON.stringify(imageUrl)} is not pinned by digest; deploy the pushed image as registry/path@sha256:...`,
    );
  }
  if (ref.reference !== imageUrl) {
    return issue(
      `${JSON.stringify(imageUrl)} is not fully qualified; App Engine needs ${JSON.stringify(ref.reference)}`,
    );
  }
  return [];
}

/** Whole seconds as a protobuf Duration (sent as `"30s"` in JSON). */
function seconds(value: number): IDuration {
  return { seconds: value };
}

function allUsed(_rest: Record<string, never>): void {}

function resourcesOf(settings: Settings['resources']): IVersion['resources'] {
  const { cpu, memory_gb, disk_size_gb, ...rest } = settings;
  allUsed(rest);
  return { cpu, memoryGb: memory_gb, diskGb: disk_size_gb };
}

// app.yaml's flexible automatic_scaling names, as gcloud maps them to the API.
function scalingOf(settings: Settings['automatic_scaling']): IVersion['automaticScaling'] {
  const { min_num_instances, max_num_instances, cool_down_period_sec, ...rest } = settings;
  allUsed(rest);
  return {
    minTotalInstances: min_num_instances,
    maxTotalInstances: max_num_instances,
    coolDownPeriod: seconds(cool_down_period_sec),
  };
}

function livenessOf(settings: Settings['liveness_check']): IVersion['livenessCheck'] {
  const {
    path,
    check_interval_sec,
    timeout_sec,
    failure_threshold,
    success_threshold,
    initial_delay_sec,
    ...rest
  } = settings;
  allUsed(rest);
  return {
    path,
    checkInterval: seconds(check_interval_sec),
    timeout: seconds(timeout_sec),
    failureThreshold: failure_threshold,
    successThreshold: success_threshold,
    initialDelay: seconds(initial_delay_sec),
  };
}

function readinessOf(settings: Settings['readiness_check']): IVersion['readinessCheck'] {
  const {
    path,
    check_interval_sec,
    timeout_sec,
    failure_threshold,
    success_threshold,
    app_start_timeout_sec,
    ...rest
  } = settings;
  allUsed(rest);
  return {
    path,
    checkInterval: seconds(check_interval_sec),
    timeout: seconds(timeout_sec),
    failureThreshold: failure_threshold,
    successThreshold: success_threshold,
    appStartTimeout: seconds(app_start_timeout_sec),
  };
}
