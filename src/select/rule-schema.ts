import { z } from 'zod';
import { compileRule } from './rule.js';
import { RuleError } from './rule-error.js';

// `include: []` would keep nothing, which nobody means: leave the key out to keep everything.
const patterns = z.array(z.string()).min(1, 'needs at least one regular expression (leave the key out to keep everything)');

/**
 * One `mirrors:` rule, strict (unknown keys are refused, so a typo is never silently ignored).
 * Its check compiles the rule, so a bad source, regex, range, target or platform is reported at
 * its own key path (`mirrors[1].tags.include[0]`) when the config loads, before anything is listed.
 */
export const ruleSchema = z
  .object({
    source: z.string(),
    tags: z
      .object({
        include: patterns.optional(),
        exclude: patterns.optional(),
        // YAML reads `semver: 3.5` as a number; as a range it means what "3.5" means.
        semver: z.union([z.string(), z.number().transform(String)]).optional(),
        // Whole and positive: checked by the rule compiler, so the message is said once.
        latest: z.number().optional(),
      })
      .strict()
      .optional(),
    repositories: z.object({ include: patterns.optional(), exclude: patterns.optional() }).strict().optional(),
    target: z.string().optional(),
    platforms: z.array(z.string()).optional(),
    force: z.boolean().optional(),
    required: z.boolean().optional(),
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
