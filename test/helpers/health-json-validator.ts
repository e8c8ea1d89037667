/**
 * A validator for draft-inadarei-api-health-check-06, written from its MUST/SHOULD lines:
 * - §2/§5 the media type is application/health+json;
 * - §3.1 `status` is REQUIRED and is "pass", "fail" or "warn"; pass and warn MUST come with an
 *   HTTP code in 2xx-3xx, fail with one in 4xx-5xx;
 * - §3.2-3.10 version, releaseId, serviceId, description are strings, notes an array of strings,
 *   output a string that SHOULD be omitted for pass, checks an object, links an object;
 * - §4 each `checks` key is `componentName:measurementName`, neither part containing a colon, and
 *   points to an array of objects; in them `status` is as in §3.1, `componentType` is one of
 *   component, datastore, system (or a URI), `time` is an ISO 8601 date-time (when the reading was
 *   taken), `observedUnit` is a string, `output` SHOULD be omitted for pass.
 * Returns every violation found (empty when the response conforms).
 */
export function healthJsonViolations(httpStatus: number, contentType: string | null, text: string): string[] {
  const out: string[] = [];
  if (!/^application\/health\+json\s*(;|$)/i.test(contentType ?? ''))
    out.push(`content type is ${JSON.stringify(contentType)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...out, 'body is not JSON'];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [...out, 'body is not a JSON object'];
  const doc = body as Record<string, unknown>;
  const status = doc.status;
  if (status !== 'pass' && status !== 'warn' && status !== 'fail')
    out.push(`status ${JSON.stringify(status)} is not pass, warn or fail`);
  if ((status === 'pass' || status === 'warn') && !(httpStatus >= 200 && httpStatus < 400))
    out.push(`status ${status} came with HTTP ${httpStatus}, not 2xx-3xx`);
  if (status === 'fail' && !(httpStatus >= 400 && httpStatus < 600))
    out.push(`status fail came with HTTP ${httpStatus}, not 4xx-5xx`);
  for (const k of ['version', 'releaseId', 'serviceId', 'description', 'output'] as const) {
    if (doc[k] !== undefined && typeof doc[k] !== 'string') out.push(`${k} is not a string`);
  }
  if (status === 'pass' && doc.output !== undefined) out.push('output is present on pass');
  if (doc.notes !== undefined && !(Array.isArray(doc.notes) && doc.notes.every((n) => typeof n === 'string')))
    out.push('notes is not an array of strings');
  if (doc.links !== undefined && (doc.links === null || typeof doc.links !== 'object' || Array.isArray(doc.links)))
    out.push('links is not an object');
  if (doc.checks === undefined) return out;
  if (doc.checks === null || typeof doc.checks !== 'object' || Array.isArray(doc.checks))
    return [...out, 'checks is not an object'];
  for (const [key, entries] of Object.entries(doc.checks)) {
    const parts = key.split(':');
    if (parts.length > 2 || parts.some((p) => p === ''))
      out.push(`checks key ${JSON.stringify(key)} is not componentName:measurementName without further colons`);
    if (!Array.isArray(entries)) {
      out.push(`checks[${JSON.stringify(key)}] is not an array`);
      continue;
    }
    for (const e of entries as Array<Record<string, unknown>>) {
      const where = `checks[${JSON.stringify(key)}]`;
      if (e === null || typeof e !== 'object') {
        out.push(`${where} holds a non-object`);
        continue;
      }
      if (e.status !== undefined && !['pass', 'warn', 'fail'].includes(e.status as string))
        out.push(`${where}.status ${JSON.stringify(e.status)}`);
      if (
        e.componentType !== undefined &&
        !['component', 'datastore', 'system'].includes(e.componentType as string) &&
        !/^[a-z][a-z0-9+.-]*:/i.test(String(e.componentType))
      ) {
        out.push(
          `${where}.componentType ${JSON.stringify(e.componentType)} is not component, datastore, system or a URI`,
        );
      }
      if (
        e.time !== undefined &&
        (typeof e.time !== 'string' ||
          !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(e.time) ||
          Number.isNaN(Date.parse(e.time)))
      ) {
        out.push(`${where}.time ${JSON.stringify(e.time)} is not an ISO 8601 date-time`);
      }
      if (e.observedUnit !== undefined && typeof e.observedUnit !== 'string')
        out.push(`${where}.observedUnit is not a string`);
      if (e.output !== undefined && typeof e.output !== 'string') out.push(`${where}.output is not a string`);
      if (e.status === 'pass' && e.output !== undefined) out.push(`${where}.output is present on pass`);
    }
  }
  return out;
}
