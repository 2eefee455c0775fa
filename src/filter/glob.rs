//! Shell-style patterns for names: `*` stands for any run of characters, `?` for
//! one; everything else stands for itself (case-sensitive: event names are).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: Box<str>,
    /// No `*` or `?`: a plain comparison.
    literal: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.into(),
            literal: !pattern.contains(['*', '?']),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, text: &str) -> bool {
        if self.literal {
            return *self.pattern == *text;
        }
        wildcard(self.pattern.as_bytes(), text.as_bytes())
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Iterative matching with one backtrack point (the last `*`): linear in practice,
/// at worst pattern × text, never exponential. `?` takes one character, not one byte.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                t += char_len(text[t]);
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` take one more character and try again from there.
                Some((sp, st)) => {
                    let next = st + char_len(text[st]);
                    star = Some((sp, next));
                    p = sp + 1;
                    t = next;
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// The length of the UTF-8 character that starts with `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stars_and_question_marks() {
        let cases = [
            ("chat*", "chat", true),
            ("chat*", "chatroom", true),
            ("chat*", "cha", false),
            ("*room", "chatroom", true),
            ("*o*o*", "chatroom", true),
            ("c?at", "chat", true),
            ("c?at", "chéat", false),
            ("ch?t", "chét", true),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("Chat", "chat", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(Glob::new(pattern).matches(text), expected, "{pattern} on {text}");
        }
    }

    proptest! {
        #[test]
        fn a_literal_matches_itself_and_stars_around_it_match_more(
            text in "[a-z/_é]{0,12}", before in "[a-z]{0,4}", after in "[a-z]{0,4}"
        ) {
            prop_assert!(Glob::new(&text).matches(&text));
            let around = format!("*{text}*");
            let longer = format!("{before}{text}{after}");
            prop_assert!(Glob::new(&around).matches(&longer));
        }

        #[test]
        fn matching_never_panics(pattern in "[a-c*?é]{0,10}", text in "[a-cé]{0,12}") {
            let _ = Glob::new(&pattern).matches(&text);
        }
    }
}
