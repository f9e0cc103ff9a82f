use super::*;

#[test]
fn partial_plates_match_by_position() {
    assert!(plate_matches("YX??KCD", "YX21KCD"));
    assert!(!plate_matches("YX??KCD", "YX21KCE"));
    assert!(!plate_matches("YX?KCD", "YX21KCD"));
}

#[test]
fn the_plate_index_finds_what_comparing_every_pair_finds() {
    let plates = [
        "YX??KCD", "YX21KCD", "YX22KCD", "YX21KCE", "?X21KCD", "YX21KC", "Y?21K?D", "AB12CDE",
    ];
    let entities: Vec<Entity> = plates
        .iter()
        .enumerate()
        .map(|(id, p)| Entity {
            id,
            kind: Kind::Vehicle,
            key: p.to_string(),
            label: p.to_string(),
            reports: vec![],
            localities: BTreeSet::new(),
            roles: BTreeSet::new(),
            aliases: BTreeSet::new(),
            first: String::new(),
            last: String::new(),
            within: None,
            members: Vec::new(),
            evidence: Vec::new(),
            notes: Vec::new(),
        })
        .collect();
    let mut indexed = Vec::new();
    partial_plates(&entities, &mut indexed);
    let mut pairs = Vec::new();
    for p in plates.iter().enumerate().filter(|(_, p)| p.contains('?')) {
        for f in plates.iter().enumerate().filter(|(_, f)| !f.contains('?')) {
            if plate_matches(p.1, f.1) {
                pairs.push((p.0, f.0));
            }
        }
    }
    pairs.sort_unstable();
    let got: Vec<(usize, usize)> = indexed.iter().map(|p| (p.source, p.target)).collect();
    assert_eq!(got, pairs);
    assert_eq!(got.len(), 4);
}
