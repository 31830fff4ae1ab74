//! Every route with the access it needs, in one table. The router is built from this table,
//! so no route can exist without a declared access, and the role test walks the same table.
//! API routes come with their OpenAPI description (`utoipa::path` on the handler): their
//! method and path are read from it, so a route cannot be served undescribed.

use axum::Router;
use axum::http::Method;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};
use utoipa::openapi::path::HttpMethod;
use utoipa_axum::routes;
use weft_core::roles::Permission;

use crate::policy::{Access, Described, DescribedRoute, RouteSpec};
use crate::state::AppState;
use crate::{api, guard, openapi, security, telemetry, web};

pub(crate) struct Entry {
    pub method: Method,
    pub path: String,
    pub access: Access,
    handler: MethodRouter<AppState>,
    /// The route's OpenAPI description and the schemas it names (API routes).
    pub described: Option<Described>,
}

/// A page or other route outside the API document.
fn e(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    Entry {
        method,
        path: path.to_owned(),
        access,
        handler,
        described: None,
    }
}

/// A described route: its one method and path come from its description.
fn a(access: Access, described: utoipa_axum::router::UtoipaMethodRouter<AppState>) -> Entry {
    let (schemas, paths, handler) = described;
    let (path, item) = paths
        .paths
        .iter()
        .next()
        .expect("a described handler has a path");
    let methods: Vec<Method> = [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Patch, &item.patch),
        (HttpMethod::Delete, &item.delete),
    ]
    .into_iter()
    .filter(|(_, op)| op.is_some())
    .map(|(m, _)| match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        _ => Method::DELETE,
    })
    .collect();
    assert_eq!(methods.len(), 1, "{path}: one method per described handler");
    let declared: std::sync::Arc<[String]> =
        [&item.get, &item.post, &item.put, &item.patch, &item.delete]
            .into_iter()
            .flatten()
            .flat_map(|op| op.parameters.iter().flatten())
            .filter_map(|p| match p {
                utoipa::openapi::RefOr::T(p) => Some(p),
                utoipa::openapi::RefOr::Ref(_) => None,
            })
            .filter(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            .map(|p| p.name.clone())
            .collect();
    let handler = handler.route_layer(middleware::from_fn(move |request, next| {
        refuse_undeclared_query(declared.clone(), request, next)
    }));
    Entry {
        method: methods[0].clone(),
        path: path.clone(),
        access,
        handler,
        described: Some(Described {
            paths: paths.clone(),
            schemas,
        }),
    }
}

/// Refuses a query parameter the route's description does not declare, naming it, so a
/// misspelt filter is an error rather than silently ignored on every route alike.
async fn refuse_undeclared_query(
    declared: std::sync::Arc<[String]>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let query = request.uri().query().unwrap_or_default();
    for (name, _) in url::form_urlencoded::parse(query.as_bytes()) {
        if !declared.iter().any(|d| *d == name) {
            let takes = if declared.is_empty() {
                "this takes no query parameters".to_owned()
            } else {
                format!("known: {}", declared.join(", "))
            };
            return crate::error::ApiError::bad_request(format!(
                "unknown parameter {name:?}; {takes}"
            ))
            .into_response();
        }
    }
    next.run(request).await
}

pub(crate) fn entries() -> Vec<Entry> {
    use Access::*;
    use Permission::*;
    vec![
        e(Method::GET, "/healthz", Public, get(web::healthz)),
        e(Method::GET, "/readyz", Public, get(web::readyz)),
        e(Method::GET, "/metrics", Public, get(web::metrics)),
        e(
            Method::GET,
            "/static/weft.css",
            Public,
            get(web::stylesheet),
        ),
        e(Method::GET, "/static/weft.js", Public, get(web::script)),
        e(
            Method::GET,
            "/schemas/recipe.schema.json",
            Public,
            get(web::recipe_schema),
        ),
        e(Method::GET, "/login", Public, get(web::session::login_page)),
        // A person's answer to the reclaim dialogue: the signed link is the authority.
        e(
            Method::GET,
            "/seat/{token}",
            Public,
            get(web::dialogues::seat),
        ),
        e(
            Method::POST,
            "/seat/{token}",
            Public,
            post(web::dialogues::answer),
        ),
        e(Method::POST, "/login", Public, post(web::session::login)),
        // Single sign-on: the provider's answer is the authority at the callback.
        e(
            Method::GET,
            "/sso/start",
            Public,
            get(web::session::sso_start),
        ),
        e(
            Method::GET,
            "/sso/callback",
            Public,
            get(web::session::sso_callback),
        ),
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
            "/connections/secrets",
            Needs(ManageConnections),
            post(web::connections::set_secret),
        ),
        e(
            Method::POST,
            "/connections/secrets/{name}/remove",
            Needs(ManageConnections),
            post(web::connections::remove_secret),
        ),
        e(
            Method::GET,
            "/connections/{id}",
            Needs(ViewConnections),
            get(web::connections::connection),
        ),
        e(
            Method::POST,
            "/connections/{id}/token",
            Needs(ManageConnections),
            post(web::connections::replace_token),
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
        e(
            Method::GET,
            "/recipes",
            Needs(ViewRecipes),
            get(web::recipes::list),
        ),
        e(
            Method::POST,
            "/recipes",
            Needs(EditRecipes),
            post(web::recipes::create),
        ),
        e(
            Method::GET,
            "/recipes/new",
            Needs(EditRecipes),
            get(web::recipes::new_page),
        ),
        e(
            Method::GET,
            "/recipes/reference",
            Needs(ViewRecipes),
            get(web::recipes::reference),
        ),
        e(
            Method::GET,
            "/recipes/{name}",
            Needs(ViewRecipes),
            get(web::recipes::show),
        ),
        e(
            Method::POST,
            "/recipes/{name}",
            Needs(EditRecipes),
            post(web::recipes::update),
        ),
        e(
            Method::GET,
            "/recipes/{name}/edit",
            Needs(EditRecipes),
            get(web::recipes::edit_page),
        ),
        e(
            Method::GET,
            "/recipes/{name}/diff",
            Needs(ViewRecipes),
            get(web::recipes::diff),
        ),
        e(
            Method::GET,
            "/recipes/{name}/file",
            Needs(ViewRecipes),
            get(web::recipes::download),
        ),
        e(
            Method::POST,
            "/recipes/{name}/start",
            Needs(RunRecipes),
            post(web::recipes::start),
        ),
        e(
            Method::POST,
            "/recipes/{name}/stop",
            Needs(RunRecipes),
            post(web::recipes::stop),
        ),
        e(
            Method::POST,
            "/recipes/{name}/versions/{version}/restore",
            Needs(EditRecipes),
            post(web::recipes::restore),
        ),
        e(
            Method::POST,
            "/recipes/{name}/run",
            Needs(RunRecipes),
            post(web::recipes::run_now),
        ),
        e(
            Method::GET,
            "/runs",
            Needs(ViewRecipes),
            get(web::recipes::runs_page),
        ),
        e(
            Method::GET,
            "/runs/{id}",
            Needs(ViewRecipes),
            get(web::recipes::run_page),
        ),
        e(
            Method::POST,
            "/runs/{id}/rerun",
            Needs(RerunJobs),
            post(web::recipes::rerun),
        ),
        e(
            Method::POST,
            "/runs/{id}/cancel",
            Needs(RerunJobs),
            post(web::recipes::cancel),
        ),
        e(
            Method::POST,
            "/runs/{id}/approve",
            Needs(ApproveRuns),
            post(web::recipes::approve),
        ),
        e(
            Method::POST,
            "/runs/{id}/reject",
            Needs(ApproveRuns),
            post(web::recipes::reject),
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
            "/account/digest",
            Needs(ViewAnalytics),
            post(web::team::set_digest),
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
            "/usage/renewal",
            Needs(ViewAnalytics),
            get(web::usage::renewals),
        ),
        e(
            Method::GET,
            "/usage/renewal/{id}",
            Needs(ViewAnalytics),
            get(web::usage::renewal_plan),
        ),
        e(
            Method::GET,
            "/usage/renewal/{id}/costs",
            Needs(PlanRenewal),
            get(web::usage::renewal),
        ),
        e(
            Method::POST,
            "/usage/renewal/{id}/costs",
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
            Method::GET,
            "/usage/policies",
            Needs(ViewAnalytics),
            get(web::policies::list),
        ),
        e(
            Method::POST,
            "/usage/policies",
            Needs(EditPolicies),
            post(web::policies::save),
        ),
        e(
            Method::GET,
            "/usage/policies/new",
            Needs(EditPolicies),
            get(web::policies::new_page),
        ),
        e(
            Method::GET,
            "/usage/policies/{name}",
            Needs(ViewAnalytics),
            get(web::policies::show),
        ),
        e(
            Method::GET,
            "/usage/policies/{name}/edit",
            Needs(EditPolicies),
            get(web::policies::edit_page),
        ),
        e(
            Method::POST,
            "/usage/policies/{name}/dialogue",
            Needs(ReclaimSeats),
            post(web::policies::dialogue_switch),
        ),
        e(
            Method::POST,
            "/usage/policies/{name}/reclaims",
            Needs(ReclaimSeats),
            post(web::policies::reclaims),
        ),
        e(
            Method::POST,
            "/usage/policies/{name}/remove",
            Needs(EditPolicies),
            post(web::policies::remove),
        ),
        e(
            Method::GET,
            "/usage/savings",
            Needs(ViewAnalytics),
            get(web::savings::savings),
        ),
        e(
            Method::GET,
            "/usage/dialogues",
            Needs(ViewAnalytics),
            get(web::dialogues::board),
        ),
        e(
            Method::POST,
            "/usage/dialogues/{id}/cancel",
            Needs(ReclaimSeats),
            post(web::dialogues::cancel),
        ),
        e(
            Method::POST,
            "/usage/reclaims",
            Needs(ReclaimSeats),
            post(web::usage::plan_reclaim),
        ),
        e(
            Method::GET,
            "/usage/reclaims",
            Needs(ViewAnalytics),
            get(web::usage::reclaims),
        ),
        e(
            Method::GET,
            "/usage/reclaims/{id}",
            Needs(ViewAnalytics),
            get(web::usage::reclaim_page),
        ),
        e(
            Method::GET,
            "/usage/reclaims/{id}/csv",
            Needs(ViewAnalytics),
            get(web::usage::reclaim_csv),
        ),
        e(
            Method::POST,
            "/usage/reclaims/{id}/exclude",
            Needs(ReclaimSeats),
            post(web::usage::exclude_from_reclaim),
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
        a(Needs(ViewAnalytics), routes!(api::usage::summary)),
        a(Needs(ViewAnalytics), routes!(api::usage::users)),
        a(Needs(ViewAnalytics), routes!(api::usage::users_csv)),
        a(Needs(ViewAnalytics), routes!(api::usage::inactive)),
        a(Needs(ViewAnalytics), routes!(api::usage::seats)),
        a(Needs(ViewAnalytics), routes!(api::usage::trend)),
        a(Needs(ViewAnalytics), routes!(api::usage::user)),
        a(Needs(ViewAnalytics), routes!(api::usage::renewal)),
        a(Needs(PlanRenewal), routes!(api::usage::set_renewal)),
        a(Needs(SyncUsage), routes!(api::usage::sync_now)),
        a(Needs(ReclaimSeats), routes!(api::usage::plan_reclaim)),
        a(Needs(ViewAnalytics), routes!(api::usage::reclaims)),
        a(Needs(ViewAnalytics), routes!(api::usage::reclaim_plan)),
        a(Needs(ViewAnalytics), routes!(api::usage::reclaim_csv)),
        a(
            Needs(ReclaimSeats),
            routes!(api::usage::exclude_from_reclaim),
        ),
        a(Needs(ViewAnalytics), routes!(api::usage::renewal_plan)),
        a(Needs(ViewAnalytics), routes!(api::usage::renewal_plan_csv)),
        a(Needs(ViewAnalytics), routes!(api::usage::savings)),
        a(Needs(ViewAnalytics), routes!(api::usage::savings_csv)),
        a(Needs(ReclaimSeats), routes!(api::usage::apply_reclaim)),
        a(Needs(ReclaimSeats), routes!(api::usage::cancel_reclaim)),
        a(Needs(ViewAnalytics), routes!(api::policies::freshness)),
        a(Needs(ViewAnalytics), routes!(api::policies::list)),
        a(Needs(EditPolicies), routes!(api::policies::check)),
        a(Needs(EditPolicies), routes!(api::policies::apply)),
        a(Needs(ViewAnalytics), routes!(api::policies::show)),
        a(Needs(EditPolicies), routes!(api::policies::remove)),
        a(Needs(ViewAnalytics), routes!(api::policies::evaluation)),
        a(Needs(ReclaimSeats), routes!(api::policies::plan_reclaims)),
        a(Needs(ReclaimSeats), routes!(api::dialogues::start)),
        a(Needs(ReclaimSeats), routes!(api::dialogues::stop)),
        a(Needs(ViewAnalytics), routes!(api::dialogues::board)),
        a(Needs(ViewAnalytics), routes!(api::dialogues::show)),
        a(Needs(ReclaimSeats), routes!(api::dialogues::cancel)),
        a(Needs(ViewAnalytics), routes!(api::notices::digest_setting)),
        a(
            Needs(ViewAnalytics),
            routes!(api::notices::subscribe_digest),
        ),
        a(
            Needs(ViewAnalytics),
            routes!(api::notices::unsubscribe_digest),
        ),
        a(Needs(ViewAnalytics), routes!(api::notices::digest_preview)),
        a(Needs(ViewAnalytics), routes!(api::notices::reminders_sent)),
        a(Public, routes!(openapi_json)),
        a(SignedIn, routes!(api::me)),
        a(SignedIn, routes!(api::team::change_own_password)),
        a(SignedIn, routes!(api::team::sign_out_everywhere)),
        a(SignedIn, routes!(api::team::tokens)),
        a(SignedIn, routes!(api::team::create_token)),
        a(SignedIn, routes!(api::team::revoke_token)),
        a(Needs(ViewConnections), routes!(api::connections::list)),
        a(Needs(ManageConnections), routes!(api::connections::add)),
        a(Needs(ViewConnections), routes!(api::connections::plan)),
        a(Needs(ManageConnections), routes!(api::connections::remove)),
        a(Needs(ManageConnections), routes!(api::connections::check)),
        a(Needs(ViewConnections), routes!(api::secrets::list)),
        a(Needs(ManageConnections), routes!(api::secrets::set)),
        a(Needs(ManageConnections), routes!(api::secrets::remove)),
        a(Needs(ViewConnections), routes!(api::connections::alerts)),
        a(Needs(ViewJobs), routes!(api::jobs::list)),
        a(Needs(ViewJobs), routes!(api::jobs::show)),
        a(Needs(RerunJobs), routes!(api::jobs::retry)),
        a(Needs(RerunJobs), routes!(api::jobs::cancel)),
        a(Needs(ViewRecipes), routes!(api::recipes::list)),
        a(Needs(EditRecipes), routes!(api::recipes::check)),
        a(Needs(EditRecipes), routes!(api::recipes::try_event)),
        a(Needs(EditRecipes), routes!(api::recipes::plan)),
        a(Needs(EditRecipes), routes!(api::recipes::apply)),
        a(Needs(ViewRecipes), routes!(api::recipes::show)),
        a(Needs(EditRecipes), routes!(api::recipes::remove)),
        a(Needs(ViewRecipes), routes!(api::recipes::version_diff)),
        a(Needs(EditRecipes), routes!(api::recipes::restore)),
        a(Needs(RunRecipes), routes!(api::recipes::start)),
        a(Needs(RunRecipes), routes!(api::recipes::stop)),
        a(Needs(RunRecipes), routes!(api::recipes::run_now)),
        a(Needs(ViewRecipes), routes!(api::recipes::runs)),
        a(Needs(ViewRecipes), routes!(api::recipes::run)),
        a(Needs(RerunJobs), routes!(api::recipes::rerun)),
        a(Needs(RerunJobs), routes!(api::recipes::cancel)),
        a(Needs(ApproveRuns), routes!(api::recipes::approve)),
        a(Needs(ApproveRuns), routes!(api::recipes::reject)),
        a(Public, routes!(api::recipes::wrike_hook)),
        a(Public, routes!(api::recipes::http_hook)),
        a(Needs(ManageTeam), routes!(api::team::users)),
        a(Needs(ManageTeam), routes!(api::team::add_user)),
        a(Needs(ManageTeam), routes!(api::team::change_user)),
        a(Needs(ManageTeam), routes!(api::team::remove_user)),
        a(Needs(ManageTeam), routes!(api::team::reset_password)),
        a(Needs(ManageTeam), routes!(api::team::sign_out_user)),
        a(Needs(ViewAuditTrail), routes!(api::audit_trail)),
    ]
}

/// The API routes with their descriptions, for the OpenAPI document.
pub fn described_routes() -> Vec<DescribedRoute> {
    entries()
        .into_iter()
        .filter_map(|e| {
            Some(DescribedRoute {
                method: e.method,
                path: e.path,
                access: e.access,
                described: e.described?,
            })
        })
        .collect()
}

/// This document
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
async fn openapi_json() -> axum::Json<serde_json::Value> {
    // The document depends only on the code: built once, on first request.
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    axum::Json(
        DOCUMENT
            .get_or_init(|| openapi::document(described_routes()))
            .clone(),
    )
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
            guard::guard,
        ));
        router = router.route(&entry.path, guarded);
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
        .layer(middleware::from_fn(crate::error::uniform))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use utoipa::ToSchema;

    use super::*;

    #[test]
    fn every_api_route_is_described_and_every_description_is_served() {
        let doc = openapi::document(described_routes());
        let table = route_table();
        let api: Vec<_> = table
            .iter()
            .filter(|s| s.path.starts_with("/api/") || s.path.starts_with("/hooks/"))
            .collect();
        for spec in &api {
            let operation =
                &doc["paths"][spec.path.as_str()][spec.method.as_str().to_ascii_lowercase()];
            assert!(
                operation["summary"].is_string() && operation["responses"].is_object(),
                "{} {} is not described",
                spec.method,
                spec.path
            );
        }
        let described: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum();
        assert_eq!(
            described,
            api.len(),
            "the document describes only served routes"
        );
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .map(|op| op["operationId"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "operation ids are unique");
        let error = crate::wire::Error::name();
        assert!(doc["components"]["schemas"][error.as_ref()].is_object());
    }
}
