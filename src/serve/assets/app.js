// newsfind's web page: a client of the JSON API (/api/search, /api/doc/ID, /api/stats).
//
// Archive text is untrusted. It only ever enters the page as text nodes (append(string),
// textContent), never as markup; highlights come as byte ranges and become <mark>
// elements around text nodes; control characters are shown as visible symbols; links are
// built only from validated document ids, never from text. The URL carries the state
// (history.pushState), so searches can be shared and back/forward work.
"use strict";

const PAGE = 20;
const ID_RE = /^[at][0-9a-f]{16}$/;
const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
let inflight = null;

// ---------- state <-> URL ----------

function stateFromURL() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get("q") || "",
    since: p.get("since") || "",
    until: p.get("until") || "",
    on: p.get("on") || "",
    sources: p.getAll("source"),
    kind: p.get("kind") || "all",
    sort: p.get("sort") || "relevance",
    offset: Math.max(0, parseInt(p.get("offset") || "0", 10) || 0),
    doc: ID_RE.test(p.get("doc") || "") ? p.get("doc") : "",
  };
}

// The search part of a state as URL parameters (also the API's parameters).
function searchParams(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  if (s.on) p.set("on", s.on);
  if (s.since) p.set("since", s.since);
  if (s.until) p.set("until", s.until);
  for (const src of s.sources) p.append("source", src);
  if (s.kind !== "all") p.set("kind", s.kind);
  if (s.sort !== "relevance") p.set("sort", s.sort);
  if (s.offset) p.set("offset", String(s.offset));
  return p;
}

function urlOf(s) {
  const p = searchParams(s);
  if (s.doc) p.set("doc", s.doc);
  const query = p.toString();
  return query ? "?" + query : "/";
}

function go(s) {
  const url = urlOf(s);
  if (url !== location.pathname + location.search) history.pushState(null, "", url);
  render(s);
}

// ---------- text helpers ----------

// Control characters in caret notation (ESC is ^[, as `cat -v` shows it), other invisible
// controls and bidi overrides as U+FFFD: a title may hold ESC[2J or reverse its text.
function visible(text) {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return "^" + String.fromCharCode(code + 64);
    if (code === 0x7f) return "^?";
    return "\ufffd";
  });
}

// Appends `text` to `el` as text nodes, with <mark> around the byte ranges `ranges`.
function appendMarked(el, text, ranges) {
  const bytes = encoder.encode(text || "");
  const sorted = (Array.isArray(ranges) ? ranges : [])
    .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]))
    .sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [a, b] of sorted) {
    if (a < pos || b > bytes.length || a >= b) continue;
    if (a > pos) el.append(visible(decoder.decode(bytes.subarray(pos, a))));
    const mark = document.createElement("mark");
    mark.textContent = visible(decoder.decode(bytes.subarray(a, b)));
    el.append(mark);
    pos = b;
  }
  if (pos < bytes.length) el.append(visible(decoder.decode(bytes.subarray(pos))));
  return el;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === "string" ? visible(c) : c);
  return e;
}

const svgNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

const fmt = (n) => Number(n).toLocaleString("en-US");
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

// A link inside the page that navigates without a reload.
function link(state, ...children) {
  const a = el("a", { href: urlOf(state) }, ...children);
  a.addEventListener("click", (ev) => {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    go(state);
  });
  return a;
}

// ---------- API ----------

async function api(path) {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const headers = {};
  const token = sessionStorage.getItem("newsfind-token");
  if (token) headers["Authorization"] = "Bearer " + token;
  const res = await fetch(path, { headers, signal: inflight.signal });
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    body = { error: `the server answered ${res.status} without JSON` };
  }
  if (res.status === 401) $("token-form").hidden = false;
  if (!res.ok) throw new Error(body && body.error ? body.error : `HTTP ${res.status}`);
  return body;
}

function status(text, isError) {
  const s = $("status");
  s.textContent = visible(text);
  s.className = isError ? "error" : "";
  s.setAttribute("role", isError ? "alert" : "status");
}

// ---------- rendering ----------

function fillForm(s) {
  $("q").value = s.q;
  $("since").value = s.since;
  $("until").value = s.until;
  $("kind").value = s.kind;
  $("sort").value = s.sort;
  const chips = $("chips");
  chips.replaceChildren();
  const chip = (label, without) =>
    chips.append(el("button", { type: "button", class: "chip", title: "Remove this filter", onclick: () => go(without) }, label, " \u00d7"));
  if (s.on) chip(`in ${s.on}`, { ...s, on: "", offset: 0, doc: "" });
  for (const src of s.sources) chip(`source: ${src}`, { ...s, sources: s.sources.filter((x) => x !== src), offset: 0, doc: "" });
}

// `data-busy` on <body> is 1 while a view loads (tests wait for 0).
let renders = 0;
async function render(s) {
  const mine = ++renders;
  document.body.dataset.busy = "1";
  try {
    await view(s);
  } finally {
    if (mine === renders) document.body.dataset.busy = "0";
  }
}

function view(s) {
  fillForm(s);
  document.title = s.doc ? "newsfind: article" : s.q ? `newsfind: ${s.q}` : "newsfind";
  if (s.doc) return showDoc(s);
  $("doc").hidden = true;
  if (!s.q) return showAbout();
  return showSearch(s);
}

async function showAbout() {
  $("results").hidden = true;
  const about = $("about");
  about.hidden = false;
  status("");
  try {
    const st = await api("/api/stats");
    const span = st.first_date ? `, dated ${st.first_date} to ${st.last_date}` : "";
    about.replaceChildren(
      el("p", {}, `The index holds ${plural(st.articles, "article", "articles")} and ${plural(st.teasers, "teaser", "teasers")} from ${plural(st.sources, "source", "sources")}${span}.`),
      el("p", { class: "hint" }, "Type words to find articles holding all of them; \"a phrase\"; a OR b; -word to leave out; title:, body:, byline:, source: for one field; word* for prefixes; date:2024-11..2025-01.")
    );
  } catch (err) {
    if (err.name !== "AbortError") status(err.message, true);
  }
}

async function showSearch(s) {
  $("about").hidden = true;
  status("Searching\u2026");
  const p = searchParams(s);
  p.set("limit", String(PAGE));
  p.set("facets", "1");
  let r;
  try {
    r = await api("/api/search?" + p.toString());
  } catch (err) {
    if (err.name === "AbortError") return;
    $("results").hidden = true;
    status(err.message, true);
    return;
  }
  $("results").hidden = false;
  const first = r.hits.length ? r.offset + 1 : 0;
  const last = r.offset + r.hits.length;
  // Copies of one story are folded into its best hit: pages count stories.
  const listed = typeof r.stories === "number" ? r.stories : r.total;
  const inStories = listed < r.total ? ` in ${plural(listed, "story", "stories")}` : "";
  status(r.total === 0 ? "No match." : `${plural(r.total, "match", "matches")}${inStories}` + (listed > r.hits.length ? `, showing ${fmt(first)}\u2013${fmt(last)}` : ""));
  drawChart(s, r.facets);
  drawSources(s, r.facets);
  drawHits(s, r.hits);
  drawPager(s, listed);
}

// Months with matches (zero between them), or years when the span is long.
function periods(facets) {
  const months = (facets && facets.months) || [];
  if (!months.length) return [];
  const parse = (m) => m.month.split("-").map(Number);
  const [y0, m0] = parse(months[0]);
  const [y1, m1] = parse(months[months.length - 1]);
  const span = (y1 - y0) * 12 + (m1 - m0) + 1;
  const counts = new Map(months.map((m) => [m.month, m.count]));
  // Stories where copies of one story repeat it (null on a cluster, which has no story ids).
  const stories = new Map(months.map((m) => [m.month, m.stories]));
  const out = [];
  if (span <= 120) {
    for (let i = 0; i < span; i++) {
      const y = y0 + Math.floor((m0 - 1 + i) / 12);
      const m = ((m0 - 1 + i) % 12) + 1;
      const key = `${y}-${String(m).padStart(2, "0")}`;
      out.push({ key, count: counts.get(key) || 0, stories: stories.get(key) });
    }
  } else {
    const years = new Map();
    const yearStories = new Map();
    for (const m of months) {
      const y = m.month.slice(0, 4);
      years.set(y, (years.get(y) || 0) + m.count);
      // A month's stories are those that start in it: they add up.
      if (m.stories != null) yearStories.set(y, (yearStories.get(y) || 0) + m.stories);
    }
    for (let y = y0; y <= y1; y++) out.push({ key: String(y), count: years.get(String(y)) || 0, stories: yearStories.get(String(y)) });
  }
  return out;
}

function drawChart(s, facets) {
  const box = $("chart");
  box.replaceChildren();
  const data = periods(facets);
  if (!data.length) {
    box.append(el("p", { class: "hint" }, "No dated match."));
    return;
  }
  const W = 300, H = 120, top = 14, bottom = 18;
  const max = Math.max(...data.map((d) => d.count), 1);
  const step = W / data.length;
  const gap = step > 4 ? 1 : 0;
  // A few periods make wide columns: keep their bars slim.
  const barWidth = Math.min(Math.max(step - gap, 0.5), 24);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Matches per ${data[0].key.length > 4 ? "month" : "year"}, ${data[0].key} to ${data[data.length - 1].key}`, class: "chart" });
  chart.append(svg("line", { x1: 0, y1: H - bottom + 0.5, x2: W, y2: H - bottom + 0.5, class: "axis" }));
  data.forEach((d, i) => {
    const h = d.count ? Math.max(1.5, ((H - top - bottom) * d.count) / max) : 0;
    const g = svg("g", { class: "bar", tabindex: 0, role: "button", "aria-label": `${d.key}: ${d.count} matches` });
    // The whole column is the target, so thin bars stay clickable.
    g.append(svg("rect", { x: i * step, y: top, width: step, height: H - top - bottom, class: "hit-area" }));
    g.append(svg("rect", { x: i * step + (step - barWidth) / 2, y: H - bottom - h, width: barWidth, height: h, class: "fill" }));
    g.append(svg("title", {}, `${d.key}: ${fmt(d.count)} ${d.count === 1 ? "match" : "matches"}${inStoriesOf(d)}`));
    const pick = () => go({ ...s, on: d.key, since: "", until: "", offset: 0, doc: "" });
    g.addEventListener("click", pick);
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        pick();
      }
    });
    chart.append(g);
  });
  chart.append(svg("text", { x: 0, y: H - 4, class: "label" }, data[0].key));
  chart.append(svg("text", { x: W, y: H - 4, class: "label end" }, data[data.length - 1].key));
  chart.append(svg("text", { x: 0, y: 10, class: "label" }, `max ${fmt(max)}`));
  box.append(chart);
  if (facets.undated) box.append(el("p", { class: "hint" }, `${plural(facets.undated, "match", "matches")} without a date.`));
}

// " in N stories" when copies of one story make a count larger than its stories.
function inStoriesOf(c) {
  return c.stories != null && c.stories !== c.count ? ` in ${plural(c.stories, "story", "stories")}` : "";
}

function drawSources(s, facets) {
  const list = $("sources");
  list.replaceChildren();
  for (const src of (facets && facets.sources) || []) {
    const chosen = s.sources.includes(src.slug);
    const next = chosen ? s : { ...s, sources: [...s.sources, src.slug], offset: 0, doc: "" };
    list.append(el("li", {}, link(next, src.slug), " ", el("span", { class: "count" }, fmt(src.count) + inStoriesOf(src))));
  }
}

function hitMeta(h) {
  const parts = [h.date || "undated", h.source];
  if (h.kind === "teaser") {
    let seen = `teaser seen in ${plural(h.seen_count || 1, "file", "files")}`;
    if (h.last_seen && h.last_seen !== h.date) seen += `, last ${h.last_seen}`;
    parts.push(seen);
  } else if (h.seen_as_teaser > 0) {
    parts.push(`teased in ${plural(h.seen_as_teaser, "file", "files")}`);
  }
  return parts.join(" \u00b7 ");
}

function drawHits(s, hits) {
  const list = $("hits");
  list.replaceChildren();
  list.start = (s.offset || 0) + 1;
  for (const h of hits) {
    if (!ID_RE.test(h.id)) continue;
    const title = appendMarked(el("span"), h.title || "(no title)", h.title_highlights);
    const li = el("li", { class: "hit" },
      el("h3", {}, link({ ...s, doc: h.id }, title), h.kind === "teaser" ? el("span", { class: "tag" }, "teaser") : null),
      el("p", { class: "meta" }, hitMeta(h)));
    if (h.snippet) {
      const snip = appendMarked(el("p", { class: "snippet" }), h.snippet, h.highlights);
      if (h.snippet_from && h.snippet_from !== "body") snip.prepend(el("span", { class: "from" }, `${h.snippet_from}: `));
      li.append(snip);
    }
    const copies = Array.isArray(h.copies) ? h.copies.filter((c) => ID_RE.test(c.id)) : [];
    if (copies.length) {
      const line = el("p", { class: "meta copies" }, `and ${plural(copies.length, "copy", "copies")}: `);
      copies.forEach((c, i) => {
        if (i) line.append(", ");
        line.append(link({ ...s, doc: c.id }, c.source || c.source_slug || c.id));
      });
      li.append(line);
    }
    list.append(li);
  }
}

function drawPager(s, total) {
  const nav = $("pager");
  nav.replaceChildren();
  if (total <= PAGE) return;
  const page = Math.floor(s.offset / PAGE) + 1;
  const pages = Math.ceil(Math.min(total, 10000 + PAGE) / PAGE);
  if (s.offset > 0) nav.append(link({ ...s, offset: Math.max(0, s.offset - PAGE) }, "\u2190 Previous"));
  nav.append(el("span", {}, ` Page ${fmt(page)} of ${fmt(pages)} `));
  if (s.offset + PAGE < total && s.offset + PAGE <= 10000) nav.append(link({ ...s, offset: s.offset + PAGE }, "Next \u2192"));
}

async function showDoc(s) {
  $("about").hidden = true;
  $("results").hidden = true;
  const box = $("doc");
  status("Loading\u2026");
  const p = new URLSearchParams({ view: "1" });
  if (s.q) p.set("q", s.q);
  let d;
  try {
    d = await api(`/api/doc/${s.doc}?${p}`);
  } catch (err) {
    if (err.name === "AbortError") return;
    box.hidden = true;
    status(err.message, true);
    return;
  }
  status("");
  const view = d.view || {};
  const back = { ...s, doc: "" };
  box.replaceChildren(el("p", { class: "back" }, link(back, s.q ? "\u2190 Back to the results" : "\u2190 Search")));
  box.append(appendMarked(el("h1"), d.title || "(no title)", view.title_marks));
  const meta = [d.date || "undated", d.source];
  if (d.byline) meta.push(d.byline);
  if (d.read_minutes) meta.push(`${d.read_minutes} min read`);
  if (d.kind === "teaser") meta.push("teaser");
  box.append(el("p", { class: "meta" }, meta.join(" \u00b7 ")));
  if (d.kind === "teaser") {
    const facts = el("p", { class: "facts" }, `Seen in ${plural(d.seen_count || 1, "file", "files")}` + (d.last_seen ? `, last on ${d.last_seen}` : "") + (d.truncated ? "; its summary is cut" : "") + ". ");
    if (d.article_id && ID_RE.test(d.article_id)) facts.append(link({ ...s, doc: d.article_id }, "Read the archived article"));
    else facts.append("The article itself is not in the archive.");
    box.append(facts);
  } else if (d.seen_as_teaser > 0) {
    box.append(el("p", { class: "facts" }, `Teased in ${plural(d.seen_as_teaser, "file", "files")}.`));
  }
  const captions = d.captions || [];
  if (captions.length) {
    const fig = el("ul", { class: "captions", "aria-label": "Captions" });
    captions.forEach((c, i) => {
      const item = appendMarked(el("li"), c.text, (view.caption_marks || [])[i]);
      if (c.credit) item.append(el("span", { class: "credit" }, ` \u2014 ${c.credit}`));
      fig.append(item);
    });
    box.append(fig);
  }
  box.append(appendMarked(el("div", { class: "body" }), d.body, view.body_marks));
  box.append(el("p", { class: "path" }, `File: ${d.path}`));
  if (d.kind === "article") box.append(teaserList(s, d, view));
  box.hidden = false;
  window.scrollTo(0, 0);
}

function teaserList(s, d, view) {
  const sec = el("section", { class: "teasers" });
  if (!Array.isArray(d.teasers)) {
    sec.append(el("h2", {}, "Teasers"), el("p", { class: "hint" }, d.teasers_note || "Not available."));
    return sec;
  }
  sec.append(el("h2", {}, `Teasers in this file (${d.teasers.length})`));
  if (!d.teasers.length) sec.append(el("p", { class: "hint" }, "None."));
  const list = el("ul");
  d.teasers.forEach((t, i) => {
    const target = (view.teaser_articles || [])[i];
    const title = target && ID_RE.test(target) ? link({ ...s, doc: target }, t.title) : el("span", {}, t.title, el("span", { class: "hint" }, " (not in the archive)"));
    const item = el("li", {}, el("strong", {}, title));
    if (t.summary) item.append(el("br"), t.summary + (t.truncated ? "\u2026" : ""));
    list.append(item);
  });
  sec.append(list);
  return sec;
}

// ---------- events ----------

function formState() {
  const s = stateFromURL();
  const since = $("since").value.trim();
  const until = $("until").value.trim();
  return {
    ...s,
    q: $("q").value.trim(),
    since,
    until,
    on: since || until ? "" : s.on,
    kind: $("kind").value,
    sort: $("sort").value,
    offset: 0,
    doc: "",
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go(formState());
  });
  for (const id of ["kind", "sort"]) $(id).addEventListener("change", () => { if ($("q").value.trim()) go(formState()); });
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("newsfind-token", $("token").value);
    $("token-form").hidden = true;
    render(stateFromURL());
  });
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      $("q").focus();
      $("q").select();
    }
  });
  window.addEventListener("popstate", () => render(stateFromURL()));
  render(stateFromURL());
});
