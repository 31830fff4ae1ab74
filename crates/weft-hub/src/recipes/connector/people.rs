//! People and groups: list and read users, list groups, add and remove members.

use serde_json::Value;
use weft_store::Connection;
use wrike_api::WrikeClient;
use wrike_api::models::{Contact, ContactType, Role};
use wrike_api::requests::{ContactsQuery, GroupUpdate};

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{flag, id, opt_text, strings, to_output};
use super::holds;

/// The account's people, filtered by status, role, user type, e-mail domain and name.
pub async fn list_users(
    client: &WrikeClient,
    connection: &Connection,
    input: &Value,
) -> ActionResult {
    let active = flag(input, "active")?;
    let role = opt_text(input, "role")?.map(|r| Role::from(r.as_str()));
    let user_type = opt_text(input, "userType")?;
    let domain = opt_text(input, "emailDomain")?.map(|d| d.trim_start_matches('@').to_lowercase());
    let name = opt_text(input, "name")?;
    let people = client
        .contacts(&ContactsQuery {
            types: Some(vec![ContactType::Person]),
            ..ContactsQuery::default()
        })
        .await
        .map_err(|e| ActionError::from_wrike("GET /contacts", e))?;
    let account = &connection.identity.account_id;
    let kept: Vec<&Contact> = people
        .iter()
        .filter(|c| !c.deleted)
        .filter(|c| {
            let profile = c.profile(account).or_else(|| c.primary_profile());
            let is_active = profile.is_some_and(|p| p.active.unwrap_or(true));
            active.is_none_or(|want| want == is_active)
                && role
                    .as_ref()
                    .is_none_or(|r| profile.is_some_and(|p| &p.role == r))
                && user_type
                    .as_ref()
                    .is_none_or(|t| c.user_type_id.as_ref() == Some(t))
                && domain.as_ref().is_none_or(|d| {
                    profile
                        .and_then(|p| p.email.as_deref())
                        .or(c.primary_email.as_deref())
                        .and_then(|e| e.rsplit_once('@'))
                        .is_some_and(|(_, host)| host.eq_ignore_ascii_case(d))
                })
                && holds(
                    &format!("{} {}", c.first_name, c.last_name),
                    name.as_deref(),
                )
        })
        .collect();
    to_output(&kept)
}

/// One person.
pub async fn get_user(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let found = client
        .contacts_by_ids(&[id], &[])
        .await
        .map_err(|e| ActionError::from_wrike(&format!("GET /contacts/{id}"), e))?;
    match found.first() {
        Some(c) => to_output(c),
        None => Err(ActionError::permanent(format!("no contact {id}"))),
    }
}

/// The groups, or those whose title holds `title`.
pub async fn list_groups(client: &WrikeClient, input: &Value) -> ActionResult {
    let title = opt_text(input, "title")?;
    let groups = client
        .groups()
        .await
        .map_err(|e| ActionError::from_wrike("GET /groups", e))?;
    let kept: Vec<_> = groups
        .iter()
        .filter(|g| holds(&g.title, title.as_deref()))
        .collect();
    to_output(&kept)
}

/// Adds (`add`) or removes people from a group; the output is the group after.
pub async fn change_members(client: &WrikeClient, input: &Value, add: bool) -> ActionResult {
    let group = id(input, "group")?;
    let members = strings(input, "members")?;
    if members.is_empty() {
        return Err(ActionError::permanent(
            "members: name at least one contact id",
        ));
    }
    for m in &members {
        wrike_api::encode::check_id(m)
            .map_err(|e| ActionError::permanent(format!("members: {e}")))?;
    }
    let update = if add {
        GroupUpdate {
            add_members: Some(members),
            ..GroupUpdate::default()
        }
    } else {
        GroupUpdate {
            remove_members: Some(members),
            ..GroupUpdate::default()
        }
    };
    let changed = client
        .update_group(group, &update)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("PUT /groups/{group}"), e))?;
    to_output(&changed)
}
