// The stand-in registry's images: manifests made from the image's name alone, so an image
// has the same digest on every run (the local workspace's examples, the tests' fixtures).
// Shapes from the OCI image spec (image-manifest.md, image-index.md) and Docker's image
// manifest v2 schema 2, which includes the manifest list. No blobs are served: the config
// and layer digests name content made up from the image's name.
import { createHash } from 'node:crypto';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** `docker`: one Docker v2 manifest (the default); `oci`: one OCI manifest; the others, two platforms. */
export type ImageKind = 'docker' | 'oci' | 'oci-index' | 'docker-list';

export interface RegistryImage {
  /** The name inside the registry, e.g. `examples/boat-detector` or `library/python`. */
  repository: string;
  tag: string;
  kind?: ImageKind;
}

/** A manifest as stored: its exact bytes, which its digest is of. */
export interface StoredManifest {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  /** An index's or list's manifest for linux/amd64 (what a client that takes no list gets). */
  amd64?: string;
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function stored(mediaType: string, document: unknown, amd64?: string): StoredManifest {
  const bytes = Buffer.from(JSON.stringify(document, null, 3));
  return { mediaType, bytes, digest: sha256(bytes), ...(amd64 === undefined ? {} : { amd64 }) };
}

/** One platform's image manifest, OCI or Docker. */
function imageManifest(oci: boolean, name: string, architecture: string): StoredManifest {
  const config = Buffer.from(JSON.stringify({ architecture, os: 'linux', config: {} }));
  const layer = `layer of ${name} for linux/${architecture}`;
  return stored(oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest, {
    schemaVersion: 2,
    mediaType: oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest,
    config: {
      mediaType: oci
        ? 'application/vnd.oci.image.config.v1+json'
        : 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: sha256(config),
    },
    layers: [
      {
        mediaType: oci
          ? 'application/vnd.oci.image.layer.v1.tar+gzip'
          : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: layer.length,
        digest: sha256(layer),
      },
    ],
  });
}

/**
 * The manifests of an image: the one its tag names first, then (for an index or list) the
 * platform manifests it lists, each stored under its digest.
 */
export function manifestsOf(image: RegistryImage): StoredManifest[] {
  const kind = image.kind ?? 'docker';
  const name = `${image.repository}:${image.tag}`;
  if (kind === 'docker' || kind === 'oci') return [imageManifest(kind === 'oci', name, 'amd64')];
  const oci = kind === 'oci-index';
  const platforms = ['amd64', 'arm64'].map((architecture) => ({
    architecture,
    manifest: imageManifest(oci, name, architecture),
  }));
  const mediaType = oci ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerList;
  const index = stored(
    mediaType,
    {
      schemaVersion: 2,
      mediaType,
      manifests: platforms.map(({ architecture, manifest }) => ({
        mediaType: manifest.mediaType,
        size: manifest.bytes.length,
        digest: manifest.digest,
        platform: { architecture, os: 'linux' },
      })),
    },
    platforms[0]?.manifest.digest,
  );
  return [index, ...platforms.map((p) => p.manifest)];
}
