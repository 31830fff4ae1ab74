//! Every route, with every role and with no credentials: the allowed set is exactly what the
//! route's declared access says, for sessions and for API tokens alike.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;
use weft_core::roles::Role;
use weft_server::{Access, route_table};

fn allowed(access: Access, role: Option<Role>) -> bool {
    match (access, role) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Needs(p), Some(r)) => r.allows(p),
    }
}

fn request(method: &Method, path: &str, auth: Option<(&common::Member, bool)>) -> Request<Body> {
    let path = path.replace("{id}", "no-such-id");
    let mut builder = Request::builder().method(method.clone()).uri(&path);
    let api = path.starts_with("/api/");
    builder = builder.header(
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
    let body = if api && *method != Method::GET && *method != Method::DELETE {
        Body::from("{}")
    } else {
        Body::empty()
    };
    builder.body(body).unwrap()
}

fn refused(status: StatusCode, location: Option<&str>) -> bool {
    status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || location.is_some_and(|l| l.starts_with("/login"))
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_its_access_names() {
    let hub = common::hub("routes", None, None).await;
    let members = common::team(&hub.store).await;
    let app = weft_server::app(common::state(hub));
    let mut table = route_table();
    assert!(table.len() >= 25, "the table lists the whole app");
    // Logging out ends the session the other checks use: walk it last.
    table.sort_by_key(|spec| spec.path == "/logout");
    let mut checked = 0;
    for spec in &table {
        let anonymous = app
            .clone()
            .oneshot(request(&spec.method, spec.path, None))
            .await
            .unwrap();
        let anonymous_status = anonymous.status();
        let location = anonymous
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if spec.access == Access::Public {
            assert!(
                !refused(anonymous_status, location.as_deref()) || spec.path == "/login",
                "{} {} is public",
                spec.method,
                spec.path
            );
        } else {
            assert!(
                refused(anonymous_status, location.as_deref()),
                "{} {} must refuse anonymous callers, got {anonymous_status}",
                spec.method,
                spec.path
            );
        }
        for member in &members {
            for use_token in [false, true] {
                let response = app
                    .clone()
                    .oneshot(request(&spec.method, spec.path, Some((member, use_token))))
                    .await
                    .unwrap();
                let status = response.status();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let via = if use_token { "API token" } else { "session" };
                if spec.access == Access::Public {
                    // Public routes answer everyone alike.
                    assert_eq!(
                        status, anonymous_status,
                        "{} {} as {:?} via {via}",
                        spec.method, spec.path, member.role
                    );
                } else if allowed(spec.access, Some(member.role)) {
                    let logged_out =
                        spec.path == "/logout" && location.as_deref() == Some("/login");
                    assert!(
                        logged_out || !refused(status, location.as_deref()),
                        "{} {} must admit {:?} via {via}, got {status}",
                        spec.method,
                        spec.path,
                        member.role
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{} {} must refuse {:?} via {via}",
                        spec.method,
                        spec.path,
                        member.role
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, table.len() * 6);
}

#[tokio::test]
async fn a_session_without_the_right_csrf_token_changes_nothing() {
    let hub = common::hub("csrf", None, None).await;
    let members = common::team(&hub.store).await;
    let store = hub.store.clone();
    let app = weft_server::app(common::state(hub));
    let admin = &members[0];
    for forged in [None, Some("csrf-wrong"), Some("csrf-analyst")] {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/team/users")
            .header(header::COOKIE, format!("weft_session={}", admin.session))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let body = match forged {
            Some(token) => {
                format!("csrf={token}&username=mallory&role=admin&password=0123456789ab")
            }
            None => "username=mallory&role=admin&password=0123456789ab".to_owned(),
        };
        builder = builder.header(header::CONTENT_LENGTH, body.len());
        let response = app
            .clone()
            .oneshot(builder.body(Body::from(body)).unwrap())
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
