import { z } from 'zod';
import { authSetting, sourceKey, type SchemaContext } from './fields.js';
import { hostSettingsShape } from './host-settings.js';
import type { SourceMap, SourceSettings, TargetAuthMap } from './types.js';

/** How to reach one source (pull) registry, keyed by its host in `sources:`. */
function sourceSchema(context: SchemaContext) {
  // auth sits between the TLS keys and pipelining, the later keys after them: the order the API has always shown them in.
  const { insecure, tlsVerify, caFile, pipelining, ...later } = hostSettingsShape(context);
  const shape = {
    insecure,
    tlsVerify,
    caFile,
    auth: authSetting.describe("user:pass or DockerConfigJSON, sent only to this host (instead of a registry's pullAuthConfig)"),
    pipelining,
    ...later,
  };
  // zod leaves absent optional keys out; a parsed entry has every key (caFile: undefined).
  return z
    .object(shape)
    .strict()
    .transform(
      (entry) => Object.fromEntries(Object.keys(shape).map((key) => [key, entry[key as keyof typeof entry]])) as unknown as SourceSettings,
    );
}

/** `sources:`, keyed by host or host/namespace. */
export function sourcesSchema(context: SchemaContext) {
  return z
    .record(sourceKey, sourceSchema(context))
    .default({})
    .transform((entries): SourceMap => new Map(Object.entries(entries)))
    .describe('TLS settings and auth per source registry host, or host/namespace (the longest key that covers a repository wins)');
}

/** `targets:`, keyed by host/namespace or host. */
export const targetsSchema = z
  .record(
    sourceKey,
    z
      .object({
        auth: authSetting.describe(
          "user:pass or DockerConfigJSON for pushes to the repositories under this key (instead of the registry entry's pushAuthConfig)",
        ),
      })
      .strict(),
  )
  .default({})
  .transform((entries): TargetAuthMap => new Map(Object.entries(entries).map(([key, { auth }]) => [key, { auth }])))
  .describe('push credentials per target host/namespace (or host), the longest key that covers a repository wins');
