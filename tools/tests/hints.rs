//! Which hint comes next, and the file that remembers it.

use yieldpoint_tools::hints::{Next, Seen};

#[test]
fn hints_unfold_in_order_and_the_last_repeats() {
    let mut seen = Seen::default();
    let shown: Vec<Next> = (0..4).map(|_| seen.next("2.3", 3)).collect();
    assert_eq!(
        shown,
        [
            Next {
                number: 1,
                of: 3,
                again: false
            },
            Next {
                number: 2,
                of: 3,
                again: false
            },
            Next {
                number: 3,
                of: 3,
                again: false
            },
            Next {
                number: 3,
                of: 3,
                again: true
            },
        ]
    );
    assert_eq!(
        shown.iter().map(Next::is_last).collect::<Vec<_>>(),
        [false, false, true, true]
    );
    assert_eq!(seen.count("2.3"), 3);
    assert_eq!(seen.count("2.4"), 0);
    // An exercise with one hint: its first is its last.
    assert_eq!(
        seen.next("1.1", 1),
        Next {
            number: 1,
            of: 1,
            again: false
        }
    );
}

#[test]
fn the_state_is_written_and_read_back() {
    let mut seen = Seen::default();
    seen.next("2.3", 3);
    seen.next("2.3", 3);
    seen.next("10.1", 2);
    let text = seen.to_text();
    assert_eq!(text, "10.1 1\n2.3 2\n");
    assert_eq!(Seen::parse(&text), Ok(seen));
    assert_eq!(Seen::parse(""), Ok(Seen::default()));
}

#[test]
fn a_damaged_state_names_its_line() {
    assert_eq!(
        Seen::parse("2.3 2\n2.3 two\n"),
        Err("line 2 is not `N.K COUNT`: \"2.3 two\"".to_string())
    );
    assert_eq!(
        Seen::parse("countdown 1\n"),
        Err("line 1 is not `N.K COUNT`: \"countdown 1\"".to_string())
    );
    assert_eq!(
        Seen::parse("2.3\n"),
        Err("line 1 is not `N.K COUNT`: \"2.3\"".to_string())
    );
}
