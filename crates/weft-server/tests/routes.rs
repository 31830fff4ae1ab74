//! Who may call each route, pinned in a table written here by hand, independently of the
//! route table's own declarations: the router must list exactly these routes, declare
//! exactly these audiences, and, called with every role (by session and by API token) and
//! with no credentials, admit exactly them. A wrongly declared route fails this test.
//! What depends on the recipe a route acts on (one that administers users and seats is for
//! Admins only; a run with a hand-made event is for Admins and Analysts) is pinned in
//! `recipe_safety.rs`, whose tables walk those routes with every role.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;
use weft_core::roles::Role;
use weft_server::{Access, route_table};

/// Who a route admits.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anyone,
    SignedIn,
    Only(&'static [Role]),
}

use Role::{Admin, Analyst, Operator};
use Who::{Anyone, Only, SignedIn};

const ADMINS: Who = Only(&[Admin]);
const CONNECTIONS: Who = Only(&[Admin, Analyst]);
const JOB_VIEWERS: Who = Only(&[Admin, Analyst, Operator]);
const JOB_RUNNERS: Who = Only(&[Admin, Operator]);
/// Usage reports: Admins and Analysts; only Admins reclaim seats.
const ANALYSTS: Who = Only(&[Admin, Analyst]);
/// Recipes: everyone on the team sees them and their runs; Admins and Analysts edit them;
/// Admins and Operators rerun, cancel, approve and reject runs.
const RECIPE_VIEWERS: Who = Only(&[Admin, Analyst, Operator]);
const RECIPE_EDITORS: Who = Only(&[Admin, Analyst]);
const RUN_OPERATORS: Who = Only(&[Admin, Operator]);

/// Every route of the hub and who may call it, as PRODUCT.md and the issues say.
const EXPECTED: &[(&str, &str, Who)] = &[
    ("GET", "/healthz", Anyone),
    ("GET", "/readyz", Anyone),
    ("GET", "/metrics", Anyone),
    ("GET", "/static/weft.css", Anyone),
    ("GET", "/static/weft.js", Anyone),
    ("GET", "/schemas/recipe.schema.json", Anyone),
    ("GET", "/login", Anyone),
    ("POST", "/login", Anyone),
    ("GET", "/sso/start", Anyone),
    ("GET", "/sso/callback", Anyone),
    // The reclaim dialogue's answer page: the signed link is the authority.
    ("GET", "/seat/{token}", Anyone),
    ("POST", "/seat/{token}", Anyone),
    ("POST", "/logout", SignedIn),
    ("GET", "/", SignedIn),
    ("GET", "/connections", CONNECTIONS),
    ("POST", "/connections/permanent", CONNECTIONS),
    ("POST", "/connections/oauth/start", CONNECTIONS),
    ("GET", "/connections/oauth/callback", CONNECTIONS),
    ("POST", "/connections/secrets", CONNECTIONS),
    ("POST", "/connections/secrets/{name}/remove", CONNECTIONS),
    ("GET", "/connections/{id}", CONNECTIONS),
    ("POST", "/connections/{id}/token", CONNECTIONS),
    ("POST", "/connections/{id}/check", CONNECTIONS),
    ("POST", "/connections/{id}/remove", CONNECTIONS),
    ("GET", "/recipes", RECIPE_VIEWERS),
    ("POST", "/recipes", RECIPE_EDITORS),
    ("GET", "/recipes/new", RECIPE_EDITORS),
    ("GET", "/recipes/reference", RECIPE_VIEWERS),
    ("GET", "/recipes/{name}", RECIPE_VIEWERS),
    ("POST", "/recipes/{name}", RECIPE_EDITORS),
    ("GET", "/recipes/{name}/edit", RECIPE_EDITORS),
    ("GET", "/recipes/{name}/diff", RECIPE_VIEWERS),
    (
        "POST",
        "/recipes/{name}/versions/{version}/restore",
        RECIPE_EDITORS,
    ),
    ("GET", "/recipes/{name}/file", RECIPE_VIEWERS),
    ("POST", "/recipes/{name}/start", RECIPE_VIEWERS),
    ("POST", "/recipes/{name}/stop", RECIPE_VIEWERS),
    ("POST", "/recipes/{name}/run", RECIPE_VIEWERS),
    ("GET", "/runs", RECIPE_VIEWERS),
    ("GET", "/runs/{id}", RECIPE_VIEWERS),
    ("POST", "/runs/{id}/rerun", RUN_OPERATORS),
    ("POST", "/runs/{id}/cancel", RUN_OPERATORS),
    ("POST", "/runs/{id}/approve", RUN_OPERATORS),
    ("POST", "/runs/{id}/reject", RUN_OPERATORS),
    ("GET", "/jobs", JOB_VIEWERS),
    ("GET", "/jobs/{id}", JOB_VIEWERS),
    ("POST", "/jobs/{id}/retry", JOB_RUNNERS),
    ("POST", "/jobs/{id}/cancel", JOB_RUNNERS),
    ("GET", "/team", ADMINS),
    ("POST", "/team/users", ADMINS),
    ("POST", "/team/users/{id}/role", ADMINS),
    ("POST", "/team/users/{id}/disable", ADMINS),
    ("POST", "/team/users/{id}/enable", ADMINS),
    ("POST", "/team/users/{id}/password", ADMINS),
    ("POST", "/team/users/{id}/sign-out", ADMINS),
    ("POST", "/team/users/{id}/remove", ADMINS),
    ("GET", "/audit", ADMINS),
    ("GET", "/tokens", SignedIn),
    ("POST", "/tokens", SignedIn),
    ("POST", "/tokens/{id}/revoke", SignedIn),
    ("GET", "/account", SignedIn),
    ("POST", "/account/password", SignedIn),
    ("POST", "/account/digest", ANALYSTS),
    ("POST", "/account/sign-out-everywhere", SignedIn),
    ("GET", "/usage/users", ANALYSTS),
    ("GET", "/usage/users.csv", ANALYSTS),
    ("GET", "/usage/users/{connection}/{id}", ANALYSTS),
    ("GET", "/usage/trends", ANALYSTS),
    ("GET", "/usage/seats", ANALYSTS),
    ("GET", "/usage/renewal", ANALYSTS),
    ("GET", "/usage/renewal/{id}", ANALYSTS),
    ("GET", "/usage/renewal/{id}/costs", ANALYSTS),
    ("POST", "/usage/renewal/{id}/costs", ANALYSTS),
    ("POST", "/usage/sync/{id}", ANALYSTS),
    ("GET", "/usage/policies", ANALYSTS),
    ("POST", "/usage/policies", ANALYSTS),
    ("GET", "/usage/policies/new", ANALYSTS),
    ("GET", "/usage/policies/{name}", ANALYSTS),
    ("GET", "/usage/policies/{name}/edit", ANALYSTS),
    ("POST", "/usage/policies/{name}/dialogue", ADMINS),
    ("POST", "/usage/policies/{name}/reclaims", ADMINS),
    ("POST", "/usage/policies/{name}/remove", ANALYSTS),
    ("GET", "/usage/savings", ANALYSTS),
    ("GET", "/usage/dialogues", ANALYSTS),
    ("POST", "/usage/dialogues/{id}/cancel", ADMINS),
    ("POST", "/usage/reclaims", ADMINS),
    ("GET", "/usage/reclaims", ANALYSTS),
    ("GET", "/usage/reclaims/{id}", ANALYSTS),
    ("GET", "/usage/reclaims/{id}/csv", ANALYSTS),
    ("POST", "/usage/reclaims/{id}/exclude", ADMINS),
    ("POST", "/usage/reclaims/{id}/apply", ADMINS),
    ("POST", "/usage/reclaims/{id}/cancel", ADMINS),
    ("GET", "/api/v1/usage/summary", ANALYSTS),
    ("GET", "/api/v1/usage/users", ANALYSTS),
    ("GET", "/api/v1/usage/users.csv", ANALYSTS),
    ("GET", "/api/v1/usage/inactive", ANALYSTS),
    ("GET", "/api/v1/usage/seats", ANALYSTS),
    ("GET", "/api/v1/usage/trend", ANALYSTS),
    (
        "GET",
        "/api/v1/usage/connections/{id}/users/{user}",
        ANALYSTS,
    ),
    ("GET", "/api/v1/usage/connections/{id}/renewal", ANALYSTS),
    ("PUT", "/api/v1/usage/connections/{id}/renewal", ANALYSTS),
    (
        "GET",
        "/api/v1/usage/connections/{id}/renewal-plan",
        ANALYSTS,
    ),
    (
        "GET",
        "/api/v1/usage/connections/{id}/renewal-plan.csv",
        ANALYSTS,
    ),
    ("POST", "/api/v1/usage/connections/{id}/sync", ANALYSTS),
    ("POST", "/api/v1/usage/reclaims", ADMINS),
    ("GET", "/api/v1/usage/reclaims", ANALYSTS),
    ("GET", "/api/v1/usage/reclaims/{id}", ANALYSTS),
    ("GET", "/api/v1/usage/reclaims/{id}/csv", ANALYSTS),
    ("POST", "/api/v1/usage/reclaims/{id}/exclude", ADMINS),
    ("POST", "/api/v1/usage/reclaims/{id}/apply", ADMINS),
    ("POST", "/api/v1/usage/reclaims/{id}/cancel", ADMINS),
    ("GET", "/api/v1/usage/connections/{id}/freshness", ANALYSTS),
    // Policies change nobody: Analysts write them; planning their reclaims is an Admin's.
    ("GET", "/api/v1/policies", ANALYSTS),
    ("POST", "/api/v1/policies/check", ANALYSTS),
    ("PUT", "/api/v1/policies/{name}", ANALYSTS),
    ("GET", "/api/v1/policies/{name}", ANALYSTS),
    ("DELETE", "/api/v1/policies/{name}", ANALYSTS),
    ("GET", "/api/v1/policies/{name}/evaluation", ANALYSTS),
    ("POST", "/api/v1/policies/{name}/reclaims", ADMINS),
    ("POST", "/api/v1/policies/{name}/dialogue/start", ADMINS),
    ("POST", "/api/v1/policies/{name}/dialogue/stop", ADMINS),
    ("GET", "/api/v1/usage/connections/{id}/savings", ANALYSTS),
    (
        "GET",
        "/api/v1/usage/connections/{id}/savings.csv",
        ANALYSTS,
    ),
    ("GET", "/api/v1/dialogues", ANALYSTS),
    ("GET", "/api/v1/dialogues/{id}", ANALYSTS),
    ("POST", "/api/v1/dialogues/{id}/cancel", ADMINS),
    ("GET", "/api/v1/me/digest", ANALYSTS),
    ("PUT", "/api/v1/me/digest", ANALYSTS),
    ("DELETE", "/api/v1/me/digest", ANALYSTS),
    ("GET", "/api/v1/usage/digest", ANALYSTS),
    ("GET", "/api/v1/usage/connections/{id}/reminders", ANALYSTS),
    ("GET", "/api/v1/openapi.json", Anyone),
    ("GET", "/api/v1/me", SignedIn),
    ("POST", "/api/v1/me/password", SignedIn),
    ("POST", "/api/v1/me/sign-out-everywhere", SignedIn),
    ("GET", "/api/v1/tokens", SignedIn),
    ("POST", "/api/v1/tokens", SignedIn),
    ("DELETE", "/api/v1/tokens/{id}", SignedIn),
    ("GET", "/api/v1/connections", CONNECTIONS),
    ("POST", "/api/v1/connections", CONNECTIONS),
    ("GET", "/api/v1/connections/plan", CONNECTIONS),
    ("DELETE", "/api/v1/connections/{id}", CONNECTIONS),
    ("POST", "/api/v1/connections/{id}/check", CONNECTIONS),
    ("GET", "/api/v1/secrets", CONNECTIONS),
    ("PUT", "/api/v1/secrets/{name}", CONNECTIONS),
    ("DELETE", "/api/v1/secrets/{name}", CONNECTIONS),
    ("GET", "/api/v1/alerts", CONNECTIONS),
    ("GET", "/api/v1/jobs", JOB_VIEWERS),
    ("GET", "/api/v1/jobs/{id}", JOB_VIEWERS),
    ("POST", "/api/v1/jobs/{id}/retry", JOB_RUNNERS),
    ("POST", "/api/v1/jobs/{id}/cancel", JOB_RUNNERS),
    ("GET", "/api/v1/recipes", RECIPE_VIEWERS),
    ("POST", "/api/v1/recipes/check", RECIPE_EDITORS),
    ("POST", "/api/v1/recipes/try", RECIPE_EDITORS),
    (
        "POST",
        "/api/v1/recipes/{name}/versions/{version}/restore",
        RECIPE_EDITORS,
    ),
    ("POST", "/api/v1/recipes/plan", RECIPE_EDITORS),
    ("POST", "/api/v1/recipes/apply", RECIPE_EDITORS),
    ("GET", "/api/v1/recipes/{name}", RECIPE_VIEWERS),
    ("DELETE", "/api/v1/recipes/{name}", RECIPE_EDITORS),
    ("GET", "/api/v1/recipes/{name}/diff", RECIPE_VIEWERS),
    // Starting and stopping: Operators, and the Analysts who build recipes.
    ("POST", "/api/v1/recipes/{name}/start", RECIPE_VIEWERS),
    ("POST", "/api/v1/recipes/{name}/stop", RECIPE_VIEWERS),
    ("POST", "/api/v1/recipes/{name}/runs", RECIPE_VIEWERS),
    ("GET", "/api/v1/runs", RECIPE_VIEWERS),
    ("GET", "/api/v1/runs/{id}", RECIPE_VIEWERS),
    ("POST", "/api/v1/runs/{id}/rerun", RUN_OPERATORS),
    ("POST", "/api/v1/runs/{id}/cancel", RUN_OPERATORS),
    ("POST", "/api/v1/runs/{id}/approve", RUN_OPERATORS),
    ("POST", "/api/v1/runs/{id}/reject", RUN_OPERATORS),
    // Checked by signature, not by role.
    ("POST", "/hooks/wrike/{token}", Anyone),
    ("POST", "/hooks/http/{token}", Anyone),
    ("GET", "/api/v1/users", ADMINS),
    ("POST", "/api/v1/users", ADMINS),
    ("PATCH", "/api/v1/users/{id}", ADMINS),
    ("DELETE", "/api/v1/users/{id}", ADMINS),
    ("POST", "/api/v1/users/{id}/password", ADMINS),
    ("POST", "/api/v1/users/{id}/sign-out", ADMINS),
    ("GET", "/api/v1/audit-trail", ADMINS),
];

fn admits(who: Who, role: Option<Role>) -> bool {
    match (who, role) {
        (Anyone, _) => true,
        (_, None) => false,
        (SignedIn, Some(_)) => true,
        (Only(roles), Some(role)) => roles.contains(&role),
    }
}

fn declared_admits(access: Access, role: Role) -> bool {
    match access {
        Access::Public | Access::SignedIn => true,
        Access::Needs(permission) => role.allows(permission),
    }
}

fn request(method: &str, path: &str, auth: Option<(&common::Member, bool)>) -> Request<Body> {
    let path = path
        .replace("{id}", "no-such-id")
        .replace("{name}", "no-such-recipe")
        .replace("{token}", "no-such-token");
    let api = path.starts_with("/api/");
    let mut builder = Request::builder().method(method).uri(&path).header(
        header::CONTENT_TYPE,
        if api {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        },
    );
    if let Some((member, use_token)) = auth {
        builder = if use_token {
            builder.header(
                header::AUTHORIZATION,
                format!("Bearer {}", member.api_token),
            )
        } else {
            builder
                .header(header::COOKIE, format!("weft_session={}", member.session))
                .header("x-csrf-token", &member.csrf)
        };
    }
    let body = if api && method != "GET" && method != "DELETE" {
        Body::from("{}")
    } else {
        Body::empty()
    };
    builder.body(body).unwrap()
}

/// Refused: 401, 403, or the guard's redirect to sign in (which carries `next=`).
fn refused(status: StatusCode, location: Option<&str>) -> bool {
    status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || location.is_some_and(|l| l.starts_with("/login?next="))
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_the_pinned_table_names() {
    // The router lists exactly the pinned routes.
    let table = route_table();
    let served: BTreeSet<(String, String)> = table
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .collect();
    let pinned: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        served.difference(&pinned).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes nobody pinned here: add them to EXPECTED with who may call them"
    );
    assert_eq!(
        pinned.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "pinned routes the router does not serve"
    );
    // Each route declares the pinned audience.
    for spec in &table {
        let (_, _, who) = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
            .unwrap();
        assert_eq!(
            spec.access == Access::Public,
            *who == Anyone,
            "{} {} declares {:?}",
            spec.method,
            spec.path,
            spec.access
        );
        for role in [Admin, Analyst, Operator] {
            assert_eq!(
                declared_admits(spec.access, role),
                admits(*who, Some(role)),
                "{} {} declares {:?}, which is wrong for {role:?}",
                spec.method,
                spec.path,
                spec.access
            );
        }
    }

    // And behaves so, for sessions and API tokens alike.
    let hub = common::hub("routes", None, None).await;
    let members = common::team(&hub.store).await;
    let store = hub.store.clone();
    let app = weft_server::app(common::state(hub));
    let mut checked = 0;
    for (method, path, who) in EXPECTED {
        let anonymous = app
            .clone()
            .oneshot(request(method, path, None))
            .await
            .unwrap();
        let location = anonymous
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let anonymous_status = anonymous.status();
        if *who == Anyone {
            // Public routes answer everyone alike and never ask for credentials (the sign-in
            // form refuses a post without its own double-submit cookie, for everyone).
            assert!(
                anonymous_status != StatusCode::UNAUTHORIZED
                    && !location
                        .as_deref()
                        .is_some_and(|l| l.starts_with("/login?next=")),
                "{method} {path} is public, got {anonymous_status}"
            );
        } else {
            assert!(
                refused(anonymous_status, location.as_deref()),
                "{method} {path} must refuse anonymous callers, got {anonymous_status}"
            );
        }
        for member in &members {
            for use_token in [false, true] {
                let response = app
                    .clone()
                    .oneshot(request(method, path, Some((member, use_token))))
                    .await
                    .unwrap();
                let status = response.status();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let via = if use_token { "API token" } else { "session" };
                if *who == Anyone {
                    assert_eq!(
                        status, anonymous_status,
                        "{method} {path} as {:?} via {via}",
                        member.role
                    );
                } else if admits(*who, Some(member.role)) {
                    assert!(
                        !refused(status, location.as_deref()),
                        "{method} {path} must admit {:?} via {via}, got {status}",
                        member.role
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{method} {path} must refuse {:?} via {via}",
                        member.role
                    );
                }
                checked += 1;
            }
            // Signing out (here or everywhere) ends the sessions the next calls use.
            common::restore_sessions(&store, &members).await;
        }
    }
    assert_eq!(checked, EXPECTED.len() * 6);
}

#[tokio::test]
async fn a_session_without_the_right_csrf_token_changes_nothing() {
    let hub = common::hub("csrf", None, None).await;
    let members = common::team(&hub.store).await;
    let store = hub.store.clone();
    let app = weft_server::app(common::state(hub));
    let admin = &members[0];
    for forged in [None, Some("csrf-wrong"), Some("csrf-analyst")] {
        let body = match forged {
            Some(token) => {
                format!("csrf={token}&username=mallory&role=admin&password=0123456789ab")
            }
            None => "username=mallory&role=admin&password=0123456789ab".to_owned(),
        };
        let response = app
            .clone()
            .oneshot(
                Request::builder()
                    .method(Method::POST)
                    .uri("/team/users")
                    .header(header::COOKIE, format!("weft_session={}", admin.session))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "forged token {forged:?}"
        );
    }
    assert!(
        store
            .access()
            .user_by_name("mallory")
            .await
            .unwrap()
            .is_none(),
        "no user was created"
    );
    let body = format!(
        "csrf={}&username=carol&role=operator&password=0123456789ab",
        admin.csrf
    );
    let response = app
        .oneshot(
            Request::builder()
                .method(Method::POST)
                .uri("/team/users")
                .header(header::COOKIE, format!("weft_session={}", admin.session))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        store
            .access()
            .user_by_name("carol")
            .await
            .unwrap()
            .is_some()
    );
    let trail = store.trail().latest(5).await.unwrap();
    assert_eq!(
        (
            trail[0].action.as_str(),
            trail[0].actor.as_str(),
            trail[0].target.as_str()
        ),
        ("user.create", "admin", "carol"),
        "recorded in the hub's audit trail"
    );
}
