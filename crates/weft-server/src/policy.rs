//! Who may call a route: the access every route declares in the route table, and what an
//! API route says of itself for the OpenAPI document.

use axum::http::Method;
use weft_core::roles::Permission;

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

/// A route as the role test and the OpenAPI document see it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

/// What `utoipa_axum::routes!` gives of a described handler: its path item and the schemas
/// it names.
pub struct Described {
    pub paths: utoipa::openapi::path::Paths,
    pub schemas: Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
}

/// An API route with its description, as the OpenAPI document is built from.
pub struct DescribedRoute {
    pub method: Method,
    pub path: String,
    pub access: Access,
    pub described: Described,
}
