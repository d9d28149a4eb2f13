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

  // -- syntax highlighting -------------------------------------------------------------------------
  // A small highlighter for what the page shows: HTML, and Go template actions inside it. It only
  // wraps runs of the text in <span class="tok-..."> (built with textContent, never innerHTML), so
  // the text a reader copies is the file's text, character for character.
  // The actions of a template, [start, end) pairs: an action runs to the first "}}" outside its
  // comments, strings and raw strings. One pass over the text; an action that never closes ends
  // the search (Go would not parse the file either), so a broken file costs no more than a good one.
  function findActions(text) {
    const out = [];
    let i = text.indexOf("{{");
    while (i >= 0) {
      let j = i + 2, end = -1;
      while (j < text.length) {
        const c = text[j];
        if (c === "}" && text[j + 1] === "}") { end = j + 2; break; }
        if (c === "/" && text[j + 1] === "*") { const k = text.indexOf("*/", j + 2); j = k < 0 ? text.length : k + 2; }
        else if (c === "`") { const k = text.indexOf("`", j + 1); j = k < 0 ? text.length : k + 1; }
        else if (c === '"' || c === "'") {
          let k = j + 1;
          while (k < text.length && text[k] !== c && text[k] !== "\n") k += text[k] === "\\" ? 2 : 1;
          j = k + 1;
        } else j++;
      }
      if (end < 0) break;
      out.push([i, end]);
      i = text.indexOf("{{", end);
    }
    return out;
  }
  const ACTION_TOKENS = new RegExp([
    String.raw`(\/\*[\s\S]*?\*\/)`, // 1 comment
    String.raw`("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + String.raw`|'(?:[^'\\]|\\.)*')`, // 2 string, raw string, char
    String.raw`(\$\w*)`, // 3 variable
    String.raw`((?:\.[A-Za-z_]\w*)+|\.)`, // 4 field chain or dot
    String.raw`\b(if|else|end|range|with|define|template|block|break|continue|nil|true|false|and|or|not)\b`, // 5 keyword
    String.raw`([+-]?(?:0[xXoObB][\w]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?i?))`, // 6 number
    String.raw`([A-Za-z_]\w*)`, // 7 function
  ].join("|"), "g");
  const ACTION_CLASSES = [null, "tok-comment", "tok-str", "tok-var", "tok-field", "tok-kw", "tok-num", "tok-fn"];

  function span(cls, text) {
    const e = document.createElement("span");
    e.className = cls;
    e.textContent = text;
    return e;
  }

  function highlightAction(text) {
    const out = span("tok-action", "");
    const m = /^(\{\{-?)([\s\S]*?)(-?\}\})$/.exec(text);
    out.append(span("tok-delim", m[1]));
    let last = 0;
    const inner = m[2];
    ACTION_TOKENS.lastIndex = 0;
    for (let t; (t = ACTION_TOKENS.exec(inner)); ) {
      const group = t.findIndex((g, i) => i > 0 && g !== undefined);
      out.append(inner.slice(last, t.index), span(ACTION_CLASSES[group], t[0]));
      last = t.index + t[0].length;
    }
    out.append(inner.slice(last), span("tok-delim", m[3]));
    return out;
  }

  // HTML outside actions, one segment at a time: `st` carries the state (in a tag, an attribute
  // value, a comment) from one segment to the next, as an action can sit in the middle of a tag.
  function highlightHtml(text, st, frag) {
    let i = 0;
    const n = text.length;
    const emit = (cls, to) => {
      if (to > i) frag.append(cls ? span(cls, text.slice(i, to)) : text.slice(i, to));
      i = to;
    };
    while (i < n) {
      if (st.mode === "comment") {
        const end = text.indexOf("-->", i);
        emit("tok-comment", end < 0 ? n : end + 3);
        if (end >= 0) st.mode = "text";
      } else if (st.mode === "value") {
        const end = text.indexOf(st.quote, i);
        emit("tok-val", end < 0 ? n : end + 1);
        if (end >= 0) st.mode = "tag";
      } else if (st.mode === "tag") {
        const rest = text.slice(i);
        let m;
        if ((m = /^\s+/.exec(rest))) emit(null, i + m[0].length);
        else if ((m = /^\/?>/.exec(rest))) { emit("tok-tag", i + m[0].length); st.mode = "text"; }
        else if ((m = /^=\s*/.exec(rest))) emit(null, i + m[0].length);
        else if (rest[0] === '"' || rest[0] === "'") { st.mode = "value"; st.quote = rest[0]; emit("tok-val", i + 1); }
        else { m = /^[^\s=>"']+/.exec(rest); emit("tok-attr", i + (m ? m[0].length : 1)); }
      } else {
        const re = /<!--|<\/?[A-Za-z][\w:-]*|<!doctype[^>]*>/gi;
        re.lastIndex = i;
        const m = re.exec(text);
        if (!m) { emit(null, n); break; }
        emit(null, m.index);
        if (m[0] === "<!--") { st.mode = "comment"; emit("tok-comment", i + 4); }
        else if (m[0][1] === "!") emit("tok-doctype", i + m[0].length);
        else { emit("tok-tag", i + m[0].length); st.mode = "tag"; }
      }
    }
  }

  function highlight(text, actions) {
    const frag = document.createDocumentFragment();
    const st = { mode: "text", quote: "" };
    let last = 0;
    if (actions) {
      for (const [a, b] of findActions(text)) {
        highlightHtml(text.slice(last, a), st, frag);
        frag.append(highlightAction(text.slice(a, b)));
        last = b;
      }
    }
    highlightHtml(text.slice(last), st, frag);
    return frag;
  }

  // -- copy buttons -------------------------------------------------------------------------------
  async function copyText(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // No clipboard API (a plain-http address other than localhost is not a secure context).
      const ta = document.createElement("textarea");
      ta.value = text;
      document.body.append(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    const label = button.textContent;
    button.textContent = "Copied";
    button.classList.add("done");
    setTimeout(() => { button.textContent = label; button.classList.remove("done"); }, 1200);
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
      scheme: store.get("scheme", "light"), // light | dark | forced
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

    // What the email says about dark mode: @media (prefers-color-scheme: dark) rules, and
    // whether it declares dark support (color-scheme / supported-color-schemes, meta or CSS).
    function darkSupport(html) {
      const media = /prefers-color-scheme\s*:\s*dark/i.test(html);
      const meta = /<meta\b[^>]*name\s*=\s*["']?(?:color-scheme|supported-color-schemes)["']?[^>]*>/gi;
      const declared = (html.match(meta) || []).some((m) => /content\s*=\s*["'][^"']*\bdark\b/i.test(m)) ||
        /(?:^|[;{\s"'])(?:supported-)?color-scheme\s*:\s*[^;}"']*\bdark\b/i.test(html);
      return { media: media, declared: declared };
    }

    // Dark as a client that honours the reader's setting shows it (Apple Mail, iOS Mail): the
    // email's prefers-color-scheme: dark rules apply (an iframe cannot be given its own media
    // emulation, so the queries are rewritten to always / never match), and the default canvas
    // turns dark only if the email declares dark support, as a browser does.
    function darkify(html, support) {
      if (support.media) {
        html = html
          .replace(/\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, "(min-width:0)")
          .replace(/\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, "(max-width:0)");
      }
      return support.declared ? inject(html, "<style>:root{color-scheme:dark}</style>") : html;
    }

    // Forced dark (the Gmail and Outlook apps recolour emails by themselves): every text, border
    // and background colour gets its lightness inverted, hue and saturation kept; images are left
    // as they are. (A CSS invert + hue-rotate filter with images inverted back cannot give the
    // images back: the filter clamps saturated colours on the way.)
    function parseColor(value) {
      const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value);
      if (!m) return null;
      let a = m[4] === undefined ? 1 : parseFloat(m[4]);
      if (m[4] && m[4].endsWith("%")) a /= 100;
      return [+m[1] / 255, +m[2] / 255, +m[3] / 255, a];
    }

    function invertLightness(value) {
      const c = parseColor(value);
      if (!c || c[3] === 0) return null;
      const [r, g, b, a] = c;
      // HSL lightness l = (max + min) / 2 mirrored to 1 - l, same hue and saturation: the chroma
      // (max - min) is unchanged, so every channel moves by the same amount.
      const shift = 1 - Math.max(r, g, b) - Math.min(r, g, b);
      const out = [r, g, b].map((v) => Math.round(Math.min(1, Math.max(0, v + shift)) * 255));
      return a === 1 ? "rgb(" + out.join(", ") + ")" : "rgba(" + out.join(", ") + ", " + a + ")";
    }

    const RECOLOUR = ["color", "background-color", "border-top-color", "border-right-color",
      "border-bottom-color", "border-left-color", "outline-color", "text-decoration-color"];

    function forceDark(doc) {
      const els = Array.from(doc.querySelectorAll("*")).filter((e) => !(e instanceof doc.defaultView.SVGElement));
      // Read every colour first: writing a parent's colour changes what its children inherit.
      const plan = els.map((e) => {
        const cs = doc.defaultView.getComputedStyle(e);
        return RECOLOUR.map((p) => invertLightness(cs.getPropertyValue(p)));
      });
      els.forEach((e, i) => RECOLOUR.forEach((p, j) => {
        if (plan[i][j] !== null) e.style.setProperty(p, plan[i][j], "important");
      }));
      const root = doc.documentElement;
      const opaque = (e) => { const c = e && parseColor(doc.defaultView.getComputedStyle(e).backgroundColor); return c && c[3] > 0; };
      if (!opaque(root) && !opaque(doc.body)) root.style.setProperty("background-color", "rgb(0, 0, 0)", "important");
    }

    function schemeNote(support) {
      if (state.scheme === "dark") {
        if (!support.media && !support.declared) {
          return "This email declares no dark mode (no prefers-color-scheme styles, no color-scheme): " +
            "clients that follow the reader's setting show it as in Light, as here. Gmail and Outlook " +
            "apps recolour it themselves: see Forced dark.";
        }
        const parts = [];
        if (support.media) parts.push("its prefers-color-scheme: dark styles apply");
        if (support.declared) parts.push("it declares dark support, so the default background is dark");
        else parts.push("it declares no color-scheme, so the default background stays light");
        return "Dark, as Apple Mail and iOS Mail show it: " + parts.join("; ") + ".";
      }
      if (state.scheme === "forced") {
        return "Forced dark, an approximation of the Gmail and Outlook apps: every colour's lightness " +
          "inverted (hues kept), images as sent; the email's own dark styles are ignored.";
      }
      return "";
    }

    function frameHtml(html) {
      const support = darkSupport(html);
      const note = $("#scheme-note");
      note.textContent = schemeNote(support);
      note.hidden = note.textContent === "";
      device.classList.toggle("dark", state.scheme === "dark" && support.declared);
      body.dataset.darkSupport = support.media || support.declared ? "1" : "0";
      if (state.scheme === "dark") html = darkify(html, support);
      return inject(html, EMAIL_CSP);
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
      try {
        if (state.scheme === "forced" && frame.contentDocument) forceDark(frame.contentDocument);
      } catch (e) { /* not same-origin */ }
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
        frame.srcdoc = frameHtml(html);
      });
    }

    function applyView() {
      device.classList.toggle("mobile", state.width === "mobile");
      document.querySelectorAll("[data-width]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.width === state.width)));
      document.querySelectorAll("[data-scheme]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.scheme === state.scheme)));
      const tabs = Array.from(document.querySelectorAll("[data-tab]"));
      if (!tabs.some((b) => b.dataset.tab === state.tab)) state.tab = "html";
      tabs.forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === state.tab)));
      document.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== state.tab; });
      body.dataset.width = state.width;
      body.dataset.scheme = state.scheme;
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
        if (info.language) td.append(el("span", "badge lang", info.language));
        // A file by its path; a part without one (derived, missing) by what it is.
        td.append(info.path ? el("code", "path", info.display) : el("span", "what", info.display));
        if (info.note) td.append(el("div", "hint", info.note));
        if (info.twin) td.append(el("div", "hint bad", "also " + info.twin + " (not used)"));
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

    function emailHtml(data) {
      if (data.html != null) return data.html;
      return "<pre>" + data.text.replace(/[&<]/g, (c) => (c === "&" ? "&amp;" : "&lt;")) + "</pre>";
    }

    function showSources(sources) {
      const box = $("#template");
      box.replaceChildren();
      for (const src of sources || []) {
        const head = el("p", "tools");
        head.append(el("strong", null, src.label), document.createTextNode(" "), el("code", "path", src.display));
        const copy = el("button", "copy", "Copy");
        copy.type = "button";
        copy.addEventListener("click", () => copyText(src.text, copy));
        head.append(document.createTextNode(" "), copy);
        const pre = el("pre", "code");
        pre.dataset.part = src.part;
        pre.append(highlight(src.text, true));
        box.append(head, pre);
      }
    }

    async function apply(data) {
      state.data = data;
      body.dataset.seq = String(data.seq);
      showFiles(data.files);
      showSources(data.sources);
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
      const warnings = $("#warnings");
      warnings.replaceChildren(...(data.warnings || []).map((w) => el("p", null, w)));
      warnings.hidden = !(data.warnings && data.warnings.length);
      body.dataset.mixed = data.mixed ? "1" : "0";
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
      $("#source").replaceChildren(data.html == null ? "(no HTML part)" : highlight(data.html, false));
      $("#mime").textContent = data.mime != null ? data.mime : data.mime_error;
      $("#download").href = downloadHref();
      $("#download").setAttribute("download", state.name.replace("/", "_") + "." + (data.rendered_locale || state.locale) + ".eml");
      const sms = $("#sms");
      if (sms) sms.textContent = data.sms != null ? data.sms : (data.sms_error || "");
      await setFrame(emailHtml(data));
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
    document.querySelectorAll("[data-scheme]").forEach((b) => b.addEventListener("click", () => {
      state.scheme = b.dataset.scheme;
      store.set("scheme", state.scheme);
      applyView();
      if (state.data && state.data.ok) setFrame(emailHtml(state.data));
    }));
    document.querySelectorAll("[data-tab]").forEach((b) => b.addEventListener("click", () => {
      state.tab = b.dataset.tab;
      store.set("tab", state.tab);
      applyView();
      if (state.tab === "html") setTimeout(fitFrame, 0);
    }));
    $("#locale").addEventListener("change", (e) => switchLocale(e.target.value));

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
          const headers = {};
          for (const line of $("#send-headers").value.split("\n")) {
            if (!line.trim()) continue;
            const at = line.indexOf(":");
            if (at <= 0) throw new Error("a header line needs 'Name: value': " + line);
            headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
          }
          const res = await postJSON("/api/send", {
            name: state.name, locale: state.locale, context: state.edited, to: $("#send-to").value,
            local_name: $("#send-ehlo").value.trim(), headers: headers,
          });
          const d = await res.json();
          if (d.ok) {
            out.classList.add("good");
            out.textContent = "Server answered: " + d.answer + "\n" + d.server + (d.tls ? ", " + d.tls : ", no TLS") + (d.auth ? ", AUTH " + d.auth : "") + ", EHLO " + d.ehlo;
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

    // Copy buttons: the text of their panel as shown (the email's source, the MIME message).
    document.querySelectorAll("button.copy[data-copy]").forEach((b) => b.addEventListener("click", () => {
      copyText($("#" + b.dataset.copy).textContent, b);
    }));

    // Sidebar: another locale of this email switches in place; another email is a new page.
    function switchLocale(locale) {
      state.locale = locale;
      $("#locale").value = locale;
      history.replaceState(null, "", "?locale=" + encodeURIComponent(locale));
      document.querySelectorAll("#sidebar li.current .locs a").forEach((a) => {
        if (a.dataset.locale === locale) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      });
      refresh();
    }
    document.querySelectorAll("#sidebar li.current .locs a").forEach((a) => a.addEventListener("click", (e) => {
      e.preventDefault();
      switchLocale(a.dataset.locale);
    }));
    // Other emails open in the locale on screen when they have it.
    document.querySelectorAll("#sidebar li:not(.current) > a").forEach((a) => a.addEventListener("click", () => {
      const locs = Array.from(a.parentElement.querySelectorAll(".locs a")).map((x) => x.dataset.locale);
      if (locs.includes(state.locale)) a.href = a.pathname + "?locale=" + encodeURIComponent(state.locale);
    }));

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
