//! Developer tool: print the ways (or nodes) of a PBF that carry a given tag, with their
//! tags and first/last node ids, to pick real OSM ids for tests.
//!
//! `cargo run --release --example osm_dump -- FILE.osm.pbf highway [value]`
//! `cargo run --release --example osm_dump -- FILE.osm.pbf --node barrier`

use osmpbf::{Element, ElementReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (path, nodes, key, value) = match args.as_slice() {
        [_, p, flag, k] if flag == "--node" => (p, true, k.clone(), None),
        [_, p, k] => (p, false, k.clone(), None),
        [_, p, k, v] => (p, false, k.clone(), Some(v.clone())),
        _ => return Err("usage: osm_dump FILE KEY [VALUE] | FILE --node KEY".into()),
    };
    ElementReader::from_path(path)?.for_each(|e| {
        let (kind, id, tags, extra): (&str, i64, Vec<(String, String)>, String) = match e {
            Element::Way(w) if !nodes => {
                let refs: Vec<i64> = w.refs().collect();
                let ends = format!("{} refs {:?}..{:?}", refs.len(), refs.first(), refs.last());
                (
                    "way",
                    w.id(),
                    w.tags().map(|(a, b)| (a.into(), b.into())).collect(),
                    ends,
                )
            }
            Element::DenseNode(n) if nodes => (
                "node",
                n.id(),
                n.tags().map(|(a, b)| (a.into(), b.into())).collect(),
                format!("{:.6},{:.6}", n.lon(), n.lat()),
            ),
            _ => return,
        };
        let hit = tags
            .iter()
            .any(|(k, v)| *k == key && value.as_ref().is_none_or(|x| x == v));
        if hit {
            let t: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("{kind} {id} [{extra}] {}", t.join(" "));
        }
    })?;
    Ok(())
}
