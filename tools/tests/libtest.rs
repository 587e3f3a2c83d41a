//! Reading a test run's output into a verdict, on output as libtest and
//! cargo print it.

use yieldpoint_tools::libtest::{Summary, Verdict, failed_tests, summary, verdict};

const FAILED: &str = "
running 3 tests
test exercises::e1_countdown::counts_down_from_three ... ok
test exercises::e1_countdown::stops_at_zero ... FAILED
test exercises::e1_countdown::returns_done ... FAILED

failures:

---- exercises::e1_countdown::stops_at_zero stdout ----
not yet implemented

failures:
    exercises::e1_countdown::returns_done
    exercises::e1_countdown::stops_at_zero

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 40 filtered out; finished in 0.01s

";

const PASSED: &str = "
running 2 tests
test a ... ok
test b ... ok

test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

running 1 test
test c ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 5 filtered out; finished in 0.00s
";

const NOTHING: &str = "
running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 43 filtered out; finished in 0.00s
";

#[test]
fn the_closing_lines_are_added_up() {
    assert_eq!(
        summary(PASSED),
        Some(Summary {
            passed: 3,
            failed: 0,
            ignored: 1,
            filtered_out: 5
        })
    );
    assert_eq!(summary(PASSED).map(|s| s.ran()), Some(3));
    assert_eq!(
        summary(FAILED),
        Some(Summary {
            passed: 1,
            failed: 2,
            ignored: 0,
            filtered_out: 40
        })
    );
    assert_eq!(summary("error[E0425]: cannot find value `x`\n"), None);
}

#[test]
fn failed_tests_are_named_in_the_order_they_ran() {
    assert_eq!(
        failed_tests(FAILED),
        [
            "exercises::e1_countdown::stops_at_zero",
            "exercises::e1_countdown::returns_done"
        ]
    );
    assert!(failed_tests(PASSED).is_empty());
}

#[test]
fn the_verdict_passes_only_tests_that_ran_and_passed() {
    assert_eq!(verdict(true, PASSED), Verdict::Pass { tests: 3 });
    assert!(verdict(true, PASSED).passed());
    assert_eq!(
        verdict(false, FAILED),
        Verdict::Fail {
            failed: vec![
                "exercises::e1_countdown::stops_at_zero".to_string(),
                "exercises::e1_countdown::returns_done".to_string()
            ],
            ran: 3
        }
    );
    assert!(!verdict(false, FAILED).passed());
    // A filter that matches nothing passes vacuously: that is no pass.
    assert_eq!(verdict(true, NOTHING), Verdict::NoTests);
    assert_eq!(verdict(true, ""), Verdict::NoTests);
    assert!(!Verdict::NoTests.passed());
    // A failure with no failing test: the tests did not build, or crashed.
    assert_eq!(verdict(false, ""), Verdict::Broken);
    assert_eq!(verdict(false, PASSED), Verdict::Broken);
}
