/* Tandem staff console: forms that call the staff JSON API, live queue and transcript, charts. */
(() => {
  "use strict";
  const POLL_MS = 3000;
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  function toast(text, kind = "error") {
    const box = document.querySelector(".toast");
    if (!box) return;
    box.textContent = text;
    box.className = `toast toast--${kind}`;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (box.hidden = true), 6000);
  }

  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf(), Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new Error(data?.error?.message || `HTTP ${response.status}`);
    return data;
  }

  function formBody(form, submitter) {
    const body = {};
    for (const [name, value] of new FormData(form).entries()) {
      const field = form.elements[name];
      if (field?.dataset?.json !== undefined) body[name] = JSON.parse(value);
      else if (value === "true" || value === "false") body[name] = value === "true";
      else body[name] = value;
    }
    if (submitter?.dataset.reject !== undefined) {
      body.approve = false;
      delete body.payload;
    }
    return body;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const body = formBody(form, event.submitter);
      await api(form.dataset.method || "POST", form.dataset.api, body);
      if (form.dataset.reset !== undefined) form.reset();
      if (form.dataset.refresh !== undefined) await refreshConversation();
      if (form.dataset.reload !== undefined) window.location.reload();
    } catch (error) {
      toast(error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : error.message);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.cannedFor) return;
    const box = document.getElementById(select.dataset.cannedFor);
    if (box && select.value) {
      box.value = select.value;
      box.focus();
    }
    select.value = "";
  });

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, value);
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  function waited(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  }

  async function refreshQueue(table) {
    let items;
    try {
      items = await api("GET", "/api/v1/staff/conversations");
    } catch (error) {
      return;
    }
    const rows = items.map((item) =>
      el("tr", { "data-conversation": item.id }, [
        el("td", {}, [
          item.customer_name || "Anonymous",
          ...(item.verified ? [" ", el("span", { class: "badge ok" }, ["verified"])] : []),
          el("div", { class: "muted small" }, [item.channel]),
        ]),
        el("td", {}, [item.handoff_reason || "—"]),
        el("td", {}, [item.language || "?"]),
        el("td", {}, [waited(item.waiting_seconds)]),
        el("td", { dir: "auto", class: "clip" }, [item.last_message]),
        el("td", {}, [
          el("span", { class: `badge ${item.status}` }, [item.status]),
          ...(item.assigned_staff_name ? [el("div", { class: "small" }, [item.assigned_staff_name])] : []),
        ]),
        el("td", {}, [el("a", { class: "button", href: `/console/agent/conversations/${item.id}` }, ["Open"])]),
      ]),
    );
    if (!rows.length) rows.push(el("tr", { class: "empty" }, [el("td", { colspan: "7" }, ["Nobody is waiting."])]));
    table.tBodies[0].replaceChildren(...rows);
    const stamp = document.querySelector("[data-queue-updated]");
    if (stamp) stamp.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  }

  let pageStatus = null;
  async function refreshConversation() {
    const page = document.querySelector("[data-conversation-page]");
    if (!page) return;
    const detail = await api("GET", `/api/v1/staff/conversations/${page.dataset.conversationPage}`);
    const list = page.querySelector("[data-transcript]");
    const items = detail.messages.map((m) => {
      const who = [m.role];
      if (m.staff_name) who.push(` · ${m.staff_name}`);
      return el("li", { class: `msg msg--${m.role}`, "data-message": m.id }, [
        el("div", { class: "who" }, who),
        el("div", { class: "bubble", dir: "auto" }, [m.text]),
      ]);
    });
    const before = list.children.length;
    list.replaceChildren(...items);
    if (items.length !== before) list.lastElementChild?.scrollIntoView({ block: "nearest" });
    if (pageStatus === null) pageStatus = detail.status;
    const reply = document.getElementById("reply-text");
    if (detail.status !== pageStatus && !(reply && reply.value.trim())) window.location.reload();
  }

  const numberFormat = (value, digits = 0) => (value === null || value === undefined ? "—" : value.toFixed(digits));
  const COLORS = {
    queued: "#8d99ae", running: "#3a86ff", succeeded: "#2a9d8f", failed: "#e63946",
    needs_review: "#f4a261", cancelled: "#6c757d",
  };

  async function drawDashboard(box) {
    const data = await api("GET", box.dataset.dashboard);
    const kpi = (name, text) => { const n = document.querySelector(`[data-kpi="${name}"]`); if (n) n.textContent = text; };
    kpi("success_rate", data.success_rate === null ? "—" : `${numberFormat(data.success_rate * 100, 1)} %`);
    kpi("queue_depth", String(data.queue_depth));
    kpi("queue_age", waited(Math.round(data.queue_oldest_age_seconds)));
    kpi("needs_review", String(data.jobs_by_status.needs_review || 0));
    if (!window.Chart) return;
    const canvas = (name) => document.querySelector(`[data-chart="${name}"]`);
    const common = { animation: false, responsive: true, maintainAspectRatio: false };
    new window.Chart(canvas("per_hour"), {
      type: "bar",
      data: { labels: data.hour_labels, datasets: data.jobs_per_hour.map((s) => ({ label: s.label, data: s.data, backgroundColor: COLORS[s.label] })) },
      options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
    new window.Chart(canvas("success"), {
      type: "line",
      data: { labels: data.hour_labels, datasets: [{ label: "success rate", data: data.success_rate_per_hour.map((v) => (v === null ? null : v * 100)), borderColor: COLORS.succeeded, spanGaps: true }] },
      options: { ...common, scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v} %` } } } },
    });
    new window.Chart(canvas("durations"), {
      type: "bar",
      data: { labels: data.duration_kinds, datasets: [
        { label: "p50", data: data.duration_p50, backgroundColor: "#3a86ff" },
        { label: "p95", data: data.duration_p95, backgroundColor: "#f4a261" },
      ] },
      options: { ...common, scales: { y: { beginAtZero: true } } },
    });
    const retries = Object.entries(data.retries_by_error_class);
    new window.Chart(canvas("retries"), {
      type: "bar",
      data: { labels: retries.map(([k]) => k), datasets: [{ label: "retries", data: retries.map(([, v]) => v), backgroundColor: "#e76f51" }] },
      options: { ...common, indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  // While the agent writes, the customer's widget shows "typing…" (at most one signal per 3 s).
  function announceTyping(conversationId) {
    const reply = document.getElementById("reply-text");
    if (!reply) return;
    let last = 0;
    reply.addEventListener("input", () => {
      if (!reply.value.trim() || Date.now() - last < 3000) return;
      last = Date.now();
      api("POST", `/api/v1/staff/conversations/${conversationId}/typing`).catch(() => {});
    });
  }

  // A failed step's page HTML, fetched when its section is first opened and shown as text
  // (never rendered: it is the target system's page, scripts and all).
  const PAGE_SOURCE_SHOWN = 200000;
  document.addEventListener("toggle", async (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    const url = details.dataset.pageSourceView;
    const text = details.querySelector("[data-page-source-text]");
    if (!url || !text || details.dataset.loaded) return;
    details.dataset.loaded = "true";
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const source = await response.text();
      text.textContent = source.length > PAGE_SOURCE_SHOWN
        ? `${source.slice(0, PAGE_SOURCE_SHOWN)}\n\n… the first ${PAGE_SOURCE_SHOWN.toLocaleString()} of ${source.length.toLocaleString()} characters; download it for the rest.`
        : source;
    } catch (error) {
      delete details.dataset.loaded;
      text.textContent = `Could not load the page HTML: ${error.message}`;
    }
  }, true);

  function start() {
    const queue = document.querySelector("[data-queue]");
    if (queue) setInterval(() => refreshQueue(queue), POLL_MS);
    const conversationPage = document.querySelector("[data-conversation-page]");
    if (conversationPage) {
      refreshConversation().catch(() => {});
      setInterval(() => refreshConversation().catch(() => {}), POLL_MS);
      announceTyping(conversationPage.dataset.conversationPage);
    }
    const board = document.querySelector("[data-dashboard]");
    if (board) drawDashboard(board).catch((error) => toast(error.message));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
