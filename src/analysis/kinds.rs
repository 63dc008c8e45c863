//! The facility kinds of the policy and the named need profiles built on them.
//!
//! Source: Nederlands Jeugdinstituut, "Richting geven aan kleinschalig verblijf" (2021) and
//! its summary table "Varianten kleinschalig verblijf" (`../shared/policy/000_…`, `001_…`):
//!
//! - *kleinschalig verblijf*: a group "op maat, bij voorkeur niet meer dan vier";
//! - *kleinschalig JeugdzorgPlus*: "maximaal zes en bij voorkeur vier kinderen of
//!   jongeren", aged 8 to 23, "een minimumratio van één begeleider op vier"; organised per
//!   zorggebied (five in 2020);
//! - *kleinschalige voorziening justitiële jeugd* (KVJJ): "acht jongeren"; national (two
//!   in 2020: Amsterdam and Cadier en Keer);
//! - the large forms, JeugdzorgPlus institutions and JJIs, are *not* small-scale.
//!
//! The regional rule ("zo thuis nabij mogelijk": own municipality, else at most 45 minutes,
//! else within the region) is from the regional ambition (`002_…`).

/// A named need profile: which facility types count, with the policy's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kind {
    /// The profile's name (`--need NAME`, `need=NAME`).
    pub name: &'static str,
    /// What it is, for people.
    pub label: &'static str,
    /// Facility `type` values that count.
    pub types: &'static [&'static str],
    /// Whether these are small-scale facilities.
    pub small_scale: bool,
    /// Largest group that counts (where a facility states its group size).
    pub max_group_size: f64,
    /// The preferred group size; facilities above it are flagged in outputs.
    pub preferred_group_size: Option<f64>,
    /// Ages served where a facility does not state its own range.
    pub ages: Option<(f64, f64)>,
    /// Carers per young person at least, where a facility states it.
    pub min_staff_ratio: f64,
    /// The grouping whose regions plan this kind (`None`: national).
    pub planning_grouping: Option<&'static str>,
    /// Places assumed for a facility that states none.
    pub default_places: f64,
}

/// The small-scale types together: the default question.
pub const SMALL_SCALE_TYPES: &[&str] = &["kleinschalig_verblijf", "kleinschalig_jeugdzorgplus"];

/// The defaults the small-scale kinds share: groups of at most 6, preferably 4, ages 8-23,
/// at least one carer per four, 4 places where a facility states none, planned per jeugdregio.
const SMALL_SCALE: Kind = Kind {
    name: "kleinschalig",
    label: "kleinschalig verblijf en kleinschalig JeugdzorgPlus (small-scale, groups of at most 6)",
    types: SMALL_SCALE_TYPES,
    small_scale: true,
    max_group_size: 6.0,
    preferred_group_size: Some(4.0),
    ages: Some((8.0, 23.0)),
    min_staff_ratio: 0.25,
    planning_grouping: Some("jeugdregio"),
    default_places: 4.0,
};

/// Every named profile; the first is the default.
pub const KINDS: &[Kind] = &[
    SMALL_SCALE,
    Kind {
        name: "kleinschalig_verblijf",
        label: "kleinschalig verblijf (groups of at most 6, preferably 4)",
        types: &["kleinschalig_verblijf"],
        ..SMALL_SCALE
    },
    Kind {
        name: "kleinschalig_jeugdzorgplus",
        label: "kleinschalig JeugdzorgPlus (secure; groups of at most 6, preferably 4; ages 8-23)",
        types: &["kleinschalig_jeugdzorgplus"],
        planning_grouping: Some("zorggebied"),
        ..SMALL_SCALE
    },
    Kind {
        name: "kvjj",
        label: "kleinschalige voorziening justitiële jeugd (KVJJ, 8 young people, national)",
        types: &["kvjj"],
        small_scale: true,
        max_group_size: 8.0,
        preferred_group_size: None,
        ages: None,
        min_staff_ratio: 0.0,
        planning_grouping: None,
        default_places: 8.0,
    },
    Kind {
        name: "jeugdzorgplus",
        label: "JeugdzorgPlus institutions (large, NOT small-scale; for comparison)",
        types: &["jeugdzorgplus"],
        small_scale: false,
        max_group_size: 1000.0,
        preferred_group_size: None,
        ages: Some((8.0, 23.0)),
        min_staff_ratio: 0.0,
        planning_grouping: Some("zorggebied"),
        default_places: 0.0,
    },
    Kind {
        name: "jji",
        label: "justitiële jeugdinrichtingen (JJI, large, NOT small-scale; for comparison)",
        types: &["jji"],
        small_scale: false,
        max_group_size: 1000.0,
        preferred_group_size: None,
        ages: None,
        min_staff_ratio: 0.0,
        planning_grouping: None,
        default_places: 0.0,
    },
];

/// The default profile.
pub fn default_kind() -> &'static Kind {
    &KINDS[0]
}

/// A profile by name.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(name.trim()))
}

/// The names, for messages.
pub fn names() -> String {
    KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

/// The kind a facility type belongs to (the most specific profile that lists it).
pub fn kind_of_type(facility_type: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .filter(|k| k.types.len() == 1)
        .find(|k| k.types[0] == facility_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_defaults() {
        let k = kind("kvjj").expect("kvjj");
        assert_eq!((k.max_group_size, k.default_places), (8.0, 8.0));
        assert_eq!(k.planning_grouping, None);
        let z = kind("kleinschalig_jeugdzorgplus").expect("jz+");
        assert_eq!(z.max_group_size, 6.0);
        assert_eq!(z.preferred_group_size, Some(4.0));
        assert_eq!(z.ages, Some((8.0, 23.0)));
        assert_eq!(z.min_staff_ratio, 0.25);
        assert_eq!(z.planning_grouping, Some("zorggebied"));
        assert!(!kind("jji").expect("jji").small_scale);
        assert!(!kind("JeugdzorgPlus").expect("jz").small_scale);
        assert_eq!(default_kind().types, SMALL_SCALE_TYPES);
        assert_eq!(kind_of_type("kvjj").map(|k| k.name), Some("kvjj"));
    }
}
