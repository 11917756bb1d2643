//! Login, throttling, refresh rotation and reuse detection, logout, and hostile tokens.

use crate::both_databases;
use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

async fn login_body(app: &TestApp, email: &str, password: &str) -> crate::helpers::TestResponse {
    app.post("/api/v1/auth/login").json(json!({"email": email, "password": password})).send().await
}

fn claims(offset_exp: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "x", "role": "admin", "iat": now, "exp": now + offset_exp, "iss": "salesops", "aud": "salesops-api", "jti": "j"})
}

both_databases! {
    async fn login_issues_a_bearer_token_pair(app) {
        let res = login_body(&app, "ADMIN@test.local", ADMIN_PASSWORD).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["token_type"], "Bearer");
        assert_eq!(res.body["expires_in"], 900);
        assert!(res.body["refresh_token"].as_str().is_some_and(|t| t.len() > 30));
        let me = app.get("/api/v1/me").token(res.body["access_token"].as_str().expect("token")).send().await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["email"], ADMIN_EMAIL);
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["effective_scope"], "all");
        assert!(me.body.get("password_hash").is_none());
    }

    async fn wrong_credentials_get_401_and_repeated_failures_get_429(app) {
        login_body(&app, ADMIN_EMAIL, "wrong-password").await.assert_problem(401, "unauthenticated");
        login_body(&app, "nobody@test.local", "whatever-1").await.assert_problem(401, "unauthenticated");
        login_body(&app, ADMIN_EMAIL, "wrong-password").await.assert_problem(401, "unauthenticated");
        login_body(&app, ADMIN_EMAIL, "wrong-password").await.assert_problem(401, "unauthenticated");
        let locked = login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        locked.assert_problem(429, "rate_limited");
        assert!(locked.header("retry-after").and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| s > 0));
        // Another account is unaffected.
        let rep = app.user("rep", None, None).await;
        assert!(!rep.token.is_empty());
        login_body(&app, ADMIN_EMAIL, "").await.assert_problem(422, "validation");
    }

    async fn refresh_rotates_and_reuse_revokes_the_family(app) {
        let first = login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.body;
        let old = first["refresh_token"].as_str().expect("refresh").to_owned();
        let second = app.post("/api/v1/auth/refresh").json(json!({"refresh_token": old})).send().await;
        assert_eq!(second.status, 200, "{}", second.body);
        let newer = second.body["refresh_token"].as_str().expect("refresh").to_owned();
        assert_ne!(newer, old);
        // Replaying the used token is theft: it fails, and so does the token rotated from it.
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": old})).send().await.assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": newer})).send().await.assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": "made-up"})).send().await.assert_problem(401, "unauthenticated");
    }

    async fn logout_revokes_the_access_token_and_the_refresh_family(app) {
        let pair = login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.body;
        let access = pair["access_token"].as_str().expect("access");
        let refresh = pair["refresh_token"].as_str().expect("refresh");
        let res = app.post("/api/v1/auth/logout").token(access).json(json!({"refresh_token": refresh})).send().await;
        assert_eq!(res.status, 204);
        app.get("/api/v1/me").token(access).send().await.assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": refresh})).send().await.assert_problem(401, "unauthenticated");
        assert_eq!(app.get("/api/v1/me").token(&app.admin_token).send().await.status, 200, "other sessions survive");
    }

    async fn hostile_tokens_are_refused(app) {
        let key = EncodingKey::from_secret(JWT_SECRET.as_bytes());
        let admin = app.get("/api/v1/me").token(&app.admin_token).send().await.body;
        let mut good = claims(600);
        good["sub"] = admin["id"].clone();
        let valid = encode(&Header::default(), &good, &key).expect("sign");
        assert_eq!(app.get("/api/v1/me").token(&valid).send().await.status, 200, "the forged-but-correct token works");
        let mut expired = good.clone();
        expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
        let mut wrong_iss = good.clone();
        wrong_iss["iss"] = json!("evil");
        let mut wrong_aud = good.clone();
        wrong_aud["aud"] = json!("other-api");
        let wrong_key = encode(&Header::default(), &good, &EncodingKey::from_secret(b"another-secret-another-secret-xx")).expect("sign");
        let hs512 = encode(&Header::new(jsonwebtoken::Algorithm::HS512), &good, &key).expect("sign");
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(good.to_string())
        );
        let tokens = [
            encode(&Header::default(), &expired, &key).expect("sign"),
            encode(&Header::default(), &wrong_iss, &key).expect("sign"),
            encode(&Header::default(), &wrong_aud, &key).expect("sign"),
            wrong_key,
            hs512,
            none,
            "not.a.jwt".to_owned(),
        ];
        for token in tokens {
            let res = app.get("/api/v1/me").token(&token).send().await;
            res.assert_problem(401, "unauthenticated");
            assert_eq!(res.header("www-authenticate"), Some("Bearer"));
        }
        app.get("/api/v1/me").send().await.assert_problem(401, "unauthenticated");
        app.get("/api/v1/me").header("authorization", "Basic YTpi").send().await.assert_problem(401, "unauthenticated");
    }

    async fn logout_takes_no_body_or_a_well_formed_one(app) {
        let token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        app.post("/api/v1/auth/logout").token(&token).header("content-type", "application/json").raw(b"{\"refresh_token\":").send().await.assert_problem(400, "bad_request");
        app.post("/api/v1/auth/logout").token(&token).json(json!({"refresh_tokn": "x"})).send().await.assert_problem(422, "validation");
        assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200, "a refused logout revokes nothing");
        assert_eq!(app.post("/api/v1/auth/logout").token(&token).send().await.status, 204);
        app.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/logout").send().await.assert_problem(401, "unauthenticated");
    }

    async fn a_token_that_is_not_valid_yet_is_refused(app) {
        let key = EncodingKey::from_secret(JWT_SECRET.as_bytes());
        let admin = app.get_ok(&app.admin_token, "/api/v1/me").await;
        let now = chrono::Utc::now().timestamp();
        let mut early = claims(600);
        early["sub"] = admin["id"].clone();
        early["nbf"] = json!(now + 3600);
        let token = encode(&Header::default(), &early, &key).expect("sign");
        app.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        // Within the leeway, and in the past, it works.
        early["nbf"] = json!(now - 60);
        let token = encode(&Header::default(), &early, &key).expect("sign");
        assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);
    }

    async fn a_token_with_a_critical_header_extension_is_refused(app) {
        let key = EncodingKey::from_secret(JWT_SECRET.as_bytes());
        let admin = app.get_ok(&app.admin_token, "/api/v1/me").await;
        let mut good = claims(600);
        good["sub"] = admin["id"].clone();
        // Sign a header that carries `crit` by hand: jsonwebtoken's Header has no such field.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#);
        let payload = URL_SAFE_NO_PAD.encode(good.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).expect("sign");
        let token = format!("{signing_input}.{signature}");
        app.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        // The same claims without `crit` are accepted, so the refusal is the header's.
        let plain = encode(&Header::default(), &good, &key).expect("sign");
        assert_eq!(app.get("/api/v1/me").token(&plain).send().await.status, 200);
    }

    async fn two_authorization_headers_are_a_bad_request(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.get("/api/v1/me").token(&rep.token).append_header("authorization", &format!("Bearer {}", app.admin_token)).send().await;
        res.assert_problem(400, "bad_request");
        assert_eq!(app.get("/api/v1/me").token(&rep.token).send().await.body["role"], "rep");
    }

    async fn reusing_a_refresh_token_also_revokes_the_access_tokens_of_its_family(app) {
        let first = login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.body;
        let old = first["refresh_token"].as_str().expect("refresh").to_owned();
        let second = app.post("/api/v1/auth/refresh").json(json!({"refresh_token": old})).send().await;
        assert_eq!(second.status, 200, "{}", second.body);
        let latest_access = second.body["access_token"].as_str().expect("access").to_owned();
        assert_eq!(app.get("/api/v1/me").token(&latest_access).send().await.status, 200);
        // The replay revokes the family: the thief's fresh access token dies with it.
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": old})).send().await.assert_problem(401, "unauthenticated");
        app.get("/api/v1/me").token(&latest_access).send().await.assert_problem(401, "unauthenticated");
        let first_access = first["access_token"].as_str().expect("access");
        app.get("/api/v1/me").token(first_access).send().await.assert_problem(401, "unauthenticated");
        assert_eq!(app.get("/api/v1/me").token(&app.admin_token).send().await.status, 200, "other sessions survive");
    }

    async fn fifty_parallel_wrong_passwords_check_at_most_the_limit(app) {
        // The test apps allow 3 attempts per (email, address).
        let attempts = (0..50).map(|_| login_body(&app, ADMIN_EMAIL, "wrong-password"));
        let results = futures_util::future::join_all(attempts).await;
        let checked = results.iter().filter(|r| r.status == 401).count();
        let throttled = results.iter().filter(|r| r.status == 429).count();
        assert_eq!((checked, throttled), (3, 47), "{:?}", results.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>());
    }

    async fn a_correct_password_in_a_burst_of_wrong_ones_is_checked_only_within_the_limit(app) {
        let mut attempts: Vec<_> = (0..49).map(|_| login_body(&app, ADMIN_EMAIL, "wrong-password")).collect();
        attempts.insert(25, login_body(&app, ADMIN_EMAIL, ADMIN_PASSWORD));
        let results = futures_util::future::join_all(attempts).await;
        let checked = results.iter().filter(|r| r.status == 401 || r.status == 200).count();
        assert!(checked <= 3, "{checked} passwords were checked: {:?}", results.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>());
        assert_eq!(results.iter().filter(|r| r.status == 429).count(), 50 - checked);
    }

    async fn throttles_key_on_the_email_and_address_pair_with_higher_ceilings_per_email_and_address(app) {
        let from = |addr: String, password: &'static str| {
            let app = &app;
            async move {
                app.post("/api/v1/auth/login").peer(&addr).json(json!({"email": ADMIN_EMAIL, "password": password})).send().await
            }
        };
        // One client locks itself out of this email, not the user (limit 3 per pair).
        for _ in 0..3 {
            from("198.51.100.1:1000".into(), "wrong-password").await.assert_problem(401, "unauthenticated");
        }
        from("198.51.100.1:1000".into(), ADMIN_PASSWORD).await.assert_problem(429, "rate_limited");
        assert_eq!(from("198.51.100.2:1000".into(), ADMIN_PASSWORD).await.status, 200, "the user still logs in from elsewhere");
        // Many clients guessing one email hit its ceiling (4 × 3 = 12 attempts), then everyone waits.
        for i in 0..12 {
            from(format!("203.0.113.{}:1000", 10 + i / 2), "wrong-password").await.assert_problem(401, "unauthenticated");
        }
        from("198.51.100.3:1000".into(), ADMIN_PASSWORD).await.assert_problem(429, "rate_limited");
        // One client trying many emails hits the address ceiling (10 × 3 = 30 attempts).
        for i in 0..30 {
            let res = app.post("/api/v1/auth/login").peer("192.0.2.50:1000")
                .json(json!({"email": format!("user{i}@example.com"), "password": "guess-1"})).send().await;
            res.assert_problem(401, "unauthenticated");
        }
        app.post("/api/v1/auth/login").peer("192.0.2.50:1000")
            .json(json!({"email": "user99@example.com", "password": "guess-1"})).send().await.assert_problem(429, "rate_limited");
    }

    async fn a_client_that_locked_its_own_pair_cannot_go_on_to_lock_the_user_out(app) {
        let from = |addr: &'static str, password: &'static str| {
            let app = &app;
            async move {
                app.post("/api/v1/auth/login").peer(addr).json(json!({"email": ADMIN_EMAIL, "password": password})).send().await
            }
        };
        for _ in 0..3 {
            from("198.51.100.7:1000", "wrong-password").await.assert_problem(401, "unauthenticated");
        }
        // Well past the per-email ceiling (4 × 3), all from the locked client.
        for _ in 0..20 {
            from("198.51.100.7:1000", "wrong-password").await.assert_problem(429, "rate_limited");
        }
        assert_eq!(from("198.51.100.8:1000", ADMIN_PASSWORD).await.status, 200, "the user still logs in from elsewhere");
    }

    async fn a_very_long_email_is_throttled_like_any_other(app) {
        let email = format!("{}@example.com", "x".repeat(240));
        for _ in 0..3 {
            login_body(&app, &email, "wrong-password").await.assert_problem(401, "unauthenticated");
        }
        login_body(&app, &email, "wrong-password").await.assert_problem(429, "rate_limited");
    }

    async fn revoking_an_access_token_twice_is_not_a_conflict(app) {
        let expires = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(5);
        for _ in 0..2 {
            app.with_conn(|c| salesops_persistence::tokens::revoke_access(c, "jti-twice", expires)).expect("revoked");
        }
        assert!(app.with_conn(|c| salesops_persistence::tokens::is_access_revoked(c, "jti-twice")).expect("read"));
    }
}
