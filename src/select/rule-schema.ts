import { z } from 'zod';
import { compileRule } from './rule.js';
import { RuleError } from './rule-error.js';

// `include: []` would keep nothing, which nobody means: leave the key out to keep everything.
const patterns = z.array(z.string()).min(1, 'needs at least one regular expression (leave the key out to keep everything)');

/** Which referrers travel, by artifact type: `referrers.artifactTypes` of a registry entry or a rule. */
export const artifactTypesSchema = z
  .object({
    include: z
      .array(z.string().min(1))
      .min(1, 'needs at least one artifact type (leave the key out to keep every type)')
      .optional()
      .describe('artifact types (* matches any run of characters): only referrers of one of these travel'),
    exclude: z
      .array(z.string().min(1))
      .min(1, 'needs at least one artifact type (leave the key out to drop none)')
      .optional()
      .describe('artifact types (* matches any run of characters): referrers of these do not travel'),
  })
  .strict()
  .describe("which signatures, attestations and SBOMs travel, by artifact type (as copy's --referrer-type, --skip-referrer-type)");

/** `prune: true` or the guards: a rule's `prune:`, and a registry entry's `pruneImages:` (checked by compilePrunePolicy). */
export const pruneSpecSchema = z.union([
  z.boolean(),
  z
    .object({
      // Whole numbers and ranges are checked by the rule compiler, so the message is said once.
      graceRuns: z.number().optional().describe('runs in a row a source repository must be missing before its tags go (default 2)'),
      maxFraction: z
        .number()
        .optional()
        .describe("a run that would delete more than this share of the rule's tags deletes nothing (default 0.1)"),
      maxCount: z.number().optional().describe("a run that would delete more than this many of the rule's tags deletes nothing"),
    })
    .strict(),
]);

/**
 * One `mirrors:` rule, strict (unknown keys are refused, so a typo is never silently ignored).
 * Its check compiles the rule, so a bad source, regex, range, target or platform is reported at
 * its own key path (`mirrors[1].tags.include[0]`) when the config loads, before anything is listed.
 * Each key says what it holds (`.describe`): the README is checked against these.
 */
export const ruleSchema = z
  .object({
    source: z.string().describe('a repository (every tag), a namespace "host/team/", a whole registry "host:5000", or one image'),
    tags: z
      .object({
        include: patterns.optional().describe('regexes, each matching a whole tag: only tags one of them matches'),
        exclude: patterns.optional().describe('regexes, each matching a whole tag: tags one of them matches are dropped'),
        // YAML reads `semver: 3.5` as a number; as a range it means what "3.5" means.
        semver: z
          .union([z.string(), z.number().transform(String)])
          .optional()
          .describe('a semver range (">=3.5 <4"): only semantic-version tags inside it'),
        // Whole and positive: checked by the rule compiler, so the message is said once.
        latest: z.number().optional().describe('only the N highest semantic versions (ties by name)'),
      })
      .strict()
      .optional()
      .describe('which tags, filters applied in order: include, exclude, semver, latest'),
    repositories: z
      .object({
        include: patterns.optional().describe('regexes, each matching a whole repository path: only those'),
        exclude: patterns.optional().describe('regexes, each matching a whole repository path: those are dropped'),
      })
      .strict()
      .optional()
      .describe('which repositories of a namespace or registry rule'),
    target: z.string().optional().describe('a repository rule: the path its tags land at under hostname/repository'),
    platforms: z.array(z.string()).optional().describe('os/arch[/variant]: only these platforms of a multi-platform image'),
    missingPlatforms: z
      .enum(['fail', 'skip'])
      .optional()
      .describe('an image without the platforms asked for: fail it (default), or skip it with a note'),
    force: z.boolean().optional().describe('copy even when the target already has the source digest'),
    referrers: z.boolean().optional().describe("copy the images' signatures, attestations and SBOMs (default: the registry's referrers)"),
    cosignTags: z.boolean().optional().describe("with referrers: also cosign's sha256-<hex>.* tags (default: the registry's cosignTags)"),
    artifactTypes: artifactTypesSchema.optional(),
    required: z.boolean().optional().describe('an empty selection fails the run instead of being a warning'),
    prune: pruneSpecSchema.optional().describe('delete target tags this rule wrote once its selection no longer holds their source'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    try {
      compileRule(spec);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...error.field], message: error.message });
    }
  });

/** A registry's `mirrors:` list. */
export const rulesSchema = z.array(ruleSchema).default([]);

export type RuleInput = z.input<typeof ruleSchema>;
