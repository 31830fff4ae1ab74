//! Who acts: the name the trail records and the role a request is judged by. Routes check
//! a role against their own access; the services check what depends on the thing acted on
//! (a recipe that administers users and seats, a run started with a hand-made event).

use weft_core::roles::{Permission, Role};

use crate::error::{HubError, HubResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Actor {
        Actor {
            name: name.into(),
            role,
        }
    }

    /// Someone at the hub's own machine (the CLI holding the database and the key, the
    /// demo, a benchmark): whoever can open the secrets is an Admin.
    pub fn local(name: impl Into<String>) -> Actor {
        Actor::new(name, Role::Admin)
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// Refuses with 403 unless the role allows `permission`; `why` says what was asked, in
    /// words ("recipe weekly-review administers users and seats").
    pub fn require(&self, permission: Permission, why: impl FnOnce() -> String) -> HubResult<()> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(HubError::Forbidden(format!(
                "{}; the {} role may not do this",
                why(),
                self.role.as_str()
            )))
        }
    }
}
