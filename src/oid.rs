//! Object ids as hex text: the vocabulary shared by hook input, the policy engine and the
//! git module, so pure decision code never needs git2's types.

use std::fmt;

/// A hex object id: 40 digits (SHA-1) or 64 (SHA-256), lowercase.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(String);

impl ObjectId {
    pub fn parse(text: &str) -> Option<ObjectId> {
        let hex = text.bytes().all(|b| b.is_ascii_hexdigit());
        (hex && (text.len() == 40 || text.len() == 64)).then(|| ObjectId(text.to_ascii_lowercase()))
    }

    /// The id whose raw bytes are `raw` (20 for SHA-1, 32 for SHA-256), as hex text.
    pub fn from_raw(raw: &[u8]) -> ObjectId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        // One allocation of the final size, written as bytes: ids are made for every
        // commit a walk reads.
        let mut text = vec![0; raw.len() * 2];
        for (digits, b) in text.chunks_exact_mut(2).zip(raw) {
            digits[0] = HEX[usize::from(b >> 4)];
            digits[1] = HEX[usize::from(b & 15)];
        }
        ObjectId(String::from_utf8(text).expect("hex digits are ASCII"))
    }

    /// Git's "no object" of the given width: a ref that does not exist (yet, or any more).
    pub fn zero(len: usize) -> ObjectId {
        ObjectId("0".repeat(len))
    }

    pub fn is_zero(&self) -> bool {
        self.0.bytes().all(|b| b == b'0')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The abbreviation people read: the first 7 digits.
    pub fn short(&self) -> &str {
        &self.0[..7]
    }

    /// A SHA-256 id (64 digits).
    pub fn is_sha256(&self) -> bool {
        self.0.len() == 64
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.short())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_zero() {
        assert!(ObjectId::parse(&"a".repeat(40)).is_some());
        assert!(ObjectId::parse(&"A".repeat(64)).is_some_and(|id| id.is_sha256()));
        assert!(ObjectId::parse("abc").is_none());
        assert!(ObjectId::parse(&"g".repeat(40)).is_none());
        assert!(ObjectId::zero(40).is_zero());
        let raw: Vec<u8> = (0..20).map(|i| i * 13).collect();
        let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ObjectId::from_raw(&raw), ObjectId::parse(&hex).unwrap());
        assert_eq!(
            ObjectId::parse(&"AB".repeat(20)).unwrap().short(),
            "abababa"
        );
    }
}
