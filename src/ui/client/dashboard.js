// The dashboard's page script: draws the curves with uPlot (served by the server), follows a running run through
// server-sent events, asks the server for a zoomed range in full detail, overlays runs to compare, refreshes the runs
// list, and carries stop / resume through the tools' plan-then-confirm gate. It only talks to /ui/api on this origin.
/* global uPlot */
(() => {
  const page = JSON.parse(document.getElementById("page-data")?.textContent ?? "{}");
  const COLORS = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"];
  const METRICS = [
    { id: "chart-loss", key: "loss", label: "loss" },
    { id: "chart-grad", key: "gradNorm", label: "grad norm" },
    { id: "chart-lr", key: "learningRate", label: "learning rate" },
    { id: "chart-step", key: "msPerIteration", label: "ms / iteration" },
  ];
  const MAX_LIVE_POINTS = 4000;

  const api = (path, init = {}) =>
    fetch(path, { credentials: "same-origin", ...init }).then(async (r) => {
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      return body;
    });
  const { fmt, duration } = globalThis.ascendTrainFormat; // format.js, loaded first
  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const chartWidth = (node) => Math.max(320, node.clientWidth || node.parentElement.clientWidth - 16);

  /** One uPlot per metric; `series` names the lines after x. */
  function makeChart(node, lines, onZoom) {
    const opts = {
      width: chartWidth(node),
      height: 240,
      scales: { x: { time: false } },
      series: [{ label: "iteration" }, ...lines],
      axes: [
        // Iterations are whole numbers: no tick between two of them.
        { label: "iteration", values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : "")) },
        { size: 80, values: (_u, ticks) => ticks.map((v) => fmt(v, 3)) },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: "ascend-train" } },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4 || !onZoom) return;
            const from = Math.floor(u.posToVal(u.select.left, "x"));
            const to = Math.ceil(u.posToVal(u.select.left + u.select.width, "x"));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoom(from, to);
          },
        ],
      },
    };
    const plot = new uPlot(opts, [[], ...lines.map(() => [])], node);
    new ResizeObserver(() => plot.setSize({ width: chartWidth(node), height: 240 })).observe(node.parentElement);
    return plot;
  }

  // ---------- the run page ----------
  function runPage() {
    const runId = page.runId;
    const tail = page.tail;
    const full = emptySeries();
    let zoomed = false;
    // Each zoom or reset starts a new generation; an answer for an older one is dropped.
    let zoomGeneration = 0;
    const charts = {};
    const zoom = (from, to) => {
      const generation = ++zoomGeneration;
      return api(`/ui/api/runs/${encodeURIComponent(runId)}/series?maxPoints=1000&from=${from}&to=${to}`)
        .then((r) => {
          if (!r.series || generation !== zoomGeneration) return;
          zoomed = true;
          draw(r.series);
        })
        .catch((e) => showProblem(`zoom: ${e.message}`));
    };
    for (const m of METRICS) {
      const node = document.getElementById(m.id);
      const lines =
        m.key === "loss"
          ? [
              { label: "loss", stroke: COLORS[0], width: 1.5, spanGaps: true },
              { label: "min", stroke: "rgba(47,111,222,0.25)", width: 1, spanGaps: true },
              { label: "max", stroke: "rgba(47,111,222,0.25)", width: 1, spanGaps: true },
            ]
          : [{ label: m.label, stroke: COLORS[METRICS.indexOf(m)], width: 1.5, spanGaps: true }];
      charts[m.key] = makeChart(node, lines, zoom);
    }
    document.getElementById("reset-zoom")?.addEventListener("click", () => {
      zoomGeneration++;
      zoomed = false;
      draw(full);
    });

    function draw(s) {
      charts.loss.setData([s.iteration, s.loss, s.lossMin, s.lossMax]);
      charts.gradNorm.setData([s.iteration, s.gradNorm]);
      charts.learningRate.setData([s.iteration, s.learningRate]);
      charts.msPerIteration.setData([s.iteration, s.msPerIteration]);
      const lossNode = document.getElementById("chart-loss");
      lossNode.dataset.points = String(s.iteration.length);
      lossNode.dataset.lastIteration = String(s.iteration.at(-1) ?? 0);
      lossNode.dataset.zoomed = String(zoomed);
    }

    function append(s) {
      if (!s || s.iteration.length === 0) return;
      const last = full.iteration.at(-1);
      if (last !== undefined && s.iteration[0] <= last) {
        // The iteration count went back (a run appended to the same log): start the curves over.
        if (s.iteration[0] < last) for (const k of Object.keys(full)) if (Array.isArray(full[k])) full[k].length = 0;
      }
      for (const k of SERIES_KEYS) full[k].push(...s[k]);
      if (full.iteration.length > MAX_LIVE_POINTS)
        for (const k of SERIES_KEYS) full[k] = full[k].filter((_, i) => i % 2 === 0);
      if (!zoomed) draw(full);
    }

    append(tail.series);
    updateStats(tail);
    updateMemory(tail.memoryByRank);
    const log = document.getElementById("log");
    appendLog(log, tail.lines ?? []);
    wireActions(runId);

    if (!["finished", "failed", "stopped"].includes(tail.state)) {
      const es = new EventSource(
        `/ui/api/runs/${encodeURIComponent(runId)}/events?offset=${encodeURIComponent(tail.nextOffset)}`,
      );
      es.addEventListener("update", (ev) => {
        const u = JSON.parse(ev.data);
        append(u.series);
        updateStats(u);
        updateMemory(u.memoryByRank);
        appendLog(log, u.lines ?? []);
      });
      es.addEventListener("problem", (ev) => showProblem(JSON.parse(ev.data).message));
      es.addEventListener("end", () => {
        es.close();
        // The run ended: the page is drawn again with its final state (and diagnosis when it failed).
        setTimeout(() => location.reload(), 500);
      });
    }
  }

  const SERIES_KEYS = ["iteration", "loss", "lossMin", "lossMax", "gradNorm", "learningRate", "msPerIteration"];
  function emptySeries() {
    return Object.fromEntries(SERIES_KEYS.map((k) => [k, []]));
  }

  function updateStats(t) {
    const stats = document.getElementById("stats");
    if (!stats) return;
    const l = t.latest;
    const items = [
      ["iteration", l ? `${l.iteration} / ${l.totalIterations}` : "–"],
      ["progress", t.progressPercent != null ? `${t.progressPercent}%` : "–"],
      ["loss", l ? (l.loss !== null ? fmt(l.loss) : l.nonFinite?.includes("loss") ? "NaN/inf" : "–") : "–"],
      ["grad norm", fmt(l?.gradNorm)],
      ["learning rate", fmt(l?.learningRate)],
      ["step time", t.medianStepMs != null ? `${fmt(t.medianStepMs / 1000, 3)} s` : "–"],
      ["throughput", t.throughput ? `${fmt(t.throughput.samplesPerSecond, 3)} samples/s` : "–"],
      ["ETA", duration(t.etaSeconds)],
    ];
    stats.replaceChildren(
      ...items.map(([k, v]) => {
        const box = el("div", { class: "stat", "data-stat": k });
        box.append(el("b", {}, v), el("span", {}, k));
        return box;
      }),
    );
    const state = document.getElementById("run-state");
    if (state && t.state) {
      state.textContent = t.state;
      state.className = `state state-${t.state}`;
    }
    const reason = document.getElementById("state-reason");
    if (reason && t.stateReason) reason.textContent = t.stateReason;
  }

  function updateMemory(ranks) {
    const box = document.getElementById("memory");
    if (!box) return;
    if (!ranks || ranks.length === 0) {
      box.replaceChildren(el("p", { class: "hint" }, "The log has printed no memory report yet."));
      return;
    }
    const table = el("table", { class: "memory" });
    const head = el("tr");
    for (const h of ["rank", "allocated (MB)", "max allocated (MB)"]) head.append(el("th", {}, h));
    table.append(head);
    for (const r of ranks) {
      const row = el("tr");
      row.append(
        el("td", {}, String(r.rank)),
        el("td", {}, fmt(r.allocatedMb, 6)),
        el("td", {}, fmt(r.maxAllocatedMb, 6)),
      );
      table.append(row);
    }
    box.replaceChildren(table);
  }

  function appendLog(node, lines) {
    if (!node || lines.length === 0) return;
    const atBottom = node.scrollHeight - node.scrollTop - node.clientHeight < 40;
    const kept = `${node.textContent}${node.textContent ? "\n" : ""}${lines.join("\n")}`.split("\n").slice(-500);
    node.textContent = kept.join("\n");
    if (atBottom) node.scrollTop = node.scrollHeight;
  }

  function showProblem(message) {
    const box = document.getElementById("warnings");
    if (box) box.append(el("p", { class: "warning" }, message));
  }

  function wireActions(runId) {
    const confirmBox = document.getElementById("confirm");
    const title = document.getElementById("confirm-title");
    const plan = document.getElementById("confirm-plan");
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    let pending = null;
    const post = (action, confirm) =>
      api(`/ui/api/runs/${encodeURIComponent(runId)}/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-ascend-train-ui": "1" },
        body: JSON.stringify({ confirm }),
      });
    for (const button of document.querySelectorAll("[data-action]")) {
      button.addEventListener("click", async () => {
        const action = button.dataset.action;
        confirmBox.hidden = false;
        title.textContent = action === "stop" ? `Stop ${runId}?` : `Resume ${runId}?`;
        plan.textContent = "Asking the server for the plan…";
        yes.hidden = true;
        try {
          const r = await post(action, false);
          plan.textContent = r.text;
          pending = action;
          yes.hidden = false;
          yes.textContent = action === "stop" ? "Confirm stop" : "Confirm resume";
        } catch (e) {
          plan.textContent = e.message;
        }
      });
    }
    yes?.addEventListener("click", async () => {
      if (!pending) return;
      const action = pending;
      pending = null;
      yes.hidden = true;
      plan.textContent = "Working…";
      try {
        const r = await post(action, true);
        plan.textContent = r.text;
        setTimeout(() => location.reload(), 1500);
      } catch (e) {
        plan.textContent = e.message;
      }
    });
    no?.addEventListener("click", () => {
      pending = null;
      confirmBox.hidden = true;
    });
  }

  // ---------- comparing runs ----------
  async function comparePage() {
    const ids = page.runIds ?? [];
    const results = await Promise.all(
      ids.map((id) =>
        api(`/ui/api/runs/${encodeURIComponent(id)}/series?maxPoints=1000`).catch((e) => ({ error: e.message })),
      ),
    );
    const ok = ids.map((id, k) => ({ id, r: results[k] })).filter((x) => x.r.series);
    for (const x of ids.map((id, k) => ({ id, r: results[k] })).filter((y) => y.r.error)) {
      document.querySelector("main").prepend(el("p", { class: "warning" }, `${x.id}: ${x.r.error}`));
    }
    for (const m of METRICS) {
      const node = document.getElementById(m.id);
      const lines = ok.map((x, k) => ({ label: x.id, stroke: COLORS[k % COLORS.length], width: 1.5, spanGaps: true }));
      const chart = makeChart(node, lines, null);
      if (ok.length === 0) continue;
      const joined = uPlot.join(ok.map((x) => [x.r.series.iteration, x.r.series[m.key]]));
      chart.setData(joined);
      node.dataset.runs = String(ok.length);
    }
  }

  // ---------- the runs list ----------
  function runsPage() {
    const body = document.getElementById("runs-body");
    setInterval(async () => {
      try {
        const checked = new Set([...body.querySelectorAll("input:checked")].map((i) => i.value));
        const r = await api("/ui/api/runs");
        body.innerHTML = r.html; // rendered and escaped by the server
        for (const box of body.querySelectorAll("input[type=checkbox]")) box.checked = checked.has(box.value);
      } catch {
        // The next refresh tries again.
      }
    }, 5000);
  }

  if (page.page === "run") runPage();
  else if (page.page === "compare") comparePage();
  else if (page.page === "runs") runsPage();
})();
