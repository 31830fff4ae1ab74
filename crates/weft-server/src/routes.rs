//! Every route with the access it needs, in one table. The router is built from this table,
//! so no route can exist without a declared access, and the role test walks the same table.

use axum::Router;
use axum::extract::Request;

use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, post};
use weft_core::roles::Permission;

use crate::{AppState, api, auth, oauth_connect, openapi, pages};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login, health, metrics, static files).
    Public,
    /// Any signed-in user, whatever the role.
    SignedIn,
    /// Signed-in users whose role allows this.
    Needs(Permission),
}

/// A route as the role test sees it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

struct Entry {
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
}

fn entries() -> Vec<Entry> {
    use Access::*;
    use Permission::*;
    let e = |method: Method,
             path: &'static str,
             access: Access,
             handler: MethodRouter<AppState>| Entry {
        method,
        path,
        access,
        handler,
    };
    vec![
        e(Method::GET, "/healthz", Public, get(pages::healthz)),
        e(Method::GET, "/metrics", Public, get(pages::metrics)),
        e(
            Method::GET,
            "/static/weft.css",
            Public,
            get(pages::stylesheet),
        ),
        e(Method::GET, "/login", Public, get(pages::login_page)),
        e(Method::POST, "/login", Public, post(pages::login)),
        e(Method::POST, "/logout", SignedIn, post(pages::logout)),
        e(Method::GET, "/", SignedIn, get(pages::dashboard)),
        e(
            Method::GET,
            "/connections",
            Needs(ViewConnections),
            get(pages::connections),
        ),
        e(
            Method::POST,
            "/connections/permanent",
            Needs(ManageConnections),
            post(pages::add_permanent),
        ),
        e(
            Method::POST,
            "/connections/oauth/start",
            Needs(ManageConnections),
            post(oauth_connect::start),
        ),
        e(
            Method::GET,
            "/connections/oauth/callback",
            Needs(ManageConnections),
            get(oauth_connect::callback),
        ),
        e(
            Method::POST,
            "/connections/{id}/check",
            Needs(ManageConnections),
            post(pages::check_connection),
        ),
        e(
            Method::POST,
            "/connections/{id}/remove",
            Needs(ManageConnections),
            post(pages::remove_connection),
        ),
        e(Method::GET, "/team", Needs(ManageTeam), get(pages::team)),
        e(
            Method::POST,
            "/team/users",
            Needs(ManageTeam),
            post(pages::add_user),
        ),
        e(
            Method::GET,
            "/audit",
            Needs(ViewAuditTrail),
            get(pages::audit),
        ),
        e(Method::GET, "/tokens", SignedIn, get(pages::tokens)),
        e(Method::POST, "/tokens", SignedIn, post(pages::create_token)),
        e(
            Method::GET,
            "/api/v1/openapi.json",
            Public,
            get(openapi::serve),
        ),
        e(Method::GET, "/api/v1/me", SignedIn, get(api::me)),
        e(
            Method::POST,
            "/api/v1/tokens",
            SignedIn,
            post(api::create_token),
        ),
        e(
            Method::GET,
            "/api/v1/connections",
            Needs(ViewConnections),
            get(api::connections),
        ),
        e(
            Method::POST,
            "/api/v1/connections",
            Needs(ManageConnections),
            post(api::add_connection),
        ),
        e(
            Method::GET,
            "/api/v1/connections/plan",
            Needs(ViewConnections),
            get(api::plan),
        ),
        e(
            Method::DELETE,
            "/api/v1/connections/{id}",
            Needs(ManageConnections),
            delete(api::remove_connection),
        ),
        e(
            Method::POST,
            "/api/v1/connections/{id}/check",
            Needs(ManageConnections),
            post(api::check_connection),
        ),
        e(
            Method::GET,
            "/api/v1/alerts",
            Needs(ViewConnections),
            get(api::alerts),
        ),
        e(
            Method::GET,
            "/api/v1/users",
            Needs(ManageTeam),
            get(api::users),
        ),
        e(
            Method::POST,
            "/api/v1/users",
            Needs(ManageTeam),
            post(api::add_user),
        ),
        e(
            Method::GET,
            "/api/v1/audit-trail",
            Needs(ViewAuditTrail),
            get(api::audit_trail),
        ),
    ]
}

/// Every route and its access, for tests and documentation.
pub fn route_table() -> Vec<RouteSpec> {
    entries()
        .into_iter()
        .map(|e| RouteSpec {
            method: e.method,
            path: e.path,
            access: e.access,
        })
        .collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for entry in entries() {
        let guarded = entry.handler.route_layer(middleware::from_fn_with_state(
            (state.clone(), entry.access),
            auth::guard,
        ));
        router = router.route(entry.path, guarded);
    }
    router
        .fallback(pages::not_found)
        .layer(middleware::from_fn(count_requests))
        .with_state(state)
}

/// Request counts and latencies for `/metrics`, labelled by route pattern, not raw path.
async fn count_requests(request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("weft_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("weft_http_request_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
