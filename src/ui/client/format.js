// Number and duration formatting shared by the dashboard's page script and the inline chat view: served as its own
// asset before dashboard.js, and inlined before the view script in the self-contained view document.
(() => {
  /** A metric value: 4 significant digits, exponent notation for very small or large magnitudes, "–" when missing. */
  const fmt = (v, digits = 4) =>
    typeof v === "number" && Number.isFinite(v)
      ? Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)
        ? v.toExponential(3)
        : String(Number(v.toPrecision(digits)))
      : "–";
  /** Seconds as "2 h 5 min", "3 min 12 s" or "40 s"; "–" when missing. */
  const duration = (s) => {
    if (typeof s !== "number" || !Number.isFinite(s)) return "–";
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
  };
  globalThis.ascendTrainFormat = Object.freeze({ fmt, duration });
})();
