/**
 * Reads the fenced code blocks of a Markdown page and the `<!-- doc-test: … -->` marker on the line
 * before each: what the docs tests run and check. The convention is told in docs/README.md:
 * ```console blocks run (`$ ` commands, then their output) unless marked `not run: <why>`, other
 * shell blocks must be so marked; ```json blocks are configs unless marked `not a config: <what>`;
 * `file NAME` writes the block to NAME in the page's folder.
 */

export interface Block {
  /** The page, for messages. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word: console, json, sh, … ('' when none). */
  lang: string;
  /** The lines between the fences, indentation of the fence removed. */
  body: string[];
  /** The marker right above the fence, if any. */
  marker?: Marker;
}

export type Marker =
  | { kind: 'not run'; why: string }
  | { kind: 'not a config'; why: string }
  | { kind: 'file'; name: string }
  | { kind: 'unknown'; text: string };

/** A shell command of a console block and the output shown for it. */
export interface Step {
  /** The command as shown, continuation lines joined (backslash-newline kept: bash reads it). */
  command: string;
  /** 1-based line of the `$ ` line. */
  line: number;
  /** The output lines shown below it. */
  expected: string[];
  /** Ends with `&`: started in the background, living until the page ends. */
  background: boolean;
}

export const SHELL_LANGS = new Set(['console', 'sh', 'bash', 'shell', 'zsh', 'shell-session']);

const MARKER = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;

function parseMarker(text: string): Marker {
  const notRun = /^not run:\s*(\S.*)$/.exec(text);
  if (notRun) return { kind: 'not run', why: notRun[1] as string };
  const notConfig = /^not a config:\s*(\S.*)$/.exec(text);
  if (notConfig) return { kind: 'not a config', why: notConfig[1] as string };
  const file = /^file\s+([\w.-]+)$/.exec(text);
  if (file) return { kind: 'file', name: file[1] as string };
  return { kind: 'unknown', text };
}

/** Every fenced block of a page, in order, with its marker. */
export function readBlocks(page: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let lastText: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i] as string);
    if (!open) {
      if ((lines[i] as string).trim() !== '') lastText = (lines[i] as string).trim();
      continue;
    }
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    const m = lastText !== undefined ? MARKER.exec(lastText) : null;
    blocks.push({ page, line: i + 1, lang, body, ...(m ? { marker: parseMarker(m[1] as string) } : {}) });
    lastText = undefined;
    i = j;
  }
  return blocks;
}

/** The commands of a console block and the output shown for each. */
export function readSteps(block: Block): Step[] {
  const steps: Step[] = [];
  let cur: Step | undefined;
  for (let k = 0; k < block.body.length; k++) {
    const l = block.body[k] as string;
    if (l.startsWith('$ ')) {
      let command = l.slice(2);
      const line = block.line + 1 + k;
      while (command.endsWith('\\') && k + 1 < block.body.length) command += `\n${block.body[++k]}`;
      const background = /\s&$/.test(command);
      cur = { command: background ? command.replace(/\s*&$/, '') : command, line, expected: [], background };
      steps.push(cur);
    } else if (cur) {
      cur.expected.push(l);
    } else if (l.trim() !== '') {
      throw new Error(`${block.page}:${block.line + 1 + k}: output before any \`$ \` command in a console block`);
    }
  }
  return steps;
}

/** What breaks the convention in a page's blocks, one line each (none: the page is fine). */
export function conventionProblems(blocks: readonly Block[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const at = `${b.page}:${b.line}`;
    const kind = b.marker?.kind;
    if (kind === 'unknown') out.push(`${at}: unknown doc-test marker`);
    if (kind === 'not run' && !SHELL_LANGS.has(b.lang)) out.push(`${at}: \`not run\` marks shell examples only`);
    if (kind === 'not a config' && b.lang !== 'json') out.push(`${at}: \`not a config\` marks JSON blocks only`);
    // The marker is the only way a shell example is not run.
    if (!SHELL_LANGS.has(b.lang) || kind === 'not run') continue;
    if (b.lang !== 'console') out.push(`${at}: a shell example must be a console block, or marked not run`);
    else if (!b.body.some((l) => l.startsWith('$ '))) out.push(`${at}: a console block without a \`$ \` command`);
  }
  return out;
}
