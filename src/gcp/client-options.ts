import { PassThroughClient } from 'google-auth-library';

/**
 * Options for an official Google Cloud client. Without a stand-in URL: the defaults
 * (gRPC, Application Default Credentials). With one (CLOUD_BUILD_API_URL,
 * APPENGINE_API_URL, LOGGING_API_URL): google-gax's REST transport over plain HTTP to that
 * address, with no credentials at all, so a local stand-in speaks the real REST API to the
 * real client.
 */
export function googleClientOptions(standInUrl: string | undefined) {
  if (!standInUrl) return {};
  const url = new URL(standInUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return {
    fallback: true as const,
    protocol,
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
    authClient: new PassThroughClient(),
  };
}
