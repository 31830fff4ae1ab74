//! OAuth scopes as Wrike names them.

crate::open_enum!(
    /// A Wrike OAuth scope. `Default` is always granted when nothing else is asked for.
    pub enum Scope {
        Default,
        wsReadOnly,
        wsReadWrite,
        amReadOnlyUser,
        amReadWriteUser,
        amReadOnlyInvitation,
        amReadWriteInvitation,
        amReadOnlyGroup,
        amReadWriteGroup,
        amReadOnlyWorkflow,
        amReadWriteWorkflow,
        amReadOnlyTimelogCategory,
        amReadWriteTimelogCategory,
        amReadOnlyWorkSchedule,
        amReadWriteWorkSchedule,
        amReadOnlyAuditLog,
        amReadOnlyAccessRole,
        dataExportFull,
    }
);

impl Scope {
    /// Parses Wrike's comma-separated scope list (`Default,wsReadOnly`), ignoring blanks.
    pub fn parse_list(text: &str) -> Vec<Scope> {
        text.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Scope::from)
            .collect()
    }

    /// Formats scopes the way the authorize URL wants them: comma-separated.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists_round_trip() {
        let scopes = Scope::parse_list("Default, amReadOnlyAuditLog,,somethingNew");
        assert_eq!(
            scopes,
            vec![
                Scope::Default,
                Scope::amReadOnlyAuditLog,
                Scope::Other("somethingNew".into())
            ]
        );
        assert_eq!(
            Scope::join(&scopes),
            "Default,amReadOnlyAuditLog,somethingNew"
        );
        assert_eq!(Scope::KNOWN.len(), 18);
    }
}
