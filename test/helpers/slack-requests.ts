/**
 * Requests as Slack sends them to an app (slash commands, interactivity, events), signed
 * with the signing secret. The builders live in production code so the local page sends
 * exactly what the tests send: see src/local/slack-api/payloads.ts.
 */
export * from '../../src/local/slack-api/payloads.ts';
