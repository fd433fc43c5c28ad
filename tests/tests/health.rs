//! `coffer report` end to end: the findings as JSON and as a table, `--fail-on` for CI,
//! and no value (nor a fragment of one) in either output.

use coffer_tests::TestVault;

/// Values planted to be looked for: none shares four characters in a row with anything
/// the report says of its own.
const PLANTED: [&str; 2] = ["Zq8!Pl4nTxXv#1wQ7k", "qwerty123"];

fn fragments(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    chars.windows(4).map(|w| w.iter().collect()).collect()
}

#[test]
fn report_fails_on_high_findings_and_shows_no_value_in_json_or_table() {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "app/a",
        "--secret-string",
        PLANTED[0],
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "app/b",
        "--secret-string",
        PLANTED[0],
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "app/weak",
        "--secret-string",
        PLANTED[1],
    ]);

    let json = v.json(&["report"]);
    let kinds: Vec<&str> = json["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["weak-value", "reused-value", "reused-value"],
        "{json:#}"
    );
    assert_eq!(json["Counts"]["High"], 3);

    let table = v
        .cmd()
        .args(["report", "--output", "table"])
        .output()
        .unwrap();
    assert!(table.status.success());
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("app/weak") && table.contains("weak-value"),
        "{table}"
    );

    let failing = v
        .cmd()
        .args(["report", "--fail-on", "high"])
        .output()
        .unwrap();
    assert_eq!(failing.status.code(), Some(1), "a high finding fails CI");
    let printed = String::from_utf8(failing.stdout).unwrap();
    assert!(
        printed.contains("\"Findings\""),
        "the report is printed as well"
    );

    for out in [&printed, &table] {
        for p in PLANTED {
            for frag in fragments(p) {
                assert!(!out.contains(&frag), "the report shows {frag:?} of a value");
            }
        }
    }

    // A vault with nothing wrong passes.
    let clean = TestVault::init();
    clean.json(&[
        "create-secret",
        "--name",
        "ok",
        "--secret-string",
        "Hq3^nB6&yU1*cJ5(eP0)",
    ]);
    let ok = clean
        .cmd()
        .args(["report", "--fail-on", "low"])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}
