// mailtemplates preview: live reload (Server-Sent Events) and the email page.
// No framework, no build step: the server serves this file as is.
"use strict";

(function () {
  const body = document.body;
  const $ = (sel) => document.querySelector(sel);
  const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-millisecond
  const store = {
    get(key, dflt) {
      try { const v = localStorage.getItem("mt-preview." + key); return v === null ? dflt : v; } catch (e) { return dflt; }
    },
    set(key, value) { try { localStorage.setItem("mt-preview." + key, value); } catch (e) { /* private mode */ } },
  };

  function postJSON(url, data) {
    const headers = { "Content-Type": "application/json" };
    if (body.dataset.token) headers["X-Preview-Token"] = body.dataset.token; // sending needs it
    return fetch(url, { method: "POST", headers: headers, body: JSON.stringify(data) });
  }

  // Tell the server when a reload arrived and when the page showed it (for /__timing).
  function report(seq, received, updated) {
    if (received == null) return;
    postJSON("/__timing", { seq: seq, received: received, updated: updated }).catch(() => {});
  }

  // -- live reload --------------------------------------------------------------------------------
  function connect(onReload) {
    const live = $("#live");
    const es = new EventSource("/events");
    es.addEventListener("hello", (e) => {
      live.classList.add("on");
      live.title = "live reload connected";
      const d = JSON.parse(e.data);
      // Missed saves while disconnected (or a restarted server): catch up.
      if (String(d.seq) !== body.dataset.seq) onReload({ seq: d.seq }, null);
    });
    es.addEventListener("reload", (e) => {
      const received = now();
      onReload(JSON.parse(e.data), received);
    });
    es.onerror = () => {
      live.classList.remove("on");
      live.title = "live reload disconnected (retrying)";
    };
  }

  // -- index --------------------------------------------------------------------------------------
  function indexPage() {
    connect(async (ev, received) => {
      const res = await fetch("/?partial=main");
      if (!res.ok) return;
      $("#main").innerHTML = await res.text();
      body.dataset.seq = String(ev.seq);
      report(ev.seq, received, now());
    });
  }

  // -- email page ---------------------------------------------------------------------------------
  function emailPage() {
    const state = {
      name: body.dataset.name,
      locale: body.dataset.locale,
      width: store.get("width", "desktop"),
      dark: store.get("dark", "0") === "1",
      tab: store.get("tab", "html"),
      edited: null, // the context as edited in the page, or null for the server's
      data: null,
      req: 0,
    };
    const frame = $("#frame");
    const device = $("#device");
    const ctx = $("#ctx");
    const ctxStatus = $("#ctx-status");

    // Markup at the start of the email's <head>: after <head>, else after the doctype (text
    // before it would switch the email to quirks mode), else first.
    function inject(html, markup) {
      for (const re of [/<head(\s[^>]*)?>/i, /<!doctype[^>]*>/i]) {
        const m = re.exec(html);
        if (m) return html.slice(0, m.index + m[0].length) + markup + html.slice(m.index + m[0].length);
      }
      return markup + html;
    }

    // The email document's own policy (the frame's sandbox already forbids scripts; this also
    // holds if the frame were ever opened on its own): no script, plugin, form post or <base>.
    const EMAIL_CSP = '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'; ' +
      'object-src \'none\'; base-uri \'none\'; form-action \'none\'">';

    function darkify(html) {
      // What a client that honours prefers-color-scheme (Apple Mail, iOS) shows in dark mode.
      html = html
        .replace(/\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, "(min-width:0)")
        .replace(/\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, "(max-width:0)");
      return inject(html, "<style>:root{color-scheme:dark}</style>");
    }

    function fitFrame() {
      try {
        const doc = frame.contentDocument;
        if (!doc || !doc.documentElement) return;
        // Collapse to measure (a frame's document is never shorter than the frame), then restore
        // the page's scroll position, which the collapse may have clamped: a reload keeps its place.
        const x = window.scrollX, y = window.scrollY;
        frame.style.height = "0px";
        frame.style.height = Math.max(doc.documentElement.scrollHeight, 200) + "px";
        window.scrollTo(x, y);
        // An email wider than the frame scrolls sideways on a phone (or the client shrinks it).
        const wide = doc.documentElement.scrollWidth;
        const note = $("#overflow");
        note.hidden = wide <= frame.clientWidth;
        note.textContent = note.hidden ? "" : "This email is " + wide + "px wide: at " + frame.clientWidth +
          "px it scrolls sideways, or the mail client shrinks it to fit.";
      } catch (e) { /* not same-origin: keep the CSS height */ }
    }

    frame.addEventListener("load", () => {
      fitFrame();
      try {
        // Links open in a new tab: the frame may not navigate (and must not run scripts).
        frame.contentDocument.addEventListener("click", (e) => {
          const a = e.target.closest && e.target.closest("a[href]");
          if (!a) return;
          e.preventDefault();
          // Only web and mail links: a javascript: URL must not run anywhere.
          if (/^(https?|mailto):/i.test(a.href)) window.open(a.href, "_blank", "noopener,noreferrer");
        });
      } catch (e) { /* ignore */ }
    });

    function setFrame(html) {
      return new Promise((resolve) => {
        const done = () => { frame.removeEventListener("load", done); resolve(); };
        frame.addEventListener("load", done);
        setTimeout(done, 2000);
        frame.srcdoc = inject(state.dark ? darkify(html) : html, EMAIL_CSP);
      });
    }

    function applyView() {
      device.classList.toggle("mobile", state.width === "mobile");
      device.classList.toggle("dark", state.dark);
      document.querySelectorAll("[data-width]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.width === state.width)));
      $("#dark").checked = state.dark;
      const tabs = Array.from(document.querySelectorAll("[data-tab]"));
      if (!tabs.some((b) => b.dataset.tab === state.tab)) state.tab = "html";
      tabs.forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === state.tab)));
      document.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== state.tab; });
      body.dataset.width = state.width;
      body.dataset.dark = state.dark ? "1" : "0";
    }

    function el(tag, cls, text) {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text != null) e.textContent = text;
      return e;
    }

    const LABELS = { subject: "Subject", body: "HTML", plaintext: "Text", sms: "SMS" };

    function showFiles(files) {
      const table = $("#files");
      table.replaceChildren();
      for (const [part, info] of Object.entries(files)) {
        const tr = el("tr");
        tr.append(el("th", null, LABELS[part] || part));
        const td = el("td");
        const origin = info.origin || "missing";
        td.append(el("span", "badge " + origin, origin === "builtin" ? "built-in" : origin));
        if (info.fallback) td.append(el("span", "badge fallback", "fallback"));
        td.append(el("code", "path", info.display));
        if (info.note) td.append(el("div", "hint", info.note));
        tr.append(td);
        table.append(tr);
      }
    }

    function showError(err) {
      const box = $("#error");
      box.replaceChildren();
      const head = el("div", "error-head");
      head.append(el("strong", null, err.kind || "Error"));
      if (err.display) {
        let where = err.display;
        if (err.line) where += ", line " + err.line;
        if (err.col) where += ", column " + err.col;
        head.append(el("span", "where", where));
      }
      box.append(head);
      box.append(el("p", "error-msg", err.short || err.message));
      if (err.snippet && err.snippet.length) {
        const pre = el("pre", "snippet");
        for (const ln of err.snippet) {
          const row = el("span", ln.here ? "ln here" : "ln");
          row.append(el("span", "n", String(ln.n)));
          row.append(document.createTextNode(ln.text));
          pre.append(row);
          if (ln.here && err.col) {
            const caret = el("span", "ln caret");
            caret.append(el("span", "n", ""));
            caret.append(document.createTextNode(" ".repeat(Math.max(0, err.col - 1)) + "^"));
            pre.append(caret);
          }
        }
        box.append(pre);
      } else if (err.source_line) {
        box.append(el("pre", "snippet", err.source_line));
      }
      box.append(el("p", "hint", "Fix the file and save: this page updates by itself."));
      box.hidden = false;
      body.dataset.state = "error";
      $("#stage").classList.add("stale");
    }

    function downloadHref() {
      let href = "/eml/" + state.name + "?locale=" + encodeURIComponent(state.locale);
      if (state.edited) href += "&ctx=" + encodeURIComponent(JSON.stringify(state.edited));
      return href;
    }

    async function apply(data) {
      state.data = data;
      body.dataset.seq = String(data.seq);
      showFiles(data.files);
      if (state.edited === null) {
        ctx.value = JSON.stringify(data.context, null, 2);
        ctx.classList.remove("invalid");
      }
      $("#ctx-source").textContent = "Context: " + data.context_source;
      if (state.edited !== null) {
        ctxStatus.textContent = "edited here, not saved to a file";
        ctxStatus.classList.remove("bad");
      } else {
        ctxStatus.textContent = data.context_error || "";
        ctxStatus.classList.toggle("bad", !!data.context_error);
      }
      const select = $("#locale");
      const have = Array.from(select.options).map((o) => o.value).join(",");
      if (data.locales && data.locales.join(",") !== have && data.locales.includes(state.locale)) {
        select.replaceChildren(...data.locales.map((l) => { const o = el("option", null, l); o.value = l; return o; }));
        select.value = state.locale;
      }
      if (!data.ok) {
        showError(data.error);
        return;
      }
      $("#error").hidden = true;
      body.dataset.state = "ok";
      $("#stage").classList.remove("stale");
      $("#subject").textContent = data.subject;
      $("#addr-from").textContent = data.from;
      $("#addr-to").textContent = data.to;
      $("#rendered").textContent = data.rendered_locale !== data.locale ? "(rendered in " + data.rendered_locale + ")" : "";
      $("#text").textContent = data.text;
      $("#source").textContent = data.html == null ? "(no HTML part)" : data.html;
      $("#mime").textContent = data.mime != null ? data.mime : data.mime_error;
      $("#download").href = downloadHref();
      $("#download").setAttribute("download", state.name.replace("/", "_") + "." + (data.rendered_locale || state.locale) + ".eml");
      const sms = $("#sms");
      if (sms) sms.textContent = data.sms != null ? data.sms : (data.sms_error || "");
      await setFrame(data.html == null ? "<pre>" + data.text.replace(/[&<]/g, (c) => (c === "&" ? "&amp;" : "&lt;")) + "</pre>" : data.html);
    }

    async function refresh() {
      const id = ++state.req;
      const url = "/api/render/" + state.name + "?locale=" + encodeURIComponent(state.locale);
      let res;
      try {
        res = state.edited === null ? await fetch(url) : await postJSON(url, { context: state.edited });
      } catch (e) {
        return false; // server gone; the event stream reconnects and catches up
      }
      const data = await res.json();
      if (id !== state.req) return false; // a newer request is on its way
      if (!res.ok) {
        showError(data.error || { kind: "Error", message: res.statusText });
        return true;
      }
      await apply(data);
      return true;
    }

    // Controls.
    document.querySelectorAll("[data-width]").forEach((b) => b.addEventListener("click", () => {
      state.width = b.dataset.width;
      store.set("width", state.width);
      applyView();
    }));
    // The frame's width animates: measure again once it has settled.
    device.addEventListener("transitionend", fitFrame);
    $("#dark").addEventListener("change", (e) => {
      state.dark = e.target.checked;
      store.set("dark", state.dark ? "1" : "0");
      applyView();
      if (state.data && state.data.ok && state.data.html != null) setFrame(state.data.html);
    });
    document.querySelectorAll("[data-tab]").forEach((b) => b.addEventListener("click", () => {
      state.tab = b.dataset.tab;
      store.set("tab", state.tab);
      applyView();
      if (state.tab === "html") setTimeout(fitFrame, 0);
    }));
    $("#locale").addEventListener("change", (e) => {
      state.locale = e.target.value;
      history.replaceState(null, "", "?locale=" + encodeURIComponent(state.locale));
      refresh();
    });

    let typing = null;
    ctx.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        let value;
        try {
          value = JSON.parse(ctx.value);
        } catch (e) {
          ctx.classList.add("invalid");
          ctxStatus.textContent = "not valid JSON: " + e.message;
          ctxStatus.classList.add("bad");
          return;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          ctx.classList.add("invalid");
          ctxStatus.textContent = "the context must be a JSON object";
          ctxStatus.classList.add("bad");
          return;
        }
        ctx.classList.remove("invalid");
        ctxStatus.classList.remove("bad");
        ctxStatus.textContent = "edited here, not saved to a file";
        state.edited = value;
        refresh();
      }, 300);
    });
    $("#ctx-reset").addEventListener("click", () => {
      clearTimeout(typing);
      state.edited = null;
      refresh();
    });

    const form = $("#send-form");
    if (form) {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const out = $("#send-result");
        out.hidden = false;
        out.className = "result";
        out.textContent = "sending…";
        try {
          const res = await postJSON("/api/send", { name: state.name, locale: state.locale, context: state.edited, to: $("#send-to").value });
          const d = await res.json();
          if (d.ok) {
            out.classList.add("good");
            out.textContent = "Server answered: " + d.answer + "\n" + d.server + (d.tls ? ", " + d.tls : ", no TLS") + (d.auth ? ", AUTH " + d.auth : "");
          } else {
            out.classList.add("bad");
            out.textContent = (d.error && d.error.message) || "failed";
          }
        } catch (err) {
          out.classList.add("bad");
          out.textContent = String(err);
        }
      });
    }

    applyView();
    const initial = JSON.parse($("#initial").textContent);
    apply(initial);
    connect(async (ev, received) => {
      await refresh();
      report(ev.seq, received, now());
    });
  }

  if (body.dataset.page === "index") indexPage();
  else if (body.dataset.page === "email") emailPage();
})();
