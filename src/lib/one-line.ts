import { cut } from './cut.js';

/** One line, no control characters, at most `max` characters: for text/plain, the agent and Nagios. */
export function oneLine(text: string, max = Infinity): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return cut(flat, max);
}
