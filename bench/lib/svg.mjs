// A small SVG line chart with logarithmic axes, for the scaling curves (no dependencies).

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

const esc = (s) =>
  String(s).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );

/** 1, 10, 100, 1k, 1M, 1G ... (1024-based when `binary`: 1 KiB, 1 MiB). */
function tickLabel(v, binary) {
  const steps = binary
    ? [[2 ** 30, "GiB"], [2 ** 20, "MiB"], [2 ** 10, "KiB"]]
    : [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [size, suffix] of steps) {
    if (v >= size) return `${+(v / size).toPrecision(3)}${binary ? " " : ""}${suffix}`;
  }
  return `${+v.toPrecision(3)}${binary ? " B" : ""}`;
}

/** Log-scale range [lo, hi] widened to whole decades. */
function decades(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b === a) b = a + 1;
  return [a, b];
}

/**
 * A log-log line chart as an SVG document.
 * `series`: [{ name, points: [[x, y], ...] }] (points with y <= 0 or undefined are skipped);
 * `xBinary`: label x ticks as byte sizes (powers of 1024 at powers of 10 positions are still labelled exactly).
 */
export function logLogChart(
  { title, xLabel, yLabel, series, xTicks, xBinary = false, width = 720, height = 440 },
) {
  const pts = series.flatMap((s) => s.points.filter(([x, y]) => x > 0 && y > 0));
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="30">${
      esc(title)
    }: no data</text></svg>\n`;
  }
  const m = { left: 78, right: 190, top: 40, bottom: 56 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const xs = xTicks ?? [...new Set(pts.map(([x]) => x))].sort((a, b) => a - b);
  const xr = xs.length > 1 ? [Math.log10(xs[0]), Math.log10(xs[xs.length - 1])] : decades(xs);
  const [ya, yb] = decades(pts.map(([, y]) => y));
  // x keeps 3% of the width free at both ends, so the first and last points clear the frame.
  const X = (x) => +(m.left + w * (0.03 + 0.94 * (Math.log10(x) - xr[0]) / (xr[1] - xr[0] || 1))).toFixed(1);
  const Y = (y) => +(m.top + h - ((Math.log10(y) - ya) / (yb - ya)) * h).toFixed(1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left + w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${
      esc(title)
    }</text>`,
  ];
  // Grid and ticks: every decade on y, every measured x.
  for (let d = ya; d <= yb; d++) {
    const y = Y(10 ** d);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + w}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${tickLabel(10 ** d, false)}</text>`);
  }
  for (const x of xs) {
    const px = X(x);
    out.push(`<line x1="${px}" y1="${m.top}" x2="${px}" y2="${m.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${m.top + h + 16}" text-anchor="middle">${tickLabel(x, xBinary)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${height - 14}" text-anchor="middle">${esc(xLabel)} (log)</text>`);
  out.push(
    `<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${
      esc(yLabel)
    } (log)</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const p = s.points.filter(([x, y]) => x > 0 && y > 0);
    if (p.length > 1) {
      const d = p.map(([x, y], j) => `${j ? "L" : "M"}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const [x, y] of p) {
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = m.top + 10 + i * 20;
    const lx = m.left + w + 14;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
