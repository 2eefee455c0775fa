//! Server-supplied text is untrusted: control characters become visible escapes
//! before anything reaches a terminal, so no frame can move the cursor, change
//! colours or set the window title.

use std::borrow::Cow;

/// Replaces C0/C1 control characters and DEL with `\xNN` / `\u{NNNN}` escapes.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            let n = c as u32;
            if n < 0x100 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_control(c: char) -> bool {
    // Bidi overrides can reorder what the user reads; treat them as controls too.
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_made_visible() {
        assert_eq!(sanitize("hi"), "hi");
        assert_eq!(sanitize("\x1b]0;pwned\x07x"), "\\x1b]0;pwned\\x07x");
        assert_eq!(sanitize("a\x1eb\u{9b}"), "a\\x1eb\\x9b");
        assert_eq!(sanitize("\u{202e}"), "\\u{202e}");
    }
}
