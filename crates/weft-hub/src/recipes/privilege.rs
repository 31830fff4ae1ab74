//! Who may act on a recipe, by what its steps do: one whose steps administer users and
//! seats is applied, edited, removed, started, run by hand, rerun and approved by Admins
//! only (its steps do what reclaiming does), and people are told which privilege a recipe
//! needs.

use weft_core::recipe::{Privilege, Recipe};
use weft_core::roles::Permission;

use crate::Actor;
use crate::error::HubResult;

/// Refuses `actor` when `recipe` administers users and seats and they may not do so
/// through a recipe; `doing` says what they asked ("starting").
pub fn require_privilege(actor: &Actor, recipe: &Recipe, doing: &str) -> HubResult<()> {
    let (privilege, steps) = recipe.privilege();
    if privilege < Privilege::AdministerUsers {
        return Ok(());
    }
    actor.require(Permission::AdministerThroughRecipes, || {
        format!(
            "{doing} recipe {}: its steps {} administer users and seats, which only Admins do",
            recipe.name.value,
            steps.join(", ")
        )
    })
}

/// What a recipe may do, in a sentence for `validate`, the editor and the API: the privilege
/// its steps need, which steps need it, and who may change and run it.
pub fn privilege_note(recipe: &Recipe) -> String {
    let (privilege, steps) = recipe.privilege();
    let who = if privilege == Privilege::AdministerUsers {
        "only Admins may apply, edit, start, run by hand, rerun or approve it"
    } else {
        "Admins and Analysts may apply and edit it"
    };
    if steps.is_empty() {
        return format!("needs the privilege to {} ({who})", privilege.as_str());
    }
    format!(
        "needs the privilege to {} (steps {}); {who}",
        privilege.as_str(),
        steps.join(", ")
    )
}
