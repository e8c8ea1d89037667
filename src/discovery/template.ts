/** The values a template may use. */
export const PLACEHOLDERS = ['pid', 'name', 'port'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateVars = Partial<Record<Placeholder, string | number>>;

type Part = string | { ph: Placeholder };

/** A parsed template string: literal text and `{pid}`, `{name}`, `{port}`; `{{` and `}}` are literal braces. */
export interface Template {
  text: string;
  parts: Part[];
  uses: Set<Placeholder>;
}

/** Parses a template; throws an Error naming the bad placeholder or brace. */
export function parseTemplate(text: string): Template {
  const parts: Part[] = [];
  const uses = new Set<Placeholder>();
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      lit += c;
      i++;
    } else if (c === '{') {
      const end = text.indexOf('}', i);
      const name = end < 0 ? undefined : text.slice(i + 1, end);
      if (name === undefined) throw new Error(`has an unclosed "{" at position ${i}`);
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
        throw new Error(`uses unknown placeholder {${name}}; the placeholders are {pid}, {name} and {port}`);
      }
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ ph: name as Placeholder });
      uses.add(name as Placeholder);
      i = end;
    } else if (c === '}') {
      throw new Error(`has a stray "}" at position ${i} (write "}}" for a literal brace)`);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return { text, parts, uses };
}

/** Fills a template; a placeholder without a value stays as written (e.g. `{port}` not known yet). */
export function renderTemplate(t: Template, vars: TemplateVars, encode: (v: string) => string = (v) => v): string {
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') out += p;
    else out += vars[p.ph] === undefined ? `{${p.ph}}` : encode(String(vars[p.ph]));
  }
  return out;
}

/** A template over a JSON value: every string inside (not keys) is a template. */
export interface ValueTemplate {
  value: unknown;
  uses: Set<Placeholder>;
  render(vars: TemplateVars, encode?: (v: string) => string): unknown;
}

export function parseValueTemplate(value: unknown): ValueTemplate {
  const uses = new Set<Placeholder>();
  const compile = (v: unknown): ((vars: TemplateVars, encode?: (v: string) => string) => unknown) => {
    if (typeof v === 'string') {
      const t = parseTemplate(v);
      for (const u of t.uses) uses.add(u);
      return (vars, encode) => renderTemplate(t, vars, encode);
    }
    if (Array.isArray(v)) {
      const items = v.map(compile);
      return (vars, encode) => items.map((f) => f(vars, encode));
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).map(([k, x]) => [k, compile(x)] as const);
      return (vars, encode) => Object.fromEntries(entries.map(([k, f]) => [k, f(vars, encode)]));
    }
    return () => v;
  };
  const render = compile(value);
  return { value, uses, render };
}
