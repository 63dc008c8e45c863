//! A small streaming OSM PBF writer (osmpbf only reads).
//!
//! Writes the OSM PBF format (`fileformat.proto`/`osmformat.proto` of the OSM wiki): an
//! `OSMHeader` blob, then `OSMData` blobs of at most 8,000 entities, zlib-compressed, with
//! nodes as `DenseNodes`. Entities must be added in the usual order: nodes, ways, relations,
//! each sorted by id. The protobuf encoding is done by hand: the messages are few and flat.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;

const BLOCK_ENTITIES: usize = 8000;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, ((field as u64) << 3) | wire as u64);
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    key(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn packed(out: &mut Vec<u8>, field: u32, values: impl Iterator<Item = u64>) {
    let mut buf = Vec::new();
    for v in values {
        varint(&mut buf, v);
    }
    if !buf.is_empty() {
        field_bytes(out, field, &buf);
    }
}

fn delta_zigzag(values: &[i64]) -> impl Iterator<Item = u64> + '_ {
    let mut prev = 0i64;
    values.iter().map(move |&v| {
        let d = v - prev;
        prev = v;
        zigzag(d)
    })
}

/// Relation member type, as in `osmformat.proto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberType {
    Node = 0,
    Way = 1,
    Relation = 2,
}

#[derive(Default)]
struct StringTable {
    strings: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl StringTable {
    fn new() -> Self {
        let mut t = StringTable::default();
        t.get(""); // index 0 is reserved (the DenseNodes key/value separator)
        t
    }
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.strings {
            field_bytes(&mut out, 1, s.as_bytes());
        }
        out
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    None,
    Nodes,
    Ways,
    Relations,
}

/// Streams entities into a PBF file.
pub struct PbfWriter<W: Write> {
    out: W,
    kind: Kind,
    count: usize,
    strings: StringTable,
    // dense nodes
    ids: Vec<i64>,
    lats: Vec<i64>,
    lons: Vec<i64>,
    keys_vals: Vec<u64>,
    any_node_tags: bool,
    // ways / relations: encoded messages
    group: Vec<u8>,
}

impl<W: Write> PbfWriter<W> {
    /// Starts a file with a header block. `bbox` is `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn new(mut out: W, bbox: [f64; 4], writing_program: &str) -> io::Result<Self> {
        let mut header = Vec::new();
        let mut bb = Vec::new();
        let nano = |d: f64| zigzag((d * 1e9).round() as i64);
        field_varint(&mut bb, 1, nano(bbox[0]));
        field_varint(&mut bb, 2, nano(bbox[2]));
        field_varint(&mut bb, 3, nano(bbox[3]));
        field_varint(&mut bb, 4, nano(bbox[1]));
        field_bytes(&mut header, 1, &bb);
        field_bytes(&mut header, 4, b"OsmSchema-V0.6");
        field_bytes(&mut header, 4, b"DenseNodes");
        field_bytes(&mut header, 5, b"Sort.Type_then_ID");
        field_bytes(&mut header, 16, writing_program.as_bytes());
        write_blob(&mut out, "OSMHeader", &header)?;
        Ok(PbfWriter {
            out,
            kind: Kind::None,
            count: 0,
            strings: StringTable::new(),
            ids: Vec::new(),
            lats: Vec::new(),
            lons: Vec::new(),
            keys_vals: Vec::new(),
            any_node_tags: false,
            group: Vec::new(),
        })
    }

    fn switch(&mut self, kind: Kind) -> io::Result<()> {
        if self.kind != kind || self.count >= BLOCK_ENTITIES {
            self.flush_block()?;
            self.kind = kind;
        }
        self.count += 1;
        Ok(())
    }

    /// Adds a node. Coordinates in 1e-7 degrees.
    pub fn node(
        &mut self,
        id: i64,
        lat_e7: i32,
        lon_e7: i32,
        tags: &[(&str, &str)],
    ) -> io::Result<()> {
        self.switch(Kind::Nodes)?;
        self.ids.push(id);
        self.lats.push(lat_e7 as i64);
        self.lons.push(lon_e7 as i64);
        for (k, v) in tags {
            let (k, v) = (self.strings.get(k), self.strings.get(v));
            self.keys_vals.push(k as u64);
            self.keys_vals.push(v as u64);
            self.any_node_tags = true;
        }
        self.keys_vals.push(0);
        Ok(())
    }

    fn tags_fields(&mut self, msg: &mut Vec<u8>, tags: &[(&str, &str)]) {
        let keys: Vec<u64> = tags
            .iter()
            .map(|(k, _)| self.strings.get(k) as u64)
            .collect();
        let vals: Vec<u64> = tags
            .iter()
            .map(|(_, v)| self.strings.get(v) as u64)
            .collect();
        packed(msg, 2, keys.into_iter());
        packed(msg, 3, vals.into_iter());
    }

    /// Adds a way.
    pub fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) -> io::Result<()> {
        self.switch(Kind::Ways)?;
        let mut msg = Vec::new();
        field_varint(&mut msg, 1, id as u64);
        self.tags_fields(&mut msg, tags);
        packed(&mut msg, 8, delta_zigzag(refs));
        field_bytes(&mut self.group, 3, &msg);
        Ok(())
    }

    /// Adds a relation; members are `(type, id, role)`.
    pub fn relation(
        &mut self,
        id: i64,
        members: &[(MemberType, i64, &str)],
        tags: &[(&str, &str)],
    ) -> io::Result<()> {
        self.switch(Kind::Relations)?;
        let mut msg = Vec::new();
        field_varint(&mut msg, 1, id as u64);
        self.tags_fields(&mut msg, tags);
        let roles: Vec<u64> = members
            .iter()
            .map(|(_, _, r)| self.strings.get(r) as u64)
            .collect();
        packed(&mut msg, 8, roles.into_iter());
        let ids: Vec<i64> = members.iter().map(|m| m.1).collect();
        packed(&mut msg, 9, delta_zigzag(&ids));
        packed(&mut msg, 10, members.iter().map(|m| m.0 as u64));
        field_bytes(&mut self.group, 4, &msg);
        Ok(())
    }

    fn flush_block(&mut self) -> io::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let mut group = Vec::new();
        match self.kind {
            Kind::Nodes => {
                let mut dense = Vec::new();
                packed(&mut dense, 1, delta_zigzag(&self.ids));
                packed(&mut dense, 8, delta_zigzag(&self.lats));
                packed(&mut dense, 9, delta_zigzag(&self.lons));
                if self.any_node_tags {
                    packed(&mut dense, 10, self.keys_vals.iter().copied());
                }
                field_bytes(&mut group, 2, &dense);
            }
            Kind::Ways | Kind::Relations => group = std::mem::take(&mut self.group),
            Kind::None => {}
        }
        let mut block = Vec::new();
        field_bytes(&mut block, 1, &self.strings.encode());
        field_bytes(&mut block, 2, &group);
        write_blob(&mut self.out, "OSMData", &block)?;
        self.count = 0;
        self.strings = StringTable::new();
        self.ids.clear();
        self.lats.clear();
        self.lons.clear();
        self.keys_vals.clear();
        self.any_node_tags = false;
        self.group.clear();
        Ok(())
    }

    /// Writes the last block and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_block()?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_blob<W: Write>(out: &mut W, kind: &str, data: &[u8]) -> io::Result<()> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    z.write_all(data)?;
    let compressed = z.finish()?;
    let mut blob = Vec::new();
    field_varint(&mut blob, 2, data.len() as u64);
    field_bytes(&mut blob, 3, &compressed);
    let mut header = Vec::new();
    field_bytes(&mut header, 1, kind.as_bytes());
    field_varint(&mut header, 3, blob.len() as u64);
    out.write_all(&(header.len() as u32).to_be_bytes())?;
    out.write_all(&header)?;
    out.write_all(&blob)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use osmpbf::{Element, ElementReader};

    #[test]
    fn round_trips_through_osmpbf() {
        let mut buf = Vec::new();
        {
            let mut w = PbfWriter::new(&mut buf, [4.0, 52.0, 5.0, 53.0], "test").expect("header");
            for i in 0..9000i64 {
                let tags: &[(&str, &str)] = if i == 5 {
                    &[("barrier", "bollard")]
                } else {
                    &[]
                };
                w.node(i + 1, 520_000_000 + i as i32, 40_000_000 - i as i32, tags)
                    .expect("node");
            }
            w.way(
                10,
                &[1, 2, 3, 8999],
                &[("highway", "residential"), ("name", "Dorpsstraat")],
            )
            .expect("way");
            w.relation(
                20,
                &[(MemberType::Way, 10, "outer")],
                &[("type", "boundary")],
            )
            .expect("relation");
            w.finish().expect("finish");
        }
        let reader = ElementReader::new(std::io::Cursor::new(buf));
        let mut nodes = 0;
        let mut ways = Vec::new();
        let mut rels = Vec::new();
        let mut barrier = None;
        reader
            .for_each(|e| match e {
                Element::DenseNode(n) => {
                    nodes += 1;
                    if n.id() == 6 {
                        barrier = n.tags().next().map(|(k, v)| (k.to_string(), v.to_string()));
                        assert_eq!(n.decimicro_lat(), 520_000_005);
                        assert_eq!(n.decimicro_lon(), 39_999_995);
                    }
                }
                Element::Way(w) => ways.push((
                    w.id(),
                    w.refs().collect::<Vec<_>>(),
                    w.tags()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>(),
                )),
                Element::Relation(r) => rels.push((
                    r.id(),
                    r.members()
                        .map(|m| (m.member_id, m.role().unwrap_or("?").to_string()))
                        .collect::<Vec<_>>(),
                )),
                Element::Node(_) => {}
            })
            .expect("readable");
        assert_eq!(nodes, 9000);
        assert_eq!(barrier, Some(("barrier".into(), "bollard".into())));
        assert_eq!(
            ways,
            vec![(
                10,
                vec![1, 2, 3, 8999],
                vec!["highway=residential".into(), "name=Dorpsstraat".into()]
            )]
        );
        assert_eq!(rels, vec![(20, vec![(10, "outer".to_string())])]);
    }
}
