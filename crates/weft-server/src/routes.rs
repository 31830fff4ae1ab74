//! Every route with the access it needs, in one table. The router is built from this table,
//! so no route can exist without a declared access, and the role test walks the same table.

use axum::Router;
use axum::http::Method;
use axum::middleware;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use weft_core::roles::Permission;

use crate::policy::{Access, RouteSpec};
use crate::state::AppState;
use crate::{api, guard, openapi, security, telemetry, web};

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
        e(Method::GET, "/healthz", Public, get(web::healthz)),
        e(Method::GET, "/metrics", Public, get(web::metrics)),
        e(
            Method::GET,
            "/static/weft.css",
            Public,
            get(web::stylesheet),
        ),
        e(Method::GET, "/static/weft.js", Public, get(web::script)),
        e(Method::GET, "/login", Public, get(web::session::login_page)),
        e(Method::POST, "/login", Public, post(web::session::login)),
        e(
            Method::POST,
            "/logout",
            SignedIn,
            post(web::session::logout),
        ),
        e(Method::GET, "/", SignedIn, get(web::dashboard)),
        e(
            Method::GET,
            "/connections",
            Needs(ViewConnections),
            get(web::connections::connections),
        ),
        e(
            Method::POST,
            "/connections/permanent",
            Needs(ManageConnections),
            post(web::connections::add_permanent),
        ),
        e(
            Method::POST,
            "/connections/oauth/start",
            Needs(ManageConnections),
            post(web::connections::oauth_start),
        ),
        e(
            Method::GET,
            "/connections/oauth/callback",
            Needs(ManageConnections),
            get(web::connections::oauth_callback),
        ),
        e(
            Method::POST,
            "/connections/{id}/check",
            Needs(ManageConnections),
            post(web::connections::check_connection),
        ),
        e(
            Method::POST,
            "/connections/{id}/remove",
            Needs(ManageConnections),
            post(web::connections::remove_connection),
        ),
        e(Method::GET, "/jobs", Needs(ViewJobs), get(web::jobs::list)),
        e(
            Method::GET,
            "/jobs/{id}",
            Needs(ViewJobs),
            get(web::jobs::show),
        ),
        e(
            Method::POST,
            "/jobs/{id}/retry",
            Needs(RerunJobs),
            post(web::jobs::retry),
        ),
        e(
            Method::POST,
            "/jobs/{id}/cancel",
            Needs(RerunJobs),
            post(web::jobs::cancel),
        ),
        e(
            Method::GET,
            "/team",
            Needs(ManageTeam),
            get(web::team::team),
        ),
        e(
            Method::POST,
            "/team/users",
            Needs(ManageTeam),
            post(web::team::add_user),
        ),
        e(
            Method::POST,
            "/team/users/{id}/role",
            Needs(ManageTeam),
            post(web::team::set_role),
        ),
        e(
            Method::POST,
            "/team/users/{id}/disable",
            Needs(ManageTeam),
            post(web::team::disable),
        ),
        e(
            Method::POST,
            "/team/users/{id}/enable",
            Needs(ManageTeam),
            post(web::team::enable),
        ),
        e(
            Method::POST,
            "/team/users/{id}/password",
            Needs(ManageTeam),
            post(web::team::reset_password),
        ),
        e(
            Method::POST,
            "/team/users/{id}/sign-out",
            Needs(ManageTeam),
            post(web::team::sign_out_user),
        ),
        e(
            Method::POST,
            "/team/users/{id}/remove",
            Needs(ManageTeam),
            post(web::team::remove),
        ),
        e(
            Method::GET,
            "/audit",
            Needs(ViewAuditTrail),
            get(web::team::audit),
        ),
        e(Method::GET, "/tokens", SignedIn, get(web::team::tokens)),
        e(
            Method::POST,
            "/tokens",
            SignedIn,
            post(web::team::create_token),
        ),
        e(
            Method::POST,
            "/tokens/{id}/revoke",
            SignedIn,
            post(web::team::revoke_token),
        ),
        e(Method::GET, "/account", SignedIn, get(web::team::account)),
        e(
            Method::POST,
            "/account/password",
            SignedIn,
            post(web::team::change_password),
        ),
        e(
            Method::POST,
            "/account/sign-out-everywhere",
            SignedIn,
            post(web::team::sign_out_everywhere),
        ),
        e(
            Method::GET,
            "/usage/users",
            Needs(ViewAnalytics),
            get(web::usage::users),
        ),
        e(
            Method::GET,
            "/usage/users.csv",
            Needs(ViewAnalytics),
            get(web::usage::users_csv),
        ),
        e(
            Method::GET,
            "/usage/users/{connection}/{id}",
            Needs(ViewAnalytics),
            get(web::usage::user),
        ),
        e(
            Method::GET,
            "/usage/trends",
            Needs(ViewAnalytics),
            get(web::usage::trends),
        ),
        e(
            Method::GET,
            "/usage/seats",
            Needs(ViewAnalytics),
            get(web::usage::seats),
        ),
        e(
            Method::GET,
            "/usage/renewal/{id}",
            Needs(PlanRenewal),
            get(web::usage::renewal),
        ),
        e(
            Method::POST,
            "/usage/renewal/{id}",
            Needs(PlanRenewal),
            post(web::usage::save_renewal),
        ),
        e(
            Method::POST,
            "/usage/sync/{id}",
            Needs(SyncUsage),
            post(web::usage::sync_now),
        ),
        e(
            Method::POST,
            "/usage/reclaims",
            Needs(ReclaimSeats),
            post(web::usage::plan_reclaim),
        ),
        e(
            Method::GET,
            "/usage/reclaims/{id}",
            Needs(ViewAnalytics),
            get(web::usage::reclaim_page),
        ),
        e(
            Method::POST,
            "/usage/reclaims/{id}/apply",
            Needs(ReclaimSeats),
            post(web::usage::apply_reclaim),
        ),
        e(
            Method::POST,
            "/usage/reclaims/{id}/cancel",
            Needs(ReclaimSeats),
            post(web::usage::cancel_reclaim),
        ),
        e(
            Method::GET,
            "/api/v1/usage/summary",
            Needs(ViewAnalytics),
            get(api::usage::summary),
        ),
        e(
            Method::GET,
            "/api/v1/usage/users",
            Needs(ViewAnalytics),
            get(api::usage::users),
        ),
        e(
            Method::GET,
            "/api/v1/usage/users.csv",
            Needs(ViewAnalytics),
            get(api::usage::users_csv),
        ),
        e(
            Method::GET,
            "/api/v1/usage/inactive",
            Needs(ViewAnalytics),
            get(api::usage::inactive),
        ),
        e(
            Method::GET,
            "/api/v1/usage/seats",
            Needs(ViewAnalytics),
            get(api::usage::seats),
        ),
        e(
            Method::GET,
            "/api/v1/usage/trend",
            Needs(ViewAnalytics),
            get(api::usage::trend),
        ),
        e(
            Method::GET,
            "/api/v1/usage/connections/{id}/users/{user}",
            Needs(ViewAnalytics),
            get(api::usage::user),
        ),
        e(
            Method::GET,
            "/api/v1/usage/connections/{id}/renewal",
            Needs(ViewAnalytics),
            get(api::usage::renewal),
        ),
        e(
            Method::PUT,
            "/api/v1/usage/connections/{id}/renewal",
            Needs(PlanRenewal),
            put(api::usage::set_renewal),
        ),
        e(
            Method::POST,
            "/api/v1/usage/connections/{id}/sync",
            Needs(SyncUsage),
            post(api::usage::sync_now),
        ),
        e(
            Method::POST,
            "/api/v1/usage/reclaims",
            Needs(ReclaimSeats),
            post(api::usage::plan_reclaim),
        ),
        e(
            Method::GET,
            "/api/v1/usage/reclaims/{id}",
            Needs(ViewAnalytics),
            get(api::usage::reclaim_plan),
        ),
        e(
            Method::POST,
            "/api/v1/usage/reclaims/{id}/apply",
            Needs(ReclaimSeats),
            post(api::usage::apply_reclaim),
        ),
        e(
            Method::POST,
            "/api/v1/usage/reclaims/{id}/cancel",
            Needs(ReclaimSeats),
            post(api::usage::cancel_reclaim),
        ),
        e(
            Method::GET,
            "/api/v1/openapi.json",
            Public,
            get(openapi_json),
        ),
        e(Method::GET, "/api/v1/me", SignedIn, get(api::me)),
        e(
            Method::POST,
            "/api/v1/me/password",
            SignedIn,
            post(api::team::change_own_password),
        ),
        e(
            Method::POST,
            "/api/v1/me/sign-out-everywhere",
            SignedIn,
            post(api::team::sign_out_everywhere),
        ),
        e(
            Method::GET,
            "/api/v1/tokens",
            SignedIn,
            get(api::team::tokens),
        ),
        e(
            Method::POST,
            "/api/v1/tokens",
            SignedIn,
            post(api::team::create_token),
        ),
        e(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            SignedIn,
            delete(api::team::revoke_token),
        ),
        e(
            Method::GET,
            "/api/v1/connections",
            Needs(ViewConnections),
            get(api::connections::list),
        ),
        e(
            Method::POST,
            "/api/v1/connections",
            Needs(ManageConnections),
            post(api::connections::add),
        ),
        e(
            Method::GET,
            "/api/v1/connections/plan",
            Needs(ViewConnections),
            get(api::connections::plan),
        ),
        e(
            Method::DELETE,
            "/api/v1/connections/{id}",
            Needs(ManageConnections),
            delete(api::connections::remove),
        ),
        e(
            Method::POST,
            "/api/v1/connections/{id}/check",
            Needs(ManageConnections),
            post(api::connections::check),
        ),
        e(
            Method::GET,
            "/api/v1/alerts",
            Needs(ViewConnections),
            get(api::connections::alerts),
        ),
        e(
            Method::GET,
            "/api/v1/jobs",
            Needs(ViewJobs),
            get(api::jobs::list),
        ),
        e(
            Method::GET,
            "/api/v1/jobs/{id}",
            Needs(ViewJobs),
            get(api::jobs::show),
        ),
        e(
            Method::POST,
            "/api/v1/jobs/{id}/retry",
            Needs(RerunJobs),
            post(api::jobs::retry),
        ),
        e(
            Method::POST,
            "/api/v1/jobs/{id}/cancel",
            Needs(RerunJobs),
            post(api::jobs::cancel),
        ),
        e(
            Method::GET,
            "/api/v1/users",
            Needs(ManageTeam),
            get(api::team::users),
        ),
        e(
            Method::POST,
            "/api/v1/users",
            Needs(ManageTeam),
            post(api::team::add_user),
        ),
        e(
            Method::PATCH,
            "/api/v1/users/{id}",
            Needs(ManageTeam),
            patch(api::team::change_user),
        ),
        e(
            Method::DELETE,
            "/api/v1/users/{id}",
            Needs(ManageTeam),
            delete(api::team::remove_user),
        ),
        e(
            Method::POST,
            "/api/v1/users/{id}/password",
            Needs(ManageTeam),
            post(api::team::reset_password),
        ),
        e(
            Method::POST,
            "/api/v1/users/{id}/sign-out",
            Needs(ManageTeam),
            post(api::team::sign_out_user),
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

/// `GET /api/v1/openapi.json`: the document of the routes above.
async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document(&route_table()))
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for entry in entries() {
        let guarded = entry.handler.route_layer(middleware::from_fn_with_state(
            (state.clone(), entry.access),
            guard::guard,
        ));
        router = router.route(entry.path, guarded);
    }
    let timeout = state.config.request_timeout;
    router
        .fallback(web::not_found)
        .layer(middleware::from_fn_with_state(
            security::Prepared::of(&state),
            security::layer,
        ))
        .layer(middleware::from_fn(move |request, next| {
            telemetry::observe(request, next, timeout)
        }))
        .with_state(state)
}
