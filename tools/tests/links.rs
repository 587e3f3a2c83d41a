//! Every link in `chapters/*.md` leads somewhere: a relative link to a file
//! that exists (and an `#anchor` into a markdown file to one of its
//! headings), a link out of the repository only over http(s), a link out
//! of the book's folder only where book.toml redirects it, and an mdBook
//! include only to an anchor that exists. Then the checker itself, on
//! made-up pages.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use yieldpoint_tools::links::{
    Book, Broken, Include, Link, anchors, check_page, includes, links, slug,
};

/// Links broken today, as (page, target). Each stays listed until its page
/// is fixed; the test fails if one listed here is no longer broken, so the
/// list cannot outlive its entries.
// fixed by the chapter owners
const KNOWN_BROKEN: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

fn book() -> Book {
    let text = fs::read_to_string(root().join("book.toml")).expect("book.toml is readable");
    Book::parse(&text).expect("book.toml parses")
}

#[test]
fn every_link_in_the_chapters_leads_somewhere() {
    let root = root();
    let book = book();
    assert_eq!(book.src, "chapters");
    let mut pages: Vec<PathBuf> = fs::read_dir(root.join("chapters"))
        .expect("chapters/ is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    let mut broken: Vec<Broken> = Vec::new();
    let mut checked = 0;
    for path in &pages {
        let page = path.strip_prefix(&root).unwrap().display().to_string();
        let text = fs::read_to_string(path).unwrap();
        checked += links(&text).len() + includes(&text).len();
        broken.extend(check_page(&root, &page, &text, &book));
    }
    // The pages do link: a checker that found nothing would prove nothing.
    assert!(
        checked >= 12,
        "only {checked} links found in {} pages",
        pages.len()
    );

    let known = |b: &Broken| KNOWN_BROKEN.contains(&(b.page.as_str(), b.target.as_str()));
    let new: Vec<String> = broken
        .iter()
        .filter(|b| !known(b))
        .map(ToString::to_string)
        .collect();
    assert!(new.is_empty(), "broken links:\n{}", new.join("\n"));
    let fixed: Vec<String> = KNOWN_BROKEN
        .iter()
        .filter(|(page, target)| {
            !broken
                .iter()
                .any(|b| b.page == *page && b.target == *target)
        })
        .map(|(page, target)| format!("{page}: {target}"))
        .collect();
    assert!(
        fixed.is_empty(),
        "no longer broken, so take them out of KNOWN_BROKEN:\n{}",
        fixed.join("\n")
    );
}

#[test]
fn links_are_found_outside_code_and_comments() {
    let page = "\
# Title

See [the loop](05-event-loop.md#the-loop) and ![a chart](08.svg \"its title\").
Not `[code](span.md)`, nor ``[double `code`](span.md)``.
<!-- quote: src/ch02_coroutines.rs:resume --> and <https://docs.rs/corosensei>
[a definition]: https://example.org/x
Nested [link [text]](nested.md), an escaped \\[not](a-link.md) one.

```rust
/// [`poll`](Self::poll)
```

<!--
[hidden](comment.md)
-->
Last [one](<with space.md>).
";
    assert_eq!(
        links(page),
        [
            Link {
                line: 3,
                target: "05-event-loop.md#the-loop".to_string()
            },
            Link {
                line: 3,
                target: "08.svg".to_string()
            },
            Link {
                line: 5,
                target: "https://docs.rs/corosensei".to_string()
            },
            Link {
                line: 6,
                target: "https://example.org/x".to_string()
            },
            Link {
                line: 7,
                target: "nested.md".to_string()
            },
            Link {
                line: 16,
                target: "with space.md".to_string()
            },
        ]
    );
}

#[test]
fn headings_get_the_anchors_the_forge_and_mdbook_give_them() {
    assert_eq!(slug("When things go wrong"), "when-things-go-wrong");
    assert_eq!(
        slug("What `await` does, *really*"),
        "what-await-does-really"
    );
    assert_eq!(
        slug("`run_once`: asyncio's _run_once"),
        "run_once-asyncios-_run_once"
    );
    assert_eq!(slug("A — B"), "a--b");
    let page = "\
# Intro
## Costs
## Costs
```text
# not a heading
```
### [Linked](elsewhere.md) heading ###
#### Custom {#my-id}
#hashtag is not a heading
<a id=\"raw-anchor\"></a>
";
    let expected: BTreeSet<String> = [
        "intro",
        "costs",
        "costs-1",
        "linked-heading",
        "my-id",
        "raw-anchor",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(anchors(page), expected);
}

#[test]
fn includes_name_their_file_and_anchor() {
    let page = "{{#include ../README.md:catalogue}}\n```rust\n{{#rustdoc_include ../src/x.rs:5:9}}\n```\n{{#include notes.md}}\n";
    assert_eq!(
        includes(page),
        [
            Include {
                line: 1,
                path: "../README.md".to_string(),
                anchor: Some("catalogue".to_string())
            },
            Include {
                line: 3,
                path: "../src/x.rs".to_string(),
                anchor: None
            },
            Include {
                line: 5,
                path: "notes.md".to_string(),
                anchor: None
            },
        ]
    );
}

/// A fresh directory under the target directory, removed first if present.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn each_broken_link_is_reported_with_its_line_and_what_is_wrong() {
    let root = scratch("links-broken");
    fs::create_dir_all(root.join("chapters")).unwrap();
    fs::write(
        root.join("README.md"),
        "# yieldpoint\n## When things go wrong\n<!-- ANCHOR: catalogue -->\n| a |\n<!-- ANCHOR_END: catalogue -->\n",
    )
    .unwrap();
    fs::write(
        root.join("chapters/02-coroutines.md"),
        "# Generators\n## Resume\n",
    )
    .unwrap();
    fs::write(root.join("chapters/chart.svg"), "<svg/>").unwrap();
    let page = "\
# Chapter 3
[fine](02-coroutines.md#resume) [fine too](chart.svg) [here](#chapter-3) [web](https://x.org)
[missing](04-future-task.md) [no such heading](02-coroutines.md#yield)
[no anchor here](#nowhere) [mail](mailto:someone@example.org) [rooted](/src/lib.rs)
[redirected](../README.md#when-things-go-wrong) [not redirected](../README.md#yieldpoint)
[empty]() [climbing](../../etc/passwd) [spaced](02%2Dcoroutines.md)
{{#include ../README.md:catalogue}} {{#include ../README.md:nothing}} {{#include gone.md}}
";
    let book = Book {
        src: "chapters".to_string(),
        redirects: ["/README.html", "/README.html#when-things-go-wrong"]
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let found: Vec<String> = check_page(&root, "chapters/03-yield-from.md", page, &book)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "chapters/03-yield-from.md:3: (04-future-task.md) no such file: chapters/04-future-task.md",
            "chapters/03-yield-from.md:3: (02-coroutines.md#yield) chapters/02-coroutines.md has no heading with the anchor #yield",
            "chapters/03-yield-from.md:4: (#nowhere) this page has no heading with the anchor #nowhere",
            "chapters/03-yield-from.md:4: (mailto:someone@example.org) a link out of the repository must be http:// or https://, not mailto:",
            "chapters/03-yield-from.md:4: (/src/lib.rs) a link that starts with / works neither on the forge nor in the book: make it relative to this page",
            "chapters/03-yield-from.md:5: (../README.md#yieldpoint) README.md is outside the book's folder chapters/, so the book has no page for it: add one, and `\"/README.html#yieldpoint\" = \"<that page>.html\"` under [output.html.redirect] in book.toml",
            "chapters/03-yield-from.md:6: () the link has no target",
            "chapters/03-yield-from.md:6: (../../etc/passwd) the link climbs out of the repository",
            "chapters/03-yield-from.md:7: (../README.md) README.md has no `ANCHOR: nothing` line to include from",
            "chapters/03-yield-from.md:7: (gone.md) no such file: chapters/gone.md",
        ]
    );
    // Outside the book's folder, the book's rule does not apply.
    assert!(
        check_page(
            &root,
            "README.md",
            "# yieldpoint\n[see](chapters/02-coroutines.md#resume) [self](#yieldpoint)\n",
            &book
        )
        .is_empty()
    );
}

#[test]
fn book_toml_gives_the_folder_and_the_redirects() {
    let book = Book::parse(
        "[book]\nsrc = \"chapters\"\n[output.html.redirect]\n\"/README.html\" = \"a.html\"\n\"/old.html#x\" = \"b.html\"\n",
    )
    .unwrap();
    assert_eq!(book.src, "chapters");
    assert_eq!(
        book.redirects
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["/README.html", "/old.html#x"]
    );
    assert_eq!(Book::parse("[book]\n").unwrap().src, "src");
    assert_eq!(
        Book::parse("[output.html.redirect]\n\"/a.html\" = 3\n").unwrap_err(),
        "book.toml: output.html.redirect./a.html is not a string"
    );
}
