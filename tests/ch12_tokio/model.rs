//! The model of tokio's loop (`ch12_tokio::tokio_order`) against tokio
//! itself: the chapter's scripts, the rules one at a time, and a few
//! hundred random scripts, each with a random `event_interval`.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use yieldpoint::ch12_tokio::{Script, ScriptError, Step, TaskScript, tokio_order};

use super::example::{on_tokio, scripts};

use Step::{Join, Sleep, Spawn, Wake, Yield};

/// The model's order for `script`, computed on a thread of its own, so
/// that a model whose loop never ends (a rebuild still being written)
/// fails this test instead of hanging the suite.
fn model(script: &Script, event_interval: u32) -> Result<Vec<&'static str>, ScriptError> {
    let script = script.clone();
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(tokio_order(&script, event_interval));
    });
    result
        .recv_timeout(Duration::from_secs(20))
        .expect("the model answers within 20 s: does its loop ever end?")
}

/// Checks the model against tokio on `script` with `event_interval`, and
/// returns the order they agree on.
#[track_caller]
fn agree(script: &Script, event_interval: u32) -> Vec<&'static str> {
    let real = on_tokio::script_order(script, event_interval);
    let predicted = model(script, event_interval).expect("a checked script");
    assert_eq!(
        predicted, real,
        "left: the model, right: tokio, event_interval {event_interval}, for {script:?}"
    );
    real
}

// ANCHOR: model_test
#[test]
fn the_model_predicts_tokio_on_the_chapter_s_scripts() {
    for (_, script) in scripts() {
        for event_interval in [1, 2, 3, 7, 61] {
            agree(&script, event_interval);
        }
    }
}
// ANCHOR_END: model_test

#[test]
fn yielded_tasks_are_woken_after_the_driver_and_last_first() {
    let (_, script) = scripts().remove(0);
    assert_eq!(
        agree(&script, 61),
        ["main", "A", "B", "C", "C", "B", "A", "A", "B", "C", "main"]
    );
}

#[test]
fn the_block_on_future_waits_for_the_end_of_a_batch_of_event_interval_polls() {
    let (_, script) = scripts().remove(1);
    let order = agree(&script, 61);
    // main, quick, then 60 polls of busy fill the batch of 61; only then is
    // main, woken when quick ended, polled again.
    assert_eq!(order[..3], ["main", "quick", "busy"]);
    let second_main = order
        .iter()
        .skip(1)
        .position(|&name| name == "main")
        .unwrap()
        + 1;
    assert_eq!(second_main, 62);
    // With event_interval 5: main, quick, busy ×4, main.
    let order = agree(&script, 5);
    assert_eq!(
        order[..7],
        ["main", "quick", "busy", "busy", "busy", "busy", "main"]
    );
}

#[test]
fn a_yield_in_main_is_deferred_like_any_other() {
    let script = Script::new(&[
        ("main", &[Spawn(1), Spawn(2), Yield, Join(1), Join(2)]),
        ("A", &[Yield]),
        ("B", &[Wake]),
    ]);
    assert_eq!(
        agree(&script, 61),
        ["main", "A", "B", "B", "main", "A", "main"]
    );
}

#[test]
fn a_paused_clock_jumps_only_when_nothing_is_pending() {
    let script = Script::new(&[
        ("main", &[Spawn(1), Spawn(2), Join(1), Join(2)]),
        ("sleeper", &[Sleep(1)]),
        ("busy", &[Wake, Wake, Wake, Yield, Yield]),
    ]);
    assert_eq!(
        agree(&script, 61),
        [
            "main", "sleeper", "busy", "busy", "busy", "busy", "busy", "busy", "sleeper", "main",
        ]
    );
}

#[test]
fn a_script_that_breaks_a_rule_is_refused_by_the_model() {
    let unspawned = Script::new(&[("main", &[]), ("A", &[])]);
    assert_eq!(
        tokio_order(&unspawned, 61),
        Err(ScriptError::Invalid("A is never spawned".to_string()))
    );
    let stranger = Script::new(&[
        ("main", &[Spawn(1), Join(2)]),
        ("A", &[Spawn(2)]),
        ("B", &[]),
    ]);
    assert!(matches!(
        tokio_order(&stranger, 61),
        Err(ScriptError::Invalid(_))
    ));
}

/// A small deterministic random number generator (a 64-bit LCG, Knuth's
/// constants), so that every run checks the same scripts.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// A random script that keeps the rules: up to five tasks besides main,
/// each spawned by a task before it, most joined by their spawner; steps
/// that wake, yield and sleep 1 to 3 ms (so deadlines tie).
fn random_script(seed: u64) -> Script {
    const NAMES: [&str; 6] = ["main", "A", "B", "C", "D", "E"];
    let mut rng = Lcg(seed);
    let count = 2 + rng.below(5) as usize;
    let mut steps: Vec<Vec<Step>> = (0..count)
        .map(|_| {
            (0..rng.below(5))
                .map(|_| match rng.below(4) {
                    0 => Wake,
                    1 => Yield,
                    _ => Sleep(1 + rng.below(3)),
                })
                .collect()
        })
        .collect();
    for child in 1..count {
        let parent = rng.below(child as u64) as usize;
        let at = rng.below(steps[parent].len() as u64 + 1) as usize;
        steps[parent].insert(at, Spawn(child));
        if rng.below(4) != 0 {
            let after = at + 1 + rng.below((steps[parent].len() - at) as u64) as usize;
            steps[parent].insert(after, Join(child));
        }
    }
    Script {
        tasks: steps
            .into_iter()
            .enumerate()
            .map(|(index, steps)| TaskScript {
                name: NAMES[index],
                steps,
            })
            .collect(),
    }
}

#[test]
fn the_model_predicts_tokio_on_400_random_scripts() {
    for seed in 0..400 {
        let script = random_script(seed);
        script.check().expect("the generator keeps the rules");
        let event_interval = [1, 2, 3, 5, 61][(seed % 5) as usize];
        agree(&script, event_interval);
    }
}
