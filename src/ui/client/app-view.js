// The MCP App view (io.modelcontextprotocol/ui) shown inline by chat clients for tail_logs and list_runs. It speaks
// JSON-RPC with the host over postMessage: ui/initialize, then the host sends the tool's input and result; for a run
// that is still going it asks the host to call tail_logs again (tools/call) with the last offset and grows the curve.
/* global uPlot */
(() => {
  const app = document.getElementById("app");
  const pending = new Map();
  let nextId = 1;
  let hostCanCallTools = true;
  let pollTimer = null;

  const post = (message) => window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ id, method, params });
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`${method}: no answer`));
      }, 30_000);
    });
  const notify = (method, params) => post({ method, params });
  const { fmt, duration } = globalThis.ascendTrainFormat; // format.js, loaded first
  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const reportSize = () =>
    notify("ui/notifications/size-changed", {
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    });

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const msg = event.data;
    if (msg?.jsonrpc !== "2.0") return;
    if (msg.id !== undefined && pending.has(msg.id) && (msg.result !== undefined || msg.error !== undefined)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message ?? "error"));
      else resolve(msg.result);
      return;
    }
    if (msg.method === "ui/notifications/tool-result") show(msg.params ?? {});
    else if (msg.method === "ui/resource-teardown" && msg.id !== undefined) {
      clearTimeout(pollTimer);
      post({ id: msg.id, result: {} });
    }
  });

  function show(result) {
    clearTimeout(pollTimer);
    const data = result.structuredContent;
    if (!data) {
      app.replaceChildren(el("pre", {}, (result.content ?? []).map((c) => c.text ?? "").join("\n")));
    } else if (Array.isArray(data.runs)) showRuns(data);
    else showRun(data);
    reportSize();
  }

  function showRuns(data) {
    const table = el("table", { id: "runs" });
    const head = el("tr");
    for (const h of ["run", "state", "host", "progress", "loss", "ETA"]) head.append(el("th", {}, h));
    table.append(head);
    for (const r of data.runs) {
      const row = el("tr", { "data-run": r.runId });
      row.append(
        el("td", {}, r.runId),
        el("td", {}, r.state),
        el("td", {}, r.hosts.join(", ")),
        el("td", {}, r.iteration !== null ? `${r.iteration}/${r.totalIterations}` : "–"),
        el("td", {}, fmt(r.loss)),
        el("td", {}, duration(r.etaSeconds)),
      );
      table.append(row);
    }
    app.replaceChildren(data.runs.length ? table : el("p", {}, "No runs recorded."));
  }

  function showRun(data) {
    const points = { iteration: [], loss: [] };
    const add = (t) => {
      const s = t.series;
      const xs = s ? s.iteration : (t.curve ?? []).map((p) => p.iteration);
      const ys = s ? s.loss : (t.curve ?? []).map((p) => p.loss);
      const last = points.iteration.at(-1) ?? -1;
      xs.forEach((x, k) => {
        if (x > last) {
          points.iteration.push(x);
          points.loss.push(ys[k]);
        }
      });
    };
    add(data);
    const head = el("div", { class: "head" });
    const chartBox = el("div", { id: "chart", "data-points": "0" });
    app.replaceChildren(head, chartBox);
    const plot = new uPlot(
      {
        width: Math.max(300, document.documentElement.clientWidth - 16),
        height: 220,
        scales: { x: { time: false } },
        series: [{ label: "iteration" }, { label: "loss", stroke: "#2f6fde", width: 1.5, spanGaps: true }],
        axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((v) => fmt(v, 3)) }],
      },
      [points.iteration, points.loss],
      chartBox,
    );
    const update = (t) => {
      const l = t.latest;
      head.replaceChildren(
        el("span", { class: `state state-${t.state}`, id: "state" }, t.state),
        el("span", {}, l ? `iteration ${l.iteration}/${l.totalIterations}` : ""),
        el("span", {}, l ? `loss ${fmt(l.loss)}` : ""),
        el("span", {}, t.etaSeconds != null ? `ETA ${duration(t.etaSeconds)}` : ""),
        el("small", {}, t.runId ?? t.logFile),
      );
      plot.setData([points.iteration, points.loss]);
      chartBox.dataset.points = String(points.iteration.length);
      chartBox.dataset.lastIteration = String(points.iteration.at(-1) ?? 0);
    };
    update(data);
    let offset = data.nextOffset;
    const live = () => ["running", "starting", "stalled"].includes(data.state);
    const poll = async () => {
      if (!hostCanCallTools) return;
      const args = data.runId ? { runId: data.runId } : { logFile: data.logFile, host: data.host };
      try {
        const r = await request("tools/call", {
          name: "tail_logs",
          arguments: { ...args, offset, lines: 50, series: { maxPoints: 2000 } },
        });
        const t = r.structuredContent;
        if (!t) throw new Error("no structured result");
        add(t);
        offset = t.nextOffset;
        data.state = t.state;
        update(t);
      } catch {
        // A host that does not forward tool calls from views: the chart stays as the tool returned it.
        hostCanCallTools = false;
        return;
      }
      if (live()) pollTimer = setTimeout(poll, 5000);
    };
    if (live()) pollTimer = setTimeout(poll, 5000);
  }

  request("ui/initialize", {
    appInfo: { name: "ascend-train training view", version: "1" },
    appCapabilities: {},
    protocolVersion: "2026-01-26",
  })
    .then(() => notify("ui/notifications/initialized", {}))
    .catch(() => undefined);
})();
