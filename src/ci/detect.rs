//! Which CI service runs this job, from the variables each one sets in every job.

use std::collections::BTreeMap;

/// A CI service `shipgate ci` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// GitHub Actions: `GITHUB_ACTIONS=true`.
    GitHub,
    /// GitLab CI: `GITLAB_CI=true`.
    GitLab,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::GitHub => "GitHub Actions",
            Service::GitLab => "GitLab CI",
        }
    }
}

/// The service whose marker variable is `true`, GitHub first (a GitLab runner never sets
/// `GITHUB_ACTIONS`; the reverse holds too).
pub fn detect(vars: &BTreeMap<&'static str, String>) -> Option<Service> {
    let set = |name: &str| vars.get(name).is_some_and(|v| v == "true");
    if set("GITHUB_ACTIONS") {
        Some(Service::GitHub)
    } else if set("GITLAB_CI") {
        Some(Service::GitLab)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn markers_decide() {
        assert_eq!(
            detect(&vars(&[("GITHUB_ACTIONS", "true")])),
            Some(Service::GitHub)
        );
        assert_eq!(
            detect(&vars(&[("GITLAB_CI", "true")])),
            Some(Service::GitLab)
        );
        assert_eq!(detect(&vars(&[("GITHUB_ACTIONS", "false")])), None);
        assert_eq!(detect(&vars(&[("CI", "true")])), None);
    }
}
