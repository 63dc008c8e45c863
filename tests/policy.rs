//! The policy's rules (../shared/policy): the named kinds and their defaults, the whole
//! proximity rule with the region tier, supply against demand, explicit fairness flags, dates,
//! and the 2020 situation of small JeugdzorgPlus units per zorggebied reproduced on the real
//! municipalities (SYNTHETIC roads).

mod common;

use common::nabij;

fn json_of(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = nabij(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).expect("json")
}

fn suitable(v: &serde_json::Value) -> Vec<String> {
    v["suitable_facilities"]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_str().expect("id").to_string())
        .collect()
}

#[test]
fn each_kind_counts_its_own_facilities_on_the_demo() {
    // The demo: 8 kleinschalig verblijf units (all active), 1 KVJJ of 8 (NB-05), 3
    // JeugdzorgPlus institutions (NB-08 planned, one closed).
    let base = ["--quiet", "coverage", "--demo", "--format", "json"];
    let with = |need: &str| {
        let mut a = base.to_vec();
        a.extend(["--need", need]);
        json_of(&a)
    };
    let default = json_of(&base);
    assert_eq!(default["need"]["profile"], "kleinschalig");
    assert_eq!(suitable(&default).len(), 8);
    assert!(
        !suitable(&default).contains(&"NB-05".to_string()),
        "a KVJJ is not kleinschalig verblijf"
    );
    assert_eq!(default["excluded"]["type"], 4);
    // The preference for 4 is visible: units above it are listed.
    let above = default["above_preferred_size"].as_array().expect("list");
    assert!(
        above.iter().any(|x| x == "NB-02"),
        "NB-02 has 6 places: {above:?}"
    );
    // KVJJ: the unit of 8 counts, national planning.
    let kvjj = with("kvjj");
    assert_eq!(suitable(&kvjj), ["NB-05"]);
    assert_eq!(kvjj["need"]["max_group_size"], 8.0);
    assert_eq!(kvjj["planning_grouping"], "national");
    // The large JeugdzorgPlus institutions only on request, and only the active one.
    let jz = with("jeugdzorgplus");
    assert_eq!(suitable(&jz).len(), 1, "{:?}", suitable(&jz));
    // A profile that leaves nothing says why, loudly.
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--need",
        "kleinschalig_jeugdzorgplus",
    ]);
    assert!(!ok);
    assert!(
        err.contains("no suitable facility")
            && err.contains("8 of type kleinschalig_verblijf")
            && err.contains("--type kleinschalig_verblijf"),
        "{err}"
    );
    let (ok, _, err) = nabij(&["--quiet", "coverage", "--demo", "--need", "castle"]);
    assert!(!ok && err.contains("unknown need profile"), "{err}");
}

#[test]
fn the_third_tier_tells_served_in_the_region_from_across_its_border() {
    let v = json_of(&["--quiet", "coverage", "--demo", "--format", "json"]);
    let m = |code: &str| common::municipality(&v, code);
    // Querendonk (JZ92, Midden) is beyond 45 minutes, but Midden has a unit: in the region.
    assert_eq!(m("GM9018")["status"], "within_region");
    // Zeewaard (JZ93, Oost) is beyond 45 minutes and Oost has no unit: outside the region.
    assert_eq!(m("GM9020")["status"], "outside_region");
    // Jonkersdam (JZ93) reaches a unit within 45 minutes, but only one across the border.
    let j = m("GM9010");
    assert_eq!(j["status"], "within_limit");
    assert_eq!(j["facilities_within_limit_in_region"], 0);
    assert!(j["facilities_within_limit"].as_u64().expect("n") > 0);
    let oost = v["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["grouping"] == "jeugdregio" && r["code"] == "JZ93")
        .expect("JZ93")
        .clone();
    assert_eq!(oost["share_served_in_region"], 0.0);
    assert!(oost["share_within_limit"].as_f64().expect("share") > 0.3);
    // Its flags name their rules; the absolute one about facilities comes first.
    let rules: Vec<&str> = oost["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules[0], "min_facilities");
    assert!(rules.contains(&"min_balance"), "{rules:?}");
    // Supply against demand adds up: places equal demand nationally by default, and every
    // municipality's demand is placed or not.
    let n = &v["national"];
    assert!((n["places"].as_f64().expect("p") - n["demand"].as_f64().expect("d")).abs() < 0.01);
    for mu in v["municipalities"].as_array().expect("list") {
        let f = |k: &str| mu[k].as_f64().expect(k);
        let sum = f("placed_within_limit") + f("placed_in_region") + f("unplaced");
        assert!((sum - f("demand")).abs() < 0.01, "{mu}");
    }
}

#[test]
fn as_of_a_date_counts_the_facilities_open_then() {
    // KVJJ Noord (Groningen) opened on 2021-01-04; KVJJ Amsterdam and Zuid in 2020.
    let run = |date: &str| {
        json_of(&[
            "--quiet",
            "coverage",
            "--demo",
            "--facilities",
            &common::shared_data()
                .join("facilities_nl.csv")
                .to_string_lossy(),
            "--max-snap-m",
            "100000",
            "--need",
            "kvjj",
            "--as-of",
            date,
            "--format",
            "json",
        ])
    };
    let before = run("2021-01-03");
    let after = run("2021-01-04");
    assert_eq!(suitable(&before), ["NL08", "NL12"]);
    assert_eq!(suitable(&after), ["NL08", "NL09", "NL12"]);
    assert_eq!(after["need"]["as_of"], "2021-01-04");
    let (ok, _, err) = nabij(&["--quiet", "coverage", "--demo", "--as-of", "2021-02-30x"]);
    assert!(!ok && err.contains("as_of"), "{err}");
}

#[test]
fn a_grouping_that_matches_nothing_is_an_error_and_a_partial_one_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let none = dir.path().join("regions.csv");
    std::fs::write(&none, "regio,zorggebied\nNoord,Noord\nZuid,Zuid\n").expect("write");
    let (ok, _, err) = nabij(&[
        "coverage",
        "--demo",
        "--grouping-csv",
        none.to_str().expect("utf8"),
    ]);
    assert!(!ok);
    assert!(err.contains("none of its 2 codes"), "{err}");
    let some = dir.path().join("some.csv");
    std::fs::write(&some, "code,deel\nGM9001,A\nGM9002,B\nGM0000,C\n").expect("write");
    let (ok, _, err) = nabij(&[
        "coverage",
        "--demo",
        "--grouping-csv",
        some.to_str().expect("utf8"),
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("18 municipalities are in no deel group"),
        "{err}"
    );
    assert!(err.contains("1 codes match no municipality"), "{err}");
}

/// The 2020 zorggebieden approximated by province (the policy report names the five areas,
/// not their members): Noord = Groningen, Fryslân, Drenthe; Oost = Overijssel, Gelderland;
/// Noord-West = Noord-Holland, Flevoland, Utrecht; Zuid-West = Zuid-Holland, Zeeland;
/// Zuid = Noord-Brabant, Limburg.
fn zorggebied(provincie: &str) -> &'static str {
    match provincie {
        "Groningen" | "Fryslân" | "Drenthe" => "Noord",
        "Overijssel" | "Gelderland" => "Oost",
        "Noord-Holland" | "Flevoland" | "Utrecht" => "Noord-West",
        "Zuid-Holland" | "Zeeland" => "Zuid-West",
        _ => "Zuid",
    }
}

#[test]
fn the_2020_small_jeugdzorgplus_spread_is_reproduced_its_gaps_flagged_and_advice_fills_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gem = common::shared_data().join("boundaries/gemeenten_2024.geojson");
    // SYNTHETIC roads over the real municipalities (no Dutch road network is here).
    let pbf = dir.path().join("nl.osm.pbf");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "synth",
        "--towns-from",
        gem.to_str().expect("utf8"),
        "--out",
        pbf.to_str().expect("utf8"),
        "--way-nodes",
        "300000",
    ]);
    assert!(ok, "{err}");
    let graph = common::cli_build(dir.path(), &pbf, "nl.nbg");
    // Zorggebieden from the provinces.
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gem).expect("read")).expect("json");
    let mut csv = String::from("gemeentecode,zorggebied\n");
    for f in fc["features"].as_array().expect("features") {
        let p = &f["properties"];
        csv.push_str(&format!(
            "{},{}\n",
            p["gemeentecode"].as_str().expect("code"),
            zorggebied(p["provincie"].as_str().expect("provincie"))
        ));
    }
    let groups = dir.path().join("zorggebieden.csv");
    std::fs::write(&groups, csv).expect("write");
    // Ten small JeugdzorgPlus units of 2020 (5 Noord-West, 4 Zuid, 1 Oost, as the policy
    // report counts them; places illustrative), and one that opened in 2021 in Groningen.
    let units = [
        ("Amsterdam", 4.90, 52.37, "2019-01-01"),
        ("Haarlem", 4.64, 52.38, "2019-06-01"),
        ("Alkmaar", 4.75, 52.63, "2020-01-01"),
        ("Utrecht", 5.12, 52.09, "2020-03-01"),
        ("Lelystad", 5.47, 52.51, "2018-09-01"),
        ("Eindhoven", 5.48, 51.44, "2019-01-01"),
        ("Tilburg", 5.09, 51.56, "2020-02-01"),
        ("Maastricht", 5.69, 50.85, "2019-05-01"),
        ("Venlo", 6.17, 51.37, "2020-06-01"),
        ("Zwolle", 6.09, 52.51, "2019-10-01"),
        ("Groningen", 6.57, 53.22, "2021-03-01"),
    ];
    let mut fac = String::from("id,name,type,lon,lat,places,group_size,status,opening_date\n");
    for (i, (city, lon, lat, opened)) in units.iter().enumerate() {
        fac.push_str(&format!(
            "KJ{:02},Kleinschalig JZ+ {city},kleinschalig_jeugdzorgplus,{lon},{lat},4,4,active,{opened}\n",
            i + 1
        ));
    }
    let facilities = dir.path().join("units.csv");
    std::fs::write(&facilities, fac).expect("write");
    // The same data and need for every command below.
    let data = [
        "--graph",
        graph.as_str(),
        "--municipalities",
        gem.to_str().expect("utf8"),
        "--facilities",
        facilities.to_str().expect("utf8"),
        "--grouping-csv",
        groups.to_str().expect("utf8"),
        "--max-snap-m",
        "20000",
        "--need",
        "kleinschalig_jeugdzorgplus",
    ];
    let command = |cmd: &str, date: &str, extra: &[&str]| -> Vec<String> {
        ["--quiet", cmd]
            .iter()
            .chain(&data)
            .chain(&["--as-of", date, "--format", "json"])
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let run = |date: &str| {
        let args = command("coverage", date, &[]);
        json_of(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let v = run("2020-12-31");
    assert_eq!(v["synthetic_roads"], true);
    assert_eq!(v["planning_grouping"], "zorggebied");
    assert_eq!(suitable(&v).len(), 10, "{:?}", suitable(&v));
    let area = |v: &serde_json::Value, name: &str| {
        v["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["grouping"] == "zorggebied" && r["code"] == name)
            .expect(name)
            .clone()
    };
    for (name, units) in [
        ("Noord-West", 5),
        ("Zuid", 4),
        ("Oost", 1),
        ("Noord", 0),
        ("Zuid-West", 0),
    ] {
        let r = area(&v, name);
        assert_eq!(r["facilities"], units, "{name}");
        let no_unit = r["flags"].as_array().expect("flags").iter().any(|f| {
            f["rule"] == "min_facilities" && f["message"] == "no suitable facility in the region"
        });
        assert_eq!(no_unit, units == 0, "{name}: {}", r["flags"]);
    }
    // Siting advice for two new units in the 2020 situation: the zorggebieden without one.
    let args = command("advise", "2020-12-31", &["--add", "2"]);
    let (ok, out, err) = nabij(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{err}");
    let advice: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(advice["synthetic_roads"], true);
    assert_eq!(advice["planning_grouping"], "zorggebied");
    assert_eq!(advice["candidates"], 342);
    let mut areas: Vec<&str> = advice["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .map(|s| s["region"].as_str().expect("region"))
        .collect();
    areas.sort();
    assert_eq!(areas, ["Noord", "Zuid-West"], "{}", advice["sites"]);
    // Checked as a scenario, both areas lose their "no suitable facility" flag.
    for name in ["Noord", "Zuid-West"] {
        let change = advice["check"]["diff"]["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["grouping"] == "zorggebied" && r["code"] == name)
            .expect(name);
        assert!(
            change["flags_cleared"]
                .as_array()
                .expect("cleared")
                .iter()
                .any(|f| f == "min_facilities"),
            "{name}: {change}"
        );
    }
    // Demand holds still: every region of every grouping whose units the advice leaves
    // alone keeps its balance and raises no absolute flag (the scenario holds the baseline's
    // rate; before, the new places raised demand everywhere).
    let mut untouched = 0;
    for r in advice["check"]["diff"]["regions"]
        .as_array()
        .expect("regions")
    {
        if r["facilities_before"] == r["facilities_after"] {
            untouched += 1;
            assert_eq!(r["balance_before"], r["balance_after"], "{r}");
            for f in r["flags_raised"].as_array().expect("raised") {
                assert!(f != "min_balance" && f != "min_facilities", "{r}");
            }
        }
    }
    assert!(untouched >= 10, "{untouched}");
    assert_eq!(
        advice["check"]["diff"]["demand_source"], "baseline_national_balance",
        "{}",
        advice["check"]
    );
    // In 2021 Noord got its unit: its flag about facilities clears.
    let later = run("2021-06-30");
    let noord = area(&later, "Noord");
    assert_eq!(noord["facilities"], 1);
    assert!(
        !noord["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f["rule"] == "min_facilities")
    );
}

#[test]
fn a_demand_file_replaces_the_placement_rate_where_it_names_a_municipality() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demand = dir.path().join("wachtlijst.csv");
    // Zeewaard: 10 young people waiting; Aldewolde: 2.
    std::fs::write(&demand, "gemeentecode,demand\nGM9020,10\nGM9001,2\n").expect("write");
    let v = json_of(&[
        "--quiet",
        "coverage",
        "--demo",
        "--demand",
        demand.to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    assert_eq!(v["demand_source"], "demand_file");
    let m = |code: &str| common::municipality(&v, code);
    assert_eq!(m("GM9020")["demand"], 10.0);
    assert_eq!(m("GM9001")["demand"], 2.0);
    // Zeewaard's region (Oost) has no unit and nothing is within the limit: all unplaced.
    assert_eq!(m("GM9020")["unplaced"], 10.0);
    // Aldewolde has its own unit of 4 places: placed within the limit.
    assert_eq!(m("GM9001")["placed_within_limit"], 2.0);
    std::fs::write(&demand, "gemeentecode,demand\nGM9020,-1\n").expect("write");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--demand",
        demand.to_str().expect("utf8"),
    ]);
    assert!(!ok && err.contains("not a number of at least 0"), "{err}");
}
