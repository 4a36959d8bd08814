import { z } from 'zod';
import {
  authSetting,
  checkedBy,
  imageReference,
  refusal,
  repositoryPrefix,
  scriptLookup,
  targetPlace,
  type SchemaContext,
} from './fields.js';
import { artifactTypesSchema, pruneSpecSchema, rulesSchema } from '../select/rule-schema.js';
import { compilePrunePolicy } from '../select/prune-policy.js';
import { pruneImagesProblem } from './prune-images.js';
import { hostSettingsOf, hostSettingsShape } from './host-settings.js';
import {
  DEFAULT_SCRIPT_MAX_LINE_BYTES,
  DEFAULT_SCRIPT_MAX_LINES,
  MAX_CONCURRENCY,
  MAX_RETRY_PASSES,
  MAX_SCRIPT_MAX_LINE_BYTES,
  MAX_SCRIPT_MAX_LINES,
  MAX_SCRIPT_TIMEOUT_SECONDS,
} from './schema-limits.js';
import { splitScriptArgs } from './script-args.js';
import type { RegistryConfig } from './types.js';

/**
 * One `registries` entry, with the seed's keys and their seed meaning, plus documented additions.
 * Parsed, it is a RegistryConfig: host normalised, auth parsed, paths absolute and checked.
 */
export function registrySchema(context: SchemaContext) {
  return z
    .object({
      hostname: targetPlace(context).describe(
        'the target registry: name or IP, optional :port; or an OCI layout on disk, oci:DIR or oci-archive:FILE.tar (relative to config.yaml)',
      ),
      repository: repositoryPrefix.describe('prefix of every target path'),
      pullAuthConfig: authSetting.describe('credentials for the registries images are pulled from'),
      pushAuthConfig: authSetting.describe('credentials for the target registry'),
      syncPeriod: z.string().optional().describe('cron (5 fields, or 6 with seconds) for `sync`'),
      syncerScript: scriptLookup(context).describe('prints the images to mirror (on PATH, or relative to config.yaml)'),
      syncerScriptArgs: z
        .string()
        .default('')
        .superRefine(checkedBy(refusal(splitScriptArgs)))
        .describe('arguments of the script, split like a shell would, without one'),
      deleteLocalImages: z.boolean().default(false).describe('accepted; no effect (daemonless: nothing local to delete)'),
      // Additions:
      images: z
        .array(imageReference)
        .default([])
        .describe('a literal list of references (or repo:* / repo:/regex/ for many tags), instead of or with the script'),
      mirrors: rulesSchema.describe('selection rules: repositories, namespaces or registries, with tag and repository filters'),
      pruneImages: pruneSpecSchema
        .optional()
        .describe('delete target tags the images: list or the syncer script wrote once they leave it (or their source is gone)'),
      ...hostSettingsShape(context),
      concurrency: z.number().int().positive().max(MAX_CONCURRENCY).optional().describe('images of this registry at once'),
      referrers: z.boolean().default(true).describe("copy each image's signatures, attestations and SBOMs (OCI referrers, cosign tags)"),
      cosignTags: z.boolean().default(true).describe("with referrers: also cosign's sha256-<hex>.sig/.att/.sbom tags"),
      artifactTypes: artifactTypesSchema.optional(),
      retries: z
        .number()
        .int()
        .min(0)
        .max(MAX_RETRY_PASSES)
        .default(0)
        .describe('passes over the failed images once every image was tried (as image-syncer --retries)'),
      syncerScriptTimeoutSeconds: z
        .number()
        .positive()
        .max(MAX_SCRIPT_TIMEOUT_SECONDS)
        .default(120)
        .describe('how long the script may run'),
      syncerScriptMaxLineBytes: z
        .number()
        .int()
        .positive()
        .max(MAX_SCRIPT_MAX_LINE_BYTES)
        .default(DEFAULT_SCRIPT_MAX_LINE_BYTES)
        .describe('longest line the script may print'),
      syncerScriptMaxLines: z
        .number()
        .int()
        .positive()
        .max(MAX_SCRIPT_MAX_LINES)
        .default(DEFAULT_SCRIPT_MAX_LINES)
        .describe('most lines the script may print'),
    })
    .strict()
    .superRefine((r, ctx) => {
      const problem = pruneImagesProblem(r);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
    })
    .transform((r): Omit<RegistryConfig, 'line' | 'sources'> => ({
      hostname: r.hostname,
      repository: r.repository,
      pullAuth: r.pullAuthConfig,
      pushAuth: r.pushAuthConfig,
      syncPeriod: r.syncPeriod,
      syncerScript: r.syncerScript?.path,
      ...(r.syncerScript ? { syncerScriptLookup: r.syncerScript } : {}),
      syncerScriptArgs: r.syncerScriptArgs,
      syncerScriptTimeoutSeconds: r.syncerScriptTimeoutSeconds,
      syncerScriptMaxLineBytes: r.syncerScriptMaxLineBytes,
      syncerScriptMaxLines: r.syncerScriptMaxLines,
      deleteLocalImages: r.deleteLocalImages,
      images: r.images,
      mirrors: r.mirrors,
      ...(r.pruneImages !== undefined && r.pruneImages !== false ? { pruneImages: compilePrunePolicy(r.pruneImages, true) } : {}),
      ...hostSettingsOf(r),
      concurrency: r.concurrency,
      referrers: r.referrers,
      cosignTags: r.cosignTags,
      ...(r.artifactTypes ? { artifactTypes: r.artifactTypes } : {}),
      retries: r.retries,
    }));
}
