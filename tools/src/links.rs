//! The links of the markdown pages, and whether each one leads somewhere.
//!
//! A page in `chapters/` is read two ways: on the forge, as a markdown file
//! among the repository's files, and in the mdBook, as an HTML page among
//! the book's. A link must work in both:
//!
//! - a relative link names a file that exists, and its `#anchor`, if it
//!   points into a markdown file, names a heading of that file;
//! - a link out of the repository is `http://` or `https://`;
//! - a link out of the book's folder (`../README.md#…`) has a redirect in
//!   `book.toml` that the book serves in its place (see [`Book`]);
//! - an `{{#include file:anchor}}` names a file that has that anchor.
//!
//! The core operations are:
//! - [`links`] finds the links of a page (not those in code blocks, code
//!   spans or HTML comments), and [`includes`] its mdBook includes.
//! - [`anchors`] lists the anchors a page's headings get, as the forge and
//!   mdBook both derive them ([`slug`]).
//! - [`check_page`] judges every link of one page, returning each broken
//!   one with what is wrong.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// One link of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The line it is on, from 1.
    pub line: usize,
    /// Where it points, as written.
    pub target: String,
}

/// One `{{#include …}}` of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The line it is on, from 1.
    pub line: usize,
    /// The file, relative to the page.
    pub path: String,
    /// The anchor after the path (`file:name`), if one is named; line
    /// ranges (`file:3:9`) are not anchors.
    pub anchor: Option<String>,
}

/// A link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The page, relative to the repository's root.
    pub page: String,
    /// The line, from 1.
    pub line: usize,
    /// Where it points, as written.
    pub target: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: ({}) {}",
            self.page, self.line, self.target, self.problem
        )
    }
}

/// What the checker needs from `book.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book {
    /// The book's source folder, relative to the repository's root
    /// (`[book] src`, `chapters` here).
    pub src: String,
    /// The keys of `[output.html.redirect]`: paths in the built book, such
    /// as `/README.html` or `/README.html#when-things-go-wrong`, for which
    /// the book writes a page that redirects.
    pub redirects: BTreeSet<String>,
}

impl Book {
    /// Reads `book.toml`'s text.
    ///
    /// # Errors
    ///
    /// A message if it is not TOML, or if `[book] src` or a redirect is not
    /// a string.
    pub fn parse(text: &str) -> Result<Book, String> {
        let document = DeTable::parse(text).map_err(|e| format!("book.toml: {e}"))?;
        let table =
            |value: Option<&DeValue<'_>>, name: &str| -> Result<Vec<(String, String)>, String> {
                let Some(value) = value else {
                    return Ok(Vec::new());
                };
                let table = value
                    .as_table()
                    .ok_or_else(|| format!("book.toml: [{name}] is not a table"))?;
                table
                    .iter()
                    .map(|(key, value)| {
                        let value = value.get_ref().as_str().ok_or_else(|| {
                            format!("book.toml: {name}.{} is not a string", key.get_ref())
                        })?;
                        Ok((key.get_ref().to_string(), value.to_string()))
                    })
                    .collect()
            };
        let root = document.get_ref();
        let book = table(root.get("book").map(|v| v.get_ref()), "book").unwrap_or_default();
        let src = book
            .iter()
            .find(|(key, _)| key == "src")
            .map_or_else(|| "src".to_string(), |(_, value)| value.clone());
        let redirect = root
            .get("output")
            .and_then(|output| output.get_ref().as_table())
            .and_then(|output| output.get("html"))
            .and_then(|html| html.get_ref().as_table())
            .and_then(|html| html.get("redirect"))
            .map(|redirect| redirect.get_ref());
        let redirects = table(redirect, "output.html.redirect")?
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        Ok(Book { src, redirects })
    }
}

/// Each line of `markdown` with its number (from 1) and whether it is
/// prose: not inside a fenced code block or an HTML comment. Fence lines
/// themselves are not prose.
fn prose_lines(markdown: &str) -> Vec<(usize, &str, bool)> {
    let mut fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    let mut lines = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        let prose = match fence {
            Some((c, n)) => {
                if indent <= 3 && run(c) >= n && trimmed.trim_start_matches(c).trim().is_empty() {
                    fence = None;
                }
                false
            }
            None if in_comment => {
                in_comment = !line.contains("-->");
                false
            }
            None => {
                let opening = ['`', '~'].into_iter().find(|&c| run(c) >= 3);
                if let (Some(c), true) = (opening, indent <= 3) {
                    fence = Some((c, run(c)));
                    false
                } else {
                    if let Some(start) = line.rfind("<!--") {
                        in_comment = !line[start..].contains("-->");
                    }
                    true
                }
            }
        };
        lines.push((index + 1, line, prose));
    }
    lines
}

/// `line` with its code spans and HTML comments blanked out, so that
/// nothing inside them reads as a link.
fn without_code(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            // The closing run: exactly as many backticks.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if other == run {
                        close = Some(j + other);
                        break;
                    }
                    j += other;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(end) => {
                    out.extend(std::iter::repeat_n(' ', end - i));
                    i = end;
                }
                None => {
                    out.extend(&chars[i..i + run]);
                    i += run;
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    // HTML comments on the line (markers such as `<!-- quote: … -->`).
    while let Some(start) = out.find("<!--") {
        let end = out[start..]
            .find("-->")
            .map_or(out.len(), |e| start + e + 3);
        out.replace_range(start..end, &" ".repeat(end - start));
    }
    out
}

/// The destination of an inline link whose `(` is at `open`: the text up to
/// the closing `)`, without a title; and the index after it.
fn destination(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut i = open + 1;
    while i < chars.len() && chars[i] == ' ' {
        i += 1;
    }
    let mut target = String::new();
    if chars.get(i) == Some(&'<') {
        i += 1;
        while i < chars.len() && chars[i] != '>' {
            target.push(chars[i]);
            i += 1;
        }
        i += 1;
    } else {
        let mut depth = 0;
        while i < chars.len() {
            match chars[i] {
                '(' => depth += 1,
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                c if c.is_whitespace() => break,
                _ => {}
            }
            target.push(chars[i]);
            i += 1;
        }
    }
    // A title, then the closing parenthesis.
    while i < chars.len() && chars[i] != ')' {
        i += 1;
    }
    (i < chars.len()).then_some((target, i + 1))
}

/// The links of `markdown`: inline links and images (`[text](target)`),
/// reference definitions (`[name]: target`), and autolinks
/// (`<https://…>`), outside code and comments.
pub fn links(markdown: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (line_number, line, prose) in prose_lines(markdown) {
        if !prose {
            continue;
        }
        let line = without_code(line);
        let trimmed = line.trim_start();
        // A reference definition: `[name]: target`.
        if line.len() - trimmed.len() <= 3
            && let Some(rest) = trimmed.strip_prefix('[')
            && let Some((name, after)) = rest.split_once("]:")
            && !name.is_empty()
            && let Some(target) = after.split_whitespace().next()
        {
            found.push(Link {
                line: line_number,
                target: target
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string(),
            });
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut opened: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 1,
                '[' => opened.push(i),
                ']' if opened.pop().is_some() && chars.get(i + 1) == Some(&'(') => {
                    if let Some((target, next)) = destination(&chars, i + 1) {
                        found.push(Link {
                            line: line_number,
                            target,
                        });
                        i = next;
                        continue;
                    }
                }
                '<' => {
                    let rest: String = chars[i + 1..].iter().collect();
                    if let Some(end) = rest.find('>') {
                        let inside = &rest[..end];
                        if scheme(inside).is_some() && !inside.contains(char::is_whitespace) {
                            found.push(Link {
                                line: line_number,
                                target: inside.to_string(),
                            });
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    found
}

/// The `{{#include …}}` and `{{#rustdoc_include …}}` of `markdown`.
/// mdBook expands them everywhere, code blocks included.
pub fn includes(markdown: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#") {
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else {
                break;
            };
            let inside = after[..end].trim();
            rest = &after[end + 2..];
            let Some(spec) = inside
                .strip_prefix("include ")
                .or_else(|| inside.strip_prefix("rustdoc_include "))
            else {
                continue;
            };
            let spec = spec.trim();
            let (path, selector) = spec.split_once(':').unwrap_or((spec, ""));
            let anchor = (!selector.is_empty()
                && !selector.starts_with(|c: char| c.is_ascii_digit())
                && !selector.starts_with(':'))
            .then(|| selector.to_string());
            found.push(Include {
                line: index + 1,
                path: path.to_string(),
                anchor,
            });
        }
    }
    found
}

/// The anchor a heading gets: its text in lower case, spaces turned into
/// `-`, everything but letters, digits, `-` and `_` dropped. GitHub and
/// mdBook agree on this; for example `` What `await` does, *really* ``
/// becomes `what-await-does-really`.
pub fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c.is_whitespace() {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

/// The anchors of `markdown`'s headings, in the way both GitHub and mdBook
/// derive them (a repeated heading gets `-1`, `-2`, … after it), and any
/// explicit `{#id}` or HTML `id="…"`.
pub fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, line, prose) in prose_lines(markdown) {
        if !prose {
            continue;
        }
        for attribute in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(start) = rest.find(attribute) {
                let after = &rest[start + attribute.len()..];
                if let Some(end) = after.find('"') {
                    found.insert(after[..end].to_string());
                }
                rest = after;
            }
        }
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || line.len() - trimmed.len() > 3 {
            continue;
        }
        let text = &trimmed[hashes..];
        if !text.is_empty() && !text.starts_with(' ') {
            continue;
        }
        let text = text.trim().trim_end_matches('#').trim_end();
        if let Some(open) = text.rfind("{#")
            && text.ends_with('}')
        {
            found.insert(text[open + 2..text.len() - 1].to_string());
            continue;
        }
        // The link texts of the heading, without their targets.
        let mut plain = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ']' && chars.peek() == Some(&'(') {
                for skipped in chars.by_ref() {
                    if skipped == ')' {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        let base = slug(&plain);
        let mut anchor = base.clone();
        let mut repeat = 0;
        while found.contains(&anchor) {
            repeat += 1;
            anchor = format!("{base}-{repeat}");
        }
        found.insert(anchor);
    }
    found
}

/// The scheme of a URL (`https` of `https://…`), if it has one.
fn scheme(target: &str) -> Option<&str> {
    let (scheme, _) = target.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && scheme.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `path` with `.` and `..` worked out, or `None` if it climbs above its
/// start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

/// `%20` and the like, decoded; anything malformed is left as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The path the browser asks the book's server for when a page at
/// `page_in_book` (relative to the book's folder) follows a link to
/// `link_path`: `..` cannot climb above the site's root, and a markdown
/// file is served as HTML.
fn book_url(page_in_book: &Path, link_path: &str) -> String {
    let mut parts: Vec<String> = page_in_book
        .parent()
        .into_iter()
        .flat_map(|dir| dir.components())
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for part in link_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part.to_string()),
        }
    }
    let mut url = format!("/{}", parts.join("/"));
    if let Some(stem) = url.strip_suffix(".md") {
        url = format!("{stem}.html");
    }
    url
}

/// Every broken link and include of the page `page` (relative to the
/// repository at `root`), whose text is `markdown`. The book's rule for
/// links out of its folder applies to pages inside [`Book::src`].
pub fn check_page(root: &Path, page: &str, markdown: &str, book: &Book) -> Vec<Broken> {
    let mut broken = Vec::new();
    let page_dir = Path::new(page).parent().unwrap_or(Path::new(""));
    let in_book = Path::new(page).strip_prefix(&book.src).ok();
    for link in links(markdown) {
        let target = link.target.clone();
        let problem = judge(root, page_dir, in_book, markdown, &target, book);
        if let Some(problem) = problem {
            broken.push(Broken {
                page: page.to_string(),
                line: link.line,
                target,
                problem,
            });
        }
    }
    for include in includes(markdown) {
        let path = normalize(&page_dir.join(&include.path));
        let text = path
            .as_ref()
            .and_then(|path| std::fs::read_to_string(root.join(path)).ok());
        let problem = match (&path, &text, &include.anchor) {
            (None, _, _) => Some("the include climbs out of the repository".to_string()),
            (Some(path), None, _) => Some(format!("no such file: {}", path.display())),
            (Some(path), Some(text), Some(anchor))
                if !text
                    .lines()
                    .any(|line| anchor_named(line) == Some(anchor.as_str())) =>
            {
                Some(format!(
                    "{} has no `ANCHOR: {anchor}` line to include from",
                    path.display()
                ))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            broken.push(Broken {
                page: page.to_string(),
                line: include.line,
                target: include.path.clone(),
                problem,
            });
        }
    }
    broken
}

/// The name of the `ANCHOR: name` that `line` opens, as mdBook reads it:
/// the word after `ANCHOR:` (anything may follow it, such as `-->`).
fn anchor_named(line: &str) -> Option<&str> {
    let rest = line.split_once("ANCHOR:")?.1.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// What is wrong with one link target, if anything.
fn judge(
    root: &Path,
    page_dir: &Path,
    in_book: Option<&Path>,
    markdown: &str,
    target: &str,
    book: &Book,
) -> Option<String> {
    if target.is_empty() {
        return Some("the link has no target".to_string());
    }
    if let Some(anchor) = target.strip_prefix('#') {
        let anchor = percent_decode(anchor);
        return (!anchors(markdown).contains(&anchor))
            .then(|| format!("this page has no heading with the anchor #{anchor}"));
    }
    if let Some(scheme) = scheme(target) {
        return (!matches!(scheme, "http" | "https")).then(|| {
            format!("a link out of the repository must be http:// or https://, not {scheme}:")
        });
    }
    if target.starts_with('/') {
        return Some(
            "a link that starts with / works neither on the forge nor in the book: make it \
             relative to this page"
                .to_string(),
        );
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(percent_decode(anchor))),
        None => (target, None),
    };
    let path = percent_decode(path.split('?').next().unwrap_or(path));
    let Some(resolved) = normalize(&page_dir.join(&path)) else {
        return Some("the link climbs out of the repository".to_string());
    };
    let file = root.join(&resolved);
    if !file.exists() {
        return Some(format!("no such file: {}", resolved.display()));
    }
    if let Some(anchor) = &anchor
        && resolved.extension().is_some_and(|ext| ext == "md")
    {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if !anchors(&text).contains(anchor) {
            return Some(format!(
                "{} has no heading with the anchor #{anchor}",
                resolved.display()
            ));
        }
    }
    if let Some(page_in_book) = in_book
        && !resolved.starts_with(&book.src)
    {
        let url = book_url(page_in_book, &path);
        let key = match &anchor {
            Some(anchor) => format!("{url}#{anchor}"),
            None => url.clone(),
        };
        if !book.redirects.contains(&key) {
            return Some(format!(
                "{} is outside the book's folder {}/, so the book has no page for it: add one, \
                 and `\"{key}\" = \"<that page>.html\"` under [output.html.redirect] in \
                 book.toml",
                resolved.display(),
                book.src
            ));
        }
    }
    None
}
