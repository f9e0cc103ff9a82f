use super::*;

fn route(name: &str, recipients: Vec<String>) -> RouteSettings {
    RouteSettings {
        name: name.into(),
        mailbox: "intel@example.invalid".into(),
        view: View::Full,
        recipients,
        role: None,
        localities: vec![],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officer_actions: None,
        officers: vec![],
    }
}

#[test]
fn a_config_without_police_intelligence_is_refused() {
    let key = age::x25519::Identity::generate().to_public().to_string();
    let mut cr = route("control_room", vec![key]);
    cr.role = Some(Role::ControlRoom);
    let problems = validate_routes(&[cr]);
    assert!(problems
        .iter()
        .any(|(k, m)| k == "routes" && m.contains("police intelligence")));
}

#[test]
fn a_bad_recipient_is_named_by_position_not_value() {
    let problems = validate_routes(&[route(
        POLICE_INTELLIGENCE,
        vec!["age1secretlookingvalue".into()],
    )]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "routes[0].recipients[0]");
    assert!(!problems[0].1.contains("secretlooking"));
    assert!(validate_routes(&[route(POLICE_INTELLIGENCE, vec![])])[0]
        .1
        .contains("at least one"));
}

#[test]
fn mace_routes_need_real_localities_and_never_see_everything() {
    let key = age::x25519::Identity::generate().to_public().to_string();
    let mut m = route("mace_x", vec![key.clone()]);
    m.role = Some(Role::Mace);
    m.localities = vec!["ATLANTIS".into()];
    let problems = validate_routes(&[route(POLICE_INTELLIGENCE, vec![key]), m]);
    let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, vec!["routes[1].localities", "routes[1].view"]);
}

#[test]
fn officer_keys_are_checked_by_position_and_read_at_start() {
    let key = age::x25519::Identity::generate().to_public().to_string();
    let officer = crate::signing::SigningKey::generate().public().to_base64();
    let mut police = route(POLICE_INTELLIGENCE, vec![key.clone()]);
    police.officers = vec![
        officer.clone(),
        "c2VjcmV0LWxvb2tpbmc=".into(),
        officer.clone(),
    ];
    let mut escalation = route("escalation", vec![key]);
    escalation.role = Some(Role::Escalation);
    escalation.officers = vec![officer.clone()];
    let problems = validate_routes(&[police.clone(), escalation]);
    let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "routes[0].officers[1]",
            "routes[0].officers[2]",
            "routes[1].officers"
        ]
    );
    assert!(problems.iter().all(|(_, m)| !m.contains("c2VjcmV0")));
    police.officers = vec![format!("ed25519:{officer}")];
    let routes = Routes::from_settings(&[police]).expect("valid");
    let listed = &routes.all()[0].officers;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].to_base64(), officer);
}

#[test]
fn officer_actions_default_by_role_and_are_granted_only_where_the_full_view_arrives() {
    let key = age::x25519::Identity::generate().to_public().to_string();
    let police = route(POLICE_INTELLIGENCE, vec![key.clone()]);
    let mut control = route("control_room", vec![key.clone()]);
    control.role = Some(Role::ControlRoom);
    let mut mace = route("mace_york", vec![key.clone()]);
    mace.role = Some(Role::Mace);
    mace.view = View::Restricted;
    mace.localities = vec!["HARROGATE".into()];
    let routes =
        Routes::from_settings(&[police.clone(), control.clone(), mace.clone()]).expect("ok");
    let actions: Vec<&[OfficerAction]> = routes
        .all()
        .iter()
        .map(|r| r.officer_actions.as_slice())
        .collect();
    assert_eq!(actions, vec![&OfficerAction::ALL[..], &[], &[]]);

    control.officer_actions = Some(vec![OfficerAction::Status, OfficerAction::Reply]);
    let routes =
        Routes::from_settings(&[police.clone(), control.clone(), mace.clone()]).expect("ok");
    assert_eq!(
        routes.all()[1].officer_actions,
        vec![OfficerAction::Status, OfficerAction::Reply]
    );

    mace.officer_actions = Some(vec![OfficerAction::Share]);
    control.officer_actions = Some(vec![OfficerAction::Reply, OfficerAction::Reply]);
    let mut escalation = route("escalation", vec![key]);
    escalation.role = Some(Role::Escalation);
    escalation.officer_actions = Some(vec![OfficerAction::Status]);
    let problems = validate_routes(&[police, control, mace, escalation]);
    let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "routes[1].officer_actions",
            "routes[2].officer_actions",
            "routes[3].officer_actions"
        ]
    );
    assert!(problems[0].1.contains("twice"), "{problems:?}");
    assert!(problems[1].1.contains("confirm receipt"), "{problems:?}");
    let unknown = toml::from_str::<RouteSettings>(
        "name = \"x\"\nmailbox = \"a@b.c\"\nview = \"full\"\nrecipients = []\n\
             officer_actions = [\"delete\"]",
    );
    assert!(unknown.is_err(), "an unknown action is refused at load");
}

#[test]
fn two_different_officer_keys_with_one_key_id_are_refused_and_one_key_on_two_routes_is_not() {
    let (a, b) = (
        crate::signing::SigningKey::generate(),
        crate::signing::SigningKey::generate(),
    );
    let (a, b) = (a.public(), b.public());
    let at = |p: &str, id: &str, k| (p.to_string(), id.to_string(), k);
    // Real ids never collide in a test's lifetime: the check is given made-up ones.
    let problems = colliding_ids([
        at("routes[0].officers[0]", "00000000000000aa", a),
        at("routes[1].officers[0]", "00000000000000aa", a),
        at("routes[1].officers[1]", "00000000000000aa", b),
        at("routes[1].officers[2]", "00000000000000bb", b),
    ]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "routes[1].officers[1]");
    assert!(problems[0].1.contains("new key"), "{problems:?}");
    // With the real ids, the same key on two routes is fine.
    let key = age::x25519::Identity::generate().to_public().to_string();
    let mut police = route(POLICE_INTELLIGENCE, vec![key.clone()]);
    police.officers = vec![a.to_base64(), b.to_base64()];
    let mut control = route("control_room", vec![key]);
    control.role = Some(Role::ControlRoom);
    control.officers = vec![a.to_base64()];
    assert!(validate_routes(&[police, control]).is_empty());
}
