//! The tests every chapter's example gets for its command line: `--help`
//! (and `-h`) prints its usage and nothing else, and an unknown flag is
//! refused with the usage and exit code 2, without running the example.
//!
//! A chapter's test file includes this file first (`#[macro_use]`), then
//! says `example_command_line_tests!(no_options: "chNN_name");` for an
//! example without options, or gives the usage and error lines itself. The
//! tests it writes call `example::run`, `capture` and `child::run`: the file
//! must have its example as the module `example`, `support/child.rs` as
//! `child`, and `yieldpoint::output::capture` in scope.

/// Writes the command-line tests of a chapter's example (see the module
/// docs).
macro_rules! example_command_line_tests {
    (no_options: $name:literal) => {
        example_command_line_tests!(
            usage: concat!(
                "[usage] cargo run --example ",
                $name,
                " (no options; --help prints this)"
            ),
            error: "[error] unknown argument \"--fast\": this example takes no options"
        );
    };
    (usage: $usage:expr, error: $error:expr) => {
        #[test]
        fn the_example_prints_its_usage_for_help() {
            for help in ["--help", "-h"] {
                let (_, lines) = capture(|| example::run(&[help.to_string()]));
                assert_eq!(lines, [$usage]);
            }
        }

        #[test]
        #[ignore = "exits the process on purpose; started in a child process by the test below"]
        fn child_runs_the_example_with_an_unknown_flag() {
            if child::is_child("child_runs_the_example_with_an_unknown_flag") {
                example::run(&["--fast".to_string()]);
                println!("the example ran anyway");
            }
        }

        #[test]
        fn the_example_refuses_an_unknown_flag_with_its_usage_and_exit_code_2() {
            let output = child::run("child_runs_the_example_with_an_unknown_flag");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                stdout.contains(&format!("{}\n{}\n", $error, $usage)),
                "{stdout}"
            );
            assert!(!stdout.contains("the example ran anyway"), "{stdout}");
            assert_eq!(output.status.code(), Some(2));
        }
    };
}
