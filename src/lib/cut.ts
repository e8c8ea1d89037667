/**
 * `text` cut to at most `max` characters (the last one `…` when cut), as a string of its own.
 *
 * V8 keeps a slice of a string as a view of the whole: a 1 KB piece of a 2.5 MB host message kept
 * in history holds all 2.5 MB. Whatever is kept after cutting goes through here, so what is kept
 * is bounded by what is cut, not by what it was cut from. A surrogate pair is never split.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return Buffer.from(`${text.slice(0, end)}…`, 'utf8').toString('utf8');
}
