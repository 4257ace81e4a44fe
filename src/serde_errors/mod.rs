//! serde's error texts (from `toml` and the YAML front matter) said as catalog messages.
//!
//! serde builds its errors from fixed English sentences (`unknown field `x`, expected one
//! of ...`, `missing field `x``, `invalid type: ..., expected ...`); shipgate's own
//! validators pass a catalog message through serde as `Msg::encode` text. `explain` turns
//! either back into a message in the reader's language; anything else (a TOML or YAML
//! syntax error) stays the parser's own words, quoted inside a catalog sentence.

use crate::messages::{list, Msg};

/// The message a serde error text stands for.
pub fn explain(text: &str) -> Msg {
    let text = text.trim();
    if let Some(msg) = Msg::decode(text) {
        return msg;
    }
    known(text).unwrap_or_else(|| Msg::ParserSaid {
        text: text.lines().map(str::trim).collect::<Vec<_>>().join("; "),
    })
}

fn known(text: &str) -> Option<Msg> {
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let (field, expected) = name_then(rest)?;
        return Some(match expected {
            Some(expected) => Msg::SerdeUnknownField {
                field,
                expected: names(expected)?,
            },
            None => Msg::SerdeUnknownFieldNone { field },
        });
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let (value, expected) = name_then(rest)?;
        return Some(Msg::SerdeUnknownVariant {
            value,
            expected: expected.map(names).unwrap_or_else(|| Some(String::new()))?,
        });
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return Some(Msg::SerdeMissingField {
            field: ticked(rest)?.to_string(),
        });
    }
    if let Some(rest) = text.strip_prefix("duplicate field ") {
        return Some(Msg::SerdeDuplicateField {
            field: ticked(rest)?.to_string(),
        });
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ")?;
        return Some(Msg::SerdeInvalidType {
            found: Box::new(found_kind(found)),
            expected: Box::new(expected_kind(expected)),
        });
    }
    if let Some(rest) = text.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ")?;
        return Some(Msg::SerdeInvalidValue {
            found: Box::new(found_kind(found)),
            expected: Box::new(expected_kind(expected)),
        });
    }
    if let Some(rest) = text.strip_prefix("invalid length ") {
        let (len, expected) = rest.split_once(", expected ")?;
        return Some(Msg::SerdeInvalidLength {
            len: len.to_string(),
            expected: Box::new(expected_kind(expected)),
        });
    }
    if text == "wanted string or table" {
        return Some(Msg::SerdeExpected {
            expected: Box::new(Msg::KindStringOrTable),
        });
    }
    if let Some(rest) = text.strip_prefix("expected ") {
        let expected = expected_kind(rest);
        if !matches!(expected, Msg::KindOther { .. }) {
            return Some(Msg::SerdeExpected {
                expected: Box::new(expected),
            });
        }
    }
    if let Some(rest) = text.strip_prefix("duplicate key ") {
        return Some(Msg::SerdeDuplicateKey {
            key: ticked(rest)?.to_string(),
        });
    }
    None
}

/// `` `name`, expected ... `` or `` `name`, there are no ... ``.
fn name_then(rest: &str) -> Option<(String, Option<&str>)> {
    let name = ticked(rest)?;
    let after = &rest[name.len() + 2..];
    if let Some(expected) = after.strip_prefix(", expected ") {
        Some((name.to_string(), Some(expected)))
    } else if after.starts_with(", there are no ") {
        Some((name.to_string(), None))
    } else {
        None
    }
}

/// The name between the backticks `text` starts with.
fn ticked(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('`')?;
    Some(&inner[..inner.find('`')?])
}

/// serde's `one of `a`, `b``, `` `a` or `b` `` or `` `a` `` (YAML's parser writes the
/// names without backticks), as a message list.
fn names(text: &str) -> Option<String> {
    let text = text.strip_prefix("one of ").unwrap_or(text).trim();
    let mut items = Vec::new();
    if text.starts_with('`') {
        let mut rest = text;
        while let Some(name) = ticked(rest) {
            items.push(format!("`{name}`"));
            rest = rest[name.len() + 2..]
                .trim_start_matches(',')
                .trim_start()
                .trim_start_matches("or ");
        }
        if !rest.is_empty() {
            return None;
        }
    } else {
        for part in text.split(", ").flat_map(|p| p.split(" or ")) {
            let name = part.trim();
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
            if !plain {
                return None;
            }
            items.push(format!("`{name}`"));
        }
    }
    (!items.is_empty()).then(|| list(items))
}

/// serde's `Unexpected` texts: `string "x"`, `integer `5``, `sequence`, ...
fn found_kind(text: &str) -> Msg {
    let valued = |kind: Msg, value: &str| Msg::SerdeValued {
        value: value.to_string(),
        kind: Box::new(kind),
    };
    if let Some(value) = text.strip_prefix("string ") {
        return valued(Msg::KindString, value);
    }
    for (prefix, kind) in [
        ("integer ", Msg::KindInteger),
        ("floating point ", Msg::KindFloat),
        ("boolean ", Msg::KindBool),
        ("character ", Msg::KindString),
    ] {
        if let Some(value) = text.strip_prefix(prefix) {
            return valued(kind, value);
        }
    }
    match text {
        "sequence" => Msg::KindSequence,
        "map" => Msg::KindTable,
        "unit value" | "Option value" => Msg::KindNothing,
        _ => Msg::KindOther { text: text.into() },
    }
}

/// serde's `Expected` texts: `a string`, `u32`, `struct Config`, `a sequence`, ...
fn expected_kind(text: &str) -> Msg {
    let text = text.trim();
    match text {
        "a string" | "a borrowed string" | "a character" | "string" | "string scalar" => {
            Msg::KindString
        }
        "a boolean" | "bool" => Msg::KindBool,
        "a sequence" | "an array" | "sequence" => Msg::KindSequence,
        "a map" | "a table" | "map" => Msg::KindTable,
        "an integer" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64"
        | "isize" => Msg::KindInteger,
        "a float" | "f32" | "f64" => Msg::KindFloat,
        _ if text.starts_with("struct ") || text.starts_with("a struct") => Msg::KindTable,
        _ => Msg::KindOther { text: text.into() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn serde_sentences_are_said_in_both_languages() {
        let msg = explain("unknown field `generate`, expected one of `branches`, `tags`");
        assert_eq!(
            msg.render(Lang::En),
            "unknown field `generate`, expected one of `branches`, `tags`"
        );
        assert_eq!(
            msg.render(Lang::ZhCn),
            "未知字段 `generate`，可用的字段：`branches`、`tags`"
        );
        let msg = explain("invalid type: string \"x\", expected a sequence");
        assert_eq!(
            msg.render(Lang::En),
            "invalid type: a string \"x\", expected a sequence"
        );
        assert_eq!(
            msg.render(Lang::ZhCn),
            "类型不对：这里是字符串 \"x\"，应为数组"
        );
        let msg = explain("unknown variant `teams`, expected `a` or `b`");
        assert_eq!(
            msg.render(Lang::ZhCn),
            "`teams` 不是可用的值，可用的值：`a`、`b`"
        );
        let msg = explain("unknown variant `featur`, expected one of feature, bugfix");
        assert_eq!(
            msg.render(Lang::ZhCn),
            "`featur` 不是可用的值，可用的值：`feature`、`bugfix`"
        );
        let msg = explain("expected string scalar");
        assert_eq!(msg.render(Lang::ZhCn), "类型不对：应为字符串");
        let msg = explain("missing field `version`");
        assert_eq!(msg.render(Lang::ZhCn), "缺少字段 `version`");
        let msg = explain("invalid table header\nexpected `.`, `]`");
        assert_eq!(
            msg.render(Lang::ZhCn),
            "解析器报告：“invalid table header; expected `.`, `]`”"
        );
        let inner = Msg::WebhookNoHost;
        assert_eq!(explain(&inner.encode()), inner);
    }
}
