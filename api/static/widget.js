/*!
 * Tandem chat widget for Baobab Home. Plain JavaScript, no dependencies, no build step.
 *
 * Embed with one tag on any page:
 *   <script src="https://HOST/widget.js" data-locale="pl" data-customer-token="ct_…" async></script>
 * Optional: data-api="https://HOST" (default: the script's own origin).
 *
 * Everything lives in a shadow DOM under <div id="tandem-chat-widget">, so the host page's
 * CSS does not leak in and ours does not leak out. Text from people and the bot is always
 * put in the page with textContent / text nodes, never parsed as HTML.
 */
(() => {
  "use strict";

  if (window.TandemWidget) return;

  const LANGUAGES = ["en", "ar", "fa", "sw", "pl"];
  const RTL = new Set(["ar", "fa"]);
  const ACTIVE_JOB = new Set(["queued", "running"]);
  const JOB_KINDS = new Set(["cancel_order", "return_item", "change_address", "place_order", "request_invoice", "file_document"]);
  const MAX_UPLOAD_MB = 10;
  const RETRY_DELAYS_MS = [600, 1500, 3000, 6000];
  const FALLBACK_AFTER_MS = 2500;
  const TYPING_EVENT_MS = 5000;
  const OFFLINE_NOTICE_MS = 3000;
  const ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.heic,.doc,.docx,.odt,.txt";

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"]');
  const data = (script && script.dataset) || {};
  const API = (data.api || new URL(script ? script.src : location.href, location.href).origin).replace(/\/$/, "");
  const TOKEN = (data.customerToken || "").trim() || null;

  const pickLanguage = (...candidates) => {
    for (const candidate of candidates) {
      const code = String(candidate || "").toLowerCase().slice(0, 2);
      if (LANGUAGES.includes(code)) return code;
    }
    return "en";
  };

  // --- small helpers -------------------------------------------------------------------

  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) node.append(child);
    return node;
  };

  const SVG_NS = "http://www.w3.org/2000/svg";
  const icon = (paths, size = 22) => {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    for (const d of paths) {
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.append(path);
    }
    return svg;
  };
  const ICONS = {
    chat: ["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"],
    close: ["M6 6l12 12M18 6L6 18"],
    send: ["M3 11.5L21 3l-8.5 18-2.2-7.3z"],
    clip: ["M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.7-5.7l-8.2 8.2a6 6 0 0 0 8.5 8.5l6.4-6.4"],
    person: ["M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0"],
  };

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const randomId = () => {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return "w-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const fingerprint = (text) => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(36);
  };
  const format = (template, params) =>
    String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  const isSafeUrl = (value) => {
    try {
      const url = new URL(value, API + "/");
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  };

  class HttpError extends Error {
    constructor(status, body) {
      super(`HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  // --- persisted state (per tab; per signed-in customer) --------------------------------

  const STORE_KEY = "tandem.widget.v1:" + (TOKEN ? "c" + fingerprint(TOKEN) : "anon");
  const store = {
    read() {
      try {
        return JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}") || {};
      } catch {
        return {};
      }
    },
    write(patch) {
      try {
        sessionStorage.setItem(STORE_KEY, JSON.stringify({ ...store.read(), ...patch }));
      } catch {
        /* storage may be disabled; the widget still works for this page view */
      }
    },
    clear() {
      try {
        sessionStorage.removeItem(STORE_KEY);
      } catch {
        /* ignore */
      }
    },
  };

  // --- the widget ------------------------------------------------------------------------

  class Widget {
    constructor() {
      const saved = store.read();
      this.language = pickLanguage(saved.language, data.locale, document.documentElement.lang, navigator.language);
      this.strings = {};
      this.stringCache = new Map();
      this.conversationId = saved.id || null;
      this.lastEventId = Number(saved.last) || 0;
      this.seen = new Set(); // message ids shown
      this.pending = []; // {role, text, node}: shown before the server gave them an id
      this.expected = []; // bot replies a POST returned that the stream has not shown yet
      this.unclaimed = []; // bot replies the stream showed while a POST was under way
      this.jobs = new Map();
      this.inflight = 0;
      this.typingUntil = 0;
      this.sendQueue = Promise.resolve();
      this.source = null;
      this.streamOpen = false;
      this.offlineTimer = null;
      this.reconnectDelay = 1000;
      this.creating = null;
      this.build();
      this.setLanguage(this.language);
      if (this.conversationId) this.resume();
      if (saved.open) this.open(false);
    }

    // ---- DOM ----

    build() {
      this.host = el("div", { id: "tandem-chat-widget", "data-tandem-widget": "" });
      const shadow = this.host.attachShadow({ mode: "open" });
      this.shadow = shadow;
      const style = el("link", { rel: "stylesheet", href: API + "/widget.css" });
      this.root = el("div", { class: "tandem-root", hidden: true });
      style.addEventListener("load", () => (this.root.hidden = false));
      style.addEventListener("error", () => (this.root.hidden = false));

      this.launcher = el("button", {
        type: "button",
        class: "tandem-launcher",
        "aria-expanded": "false",
        "aria-controls": "tandem-panel",
        "data-i18n-aria": "widget.open",
      });
      this.badge = el("span", { class: "tandem-badge", hidden: true, "aria-hidden": "true" });
      this.launcher.append(icon(ICONS.chat, 26), this.badge);
      this.launcher.addEventListener("click", () => (this.isOpen() ? this.close() : this.open()));

      this.title = el("h2", { id: "tandem-title", class: "tandem-title", "data-i18n": "widget.title" });
      this.closeButton = el("button", { type: "button", class: "tandem-icon-button tandem-close", "data-i18n-aria": "widget.close" }, [
        icon(ICONS.close, 20),
      ]);
      this.closeButton.addEventListener("click", () => this.close());
      const header = el("header", { class: "tandem-header" }, [
        el("span", { class: "tandem-avatar", "aria-hidden": "true" }),
        this.title,
        this.closeButton,
      ]);

      this.log = el("div", {
        class: "tandem-log",
        role: "log",
        "aria-live": "polite",
        "aria-relevant": "additions",
        "data-i18n-aria": "widget.messages",
        tabindex: "0",
      });
      this.welcome = el("div", { class: "tandem-msg tandem-msg--bot tandem-msg--welcome" }, [
        el("div", { class: "tandem-bubble", "data-i18n": "widget.welcome" }),
      ]);
      this.log.append(this.welcome);

      this.status = el("div", { class: "tandem-status", role: "status" });
      this.typing = el("div", { class: "tandem-typing", hidden: true }, [
        el("span", { class: "tandem-dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
        el("span", { "data-i18n": "widget.typing" }),
      ]);
      this.jobList = el("div", { class: "tandem-jobs" });
      this.notice = el("div", { class: "tandem-notice", hidden: true });
      this.status.append(this.jobList, this.typing, this.notice);

      this.quick = el("div", { class: "tandem-quick", role: "group", "data-i18n-aria": "widget.quick_replies" });

      this.fileInput = el("input", { type: "file", accept: ACCEPT, class: "tandem-file", tabindex: "-1", "aria-hidden": "true" });
      this.fileInput.addEventListener("change", () => {
        const file = this.fileInput.files && this.fileInput.files[0];
        this.fileInput.value = "";
        if (file) this.upload(file);
      });
      this.attachButton = el("button", { type: "button", class: "tandem-icon-button tandem-attach", "data-i18n-aria": "widget.attach" }, [
        icon(ICONS.clip, 20),
      ]);
      this.attachButton.addEventListener("click", () => this.fileInput.click());
      this.input = el("textarea", {
        class: "tandem-input",
        rows: "1",
        maxlength: "4000",
        dir: "auto",
        "data-i18n-aria": "widget.placeholder",
        "data-i18n-placeholder": "widget.placeholder",
      });
      this.input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      });
      this.input.addEventListener("input", () => this.autosize());
      this.sendButton = el("button", { type: "submit", class: "tandem-icon-button tandem-send", "data-i18n-aria": "widget.send" }, [
        icon(ICONS.send, 20),
      ]);
      this.form = el("form", { class: "tandem-composer" }, [this.attachButton, this.fileInput, this.input, this.sendButton]);
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.submit();
      });

      this.panel = el(
        "section",
        { id: "tandem-panel", class: "tandem-panel", role: "dialog", "aria-labelledby": "tandem-title", hidden: true },
        [header, this.log, this.status, this.quick, this.form],
      );
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          this.close();
        }
      });

      this.root.append(this.panel, this.launcher);
      shadow.append(style, this.root);
      (document.body || document.documentElement).append(this.host);
      // Job lines, typing and quick replies change the log's height: keep the newest message in view.
      this.atBottom = true;
      this.log.addEventListener("scroll", () => {
        this.atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 48;
      });
      if (window.ResizeObserver) {
        new ResizeObserver(() => this.atBottom && this.scrollDown()).observe(this.log);
      }
      this.showQuickReplies(["quick.order_status", "quick.returns", "quick.human"].map((key) => ({ key })));
    }

    autosize() {
      this.input.style.height = "auto";
      this.input.style.height = Math.min(this.input.scrollHeight, 140) + "px";
    }

    isOpen() {
      return !this.panel.hidden;
    }

    open(focus = true) {
      this.panel.hidden = false;
      this.launcher.setAttribute("aria-expanded", "true");
      this.root.classList.add("tandem-open");
      this.badge.hidden = true;
      store.write({ open: true });
      this.scrollDown();
      if (focus) this.input.focus();
    }

    close() {
      this.panel.hidden = true;
      this.launcher.setAttribute("aria-expanded", "false");
      this.root.classList.remove("tandem-open");
      store.write({ open: false });
      this.launcher.focus();
    }

    scrollDown() {
      this.atBottom = true;
      this.log.scrollTo({ top: this.log.scrollHeight, behavior: "instant" });
    }

    // ---- language ----

    t(key, params) {
      const text = this.strings[key] || key;
      return params ? format(text, params) : text;
    }

    async setLanguage(language) {
      const code = pickLanguage(language);
      if (code !== language && language !== undefined) return; // "other" or unknown: keep the current one
      if (code === this.appliedLanguage) return;
      this.appliedLanguage = code;
      this.language = code;
      this.root.setAttribute("lang", code);
      this.root.setAttribute("dir", RTL.has(code) ? "rtl" : "ltr");
      this.panel.setAttribute("lang", code);
      this.panel.setAttribute("dir", RTL.has(code) ? "rtl" : "ltr");
      store.write({ language: code });
      const strings = await this.loadStrings(code);
      if (strings && this.language === code) {
        this.strings = strings;
        this.applyStrings();
      }
    }

    async loadStrings(code) {
      if (!this.stringCache.has(code)) {
        const request = fetch(`${API}/api/v1/i18n/${code}`)
          .then((response) => (response.ok ? response.json() : Promise.reject(new HttpError(response.status))))
          .then((body) => body.messages || {})
          .catch(() => {
            this.stringCache.delete(code);
            return null;
          });
        this.stringCache.set(code, request);
      }
      return this.stringCache.get(code);
    }

    applyStrings() {
      for (const node of this.shadow.querySelectorAll("[data-i18n]")) {
        node.textContent = this.t(node.dataset.i18n, node.dataset.i18nParams ? JSON.parse(node.dataset.i18nParams) : null);
      }
      for (const node of this.shadow.querySelectorAll("[data-i18n-aria]")) {
        node.setAttribute("aria-label", this.t(node.dataset.i18nAria));
      }
      for (const node of this.shadow.querySelectorAll("[data-i18n-placeholder]")) {
        node.setAttribute("placeholder", this.t(node.dataset.i18nPlaceholder));
      }
      this.launcher.setAttribute("title", this.t("widget.open"));
      this.relabelJobs();
    }

    // ---- rendering ----

    label(key, params) {
      const node = el("span", { "data-i18n": key, text: this.t(key, params) });
      if (params) node.dataset.i18nParams = JSON.stringify(params);
      return node;
    }

    linkify(container, text) {
      // Bot and agent texts may hold links (an invoice); make http(s) URLs clickable, all as text nodes.
      const pattern = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;
      let last = 0;
      for (const match of text.matchAll(pattern)) {
        container.append(document.createTextNode(text.slice(last, match.index)));
        const href = isSafeUrl(match[0]);
        container.append(
          href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: match[0] }) : document.createTextNode(match[0]),
        );
        last = match.index + match[0].length;
      }
      container.append(document.createTextNode(text.slice(last)));
    }

    renderMessage({ role, text, citations = [], messageId = null, provisional = false }) {
      const kind = role === "customer" ? "customer" : role === "agent" ? "agent" : "bot";
      const node = el("div", { class: `tandem-msg tandem-msg--${kind}`, "data-role": kind });
      if (messageId !== null) node.dataset.messageId = String(messageId);
      if (provisional) node.classList.add("tandem-msg--provisional");
      const who = el("div", { class: "tandem-who" });
      if (kind === "agent") {
        who.append(icon(ICONS.person, 14), this.label("widget.agent_name"));
      } else if (kind === "bot") {
        who.append(this.label("widget.bot_name"));
      } else {
        who.classList.add("tandem-sr-only");
        who.append(this.label("widget.you"));
      }
      const previous = this.log.lastElementChild;
      if (kind !== "customer" && previous && previous.dataset.role === kind) who.classList.add("tandem-sr-only");
      const bubble = el("div", { class: "tandem-bubble", dir: "auto" });
      if (kind === "customer") bubble.textContent = text;
      else this.linkify(bubble, text);
      node.append(who, bubble);
      if (citations.length) node.append(this.renderSources(citations));
      this.log.append(node);
      this.scrollDown();
      if (kind !== "customer" && !this.isOpen()) this.badge.hidden = false;
      return node;
    }

    renderSources(citations) {
      const list = el("ul");
      const done = new Set();
      for (const citation of citations) {
        const title = String(citation.title || citation.source || "").trim();
        const source = String(citation.source || "");
        if (!title || done.has(title + source)) continue;
        done.add(title + source);
        // Only web addresses become links; a help-centre file path is shown as its title alone.
        const href = /^https?:\/\//i.test(source) ? isSafeUrl(source) : null;
        const item = href
          ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: title, dir: "auto" })
          : el("span", { text: title, dir: "auto" });
        list.append(el("li", {}, [item]));
      }
      return el("div", { class: "tandem-sources" }, [el("span", { class: "tandem-sources-label" }, [this.label("widget.sources")]), list]);
    }

    note(key, params, kind = "info") {
      const node = el("div", { class: `tandem-note tandem-note--${kind}`, "data-role": "note" }, [this.label(key, params)]);
      if (kind === "error") node.setAttribute("role", "alert");
      this.log.append(node);
      this.scrollDown();
      return node;
    }

    showQuickReplies(replies) {
      this.quick.replaceChildren();
      for (const reply of replies) {
        const button = el("button", { type: "button", class: "tandem-chip", dir: "auto" });
        if (reply.key) {
          button.dataset.i18n = reply.key;
          button.textContent = this.t(reply.key);
        } else {
          button.textContent = reply.text;
        }
        button.addEventListener("click", () => {
          this.send(button.textContent);
          this.input.focus();
        });
        this.quick.append(button);
      }
      this.quick.hidden = replies.length === 0;
    }

    updateTyping() {
      const busy = this.inflight > 0 || this.expected.length > 0 || Date.now() < this.typingUntil;
      this.typing.hidden = !busy;
      if (busy && Date.now() < this.typingUntil) {
        clearTimeout(this.typingTimer);
        this.typingTimer = setTimeout(() => this.updateTyping(), this.typingUntil - Date.now() + 50);
      }
    }

    showJob(job) {
      if (!job || !job.id) return;
      const active = ACTIVE_JOB.has(job.status);
      let line = this.jobs.get(job.id);
      if (!active) {
        if (line) line.remove();
        this.jobs.delete(job.id);
        return;
      }
      const labelKey = JOB_KINDS.has(job.kind) ? `widget.job.${job.kind}` : "widget.job.other";
      if (!line) {
        line = el("div", { class: "tandem-job", "data-job-id": job.id, "data-job-kind": job.kind });
        this.jobs.set(job.id, line);
        this.jobList.append(line);
      }
      line.dataset.status = job.status;
      // The job line is a sentence of two keys, relabelled when the language changes.
      const name = el("span", { "data-i18n": "widget.job_running" });
      name.dataset.i18nParams = JSON.stringify({ job: this.t(labelKey) });
      name.textContent = this.t("widget.job_running", { job: this.t(labelKey) });
      line.replaceChildren(name, el("span", { class: "tandem-progress", "aria-hidden": "true" }));
      line.dataset.labelKey = labelKey;
    }

    relabelJobs() {
      for (const [, line] of this.jobs) {
        const span = line.firstElementChild;
        if (!span) continue;
        const params = { job: this.t(line.dataset.labelKey || "widget.job.other") };
        span.dataset.i18nParams = JSON.stringify(params);
        span.textContent = this.t("widget.job_running", params);
      }
    }

    showNotice(key) {
      if (!key) {
        this.notice.hidden = true;
        this.notice.replaceChildren();
        return;
      }
      this.notice.replaceChildren(this.label(key));
      this.notice.hidden = false;
    }

    // ---- incoming messages: one rendering per message id ----

    receiveMessage(message) {
      const id = message.message_id;
      if (id !== undefined && id !== null && this.seen.has(id)) return;
      if (id !== undefined && id !== null) this.seen.add(id);
      const role = message.role || "bot";
      const text = String(message.text || "");
      if (role !== "customer" && message.language) this.setLanguage(message.language);
      const match = this.pending.findIndex((p) => p.role === (role === "customer" ? "customer" : "bot") && p.text === text);
      if (match >= 0) {
        // A message we already show (typed here, or a fallback from the POST answer): give it its id.
        const [entry] = this.pending.splice(match, 1);
        if (id !== undefined && id !== null) entry.node.dataset.messageId = String(id);
        entry.node.classList.remove("tandem-msg--provisional");
      } else {
        this.renderMessage({ role, text, citations: message.citations || [], messageId: id ?? null });
      }
      if (role !== "customer") {
        const waiting = this.expected.findIndex((e) => e.text === text);
        if (waiting >= 0) this.expected.splice(waiting, 1);
        else if (match < 0 && this.inflight > 0) this.unclaimed.push(text);
        this.showQuickReplies((message.quick_replies || []).map((text) => ({ text })));
        this.typingUntil = 0;
        this.updateTyping();
      }
    }

    // ---- live stream ----

    connect() {
      if (!this.conversationId || this.source) return;
      const params = new URLSearchParams({ after: String(this.lastEventId) });
      if (TOKEN) params.set("token", TOKEN);
      const source = new EventSource(`${API}/api/v1/conversations/${encodeURIComponent(this.conversationId)}/events?${params}`);
      this.source = source;
      const track = (event) => {
        const id = Number(event.lastEventId);
        if (id > this.lastEventId) {
          this.lastEventId = id;
          store.write({ last: id });
        }
      };
      const parse = (event) => {
        try {
          return JSON.parse(event.data);
        } catch {
          return null;
        }
      };
      source.addEventListener("open", () => {
        this.streamOpen = true;
        this.reconnectDelay = 1000;
        clearTimeout(this.offlineTimer);
        this.offlineTimer = null;
        this.showNotice(null);
      });
      source.addEventListener("message", (event) => {
        track(event);
        const message = parse(event);
        if (message) this.receiveMessage(message);
      });
      source.addEventListener("job", (event) => {
        track(event);
        const job = parse(event);
        if (job) this.showJob(job);
      });
      source.addEventListener("typing", () => {
        this.typingUntil = Date.now() + TYPING_EVENT_MS;
        this.updateTyping();
      });
      source.addEventListener("error", () => {
        this.streamOpen = false;
        if (!this.offlineTimer) {
          this.offlineTimer = setTimeout(() => {
            if (!this.streamOpen) this.showNotice("widget.offline");
          }, OFFLINE_NOTICE_MS);
        }
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (an error status): reconnect ourselves from the last event.
          this.source = null;
          const delay = this.reconnectDelay;
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30000);
          setTimeout(() => this.connect(), delay);
        }
      });
    }

    disconnect() {
      if (this.source) this.source.close();
      this.source = null;
      this.streamOpen = false;
    }

    // ---- REST ----

    headers(json = true) {
      const headers = {};
      if (json) headers["Content-Type"] = "application/json";
      if (TOKEN && this.signedIn !== false) headers["X-Customer-Token"] = TOKEN;
      return headers;
    }

    async request(path, options = {}) {
      const response = await fetch(API + path, options);
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (!response.ok) throw new HttpError(response.status, body);
      return body;
    }

    async ensureConversation() {
      if (this.conversationId) return this.conversationId;
      if (!this.creating) {
        this.creating = (async () => {
          const open = (token) =>
            this.request("/api/v1/conversations", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ channel: "web", locale: this.language, customer_token: token }),
            });
          let created;
          try {
            created = await open(TOKEN);
            this.signedIn = Boolean(TOKEN);
          } catch (error) {
            if (!(error instanceof HttpError && error.status === 401 && TOKEN)) throw error;
            console.warn("Tandem widget: the customer token was not accepted; chatting as a guest.");
            created = await open(null);
            this.signedIn = false;
          }
          this.conversationId = created.id;
          this.lastEventId = 0;
          this.seen.clear();
          store.write({ id: created.id, last: 0, signedIn: this.signedIn });
          this.connect();
          return created.id;
        })().finally(() => (this.creating = null));
      }
      return this.creating;
    }

    async resume() {
      const saved = store.read();
      this.signedIn = saved.signedIn !== false;
      let transcript;
      try {
        transcript = await this.request(`/api/v1/conversations/${encodeURIComponent(this.conversationId)}`, {
          headers: this.headers(false),
        });
      } catch (error) {
        if (error instanceof HttpError && (error.status === 404 || error.status === 401)) {
          store.clear();
          this.conversationId = null;
          this.lastEventId = 0;
          store.write({ language: this.language });
          return;
        }
        this.connect(); // offline for now: the stream will catch up
        return;
      }
      for (const message of transcript.messages || []) {
        this.receiveMessage({ ...message, message_id: message.id });
      }
      const messages = transcript.messages || [];
      if (messages.length) {
        const last = messages[messages.length - 1];
        this.showQuickReplies(last.role !== "customer" ? (last.quick_replies || []).map((text) => ({ text })) : []);
      }
      if (transcript.language) this.setLanguage(transcript.language);
      for (const job of transcript.jobs || []) this.showJob(job);
      this.connect();
    }

    async postMessage(text, clientMessageId) {
      for (let attempt = 0; ; attempt++) {
        const conversationId = await this.ensureConversation();
        try {
          return await this.request(`/api/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
            method: "POST",
            headers: this.headers(),
            body: JSON.stringify({ text, client_message_id: clientMessageId }),
          });
        } catch (error) {
          const status = error instanceof HttpError ? error.status : 0;
          if (status === 404 && attempt === 0) {
            // The conversation is gone (another database, expired): start a new one.
            this.disconnect();
            this.conversationId = null;
            store.write({ id: null, last: 0 });
            continue;
          }
          const retriable = status === 0 || status === 429 || status >= 500;
          if (!retriable || attempt >= RETRY_DELAYS_MS.length) throw error;
          await sleep(RETRY_DELAYS_MS[attempt]); // the same client_message_id: the API answers once
        }
      }
    }

    submit() {
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.autosize();
      this.send(text);
    }

    send(rawText, clientMessageId = randomId(), existingNode = null) {
      const text = String(rawText).trim().slice(0, 4000);
      if (!text) return;
      const node = existingNode || this.renderMessage({ role: "customer", text, provisional: true });
      node.classList.remove("tandem-msg--failed");
      node.querySelector(".tandem-failed")?.remove();
      const entry = { role: "customer", text, node };
      this.pending.push(entry);
      this.showQuickReplies([]);
      this.inflight++;
      this.updateTyping();
      this.sendQueue = this.sendQueue.then(async () => {
        this.unclaimed = [];
        try {
          const result = await this.postMessage(text, clientMessageId);
          this.handleTurn(result);
        } catch (error) {
          console.warn("Tandem widget: message not sent", error);
          const at = this.pending.indexOf(entry);
          if (at >= 0) this.pending.splice(at, 1);
          this.markFailed(node, text, clientMessageId);
        } finally {
          this.inflight--;
          this.updateTyping();
        }
      });
      return this.sendQueue;
    }

    markFailed(node, text, clientMessageId) {
      node.classList.add("tandem-msg--failed");
      const retry = el("button", { type: "button", class: "tandem-retry" }, [this.label("widget.retry")]);
      retry.addEventListener("click", () => this.send(text, clientMessageId, node));
      node.append(el("div", { class: "tandem-failed", role: "alert" }, [this.label("widget.not_sent"), document.createTextNode(" "), retry]));
    }

    handleTurn(result) {
      if (!result) return;
      if (result.language) this.setLanguage(result.language);
      for (const job of result.jobs || []) this.showJob(job);
      const replies = (result.messages || []).map((m) => ({ ...m, text: String(m.text || "") }));
      const batch = replies.filter((reply) => {
        // The stream may have shown a reply before the POST answered.
        const at = this.unclaimed.indexOf(reply.text);
        if (at >= 0) this.unclaimed.splice(at, 1);
        return at < 0;
      });
      this.expected.push(...batch);
      const fallback = () => {
        // The stream did not bring these replies (not connected, or slow): show them from the answer.
        for (const reply of batch) {
          const at = this.expected.indexOf(reply);
          if (at < 0) continue;
          this.expected.splice(at, 1);
          const node = this.renderMessage({ role: reply.role, text: reply.text, citations: reply.citations || [], provisional: true });
          this.pending.push({ role: "bot", text: reply.text, node });
          this.showQuickReplies((reply.quick_replies || []).map((text) => ({ text })));
        }
        this.updateTyping();
      };
      if (this.streamOpen) setTimeout(fallback, FALLBACK_AFTER_MS);
      else fallback();
    }

    async upload(file) {
      if (file.size > MAX_UPLOAD_MB * 1024 * 1024) {
        this.note("widget.attach_too_large", { size: MAX_UPLOAD_MB }, "error");
        return;
      }
      const progress = this.note("widget.uploading", { name: file.name });
      this.inflight++;
      this.updateTyping();
      try {
        const conversationId = await this.ensureConversation();
        const form = new FormData();
        form.append("file", file, file.name);
        form.append("client_message_id", randomId());
        const result = await this.request(`/api/v1/conversations/${encodeURIComponent(conversationId)}/attachments`, {
          method: "POST",
          headers: this.headers(false),
          body: form,
        });
        progress.remove();
        this.note("widget.attached", { name: file.name });
        if (result && Array.isArray(result.messages)) this.handleTurn(result);
      } catch (error) {
        console.warn("Tandem widget: upload failed", error);
        progress.remove();
        this.note("widget.attach_failed", null, "error");
      } finally {
        this.inflight--;
        this.updateTyping();
      }
    }
  }

  const start = () => {
    const widget = new Widget();
    window.TandemWidget = {
      open: () => widget.open(),
      close: () => widget.close(),
      send: (text) => widget.send(text),
      get conversationId() {
        return widget.conversationId;
      },
      get language() {
        return widget.language;
      },
    };
  };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
