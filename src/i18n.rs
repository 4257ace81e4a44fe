//! Which language a user reads: `--lang`, then config `lang`, then the locale, then English.

use serde::{Deserialize, Serialize};

/// A language every user-facing message and template exists in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum Lang {
    #[serde(rename = "en")]
    #[value(name = "en")]
    En,
    #[serde(rename = "zh-CN")]
    #[value(name = "zh-CN", alias = "zh", alias = "zh_CN")]
    ZhCn,
}

impl Lang {
    /// The tag written in config files and accepted by `--lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Reads a POSIX locale value (`zh_CN.UTF-8`, `en_US`, `C`): `zh*` is Chinese,
    /// anything else set is English, empty is "not set".
    pub fn from_locale(value: &str) -> Option<Lang> {
        let value = value.trim();
        if value.is_empty() {
            None
        } else if value.to_ascii_lowercase().starts_with("zh") {
            Some(Lang::ZhCn)
        } else {
            Some(Lang::En)
        }
    }

    /// The first of the given choices that is set, English when none is.
    pub fn resolve(cli: Option<Lang>, config: Option<Lang>, locale: Option<Lang>) -> Lang {
        cli.or(config).or(locale).unwrap_or(Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_values() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_locale("zh_TW"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C"), Some(Lang::En));
        assert_eq!(Lang::from_locale(""), None);
    }

    #[test]
    fn precedence() {
        use Lang::*;
        assert_eq!(Lang::resolve(Some(En), Some(ZhCn), Some(ZhCn)), En);
        assert_eq!(Lang::resolve(None, Some(ZhCn), Some(En)), ZhCn);
        assert_eq!(Lang::resolve(None, None, Some(ZhCn)), ZhCn);
        assert_eq!(Lang::resolve(None, None, None), En);
    }
}
