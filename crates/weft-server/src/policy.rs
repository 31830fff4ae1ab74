//! Who may call a route: the access every route declares in the route table.

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
