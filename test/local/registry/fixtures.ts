// The images both registry tests put in the stand-in: one of each kind, and a private one.
import type { RegistryImage } from '../../../src/local/registry/server.ts';

/** Private: readable only with the credentials the tests give it. */
export const PRIVATE_REPOSITORY = 'my-project/models/boats';

export const IMAGES: RegistryImage[] = [
  { repository: 'library/python', tag: '3.12' },
  { repository: 'acme/model', tag: 'latest', kind: 'oci' },
  { repository: 'acme/multi', tag: '2.0', kind: 'oci-index' },
  { repository: 'acme/list', tag: '3.0', kind: 'docker-list' },
  { repository: PRIVATE_REPOSITORY, tag: '1.0' },
];
