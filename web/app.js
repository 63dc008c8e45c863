// nabij map page: what fails at a glance, coverage per municipality, facilities, regions,
// saved scenarios and siting advice. Plain JavaScript over the HTTP API (/api/v1/...),
// Leaflet for the map, no build step. Everything from the data is written as text
// (textContent or text nodes), never as HTML.
"use strict";

(function () {
  // The page's words, one dictionary per language. Tier names and colours come from
  // /api/v1/meta (the report and the GeoPackage use the same).
  const T = {
    nl: {
      title: "nabij — kan elke gemeente een kleinschalige voorziening bereiken?",
      synthetic: "SYNTHETISCHE wegen", finding: "Wat deze vraag oplevert", maptitle: "Kaart",
      question: "Vraag en weergave", kind: "Soort voorziening", minutes: "Norm: reistijd in minuten",
      age: "Leeftijd van de jongere (optioneel)", asof: "Peildatum (optioneel, dd-mm-jjjj)",
      grouping: "Regio-indeling", colour: "Kleur naar",
      c_status: "niveau (eigen gemeente … niet bereikbaar)", c_minutes: "reistijd (mediaan, minuten)",
      c_share: "aandeel jongeren binnen de norm", c_access: "plaatsen per 10.000 jongeren (met capaciteit)",
      c_robust: "robuust of kwetsbaar in de spits",
      period: "Tijdstip van de reis", p_free: "buiten de spits (vrije doorstroming)",
      p_peak: "in de spits (aanname)", p_both: "buiten én in de spits",
      rb_changes: "haalt de norm buiten de spits, niet in de spits", rb_changes_any: "in de spits een ander niveau",
      rb_fragile: "kwetsbaar: het niveau verandert al als reistijden minder dan {m} langer of korter worden",
      rb_robust: "haalt de norm, ook in de spits, met ruime marge (of heeft een voorziening in de gemeente)",
      rb_fails: "haalt de norm op geen enkel tijdstip (ook niet nipt)",
      peak_status: "Niveau in de spits", r_hours: "Jongeren van wie het niveau van het tijdstip afhangt",
      r_fragile: "Kwetsbare gemeenten (weinig marge tot de norm)", r_nofragile: "geen", r_fragile_count: "Kwetsbare gemeenten", margin: "Marge tot de norm", fragile_word: "kwetsbaar",
      margin_spare: "{x} min speling bij de mediane jongere: de reistijd mag {p} langer worden voordat de norm niet meer gehaald wordt",
      margin_short: "de mediane jongere reist {x} min langer dan de norm: de reistijd moet {p} korter worden om de norm te halen",
      margin_free: "Marge tot de norm (buiten de spits)", median_peak: "Reistijd in de spits (mediaan)", median_free: "Reistijd buiten de spits (mediaan)",
      head_free: "Buiten de spits", head_peak: "In de spits",
      margin_none: "geen: het niveau hangt niet af van de reistijd",
      both_auto: "Kleur naar robuustheid vraagt beide tijdstippen: het tijdstip staat nu op 'buiten én in de spits'.",
      scenario: "Scenario", none: "geen: de situatie van vandaag", apply: "Toon",
      legend: "Legenda", download: "Download wat u ziet:", report: "rapport van de regio",
      basemap: "Achtergrondkaart", tileurl: "Achtergrondkaart tonen",
      tilenote: "Deze server heeft geen achtergrondkaart ingesteld (de beheerder kan er een instellen met --basemap-url); de pagina werkt zonder internet.",
      detailstitle: "Details", search: "Zoek een gemeente of voorziening",
      clickhint: "Kies een gemeente of voorziening op de kaart, in de lijst of met het zoekveld.",
      regions: "Regio's", r_name: "Regio", r_fac: "Passende voorzieningen",
      r_places: "Plaatsen per 10.000 jongeren", r_share: "Jongeren binnen de norm",
      r_balance: "Plaatsen min vraag (tekort is negatief)", r_gini: "Gini reistijd (0–1)", r_flags: "Signalen",
      loading: "bezig met rekenen…", fails: "haalt de norm niet", hatched: "gearceerd: haalt de norm niet",
      fac_counts: "voorziening die meetelt voor deze vraag", fac_other: "voorziening die niet meetelt (andere soort of status)",
      advice: "Waar helpen nieuwe voorzieningen het meest?", advice_add: "Aantal nieuwe voorzieningen",
      advice_objective: "Doel", obj_fairness: "de eerlijkste spreiding (slechtst bediende regio eerst)",
      obj_coverage: "zoveel mogelijk jongeren binnen de norm", obj_median: "zo weinig mogelijk reistijd",
      advice_region: "Regio", all_regions: "alle regio's", advice_go: "Vraag advies",
      status: "Niveau", share: "Jongeren binnen de norm", median: "Reistijd (mediaan)",
      p90: "Reistijd (90% van de jongeren)", nearest: "Dichtstbijzijnde passende voorziening",
      young: "Jongeren", demand: "Verwachte vraag (plaatsen)", access: "Plaatsen per 10.000 jongeren (E2SFCA)",
      nearestlist: "Dichtstbijzijnde passende voorzieningen", min: "min", unknown: "onbekend",
      places: "plaatsen", type: "Soort", facility: "Voorziening", fstatus: "Status",
      municipality: "Gemeente", isochrone: "Lijn op de kaart: het gebied binnen", minutes_word: "minuten",
      regionfig: "Regio", noflags: "geen signalen", before: "was", error: "Fout", noroads: "heeft geen wegen in het wegennet: de reistijd is niet te berekenen.",
      nofacility: "geen passende voorziening bereikbaar over de weg", noregionfac: "geen passende voorziening in deze regio",
      updated: "Kaart bijgewerkt", banner_title: "Deze vraag kan niet worden beantwoord",
      no_answer: "Geen uitkomst: zie de melding hieronder.", places_label: "Plaatsen",
      draft_title: "Concept-scenario, nog niet opgeslagen: wat het oplevert",
      tech: "Technische details", retry: "Pas de vraag aan; de kaart toont intussen geen oude uitkomst.",
      advice_none: "Geen advies: er is niets te verbeteren binnen deze vraag.",
      advice_new: "jongeren meer binnen de norm", advice_first: "eerste passende voorziening van de regio",
      advice_minutes: "minuten reistijd minder (gewogen naar jongeren)",
      to_scenario: "Maak van dit advies een scenario", token: "Schrijfsleutel van deze server (alleen voor deze sessie bewaard)",
      saved_as: "Opgeslagen als scenario", no_writes: "Deze server slaat geen scenario's op.",
      compare: "Vergeleken met vandaag: gemeenten die van niveau veranderen zijn dik omlijnd.",
      new_unit: "nieuwe voorziening in dit scenario",
      against: "Vergelijk met", today: "vandaag",
      edit: "Wat als? Een scenario maken", edit_help: "Voeg een voorziening toe door op de kaart te klikken; kies een bestaande voorziening om haar te sluiten, te verplaatsen of haar plaatsen te wijzigen. Het effect verschijnt meteen.",
      edit_kind: "Soort nieuwe voorziening", edit_places: "Plaatsen", edit_add: "Klik op de kaart om toe te voegen",
      edit_adding: "Klik nu op de kaart…", edit_name: "Naam van het scenario", edit_save: "Opslaan", edit_clear: "Wissen",
      edit_close: "Sluiten in dit scenario", edit_resize: "Plaatsen wijzigen", edit_move: "Verplaatsen (klik daarna op de kaart)",
      edit_remove: "Weghalen", new_name: "Nieuwe voorziening", ch_add: "Nieuw", ch_close: "Gesloten", ch_places: "plaatsen",
      ch_move: "verplaatst", concept: "Concept", effect_none: "Nog geen wijziging.",
      effect_changed: "gemeenten veranderen van niveau", effect_one: "gemeente verandert van niveau",
      effect_young: "jongeren binnen de norm", effect_cleared: "Signalen opgeheven in", effect_raised: "Nieuwe signalen in",
      compare_two: "Vergeleken met het andere scenario: gemeenten die van niveau veranderen zijn dik omlijnd.",
    },
    en: {
      title: "nabij — can every municipality reach a small-scale facility?",
      synthetic: "SYNTHETIC roads", finding: "What this question shows", maptitle: "Map",
      question: "Question and view", kind: "Kind of facility", minutes: "Norm: travel time in minutes",
      age: "Age of the young person (optional)", asof: "Reference date (optional, dd-mm-yyyy)",
      grouping: "Regions", colour: "Colour by",
      c_status: "tier (own municipality … unreachable)", c_minutes: "travel time (median, minutes)",
      c_share: "share of young people within the norm", c_access: "places per 10,000 young people (with capacity)",
      c_robust: "robust or fragile at rush hour",
      period: "Time of travel", p_free: "off-peak (free flow)",
      p_peak: "rush hour (assumed)", p_both: "off-peak and rush hour",
      rb_changes: "meets the norm off-peak, not at rush hour", rb_changes_any: "another tier at rush hour",
      rb_fragile: "fragile: the tier changes if travel times change by less than {m}",
      rb_robust: "meets the norm, at rush hour too, with a wide margin (or has a facility in the municipality)",
      rb_fails: "misses the norm at every hour (and not narrowly)",
      peak_status: "Tier at rush hour", r_hours: "Young people whose tier depends on the hour",
      r_fragile: "Fragile municipalities (little margin to the norm)", r_nofragile: "none", r_fragile_count: "Fragile municipalities", margin: "Margin to the norm", fragile_word: "fragile",
      margin_spare: "{x} min to spare for the median young person: travel may take {p} longer before the norm is missed",
      margin_short: "the median young person travels {x} min longer than the norm: travel must take {p} less to meet it",
      margin_free: "Margin to the norm (off-peak)", median_peak: "Travel time at rush hour (median)", median_free: "Travel time off-peak (median)",
      head_free: "Off-peak", head_peak: "At rush hour",
      margin_none: "none: the tier does not depend on travel time",
      both_auto: "Colouring by robustness needs both times of travel: the time of travel is now 'off-peak and rush hour'.",
      scenario: "Scenario", none: "none: today's situation", apply: "Show",
      legend: "Legend", download: "Download what you see:", report: "report of the region",
      basemap: "Basemap", tileurl: "Show the basemap",
      tilenote: "This server has no basemap set (its administrator can set one with --basemap-url); the page works offline.",
      detailstitle: "Details", search: "Find a municipality or facility",
      clickhint: "Choose a municipality or facility on the map, in the list or with the search field.",
      regions: "Regions", r_name: "Region", r_fac: "Suitable facilities",
      r_places: "Places per 10,000 young people", r_share: "Young people within the norm",
      r_balance: "Places minus demand (a shortage is negative)", r_gini: "Gini of travel time (0–1)", r_flags: "Flags",
      loading: "computing…", fails: "misses the norm", hatched: "hatched: misses the norm",
      fac_counts: "facility that counts for this question", fac_other: "facility that does not count (other kind or status)",
      advice: "Where would new facilities help most?", advice_add: "Number of new facilities",
      advice_objective: "Aim", obj_fairness: "the fairest spread (worst-served region first)",
      obj_coverage: "as many young people within the norm as possible", obj_median: "as little travel as possible",
      advice_region: "Region", all_regions: "all regions", advice_go: "Ask for advice",
      status: "Tier", share: "Young people within the norm", median: "Travel time (median)",
      p90: "Travel time (90% of young people)", nearest: "Nearest suitable facility",
      young: "Young people", demand: "Expected demand (places)", access: "Places per 10,000 young people (E2SFCA)",
      nearestlist: "Nearest suitable facilities", min: "min", unknown: "unknown",
      places: "places", type: "Kind", facility: "Facility", fstatus: "Status",
      municipality: "Municipality", isochrone: "Line on the map: the area within", minutes_word: "minutes",
      regionfig: "Region", noflags: "no flags", before: "was", error: "Error", noroads: "has no roads in the road network: its travel time cannot be computed.",
      nofacility: "no suitable facility reachable by road", noregionfac: "no suitable facility in this region",
      updated: "Map updated", banner_title: "This question cannot be answered",
      no_answer: "No answer: see the message below.", places_label: "Places",
      draft_title: "Draft scenario, not saved yet: what it shows",
      tech: "Technical details", retry: "Change the question; meanwhile the map shows no old answer.",
      advice_none: "No advice: nothing can be improved for this question.",
      advice_new: "more young people within the norm", advice_first: "the region's first suitable facility",
      advice_minutes: "minutes of travel saved (weighted by young people)",
      to_scenario: "Turn this advice into a scenario", token: "Write token of this server (kept for this session only)",
      saved_as: "Saved as scenario", no_writes: "This server does not save scenarios.",
      compare: "Compared with today: municipalities that change tier are outlined heavily.",
      new_unit: "new facility in this scenario",
      against: "Compare with", today: "today",
      edit: "What if? Make a scenario", edit_help: "Add a facility by clicking the map; choose an existing facility to close it, move it or change its places. The effect shows at once.",
      edit_kind: "Kind of new facility", edit_places: "Places", edit_add: "Click the map to add",
      edit_adding: "Now click the map…", edit_name: "Name of the scenario", edit_save: "Save", edit_clear: "Clear",
      edit_close: "Close in this scenario", edit_resize: "Change places", edit_move: "Move (then click the map)",
      edit_remove: "Remove", new_name: "New facility", ch_add: "New", ch_close: "Closed", ch_places: "places",
      ch_move: "moved", concept: "Draft", effect_none: "No change yet.",
      effect_changed: "municipalities change tier", effect_one: "municipality changes tier",
      effect_young: "young people within the norm", effect_cleared: "Flags cleared in", effect_raised: "New flags in",
      compare_two: "Compared with the other scenario: municipalities that change tier are outlined heavily.",
    },
  };
  // Labels for the codes the API uses.
  const LABELS = {
    profile: {
      kleinschalig: { nl: "Kleinschalig (verblijf en JeugdzorgPlus)", en: "Small-scale (residential and JeugdzorgPlus)" },
      kleinschalig_verblijf: { nl: "Kleinschalig verblijf", en: "Small-scale residential care" },
      kleinschalig_jeugdzorgplus: { nl: "Kleinschalig JeugdzorgPlus (besloten)", en: "Small-scale JeugdzorgPlus (secure)" },
      kvjj: { nl: "KVJJ (kleinschalig justitieel)", en: "KVJJ (small-scale, youth justice)" },
      jeugdzorgplus: { nl: "JeugdzorgPlus-instelling (groot, ter vergelijking)", en: "JeugdzorgPlus institution (large, for comparison)" },
      jji: { nl: "Justitiële jeugdinrichting (groot, ter vergelijking)", en: "Youth custodial institution (large, for comparison)" },
    },
    grouping: {
      jeugdregio: { nl: "Jeugdregio's", en: "Youth-care regions (jeugdregio)" },
      provincie: { nl: "Provincies", en: "Provinces" },
      zorggebied: { nl: "Zorggebieden JeugdzorgPlus", en: "JeugdzorgPlus care areas" },
      national: { nl: "Heel Nederland", en: "The whole country" },
    },
    fstatus: {
      active: { nl: "in gebruik", en: "in use" }, planned: { nl: "gepland", en: "planned" },
      closed: { nl: "gesloten", en: "closed" },
    },
  };
  // A problem of the API in the page's words: what is wrong, and what to do.
  const PROBLEM = {
    "invalid-parameter": { nl: "deze waarde kan niet worden gebruikt", en: "this value cannot be used" },
    "not-found": { nl: "dit bestaat niet (meer) op deze server", en: "this does not exist (any more) on this server" },
    "not-loaded": { nl: "deze server heeft hiervoor geen gegevens", en: "this server has no data for this" },
    "unauthorized": { nl: "voor opslaan is de schrijfsleutel nodig", en: "saving needs the write token" },
    "forbidden": { nl: "de schrijfsleutel klopt niet, of deze server slaat niets op", en: "the write token is wrong, or this server saves nothing" },
    "unprocessable": { nl: "dit scenario kan niet worden toegepast", en: "this scenario cannot be applied" },
    "too-many-attempts": { nl: "te veel pogingen; wacht even", en: "too many attempts; wait a moment" },
    "busy": { nl: "de server is even te druk; probeer het zo opnieuw", en: "the server is busy; try again shortly" },
    "timeout": { nl: "dit duurde te lang; maak de vraag kleiner", en: "this took too long; ask a smaller question" },
    "internal": { nl: "de server kon dit niet beantwoorden", en: "the server could not answer this" },
  };
  // Which control a parameter of the API belongs to, and what to change there.
  const CONTROL = {
    need: { id: "profile", label: "kind", hint: { nl: "Geen voorziening in de gegevens past bij deze soort, leeftijd of datum: kies een andere soort, leeftijd of peildatum.", en: "No facility in the data fits this kind, age or date: choose another kind, age or reference date." } },
    minutes: { id: "minutes", label: "minutes", hint: { nl: "Kies een norm van 1 tot 240 minuten.", en: "Choose a norm from 1 to 240 minutes." } },
    age: { id: "age", label: "age", hint: { nl: "Kies een leeftijd van 0 tot 30 jaar, of laat het veld leeg.", en: "Choose an age from 0 to 30, or leave the field empty." } },
    as_of: { id: "as_of", label: "asof", hint: { nl: "Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 31-12-2020.", en: "Write the date as dd-mm-yyyy, e.g. 31-12-2020." } },
    period: { id: "period", label: "period", hint: { nl: "Deze server heeft alleen reistijden buiten de spits: kies 'buiten de spits', of vraag de beheerder de wegenkaart opnieuw te bouwen.", en: "This server has off-peak travel times only: choose 'off-peak', or ask its administrator to rebuild the road graph." } },
    fragile_margin: { id: "period", label: "period", hint: { nl: "De marge voor kwetsbaar ligt tussen 1 % en 50 %.", en: "The fragile margin lies between 1 % and 50 %." } },
    grouping: { id: "grouping", label: "grouping", hint: { nl: "Kies een andere regio-indeling.", en: "Choose other regions." } },
    add: { id: "advice-add", label: "advice_add", hint: { nl: "Vraag om 1 tot 5 nieuwe voorzieningen.", en: "Ask for 1 to 5 new facilities." } },
    region: { id: "advice-region", label: "advice_region", hint: { nl: "Kies een regio uit de lijst.", en: "Choose a region from the list." } },
    against: { id: "against", label: "against", hint: { nl: "Kies een scenario dat voor dezelfde vraag (soort, norm, leeftijd, peildatum) is opgeslagen, of vandaag.", en: "Choose a scenario saved for the same question (kind, norm, age, date), or today." } },
    objective: { id: "advice-objective", label: "advice_objective", hint: { nl: "Kies een doel uit de lijst.", en: "Choose an aim from the list." } },
  };
  const RAMP = ["#fde0c5", "#f6a56a", "#dd5a1c", "#a33a0c", "#5a2412"];
  const RAMP_GOOD = ["#dbe7f7", "#9dbbe6", "#5b87d1", "#1f4fbf", "#0d2a6b"];

  const $ = (id) => document.getElementById(id);
  const state = {
    lang: localStorage.getItem("nabij-lang") || "nl",
    meta: null, coverage: null, regions: null, outlines: {}, layer: null, hatch: null, outline: null,
    facilities: null, facilityLayer: null, adviceLayer: null, labels: [], isochrone: null, tiles: null,
    sort: { key: "name", dir: 1 }, selected: null, detail: null, generation: 0, byCode: {},
    draft: [], adding: false, moving: null, drafted: 0,
  };
  // Hooks for tests and for people curious in the console.
  window.nabij = { ready: false, generation: 0, colours: {}, renderMs: null, errors: [], headline: null };

  const t = (k) => (T[state.lang] && T[state.lang][k]) || T.nl[k] || k;
  const label = (kind, code) => (LABELS[kind] && LABELS[kind][code] && LABELS[kind][code][state.lang]) || code;
  const tier = (status) => (state.meta && state.meta.tiers.find((x) => x.status === status)) || null;
  const tierName = (status) => { const x = tier(status); return x ? x[state.lang] : status; };
  const typeLabel = (code) => label("profile", code);
  const locale = () => (state.lang === "nl" ? "nl-NL" : "en-GB");
  const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x))
    ? t("unknown") : Number(x).toLocaleString(locale(), { maximumFractionDigits: d, minimumFractionDigits: 0 });
  const pct = (x) => (x === null || x === undefined) ? t("unknown") : fmt(100 * x, 1) + "%";
  const count = (n, one, many) => fmt(n, 0) + " " + (n === 1 ? one : many);

  // Leaflet inserts a string given to a tooltip as HTML; a text node is inserted as text.
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
    const other = state.lang === "nl" ? "en" : "nl";
    $("lang").textContent = other === "en" ? "English" : "Nederlands";
    $("lang").setAttribute("lang", other);
    $("as_of").placeholder = state.lang === "nl" ? "dd-mm-jjjj" : "dd-mm-yyyy";
    document.title = t("title");
    for (const o of $("profile").options) o.textContent = label("profile", o.value);
    for (const o of $("grouping").options) o.textContent = label("grouping", o.value);
    for (const o of $("edit-kind").options) o.textContent = label("profile", o.value);
  }

  // The reference date as the API wants it (YYYY-MM-DD); a Dutch date dd-mm-jjjj as typed.
  function isoDate(text) {
    const s = text.trim();
    if (!s) return "";
    const m = s.match(/^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/);
    if (!m) return s; // the API says what is wrong with it
    return m[3] + "-" + m[2].padStart(2, "0") + "-" + m[1].padStart(2, "0");
  }

  function needQuery() {
    const q = new URLSearchParams();
    const profile = $("profile").value;
    if (profile) q.set("need", profile);
    const m = $("minutes").value;
    if (m) q.set("minutes", m);
    const a = $("age").value;
    if (a) q.set("age", a);
    const d = isoDate($("as_of").value);
    if (d) q.set("as_of", d);
    const period = $("period").value;
    if (period && period !== "free") q.set("period", period);
    return q;
  }

  async function getJSON(url, options) {
    const r = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options || {}));
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const e = new Error(body && body.detail ? body.detail : r.status + " " + r.statusText);
      e.problem = body || { status: r.status };
      throw e;
    }
    return body;
  }

  // -- Errors and loading, as a planner reads them ---------------------------------------

  function showBanner(e) {
    const p = e.problem || {};
    const kind = String(p.type || "").split("#")[1] || (p.status >= 500 ? "internal" : "invalid-parameter");
    const words = PROBLEM[kind] || PROBLEM.internal;
    const control = CONTROL[p.parameter];
    const box = $("banner");
    box.textContent = "";
    box.appendChild(el("strong", null, t("banner_title")));
    const words1 = words[state.lang];
    box.appendChild(el("p", null, control
      ? "\u201c" + t(control.label) + "\u201d: " + words1 + "."
      : words1.charAt(0).toUpperCase() + words1.slice(1) + "."));
    if (control) box.appendChild(el("p", null, control.hint[state.lang]));
    box.appendChild(el("p", { class: "small" }, t("retry")));
    const tech = el("details", null, el("summary", null, t("tech")), el("p", null, e.message));
    box.appendChild(tech);
    box.hidden = false;
    if (control) $(control.id).setAttribute("aria-invalid", "true");
  }

  function clearBanner() {
    $("banner").hidden = true;
    $("banner").textContent = "";
    for (const n of document.querySelectorAll("[aria-invalid]")) n.removeAttribute("aria-invalid");
  }

  // Results that no longer match the question are hidden, not left up.
  function markStale() {
    $("mapwrap").classList.add("stale");
    $("finding").classList.add("stale");
    $("headline").textContent = t("no_answer");
    $("headline-regions").textContent = "";
    $("failing-box").hidden = true;
    $("flagged-box").hidden = true;
    document.querySelector("#regions tbody").textContent = "";
    $("info").textContent = "";
    for (const layer of [state.layer, state.hatch, state.outline, state.facilityLayer, state.adviceLayer]) if (layer) layer.remove();
    clearLabels();
    $("legend").textContent = "";
    $("legend-facilities").textContent = "";
    state.coverage = null;
    state.regions = null;
    for (const a of document.querySelectorAll("#downloads a")) a.removeAttribute("href");
  }

  function loading(on) {
    $("loading").hidden = !on;
    $("mapwrap").setAttribute("aria-busy", on ? "true" : "false");
  }

  // -- The finding first -------------------------------------------------------------------

  function meetsNorm(status) {
    const x = tier(status);
    return !!(x && x.meets_norm);
  }

  function headline() {
    const ms = state.coverage.features.map((f) => f.properties);
    const lim = fmt(Number($("minutes").value) || 45, 0);
    const by = {};
    for (const m of ms) by[m.status] = (by[m.status] || 0) + 1;
    const meets = ms.filter((m) => meetsNorm(m.status)).length;
    const failing = ms.filter((m) => !meetsNorm(m.status)).sort((a, b) => a.name.localeCompare(b.name, state.lang));
    const phrase = {
      nl: { own_municipality: "met een voorziening in de eigen gemeente", within_limit: "binnen " + lim + " minuten van een voorziening",
        within_region: "met een voorziening alleen verder weg in de eigen regio", outside_region: "met een voorziening alleen buiten de regio",
        unreachable: "zonder voorziening die over de weg bereikbaar is" },
      en: { own_municipality: "with a facility in the municipality itself", within_limit: "within " + lim + " minutes of a facility",
        within_region: "with a facility only farther away in their own region", outside_region: "with a facility only outside their region",
        unreachable: "with no facility reachable by road" },
    }[state.lang];
    const parts = (statuses) => state.meta.tiers.filter((x) => statuses.includes(x.status) && by[x.status])
      .map((x) => fmt(by[x.status], 0) + " " + phrase[x.status]);
    const list = (items) => items.length <= 1 ? items.join("") : items.slice(0, -1).join(", ") + (state.lang === "nl" ? " en " : " and ") + items[items.length - 1];
    let s;
    if (state.lang === "nl") {
      s = "Van de " + fmt(ms.length, 0) + " gemeenten " + (meets === 1 ? "haalt " : "halen ") + fmt(meets, 0) + " de norm van " + lim + " minuten";
      const good = parts(["own_municipality", "within_limit"]);
      if (good.length) s += " (" + list(good) + ")";
      if (failing.length) s += "; " + fmt(failing.length, 0) + (failing.length === 1 ? " haalt de norm niet (" : " halen de norm niet (") + list(parts(["within_region", "outside_region", "unreachable"])) + ").";
      else s += ": allemaal.";
    } else {
      s = "Of the " + fmt(ms.length, 0) + " municipalities, " + fmt(meets, 0) + (meets === 1 ? " meets" : " meet") + " the " + lim + "-minute norm";
      const good = parts(["own_municipality", "within_limit"]);
      if (good.length) s += " (" + list(good) + ")";
      if (failing.length) s += "; " + fmt(failing.length, 0) + (failing.length === 1 ? " does not (" : " do not (") + list(parts(["within_region", "outside_region", "unreachable"])) + ").";
      else s += ": all of them.";
    }
    // Which hour the counts are for, when it is not simply free flow.
    const hour = $("period").value === "both" ? t("head_free") : $("period").value === "peak" ? t("head_peak") : "";
    if (hour) s = hour + ": " + s.charAt(0).toLowerCase() + s.slice(1);
    $("headline").textContent = s;
    $("headline").dataset.meets = String(meets);
    $("headline").dataset.total = String(ms.length);
    // The regions with flags, each a button to its figures.
    const rr = $("headline-regions");
    rr.textContent = "";
    const regions = state.regions ? state.regions.regions : [];
    const flagged = regions.filter((r) => r.flags.length > 0);
    rr.dataset.flagged = String(flagged.length);
    const all = flagged.length === regions.length && regions.length > 1;
    const sep = flagged.length <= 4 ? ": " : "; ";
    rr.appendChild(textNode(state.lang === "nl"
      ? (!flagged.length ? "Geen van de " + fmt(regions.length, 0) + " regio's heeft signalen."
        : (all ? "Alle " + fmt(regions.length, 0) + " regio's hebben" : fmt(flagged.length, 0) + " van de " + fmt(regions.length, 0) + " regio's " + (flagged.length === 1 ? "heeft" : "hebben")) + " signalen" + sep)
      : (!flagged.length ? "None of the " + fmt(regions.length, 0) + " regions is flagged."
        : (all ? "All " + fmt(regions.length, 0) + " regions are" : fmt(flagged.length, 0) + " of the " + fmt(regions.length, 0) + " regions " + (flagged.length === 1 ? "is" : "are")) + " flagged" + sep)));
    if (flagged.length <= 4) {
      flagged.forEach((r, i) => {
        if (i) rr.appendChild(textNode(i === flagged.length - 1 ? (state.lang === "nl" ? " en " : " and ") : ", "));
        const b = el("button", { type: "button", class: "linklike", title: r.flags.map(flagText).join("; ") }, r.name);
        b.addEventListener("click", () => selectRegion(r.code, true));
        rr.appendChild(b);
        const more = r.flags.length - 1;
        const others = more < 1 ? "" : state.lang === "nl"
          ? (more === 1 ? ", en 1 ander signaal" : ", en " + more + " andere signalen")
          : (more === 1 ? ", and 1 more flag" : ", and " + more + " more flags");
        rr.appendChild(textNode(" (" + flagText(r.flags[0]) + others + ")"));
      });
      if (flagged.length) rr.appendChild(textNode("."));
      $("flagged-box").hidden = true;
    } else {
      // Many regions: the most frequent reason in the sentence, the names in a fold.
      const byRule = {};
      for (const r of flagged) for (const f of r.flags) byRule[f.rule] = (byRule[f.rule] || []).concat([f]);
      const [rule, fs] = Object.entries(byRule).sort((a, b) => b[1].length - a[1].length)[0];
      const RULE = {
        nl: { min_facilities: "geen of te weinig passende voorzieningen in de regio", min_share_within_limit: "minder jongeren binnen de norm dan verwacht",
          min_balance: "een tekort aan plaatsen tegenover de verwachte vraag", share_gap_to_national: "verder achter op het landelijke beeld dan toegestaan",
          places_factor_of_national: "minder dan de helft van de landelijke plaatsen per 10.000 jongeren" },
        en: { min_facilities: "no or too few suitable facilities in the region", min_share_within_limit: "fewer young people within the norm than expected",
          min_balance: "a shortage of places against the expected demand", share_gap_to_national: "further behind the national picture than allowed",
          places_factor_of_national: "less than half the national places per 10,000 young people" },
      }[state.lang];
      const example = RULE[rule] || flagText(fs[0]);
      rr.appendChild(textNode(state.lang === "nl"
        ? "het vaakst, bij " + fmt(fs.length, 0) + " regio's, " + example + "."
        : "most often, in " + fmt(fs.length, 0) + " regions, " + example + "."));
      rr.dataset.rule = rule;
      $("flagged-box").hidden = false;
      $("flagged-summary").textContent = state.lang === "nl" ? "De " + fmt(flagged.length, 0) + " regio's met signalen" : "The " + fmt(flagged.length, 0) + " flagged regions";
      const ul = $("flagged-list");
      ul.textContent = "";
      for (const r of flagged.slice().sort((a, b) => a.name.localeCompare(b.name, state.lang))) {
        const b = el("button", { type: "button", class: "chip", title: r.flags.map(flagText).join("; ") }, r.name);
        b.addEventListener("click", () => selectRegion(r.code, true));
        ul.appendChild(el("li", null, b));
      }
    }
    // The failing municipalities by name.
    $("failing-box").hidden = failing.length === 0;
    $("failing-summary").textContent = state.lang === "nl"
      ? (failing.length === 1 ? "De gemeente die de norm niet haalt" : "De " + fmt(failing.length, 0) + " gemeenten die de norm niet halen")
      : (failing.length === 1 ? "The municipality that misses the norm" : "The " + fmt(failing.length, 0) + " municipalities that miss the norm");
    const ul = $("failing-list");
    ul.textContent = "";
    for (const m of failing) {
      const b = el("button", { type: "button", class: "chip" }, m.name);
      b.addEventListener("click", () => selectMunicipality(m.code, true));
      ul.appendChild(el("li", null, b));
    }
    hoursSentence(ms);
    window.nabij.headline = { meets, total: ms.length, flagged: flagged.length };
  }

  // The rush hour and the fragile municipalities in one sentence, names as buttons.
  function hoursSentence(ms) {
    const box = $("headline-hours");
    box.textContent = "";
    const nl = state.lang === "nl";
    const byName = (a, b) => a.name.localeCompare(b.name, state.lang);
    const changes = ms.filter((m) => m.robust === false).sort(byName);
    const fragile = ms.filter((m) => m.fragile && m.robust !== false).sort(byName);
    const names = (list) => {
      list.slice(0, 6).forEach((m, i) => {
        if (i) box.appendChild(textNode(i === Math.min(list.length, 6) - 1 && list.length <= 6 ? (nl ? " en " : " and ") : ", "));
        const b = el("button", { type: "button", class: "linklike" }, m.name);
        b.addEventListener("click", () => selectMunicipality(m.code, true));
        box.appendChild(b);
      });
      if (list.length > 6) box.appendChild(textNode(nl ? " en " + (list.length - 6) + " andere" : " and " + (list.length - 6) + " more"));
    };
    const period = $("period").value;
    if (period === "both") {
      const meetsPeak = ms.filter((m) => meetsNorm(m.status_peak)).length;
      box.appendChild(textNode(nl
        ? "In de spits halen " + fmt(meetsPeak, 0) + " gemeenten de norm. "
        : "At rush hour " + fmt(meetsPeak, 0) + " municipalities meet the norm. "));
      // With slower rush hours (the default factors) every change is a loss: say so.
      const allLost = changes.every((m) => meetsNorm(m.status) && !meetsNorm(m.status_peak));
      if (changes.length && allLost) {
        box.appendChild(textNode(nl
          ? (changes.length === 1 ? "1 gemeente haalt de norm dan niet meer: " : fmt(changes.length, 0) + " gemeenten halen de norm dan niet meer: ")
          : (changes.length === 1 ? "1 municipality then no longer meets it: " : fmt(changes.length, 0) + " municipalities then no longer meet it: ")));
        names(changes);
        box.appendChild(textNode(". "));
      } else if (changes.length) {
        box.appendChild(textNode(nl
          ? (changes.length === 1 ? "Bij 1 gemeente hangt het niveau af van het tijdstip: " : "Bij " + fmt(changes.length, 0) + " gemeenten hangt het niveau af van het tijdstip: ")
          : (changes.length === 1 ? "In 1 municipality the tier depends on the hour: " : "In " + fmt(changes.length, 0) + " municipalities the tier depends on the hour: ")));
        names(changes);
        box.appendChild(textNode(". "));
      } else {
        box.appendChild(textNode(nl ? "Bij geen enkele gemeente hangt het niveau af van het tijdstip. " : "In no municipality does the tier depend on the hour. "));
      }
    }
    if (fragile.length) {
      box.appendChild(textNode(nl
        ? "Kwetsbaar, omdat reistijden die minder dan " + fragileShare() + " veranderen het niveau al veranderen: "
        : "Fragile, because travel times changing by less than " + fragileShare() + " would change the tier: "));
      names(fragile);
      box.appendChild(textNode("."));
    } else if (period !== "both") {
      box.appendChild(textNode(nl ? "Geen gemeente is kwetsbaar (elk niveau heeft minstens " + fragileShare() + " marge)." : "No municipality is fragile (every tier has at least " + fragileShare() + " margin)."));
    }
    box.dataset.changes = String(changes.length);
    box.dataset.fragile = String(fragile.length);
  }

  // -- The map -----------------------------------------------------------------------------

  // Robustness: one colour per class, from the tier palette (checked for colour-vision
  // deficiencies); the two classes that need attention are hatched too.
  const ROBUST = { changes: "#5a2412", fragile: "#dd5a1c", robust: "#1f4fbf", fails: "#a0466e" };

  // What needs attention first: a tier that changes with the hour, then one close to the
  // norm; the rest meets it comfortably at every hour or misses it at every hour.
  function robustness(p) {
    if (p.robust === false) return "changes";
    if (p.fragile) return "fragile";
    return meetsNorm(p.status) ? "robust" : "fails";
  }

  function fragileShare() {
    const m = state.coverage && state.coverage.nabij && state.coverage.nabij.need;
    return fmt(100 * (m && m.fragile_margin !== undefined ? m.fragile_margin : 0.1), 0) + "%";
  }

  function colourer(features) {
    const by = $("colour").value;
    if (by === "robust") {
      return {
        colour: (p) => ROBUST[robustness(p)],
        legend: [
          [ROBUST.changes, features.every((f) => f.properties.robust !== false || (meetsNorm(f.properties.status) && !meetsNorm(f.properties.status_peak)))
            ? t("rb_changes") : t("rb_changes_any"), "changes"],
          [ROBUST.fragile, t("rb_fragile").replace("{m}", fragileShare()), "fragile"],
          [ROBUST.robust, t("rb_robust"), false],
          [ROBUST.fails, t("rb_fails"), "fails"],
        ],
        hatch: (p) => { const r = robustness(p); return r === "robust" ? null : r; },
      };
    }
    if (by === "status") {
      return {
        colour: (p) => (tier(p.status) || {}).colour || "#999999",
        legend: state.meta.tiers.map((x) => [x.colour, x[state.lang], x.meets_norm ? false : x.status]),
        hatch: (p) => meetsNorm(p.status) ? null : p.status,
      };
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
    const lab = (i) => {
      const f = (x) => by === "share_within_limit" ? pct(x) : fmt(x, 1);
      if (i === 0) return "≤ " + f(breaks[0]);
      if (i === breaks.length) return "> " + f(breaks[breaks.length - 1]);
      return f(breaks[i - 1]) + " – " + f(breaks[i]);
    };
    return {
      colour: (p) => typeof p[by] === "number" ? ramp[cls(p[by])] : "#bbbbbb",
      legend: ramp.map((c, i) => [c, lab(i), false]).concat([["#bbbbbb", t("unknown"), false]]),
    };
  }

  function drawLegend(items) {
    const box = $("legend");
    box.textContent = "";
    for (const [c, text, hatched] of items) {
      const sw = el("span", { class: "sw" + (hatched ? " hatched hatch-" + hatched : ""), "aria-hidden": "true" });
      sw.style.backgroundColor = c;
      const tail = hatched && !["changes", "fragile", "fails"].includes(hatched) ? " (" + t("fails") + ")" : "";
      box.appendChild(el("div", { class: "row" }, sw, text + tail));
    }
    const f = $("legend-facilities");
    f.textContent = "";
    f.appendChild(el("div", { class: "row" }, el("span", { class: "legend-marker fac fac-counts", "aria-hidden": "true" }), t("fac_counts")));
    f.appendChild(el("div", { class: "row" }, el("span", { class: "legend-marker fac fac-other", "aria-hidden": "true" }), t("fac_other")));
  }

  // Hatching patterns in the map's SVG, one per tier that misses the norm (lines, crossed
  // lines, dots), so that those tiers differ by pattern as well as by colour.
  function ensureHatch() {
    const svg = state.map.getPane("overlayPane").querySelector("svg");
    if (!svg || svg.querySelector("#nabij-hatch-within_region")) return;
    const ns = "http://www.w3.org/2000/svg";
    const defs = document.createElementNS(ns, "defs");
    const shape = (tag, attrs) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const white = { fill: "#ffffff", "fill-opacity": "0.75" };
    const patterns = {
      within_region: [shape("rect", Object.assign({ width: "2.5", height: "8" }, white))],
      outside_region: [shape("rect", Object.assign({ width: "2", height: "8" }, white)), shape("rect", Object.assign({ width: "8", height: "2" }, white))],
      unreachable: [shape("circle", Object.assign({ cx: "4", cy: "4", r: "1.8" }, white))],
      changes: [shape("rect", Object.assign({ width: "2", height: "8" }, white)), shape("rect", Object.assign({ width: "8", height: "2" }, white))],
      fragile: [shape("rect", Object.assign({ width: "2.5", height: "8" }, white))],
      fails: [shape("circle", Object.assign({ cx: "4", cy: "4", r: "1.8" }, white))],
    };
    for (const [status, parts] of Object.entries(patterns)) {
      const attrs = { id: "nabij-hatch-" + status, patternUnits: "userSpaceOnUse", width: "8", height: "8" };
      if (status !== "unreachable" && status !== "fails") attrs.patternTransform = status === "fragile" ? "rotate(-45)" : "rotate(45)";
      const pat = shape("pattern", attrs);
      for (const p of parts) pat.appendChild(p);
      defs.appendChild(pat);
    }
    svg.insertBefore(defs, svg.firstChild);
  }

  function drawCoverage(fc) {
    const started = performance.now();
    for (const layer of [state.layer, state.hatch]) if (layer) layer.remove();
    const c = colourer(fc.features);
    window.nabij.colours = {};
    state.byCode = {};
    state.layer = L.geoJSON(fc, {
      style: (f) => {
        const p = f.properties;
        const fill = c.colour(p);
        window.nabij.colours[p.code] = fill;
        const changed = p.effect && p.effect !== "same";
        return {
          fillColor: fill, fillOpacity: 0.85, color: changed ? "#000" : "#ffffff",
          weight: changed ? 3.5 : 0.8,
          className: "muni muni-" + p.code + " status-" + p.status + (changed ? " changed" : ""),
        };
      },
      onEachFeature: (f, layer) => {
        state.byCode[f.properties.code] = layer;
        layer.on("click", () => { $("search").value = ""; selectMunicipality(f.properties.code, false); });
        // Names come from data anyone can edit (OpenStreetMap): a text node, never HTML.
        layer.bindTooltip(() => textNode(f.properties.name + " — " + tierName(f.properties.status)), { sticky: true });
      },
    }).addTo(state.map);
    ensureHatch();
    // The municipalities that miss the norm (or whose tier does not hold at rush hour) carry
    // a hatching too: the classes that need attention without colour.
    if (c.hatch) {
      state.hatch = L.geoJSON({ type: "FeatureCollection", features: fc.features.filter((f) => c.hatch(f.properties)) }, {
        interactive: false,
        style: (f) => { const h = c.hatch(f.properties); return { fillColor: "url(#nabij-hatch-" + h + ")", fillOpacity: 1, stroke: false, className: "hatch hatch-" + h }; },
      }).addTo(state.map);
    }
    if (!state.fitted) {
      const b = state.layer.getBounds();
      if (b.isValid()) state.map.fitBounds(b, { padding: [10, 10] });
      state.fitted = true;
    }
    if (state.outline) state.outline.bringToFront();
    if (state.facilityLayer) state.facilityLayer.eachLayer((m) => m.setZIndexOffset(1000));
    drawLegend(c.legend);
    updateLabels();
    const ms = performance.now() - started;
    window.nabij.renderMs = ms;
    $("status").textContent = t("updated") + ": " + fmt(fc.features.length, 0) + " " + (state.lang === "nl" ? "gemeenten" : "municipalities") + ".";
  }

  // Region outlines of the chosen grouping, heavy, over the municipalities.
  function drawOutlines(fc) {
    if (state.outline) state.outline.remove();
    state.outline = L.geoJSON(fc, {
      interactive: false,
      style: () => ({ fill: false, color: "#111827", weight: 2.5, opacity: 0.9, className: "region-outline" }),
    }).addTo(state.map);
  }

  // Municipality names where they fit at this zoom.
  function clearLabels() {
    for (const l of state.labels) l.remove();
    state.labels = [];
  }

  function updateLabels() {
    clearLabels();
    if (!state.coverage) return;
    for (const f of state.coverage.features) {
      const layer = state.byCode[f.properties.code];
      if (!layer || !layer.getBounds().isValid()) continue;
      const b = layer.getBounds();
      const a = state.map.latLngToContainerPoint(b.getNorthWest());
      const z = state.map.latLngToContainerPoint(b.getSouthEast());
      const name = f.properties.name;
      if (Math.abs(z.x - a.x) < name.length * 6.5 + 10 || Math.abs(z.y - a.y) < 22) continue;
      const tip = L.tooltip({ permanent: true, direction: "center", offset: [0, -16], className: "muni-label", interactive: false })
        .setLatLng(layer.getCenter()).setContent(textNode(name));
      tip.addTo(state.map);
      state.labels.push(tip);
    }
  }

  function drawFacilities(fc) {
    if (state.facilityLayer) state.facilityLayer.remove();
    const suitable = new Set((state.coverage && state.coverage.nabij && state.coverage.nabij.suitable_facilities) || []);
    state.facilityLayer = L.layerGroup();
    for (const f of fc.features) {
      if (!f.geometry) continue;
      const [lon, lat] = f.geometry.coordinates;
      const counts = suitable.has(f.id);
      const name = f.properties.name;
      const m = L.marker([lat, lon], {
        icon: L.divIcon({ className: "fac " + (counts ? "fac-counts" : "fac-other") + " facility facility-" + f.id, iconSize: [14, 14] }),
        // Facilities that count lie on top of those that do not.
        title: name, keyboard: true, riseOnHover: true, zIndexOffset: counts ? 2000 : 1000,
      });
      m.on("click", () => { $("search").value = ""; state.detail = { kind: "facility", id: f.id }; renderDetail(); });
      m.on("add", () => {
        const e = m.getElement();
        if (!e) return;
        e.setAttribute("role", "button");
        e.setAttribute("aria-label", name + " — " + (counts ? t("fac_counts") : t("fac_other")));
      });
      state.facilityLayer.addLayer(m);
    }
    state.facilityLayer.addTo(state.map);
  }

  // A unit new in a scenario or a draft: a counting facility with a ring.
  function newUnitMarker(at, name) {
    const m = L.marker(at, {
      icon: L.divIcon({ className: "fac fac-counts fac-new facility", iconSize: [16, 16] }),
      title: name, keyboard: true, zIndexOffset: 1500,
    });
    m.on("add", () => { const e = m.getElement(); if (e) { e.setAttribute("role", "img"); e.setAttribute("aria-label", name + " — " + t("new_unit")); } });
    state.facilityLayer.addLayer(m);
  }

  // The units a scenario adds (where it gives their place), drawn with a ring.
  async function drawScenarioUnits(id, generation) {
    try {
      const s = await getJSON("/api/v1/scenarios/" + encodeURIComponent(id));
      if (generation !== state.generation) return;
      const changes = (s.scenario && s.scenario.changes) || [];
      for (const c of changes) {
        if (c.op !== "add") continue;
        // A unit placed in a municipality stands at its centre.
        const at = typeof c.lon === "number" ? [c.lat, c.lon]
          : state.byCode[c.municipality] ? state.byCode[c.municipality].getCenter() : null;
        if (!at) continue;
        newUnitMarker(at, c.name || c.id);
      }
    } catch (e) {
      window.nabij.errors.push(e.message);
    }
  }

  // -- Details ------------------------------------------------------------------------------

  function dl(rows) {
    const d = el("dl");
    for (const [k, v] of rows) { d.appendChild(el("dt", null, k)); d.appendChild(el("dd", null, v)); }
    return d;
  }

  function selectMunicipality(code, zoom) {
    state.detail = { kind: "municipality", code };
    const layer = state.byCode[code];
    if (zoom && layer) state.map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [30, 30] });
    const p = layer && layer.feature.properties;
    const grouping = $("grouping").value;
    if (p && p[grouping]) state.selected = p[grouping];
    renderDetail();
    drawRegions();
    updateDownloads();
    $("info").focus();
  }

  function selectRegion(code, zoom) {
    state.selected = code;
    state.detail = { kind: "region", code };
    if (zoom && state.outline) {
      state.outline.eachLayer((l) => { if (l.feature && l.feature.id === code) state.map.fitBounds(l.getBounds(), { padding: [20, 20] }); });
    }
    renderDetail();
    drawRegions();
    updateDownloads();
    $("info").focus();
  }

  // The details panel, drawn anew on every language, grouping or question change.
  function renderDetail() {
    const info = $("info");
    info.textContent = "";
    const d = state.detail;
    if (!d) { info.appendChild(el("p", null, t("clickhint"))); return; }
    if (d.kind === "municipality") renderMunicipality(info, d.code);
    else if (d.kind === "facility") renderFacility(info, d.id);
    else if (d.kind === "region") {
      const r = state.regions && state.regions.regions.find((x) => x.code === d.code);
      if (r) { info.appendChild(el("h3", null, t("regionfig") + ": " + r.name)); info.appendChild(regionFigures(r)); }
    }
  }

  async function renderMunicipality(info, code) {
    const layer = state.byCode[code];
    if (!layer) return;
    const p = layer.feature.properties;
    info.appendChild(el("h3", null, p.name));
    if (!p.origins && p.minutes_median === null) {
      info.appendChild(el("p", null, p.name + " " + t("noroads")));
    }
    const minutes = (x) => x === null || x === undefined ? t("nofacility") : fmt(x) + " " + t("min");
    info.appendChild(dl([
      [t("status"), tierName(p.status) + (p.status_before && p.status_before !== p.status ? " (" + t("before") + ": " + tierName(p.status_before) + ")" : "")],
    ].concat(p.status_peak ? [[t("peak_status"), tierName(p.status_peak)]] : []).concat([
      [p.status_peak ? t("margin_free") : t("margin"), marginText(p)],
      [t("share"), pct(p.share_within_limit)],
      [p.status_peak ? t("median_free") : t("median"), minutes(p.minutes_median)],
    ]).concat(p.status_peak ? [[t("median_peak"), minutes(p.minutes_median_peak)]] : []).concat([
      [t("p90"), minutes(p.minutes_p90)],
      [t("nearest"), p.nearest_facility_name ? p.nearest_facility_name + (p.nearest_minutes !== null ? ", " + fmt(p.nearest_minutes) + " " + t("min") : "") : t("nofacility")],
      [t("young"), fmt(p.young_people, 0)],
      [t("demand"), fmt(p.demand, 1)],
      [t("access"), fmt(p.access_e2sfca, 2)],
    ])));
    const code2 = p[$("grouping").value];
    const region = state.regions && state.regions.regions.find((r) => r.code === code2);
    if (region) {
      info.appendChild(el("h3", null, t("regionfig") + ": " + region.name));
      info.appendChild(regionFigures(region));
    }
    if ($("scenario").value) return;
    const list = el("ol", { id: "nearest-list" });
    info.appendChild(el("h3", null, t("nearestlist")));
    info.appendChild(list);
    list.appendChild(el("li", null, t("loading")));
    const generation = state.generation;
    try {
      const one = await getJSON("/api/v1/coverage/" + encodeURIComponent(p.code) + "?" + needQuery());
      if (generation !== state.generation || !list.isConnected) return;
      list.textContent = "";
      if (!one.nearest_facilities.length) list.appendChild(el("li", null, t("nofacility")));
      for (const f of one.nearest_facilities) {
        list.appendChild(el("li", { class: f.within_limit ? "within" : "beyond" }, f.name + " — " + fmt(f.minutes) + " " + t("min")));
      }
    } catch (e) {
      if (list.isConnected) list.textContent = t("error") + ": " + e.message;
    }
  }

  // How close a municipality is to the norm, in words.
  function marginText(p) {
    if (p.margin_minutes === null || p.margin_minutes === undefined) return t("margin_none");
    const spare = p.margin_minutes >= 0;
    const change = spare ? p.margin_factor - 1 : 1 - p.margin_factor;
    const s = t(spare ? "margin_spare" : "margin_short").replace("{x}", fmt(Math.abs(p.margin_minutes), 1)).replace("{p}", pct(change));
    return (p.fragile ? t("fragile_word") + ": " : "") + s;
  }

  // A region's flag in the page's language (the API words flags in English).
  function flagText(f) {
    if (state.lang !== "nl") return f.message;
    const lim = fmt(Number($("minutes").value) || 45, 0);
    switch (f.rule) {
      case "min_facilities":
        return f.actual === 0 ? "geen passende voorziening in de regio"
          : count(f.actual, "passende voorziening", "passende voorzieningen") + ", verwacht minstens " + fmt(f.expected, 0);
      case "min_share_within_limit":
        return pct(f.actual) + " van de jongeren binnen " + lim + " minuten, minder dan de verwachte " + pct(f.expected);
      case "min_balance":
        return "tekort van " + fmt(-f.actual, 1) + " plaatsen tegenover de verwachte vraag";
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
      [t("r_fac"), r.facilities ? fmt(r.facilities, 0) : t("noregionfac")],
      [t("r_places"), fmt(r.places_per_10k, 2)],
      [t("r_share"), pct(r.share_within_limit)],
      [t("r_balance"), fmt(r.balance, 1)],
    ].concat(r.share_tier_depends_on_hour === null || r.share_tier_depends_on_hour === undefined ? []
      : [[t("r_hours"), pct(r.share_tier_depends_on_hour)]]).concat([
      [t("r_fragile"), (r.fragile_municipalities || []).length
        ? r.fragile_municipalities.map((c) => (state.byCode[c] ? state.byCode[c].feature.properties.name : c)).join(", ")
        : t("r_nofragile")],
    ])));
    const flags = el("ul", { class: "flags" });
    for (const f of r.flags) flags.appendChild(el("li", null, flagText(f)));
    box.appendChild(r.flags.length ? flags : el("p", { class: "small" }, t("noflags")));
    return box;
  }

  async function renderFacility(info, id) {
    const f = state.facilities && state.facilities.features.find((x) => x.id === id);
    if (!f) return;
    const p = f.properties;
    const suitable = new Set((state.coverage && state.coverage.nabij.suitable_facilities) || []);
    info.appendChild(el("h3", null, t("facility") + ": " + p.name));
    info.appendChild(dl([
      [t("type"), typeLabel(p.type)],
      [t("places_label"), p.places === null || p.places === undefined ? t("unknown") : fmt(p.places, 0)],
      [t("fstatus"), label("fstatus", p.status)],
      [t("municipality"), p.municipality && state.byCode[p.municipality] ? state.byCode[p.municipality].feature.properties.name : (p.municipality || t("unknown"))],
    ]));
    info.appendChild(el("p", { class: "small" }, suitable.has(id) ? t("fac_counts") : t("fac_other")));
    if ($("edit-panel").open && !$("scenario").value) info.appendChild(editButtons(f));
    const minutes = Number($("minutes").value) || 45;
    if (state.isochrone) state.isochrone.remove();
    try {
      const iso = await getJSON("/api/v1/isochrone?at=" + encodeURIComponent(id) + "&minutes=" + minutes);
      if (!info.isConnected) return;
      state.isochrone = L.geoJSON(iso, { interactive: false, style: { color: "#111827", weight: 2, dashArray: "6 4", fillOpacity: 0.06, className: "isochrone" } }).addTo(state.map);
      info.appendChild(el("p", { class: "small" }, t("isochrone") + " " + minutes + " " + t("minutes_word") + "."));
    } catch (e) {
      info.appendChild(el("p", { class: "small" }, t("error") + ": " + e.message));
    }
  }

  // -- The regional table ------------------------------------------------------------------

  function drawRegions() {
    const body = document.querySelector("#regions tbody");
    body.textContent = "";
    if (!state.regions) return;
    $("regions-grouping").textContent = "(" + label("grouping", state.regions.grouping) + ")";
    const { key, dir } = state.sort;
    const rows = state.regions.regions.slice().sort((a, b) => {
      const count = (r) => key === "flags" ? r.flags.length : key === "fragile" ? (r.fragile_municipalities || []).length : r[key];
      const va = count(a);
      const vb = count(b);
      if (typeof va === "number" && typeof vb === "number") return dir * (va - vb);
      return dir * String(va).localeCompare(String(vb), state.lang);
    });
    const heads = [...document.querySelectorAll("#regions th")].map((th) => th.textContent);
    for (const r of rows) {
      const flags = el("ul", { class: "flags" });
      for (const f of r.flags) flags.appendChild(el("li", null, flagText(f)));
      const name = el("button", { type: "button", class: "linklike" }, r.name);
      name.addEventListener("click", () => selectRegion(r.code, true));
      const tr = el("tr", { "data-code": r.code, class: (r.unfair ? "unfair" : "") + (r.code === state.selected ? " selected" : "") },
        el("td", null, name),
        el("td", { class: "num", "data-label": heads[1] }, fmt(r.facilities, 0)),
        el("td", { class: "num", "data-label": heads[2] }, fmt(r.places_per_10k, 2)),
        el("td", { class: "num", "data-label": heads[3] }, pct(r.share_within_limit)),
        el("td", { class: "num", "data-label": heads[4] }, fmt(r.balance, 1)),
        el("td", { class: "num", "data-label": heads[5] }, fmt(r.gini_minutes, 3)),
        el("td", { class: "num", "data-label": heads[6] }, fmt((r.fragile_municipalities || []).length, 0)),
        el("td", { "data-label": heads[7] }, r.flags.length ? flags : t("noflags")));
      body.appendChild(tr);
    }
    for (const th of document.querySelectorAll("#regions th")) {
      if (th.dataset.key === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const sel = $("advice-region");
    const keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    for (const r of state.regions.regions.slice().sort((a, b) => a.name.localeCompare(b.name, state.lang))) {
      sel.appendChild(el("option", { value: r.code }, r.name));
    }
    sel.value = keep;
  }

  function updateDownloads() {
    const id = $("scenario").value;
    const q = needQuery();
    // The workbook, the Dutch CSV and the GeoPackage exist for the baseline only.
    for (const k of ["dl-xlsx", "dl-csv-nl", "dl-gpkg"]) $(k).hidden = !!id;
    if (id) {
      const as = (format) => { const p = new URLSearchParams(q); p.set("format", format); return "/api/v1/scenarios/" + id + "/coverage?" + p; };
      $("dl-geojson").href = as("geojson");
      $("dl-csv").href = as("csv");
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
    const region = state.selected || (state.regions && state.regions.regions[0] && state.regions.regions[0].code);
    const r = id ? new URLSearchParams() : new URLSearchParams(q);
    if (region) r.set("region", region);
    r.set("grouping", $("grouping").value);
    r.set("format", "html");
    r.set("lang", state.lang);
    // The report follows the scenario shown.
    $("dl-report").href = (id ? "/api/v1/scenarios/" + id + "/report?" : "/api/v1/report?") + r;
  }

  // -- Loading an answer -------------------------------------------------------------------

  async function load() {
    if (state.draft.length && !$("scenario").value) return preview();
    const generation = ++state.generation;
    window.nabij.ready = false;
    document.body.dataset.ready = "0";
    loading(true);
    const id = $("scenario").value;
    const q = needQuery();
    const grouping = $("grouping").value;
    const rq = new URLSearchParams(q); rq.set("grouping", grouping);
    try {
      const outlines = state.outlines[grouping]
        ? Promise.resolve(state.outlines[grouping])
        : getJSON("/api/v1/regions?format=geojson&grouping=" + encodeURIComponent(grouping));
      const [cov, reg, shapes] = await Promise.all([
        // A saved scenario answers the question the controls ask, not only the one it was saved with.
        getJSON(id ? "/api/v1/scenarios/" + id + "/coverage?" + q : "/api/v1/coverage?" + q),
        getJSON(id ? "/api/v1/scenarios/" + id + "/regions?" + rq : "/api/v1/regions?" + rq),
        outlines,
      ]);
      if (generation !== state.generation) return; // a newer request won
      $("finding-title").textContent = t("finding");
      // Compared with another saved scenario instead of today: its tiers are the "before".
      const against = id ? $("against").value : "";
      if (against) {
        const cmp = await getJSON("/api/v1/scenarios/" + id + "/diff?against=" + encodeURIComponent(against));
        if (generation !== state.generation) return;
        const by = {};
        for (const m of cmp.diff.municipalities) by[m.code] = m;
        for (const f of cov.features) {
          const m = by[f.properties.code];
          if (m) { f.properties.status_before = m.status_before; f.properties.effect = m.effect; }
        }
        window.nabij.compared = cmp.diff.municipalities_changed;
      }
      state.outlines[grouping] = shapes;
      clearBanner();
      $("mapwrap").classList.remove("stale");
      $("finding").classList.remove("stale");
      state.coverage = cov;
      state.regions = reg;
      suggestKind(cov);
      drawOutlines(shapes);
      drawCoverage(cov);
      if (state.facilities) drawFacilities(state.facilities);
      if (id) drawScenarioUnits(id, generation);
      headline();
      drawRegions();
      renderDetail();
      updateDownloads();
      if (id) $("status").textContent = $("against").value ? t("compare_two") : t("compare");
      // Any saved scenario but the one shown can be the one compared with.
      const keep = $("against").value;
      const sel = $("against");
      while (sel.options.length > 1) sel.remove(1);
      for (const o of $("scenario").options) if (o.value && o.value !== id) sel.appendChild(el("option", { value: o.value }, o.textContent));
      sel.value = [...sel.options].some((o) => o.value === keep) ? keep : "";
      $("against-row").hidden = !id || sel.options.length < 2;
      window.nabij.generation = generation;
      loading(false);
      markReady("1");
    } catch (e) {
      if (generation !== state.generation) return;
      loading(false);
      markStale();
      showBanner(e);
      window.nabij.generation = generation;
      markReady("error");
    }
  }

  // Ready (for tests: window.nabij.ready and body[data-ready]) once the first view is
  // whole, then after every redraw.
  function markReady(outcome) {
    state.outcome = outcome;
    if (!state.initDone) return;
    window.nabij.ready = true;
    document.body.dataset.ready = outcome;
  }

  // -- Advice on the page ------------------------------------------------------------------

  async function askAdvice(ev) {
    ev.preventDefault();
    const list = $("advice-list");
    list.textContent = "";
    list.appendChild(el("li", null, t("loading")));
    if (state.adviceLayer) { state.adviceLayer.remove(); state.adviceLayer = null; }
    const q = needQuery();
    q.set("add", $("advice-add").value || "1");
    q.set("objective", $("advice-objective").value);
    if ($("advice-region").value) q.set("region", $("advice-region").value);
    window.nabij.advice = null;
    try {
      const a = await getJSON("/api/v1/advice?" + q);
      clearBanner();
      list.textContent = "";
      state.adviceLayer = L.layerGroup().addTo(state.map);
      if (!a.sites.length) list.appendChild(el("li", null, t("advice_none")));
      for (const s of a.sites) {
        const where = state.byCode[s.municipality] ? state.byCode[s.municipality].feature.properties.name : s.name;
        const parts = [fmt(s.newly_within_limit, 0) + " " + t("advice_new")];
        if (s.first_in_region) parts.push(t("advice_first"));
        if ($("advice-objective").value === "median") parts.push(fmt(s.weighted_minutes_saved / Math.max(1, s.newly_within_limit || 1), 0) + " " + t("advice_minutes"));
        list.appendChild(el("li", { class: "advice-site" }, where + ": " + parts.join("; ") + "."));
        const m = L.marker([s.lat, s.lon], {
          icon: L.divIcon({ className: "fac-advice", html: "", iconSize: [22, 22] }), title: s.rank + ". " + where, keyboard: true, zIndexOffset: 2000,
        }).addTo(state.adviceLayer);
        const e = m.getElement();
        if (e) { e.textContent = String(s.rank); e.setAttribute("aria-label", s.rank + ". " + where); }
      }
      const actions = $("advice-actions");
      actions.textContent = "";
      if (a.sites.length && a.check && a.check.scenario) {
        const b = el("button", { type: "button", id: "advice-to-scenario" }, t("to_scenario"));
        b.addEventListener("click", () => adviceToScenario(a));
        actions.appendChild(b);
      }
      window.nabij.advice = a;
      list.scrollIntoView({ block: "nearest" });
    } catch (e) {
      list.textContent = "";
      showBanner(e);
    }
  }

  async function adviceToScenario(a) {
    // Named in the page's words: the advised places.
    const places = a.sites.map((x) => state.byCode[x.municipality] ? state.byCode[x.municipality].feature.properties.name : x.name);
    const name = (state.lang === "nl" ? "Advies: " + (a.sites.length === 1 ? "1 nieuwe voorziening" : a.sites.length + " nieuwe voorzieningen") + " in "
      : "Advice: " + (a.sites.length === 1 ? "1 new facility" : a.sites.length + " new facilities") + " in ") + places.join(", ");
    const saved = await saveScenario(Object.assign({}, a.check.scenario, { name }));
    if (saved) $("advice-actions").appendChild(el("p", null, t("saved_as") + " \u201c" + name + "\u201d."));
  }

  // Saves a scenario for the question shown (the write token asked once per browser
  // session), then shows it; the saved answer, or null when it was not saved.
  async function saveScenario(body) {
    if (!state.meta.scenario_writes) { showBanner({ problem: { type: "#forbidden", status: 403 }, message: t("no_writes") }); return null; }
    let token = sessionStorage.getItem("nabij-token");
    if (!token) {
      token = window.prompt(t("token"));
      if (!token) return null;
      sessionStorage.setItem("nabij-token", token);
    }
    try {
      const saved = await getJSON("/api/v1/scenarios?" + needQuery(), {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", Authorization: "Bearer " + token },
        body: JSON.stringify(body),
      });
      $("scenario").appendChild(el("option", { value: saved.id }, body.name));
      $("scenario-row").hidden = false;
      $("scenario").value = saved.id;
      load();
      return saved;
    } catch (e) {
      if (e.problem && (e.problem.status === 401 || e.problem.status === 403)) sessionStorage.removeItem("nabij-token");
      showBanner(e);
      return null;
    }
  }

  // -- Making a scenario on the page ----------------------------------------------------

  // A new unit is of a kind that counts for the question shown, unless the planner chose.
  function suggestKind(cov) {
    const types = (cov.nabij && cov.nabij.need && cov.nabij.need.types) || [];
    const sel = $("edit-kind");
    if (sel.dataset.chosen || types.includes(sel.value)) return;
    const first = [...sel.options].find((o) => types.includes(o.value));
    if (first) sel.value = first.value;
  }

  // The changes that can be made to an existing facility, as buttons in its details.
  function editButtons(f) {
    const box = el("div", { class: "edit-actions" });
    const close = el("button", { type: "button", id: "edit-close" }, t("edit_close"));
    close.addEventListener("click", () => addChange({ op: "close", id: f.id }));
    const places = el("input", { type: "number", min: "1", max: "50", step: "1", id: "edit-resize-places", "aria-label": t("edit_places") });
    places.value = f.properties.places || 4;
    const resize = el("button", { type: "button", id: "edit-resize" }, t("edit_resize"));
    resize.addEventListener("click", () => addChange({ op: "set_places", id: f.id, places: Number(places.value) }));
    const move = el("button", { type: "button", id: "edit-move" }, t("edit_move"));
    move.addEventListener("click", () => { state.moving = f.id; state.adding = false; $("map").classList.add("adding"); });
    box.append(close, el("br"), places, resize, el("br"), move);
    return box;
  }

  function changeText(c) {
    const fac = (id) => {
      const f = state.facilities && state.facilities.features.find((x) => x.id === id);
      const d = state.draft.find((x) => x.op === "add" && x.id === id);
      return f ? f.properties.name : d ? d.name : id;
    };
    switch (c.op) {
      case "add": return t("ch_add") + ": " + c.name + " (" + typeLabel(c.type) + ", " + fmt(c.places, 0) + " " + t("ch_places") + ")";
      case "close": return t("ch_close") + ": " + fac(c.id);
      case "set_places": return fac(c.id) + ": " + fmt(c.places, 0) + " " + t("ch_places");
      case "move": return fac(c.id) + " " + t("ch_move");
      default: return c.op;
    }
  }

  function drawDraft() {
    const list = $("edit-changes");
    list.textContent = "";
    state.draft.forEach((c, i) => {
      const rm = el("button", { type: "button", "aria-label": t("edit_remove") + ": " + changeText(c) }, t("edit_remove"));
      rm.addEventListener("click", () => { state.draft.splice(i, 1); drawDraft(); state.draft.length ? preview() : load(); });
      list.appendChild(el("li", null, changeText(c), rm));
    });
    $("edit-save").disabled = state.draft.length === 0;
    if (!state.draft.length) $("edit-effect").textContent = t("effect_none");
  }

  function addChange(c) {
    // One change per facility and kind of change: the newest wins.
    state.draft = state.draft.filter((x) => !(x.op === c.op && x.id === c.id && c.op !== "add"));
    state.draft.push(c);
    if ($("scenario").value) { $("scenario").value = ""; }
    drawDraft();
    preview();
  }

  function mapClicked(e) {
    if (state.moving) {
      addChange({ op: "move", id: state.moving, lon: e.latlng.lng, lat: e.latlng.lat });
      state.moving = null;
      $("map").classList.remove("adding");
      return;
    }
    if (!state.adding) return;
    state.adding = false;
    $("edit-add").setAttribute("aria-pressed", "false");
    $("edit-add").textContent = t("edit_add");
    $("map").classList.remove("adding");
    state.drafted += 1;
    addChange({
      op: "add", id: "NIEUW-" + state.drafted, name: t("new_name") + " " + state.drafted,
      type: $("edit-kind").value, places: Number($("edit-places").value) || 4,
      lon: e.latlng.lng, lat: e.latlng.lat,
    });
  }

  // The draft computed without saving (POST /api/v1/scenarios/preview), drawn at once.
  async function preview() {
    const generation = ++state.generation;
    window.nabij.ready = false;
    loading(true);
    const q = needQuery();
    q.set("grouping", $("grouping").value);
    const body = { name: $("edit-name").value.trim() || t("concept"), changes: state.draft };
    try {
      const a = await getJSON("/api/v1/scenarios/preview?" + q, {
        method: "POST", headers: { Accept: "application/json", "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (generation !== state.generation) return;
      clearBanner();
      $("mapwrap").classList.remove("stale");
      state.coverage = a.coverage;
      state.regions = a.regions;
      drawCoverage(a.coverage);
      if (state.facilities) drawFacilities(state.facilities);
      drawDraftUnits();
      headline();
      drawRegions();
      renderDetail();
      effect(a);
      $("finding-title").textContent = t("draft_title");
      window.nabij.preview = a.diff;
      window.nabij.draft = { name: body.name, changes: state.draft.slice() };
      window.nabij.generation = generation;
      loading(false);
      markReady("1");
    } catch (e) {
      if (generation !== state.generation) return;
      loading(false);
      showBanner(e);
      window.nabij.generation = generation;
      markReady("error");
    }
  }

  function drawDraftUnits() {
    for (const c of state.draft) {
      if (c.op !== "add" && c.op !== "move") continue;
      newUnitMarker([c.lat, c.lon], c.op === "add" ? c.name : changeText(c));
    }
  }

  // The effect in sentences: municipalities changing tier, young people, flags.
  function effect(a) {
    const d = a.diff;
    const n = d.municipalities_changed;
    const parts = [fmt(n, 0) + " " + (n === 1 ? t("effect_one") : t("effect_changed"))];
    const gain = d.young_people_within_limit_after - d.young_people_within_limit_before;
    parts.push((gain >= 0 ? "+" : "−") + fmt(Math.abs(gain), 0) + " " + t("effect_young"));
    const changes = (a.regions && a.regions.changes) || [];
    const cleared = changes.filter((r) => r.flags_cleared.length).map((r) => r.name);
    const raised = changes.filter((r) => r.flags_raised.length).map((r) => r.name);
    if (cleared.length) parts.push(t("effect_cleared") + " " + cleared.join(", "));
    if (raised.length) parts.push(t("effect_raised") + " " + raised.join(", "));
    $("edit-effect").textContent = parts.join("; ") + ".";
  }

  async function saveDraft() {
    if (!state.draft.length) return;
    const name = $("edit-name").value.trim() || t("concept") + " " + new Date().toLocaleString(locale());
    const changes = state.draft.slice();
    state.draft = [];
    const saved = await saveScenario({ name, changes });
    if (!saved) { state.draft = changes; return; }
    drawDraft();
    $("edit-effect").textContent = t("saved_as") + " \u201c" + name + "\u201d.";
  }

  // -- Search ------------------------------------------------------------------------------

  function fillSearch() {
    const list = $("search-list");
    list.textContent = "";
    if (state.coverage) {
      for (const f of state.coverage.features) list.appendChild(el("option", { value: f.properties.name }));
    }
    if (state.facilities) {
      for (const f of state.facilities.features) list.appendChild(el("option", { value: f.properties.name + " — " + t("facility").toLowerCase() }));
    }
  }

  function search() {
    const v = $("search").value.trim().toLowerCase();
    if (!v || !state.coverage) return;
    const m = state.coverage.features.find((f) => f.properties.name.toLowerCase() === v || f.properties.code.toLowerCase() === v)
      || state.coverage.features.find((f) => f.properties.name.toLowerCase().startsWith(v));
    if (m) { selectMunicipality(m.properties.code, true); return; }
    const suffix = " — " + t("facility").toLowerCase();
    const name = v.endsWith(suffix) ? v.slice(0, -suffix.length) : v;
    const f = state.facilities && state.facilities.features.find((x) => x.properties.name.toLowerCase() === name);
    if (f) {
      const [lon, lat] = f.geometry.coordinates;
      state.map.setView([lat, lon], Math.max(state.map.getZoom(), 11));
      state.detail = { kind: "facility", id: f.id };
      renderDetail();
      $("info").focus();
    }
  }

  // The basemap is the server's (`--basemap-url`): the page's Content-Security-Policy
  // allows images from that origin only.
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
    state.map = L.map("map", { preferCanvas: false, zoomSnap: 0.25, attributionControl: true, keyboard: true });
    state.map.setView([52.2, 5.3], 7);
    state.map.getContainer().setAttribute("aria-label", t("maptitle"));
    if (window.matchMedia("(max-width: 760px)").matches) $("controls-fold").open = false;
    try {
      state.meta = await getJSON("/api/v1/meta");
    } catch (e) {
      showBanner(e);
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
    for (const p of m.need_profiles) $("profile").appendChild(el("option", { value: p.name }, p.name));
    const groupings = (m.groupings || []).slice();
    groupings.sort((a, b) => (a === "jeugdregio" ? -1 : b === "jeugdregio" ? 1 : a.localeCompare(b)));
    for (const g of groupings) $("grouping").appendChild(el("option", { value: g }, g));
    // A graph built before periods answers off-peak only: offer nothing else.
    const hasPeak = (m.periods || []).includes("peak");
    for (const o of $("period").options) if (o.value !== "free") o.disabled = !hasPeak;
    $("colour").querySelector("option[value='robust']").disabled = !hasPeak;
    applyLang();
    // Scenarios, facilities and the first coverage are fetched at the same time.
    const scenarios = m.scenarios ? getJSON("/api/v1/scenarios").then((list) => {
      for (const s of list.scenarios) $("scenario").appendChild(el("option", { value: s.id }, s.name + " (" + new Date(s.created_at).toLocaleDateString(locale(), { day: "numeric", month: "long", year: "numeric" }) + ")"));
      $("scenario-row").hidden = list.scenarios.length === 0;
    }).catch(() => { /* no database yet: no scenarios to show */ }) : Promise.resolve();
    const facilities = getJSON("/api/v1/facilities").then((fc) => { state.facilities = fc; })
      .catch((e) => { window.nabij.errors.push(e.message); });
    for (const id of ["profile", "minutes", "age", "as_of", "period", "grouping", "scenario", "against"]) $(id).addEventListener("change", load);
    $("colour").addEventListener("change", () => {
      // Robustness needs both times of travel: ask for them rather than colour half an answer.
      if ($("colour").value === "robust" && $("period").value !== "both") {
        $("period").value = "both";
        $("status").textContent = t("both_auto");
        return load();
      }
      if (state.coverage) drawCoverage(state.coverage);
    });
    $("need").addEventListener("submit", (e) => { e.preventDefault(); load(); });
    $("advice-form").addEventListener("submit", askAdvice);
    for (const k of m.facility_types || []) $("edit-kind").appendChild(el("option", { value: k }, label("profile", k)));
    $("edit-add").addEventListener("click", () => {
      state.adding = !state.adding;
      state.moving = null;
      $("edit-add").setAttribute("aria-pressed", String(state.adding));
      $("edit-add").textContent = state.adding ? t("edit_adding") : t("edit_add");
      $("map").classList.toggle("adding", state.adding);
    });
    $("edit-save").addEventListener("click", saveDraft);
    $("edit-kind").addEventListener("change", () => { $("edit-kind").dataset.chosen = "1"; });
    $("edit-clear").addEventListener("click", () => { state.draft = []; drawDraft(); load(); });
    state.map.on("click", mapClicked);
    drawDraft();
    $("tiles").addEventListener("change", () => setTiles($("tiles").checked));
    $("search").addEventListener("change", search);
    $("search").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); search(); } });
    state.map.on("zoomend", updateLabels);
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "nl" ? "en" : "nl";
      localStorage.setItem("nabij-lang", state.lang);
      applyLang();
      if (state.coverage) { drawCoverage(state.coverage); headline(); }
      if (state.facilities && state.coverage) drawFacilities(state.facilities);
      drawRegions();
      renderDetail();
      fillSearch();
      updateDownloads();
    });
    for (const th of document.querySelectorAll("#regions th")) {
      th.querySelector("button").addEventListener("click", () => {
        const key = th.dataset.key;
        state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
        drawRegions();
      });
    }
    // Ready once the map, the facilities and the scenario list are all there.
    await Promise.all([scenarios, facilities]);
    // A saved scenario opens by link (?scenario=ID), and the address follows the choice.
    const linked = new URLSearchParams(window.location.search).get("scenario");
    if (linked && [...$("scenario").options].some((o) => o.value === linked)) $("scenario").value = linked;
    $("scenario").addEventListener("change", () => {
      const u = new URL(window.location.href);
      if ($("scenario").value) u.searchParams.set("scenario", $("scenario").value); else u.searchParams.delete("scenario");
      window.history.replaceState(null, "", u);
    });
    await load();
    fillSearch();
    state.initDone = true;
    if (state.outcome) markReady(state.outcome);
  }

  init();
})();
