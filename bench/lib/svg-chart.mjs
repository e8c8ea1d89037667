// A small hand-rolled SVG of the scale run: one panel per measure, checks on a log x axis.

const esc = (s) => String(s).replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]);

function panel({ x0, y0, w, h, title, unit, points, xs }) {
  const finite = points.filter((p) => Number.isFinite(p.y));
  const top = Math.max(1e-9, ...finite.map((p) => p.y)) * 1.15;
  // Negative values (a cost measured within the noise) sit at the axis, labelled as measured.
  const bottom = 0;
  const lx = (v) => Math.log10(v);
  const [xmin, xmax] = [lx(Math.min(...xs)), lx(Math.max(...xs))];
  const px = (v) => x0 + 40 + ((lx(v) - xmin) / (xmax - xmin || 1)) * (w - 60);
  const py = (v) => y0 + h - 25 - ((Math.max(bottom, v) - bottom) / (top - bottom)) * (h - 50);
  const out = [
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`,
    `<text x="${x0 + 8}" y="${y0 + 16}" font-size="13" font-weight="bold">${esc(title)} (${esc(unit)})</text>`,
    `<line x1="${x0 + 40}" y1="${y0 + h - 25}" x2="${x0 + w - 20}" y2="${y0 + h - 25}" stroke="#888"/>`,
  ];
  for (const v of xs) {
    out.push(
      `<text x="${px(v)}" y="${y0 + h - 8}" font-size="11" text-anchor="middle">${v.toLocaleString('en')}</text>`,
    );
  }
  const line = finite.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  out.push(`<polyline points="${line}" fill="none" stroke="#1f6feb" stroke-width="2"/>`);
  for (const p of finite) {
    out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="#1f6feb"/>`);
    out.push(
      `<text x="${px(p.x).toFixed(1)}" y="${(py(p.y) - 7).toFixed(1)}" font-size="11" text-anchor="middle">` +
        `${esc(p.label)}</text>`,
    );
  }
  return out.join('\n');
}

/** `rows`: [{ checks, ...measures }]; `measures`: [{ key, title, unit, digits }]. Returns SVG text. */
export function scaleSvg(rows, measures, caption) {
  const w = 420;
  const h = 220;
  const cols = 2;
  const xs = rows.map((r) => r.checks);
  const panels = measures.map((m, i) =>
    panel({
      x0: 10 + (i % cols) * (w + 10),
      y0: 40 + Math.floor(i / cols) * (h + 10),
      w,
      h,
      title: m.title,
      unit: m.unit,
      xs,
      points: rows.map((r) => ({ x: r.checks, y: r[m.key], label: Number(r[m.key]).toFixed(m.digits ?? 1) })),
    }),
  );
  const width = 20 + cols * (w + 10);
  const height = 50 + Math.ceil(measures.length / cols) * (h + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${esc(caption)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
