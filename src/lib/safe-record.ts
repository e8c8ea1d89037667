import { z } from 'zod';

/**
 * A JSON object as a null-prototype record: keys come from outside, so `__proto__` stays an
 * ordinary key (zod's own record drops it). Each key and value is validated; issues name the key.
 */
export function safeRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V, max = Infinity) {
  return z
    .custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), {
      message: 'must be an object',
    })
    .transform((obj, ctx) => {
      const out = Object.create(null) as Record<string, z.output<V>>;
      const keys = Object.keys(obj);
      if (keys.length > max) ctx.addIssue({ code: 'custom', message: `must have at most ${max} entries` });
      for (const k of keys) {
        const kr = key.safeParse(k);
        if (!kr.success) {
          // The key is what is wrong: name it, not the value under it.
          ctx.addIssue({
            code: 'custom',
            message: `has the name ${JSON.stringify(k)}, which ${kr.error.issues[0]?.message ?? 'is not valid'}`,
            params: { omitValue: true },
          });
          continue;
        }
        const vr = value.safeParse(obj[k]);
        if (!vr.success) {
          for (const issue of vr.error.issues) ctx.addIssue({ ...issue, path: [k, ...issue.path] } as never);
          continue;
        }
        out[k] = vr.data;
      }
      return out;
    });
}
