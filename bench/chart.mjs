// A small grouped horizontal bar chart as standalone SVG (no dependencies):
// one group per row label, one bar per series, a log or linear axis in ms.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// groups: [{ label, values: [number|null per series] }], series: [{ name, color }]
export function barChartSvg({ title, unit, groups, series, note = '' }) {
  const labelW = 150;
  const plotW = 560;
  const barH = 12;
  const gap = 10;
  const top = 50;
  const groupH = series.length * barH + gap;
  const legendRows = Math.ceil(series.length / 2);
  const height = top + groups.length * groupH + 30 + legendRows * 16 + 20;
  const width = labelW + plotW + 90;
  const max = Math.max(...groups.flatMap((g) => g.values.filter((v) => v != null)));
  const niceMax = (() => { const p = 10 ** Math.floor(Math.log10(max)); return Math.ceil(max / p) * p; })();
  const x = (v) => labelW + (v / niceMax) * plotW;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = (niceMax * i) / ticks;
    const tx = x(v);
    out.push(`<line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${top + groups.length * groupH}" stroke="#ddd"/>`);
    out.push(`<text x="${tx}" y="${top - 12}" text-anchor="middle" fill="#555">${v === 0 ? '0' : v >= 1000 ? `${v / 1000} s` : `${v} ${unit}`}</text>`);
  }
  groups.forEach((g, gi) => {
    const gy = top + gi * groupH;
    out.push(`<text x="${labelW - 8}" y="${gy + (series.length * barH) / 2 + 4}" text-anchor="end" font-weight="bold">${esc(g.label)}</text>`);
    series.forEach((s, si) => {
      const v = g.values[si];
      const y = gy + si * barH;
      if (v == null) {
        out.push(`<text x="${labelW + 4}" y="${y + barH - 2}" fill="#999">${esc(s.name)}: fails</text>`);
        return;
      }
      out.push(`<rect x="${labelW}" y="${y}" width="${Math.max(1, x(v) - labelW)}" height="${barH - 2}" fill="${s.color}"/>`);
      out.push(`<text x="${x(v) + 4}" y="${y + barH - 3}" fill="#333">${Math.round(v)}</text>`);
    });
  });
  const ly = top + groups.length * groupH + 16;
  series.forEach((s, i) => {
    const lx = labelW + (i % 2) * (plotW / 2);
    const y = ly + Math.floor(i / 2) * 16;
    out.push(`<rect x="${lx}" y="${y - 9}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${y}">${esc(s.name)}</text>`);
  });
  if (note) out.push(`<text x="${labelW}" y="${ly + legendRows * 16 + 8}" fill="#555">${esc(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
