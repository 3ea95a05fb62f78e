// Table formatting shared by the runners: numbers, markdown tables and plain-text tables.

/** An integer with thousands separators ("" for undefined). */
export const fmt = (n) => (n === undefined ? "" : Math.round(n).toLocaleString("en-US"));

/** A markdown table: first column left-aligned, the others right-aligned. */
export function markdown({ header, body }) {
  const esc = (s) => String(s).replaceAll("|", "\\|");
  const lines = [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
  ];
  for (const row of body) lines.push(`| ${row.map(esc).join(" | ")} |`);
  return lines.join("\n");
}

/** The same table in plain text, columns padded. */
export function plain({ header, body }) {
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
