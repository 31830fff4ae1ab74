//! How failures answer, and the jobs pages: a caller's mistake is a 4xx that names it;
//! not-found is 404 only when something is missing; a failure of the database is a 500 with
//! a request id and none of the database's text, which goes to the log under that id. The
//! jobs page and API show dead jobs with their error; Operators retry them, Analysts may not.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use weft_store::{JobStatus, NewJob, RetryPolicy};

/// Log lines written while the test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn call(
    app: &axum::Router,
    method: Method,
    path: &str,
    auth: (&str, &str),
    body: Option<String>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::builder().method(method).uri(path);
    request = match auth {
        ("token", token) => request.header(header::AUTHORIZATION, format!("Bearer {token}")),
        (session, csrf) => request
            .header(header::COOKIE, format!("weft_session={session}"))
            .header("x-csrf-token", csrf),
    };
    let body = match body {
        Some(form) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(form)
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn dead_job(store: &weft_store::Store) -> i64 {
    let jobs = store.jobs();
    let id = jobs
        .enqueue(
            &NewJob {
                kind: "sync.audit_log".into(),
                payload: json!({"connectionId": "conn_x"}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 0,
                run_at_ms: 0,
                retry: RetryPolicy::ONCE,
            },
            0,
        )
        .await
        .unwrap()
        .id();
    let claimed = jobs
        .claim("w", &["sync.audit_log".into()], 1, 1_000, 0)
        .await
        .unwrap()
        .remove(0);
    jobs.fail(
        &claimed.lease,
        "Wrike answered HTTP 503 <b>twice</b>",
        None,
        0,
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn failures_answer_with_what_went_wrong_and_database_faults_with_a_request_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _logs = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    );
    let hub = common::hub("errors", None, None).await;
    let store = hub.store.clone();
    common::team(&store).await;
    let app = weft_server::app(common::state(hub));
    let admin = ("token", "wft_token-admin");

    // Missing things are 404, naming them.
    let (status, headers, body) = call(&app, Method::GET, "/api/v1/jobs/424242", admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error": "job 424242 not found", "code": "not_found",
               "requestId": headers["x-request-id"].to_str().unwrap()})
    );
    let (status, _, body) = call(
        &app,
        Method::POST,
        "/api/v1/connections/nope/check",
        admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("connection nope not found"));
    // A malformed filter is the caller's mistake, named.
    let error = |body: &str| {
        serde_json::from_str::<Value>(body).unwrap()["error"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (status, _, body) = call(&app, Method::GET, "/api/v1/jobs?status=stuck", admin, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error(&body).starts_with("status=\"stuck\" is unknown"),
        "{body}"
    );
    let (status, _, body) = call(
        &app,
        Method::GET,
        "/api/v1/jobs?since=yesterday",
        admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error(&body).starts_with("since=\"yesterday\" is not a time"),
        "{body}"
    );
    // A job in the wrong state for the request is a conflict, not a 404.
    let queued = store
        .jobs()
        .enqueue(
            &NewJob {
                kind: "hub.noop".into(),
                payload: json!({}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 0,
                run_at_ms: i64::MAX / 2,
                retry: RetryPolicy::ONCE,
            },
            0,
        )
        .await
        .unwrap()
        .id();
    let (status, _, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/jobs/{queued}/retry"),
        admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains(&format!("job {queued} is queued; it cannot be retried")),
        "{body}"
    );

    // The database fails: 500, a request id, nothing of the database's own text.
    store.execute_unchecked("DROP TABLE jobs").await.unwrap();
    let (status, headers, body) = call(&app, Method::GET, "/api/v1/jobs", admin, None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let answer: Value = serde_json::from_str(&body).unwrap();
    let request_id = headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(answer["error"], "internal error");
    assert_eq!(
        answer["requestId"],
        request_id.as_str(),
        "the id to quote to an admin"
    );
    assert!(
        !body.contains("no such table") && !body.to_lowercase().contains("sql"),
        "{body}"
    );
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains(&request_id))
        .unwrap_or_else(|| panic!("the failure is logged under its request id: {logs}"));
    assert!(
        line.contains("no such table: jobs"),
        "the log keeps the detail: {line}"
    );
    // The web UI says the same, as a page.
    let (status, _, page) = call(
        &app,
        Method::GET,
        "/jobs",
        ("session-admin", "csrf-admin"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        page.contains("id=request-id") && !page.contains("no such table"),
        "{page}"
    );
}

#[tokio::test]
async fn the_jobs_pages_show_dead_jobs_and_operators_retry_them() {
    let hub = common::hub("jobs-pages", None, None).await;
    let store = hub.store.clone();
    common::team(&store).await;
    let id = dead_job(&store).await;
    let app = weft_server::app(common::state(hub));

    let (status, _, page) = call(
        &app,
        Method::GET,
        "/jobs?status=dead",
        ("session-analyst", "csrf-analyst"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("data-job=\"{id}\" data-status=\"dead\"")),
        "{page}"
    );
    assert!(
        page.contains("Wrike answered HTTP 503 &#60;b&#62;twice&#60;/b&#62;"),
        "the error, escaped: {page}"
    );
    assert!(page.contains(r#"<strong data-status="dead">1</strong>"#));
    let (_, _, detail) = call(
        &app,
        Method::GET,
        &format!("/jobs/{id}"),
        ("session-analyst", "csrf-analyst"),
        None,
    )
    .await;
    assert!(
        detail.contains("id=\"job-error\"") && !detail.contains("id=\"retry\""),
        "analysts see no retry button"
    );

    // Analysts may look but not retry; Operators retry through the page's form.
    let retry = format!("/jobs/{id}/retry");
    let (status, _, _) = call(
        &app,
        Method::POST,
        &retry,
        ("session-analyst", "csrf-analyst"),
        Some("csrf=csrf-analyst".into()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, detail) = call(
        &app,
        Method::GET,
        &format!("/jobs/{id}"),
        ("session-operator", "csrf-operator"),
        None,
    )
    .await;
    assert!(detail.contains("id=\"retry\""), "operators get the button");
    let (status, headers, _) = call(
        &app,
        Method::POST,
        &retry,
        ("session-operator", "csrf-operator"),
        Some("csrf=csrf-operator".into()),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/jobs/{id}"));
    let job = store.jobs().get(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    let trail = store.trail().latest(1).await.unwrap();
    assert_eq!(
        (trail[0].action.as_str(), trail[0].actor.as_str()),
        ("job.retry", "operator")
    );

    // The API lists by kind and status, and cancels.
    let (status, _, body) = call(
        &app,
        Method::GET,
        "/api/v1/jobs?kind=sync.audit_log&status=queued",
        ("token", "wft_token-operator"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed["items"][0]["id"], id.to_string());
    let (status, _, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/jobs/{id}/cancel"),
        ("token", "wft_token-operator"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["status"],
        "cancelled"
    );
}

/// Sends `body` with `content_type` as the admin's API token.
async fn raw(
    app: &axum::Router,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, "Bearer wft_token-admin");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

// What the framework refuses before a handler runs (malformed JSON, a wrong content type, a
// path or query parameter of the wrong type, an unknown route, a method not allowed) answers
// in the hub's one error shape, with the request id of the X-Request-Id header.
#[tokio::test]
async fn every_refusal_has_the_same_json_shape_with_a_request_id() {
    let hub = common::hub("errors-shape", None, None).await;
    common::team(&hub.store).await;
    let app = weft_server::app(common::state(hub));
    let json = Some("application/json");
    // Method, path, content type, body; the status and a word the error must name.
    type Case<'a> = (
        Method,
        &'a str,
        Option<&'a str>,
        &'a str,
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/v1/connections",
            json,
            "{\"name\": ",
            StatusCode::BAD_REQUEST,
            "EOF",
        ),
        (
            Method::POST,
            "/api/v1/connections",
            json,
            "{\"name\": 5}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/connections",
            Some("text/plain"),
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            Method::POST,
            "/api/v1/connections",
            None,
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            Method::GET,
            "/api/v1/jobs/not-a-number",
            None,
            "",
            StatusCode::BAD_REQUEST,
            "not-a-number",
        ),
        (
            Method::GET,
            "/api/v1/jobs?limit=lots",
            None,
            "",
            StatusCode::BAD_REQUEST,
            "limit",
        ),
        (
            Method::GET,
            "/api/v1/no-such-thing",
            None,
            "",
            StatusCode::NOT_FOUND,
            "/api/v1/no-such-thing",
        ),
        (
            Method::PATCH,
            "/api/v1/jobs",
            None,
            "",
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed",
        ),
    ];
    for (method, path, content_type, body, status, names) in cases {
        let (got, headers, text) = raw(&app, method.clone(), path, content_type, body).await;
        let case = format!("{method} {path} {content_type:?} {body:?}");
        assert_eq!(got, status, "{case}: {text}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/json",
            "{case}: {text}"
        );
        let answer: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{case}: {text}"));
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains(names)),
            "{case}: the error names {names}: {text}"
        );
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_entity",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::NOT_FOUND => "not_found",
            _ => "method_not_allowed",
        };
        assert_eq!(answer["code"], code, "{case}");
        assert_eq!(
            answer["requestId"],
            headers["x-request-id"].to_str().unwrap(),
            "{case}"
        );
    }
    // A 405 still says which methods the route has.
    let (_, headers, _) = raw(&app, Method::PATCH, "/api/v1/jobs", None, "").await;
    assert!(headers.contains_key(header::ALLOW));
    // Pages answer with the error page, not JSON and not bare text.
    let (status, headers, text) = raw(&app, Method::GET, "/no-such-page", None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(text.contains("id=error"), "{text}");
}

// The operator's pages: the trail filters by who, what and when, pages without running off
// the page, and shows amounts as money; the jobs page hides health probes unless asked.
#[tokio::test]
async fn the_trail_filters_and_pages_and_the_jobs_page_hides_probes() {
    for store in common::every_store("operator-pages").await {
        operator_pages_story(store).await;
    }
}

async fn operator_pages_story(store: Arc<weft_store::Store>) {
    let hub = common::hub_on(store.clone(), None, None);
    common::team(&store).await;
    let app = weft_server::app(common::state(hub));
    let admin = ("session-admin", "csrf-admin");
    let day = |d: u32| {
        chrono::NaiveDate::from_ymd_opt(2026, 11, d)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    };
    // 150 entries by alice on the 2nd, one renewal by bob on the 10th.
    for i in 0..150 {
        store
            .trail()
            .append(weft_store::NewTrailEntry {
                at: day(2),
                actor: "alice".into(),
                action: "recipe.apply".into(),
                target: format!("recipe-{i}"),
                before: None,
                after: Some(json!({"version": i})),
            })
            .await
            .unwrap();
    }
    store
        .trail()
        .append(weft_store::NewTrailEntry {
            at: day(10),
            actor: "cli:ops as bob".into(),
            action: "usage.renewal".into(),
            target: "acme".into(),
            before: None,
            after: Some(
                json!({"seatCostCents": 123456, "currency": "EUR", "typeCosts": {"UT1": 50000}}),
            ),
        })
        .await
        .unwrap();

    let page = |query: &str| {
        let (app, path) = (app.clone(), format!("/audit{query}"));
        async move {
            let (status, _, html) = call(&app, Method::GET, &path, admin, None).await;
            (status, html)
        }
    };
    let rows = |html: &str| html.matches("<tr><td class=\"nowrap\">").count();
    let (status, html) = page("?who=BOB").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&html), 1, "who matches any part, any case");
    assert!(html.contains("EUR 1,234.56"), "cents show as money: {html}");
    assert!(
        html.contains("<time datetime=\"2026-11-10T12:00:00Z\">"),
        "{html}"
    );
    assert!(html.contains("UT1: EUR 500.00"), "{html}");
    assert!(!html.contains("123456"), "{html}");
    let (_, html) = page("?what=usage.").await;
    assert_eq!(rows(&html), 1, "an action family");
    let (_, html) = page("?from=2026-11-03&to=2026-11-30").await;
    assert_eq!(rows(&html), 1, "dates, the last one included");
    let (_, html) = page("?who=alice").await;
    assert_eq!(rows(&html), 100, "a page");
    let older = html
        .split("id=\"older\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        older.contains("who=alice") && older.contains("before="),
        "{older}"
    );
    let (_, html) = page(older.trim_start_matches("/audit")).await;
    assert_eq!(rows(&html), 50, "the rest, filters kept");
    assert!(!html.contains("id=\"older\""), "the last page");
    assert!(
        html.contains("table id=\"audit\" class=\"trail\""),
        "cells wrap"
    );
    let (status, html) = page("?from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("from: &#34;yesterday&#34; is not a date"),
        "{html}"
    );

    // Jobs: a probe and a sync; the probe only when asked for.
    for kind in ["health.probe", "usage.sync"] {
        store
            .jobs()
            .enqueue(
                &NewJob {
                    kind: kind.into(),
                    payload: json!({}),
                    dedupe_key: None,
                    origin: "test".into(),
                    priority: 0,
                    run_at_ms: i64::MAX / 2,
                    retry: RetryPolicy::ONCE,
                },
                0,
            )
            .await
            .unwrap();
    }
    let jobs_page = |query: &'static str| {
        let app = app.clone();
        async move { call(&app, Method::GET, query, admin, None).await.2 }
    };
    let html = jobs_page("/jobs").await;
    assert!(html.contains("<td>usage.sync</td>") && !html.contains("<td>health.probe</td>"));
    assert!(html.contains("id=\"routine-hidden\""));
    assert!(
        html.contains("<time datetime=\""),
        "times the reader's browser localises"
    );
    let html = jobs_page("/jobs?routine=true").await;
    assert!(html.contains("<td>health.probe</td>"), "{html}");
    let html = jobs_page("/jobs?kind=health.probe").await;
    assert!(html.contains("<td>health.probe</td>") && !html.contains("<td>usage.sync</td>"));
    let (_, _, api) = call(
        &app,
        Method::GET,
        "/api/v1/jobs",
        ("token", "wft_token-admin"),
        None,
    )
    .await;
    let kinds: Vec<Value> = serde_json::from_str::<Value>(&api).unwrap()["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| serde_json::from_str::<Vec<Value>>(&api).unwrap_or_default());
    assert!(
        kinds.iter().all(|j| j["kind"] != "health.probe") && !kinds.is_empty(),
        "{api}"
    );
}
