//! Files a published crate carries a copy of, so that its package is complete on its own.
//!
//! `cargo package` takes only the files under a crate's directory: the license texts at the
//! workspace root and the spec fixtures under `docs/openapi/` would be missing from the `.crate`,
//! and a test that reads them through `../../..` would not build from the package. Each crate
//! therefore holds its own copies; `cargo xtask codegen` writes them and `--check` fails when a
//! copy differs from its original (or is missing), the same way as for generated code.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::codegen::{Api, EXAMPLES_DIR, Fatal, SPEC_PATH};

/// The crates published to crates.io, by directory under `crates/`: each carries both licenses.
pub const PUBLISHED: &[&str] = &[
    "ahrvo",
    "ahrvo-cli",
    "ahrvo-issuing",
    "ahrvo-payments",
    "ahrvo-reports",
    "ahrvo-sandbox",
    "ahrvo-testkit",
    "ahrvo-transport",
    "ahrvo-types",
];

/// The license texts at the workspace root, for `license = "MIT OR Apache-2.0"`.
pub const LICENSES: &[&str] = &["LICENSE-MIT", "LICENSE-APACHE"];

/// Which spec examples a crate's tests and benches read.
#[derive(Debug, Clone, Copy)]
enum Examples {
    /// The 200 example of every operation.
    All,
    /// These operations' examples only.
    Only(&'static [&'static str]),
}

/// The crates whose tests read spec examples, where their copies go (relative to the crate) and
/// which ones they read.
const EXAMPLE_COPIES: &[(&str, &str, Examples)] = &[
    ("ahrvo-types", "tests/fixtures", Examples::All),
    (
        "ahrvo-issuing",
        "tests/fixtures",
        Examples::Only(&[
            "listBudgetBalances",
            "createBudget",
            "getCardBalance",
            "topUpBudget",
            "getTopUpOrder",
            "transferBetweenBudgets",
            "getTransferOrder",
            "topUpCard",
            "listCardFundingOrders",
            "listCards",
            "listCardProducts",
        ]),
    ),
    (
        "ahrvo-payments",
        "tests/fixtures",
        Examples::Only(&[
            "getBalance",
            "getBalanceEntry",
            "listBalances",
            "listBalanceEntries",
            "listBalanceAdjustments",
            "getTransfer",
        ]),
    ),
    (
        "ahrvo",
        "tests/fixtures",
        Examples::Only(&["getBalance", "listBudgetBalances", "getCardBalance"]),
    ),
    // The sandbox's conformance tests read the spec and every example: `docs/openapi/` mirrored.
    (
        "ahrvo-sandbox",
        "tests/fixtures/openapi/examples",
        Examples::All,
    ),
];

/// The crates that carry a copy of the whole spec, and where (relative to the crate).
const SPEC_COPIES: &[(&str, &str)] = &[("ahrvo-sandbox", "tests/fixtures/openapi/ahrvo.json")];

/// Every copy as `(copy, original)`, both relative to the workspace root.
pub fn pairs(api: &Api) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for krate in PUBLISHED {
        for license in LICENSES {
            pairs.push((format!("crates/{krate}/{license}"), (*license).to_owned()));
        }
    }
    for (krate, dir, which) in EXAMPLE_COPIES {
        let ids: Vec<&str> = match which {
            Examples::All => api.operations.iter().map(|op| op.id.as_str()).collect(),
            Examples::Only(ids) => ids.to_vec(),
        };
        for id in ids {
            pairs.push((
                format!("crates/{krate}/{dir}/{id}.json"),
                format!("{EXAMPLES_DIR}/{id}.json"),
            ));
        }
    }
    for (krate, path) in SPEC_COPIES {
        pairs.push((format!("crates/{krate}/{path}"), SPEC_PATH.to_owned()));
    }
    pairs
}

/// The contents every copy must have (its original's), by the copy's path.
pub fn read(root: &Path, api: &Api) -> Result<BTreeMap<String, String>, Fatal> {
    let mut files = BTreeMap::new();
    for (copy, original) in pairs(api) {
        let text = fs::read_to_string(root.join(&original))
            .map_err(|e| Fatal::Other(format!("cannot read {original} (copied to {copy}): {e}")))?;
        files.insert(copy, text);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::codegen::{self, Drift, Generated};

    const MINI: &str = include_str!("../tests/fixtures/mini-spec.json");

    #[test]
    fn every_published_crate_gets_both_licenses_and_its_fixtures() {
        let api = codegen::parse_api(MINI).unwrap();
        let pairs = pairs(&api);
        let copy_of = |copy: &str| {
            pairs
                .iter()
                .find(|(c, _)| c == copy)
                .map(|(_, original)| original.as_str())
        };
        for krate in PUBLISHED {
            assert_eq!(
                copy_of(&format!("crates/{krate}/LICENSE-MIT")),
                Some("LICENSE-MIT")
            );
            assert_eq!(
                copy_of(&format!("crates/{krate}/LICENSE-APACHE")),
                Some("LICENSE-APACHE")
            );
        }
        // "All" follows the spec's operations; the sandbox mirrors docs/openapi/.
        assert_eq!(
            copy_of("crates/ahrvo-types/tests/fixtures/getAuditLog.json"),
            Some("docs/openapi/examples/getAuditLog.json")
        );
        assert_eq!(
            copy_of("crates/ahrvo-sandbox/tests/fixtures/openapi/examples/listWidgets.json"),
            Some("docs/openapi/examples/listWidgets.json")
        );
        assert_eq!(
            copy_of("crates/ahrvo-sandbox/tests/fixtures/openapi/ahrvo.json"),
            Some("docs/openapi/ahrvo.json")
        );
        assert_eq!(
            copy_of("crates/ahrvo-payments/tests/fixtures/getBalance.json"),
            Some("docs/openapi/examples/getBalance.json")
        );
    }

    #[test]
    fn a_copy_that_differs_from_its_original_is_drift() {
        let root = std::env::temp_dir().join(format!("xtask-copies-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let api = codegen::parse_api(MINI).unwrap();
        for (_, original) in pairs(&api) {
            let path = root.join(&original);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, format!("the text of {original}\n")).unwrap();
        }
        let generated = Generated {
            files: read(&root, &api).unwrap(),
            dirs: Vec::new(),
        };
        let written = codegen::write(&root, &generated).unwrap();
        assert_eq!(written.len(), pairs(&api).len(), "{written:?}");
        assert!(codegen::drift(&root, &generated).is_empty());

        let copy = "crates/ahrvo-types/LICENSE-MIT";
        fs::write(root.join(copy), "edited\n").unwrap();
        fs::remove_file(root.join("crates/ahrvo/tests/fixtures/getBalance.json")).unwrap();
        let drift = codegen::drift(&root, &generated);
        assert_eq!(drift.len(), 2, "{drift:#?}");
        assert!(matches!(drift[copy], Drift::Changed(_)), "{drift:#?}");
        assert_eq!(
            drift["crates/ahrvo/tests/fixtures/getBalance.json"],
            Drift::Missing
        );

        fs::remove_file(root.join("LICENSE-APACHE")).unwrap();
        let Err(Fatal::Other(message)) = read(&root, &api) else {
            panic!("a missing original is fatal");
        };
        assert!(message.contains("cannot read LICENSE-APACHE"), "{message}");
        let _ = fs::remove_dir_all(&root);
    }
}
