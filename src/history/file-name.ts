/** The history journal lives beside the registry: megaphone.db.json → megaphone.db.history.jsonl. */
export function historyFileFor(dataFile: string): string {
  return `${dataFile.replace(/\.json$/, '')}.history.jsonl`;
}
