import { ruleShapeSchema } from './rule-schema.js';
import { compileRule, RuleError } from './rules.js';

/**
 * A discovery rule in the config: its shape, and its regexes and templates compiled, so a bad rule stops start-up
 * naming its field.
 */
export const ruleSchema = ruleShapeSchema.superRefine((rule, ctx) => {
  try {
    compileRule(rule, -1);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    ctx.addIssue({
      code: 'custom',
      path: err.field.split('.'),
      message: `(rule ${JSON.stringify(rule.id)}) ${err.message}`,
    });
  }
});
