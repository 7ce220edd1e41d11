// What the local page shows of App Engine: a panel per service that has versions, with
// its URL (served by its split, serving.ts) and each version's serving status, share of
// the traffic, the submission it came from and its own URL.
import type { AppEngineApiStandIn } from './server.ts';
import { imageOf } from './server.ts';

export interface VersionPanel {
  id: string;
  /** SERVING or STOPPED. */
  servingStatus: string;
  /** Its share of the service's traffic, 0 to 1. */
  traffic: number;
  /** The submission revision it was built for (`PG-0001 r2`), when known. */
  submission?: string;
  /** Its versionUrl, as the bot was told. */
  url?: string;
}

export interface ServicePanel {
  project: string;
  service: string;
  /** The service's URL: whichever version the split picks answers. */
  url: string;
  shardBy: string;
  /** Oldest first. */
  versions: VersionPanel[];
}

export interface PanelSource {
  appEngine: AppEngineApiStandIn;
  /** The applications to show, in order. */
  projects: string[];
  serviceUrl(project: string, service: string): string;
  /** The submission revision an image (`…@sha256:…`) was built for. */
  submissionOf?(image: string): string | undefined;
}

/** The panels as the stand-in stands now. */
export function servicePanels(source: PanelSource): ServicePanel[] {
  const { appEngine } = source;
  return source.projects.flatMap((project) =>
    appEngine.services(project).flatMap((service): ServicePanel[] => {
      const versions = appEngine.versions(project, service);
      const split = appEngine.split(project, service);
      if (versions.length === 0 || !split) return [];
      return [
        {
          project,
          service,
          url: source.serviceUrl(project, service),
          shardBy: split.shardBy,
          versions: versions.map((version) => {
            const id = String(version.id);
            const image = imageOf(version);
            const submission = image === undefined ? undefined : source.submissionOf?.(image);
            return {
              id,
              servingStatus: String(version.servingStatus),
              traffic: split.allocations[id] ?? 0,
              ...(submission === undefined ? {} : { submission }),
              ...(typeof version.versionUrl === 'string' ? { url: version.versionUrl } : {}),
            };
          }),
        },
      ];
    }),
  );
}
