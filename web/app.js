// nabij map page: coverage per municipality, facilities, regions, scenarios.
// Plain JavaScript over the HTTP API (/api/v1/...), Leaflet for the map, no build step.
// Everything from the data is written with textContent, never as HTML.
"use strict";

(function () {
  const T = {
    nl: {
      title: "nabij — kan elke gemeente een kleinschalige voorziening bereiken?",
      synthetic: "SYNTHETISCHE wegen", kind: "Soort voorziening", minutes: "Reistijd (minuten)",
      age: "Leeftijd (optioneel)", asof: "Peildatum (optioneel)", grouping: "Indeling",
      colour: "Kleur naar", c_status: "niveau (eigen gemeente … onbereikbaar)",
      c_minutes: "reistijd (mediaan, min)", c_share: "aandeel binnen de limiet",
      c_access: "plaatsen per 10.000 (capaciteit)", scenario: "Scenario", none: "(geen: vandaag)",
      download: "Download wat u ziet:", report: "rapport", basemap: "Achtergrondkaart",
      tileurl: "Achtergrondkaart tonen",
      tilenote: "Deze server heeft geen achtergrondkaart ingesteld (de beheerder kan er een instellen met --basemap-url); de pagina werkt zonder internet.",
      clickhint: "Klik op een gemeente of een voorziening.", regions: "Regio's",
      r_name: "Regio", r_fac: "Voorzieningen", r_places: "Plaatsen per 10.000",
      r_share: "Binnen de limiet", r_balance: "Plaatsen min vraag", r_gini: "Gini reistijd",
      r_flags: "Signalen",
      own_municipality: "in de eigen gemeente", within_limit: "binnen de limiet",
      within_region: "in de regio, verder dan de limiet", outside_region: "buiten de regio",
      unreachable: "niet bereikbaar", status: "Niveau", share: "Aandeel binnen de limiet",
      median: "Reistijd mediaan", p90: "Reistijd 90%", nearest: "Dichtstbijzijnde",
      young: "Jongeren", demand: "Verwachte vraag", access: "Plaatsen per 10.000 (E2SFCA)",
      region: "Regio", nearestlist: "Dichtstbijzijnde passende voorzieningen", min: "min",
      unknown: "onbekend", loading: "bezig…", shown: "gemeenten getekend in",
      places: "plaatsen", type: "soort", isochrone: "bereik binnen", facility: "Voorziening",
      regionfig: "Cijfers van de regio", noflags: "geen signalen", changed: "veranderd",
      before: "was", error: "Fout", municipality: "Gemeente",
    },
    en: {
      title: "nabij — can every municipality reach a small-scale facility?",
      synthetic: "SYNTHETIC roads", kind: "Kind of facility", minutes: "Travel time (minutes)",
      age: "Age (optional)", asof: "As of (optional)", grouping: "Grouping",
      colour: "Colour by", c_status: "tier (own municipality … unreachable)",
      c_minutes: "travel time (median, min)", c_share: "share within the limit",
      c_access: "places per 10,000 (capacity)", scenario: "Scenario", none: "(none: today)",
      download: "Download what you see:", report: "report", basemap: "Basemap",
      tileurl: "Show the basemap",
      tilenote: "This server has no basemap set (its administrator can set one with --basemap-url); the page works offline.",
      clickhint: "Click a municipality or a facility.", regions: "Regions",
      r_name: "Region", r_fac: "Facilities", r_places: "Places per 10,000",
      r_share: "Within the limit", r_balance: "Places minus demand", r_gini: "Gini travel time",
      r_flags: "Flags",
      own_municipality: "in its own municipality", within_limit: "within the limit",
      within_region: "in the region, beyond the limit", outside_region: "outside the region",
      unreachable: "unreachable", status: "Tier", share: "Share within the limit",
      median: "Travel time median", p90: "Travel time 90%", nearest: "Nearest",
      young: "Young people", demand: "Expected demand", access: "Places per 10,000 (E2SFCA)",
      region: "Region", nearestlist: "Nearest suitable facilities", min: "min",
      unknown: "unknown", loading: "loading…", shown: "municipalities drawn in",
      places: "places", type: "kind", isochrone: "reach within", facility: "Facility",
      regionfig: "The region's figures", noflags: "no flags", changed: "changed",
      before: "was", error: "Error", municipality: "Municipality",
    },
  };
  const STATUS = ["own_municipality", "within_limit", "within_region", "outside_region", "unreachable"];
  const STATUS_COLOUR = {
    own_municipality: "#1a9850", within_limit: "#91cf60", within_region: "#fee08b",
    outside_region: "#fc8d59", unreachable: "#d73027",
  };
  const RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  const RAMP_GOOD = ["#f7fcf5", "#c7e9c0", "#74c476", "#238b45", "#00441b"];
  const KIND_COLOUR = {
    kleinschalig_verblijf: "#1f78b4", kleinschalig_jeugdzorgplus: "#6a3d9a", kvjj: "#b15928",
    jeugdzorgplus: "#e31a1c", jji: "#333333",
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    lang: localStorage.getItem("nabij-lang") || "nl",
    meta: null, coverage: null, regions: null, layer: null, facilities: null,
    facilityLayer: null, isochrone: null, tiles: null, sort: { key: "name", dir: 1 },
    selected: null, generation: 0,
  };
  // Hooks for tests and for people curious in the console.
  window.nabij = { ready: false, generation: 0, colours: {}, renderMs: null, errors: [] };

  const t = (k) => (T[state.lang] && T[state.lang][k]) || T.nl[k] || k;
  const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x))
    ? t("unknown") : Number(x).toLocaleString(state.lang === "nl" ? "nl-NL" : "en-GB",
      { maximumFractionDigits: d, minimumFractionDigits: 0 });
  const pct = (x) => (x === null || x === undefined) ? t("unknown") : fmt(100 * x, 1) + "%";

  // Leaflet inserts a string given to a tooltip or popup as HTML; a text node is inserted as
  // text. Every string from data reaches the map this way.
  function textNode(s) {
    return document.createTextNode(String(s));
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function applyLang() {
    document.documentElement.lang = state.lang;
    for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
    $("lang").textContent = state.lang === "nl" ? "EN" : "NL";
    $("lang").setAttribute("aria-label", state.lang === "nl" ? "English" : "Nederlands");
    document.title = t("title");
  }

  function needQuery() {
    const q = new URLSearchParams();
    const profile = $("profile").value;
    if (profile) q.set("need", profile);
    const m = $("minutes").value;
    if (m) q.set("minutes", m);
    const a = $("age").value;
    if (a) q.set("age", a);
    const d = $("as_of").value;
    if (d) q.set("as_of", d);
    return q;
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const msg = body && body.detail ? body.detail : r.status + " " + r.statusText;
      throw new Error(msg);
    }
    return body;
  }

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").style.color = isError ? "#a11d12" : "";
  }

  // Colour of a municipality for the chosen measure.
  function colourer(features) {
    const by = $("colour").value;
    if (by === "status") {
      return { colour: (p) => STATUS_COLOUR[p.status] || "#999", legend: STATUS.map((s) => [STATUS_COLOUR[s], t(s)]) };
    }
    const values = features.map((f) => f.properties[by]).filter((v) => typeof v === "number").sort((a, b) => a - b);
    const good = by !== "minutes_median";
    const ramp = good ? RAMP_GOOD : RAMP;
    let breaks;
    if (by === "share_within_limit") breaks = [0.2, 0.4, 0.6, 0.8];
    else if (by === "minutes_median") {
      const lim = Number($("minutes").value) || 45;
      breaks = [lim / 3, (2 * lim) / 3, lim, 1.5 * lim];
    } else {
      const q = (p) => values.length ? values[Math.min(values.length - 1, Math.floor(p * values.length))] : 0;
      breaks = [q(0.2), q(0.4), q(0.6), q(0.8)];
    }
    const cls = (v) => { let i = 0; while (i < breaks.length && v > breaks[i]) i++; return i; };
    const label = (i) => {
      const f = (x) => by === "share_within_limit" ? pct(x) : fmt(x, 1);
      if (i === 0) return "≤ " + f(breaks[0]);
      if (i === breaks.length) return "> " + f(breaks[breaks.length - 1]);
      return f(breaks[i - 1]) + " – " + f(breaks[i]);
    };
    return {
      colour: (p) => typeof p[by] === "number" ? ramp[cls(p[by])] : "#bbbbbb",
      legend: ramp.map((c, i) => [c, label(i)]).concat([["#bbbbbb", t("unknown")]]),
    };
  }

  function drawLegend(items) {
    const box = $("legend");
    box.textContent = "";
    for (const [c, label] of items) {
      const sw = el("span", { class: "sw" });
      sw.style.background = c;
      box.appendChild(el("div", { class: "row" }, sw, label));
    }
  }

  function drawCoverage(fc) {
    const started = performance.now();
    if (state.layer) state.layer.remove();
    const c = colourer(fc.features);
    window.nabij.colours = {};
    state.layer = L.geoJSON(fc, {
      style: (f) => {
        const p = f.properties;
        const fill = c.colour(p);
        window.nabij.colours[p.code] = fill;
        const changed = p.effect && p.effect !== "same";
        return {
          fillColor: fill, fillOpacity: 0.8, color: changed ? "#000" : "#555",
          weight: changed ? 3 : 0.7,
          className: "muni muni-" + p.code + " status-" + p.status + (changed ? " changed" : ""),
        };
      },
      onEachFeature: (f, layer) => {
        layer.on("click", () => showMunicipality(f.properties));
        // Names come from data anyone can edit (OpenStreetMap): a text node, never HTML.
        layer.bindTooltip(() => textNode(f.properties.name + " — " + t(f.properties.status)), { sticky: true });
      },
    }).addTo(state.map);
    if (!state.fitted) {
      const b = state.layer.getBounds();
      if (b.isValid()) state.map.fitBounds(b, { padding: [10, 10] });
      state.fitted = true;
    }
    if (state.facilityLayer) state.facilityLayer.bringToFront();
    drawLegend(c.legend);
    const ms = performance.now() - started;
    window.nabij.renderMs = ms;
    setStatus(fc.features.length + " " + t("shown") + " " + Math.round(ms) + " ms");
  }

  function drawFacilities(fc) {
    if (state.facilityLayer) state.facilityLayer.remove();
    state.facilityLayer = L.geoJSON(fc, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 6, weight: 2, color: "#fff", fillOpacity: 1,
        fillColor: KIND_COLOUR[f.properties.type] || "#444",
        className: "facility facility-" + f.id + (f.properties.status !== "active" ? " inactive" : ""),
      }),
      onEachFeature: (f, layer) => {
        layer.bindTooltip(() => textNode(f.properties.name + " — " + f.properties.type
          + (f.properties.places !== null && f.properties.places !== undefined ? ", " + fmt(f.properties.places, 0) + " " + t("places") : "")));
        layer.on("click", (e) => { L.DomEvent.stopPropagation(e); showFacility(f); });
      },
    }).addTo(state.map);
  }

  function dl(rows) {
    const d = el("dl");
    for (const [k, v] of rows) { d.appendChild(el("dt", null, k)); d.appendChild(el("dd", null, v)); }
    return d;
  }

  async function showMunicipality(p) {
    const info = $("info");
    info.textContent = "";
    info.appendChild(el("h3", null, p.name + " (" + p.code + ")"));
    info.appendChild(dl([
      [t("status"), t(p.status) + (p.status_before && p.status_before !== p.status ? " (" + t("before") + ": " + t(p.status_before) + ")" : "")],
      [t("share"), pct(p.share_within_limit)],
      [t("median"), fmt(p.minutes_median) + " " + t("min")],
      [t("p90"), fmt(p.minutes_p90) + " " + t("min")],
      [t("nearest"), (p.nearest_facility_name || t("unknown")) + (p.nearest_minutes !== null ? ", " + fmt(p.nearest_minutes) + " " + t("min") : "")],
      [t("young"), fmt(p.young_people, 0)],
      [t("demand"), fmt(p.demand, 2)],
      [t("access"), fmt(p.access_e2sfca, 2)],
    ]));
    const grouping = $("grouping").value;
    const code = p[grouping];
    const region = state.regions && state.regions.regions.find((r) => r.code === code);
    if (region) {
      info.appendChild(el("h3", null, t("regionfig") + ": " + region.name));
      info.appendChild(regionFigures(region));
    }
    for (const tr of document.querySelectorAll("#regions tbody tr")) tr.classList.toggle("selected", tr.dataset.code === code);
    state.selected = code;
    updateDownloads();
    if ($("scenario").value) return;
    const list = el("ol", { id: "nearest-list" });
    info.appendChild(el("h3", null, t("nearestlist")));
    info.appendChild(list);
    list.appendChild(el("li", null, t("loading")));
    try {
      const one = await getJSON("/api/v1/coverage/" + encodeURIComponent(p.code) + "?" + needQuery());
      list.textContent = "";
      for (const f of one.nearest_facilities) {
        list.appendChild(el("li", { class: f.within_limit ? "within" : "beyond" }, f.name + " — " + fmt(f.minutes) + " " + t("min")));
      }
    } catch (e) {
      list.textContent = t("error") + ": " + e.message;
    }
  }

  // A region's flag in the page's language (the API words flags in English).
  function flagText(f) {
    if (state.lang !== "nl") return f.message;
    const lim = fmt(Number($("minutes").value) || 45, 0);
    switch (f.rule) {
      case "min_facilities":
        return f.actual === 0 ? "geen passende voorziening in de regio"
          : fmt(f.actual, 0) + " passende voorziening(en), verwacht minstens " + fmt(f.expected, 0);
      case "min_share_within_limit":
        return pct(f.actual) + " van de jongeren binnen " + lim + " minuten, minder dan de verwachte " + pct(f.expected);
      case "min_balance":
        return fmt(-f.actual, 1) + " plaatsen tekort tegenover de verwachte vraag";
      case "share_gap_to_national":
        return pct(f.actual) + " van de jongeren binnen " + lim + " minuten, verder achter op het landelijke beeld dan toegestaan (minstens " + pct(f.expected) + ")";
      case "places_factor_of_national":
        return fmt(f.actual, 2) + " plaatsen per 10.000 jongeren, minder dan de helft van het landelijke niveau";
      default:
        return f.message;
    }
  }

  function regionFigures(r) {
    const box = el("div");
    box.appendChild(dl([
      [t("r_fac"), fmt(r.facilities, 0)],
      [t("r_places"), fmt(r.places_per_10k, 2)],
      [t("r_share"), pct(r.share_within_limit)],
      [t("r_balance"), fmt(r.balance, 1)],
    ]));
    const flags = el("ul", { class: "flags" });
    for (const f of r.flags) flags.appendChild(el("li", null, flagText(f)));
    box.appendChild(r.flags.length ? flags : el("p", { class: "small" }, t("noflags")));
    return box;
  }

  async function showFacility(f) {
    const p = f.properties;
    const info = $("info");
    info.textContent = "";
    info.appendChild(el("h3", null, t("facility") + ": " + p.name));
    info.appendChild(dl([
      ["id", f.id], [t("type"), p.type], [t("places"), fmt(p.places, 0)],
      ["status", p.status], [t("municipality"), p.municipality || t("unknown")],
    ]));
    const minutes = Number($("minutes").value) || 45;
    if (state.isochrone) state.isochrone.remove();
    try {
      const iso = await getJSON("/api/v1/isochrone?at=" + encodeURIComponent(f.id) + "&minutes=" + minutes);
      state.isochrone = L.geoJSON(iso, { style: { color: "#1f3a5f", weight: 2, fillOpacity: 0.08, className: "isochrone" } }).addTo(state.map);
      info.appendChild(el("p", { class: "small" }, t("isochrone") + " " + minutes + " " + t("min")));
    } catch (e) {
      info.appendChild(el("p", { class: "small" }, t("error") + ": " + e.message));
    }
  }

  function drawRegions() {
    const body = document.querySelector("#regions tbody");
    body.textContent = "";
    if (!state.regions) return;
    $("regions-grouping").textContent = "(" + state.regions.grouping + ")";
    const { key, dir } = state.sort;
    const rows = state.regions.regions.slice().sort((a, b) => {
      const va = key === "flags" ? a.flags.length : a[key];
      const vb = key === "flags" ? b.flags.length : b[key];
      if (typeof va === "number" && typeof vb === "number") return dir * (va - vb);
      return dir * String(va).localeCompare(String(vb), state.lang);
    });
    for (const r of rows) {
      const flags = el("ul", { class: "flags" });
      for (const f of r.flags) flags.appendChild(el("li", null, flagText(f)));
      const tr = el("tr", { "data-code": r.code, class: (r.unfair ? "unfair" : "") + (r.code === state.selected ? " selected" : "") },
        el("td", null, r.name + " (" + r.code + ")"),
        el("td", { class: "num" }, fmt(r.facilities, 0)),
        el("td", { class: "num" }, fmt(r.places_per_10k, 2)),
        el("td", { class: "num" }, pct(r.share_within_limit)),
        el("td", { class: "num" }, fmt(r.balance, 1)),
        el("td", { class: "num" }, fmt(r.gini_minutes, 3)),
        el("td", null, r.flags.length ? flags : t("noflags")));
      tr.addEventListener("click", () => { state.selected = r.code; drawRegions(); updateDownloads(); });
      body.appendChild(tr);
    }
    for (const th of document.querySelectorAll("#regions th")) {
      th.classList.toggle("sorted-asc", th.dataset.key === key && dir > 0);
      th.classList.toggle("sorted-desc", th.dataset.key === key && dir < 0);
    }
  }

  function updateDownloads() {
    const id = $("scenario").value;
    const q = needQuery();
    // The workbook, the Dutch CSV and the GeoPackage exist for the baseline only.
    for (const k of ["dl-xlsx", "dl-csv-nl", "dl-gpkg"]) $(k).hidden = !!id;
    if (id) {
      $("dl-geojson").href = "/api/v1/scenarios/" + id + "/coverage?format=geojson";
      $("dl-csv").href = "/api/v1/scenarios/" + id + "/coverage?format=csv";
    } else {
      const as = (format, extra) => {
        const p = new URLSearchParams(q);
        p.set("format", format);
        for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
        return "/api/v1/coverage?" + p;
      };
      $("dl-geojson").href = as("geojson");
      $("dl-csv").href = as("csv");
      $("dl-xlsx").href = as("xlsx", { lang: state.lang });
      $("dl-csv-nl").href = as("csv", { csv_dialect: "nl", lang: state.lang });
      $("dl-gpkg").href = as("gpkg", { lang: state.lang });
    }
    const r = new URLSearchParams(q);
    const region = state.selected || (state.regions && state.regions.regions[0] && state.regions.regions[0].code);
    if (region) r.set("region", region);
    r.set("grouping", $("grouping").value);
    r.set("format", "html");
    r.set("lang", state.lang);
    $("dl-report").href = "/api/v1/report?" + r;
  }

  async function load() {
    const generation = ++state.generation;
    window.nabij.ready = false;
    document.body.dataset.ready = "0";
    setStatus(t("loading"));
    const id = $("scenario").value;
    const q = needQuery();
    const rq = new URLSearchParams(q); rq.set("grouping", $("grouping").value);
    try {
      const [cov, reg] = await Promise.all([
        getJSON(id ? "/api/v1/scenarios/" + id + "/coverage" : "/api/v1/coverage?" + q),
        getJSON(id ? "/api/v1/scenarios/" + id + "/regions?grouping=" + encodeURIComponent($("grouping").value) : "/api/v1/regions?" + rq),
      ]);
      if (generation !== state.generation) return; // a newer request won
      state.coverage = cov;
      state.regions = reg;
      drawCoverage(cov);
      drawRegions();
      updateDownloads();
      window.nabij.generation = generation;
      markReady("1");
    } catch (e) {
      if (generation !== state.generation) return;
      setStatus(t("error") + ": " + e.message, true);
      window.nabij.errors.push(e.message);
      markReady("error");
    }
  }

  // Ready (for people: the status line; for tests: window.nabij.ready) once the first view
  // is whole, then after every redraw.
  function markReady(outcome) {
    state.outcome = outcome;
    if (!state.initDone) return;
    window.nabij.ready = true;
    document.body.dataset.ready = outcome;
  }

  // The basemap is the server's (`--basemap-url`): the page's Content-Security-Policy
  // allows images from that origin only, so a URL typed into the page could not load anyway.
  function setTiles(on) {
    if (state.tiles) { state.tiles.remove(); state.tiles = null; }
    const url = state.meta && state.meta.basemap ? state.meta.basemap.url : null;
    if (on && url) {
      state.tiles = L.tileLayer(url, { maxZoom: 18, attribution: state.meta.basemap.attribution || "" }).addTo(state.map);
      state.tiles.bringToBack();
    }
    localStorage.setItem("nabij-tiles", on ? "on" : "");
  }

  async function init() {
    applyLang();
    state.map = L.map("map", { preferCanvas: false, zoomSnap: 0.25, attributionControl: true });
    state.map.setView([52.2, 5.3], 7);
    try {
      state.meta = await getJSON("/api/v1/meta");
    } catch (e) {
      setStatus(t("error") + ": " + e.message, true);
      window.nabij.errors.push(e.message);
      window.nabij.ready = true;
      return;
    }
    const m = state.meta;
    $("tiles").disabled = !m.basemap;
    $("tiles").checked = !!m.basemap && localStorage.getItem("nabij-tiles") === "on";
    $("tilenote").hidden = !!m.basemap;
    if ($("tiles").checked) setTiles(true);
    $("synthetic").hidden = !m.synthetic_roads;
    $("attribution").textContent = m.attribution + " · nabij " + m.version;
    for (const p of m.need_profiles) $("profile").appendChild(el("option", { value: p.name, title: p.label }, p.name));
    const groupings = (m.groupings || []).slice();
    groupings.sort((a, b) => (a === "jeugdregio" ? -1 : b === "jeugdregio" ? 1 : a.localeCompare(b)));
    for (const g of groupings) $("grouping").appendChild(el("option", { value: g }, g));
    // Scenarios, facilities and the first coverage are fetched at the same time.
    const scenarios = m.scenarios ? getJSON("/api/v1/scenarios").then((list) => {
      for (const s of list.scenarios) $("scenario").appendChild(el("option", { value: s.id }, s.name + " (" + s.created_at.slice(0, 10) + ")"));
      $("scenario-row").hidden = list.scenarios.length === 0;
    }).catch(() => { /* no database yet: no scenarios to show */ }) : Promise.resolve();
    const facilities = getJSON("/api/v1/facilities").then((fc) => {
      state.facilities = fc;
      drawFacilities(fc);
    }).catch((e) => { window.nabij.errors.push(e.message); });
    for (const id of ["profile", "minutes", "age", "as_of", "grouping", "scenario"]) $(id).addEventListener("change", load);
    $("colour").addEventListener("change", () => state.coverage && drawCoverage(state.coverage));
    $("need").addEventListener("submit", (e) => { e.preventDefault(); load(); });
    $("tiles").addEventListener("change", () => setTiles($("tiles").checked));
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "nl" ? "en" : "nl";
      localStorage.setItem("nabij-lang", state.lang);
      applyLang();
      if (state.coverage) drawCoverage(state.coverage);
      drawRegions();
      updateDownloads();
    });
    for (const th of document.querySelectorAll("#regions th")) {
      th.addEventListener("click", () => {
        const key = th.dataset.key;
        state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
        drawRegions();
      });
    }
    // Ready once the map, the facilities and the scenario list are all there.
    const first = load();
    await Promise.all([scenarios, facilities]);
    await first;
    if (state.facilityLayer) state.facilityLayer.bringToFront();
    state.initDone = true;
    if (state.outcome) markReady(state.outcome);
  }

  init();
})();
