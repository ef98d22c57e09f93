//! `ahrvo demo`.

use crate::common::ahrvo_bare;

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_every_step_and_exits_0() {
    let run = ahrvo_bare(["demo"]).await;
    run.expect(0);
    let out = &run.stdout;
    for step in [
        "1. Create a budget account",
        "2. Fund it",
        "3. List all budget balances",
        "4. Query a Dedicated Funds Card's balance",
        "5. Fetch a Balance",
        "6. Fetch a Balance Entry",
        "7. A typed error",
        "Done",
    ] {
        assert!(out.contains(step), "{step:?} missing from:\n{out}");
    }
    assert!(out.contains("Demo Marketing Budget"));
    assert!(out.contains("2500.00"));
    assert!(out.contains("available 500.00"));
    assert!(out.contains("BUDGET_NAME_EXISTS"));
    assert!(out.contains("status:  409"));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
