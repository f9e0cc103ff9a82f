//! The configuration the gateway ships with, read as `serve` reads it from the repository.

use pis_gateway::config;
use std::path::Path;

#[test]
fn the_shipped_configuration_is_valid_and_warns_about_example_keys() {
    // Integration tests run from the repository's root, where the relative paths resolve.
    let s = config::load(Path::new(config::DEFAULT_CONFIG)).expect("loads");
    assert!(
        s.validate("gateway.toml").is_empty(),
        "{:?}",
        s.validate("gateway.toml")
    );
    let w = s.warnings();
    let routes = s.routes.len();
    assert!(
        routes >= 11,
        "police, control room, 8 localities, fallback: {routes}"
    );
    assert_eq!(
        w.iter().filter(|w| w.contains("EXAMPLE KEY")).count(),
        routes,
        "{w:?}"
    );
}
